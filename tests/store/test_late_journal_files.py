"""A device's older month file that arrives (or finishes arriving) after a newer one was read.

Folder syncs (Syncthing) copy files in any order: another device's December
file can be read and compacted before its November file lands. Positions
compare by file name, so November's events used to be skipped for good.
"""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate, review_state

from retain.core.state import Event
from retain.store.state.journal import JournalWriter

FEB = NOW - timedelta(days=40)  # NOW is in March: a February file, then a March one


def _write(folder: Path, events: list[Event]) -> None:
    writer = JournalWriter(folder, fsync=False)
    writer.append_many(events)
    writer.close()


def _review(device: str, n: int, key: str, at: datetime) -> Event:
    return Event(f"{device}-{n}", "review", key, at, review_state(at, days=2), None, 3)


def _replayed_states(root: Path, at: datetime) -> dict[str, object]:
    """The states a replay of every journal from the start gives (the reference)."""
    copy = root.parent / f"{root.name}-replay"
    shutil.copytree(root, copy)
    for path in (copy / "state").glob("snapshots*"):
        path.unlink() if path.is_file() else shutil.rmtree(path)
    col = open_col(make_home(copy), at)
    try:
        return dict(col.states)
    finally:
        col.close(at)


def test_an_older_month_file_synced_after_a_newer_one_is_applied(tmp_path: Path) -> None:
    """The laptop's February review of tiny/two came in after its March file: it was never applied."""
    home = make_home(tmp_path)
    staging = tmp_path / "laptop-staging"
    feb = _review("laptop-1", 1, "tiny/two", FEB)
    mar = _review("laptop-1", 2, "tiny/one", NOW - timedelta(days=1))
    _write(staging, [feb, mar])
    folder = tmp_path / "state" / "devices" / "laptop-1"
    folder.mkdir(parents=True)
    (feb_file,) = staging.glob("journal-*-02.toml")
    (mar_file,) = staging.glob("journal-*-03.toml")
    shutil.copy2(staging / "device.toml", folder) if (staging / "device.toml").exists() else None
    shutil.copy2(mar_file, folder)  # March arrives first
    col = open_col(home, NOW)
    rate(col, "tiny/three:c1", NOW)
    assert "tiny/two" not in col.states
    col.close(NOW)  # compaction: positions now at the laptop's March file
    shutil.copy2(feb_file, folder)  # then February
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.states.get("tiny/two") == feb.after
        assert any("journal-2026-02.toml" in m and "applied" in m for m in col.messages), col.messages
    finally:
        col.close(later)
    col = open_col(home, later + timedelta(minutes=1))  # the compaction kept it, and says nothing again
    try:
        assert col.states.get("tiny/two") == feb.after
        assert col.messages == []
    finally:
        col.close(later + timedelta(minutes=1))
    col = open_col(home, later)
    try:
        assert _replayed_states(tmp_path, later) == dict(col.states)  # as a full replay gives
    finally:
        col.close(later)


def test_an_older_month_file_that_finishes_copying_late_gets_its_rest_applied(tmp_path: Path) -> None:
    """February was half-copied when March was read; its second review, copied later, was lost."""
    home = make_home(tmp_path)
    staging = tmp_path / "laptop-staging"
    first = _review("laptop-1", 1, "tiny/two", FEB)
    second = _review("laptop-1", 2, "tiny/one", FEB + timedelta(hours=1))
    mar = _review("laptop-1", 3, "tiny/three:c1", NOW - timedelta(days=1))
    _write(staging, [first, second, mar])
    folder = tmp_path / "state" / "devices" / "laptop-1"
    folder.mkdir(parents=True)
    (feb_file,) = staging.glob("journal-*-02.toml")
    (mar_file,) = staging.glob("journal-*-03.toml")
    data = feb_file.read_bytes()
    cut = data.index(b"\n", data.index(b'"tiny/two"')) + 1 + 20  # the first record and a bit of the second
    (folder / feb_file.name).write_bytes(data[:cut])
    shutil.copy2(mar_file, folder)
    col = open_col(home, NOW)
    assert col.states.get("tiny/two") == first.after and "tiny/one" not in col.states
    rate(col, "tiny/three:c2", NOW)
    col.close(NOW)
    (folder / feb_file.name).write_bytes(data)  # the copy completes
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.states.get("tiny/one") == second.after
        assert col.states.get("tiny/two") == first.after
    finally:
        col.close(later)


def test_own_month_rollover_in_a_session_never_replays_covered_events(tmp_path: Path) -> None:
    """This device's February file, appended to then left for March in one session, is not read
    again: a suspend in February undone in March stays undone."""
    home = make_home(tmp_path)
    col = open_col(home, FEB)
    rate(col, "tiny/one", FEB)
    col.close(FEB)
    col = open_col(home, FEB + timedelta(hours=1))
    rated = rate(col, "tiny/two", FEB + timedelta(hours=1))
    suspended = col.states["tiny/two"]
    from dataclasses import replace

    on = replace(suspended, suspended=True)
    col.record(Event(col.new_event_id(FEB), "suspend", "tiny/two", FEB + timedelta(hours=2), on, suspended))
    col.record(Event(col.new_event_id(NOW), "unsuspend", "tiny/two", NOW, suspended, on))
    col.close(NOW)
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert col.states["tiny/two"] == rated.after
        assert not col.states["tiny/two"].suspended
        assert col.messages == []
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_an_older_file_changed_in_place_is_not_called_a_late_sync(tmp_path: Path) -> None:
    """Bytes inserted into an older month file (damage, a bad merge) made it longer: it was
    reported as having "arrived after a later journal file (a sync out of order)"."""
    home = make_home(tmp_path)
    col = open_col(home, FEB)
    rate(col, "tiny/one", FEB)
    rate(col, "tiny/two", FEB + timedelta(minutes=1))
    col.close(FEB)
    col = open_col(home, NOW)
    rate(col, "tiny/three:c1", NOW)  # this device's March file: February is older now
    col.close(NOW)
    (folder,) = (tmp_path / "state" / "devices").iterdir()
    (feb,) = folder.glob("journal-*-02.toml")
    data = feb.read_bytes()
    cut = data.index(b'"tiny/two"')
    cut = data.rindex(b"\n", 0, cut) + 1
    feb.write_bytes(data[:cut] + b"garbage line\n" + data[cut:])
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert not any("sync" in m for m in col.messages), col.messages
        assert any(feb.name in m and "read from its start" in m for m in col.messages), col.messages
        assert col.states["tiny/two"].last_review is not None
    finally:
        col.close(later)


def _zero_record(path: Path, key: str) -> bytes:
    """The record of `key` replaced by zeros of its length (a sync tool writing the file in place
    has not reached it yet); the whole file's bytes are returned."""
    whole = path.read_bytes()
    start = whole.rindex(b"\n", 0, whole.index(f'u="{key}"'.encode())) + 1
    end = whole.index(b"\n", start)
    path.write_bytes(whole[:start] + b"\0" * (end - start) + whole[end:])
    return whole


@pytest.mark.parametrize("month", ["current", "older"])
def test_a_record_zeroed_by_a_sync_in_progress_is_applied_once_the_file_is_whole(
    tmp_path: Path, month: str
) -> None:
    """A sync tool writing another device's journal in place leaves zeros where a record goes; the
    compaction recorded a position past it, so once the file was whole that review never reached
    the card's state (the card stayed new, though the history had the review)."""
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    laptop = tmp_path / "state" / "devices" / "laptop"
    at = (FEB if month == "older" else NOW) - timedelta(hours=3)
    keys = ("tiny/one", "tiny/two", "tiny/three:c1")
    # (more records after the zeroed one than the history index checks at a file's end)
    rated = [*keys, *["tiny/three:c1"] * 8]
    _write(laptop, [_review("laptop", i, key, at + timedelta(minutes=i)) for i, key in enumerate(rated)])
    if month == "older":  # a later month of the laptop was read too: the file is behind the position
        _write(laptop, [_review("laptop", 9, "tiny/three:c2", NOW - timedelta(hours=1))])
    (journal, *_later) = sorted(laptop.glob("journal-*.toml"))
    whole = _zero_record(journal, "tiny/two")
    for step in range(2):  # said once, the review left out; still left out at the next start
        col = open_col(home, NOW + timedelta(minutes=step))
        try:
            assert "tiny/two" not in col.states and "tiny/three:c1" in col.states
            assert "tiny/two" not in {e.key for e in col.history(NOW)}  # the index read past it too
            assert ([m for m in col.messages if "damaged event" in m] != []) == (step == 0)
            assert [m for m in col.messages if "grew" in m] == []
        finally:
            col.close(NOW + timedelta(minutes=step))
    journal.write_bytes(whole)  # the sync finished writing the file
    for step in range(2):  # applied (and said) once; the manifest awaits it no more
        later = NOW + timedelta(hours=1, minutes=step)
        col = open_col(home, later)
        try:
            assert {k for k in keys if k in col.states} == set(keys)
            assert sorted(e.key for e in col.history(later) if e.key in keys) == sorted(rated)
            assert ([m for m in col.messages if "whole now" in m] != []) == (step == 0), col.messages
            if step:
                assert col.states == _replayed_states(tmp_path, later)  # as a full replay gives
        finally:
            col.close(later)
    assert "holes" not in (tmp_path / "state" / "snapshots.toml").read_text()


def test_a_review_here_is_not_undone_by_another_devices_event_read_again_after_a_damaged_record(
    tmp_path: Path,
) -> None:
    """The laptop (clock 10 minutes ahead) rated tiny/one after a record still damaged; this
    computer took that state and rated the card again. The next start reads the laptop's file on
    from the damaged record and applies its review again: dated after the rating made here, it is
    not history, and the card goes back to the laptop's state (this computer's review lost). Without
    the damaged record the position is past it, and the card keeps the rating made here, which
    is also what a replay of every journal gives (it was made from the laptop's state)."""
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    laptop = tmp_path / "state" / "devices" / "laptop"
    ahead = NOW + timedelta(minutes=10)
    _write(
        laptop,
        [
            _review("laptop", 0, "tiny/three:c1", NOW - timedelta(hours=2)),
            _review("laptop", 1, "tiny/two", NOW - timedelta(hours=1)),
            _review("laptop", 2, "tiny/one", ahead),
        ],
    )
    (journal,) = laptop.glob("journal-*.toml")
    _zero_record(journal, "tiny/two")  # a sync still writing it, or a crash's zeros that stay
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    try:
        assert col.states["tiny/one"].last_review == ahead  # the laptop's review, applied
        mine = rate(col, "tiny/one", at + timedelta(minutes=1))  # made from it
    finally:
        col.close(at + timedelta(minutes=1))
    later = at + timedelta(minutes=2)
    col = open_col(home, later)
    try:
        assert col.states["tiny/one"] == mine.after, "this computer's review of tiny/one was undone"
    finally:
        col.close(later)


def test_a_damaged_record_of_another_device_that_never_changes_is_not_said_at_every_start(
    tmp_path: Path,
) -> None:
    """Zeros in the middle of another device's journal that stay (that device crashed and went on
    appending after them: its own start quarantines them and moves on, the file is never
    rewritten) are now said again at every start, forever, and re-applied each time (the deck's
    snapshot rewritten at each close), though the file has not changed since the last start and
    no one on this computer can do anything about it."""
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    laptop = tmp_path / "state" / "devices" / "laptop"
    keys = ("tiny/three:c1", "tiny/two", "tiny/one")
    _write(laptop, [_review("laptop", i, k, NOW - timedelta(hours=3 - i)) for i, k in enumerate(keys)])
    (journal,) = laptop.glob("journal-*.toml")
    _zero_record(journal, "tiny/two")
    said = []
    for step in range(4):
        at = NOW + timedelta(minutes=step)
        col = open_col(home, at)
        try:
            said.append([m for m in col.messages if "damaged event" in m])
        finally:
            col.close(at)
    assert said[0] != []  # said once, when it arrived
    assert said[1:] == [[], [], []], said
