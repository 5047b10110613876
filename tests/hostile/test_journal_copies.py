"""A hostile conflict copy of a journal in a synced data folder: another device's events, a
symbolic link by the name of the folder its reviews are taken into."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
DECK = """format = 1

[deck]
id = "tiny"
name = "Tiny"

[[cards]]
id = "one"
front = "One?"
back = "1"

[[cards]]
id = "two"
front = "Two?"
back = "2"
"""
COPY = "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml"


def _open(root: Path, at: datetime, **kw: object) -> Collection:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    return Collection.open(open_home({"RETAIN_HOME": str(root)}), at, tz=UTC, **kw)  # type: ignore[arg-type]


def _rated(root: Path, key: str, at: datetime) -> Path:
    """`key` reviewed at `at` in the data folder `root`; its device's journal file."""
    col = _open(root, at)
    try:
        after = CardState(
            state=REVIEW,
            stability=3.0,
            difficulty=5.0,
            due=at + timedelta(days=3),
            last_review=at,
            reps=1,
            lapses=0,
        )
        col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3, 1000))
    finally:
        col.close(at)
    (journal,) = (root / "state" / "devices").glob(f"*/{COPY[:15]}.toml")
    return journal


def _history(root: Path, at: datetime, **kw: object) -> tuple[list[str], list[str]]:
    col = _open(root, at, **kw)
    try:
        return [e.key for e in col.history(at)], list(col.messages)
    finally:
        col.close(at)


def test_a_copy_holding_another_devices_journal_adds_none_of_its_reviews(tmp_path: Path) -> None:
    """Device B's journal as a "conflict copy" in device A's folder: B's review was taken in again
    under A's name and counted twice (once from B's folder, once from A-c...)."""
    journal_a = _rated(tmp_path / "a", "tiny/one", NOW)
    journal_b = _rated(tmp_path / "b", "tiny/one", NOW + timedelta(minutes=1))
    shutil.copytree(journal_b.parent, tmp_path / "a" / "state" / "devices" / journal_b.parent.name)
    (journal_a.parent / COPY).write_bytes(journal_b.read_bytes())
    keys, said = _history(tmp_path / "a", NOW + timedelta(hours=1), read_only=True)
    assert keys.count("tiny/one") == 2, keys
    assert [m for m in said if COPY in m and "1 event(s) with another device's ids left out" in m] != []
    for step in range(2):
        keys, said = _history(tmp_path / "a", NOW + timedelta(hours=2 + step))
        assert keys.count("tiny/one") == 2, keys  # once per device, never a third time
    assert [p for p in (tmp_path / "a" / "state" / "devices").iterdir() if "-c" in p.name] == []


def test_a_symlink_by_the_name_of_the_taken_in_folder_is_not_written_through(tmp_path: Path) -> None:
    """The folder a copy's reviews go to is named by a hash of their ids, so a synced folder can
    hold a link by that name to any folder of the user: the journal and device.toml were written
    there."""
    root = tmp_path / "home"
    journal = _rated(root, "tiny/one", NOW)
    before = journal.read_bytes()
    _rated(root, "tiny/two", NOW + timedelta(hours=1))
    (journal.parent / COPY).write_bytes(journal.read_bytes())
    journal.write_bytes(before)
    probe = tmp_path / "probe"  # where the copy's reviews go, found on a copy of the folder
    shutil.copytree(root, probe)
    at = NOW + timedelta(hours=2)
    _open(probe, at).close(at)
    (made,) = [p.name for p in (probe / "state" / "devices").iterdir() if "-c" in p.name]
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "state" / "devices" / made).symlink_to(outside)
    _keys, said = _history(root, at)
    assert list(outside.iterdir()) == []
    (line,) = [m for m in said if COPY in m]
    assert f"could not be taken in (devices/{made} is a symbolic link" in line and "\n" not in line
    assert (journal.parent / COPY).is_file()  # kept where it was: nothing lost
