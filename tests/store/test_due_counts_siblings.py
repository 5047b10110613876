"""`retain due`, the launch summary and a session agree about siblings of a learning step due later today."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from retain.core.state import LEARNING, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home

NOW_TEXT = "2026-03-28T12:00:00+00:00"
DECK = """format = 1

[deck]
id = "tiny"
name = "Tiny"

[[cards]]
id = "one"
front = "One?"
back = "1"

[[cards]]
id = "three"
kind = "cloze"
text = "{{c1::Three}} and {{c2::four}}"
"""


def test_home_counts_agree_with_the_session_about_a_step_due_later_today(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    now = datetime.fromisoformat(NOW_TEXT)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), now, tz=UTC)
    at = now - timedelta(hours=22)  # yesterday's study day: a "1d" learning step, due before the rollover
    state = CardState(LEARNING, 1, 1.0, 5.0, now + timedelta(hours=2), at, reps=1)
    col.record(Event(col.new_event_id(at), "review", "tiny/three:c1", at, state, None, 3, 100))
    session = col.start_session(["tiny"], now)
    assert session.counts(now).new == 1  # tiny/one; tiny/three:c2 waits for c1's step
    assert col.due_counts(now)["tiny"].new == session.counts(now).new


def test_the_launch_summary_agrees_too(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from retain.store.index.homesummary import load_summary

    now = datetime.fromisoformat(NOW_TEXT)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    col = Collection.open(home, now, tz=UTC)
    at = now - timedelta(hours=22)
    state = CardState(LEARNING, 1, 1.0, 5.0, now + timedelta(hours=2), at, reps=1)
    col.record(Event(col.new_event_id(at), "review", "tiny/three:c1", at, state, None, 3, 100))
    col.close(now, save_summary=True)
    summary = load_summary(home, now, UTC)
    assert summary is not None
    assert summary.counts["tiny"].new == 1
