"""Attacks on the review history (h15): a renamed device folder, study days of odd zones.

Undo and its refusal must agree on which events are this device's (the folder it writes in,
as `History.last_undoable_action` reads them), also after `mv devices/<id> devices/laptop`,
which keeps the old id in every older event's id. A study day is the same whatever moments
were asked about before (`StudyDay.of` caches by quarter hour) and in the index (`derive`).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import NOW, make_home, open_col, rate, review_state

from retain.core.state import Event
from retain.core.studyday import StudyDay
from retain.store.home import Home
from retain.store.index.derive import derive
from retain.store.state.journal import JournalWriter
from retain.store.state.recordfast import IndexCols


def _rename_own_folder(root: Path, name: str = "laptop") -> None:
    devices = root / "state" / "devices"
    (folder,) = [p for p in devices.iterdir() if p.is_dir()]
    folder.rename(devices / name)


def _other_device_review(root: Path, key: str, at: datetime) -> Event:
    """Another device's review of `key` at `at`, synced into this home's devices folder."""
    event = Event("desk-2-1", "review", key, at, review_state(at, days=5), None, 3)
    writer = JournalWriter(root / "state" / "devices" / "desk-2", fsync=False)
    writer.append_many([event])
    writer.close()
    return event


def _rated_then_renamed(root: Path) -> Home:
    """A home whose device rated tiny/one at NOW, then had its folder renamed (`mv devices/<id> devices/laptop`)."""
    home = make_home(root)
    col = open_col(home, NOW)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    _rename_own_folder(root)
    return home


def test_a_renamed_folder_has_no_refusal_while_undo_has_a_target(tmp_path: Path) -> None:
    """After `mv devices/<id> devices/laptop`, a rating made before the move is undoable (the
    folder is this device's) but `undo_refusal` took its id's old device part for another
    device's and said "Cannot undo Good on tiny/one: undo reaches back 2 days"."""
    home = _rated_then_renamed(tmp_path)
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    try:
        assert col.device == "laptop"
        target = col.last_undoable(at)
        assert target is not None and target.key == "tiny/one"
        assert col.undo_refusal(at) is None
    finally:
        col.close(at)


def test_a_renamed_folder_says_why_another_devices_review_stops_undo(tmp_path: Path) -> None:
    """The same, once another device reviewed the card later: undo has nothing, and the refusal
    must say why (it said nothing: the rating was not taken for this device's)."""
    home = _rated_then_renamed(tmp_path)
    _other_device_review(tmp_path, "tiny/one", NOW + timedelta(minutes=2))
    at = NOW + timedelta(minutes=3)
    col = open_col(home, at)
    try:
        assert col.last_undoable(at) is None
        assert col.undo_refusal(at) == "Cannot undo Good on tiny/one: another device reviewed the card since"
    finally:
        col.close(at)


def test_a_renamed_folders_own_later_move_is_named_as_its_own(tmp_path: Path) -> None:
    """A rating before the folder was renamed, then this device moved the card's progress: the
    refusal says so (it said nothing: the rating was not taken for this device's)."""
    from retain.store.state.progress_edits import move_progress

    home = _rated_then_renamed(tmp_path)
    at = NOW + timedelta(minutes=1)
    col = open_col(home, at)
    try:
        assert move_progress(col, {"tiny/one": "tiny/two"}, at)
        later = at + timedelta(seconds=1)
        assert col.last_undoable(later) is None
        assert (
            col.undo_refusal(later) == "Cannot undo Good on tiny/one: its progress was reset or moved since"
        )
    finally:
        col.close(at + timedelta(minutes=1))


# -- study days of zones whose offset is no whole quarter hour --------------------------------

_ODD = timezone(timedelta(minutes=7, seconds=30))  # a POSIX TZ such as "LMT-0:07:30"


def _exact(moment: datetime, hour: int, tz: timezone) -> date:
    local = moment.astimezone(tz)
    return local.date() - timedelta(days=1) if local.hour < hour else local.date()


@given(
    offsets=st.lists(st.integers(-3600, 3600), min_size=1, max_size=8),
    seconds=st.integers(1, 89_999),
    hour=st.integers(0, 23),
)
@settings(max_examples=200, deadline=None)
def test_a_study_day_never_depends_on_what_was_asked_before(
    offsets: list[int], seconds: int, hour: int
) -> None:
    """`StudyDay.of` caches per quarter hour of UTC; in a zone whose offset has seconds (a POSIX
    TZ like "LMT-0:07:30") a study day starts inside a quarter hour, and the day of a moment
    was the day of whatever moment of its quarter hour was asked first."""
    tz = timezone(timedelta(seconds=seconds * (1 if seconds % 2 else -1) // 3))
    day = StudyDay(hour, tz)
    start = day.start_of(date(2026, 3, 1))
    for off in offsets:  # asked in any order, around the start of the day
        moment = start + timedelta(seconds=off)
        assert day.of(moment) == _exact(moment, hour, tz), (moment, tz)


def test_the_index_dates_records_by_the_exact_study_day(tmp_path: Path) -> None:
    """`derive` gives each record the study day and local hour of its quarter hour's start: two
    ratings 30 s apart across an odd zone's rollover were both dated the day before."""
    day = StudyDay(4, _ODD)
    start = day.start_of(date(2026, 3, 1))  # 03:52:30 UTC
    times = [start - timedelta(seconds=30), start + timedelta(seconds=30)]
    cols = IndexCols.empty()
    for n, t in enumerate(times):
        cols.t.append((t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1))
        cols.kind.append(0)
        cols.key.append("tiny/one")
        cols.bstate.append(None)
        cols.blast.append(None)
        cols.bdue.append(None)
        cols.rating.append(3)
        cols.ms.append(1000)
        cols.offsets.append(n)
    derived = derive(cols, day)
    assert [date.fromordinal(d) for d in derived.days] == [date(2026, 2, 28), date(2026, 3, 1)]
    assert derived.hours == [t.astimezone(_ODD).hour for t in times]
