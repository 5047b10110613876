"""End to end: the installed `retain` in a pty, driven by key presses, checked with `retain due --json`."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .ptyapp import PtyApp, retain_command

KAFKA = """format = 1

[deck]
id = "e2e-kafka"
name = "E2E Kafka"

[[cards]]
id = "partitions"
front = "What lets Kafka read and write a topic in parallel?"
back = "Partitioning."

[[cards]]
id = "isr"
front = "What is an ISR?"
back = "An in-sync replica."

[[cards]]
id = "acks"
front = "Which producer setting waits for all in-sync replicas?"
back = "acks=all"

[[cards]]
id = "offsets"
front = "Where are consumer offsets kept?"
back = "In __consumer_offsets."

[[cards]]
id = "retention"
front = "Is a message deleted once consumed?"
back = "No."
"""

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs a POSIX pty")


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "e2e-kafka.toml").write_text(KAFKA, encoding="utf-8")
    return tmp_path


def due(home: Path) -> dict[str, Any]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    out = subprocess.run(
        [*retain_command(), "due", "--json"], env=env, capture_output=True, text=True, check=True
    )
    data = json.loads(out.stdout)
    return next(d for d in data["decks"] if d["id"] == "e2e-kafka")


def review(app: PtyApp, count: int) -> None:
    """Reveal and rate Good, `count` times; each time wait for the next card to be painted."""
    for _ in range(count):
        app.step("space", expect="Easy")
        app.step("3", expect="Show answer")


def test_review_three_cards_then_quit(home: Path) -> None:
    assert (due(home)["new"], due(home)["learning"]) == (5, 0)
    app = PtyApp(["review", "e2e-kafka"], home)
    app.wait_for("Show answer")
    review(app, 3)
    app.press("q")
    assert app.wait_exit() == 0
    after = due(home)
    # Good on a new card: its next step is 10 minutes away, within the learn-ahead limit (20
    # minutes), so `retain due` counts it as learning, as the session and Anki's deck list do.
    assert (after["new"], after["learning"], after["review"]) == (2, 3, 0)


def test_undo_takes_the_last_rating_back(home: Path) -> None:
    app = PtyApp(["review", "e2e-kafka"], home)
    app.wait_for("Show answer")
    review(app, 3)
    app.step("u", expect="Show answer")
    app.press("q")
    assert app.wait_exit() == 0
    assert due(home)["new"] == 3


def test_sigkill_after_two_ratings_keeps_both(home: Path) -> None:
    app = PtyApp(["review", "e2e-kafka"], home)
    app.wait_for("Show answer")
    review(app, 2)  # the third card is painted, so the second rating was on disk before it
    app.kill()
    assert due(home)["new"] == 3
    again = PtyApp(["review", "e2e-kafka"], home)  # the lock died with the process
    again.wait_for("Show answer")
    assert "read-only" not in again.text()
    review(again, 1)
    again.press("q")
    assert again.wait_exit() == 0
    assert due(home)["new"] == 2


def test_second_launch_paints_from_the_summary_and_studies(home: Path) -> None:
    before = new_notes(home)
    first = PtyApp([], home)
    first.wait_for("Study selected")
    first.press("q")
    assert first.wait_exit() == 0
    summary = home / "cache" / "home-summary.marshal"
    assert summary.is_file()  # written on quit, for the next launch
    again = PtyApp([], home)
    again.wait_for("Study selected")
    again.press("a")  # at once (study all): waits for the collection if it is still opening
    again.wait_for("Show answer")
    review(again, 1)
    again.press("q")
    assert again.wait_exit() == 0
    assert new_notes(home) == before - 1


def test_a_second_retain_takes_over_when_the_first_quits(home: Path) -> None:
    """Two installed retains on one home: the second is read-only while the first studies, and
    studies (and records) once the first has quit, without a restart."""
    first = PtyApp(["review", "e2e-kafka"], home)
    first.wait_for("Show answer")
    review(first, 1)
    second = PtyApp([], home)
    second.wait_for("opened read-only while it runs")
    mark = second.mark()
    second.press("a")
    second.wait_for("another retain is running", since=mark)
    first.press("q")
    assert first.wait_exit() == 0
    mark = second.mark()
    second.press("a")
    second.wait_for("The other retain has closed", since=mark)
    second.wait_for("Show answer", since=mark)
    review(second, 2)
    second.press("q")
    assert second.wait_exit() == 0
    env = {**os.environ, "RETAIN_HOME": str(home)}
    out = subprocess.run(
        [*retain_command(), "stats", "--json"], env=env, capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout)["total"]["reviews_today"] == 3  # one by the first, two by the second


def new_notes(home: Path) -> int:
    """New notes due now over every deck (`retain due --json`): a rated note drops out for today."""
    env = {**os.environ, "RETAIN_HOME": str(home)}
    out = subprocess.run(
        [*retain_command(), "due", "--json"], env=env, capture_output=True, text=True, check=True
    )
    return int(json.loads(out.stdout)["total"]["new"])
