"""Collection: record/replay, crash without compaction, lock, damage, quarantine, backups, undo."""

from __future__ import annotations

import shutil
import tomllib
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate, review_state

from retain.core.state import Event
from retain.store.collection import CollectionError, ReadOnlyError
from retain.store.state.statecodec import encode_event


def test_fresh_home_opens_with_the_library_and_no_progress(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path))
    try:
        assert not col.read_only and col.messages == []
        assert set(KEYS) <= {u.key for u in col.units}
        assert col.states == {}
        assert {d.id for d in col.library.decks} >= {"tiny", "kafka"}
    finally:
        col.close()


def test_reviews_survive_close_and_reopen(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    e1 = rate(col, "tiny/one", NOW)
    e2 = rate(col, "tiny/two", NOW + timedelta(seconds=5), rating=4)
    col.close(NOW)
    assert (tmp_path / "state" / "snapshots" / "tiny.toml").is_file()
    again = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert again.states["tiny/one"] == e1.after and again.states["tiny/two"] == e2.after
        assert [e.id for e in again.history(NOW + timedelta(minutes=1))] == [e1.id, e2.id]
    finally:
        again.close()


def test_a_crash_before_compaction_loses_nothing(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    writer = open_col(home)
    events = [rate(writer, k, NOW + timedelta(seconds=i)) for i, k in enumerate(KEYS)]
    # no close: a second process reads the journal tail over the (absent) snapshots
    reader = open_col(home, NOW + timedelta(minutes=1), read_only=True)
    assert reader.read_only
    assert {k: reader.states[k] for k in KEYS} == {e.key: e.after for e in events}
    writer.close()


def test_second_writer_opens_read_only_and_cannot_record(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    first = open_col(home)
    second = open_col(home)
    try:
        assert not first.read_only and second.read_only
        assert "opened read-only" in second.messages[0] and "pid" in second.messages[0]
        with pytest.raises(ReadOnlyError, match="read-only"):
            rate(second, "tiny/one", NOW)
    finally:
        second.close()
        first.close()
    third = open_col(home)  # the lock was released
    assert not third.read_only
    third.close()


def test_damaged_snapshot_is_kept_and_rebuilt_from_the_journal(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    events = [rate(col, k, NOW + timedelta(seconds=i)) for i, k in enumerate(KEYS)]
    col.close(NOW)
    snap = tmp_path / "state" / "snapshots" / "tiny.toml"
    snap.write_text("format = 1\n[cards\n")
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert any(
            "damaged state file tiny.toml" in m and "rebuilt from the journal" in m for m in col.messages
        )
        assert {k: col.states[k] for k in KEYS} == {e.key: e.after for e in events}
        kept = list(snap.parent.glob("tiny.toml.damaged-*"))
        assert len(kept) == 1 and kept[0].read_text() == "format = 1\n[cards\n"
    finally:
        col.close(NOW + timedelta(minutes=1))
    assert "format = 1" in snap.read_text() and "tiny/one" in snap.read_text()


def test_damaged_snapshot_prefers_the_newest_good_backup(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    first = rate(col, "tiny/one", NOW)
    col.close(NOW)
    day2 = NOW + timedelta(days=1)
    col = open_col(home, day2)  # takes the daily backup of the day-1 snapshot
    second = rate(col, "tiny/one", day2)
    col.close(day2)
    assert (tmp_path / "state" / "backups" / day2.date().isoformat() / "tiny.toml").is_file()
    (tmp_path / "state" / "snapshots" / "tiny.toml").write_bytes(b"\xff\xfe not utf-8")
    col = open_col(home, day2 + timedelta(hours=1))
    try:
        assert any(f"backup of {day2.date().isoformat()}" in m for m in col.messages)
        assert col.states["tiny/one"] == second.after != first.after
    finally:
        col.close()


def test_quarantined_record_is_restored_from_the_journal(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    event = rate(col, "tiny/one", NOW)
    rate(col, "tiny/two", NOW)
    col.close(NOW)
    snap = tmp_path / "state" / "snapshots" / "tiny.toml"
    head, one, rest = snap.read_text().partition('[cards."tiny/one"]\n')
    assert one and "stability = 3.0\n" in rest
    snap.write_text(head + one + rest.replace("stability = 3.0\n", "stability = nan\n", 1))
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert any("invalid record" in m and "tiny/one" in m for m in col.messages)
        assert any("quarantine/" in m for m in col.messages)
        assert col.states["tiny/one"] == event.after
        assert list((tmp_path / "state" / "quarantine").glob("tiny.toml.*"))
    finally:
        col.close()


def test_hostile_journal_event_never_reaches_the_state(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    good = rate(col, "tiny/one", NOW)
    col.close(NOW)
    (path,) = journal_paths(tmp_path)
    bad = Event("x-1", "review", "tiny/one", NOW + timedelta(seconds=1), review_state(NOW), good.after, 3)
    block = encode_event(bad, offset=path.stat().st_size).replace(b"S=3.0,", b"S=-inf,", 1)
    body = block[: block.rindex(b'c="')]
    path.write_bytes(path.read_bytes() + body + b'c="%08x"}\n' % zlib.crc32(body))
    # remove the snapshot so the whole journal is replayed
    (tmp_path / "state" / "snapshots" / "tiny.toml").unlink()
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert col.states["tiny/one"] == good.after
        assert any("set aside" in m for m in col.messages)
        assert list((tmp_path / "state" / "quarantine").glob("journal-*"))
    finally:
        col.close()


def test_unknown_cards_keep_their_state_but_are_not_scheduled(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    ghost = rate(col, "gone-deck/old-card", NOW)
    col.close(NOW)
    col = open_col(home, NOW + timedelta(days=10))
    try:
        assert col.states["gone-deck/old-card"] == ghost.after
        assert "gone-deck" not in col.due_counts(NOW + timedelta(days=10))
    finally:
        col.close(NOW + timedelta(days=10))
    assert (tmp_path / "state" / "snapshots" / "gone-deck.toml").is_file()


def test_newer_state_format_is_refused_with_a_message(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    (tmp_path / "state" / "snapshots").mkdir(parents=True)
    (tmp_path / "state" / "snapshots" / "tiny.toml").write_text('format = 3\ndeck = "tiny"\n')
    with pytest.raises(CollectionError, match="newer retain"):
        open_col(home)
    with pytest.raises(CollectionError, match="newer retain"):
        open_col(home, read_only=True)  # a reader refuses too, rather than guess


def test_v0_snapshot_is_upgraded_at_compaction_and_backed_up(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    snaps = tmp_path / "state" / "snapshots"
    snaps.mkdir(parents=True)
    v0 = 'deck = "tiny"\n\n[cards."tiny/one"]\nstate = 2\nstability = 4.0\ndifficulty = 5.0\ndue = 2026-03-01T00:00:00Z\nreps = 3\n'
    (snaps / "tiny.toml").write_text(v0)
    col = open_col(home)
    assert col.states["tiny/one"].reps == 3
    col.close(NOW)
    assert (snaps / "tiny.toml").read_text().splitlines()[1] == "format = 1"
    assert (tmp_path / "state" / "backups" / NOW.date().isoformat() / "tiny.toml").read_text() == v0


def test_backups_are_daily_and_kept_fourteen_days(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    for day in range(20):
        at = NOW + timedelta(days=day)
        col = open_col(home, at)
        rate(col, "tiny/one", at)
        col.close(at)
    days = sorted(p.name for p in (tmp_path / "state" / "backups").iterdir())
    assert len(days) == 14 and days[-1] == (NOW + timedelta(days=19)).date().isoformat()


def test_leftover_temp_files_are_removed_by_the_next_writer(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    leftover = tmp_path / "state" / "snapshots" / ".tiny.toml.abc123.tmp"
    leftover.write_text("half")
    # a sync tool's downloads in progress are its own (Syncthing names them so): never removed
    syncing = [tmp_path / "state" / ".syncthing.snapshots.toml.tmp", tmp_path / "state" / ".partial.tmp"]
    for path in syncing:
        path.write_text("arriving")
    reader = open_col(home, read_only=True)
    assert leftover.exists()  # a reader writes nothing
    reader.close()
    open_col(home).close()
    assert not leftover.exists()
    assert all(path.read_text() == "arriving" for path in syncing)


def test_undo_reaches_back_across_a_restart(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    first = rate(col, "tiny/one", NOW)
    second = rate(col, "tiny/two", NOW + timedelta(seconds=3))
    col.close(NOW)
    col = open_col(home, NOW + timedelta(minutes=5))
    try:
        assert col.last_undoable() == second
        undo = Event(
            col.new_event_id(NOW),
            "undo",
            second.key,
            NOW + timedelta(minutes=5),
            None,
            second.after,
            undoes=second.id,
        )
        col.record(undo)
        assert "tiny/two" not in col.states
        assert col.last_undoable() == first
    finally:
        col.close()


def test_can_undo_follows_records_and_undos(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    assert not col.can_undo()
    first = rate(col, "tiny/one", NOW)
    assert col.can_undo()
    col.record(Event(col.new_event_id(NOW), "undo", first.key, NOW, None, first.after, undoes=first.id))
    assert not col.can_undo()  # the only rating was taken back
    col.close(NOW)
    rate_later = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert not rate_later.can_undo()
        rate(rate_later, "tiny/two", NOW + timedelta(minutes=1))
        assert rate_later.can_undo() and rate_later.last_undoable() is not None
    finally:
        rate_later.close()
    again = open_col(home, NOW + timedelta(minutes=2))
    try:
        assert again.can_undo()  # from before the restart, as `last_undoable` says
    finally:
        again.close()


def test_session_rates_through_the_store_and_undo_restores(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    session = col.start_session(["tiny"], NOW)
    unit = session.current
    assert unit is not None and unit.deck_id == "tiny"
    session.reveal()
    shown = session.previews(NOW)[3]
    event = session.rate(3, NOW + timedelta(seconds=2), 2000)
    assert col.states[unit.key] == event.after
    assert event.after is not None and event.after.stability == shown.stability
    assert col.history(NOW + timedelta(seconds=3))[-1].id == event.id
    session.undo(NOW + timedelta(seconds=4))
    assert unit.key not in col.states
    col.close(NOW)
    reopened = open_col(home, NOW + timedelta(minutes=1))
    assert unit.key not in reopened.states
    reopened.close()


def test_day_log_counts_todays_new_cards_after_a_restart(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    rate(col, "tiny/three:c1", NOW + timedelta(seconds=1))
    assert col.day_log(NOW).new_seen == {"tiny": 2}
    col.close(NOW)
    col = open_col(home, NOW + timedelta(hours=1))
    try:
        log = col.day_log(NOW + timedelta(hours=1))
        assert log.new_seen == {"tiny": 2} and "tiny/three" in log.notes_seen
        tomorrow = NOW + timedelta(days=1)
        assert col.day_log(tomorrow).new_seen == {}
    finally:
        col.close()


def test_record_validates_before_writing(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    try:
        bad = replace(review_state(NOW), stability=float("nan"))
        with pytest.raises(CollectionError, match=r"^stability is not a finite number$"):
            col.record(Event("x", "review", "tiny/one", NOW, bad, None, 3))
        with pytest.raises(CollectionError, match=r"^bad unit key"):
            col.record(Event("x", "review", "../evil", NOW, None, None, 3))
        assert journal_paths(tmp_path) == [] or all(
            b"tiny/one" not in p.read_bytes() for p in journal_paths(tmp_path)
        )
    finally:
        col.close()


def test_event_ids_are_unique_and_sortable(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path))
    try:
        ids = [col.new_event_id(NOW + timedelta(microseconds=i // 3)) for i in range(30)]
        assert len(set(ids)) == 30
        assert ids[0].startswith(str(col.device)) and NOW.tzinfo is UTC
    finally:
        col.close()


def test_a_deleted_snapshot_is_noticed_and_rebuilt_from_the_journal(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    event = rate(col, "tiny/one", NOW)
    rate(col, "gone-deck/x", NOW)
    col.close(NOW)
    later = NOW + timedelta(days=1)
    col = open_col(home, later)
    rate(col, "gone-deck/x", later)  # moves every snapshot's journal position past `event`
    col.close(later)
    (tmp_path / "state" / "snapshots" / "tiny.toml").unlink()
    col = open_col(home, later + timedelta(hours=1))
    try:
        assert any("snapshots/tiny.toml is missing" in m for m in col.messages)
        assert col.states["tiny/one"] == event.after
    finally:
        col.close(later + timedelta(hours=1))
    assert (tmp_path / "state" / "snapshots" / "tiny.toml").is_file()


def test_reload_library_picks_up_deck_edits_and_keeps_progress(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    try:
        event = rate(col, "tiny/one", NOW)
        deck = tmp_path / "decks" / "tiny.toml"
        deck.write_text(deck.read_text() + '\n[[cards]]\nid = "four"\nfront = "Four?"\nback = "4"\n')
        col.reload_library()
        assert "tiny/four" in col.units_by_key and col.states["tiny/one"] == event.after
    finally:
        col.close()


def test_a_synced_device_folder_is_merged_and_never_written(tmp_path: Path) -> None:
    from retain.store.state.journal import JournalWriter

    home = make_home(tmp_path)
    col = open_col(home)
    mine = rate(col, "tiny/one", NOW)
    col.close(NOW)
    other = tmp_path / "state" / "devices" / "laptop-1"
    writer = JournalWriter(other, fsync=False)
    theirs = Event("laptop-1-1", "review", "tiny/two", NOW + timedelta(minutes=1), review_state(NOW), None, 4)
    writer.append(theirs)
    writer.close()
    (path,) = other.glob("journal-*.toml")
    path.write_bytes(path.read_bytes() + b'99={i="laptop-1-2",u="tiny/')  # that machine is still syncing
    before = path.read_bytes()
    col = open_col(home, NOW + timedelta(minutes=5))
    try:
        assert col.states["tiny/one"] == mine.after and col.states["tiny/two"] == theirs.after
        assert col.messages == []
    finally:
        col.close(NOW + timedelta(minutes=5))
    assert path.read_bytes() == before  # another device's journal is only read
    snap = tomllib.loads((tmp_path / "state" / "snapshots" / "tiny.toml").read_text())
    assert "laptop-1" in snap["journal"]


def _synced_review(root: Path, device: str, key: str, at: datetime, days: float) -> Event:
    """Another device's review of `key` at `at`, its journal arriving by a folder sync."""
    from retain.store.state.journal import JournalWriter

    writer = JournalWriter(root / "state" / "devices" / device, fsync=False)
    event = Event(f"{device}-1", "review", key, at, review_state(at, days=days), None, 1)
    writer.append(event)
    writer.close()
    return event


@pytest.mark.parametrize("snapshots", [True, False])
def test_an_older_synced_review_never_overrides_a_newer_one_in_a_snapshot(
    tmp_path: Path, snapshots: bool
) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    mine = rate(col, "tiny/one", NOW, rating=4)  # this device, the newest review of the card
    col.close(NOW)  # compaction: the review is in the snapshot
    theirs = _synced_review(tmp_path, "laptop-1", "tiny/one", NOW - timedelta(hours=2), days=0.01)
    newer = _synced_review(tmp_path, "laptop-2", "tiny/two", NOW - timedelta(hours=2), days=0.01)
    if not snapshots:  # the same files replayed from the start: the reference
        for path in (tmp_path / "state").glob("snapshots*"):
            path.unlink() if path.is_file() else shutil.rmtree(path)
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.states["tiny/one"] == mine.after  # time orders events, not when each arrived
        assert col.states["tiny/two"] == newer.after
        assert len([e for e in col.history(later) if e.key == "tiny/one"]) == 2  # both kept in the history
    finally:
        col.close(later)
    assert theirs.time < mine.time
    col = open_col(home, later)  # and the compaction above kept it so
    try:
        assert col.states["tiny/one"] == mine.after
    finally:
        col.close(later)


def test_an_undo_is_never_dated_before_what_it_takes_back(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    ahead = NOW + timedelta(hours=3)  # the clock ran ahead for this rating, then was corrected
    col = open_col(home, ahead)
    session = col.start_session(["tiny"], ahead)
    assert session.current is not None
    key = session.current.key
    session.reveal()
    rated = session.rate(3, ahead)
    undo = session.undo(NOW)
    assert undo is not None and undo.time > rated.time  # after it, though the clock says before
    assert key not in col.states
    col.close(NOW)
    for path in (tmp_path / "state").glob("snapshots*"):  # a full replay, as another device does
        path.unlink() if path.is_file() else shutil.rmtree(path)
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert key not in col.states  # the rating stays taken back
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_compaction_rewrites_only_changed_decks_and_stays_correct(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    snaps = tmp_path / "state" / "snapshots"
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    rate(col, "gone-deck/x", NOW)
    col.close(NOW)
    untouched = (snaps / "gone-deck.toml").stat().st_ino
    t1 = NOW + timedelta(hours=1)
    col = open_col(home, t1)
    two = rate(col, "tiny/two", t1)
    col.close(t1)
    assert (snaps / "gone-deck.toml").stat().st_ino == untouched  # not rewritten
    old_manifest = (tmp_path / "state" / "snapshots.toml").read_text()
    t2 = NOW + timedelta(hours=2)
    col = open_col(home, t2)
    assert col.writer.dirty == set()  # nothing replayed: the manifest vouches for the clean deck
    ghost = rate(col, "gone-deck/x", t2)
    col.close(t2)
    # a crash after the snapshots but before the manifest: the old manifest is still there
    (tmp_path / "state" / "snapshots.toml").write_text(old_manifest)
    col = open_col(home, t2 + timedelta(minutes=1))
    try:
        assert col.states["gone-deck/x"] == ghost.after and col.states["tiny/two"] == two.after
    finally:
        col.close(t2 + timedelta(minutes=1))


def test_a_copy_of_a_device_folder_is_not_read_twice(tmp_path: Path) -> None:
    """`cp -r devices/<id> devices/<id>-backup` (a backup made in place): the copy's events carry
    the same ids, so reading it counted every review twice in the stats."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    rate(col, "tiny/two", NOW + timedelta(minutes=1))
    col.close(NOW + timedelta(minutes=1))
    (folder,) = (tmp_path / "state" / "devices").iterdir()
    shutil.copytree(folder, folder.with_name(folder.name + "-backup"))
    later = NOW + timedelta(minutes=5)
    col = open_col(home, later)
    try:
        assert col.progress(later) == (2, 1)  # was (4, 1)
        assert len(col.history(later)) == 2
        assert col.messages == [
            f"devices/{folder.name}-backup is a copy of device {folder.name}'s folder (its device.toml "
            f"says {folder.name}); it is not read, so no review is counted twice"
        ]
    finally:
        col.close(later)


def test_a_rating_after_the_clock_moved_back_keeps_its_effect_after_a_crash(tmp_path: Path) -> None:
    """This device's clock ran 3 hours ahead for a rating, then was set right and the card rated
    again: the second rating was made from the first one's state, so it comes after it (file
    order is write order), though its time is earlier; a crash before compaction must not undo it."""
    home = make_home(tmp_path)
    ahead = NOW + timedelta(hours=3)
    col = open_col(home, ahead)
    rate(col, "tiny/one", ahead)
    col.close(ahead)
    state = tmp_path / "state"
    kept = {p: p.read_bytes() for p in [*state.glob("snapshots/*.toml"), state / "snapshots.toml"]}
    col = open_col(home, NOW)
    second = rate(col, "tiny/one", NOW, rating=4)
    col.close(NOW)
    for path, data in kept.items():  # the crash: the compaction after the second rating never happened
        path.write_bytes(data)
    col = open_col(home, NOW + timedelta(minutes=1))
    try:
        assert col.states["tiny/one"] == second.after
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_undo_never_puts_back_a_state_that_a_later_reset_replaced(tmp_path: Path) -> None:
    """Rate, then reset the card's progress (the browser's `r`): undo took back the rating by
    restoring its `before`, so the reset vanished and an older state came back. (Undo now takes
    back the reset itself first; a move, which undo leaves, still stands in its way.)"""
    from retain.core.session import record_undo
    from retain.store.state.progress_edits import move_progress, reset_progress

    home = make_home(tmp_path)
    col = open_col(home)
    try:
        rate(col, "tiny/one", NOW)
        rate(col, "tiny/one", NOW + timedelta(minutes=1))
        held = col.states["tiny/one"]
        reset_progress(col, ["tiny/one"], NOW + timedelta(minutes=2))
        assert "tiny/one" not in col.states
        undone = record_undo(col, col.states, NOW + timedelta(minutes=2, seconds=30))
        assert undone is not None and undone[0].kind == "reset"  # the reset, not the rating under it
        assert col.states["tiny/one"] == held
        move_progress(col, {"tiny/one": "tiny/moved"}, NOW + timedelta(minutes=2, seconds=40))
        assert record_undo(col, col.states, NOW + timedelta(minutes=3)) is None  # nothing safe to undo
        assert "tiny/one" not in col.states
        rate(col, "tiny/two", NOW + timedelta(minutes=4))  # a later rating of another card: undoable
        undone = record_undo(col, col.states, NOW + timedelta(minutes=5))
        assert undone is not None and undone[0].key == "tiny/two" and "tiny/two" not in col.states
    finally:
        col.close(NOW + timedelta(minutes=5))


def test_a_light_open_counts_from_unit_keys_as_a_full_one_does(tmp_path: Path) -> None:
    """`retain due` opens without card texts and counts from the units' keys, never building the
    units: the counts and the cards per deck are those of a full open, whose units agree."""
    home = make_home(tmp_path)
    col = open_col(home)
    for i, key in enumerate(KEYS[:3]):
        rate(col, key, NOW - timedelta(days=5 - i), rating=1 + i)
    col.close()
    later = NOW + timedelta(days=2)
    full = open_col(home, later, read_only=True)
    for _ in range(2):  # the deck cache's miss, then its hit
        light = open_col(home, later, read_only=True, cards=False)
        assert light.due_counts(later) == full.due_counts(later)
        assert light.cards_per_deck() == full.cards_per_deck()
        assert light.unit_keys() == [(u.deck_id, u.key) for u in full.units]
        assert [u.key for u in light.units] == [u.key for u in full.units]
        light.close()
    full.close()
