"""A batch this process recorded feeds the index from memory, and gives the index a rebuild gives.

A history import used to write ~100k records and then read them all back to feed the
index; now `Collection.record_many` hands the index what it wrote (`store.index.appended`).
"""

from __future__ import annotations

import shutil
import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.state import LEARNING, REVIEW, CardState, Event
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.index.appended import Span, Spans
from retain.store.index.db import INDEX_NAME
from retain.store.index.ingest import ingest
from retain.store.state.recordfast import IndexCols

DAY = StudyDay(4, UTC)


def _dump(root: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]], list[tuple[object, ...]]]:
    db = sqlite3.connect(root / "cache" / INDEX_NAME)
    try:
        files = {i: (d, n) for i, d, n in db.execute("SELECT id, device, name FROM files")}
        events = [
            (files[row[0]], *row[1:])
            for row in db.execute("SELECT * FROM events").fetchall()  # files by (device, name)
        ]
        daily = db.execute("SELECT * FROM daily ORDER BY deck, day").fetchall()
        sizes = db.execute("SELECT device, name, ino, size, tail FROM files ORDER BY device, name").fetchall()
    finally:
        db.close()
    return sorted(events, key=repr), daily, sizes


def _history_events(start: datetime, n: int, jitter: list[int]) -> list[Event]:
    """`n` past ratings over a few months, each card's `before` its previous `after` (as an import)."""
    out: list[Event] = []
    last: dict[str, CardState] = {}
    for i in range(n):
        key = KEYS[i % len(KEYS)]
        at = start + timedelta(hours=7 * i, microseconds=jitter[i % len(jitter)])
        after = CardState(
            REVIEW if i % 3 else LEARNING,
            None if i % 3 else 0,
            1.0 + i / 7.0,  # not round: the journal keeps 6 significant digits
            1.0 + (i % 90) / 10.0,
            at + timedelta(days=i % 11, seconds=i % 7),
            at,
            i,
            i % 4,
        )
        out.append(Event(f"x-{i}", "review", key, at, after, last.get(key), 1 + i % 4, 100 * i))
        last[key] = after
    return out


def _record(root: Path, events: list[Event], batch: int) -> None:
    home = make_home(root)
    col = open_col(home)
    col.history_index.count(NOW)  # the index is open before the batches (as for an import)
    for i in range(0, len(events), batch):
        part = [replace(e, id=col.new_event_id(e.time)) for e in events[i : i + batch]]
        col.record_many(part)
    col.history_index.count(NOW)  # the feed that takes the batches from memory
    col.close(NOW)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    n=st.integers(1, 400),
    batch=st.integers(1, 150),
    jitter=st.lists(st.integers(0, 999_999), min_size=1, max_size=5),
    earlier=st.booleans(),
)
def test_an_index_fed_from_memory_equals_a_rebuild(
    tmp_path_factory: object, n: int, batch: int, jitter: list[int], earlier: bool
) -> None:
    root: Path = tmp_path_factory.mktemp("home")  # type: ignore[attr-defined]
    if earlier:  # an index with rows already, and a journal file the batches go on in
        home = make_home(root)
        col = open_col(home)
        rate(col, KEYS[0], NOW - timedelta(days=1))
        col.history_index.count(NOW)
        col.close(NOW)
    _record(root, _history_events(NOW - timedelta(days=120), n, jitter), batch)
    fed = _dump(root)
    assert len(fed[0]) == n + earlier
    shutil.rmtree(root / "cache")
    History(root / "state", root / "cache", DAY).count(NOW)  # rebuilt from the files alone
    assert _dump(root) == fed


def _span_home(root: Path) -> tuple[Path, str, int]:
    home = make_home(root)
    col = open_col(home)
    col.history_index.count(NOW)
    start = NOW - timedelta(hours=2)
    rate(col, KEYS[0], start)
    col.close(NOW)
    path = next((root / "state" / "devices").glob("*/journal-*.toml"))
    return path, path.parent.name, path.stat().st_size


def _cols(key: str) -> IndexCols:
    cols = IndexCols.empty()
    for name, value in zip(
        IndexCols._fields,
        (0, (NOW - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1), "span-1", 0, key, 3, 5),
        strict=False,
    ):
        getattr(cols, name).append(value)
    for name in IndexCols._fields[7:]:
        getattr(cols, name).append(None)
    return cols


def test_a_span_is_taken_only_when_it_is_exactly_the_new_bytes(tmp_path: Path) -> None:
    """The span is used instead of the file when it starts where the index stopped and ends at the
    file's end; otherwise the file is read (shown here with a span that differs from the file)."""
    path, device, size = _span_home(tmp_path)
    db = sqlite3.connect(tmp_path / "cache" / INDEX_NAME, isolation_level=None)
    db.execute("DELETE FROM events")
    db.execute("DELETE FROM files")  # the index has read nothing of the file: it starts at 0
    fake: Spans = {(device, path.name): Span(0, size, _cols(KEYS[1]))}
    ingest(db, tmp_path / "state", NOW, DAY, appended=fake)
    assert db.execute("SELECT eid, key FROM events").fetchall() == [("span-1", KEYS[1])]

    db.execute("DELETE FROM events")
    db.execute("DELETE FROM files")
    for start, end in ((1, size), (0, size - 1), (0, size + 1)):
        off: Spans = {(device, path.name): Span(start, end, _cols(KEYS[1]))}
        ingest(db, tmp_path / "state", NOW, DAY, appended=off)
        assert [k for (k,) in db.execute("SELECT key FROM events")] == [KEYS[0]]  # read from the file
        db.execute("DELETE FROM events")
        db.execute("DELETE FROM files")
    db.close()


def test_a_batch_written_after_another_process_appended_reads_the_file(tmp_path: Path) -> None:
    """Records another writer put in the file before the feed: the span no longer covers the new
    bytes, so the whole tail is read and nothing is lost."""
    home = make_home(tmp_path)
    col = open_col(home)
    history = col.history_index
    history.count(NOW)
    rate(col, KEYS[0], NOW - timedelta(hours=3))
    events = _history_events(NOW - timedelta(hours=2), 3, [0])
    col.record_many([replace(e, id=col.new_event_id(e.time)) for e in events])
    path = next((tmp_path / "state" / "devices").glob("*/journal-*.toml"))
    with path.open("ab") as fh:  # not the writer's: a stray line the span does not cover
        fh.write(b"# a comment appended by hand\n")
    assert history.count(NOW) == 4
    col.close(NOW)
