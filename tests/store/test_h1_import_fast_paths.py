"""The faster history import writes what the plain code wrote, and its date limit holds.

`import --with-history` of 117,706 Anki rows spent most of its time checking, encoding and
indexing events and writing the snapshots. Held here to the code they replaced, over values
hypothesis draws (odd ones too): the rounded-float text without a round trip, the snapshot
cache's rounded columns, and the history index adding an appended batch's daily sums instead of
reading its rows back; and the "200 years after now" limit on 29 February.
"""

from __future__ import annotations

import itertools
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import NOW

from retain.core.state import CardState, Event, StateError, validate_state
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.index.db import INDEX_NAME
from retain.store.state.journal import JournalWriter
from retain.store.state.statecodec import sig_text

# -- the references (the code as it was) -----------------------------------------------------


def _ref_sig(value: float) -> str:
    return repr(float(f"{value:.6g}"))


# -- strategies --------------------------------------------------------------------------------

zones = st.sampled_from([UTC, timezone(timedelta(0)), timezone(timedelta(hours=-3, minutes=-30))])
times = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1), timezones=zones)
floats = st.floats(allow_nan=True, allow_infinity=True) | st.floats(min_value=1e-5, max_value=2e6)
numbers = st.none() | floats | st.integers(-3, 10**7) | st.booleans()
flags = st.booleans() | st.sampled_from([0, 1, "yes"])
states = st.builds(
    CardState,
    state=st.integers(0, 3) | st.sampled_from([True, 2.0]),
    step=st.none() | st.integers(-1, 1000) | st.just(True),
    stability=numbers,
    difficulty=numbers,
    due=st.none() | times | st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2200, 1, 1)),
    last_review=st.none() | times,
    reps=st.integers(0, 10**6),
    lapses=st.integers(0, 100),
    suspended=flags,
    buried_until=st.none() | st.sampled_from(["", "2026-01-02", 'a"b', "tab\there", "é"]),
    leech=flags,
)


@given(floats | st.integers(-(10**20), 10**20))
def test_the_rounded_float_text_is_the_reference(value: float) -> None:
    assert sig_text(value) == _ref_sig(value)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from([3.14159265358, 4, 1e6, 0.1 + 0.2, 7.0, 2.5e-05]), min_size=2, max_size=6))
def test_the_cache_of_a_written_snapshot_is_what_the_file_reads_back(
    tmp_path_factory: pytest.TempPathFactory, floats: list[float]
) -> None:
    """The cache keeps the states as the file gives them back: floats rounded as written."""
    from retain.store.state.snapshot import load_snapshot, write_snapshot

    root = tmp_path_factory.mktemp("snap")
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    cards = {
        f"d/c{n}": CardState(2, None, s, min(d, 10.0), at + timedelta(days=n + 1), at, n, 0)
        for n, (s, d) in enumerate(itertools.pairwise(floats))
    }
    path = write_snapshot(root / "s", "d", cards, {}, NOW, root / "cache")
    cached, parsed = load_snapshot(path, NOW, root / "cache"), load_snapshot(path, NOW)
    assert repr(cached.states) == repr(parsed.states)  # (4 read back as 4.0, pi as 3.14159)


# -- the batch checks ---------------------------------------------------------------------------

FAR = datetime(2500, 1, 1, tzinfo=UTC)  # past the writer's bound (200 years after now)
_WEST = timezone(timedelta(hours=-3, minutes=-30))
_EAST = timezone(timedelta(hours=14))
utc_times = st.datetimes(datetime(1971, 1, 1), datetime(2200, 1, 1), timezones=st.just(UTC))
good_states = st.builds(  # mostly valid: each field now and then just out of range
    CardState,
    state=st.sampled_from([1, 2, 3, 2]),
    step=st.sampled_from([None, 0, 999, None, 1000]),
    stability=st.sampled_from([0.5, 3.0, 1e6, 1.5e6, 0.0, 4]),
    difficulty=st.sampled_from([1.0, 5.0, 10.0, 10.5, 7.25]),
    due=utc_times | utc_times | times | st.just(FAR.replace(year=2300)),
    last_review=st.none() | utc_times | times,
    reps=st.sampled_from([0, 3, 7, -1]),
)
zoned_states = good_states.map(lambda s: replace(s, due=s.due and s.due.astimezone(_WEST)))  # copied to UTC
odd_times = times | st.datetimes(datetime(1960, 1, 1), datetime(3000, 1, 1)) | st.just(FAR)


@given(
    st.integers(-3, 3), st.integers(-90_000, 90_000), st.sampled_from([UTC, timezone(timedelta(hours=14))])
)
def test_the_date_limit_is_200_years_after_now(days: int, seconds: int, zone: timezone) -> None:
    """Accepted up to the same moment 200 years later, refused after it (the fast path compares
    years); on 29 February the limit is 28 February, and no ValueError escapes."""
    for now in (datetime(2026, 3, 1, 12, tzinfo=zone), datetime(2000, 2, 29, 12, tzinfo=zone)):
        limit = now.replace(year=now.year + 200, day=28 if now.day == 29 else now.day)
        due = (limit + timedelta(days=days, seconds=seconds)).astimezone(UTC)
        for state in (CardState(2, None, 3.0, 5.0, due, None), CardState(2, None, 3.0, 5.0, now, due)):
            if due > limit:
                with pytest.raises(StateError, match="absurdly far"):
                    validate_state(state, now)
            else:
                assert validate_state(state, now) == state


_DAY = StudyDay(4, timezone(timedelta(hours=-5)))


def _daily(root: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(root / "cache" / INDEX_NAME)
    try:
        return db.execute("SELECT * FROM daily ORDER BY deck, day").fetchall()
    finally:
        db.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    spec=st.lists(
        st.tuples(st.sampled_from(["a/x", "a/y", "b/x:c1"]), st.integers(0, 60 * 24 * 6), st.integers(1, 4)),
        min_size=1,
        max_size=40,
    ),
    parts=st.integers(2, 4),
    undo=st.booleans(),
)
def test_daily_sums_fed_in_parts_are_a_full_recount(
    tmp_path_factory: pytest.TempPathFactory, spec: list[tuple[str, int, int]], parts: int, undo: bool
) -> None:
    """An import feeds the index every 32k events; each later part adds its sums to the daily rows
    (none of its rows an undo): the rows are those a recount of every event gives."""
    root = tmp_path_factory.mktemp("home")
    base = NOW - timedelta(days=7)
    events = []
    for n, (key, minutes, rating) in enumerate(sorted(spec, key=lambda s: s[1]), start=1):
        at = base + timedelta(minutes=minutes, microseconds=n)
        before = CardState(2, None, 3.0, 5.0, at - timedelta(days=n % 30), at - timedelta(days=n % 30 + 1))
        after = CardState(2, None, 4.0, 5.0, at + timedelta(days=3), at, 2, 0)
        events.append(Event(f"aaaaaaaaaaaa-{n:019d}-{n}", "review", key, at, after, before, rating, 100 * n))
    if undo:
        target = events[len(events) // 2]
        events.append(
            Event("aaaaaaaaaaaa-9-0", "undo", target.key, NOW, target.before, target.after, undoes=target.id)
        )
    writer = JournalWriter(root / "state" / "devices" / "aaaaaaaaaaaa", fsync=False)
    history = History(root / "state", root / "cache", _DAY)
    size = -(-len(events) // parts)
    for i in range(0, len(events), size):
        for event in events[i : i + size]:
            writer.append(event)
        history.refresh(NOW)
    writer.close()
    fed = _daily(root)
    history.rebuild(NOW)  # every event counted again
    history.close()
    assert fed == _daily(root)
