"""`import --with-history` onto a computer that has its own progress for the same cards: every
event is kept once, and each card ends in the state a replay of all events in time order gives."""

from __future__ import annotations

import shutil
import tomllib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import CardState, Event, EventKind
from retain.interop import progress_io
from retain.interop.bundle import Review
from retain.store.collection import Collection
from retain.store.home import Home, open_home
from retain.store.state.statecodec import canonical_state

from .conftest import run_cli

NOW = datetime.now(UTC).replace(microsecond=0)
DECK = 'format = 1\n[deck]\nid = "t"\nname = "T"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(3)
)


def _home(root: Path) -> Home:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "t.toml").write_text(DECK)
    return open_home({"RETAIN_HOME": str(root)})


def _chain(key: str, days_ago: Sequence[float]) -> list[Review]:
    """A card's ratings ("good"), each made from the one before, `days_ago` oldest first."""
    out: list[Review] = []
    before: CardState | None = None
    for d in days_ago:
        at = NOW - timedelta(days=d)
        after = Scheduler(StudySettings()).preview(key, before, at)[3]
        out.append(Review(key, at, after, before, "review", 3, 900))
        before = after
    return out


def _record(
    home: Home, reviews: Sequence[Review], changes: Sequence[tuple[EventKind, str, float]] = ()
) -> None:
    """Record `reviews` here, as ratings made on this computer, then `changes` (kind, key, days
    ago): a reset sends the card back to new, a suspend suspends it."""
    coll = Collection.open(home, NOW)
    for r in reviews:
        coll.record(Event(coll.new_event_id(r.time), r.kind, r.key, r.time, r.after, r.before, r.rating, 900))
    for kind, key, days in changes:
        at, before = NOW - timedelta(days=days), coll.states.get(key)
        after = replace(before, suspended=True) if kind == "suspend" and before is not None else None
        coll.record(Event(coll.new_event_id(at), kind, key, at, after, before))
    coll.close(NOW)


def _history(home: Home, key: str) -> list[datetime]:
    return sorted(r.time for r in progress_io.deck_progress(home, "t", NOW)[1] if r.key == key)


def _after(review: Review) -> CardState:
    """The state `review` left, as the journal gives it back (floats rounded)."""
    assert review.after is not None
    return canonical_state(review.after)


def _replayed_alike(home: Home) -> None:
    """The states and the history now are what a start from the journals alone gives (the
    snapshots and the index deleted): the import's own folder merges by time on replay too."""
    states, history = progress_io.deck_progress(home, "t", NOW)
    shutil.rmtree(home.paths.state_dir / "snapshots")
    (home.paths.state_dir / "snapshots.toml").unlink()
    shutil.rmtree(home.paths.cache_dir, ignore_errors=True)
    again, history_again = progress_io.deck_progress(home, "t", NOW)
    assert again == states
    assert sorted(history_again, key=lambda r: (r.time, r.key)) == sorted(
        history, key=lambda r: (r.time, r.key)
    )


def test_newer_reviews_from_the_other_computer_reach_a_card_with_older_progress_here(tmp_path: Path) -> None:
    """Here t/c0 was rated seven days ago; there ten and five days ago. In time order the one five
    days ago is the last: the card takes its state, and all three reviews stay (the two imported
    ones used to be dropped: "1 card(s) already had progress here and kept it")."""
    b = _home(tmp_path / "b")
    ours = _chain("t/c0", [7])
    _record(b, ours)
    theirs = _chain("t/c0", [10, 5])
    got = progress_io.record_history(b, theirs, NOW)
    assert (got.recorded, got.kept) == (2, 0)
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c0"].last_review == theirs[-1].time
    assert _history(b, "t/c0") == sorted(r.time for r in ours + theirs)
    again = progress_io.record_history(b, theirs, NOW)  # importing twice adds nothing
    assert (again.recorded, again.kept) == (0, 1)
    assert len(_history(b, "t/c0")) == 3


def test_a_card_with_newer_progress_here_keeps_it(tmp_path: Path) -> None:
    """Here t/c0 was rated two days ago, after every rating there: it keeps its state, and the
    other computer's older reviews are its history (they used to be left out of it)."""
    b = _home(tmp_path / "b")
    ours = _chain("t/c0", [2])
    _record(b, ours)
    theirs = _chain("t/c0", [10, 5])
    got = progress_io.record_history(b, theirs, NOW)
    assert (got.recorded, got.kept) == (2, 1)
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c0"] == _after(ours[-1])
    assert _history(b, "t/c0") == sorted(r.time for r in ours + theirs)
    _replayed_alike(b)
    again = progress_io.record_history(b, theirs, NOW)  # importing twice adds nothing
    assert (again.recorded, again.kept) == (0, 1)


def test_interleaved_histories_end_in_the_newest_state_and_keep_every_review(tmp_path: Path) -> None:
    """Reviews here eight and four days ago, there nine, six and one: every review is kept, the
    card takes the newest (one day ago, there); and with the newest here, it keeps its own."""
    b = _home(tmp_path / "b")
    ours, theirs = _chain("t/c0", [8, 4]), _chain("t/c0", [9, 6, 1])
    _record(b, ours)
    assert progress_io.record_history(b, theirs, NOW).recorded == 3
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c0"] == _after(theirs[-1])
    assert _history(b, "t/c0") == sorted(r.time for r in ours + theirs)
    _replayed_alike(b)
    ours, theirs = _chain("t/c1", [8, 1]), _chain("t/c1", [9, 6, 4])
    _record(b, ours)
    assert progress_io.record_history(b, theirs, NOW).kept == 1
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c1"] == _after(ours[-1])
    assert _history(b, "t/c1") == sorted(r.time for r in ours + theirs)
    _replayed_alike(b)


def test_a_card_reset_here_after_the_imported_reviews_stays_new(tmp_path: Path) -> None:
    """Here t/c1 was rated, then reset after the last rating there: in time order the reset is the
    last event. The card used to take the imported state, as a card with no progress here."""
    b = _home(tmp_path / "b")
    _record(b, _chain("t/c1", [6]), [("reset", "t/c1", 2)])
    got = progress_io.record_history(b, _chain("t/c1", [9, 4]), NOW)
    assert got.recorded == 2  # history: the stats and the optimizer count them
    assert "t/c1" not in progress_io.deck_progress(b, "t", NOW)[0]
    assert len(_history(b, "t/c1")) == 4
    _replayed_alike(b)


def test_a_card_suspended_here_after_the_imported_reviews_stays_suspended(tmp_path: Path) -> None:
    b = _home(tmp_path / "b")
    _record(b, _chain("t/c1", [12]), [("suspend", "t/c1", 2)])
    got = progress_io.record_history(b, _chain("t/c1", [9, 4]), NOW)
    assert (got.recorded, got.kept) == (2, 1)
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c1"].suspended
    _replayed_alike(b)


def test_the_rest_of_a_history_imported_before_is_added(tmp_path: Path) -> None:
    """This computer imported the other's history, then reviewed the card; the other reviewed it
    again since. Only the new review is recorded, and it is the card's state."""
    b = _home(tmp_path / "b")
    first = _chain("t/c2", [20, 15])
    progress_io.record_history(b, first, NOW)
    _record(b, _chain("t/c2", [12]))
    later = first + _chain("t/c2", [3])
    got = progress_io.record_history(b, later, NOW)
    assert got.recorded == 1
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c2"].last_review == later[-1].time
    assert len(_history(b, "t/c2")) == 4


def test_dry_run_says_what_the_real_run_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Both computers, through the CLI: A's export imported on B, which rated one card between
    A's two ratings of it. The dry run's history line is the real run's, in the conditional."""
    a, b = _home(tmp_path / "a"), _home(tmp_path / "b")
    _record(a, _chain("t/c0", [10, 5]) + _chain("t/c2", [3]))
    _record(b, _chain("t/c0", [7]) + _chain("t/c1", [1]))
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "a"))
    assert run_cli(capsys, "export", "t", "-o", str(tmp_path / "t.toml"), "--with-progress")[0] == 0
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "b"))
    _, dry, _ = run_cli(capsys, "import", str(tmp_path / "t.toml"), "--with-history", "--dry-run")
    code, real, _ = run_cli(capsys, "import", str(tmp_path / "t.toml"), "--with-history")
    assert code == 0
    would = [line for line in dry.splitlines() if "review history" in line]
    did = [line for line in real.splitlines() if "review history" in line]
    assert would == ["would record 3 event(s) of review history"]
    assert did == ["recorded 3 event(s) of review history"]


def test_a_cram_rating_here_does_not_block_a_newer_review_from_the_other_computer(tmp_path: Path) -> None:
    """Here t/c0 was rated 7 days ago and crammed 1 day ago (a cram leaves the state); there it
    was rated 5 days ago. In time order the card's state is the review 5 days ago, but the cram
    counted as the newest event here and the import kept the older state and dropped the review
    (found by the review)."""
    b = _home(tmp_path / "b")
    ours = _chain("t/c0", [7])
    _record(b, ours)
    from retain.store.collection import Collection

    coll = Collection.open(b, NOW)
    at = NOW - timedelta(days=1)
    st = coll.states["t/c0"]
    coll.record(Event(coll.new_event_id(at), "cram", "t/c0", at, st, st, 3, 900))
    coll.close(NOW)
    theirs = _chain("t/c0", [5])
    got = progress_io.record_history(b, theirs, NOW)
    assert got.recorded == 1, got
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c0"].last_review == theirs[-1].time


def test_an_imported_history_has_a_device_folder_of_its_own(tmp_path: Path) -> None:
    """The history goes into `devices/import-<date>-<hex>/`, never this computer's journal; the
    folder names the device that made it and has no host key (no computer takes it for its own),
    and the manifest holds its position (a restart does not read it again)."""
    b = _home(tmp_path / "b")
    _record(b, _chain("t/c0", [2]))
    coll = Collection.open(b, NOW)
    own = coll.device
    coll.close(NOW)
    own_journals = {p: p.read_bytes() for p in (b.paths.state_dir / "devices" / str(own)).glob("journal-*")}
    progress_io.record_history(b, _chain("t/c1", [9, 4]), NOW)
    folders = sorted(p.name for p in (b.paths.state_dir / "devices").iterdir())
    assert len(folders) == 2 and own in folders
    (imported,) = [f for f in folders if f != own]
    assert imported.startswith(f"import-{NOW:%Y%m%d}-")
    device = tomllib.loads((b.paths.state_dir / "devices" / imported / "device.toml").read_text())
    assert device["id"] == imported and device["imported_by"] == own and "host_key" not in device
    assert {p: p.read_bytes() for p in own_journals} == own_journals  # nothing added to this journal
    manifest = tomllib.loads((b.paths.state_dir / "snapshots.toml").read_text())
    assert manifest["journal"][imported]["offset"] > 0
    coll = Collection.open(b, NOW)
    try:
        assert coll.device == own  # the import's folder is never taken for this computer's
    finally:
        coll.close(NOW)
    assert progress_io.record_history(b, _chain("t/c1", [9, 4]), NOW).recorded == 0
    assert len(list((b.paths.state_dir / "devices").iterdir())) == 2  # nothing recorded: no folder


def test_undo_after_an_import_takes_back_this_computers_rating_not_an_imported_one(tmp_path: Path) -> None:
    """The other computer's review a minute ago, imported here after a rating here an hour ago:
    undo took back the imported review (the newest of this device's journal)."""
    b = _home(tmp_path / "b")
    ours = _chain("t/c0", [1 / 24])
    _record(b, ours)
    progress_io.record_history(b, _chain("t/c1", [1 / 1440]), NOW)
    coll = Collection.open(b, NOW)
    try:
        target = coll.last_undoable(NOW)
        assert target is not None and target.key == "t/c0"
    finally:
        coll.close(NOW)


def test_a_suspend_here_after_an_imported_review_dated_ahead_survives_a_replay(tmp_path: Path) -> None:
    """The other computer's clock ran two hours ahead: its review of t/c0 is dated two hours after
    this clock (kept). Suspended here right after the import, the card stayed suspended live, but a
    replay of the journals alone sorted the imported review after the suspend, which was lost: an
    event made from a state dated after it now follows that state's event (found by the review)."""
    b = _home(tmp_path / "b")
    _record(b, _chain("t/c0", [5]))
    got = progress_io.record_history(b, _chain("t/c0", [3, -2 / 24]), NOW)
    assert got.recorded == 2 and got.ahead == 1
    coll = Collection.open(b, NOW)
    st = coll.states["t/c0"]
    coll.record(Event(coll.new_event_id(NOW), "suspend", "t/c0", NOW, replace(st, suspended=True), st))
    coll.close(NOW)
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c0"].suspended
    _replayed_alike(b)


def test_an_import_folder_is_never_taken_for_this_computers_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`find_device`'s fallback (the one folder whose device.toml is damaged and whose journals name
    it) counted import folders: a power cut zeroing this computer's and the import's device.toml
    made a new device, and a computer without a folder took a damaged import folder for its own
    (found by the review)."""
    from retain.store.state import device as device_mod

    a = _home(tmp_path / "a")
    _record(a, _chain("t/c0", [6]))
    progress_io.record_history(a, _chain("t/c1", [9, 4]), NOW)
    devices = a.paths.state_dir / "devices"
    (own,) = [p.name for p in devices.iterdir() if not p.name.startswith("import-")]
    for folder in devices.iterdir():  # a power cut zeroed the files written in that session
        (folder / "device.toml").write_bytes(b"\0" * 64)
    coll = Collection.open(a, NOW)
    try:
        assert coll.device == own  # repaired
    finally:
        coll.close(NOW)
    b = _home(tmp_path / "b")
    _record(b, _chain("t/c0", [6]))
    progress_io.record_history(b, _chain("t/c1", [9, 4]), NOW)
    (imported,) = [p for p in (b.paths.state_dir / "devices").iterdir() if p.name.startswith("import-")]
    (imported / "device.toml").write_bytes(b"\0" * 64)  # zeroed, then synced to another computer
    monkeypatch.setattr(device_mod, "host_key", lambda: "b0b0b0b0b0b0b0b0b0b0")
    coll = Collection.open(b, NOW)
    try:
        assert coll.device is not None and not coll.device.startswith("import-"), coll.device
    finally:
        coll.close(NOW)


def test_undo_of_a_rating_made_before_older_history_came_in_puts_that_history_back(tmp_path: Path) -> None:
    """Here t/c0 was rated (new) an hour ago; then history from the other computer came in, ten
    and five days old: the card keeps the rating. Undoing it gives the state the imported
    history leaves, as it would had the history come first, never a new card (h35)."""
    from retain.core.session import record_undo_action

    b = _home(tmp_path / "b")
    ours = _chain("t/c0", [1 / 24])
    _record(b, ours)
    theirs = _chain("t/c0", [10, 5])
    got = progress_io.record_history(b, theirs, NOW)
    assert (got.recorded, got.kept) == (2, 1)
    coll = Collection.open(b, NOW)
    try:
        done = record_undo_action(coll, coll.states, NOW)
        assert done is not None
        assert [e.key for e in done[0]] == ["t/c0"]
        assert coll.states.get("t/c0") == _after(theirs[-1])
    finally:
        coll.close(NOW)
    assert progress_io.deck_progress(b, "t", NOW)[0]["t/c0"] == _after(theirs[-1])
    _replayed_alike(b)


def test_undo_with_no_history_from_elsewhere_puts_back_the_state_before(tmp_path: Path) -> None:
    """The usual case: the card's events are all this computer's, and undo puts back the state the
    rating was made from (`Event.before`), the card new again for its first rating."""
    from retain.core.session import record_undo_action

    b = _home(tmp_path / "b")
    _record(b, _chain("t/c0", [3, 1 / 24]))
    _record(b, _chain("t/c1", [1 / 24]))
    coll = Collection.open(b, NOW)
    try:
        done = record_undo_action(coll, coll.states, NOW)
        assert done is not None and done[0][0].key == "t/c1"
        assert "t/c1" not in coll.states or coll.states["t/c1"] is None
    finally:
        coll.close(NOW)
    _replayed_alike(b)
