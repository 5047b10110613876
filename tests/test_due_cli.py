"""`retain due [--json]` and `retain stats [--json]` as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.paths import bundled_decks_dir

DECK_KEYS = {"id", "name", "group", "cards", "new", "learning", "review"}


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=60
    )


def _bundled_ids() -> set[str]:
    folder = bundled_decks_dir()
    assert folder is not None
    import tomllib

    return {tomllib.loads(p.read_text("utf-8"))["deck"]["id"] for p in folder.glob("*.toml")}


def test_due_json_on_a_fresh_home_lists_the_bundled_decks(tmp_path: Path) -> None:
    result = _run(tmp_path, "due", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"decks", "total"}
    ids = {d["id"] for d in data["decks"]}
    assert ids == _bundled_ids() and len(ids) == 10
    for deck in data["decks"]:
        assert set(deck) == DECK_KEYS
        assert deck["cards"] > 0 and 0 < deck["new"] <= 20
        assert deck["learning"] == deck["review"] == 0
    assert data["total"] == {
        k: sum(d[k] for d in data["decks"]) for k in ("cards", "new", "learning", "review")
    }
    assert result.stderr == ""
    assert not (tmp_path / "state").exists()  # `due` never writes state


def test_due_counts_follow_the_progress(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    col = Collection.open(home, now)
    notes = {u.note_key: u for u in reversed(col.units) if u.deck_id == "kafka"}  # siblings would be buried
    units = list(reversed(notes.values()))[:3]
    for i, unit in enumerate(units):
        at = now - timedelta(days=10, minutes=i)
        after = CardState(REVIEW, None, 5.0, 5.0, now - timedelta(hours=1), at, 3, 0)
        col.record(Event(col.new_event_id(at), "review", unit.key, at, after, None, 3))
    col.close(now)
    data = json.loads(_run(tmp_path, "due", "--json").stdout)
    kafka = next(d for d in data["decks"] if d["id"] == "kafka")
    assert kafka["review"] == 3
    table = _run(tmp_path, "due")
    assert table.returncode == 0 and "Apache Kafka" in table.stdout and table.stdout.startswith("Deck")
    assert table.stdout.strip().splitlines()[-1].startswith("Total")


def test_stats_json_reports_per_deck_and_total(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    col = Collection.open(home, now)
    unit = next(u for u in col.units if u.deck_id == "redis")
    col.record(
        Event(col.new_event_id(now), "review", unit.key, now, CardState(1, 0, 1.0, 5.0, now, now, 1), None, 3)
    )
    col.close(now)
    result = _run(tmp_path, "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    redis = next(d for d in data["decks"] if d["deck_id"] == "redis")
    assert redis["reviews_today"] == 1 and redis["learning"] == 1 and redis["streak"] == 1
    assert data["total"]["reviews_today"] == 1
    for key in ("cards", "new", "learning", "review", "relearning", "suspended", "streak", "retention"):
        assert key in redis
    plain = _run(tmp_path, "stats")
    assert "Redis" in plain.stdout and "Retention" in plain.stdout


def test_due_refuses_a_newer_state_format_with_one_line(tmp_path: Path) -> None:
    snaps = tmp_path / "state" / "snapshots"
    snaps.mkdir(parents=True)
    (snaps / "kafka.toml").write_text('format = 99\ndeck = "kafka"\n')
    result = _run(tmp_path, "due", "--json")
    assert result.returncode == 2
    assert result.stderr.startswith("retain: ") and "newer retain" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", ["due", "stats"])
def test_damage_is_reported_on_stderr_and_json_stays_clean(tmp_path: Path, command: str) -> None:
    snaps = tmp_path / "state" / "snapshots"
    snaps.mkdir(parents=True)
    (snaps / "kafka.toml").write_text("this is [not toml")
    result = _run(tmp_path, command, "--json")
    assert result.returncode == 0
    json.loads(result.stdout)
    assert "damaged state file kafka.toml" in result.stderr
    assert (snaps / "kafka.toml").read_text() == "this is [not toml"  # a reader changes nothing


def test_stats_warns_of_a_broken_deck_as_due_does(tmp_path: Path) -> None:
    """A deck file that cannot be read is left out of every figure: `stats` says so on stderr,
    in the very line `due` prints (it said nothing)."""
    (tmp_path / "decks").mkdir()
    broken = tmp_path / "decks" / "broken.toml"
    broken.write_text("format = 1\n[deck\n", encoding="utf-8")
    due, stats = _run(tmp_path, "due", "--json"), _run(tmp_path, "stats", "--json")
    assert due.returncode == stats.returncode == 0
    json.loads(stats.stdout)
    lines = stats.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"retain: warning: broken deck: {broken}:2:"), lines
    assert stats.stderr == due.stderr


# What `retain due` never needs on a warm start with no exam in the config: the stats' figures, the
# cloze parser, the exam caps, and what only writes use (each costs import time on every run).
_NOT_FOR_DUE = (
    "textual",
    "fsrs",
    "rich",
    "retain.core.statsfigures",
    "retain.core.statscards",
    "retain.core.cloze",
    "retain.core.exam",
    "retain.store.index.moves",
    "retain.store.index.statsquery",
    "pickle",
    "tempfile",
    "hashlib",
    "difflib",
    "tomli_w",
)


def test_due_imports_neither_textual_nor_fsrs_nor_what_only_stats_and_writes_use(tmp_path: Path) -> None:
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    warm = [sys.executable, "-m", "retain", "due", "--json"]
    assert subprocess.run(warm, env=env, capture_output=True, timeout=60).returncode == 0  # (the caches)
    code = (
        "import sys, io, contextlib\nfrom retain.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n    main(['due', '--json'])\n"
        f"heavy = sorted(m for m in sys.modules if m in {_NOT_FOR_DUE!r} or m.split('.')[0] in {_NOT_FOR_DUE[:3]!r})\n"
        "print(heavy, file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and result.stderr.strip() == "[]", result.stderr


def test_due_from_the_launch_summary_prints_what_the_collection_gives(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "broken.toml").write_text("format = 1\n[deck\n", encoding="utf-8")
    col = Collection.open(home, now)
    for i, unit in enumerate([u for u in col.units if u.deck_id == "redis"][:4]):
        at = now - timedelta(days=3, minutes=i)
        after = CardState(REVIEW, None, 5.0, 5.0, now + timedelta(days=2 * i - 2), at, 3, 0)
        col.record(Event(col.new_event_id(at), "review", unit.key, at, after, None, 3))
    col.close(now, save_summary=True)  # as the TUI closes
    summary = tmp_path / "cache" / "home-summary.marshal"
    assert summary.is_file()
    fast = [_run(tmp_path, "due", "--json"), _run(tmp_path, "due")]
    assert _opens_collection(tmp_path) is False  # the summary answered
    summary.write_bytes(b"damaged")  # a miss: the collection is opened
    assert _opens_collection(tmp_path) is True
    slow = [_run(tmp_path, "due", "--json"), _run(tmp_path, "due")]
    for a, b in zip(fast, slow, strict=True):
        assert a.returncode == b.returncode == 0
        assert a.stdout == b.stdout
        assert a.stderr == b.stderr and "broken deck: " in a.stderr
    redis = next(d for d in json.loads(fast[0].stdout)["decks"] if d["id"] == "redis")
    assert redis["review"] == 2  # due two days ago and now; the others on later study days


def _opens_collection(home: Path) -> bool:
    code = (
        "import sys, contextlib, io\n"
        "from retain.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['due', '--json'])\n"
        "print('retain.store.collection' in sys.modules)\n"
    )
    env = {**os.environ, "RETAIN_HOME": str(home)}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    return out.stdout.strip() == "True"


def test_due_table_lines_up_names_with_wide_characters(
    wide_named_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CJK name takes two terminal columns a character: padded by `len`, its counts stood
    six columns right, under the next heading."""
    import unicodedata

    from retain.cli import main

    assert main(["due"]) == 0
    rows = [line.rstrip() for line in capsys.readouterr().out.splitlines() if line.rstrip()[-1:].isdigit()]
    cells = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in row) for row in rows}
    assert len(rows) == 13 and len(cells) == 1, rows
