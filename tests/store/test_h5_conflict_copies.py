"""A sync tool's conflict copy of a journal in a folder a conflict copy was taken into.

`devices/<id>-c<hash>/` holds the reviews a conflict copy of device `<id>`'s journal alone had
(`journal_copies`). That folder is synced like any other, so it can get a conflict copy of its
own (one computer settled it, writing its journal again with fewer events, while the other still
had the older version). Its events carry `<id>`'s ids: the ones `<id>`'s own journal or another
folder of `<id>` holds are no new reviews.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from store_helpers import NOW, make_home, open_col, review_state

from retain.core.state import Event
from retain.store.state.journal import JournalWriter
from retain.store.state.journal_copies import _folder_name, _write_folder

_COPY = "journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml"


def _review(device: str, n: int, key: str, at: datetime) -> Event:
    ns = int(at.timestamp()) * 10**9
    return Event(f"{device}-{ns:019d}-{n}", "review", key, at, review_state(at, days=2), None, 3)


def _laptop(root: Path) -> tuple[Path, Event, Event, Event]:
    """Device `laptop`'s folder holding two reviews, and the folder a conflict copy was taken into
    holding a third one (the twin computer's) and, in an older version kept as its conflict
    copy, also the second one (before the folder was settled: the laptop's journal got it)."""
    make_home(root)
    devices = root / "state" / "devices"
    one = _review("laptop", 1, "tiny/one", NOW - timedelta(hours=3))
    two = _review("laptop", 2, "tiny/two", NOW - timedelta(hours=2))
    three = _review("laptop", 3, "tiny/three:c1", NOW - timedelta(hours=1))
    writer = JournalWriter(devices / "laptop", fsync=False)
    writer.append_many([one, two])
    writer.close()
    taken = devices / _folder_name("laptop", [two, three])
    taken.mkdir()
    _write_folder(taken, "laptop", "journal-2026-03.toml", [two, three], _COPY)
    older = (taken / "journal-2026-03.toml").read_bytes()
    _write_folder(taken, "laptop", "journal-2026-03.toml", [three], _COPY)  # settled on one computer
    (taken / _COPY).write_bytes(older)  # the other computer's version, kept by the sync tool
    return taken, one, two, three


def test_a_conflict_copy_in_a_taken_in_folder_adds_no_review_twice(tmp_path: Path) -> None:
    """The copy's `tiny/two` review, which the laptop's own journal holds, was taken in again
    (into `laptop-c<hash>-c<hash>`) and counted twice: in the history, Today and the stats."""
    _laptop(tmp_path)
    for step in range(2):
        at = NOW + timedelta(minutes=step)
        col = open_col(make_home(tmp_path), at)
        try:
            keys = sorted(e.key for e in col.history(at))
            today = col.progress(at)[0]
        finally:
            col.close(at)
        assert keys == ["tiny/one", "tiny/three:c1", "tiny/two"], (step, keys)
        assert today == 3, step
    folders = sorted(p.name for p in (tmp_path / "state" / "devices").iterdir())
    assert [f for f in folders if f.count("-c") > 1] == [], folders


def test_a_read_only_start_says_the_copy_holds_no_new_review(tmp_path: Path) -> None:
    taken, *_ = _laptop(tmp_path)
    col = open_col(make_home(tmp_path), NOW, read_only=True)
    try:
        said = [m for m in col.messages if _COPY in m]
    finally:
        col.close(NOW)
    assert len(said) == 1 and "no review the journal lacks" in said[0], said
    assert (taken / _COPY).is_file()  # a reader writes nothing


def test_a_conflict_copys_new_reviews_in_a_taken_in_folder_go_to_a_folder_of_the_device(
    tmp_path: Path,
) -> None:
    """A review only the copy holds is taken in once, into a folder named for the laptop (whose
    ids it carries), never into a folder of a folder."""
    taken, _one, two, three = _laptop(tmp_path)
    four = _review("laptop", 4, "tiny/three:c2", NOW - timedelta(minutes=30))
    _write_folder(taken, "laptop", "journal-2026-03.toml", [two, three, four], _COPY)
    (taken / _COPY).write_bytes((taken / "journal-2026-03.toml").read_bytes())
    _write_folder(taken, "laptop", "journal-2026-03.toml", [three], _COPY)
    for step in range(2):
        at = NOW + timedelta(minutes=step)
        col = open_col(make_home(tmp_path), at)
        try:
            keys = sorted(e.key for e in col.history(at))
        finally:
            col.close(at)
        assert keys == ["tiny/one", "tiny/three:c1", "tiny/three:c2", "tiny/two"], (step, keys)
    folders = sorted(p.name for p in (tmp_path / "state" / "devices").iterdir())
    assert [f for f in folders if f.count("-c") > 1] == [], folders
