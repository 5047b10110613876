"""The launch summary: same figures as the collection, and a miss whenever an input file changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.state import LEARNING, REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import Home, open_home
from retain.store.index.homesummary import LaunchHome, load_progress, load_summary, summary_path

EXTRA = """format = 1

[deck]
id = "extra"
name = "Extra"

[[cards]]
id = "a"
front = "A?"
back = "a"
"""


def _set(col: Collection, key: str, after: CardState, at: datetime, kind: str = "review") -> None:
    event = Event(col.new_event_id(at), kind, key, at, after, col.states.get(key), 3, 1000)  # type: ignore[arg-type]
    col.record(event)


def _studied_home(root: Path) -> Home:
    """A home with progress of every kind, closed with its summary saved."""
    home = make_home(root)
    (root / "config.toml").write_text("[study]\nnew_per_day = 3\n", encoding="utf-8")
    (root / "decks" / "broken.toml").write_text("format = 1\n[deck\n", encoding="utf-8")
    home = open_home({"RETAIN_HOME": str(root)})
    col = open_col(home)
    rate(col, "tiny/one", NOW - timedelta(hours=1))  # new today: review due in 3 days
    early = NOW - timedelta(days=5)
    _set(col, "tiny/two", CardState(state=LEARNING, step=0, due=NOW + timedelta(minutes=5)), early)
    _set(
        col,
        "tiny/three:c1",
        CardState(state=REVIEW, stability=2, difficulty=5, due=NOW - timedelta(days=1)),
        early,
    )
    _set(
        col,
        "tiny/three:c2",
        CardState(state=REVIEW, stability=2, difficulty=5, due=NOW - timedelta(days=1), suspended=True),
        early,
        "suspend",
    )
    buried = (NOW.date() + timedelta(days=1)).isoformat()
    _set(col, "kubernetes/" + _first_key(col, "kubernetes"), CardState(buried_until=buried), early, "bury")
    col.close(NOW, save_summary=True)
    return home


def _first_key(col: Collection, deck: str) -> str:
    return next(u.key for u in col.units if u.deck_id == deck).partition("/")[2]


def _figures(home: Home, at: datetime) -> LaunchHome:
    col = Collection.open(home, at, tz=UTC, read_only=True)
    try:
        from collections import Counter

        return LaunchHome(
            [d for d in col.library.decks],  # type: ignore[misc]
            col.due_counts(at),
            dict(Counter(u.deck_id for u in col.units)),
            col.library.broken,
        )
    finally:
        col.close()


@pytest.mark.parametrize(
    "later",
    [timedelta(0), timedelta(minutes=10), timedelta(hours=20), timedelta(days=1), timedelta(days=4)],
)
def test_summary_counts_equal_the_collections(tmp_path: Path, later: timedelta) -> None:
    home = _studied_home(tmp_path)
    at = NOW + later
    summary = load_summary(home, at, UTC)
    assert summary is not None
    expected = _figures(home, at)
    assert summary.counts == expected.counts
    assert summary.cards == expected.cards
    assert [(d.id, d.name, d.group) for d in summary.decks] == [
        (d.id, d.name, d.group) for d in expected.decks
    ]
    assert [(e.path, e.error) for e in summary.broken] == [(e.path, e.error) for e in expected.broken]


def test_same_day_summary_keeps_the_day_log(tmp_path: Path) -> None:
    home = _studied_home(tmp_path)
    summary = load_summary(home, NOW, UTC)
    assert summary is not None
    # One new card was rated today with new_per_day = 3: two more new notes may be shown.
    # "three" has c1 in review and c2 suspended: not new; "two:reverse" waits for its sibling's
    # learning step due later today, as a session holds it back
    assert summary.counts["tiny"].new == 0
    col = Collection.open(home, NOW, tz=UTC, read_only=True)
    try:
        assert col.start_session(["tiny"], NOW).counts(NOW).new == 0
    finally:
        col.close()
    assert summary.counts["kubernetes"].new == 3
    assert summary.counts["tiny"].learning == 1  # due in 5 minutes: within the learn-ahead, as a session
    assert summary.counts["tiny"].review == 1
    assert load_summary(home, NOW + timedelta(minutes=10), UTC).counts["tiny"].learning == 1  # type: ignore[union-attr]


def _edit_deck(root: Path) -> None:
    path = root / "decks" / "tiny.toml"
    path.write_text(
        path.read_text("utf-8") + '\n[[cards]]\nid = "four"\nfront = "Four?"\nback = "4"\n', "utf-8"
    )


def _add_deck(root: Path) -> None:
    (root / "decks" / "extra.toml").write_text(EXTRA, encoding="utf-8")


def _remove_deck(root: Path) -> None:
    (root / "decks" / "broken.toml").unlink()


def _review_elsewhere(root: Path) -> None:
    col = open_col(open_home({"RETAIN_HOME": str(root)}), NOW + timedelta(minutes=1))
    rate(col, KEYS[1], NOW + timedelta(minutes=1))
    col.close(NOW + timedelta(minutes=1))  # e.g. `retain review` killed or an old version: no summary


def _touch_snapshot(root: Path) -> None:
    snap = next((root / "state" / "snapshots").glob("*.toml"))
    snap.write_bytes(snap.read_bytes())


def _synced_journal(root: Path) -> None:
    folder = root / "state" / "devices" / "laptop-0123456789abcdef"
    folder.mkdir(parents=True)
    (folder / "journal-2026-03.toml").write_text("format = 1\n", encoding="utf-8")


@pytest.mark.parametrize(
    "change", [_edit_deck, _add_deck, _remove_deck, _review_elsewhere, _touch_snapshot, _synced_journal]
)
def test_any_changed_input_is_a_miss(tmp_path: Path, change: object) -> None:
    home = _studied_home(tmp_path)
    assert load_summary(home, NOW, UTC) is not None
    change(tmp_path)  # type: ignore[operator]
    assert load_summary(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, UTC) is None


@pytest.mark.parametrize("blob", [b"", b"garbage", b"\xe3" * 100])
def test_damaged_summary_is_a_miss(tmp_path: Path, blob: bytes) -> None:
    home = _studied_home(tmp_path)
    path = summary_path(home.paths.cache_dir)
    path.write_bytes(blob or path.read_bytes()[:100])
    assert load_summary(home, NOW, UTC) is None


def test_truncated_summary_is_a_miss(tmp_path: Path) -> None:
    home = _studied_home(tmp_path)
    path = summary_path(home.paths.cache_dir)
    path.write_bytes(path.read_bytes()[:-10])
    assert load_summary(home, NOW, UTC) is None


def test_clock_moved_back_is_a_miss(tmp_path: Path) -> None:
    home = _studied_home(tmp_path)
    assert load_summary(home, NOW - timedelta(days=2), UTC) is None


def test_not_saved_when_a_deck_changed_during_the_session(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    _edit_deck(tmp_path)  # the library in memory is now behind the file
    col.close(NOW, save_summary=True)
    assert not summary_path(home.paths.cache_dir).exists()


def test_not_saved_when_another_device_wrote_during_the_session(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home)
    _synced_journal(tmp_path)  # a sync tool brought another device's reviews: not in memory
    col.close(NOW, save_summary=True)
    assert not summary_path(home.paths.cache_dir).exists()


def test_not_saved_by_a_reader_or_without_asking(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    assert not summary_path(home.paths.cache_dir).exists()
    writer = open_col(home)
    reader = open_col(home)  # the lock is taken: read-only
    assert reader.read_only
    reader.close(NOW, save_summary=True)
    assert not summary_path(home.paths.cache_dir).exists()
    writer.close(NOW, save_summary=True)
    assert load_summary(home, NOW, UTC) is not None


def _full_progress(home: Home, at: datetime) -> tuple[int, int]:
    from retain.core.stats import today_progress

    col = Collection.open(home, at, tz=UTC, read_only=True)
    try:
        return today_progress(col.history(at), at, col.rollover_hour, UTC)
    finally:
        col.close()


@pytest.mark.parametrize("later", [timedelta(0), timedelta(hours=3), timedelta(days=1), timedelta(days=2)])
def test_progress_is_carried_through_the_summary(tmp_path: Path, later: timedelta) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW - timedelta(days=1))
    rate(col, KEYS[0], NOW - timedelta(days=1))  # yesterday
    col.close(NOW - timedelta(days=1))
    col = open_col(home)
    assert col.progress(NOW) == (0, 1) == _full_progress(home, NOW)  # the history index counts it
    rate(col, KEYS[1], NOW + timedelta(minutes=1))
    rate(col, KEYS[2], NOW + timedelta(minutes=2))
    assert col.progress(NOW + timedelta(minutes=3)) == (2, 2)
    col.close(NOW + timedelta(minutes=3), save_summary=True)
    at = NOW + timedelta(minutes=4) + later
    summary = load_summary(home, at, UTC)
    assert summary is not None
    assert summary.progress == _full_progress(home, at)


def test_summary_always_carries_the_progress(tmp_path: Path) -> None:
    home = _studied_home(tmp_path)  # nothing asked for the progress in that session
    summary = load_summary(home, NOW, UTC)
    assert summary is not None and summary.progress == _full_progress(home, NOW)


def test_progress_outlives_a_deck_edit_but_not_a_journal_change(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    for days in (3, 2, 1):  # a 3-day streak ending yesterday
        col = open_col(home, NOW - timedelta(days=days))
        rate(col, KEYS[days], NOW - timedelta(days=days))
        col.close(NOW - timedelta(days=days))
    col = open_col(home)
    rate(col, KEYS[0], NOW + timedelta(minutes=1))
    col.close(NOW + timedelta(minutes=2), save_summary=True)
    at = NOW + timedelta(minutes=5)
    assert load_progress(home, at, UTC) == (1, 4)
    _edit_deck(tmp_path)
    assert load_summary(open_home({"RETAIN_HOME": str(tmp_path)}), at, UTC) is None
    assert load_progress(open_home({"RETAIN_HOME": str(tmp_path)}), at, UTC) == (1, 4)  # history unchanged
    assert load_progress(home, at + timedelta(days=1), UTC) == (0, 4)  # carried to the next day
    _review_elsewhere(tmp_path)
    assert load_progress(open_home({"RETAIN_HOME": str(tmp_path)}), at, UTC) is None


def test_reviews_dated_into_a_later_day_are_not_forgotten_by_the_summary(tmp_path: Path) -> None:
    """A synced device whose clock ran 7 hours ahead studied two new cards dated in tomorrow's
    study day. The summary written tonight knew them; tomorrow it must not call that day empty:
    the new-card limit is used up, and Today / the streak count them."""
    home = make_home(tmp_path)
    (tmp_path / "config.toml").write_text("[study]\nnew_per_day = 2\n", encoding="utf-8")
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    tonight = NOW.replace(hour=22)  # rollover at 4 am (UTC here)
    col = open_col(home, tonight)
    rate(col, "tiny/one", tonight + timedelta(hours=7))  # dated tomorrow, 05:00
    rate(col, "tiny/two", tonight + timedelta(hours=7, minutes=1))
    col.close(tonight, save_summary=True)
    morning = tonight + timedelta(hours=10)
    launch = load_summary(home, morning, UTC)
    expected = _figures(home, morning)
    assert (
        launch is None or launch.counts["tiny"] == expected.counts["tiny"]
    )  # was new 1 (limit 2, none seen)
    col = open_col(home, morning, read_only=True)
    try:
        truth = col.progress(morning)
    finally:
        col.close()
    assert truth == (2, 1)
    assert load_progress(home, morning, UTC) in (None, truth)  # was (0, 0)
    assert launch is None or launch.progress in (None, truth)


BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def _flown_west(root: Path) -> tuple[datetime, tzinfo]:
    """Reviews at 06:00 Berlin on three mornings (21:00 the evening before in Los Angeles), the
    summary written in Berlin; then a launch in Los Angeles the next evening."""
    home = make_home(root)
    last = datetime(2026, 1, 12, 23, 0, tzinfo=BERLIN)
    col = Collection.open(home, last, tz=BERLIN, fsync=False)
    for i, key in enumerate(KEYS[:3]):
        rate(col, key, datetime(2026, 1, 10 + i, 6, 0, tzinfo=BERLIN).astimezone(UTC))
    col.close(last, save_summary=True)
    return datetime(2026, 1, 13, 20, 0, tzinfo=LOS_ANGELES).astimezone(UTC), LOS_ANGELES


def _rollover_moved(root: Path) -> tuple[datetime, tzinfo]:
    """Reviews at 03:00 (the day before, with the 4 am rollover) on two nights; then
    `rollover_hour = 0` in config.toml, so they count for their own dates."""
    home = make_home(root)
    last = datetime(2026, 1, 12, 3, 30, tzinfo=UTC)
    col = Collection.open(home, last, tz=UTC, fsync=False)
    for i, key in enumerate(KEYS[:2]):
        rate(col, key, datetime(2026, 1, 11 + i, 3, 0, tzinfo=UTC))
    col.close(last, save_summary=True)
    (root / "config.toml").write_text("rollover_hour = 0\n", encoding="utf-8")
    return datetime(2026, 1, 13, 10, 0, tzinfo=UTC), UTC


@pytest.mark.parametrize("change", [_flown_west, _rollover_moved])
def test_progress_is_not_carried_into_other_study_days(tmp_path: Path, change: Any) -> None:
    """The streak the summary carries was counted in its study days: after a flight to another
    zone, or a new rollover hour, the days (so the streak) may differ, and the history says."""
    at, tz = change(tmp_path)
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    col = Collection.open(home, at, tz=tz, read_only=True)
    try:
        truth = col.progress(at)
    finally:
        col.close()
    launch = load_summary(home, at, tz)
    assert launch is not None  # the counts still come from it
    assert launch.progress in (None, truth)  # was (0, 3) and (0, 0): the streak of the old days
    assert load_progress(home, at, tz) in (None, truth)
