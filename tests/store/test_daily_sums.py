"""The per (deck, study day) sums of the history index (`store.index.daily`) against plain SQL.

The sums are computed in Python, in worker processes on a cold build; this checks
them against an independent SQL statement over the same `events` rows (the one the
index used before), for varied states, intervals, ratings, hours, undos and decks,
built serially, in workers, and fed incrementally.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import NOW

from retain.core.state import LEARNING, RELEARNING, CardState, Event
from retain.core.stats import learning_counts
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.index.daily import COLUMNS
from retain.store.index.db import INDEX_NAME
from retain.store.state.journal import JournalWriter

DAY = StudyDay(4, ZoneInfo("Europe/Paris"))
_KEYS = ("alpha/one", "alpha/two", "beta/one", "beta/two:reverse", "gamma/x:c1")

# The reference: what `daily` must hold, as one SQL aggregate over `events`. The interval before a
# rating is in study days (`bdays`, checked against `StudyDay.of` in `_daily_and_reference`); a
# learning or relearning step of a day or more counts in the retention columns as young (Anki): its
# `bdays` is at least 1 when `core.stats.learning_counts` says so, else at most 0.
_B, _IVL = "coalesce(bstate, 0)", "coalesce(bdays, 0)"
_YOUNG = f"(({_B} = 2 AND {_IVL} < 21) OR ({_B} IN (1, 3) AND {_IVL} >= 1))"
_REFERENCE_SUMS = [
    "ms",
    *(f"{_B} = {s}" for s in range(4)),
    *(f"rating = {r}" for r in range(1, 5)),
    f"{_YOUNG} AND rating > 1",
    f"{_YOUNG} AND rating = 1",
    f"{_B} = 2 AND {_IVL} >= 21 AND rating > 1",
    f"{_B} = 2 AND {_IVL} >= 21 AND rating = 1",
    *(f"{_B} <> 2 AND rating = {r}" for r in range(1, 5)),
    *(f"{_B} = 2 AND {_IVL} < 21 AND rating = {r}" for r in range(1, 5)),
    *(f"{_B} = 2 AND {_IVL} >= 21 AND rating = {r}" for r in range(1, 5)),
    *(f"hour = {h}" for h in range(24)),
    *(f"hour = {h} AND rating > 1" for h in range(24)),
]
_REFERENCE = (
    "SELECT deck, day, count(*), "
    + ", ".join(f"ifnull(sum({x}), 0)" for x in _REFERENCE_SUMS)
    + " FROM events WHERE kind = 0 AND undone = 0 GROUP BY deck, day ORDER BY deck, day"
)


def _state(kind: int, at: datetime, interval_days: float) -> CardState:
    return CardState(kind, None, 3.0, 5.0, at + timedelta(days=interval_days), at, 1, 0)


def _events(spec: list[tuple[int, int, int, int, float, int]], undo_every: int) -> list[Event]:
    """(key, minutes back, before kind (-1: new), rating, interval days, ms) -> events, with undos."""
    events: list[Event] = []
    for n, (key, minutes, before_kind, rating, interval, ms) in enumerate(spec, start=1):
        at = NOW - timedelta(minutes=minutes)
        before = None if before_kind < 0 else _state(before_kind, at - timedelta(days=interval), interval)
        after = _state(2, at, 4.0)
        events.append(
            Event(f"aaaaaaaaaaaa-{n:019d}-{n}", "review", _KEYS[key], at, after, before, rating, ms)
        )
        if undo_every and n % undo_every == 0:
            target = events[-1]
            events.append(
                Event(
                    f"aaaaaaaaaaaa-{n:019d}-{n + 100_000}",
                    "undo",
                    target.key,
                    at + timedelta(seconds=5),
                    target.before,
                    target.after,
                    undoes=target.id,
                )
            )
    return events


def _write(root: Path, events: list[Event]) -> None:
    writer = JournalWriter(root / "state" / "devices" / "aaaaaaaaaaaa", fsync=False)
    for event in events:
        writer.append(event)
    writer.close()


def _daily_and_reference(
    root: Path, day: StudyDay = DAY
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    db = sqlite3.connect(root / "cache" / INDEX_NAME)
    try:
        for t, bstate, blast, bdue, bdays in db.execute("SELECT t, bstate, blast, bdue, bdays FROM events"):
            if blast is None or bdue is None:
                assert bdays is None
            else:
                at, last, due = (
                    datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us) for us in (t, blast, bdue)
                )
                days = (day.of(due) - day.of(last)).days
                if bstate in (LEARNING, RELEARNING):  # a step: the days Anki logs at the rating
                    days = max(days, 1) if learning_counts(at, last, due, day) else min(days, 0)
                assert bdays == days
        daily = db.execute("SELECT * FROM daily ORDER BY deck, day").fetchall()
        return daily, db.execute(_REFERENCE).fetchall()
    finally:
        db.close()


_SPEC = st.lists(
    st.tuples(
        st.integers(0, len(_KEYS) - 1),
        st.integers(0, 60 * 24 * 40),  # up to 40 days back, any minute (every local hour)
        st.integers(-1, 3),
        st.integers(1, 4),
        st.sampled_from([0.5, 1.0, 20.0, 20.999, 21.0, 21.001, 90.0]),  # around the young/mature line
        st.integers(0, 60_000),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=_SPEC, undo_every=st.integers(0, 7))
def test_daily_sums_equal_the_sql_reference(
    tmp_path_factory: pytest.TempPathFactory,
    spec: list[tuple[int, int, int, int, float, int]],
    undo_every: int,
) -> None:
    root = tmp_path_factory.mktemp("home")
    events = _events(spec, undo_every)
    _write(root, events[: len(events) // 2])
    history = History(root / "state", root / "cache", DAY)
    history.refresh(NOW)  # a cold build of the first half
    _write(root, events[len(events) // 2 :])
    history.refresh(NOW)  # then fed the rest (the undos may take back earlier ratings)
    history.close()
    daily, reference = _daily_and_reference(root)
    assert daily == reference
    assert len(daily[0]) == 2 + len(COLUMNS) if daily else True


def test_a_cold_build_in_workers_sums_as_sql_does(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers derive the days, hours and sums of their chunks; the result is the reference's."""
    from retain.store.index import parallel

    spec = [
        (n % 5, n * 37, n % 5 - 1, 1 + n % 4, (0.5, 21.0, 90.0, 20.999)[n % 4], n * 13) for n in range(900)
    ]
    _write(tmp_path, _events(spec, undo_every=11))
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 8 << 10)
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    reports: list[tuple[int, int]] = []
    history = History(
        tmp_path / "state",
        tmp_path / "cache",
        DAY,
        progress=lambda _stage, done, total: reports.append((done, total)),
    )
    history.prefetch(NOW)  # started before the first query, as `Collection.open(history=True)` does
    assert history._prefetched is not None and len(history._prefetched.reader.todo) > 3
    assert reports[0][0] == 0 and reports[0][1] > 0  # a bar from the start, before the decks are read
    history.refresh(NOW)
    history.close()
    done = [d / t for d, t in reports]
    assert done == sorted(done) and done[-1] == 1.0  # decoded, then written: it only moves forward
    assert len(reports) > 4
    daily, reference = _daily_and_reference(tmp_path)
    assert daily == reference
    assert sum(int(str(row[2])) for row in daily) == 900 - 900 // 11  # ratings less the undone ones


def test_a_prefetch_of_files_that_changed_since_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retain.store.index import parallel

    spec = [(n % 5, n * 50, 2, 3, 21.0, 100) for n in range(400)]
    events = _events(spec, undo_every=0)
    _write(tmp_path, events[:300])
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 8 << 10)
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    history = History(tmp_path / "state", tmp_path / "cache", DAY)
    history.prefetch(NOW)
    _write(tmp_path, events[300:])  # appended after the prefetch was planned
    history.refresh(NOW)
    assert history.count(NOW) == 400
    history.close()
    daily, reference = _daily_and_reference(tmp_path)
    assert daily == reference


def test_the_local_zone_is_named_when_it_links_into_a_zone_database(tmp_path: Path) -> None:
    """A named zone can be sent to the index's worker processes (a zone read from a file cannot)."""
    import pickle

    from retain.store.localzone import _zone_key

    paris = Path("/usr/share/zoneinfo/Europe/Paris")
    if not paris.exists():
        pytest.skip("no system zone database")
    link = tmp_path / "localtime"
    link.symlink_to(paris)
    assert _zone_key(str(link)) == "Europe/Paris"
    copy = tmp_path / "copied"
    copy.write_bytes(paris.read_bytes())
    assert _zone_key(str(copy)) == ""  # not a link: read from the file, as before
    assert pickle.loads(pickle.dumps(StudyDay(4, ZoneInfo("Europe/Paris")))) == StudyDay(
        4, ZoneInfo("Europe/Paris")
    )
    assert datetime(2026, 7, 1, tzinfo=UTC).astimezone(ZoneInfo(_zone_key(str(link)))).hour == 2


def _index_names(root: Path) -> set[str]:
    db = sqlite3.connect(root / "cache" / INDEX_NAME)
    try:
        return {
            r[0]
            for r in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND name LIKE 'events_%'"
            )
        }
    finally:
        db.close()


def test_a_feed_makes_the_indexes_with_its_rows(tmp_path: Path) -> None:
    """A build stopped between writing its rows and making its indexes left an index whose every
    later feed scanned all events per study day (a refresh took minutes): now they commit together."""
    from retain.store.index.db import connect
    from retain.store.index.ingest import ingest

    _write(tmp_path, _events([(n % 5, n * 40, 2, 3, 21.0, 100) for n in range(50)], undo_every=0))
    db, fresh, _message = connect(tmp_path / "cache")
    assert fresh
    ingest(db, tmp_path / "state", NOW, DAY)  # the feed alone, as a process killed right after it
    db.close()
    assert _index_names(tmp_path) == {
        "events_t",
        "events_key",
        "events_undoes",
        "events_forgets",
        "events_new",
    }


def test_an_index_left_without_its_indexes_gets_them_when_opened(tmp_path: Path) -> None:
    _write(tmp_path, _events([(n % 5, n * 40, 2, 3, 21.0, 100) for n in range(50)], undo_every=0))
    History(tmp_path / "state", tmp_path / "cache", DAY).refresh(NOW)
    db = sqlite3.connect(tmp_path / "cache" / INDEX_NAME)
    for name in ("events_t", "events_key", "events_undoes"):
        db.execute(f"DROP INDEX {name}")  # as an older retain stopped before making them
    db.commit()
    db.close()
    history = History(tmp_path / "state", tmp_path / "cache", DAY)
    assert _index_names(tmp_path) == {
        "events_t",
        "events_key",
        "events_undoes",
        "events_forgets",
        "events_new",
    }
    assert history.count(NOW) == 50
    history.close()


def test_a_new_rollover_hour_counts_the_intervals_in_its_study_days(tmp_path: Path) -> None:
    """`bdays` is the interval before a rating in study days under the rule in use: a new
    rollover hour (the index restamps its rows) moves a review at 04:30 onto another study day,
    and a 21-day interval that ends then is young under one rule and mature under the other."""
    paris = ZoneInfo("Europe/Paris")
    last = datetime(2026, 1, 5, 4, 30, tzinfo=paris)  # study day 5 Jan at rollover 4, 4 Jan at 5
    before = CardState(2, None, 3.0, 5.0, datetime(2026, 1, 25, 5, 30, tzinfo=paris), last, 1, 0)
    at = datetime(2026, 1, 25, 12, tzinfo=paris)
    event = Event(
        "aaaaaaaaaaaa-0000000000000000001-1", "review", "alpha/one", at, _state(2, at, 4.0), before, 3, 1
    )
    _write(tmp_path, [event])
    found = {}
    for hour in (4, 5, 4):
        rule = StudyDay(hour, paris)
        history = History(tmp_path / "state", tmp_path / "cache", rule)
        history.refresh(NOW)
        history.close()
        db = sqlite3.connect(tmp_path / "cache" / INDEX_NAME)
        try:
            found[hour] = db.execute("SELECT bdays FROM events").fetchone()[0]
            daily, reference = _daily_and_reference(tmp_path, rule)
        finally:
            db.close()
        assert daily == reference
        mature = COLUMNS.index("mature_pass") + 2
        assert daily[0][mature] == (found[hour] >= 21)
    assert found == {4: 20, 5: 21}


@settings(max_examples=60, deadline=None)
@given(
    zone=st.sampled_from(
        ["Europe/Paris", "America/St_Johns", "Asia/Kathmandu", "Australia/Lord_Howe", "odd"]
    ),
    hour=st.integers(0, 23),
    pairs=st.lists(
        st.tuples(
            st.integers(-(10**15), 2 * 10**15) | st.none(),  # 1938 to 2033, in microseconds
            st.integers(0, 4 * 10**14),  # up to ~13 years later (0: the same moment)
        ),
        min_size=1,
        max_size=40,
    ),
)
def test_study_days_between_is_the_rule_s_own_count(
    zone: str, hour: int, pairs: list[tuple[int | None, int]]
) -> None:
    """`derive.study_days_between` places times among the days' starts; it must equal asking
    `StudyDay.of` of each (DST changes, offsets of 30 and 45 minutes, a 30-minute DST, an offset
    of no whole quarter hour)."""
    from retain.store.index.derive import study_days_between

    odd = timezone(timedelta(minutes=7, seconds=30))  # no whole quarter hour (a POSIX "LMT-0:07:30")
    rule = StudyDay(hour, odd if zone == "odd" else ZoneInfo(zone))
    starts = [s for s, _gap in pairs]
    ends = [None if s is None else s + gap for s, gap in pairs]
    epoch = datetime(1970, 1, 1, tzinfo=UTC)

    def of(us: int) -> int:
        return rule.of(epoch + timedelta(microseconds=us)).toordinal()

    expected = [None if s is None or e is None else of(e) - of(s) for s, e in zip(starts, ends, strict=True)]
    assert study_days_between(starts, ends, rule) == expected
