"""Two runs of retain that record at the same instant (a clock stopped or set back, `faketime` with a
frozen clock): each rating keeps its own place in the day's limits and history."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.journal_writer import JournalWriter

NOW = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)
DECK = """format = 1
[deck]
id = "t"

[[cards]]
id = "a"
front = "A"
back = "a"

[[cards]]
id = "b"
front = "B"
back = "b"
"""


def _two_runs_at_one_instant(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "t.toml").write_text(DECK, encoding="utf-8")
    for run in range(2):  # quit and come back, the clock still at the same instant
        col = Collection.open(open_home(), NOW, tz=UTC)
        try:
            session = col.start_session(["t"], NOW)
            assert session.current is not None
            assert session.current.key == ("t/a" if run == 0 else "t/b")
            session.reveal()
            session.rate(4, NOW)
            if run == 1:
                undo = session.undo(NOW)
                assert undo is not None and undo.key == "t/b"
        finally:
            col.close(NOW)
    shutil.rmtree(tmp_path / "cache")  # the history index is built again from the journal


def _first_rating_stands() -> None:
    col = Collection.open(open_home(), NOW, tz=UTC, read_only=True)
    try:
        assert col.states["t/a"].reps == 1
        log = col.day_log(NOW)
        assert (log.new_seen, log.notes_seen) == ({"t": 1}, {"t/a"})  # t/a's rating stands, alone
    finally:
        col.close()


def test_undo_in_a_second_run_at_the_same_instant_leaves_the_first_runs_rating(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each run's ids go on from the journal's last one: the second run's rating has an id of its own."""
    _two_runs_at_one_instant(tmp_path, monkeypatch)
    ids = re.findall(
        r"\{i=(\d+),", "".join(p.read_text() for p in tmp_path.glob("state/devices/*/journal-*"))
    )
    assert len(ids) == 3 and len(set(ids)) == 3, ids
    _first_rating_stands()


def test_an_undo_takes_back_only_its_own_cards_event_of_a_shared_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Journals written by an older retain hold such twin ids: the index matches an undo to the
    event of its own card, when it is built from scratch too."""
    monkeypatch.setattr(JournalWriter, "last_sequence", lambda self: 0)  # (what an older retain did)
    _two_runs_at_one_instant(tmp_path, monkeypatch)
    ids = re.findall(
        r"\{i=(\d+),", "".join(p.read_text() for p in tmp_path.glob("state/devices/*/journal-*"))
    )
    assert ids.count("1") == 2, ids
    _first_rating_stands()
