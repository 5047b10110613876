"""Records this process just appended to a journal, kept in memory for the index's next feed.

A history import writes ~100k records; reading them back from the files it has
just written (to feed the index) took longer than writing them. So the writer
says what it recorded and where (`StateWriter.record_batch`), and the index
keeps those records' columns here, per journal file, as one contiguous span.
The next feed takes a span instead of reading the file only when the span
starts exactly where the index stopped reading that file, and ends exactly at
the file's end now; anything else (another writer, a torn record, a span with a
hole) reads the file as usual. The columns are what decoding the records would
give: floats rounded to 6 significant digits, as the journal stores them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from retain.core.state import Event
from retain.store.state.journal import Position
from retain.store.state.recordfast import KIND_INDEX, IndexCols

__all__ = ["Span", "Spans", "add"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_DAY = timedelta(days=1)


@dataclass(slots=True)
class Span:
    """Records from byte `start` to `end` of one journal file, as index columns."""

    start: int
    end: int
    cols: IndexCols


Spans = dict[tuple[str, str], Span]  # (device, file name) -> span


def _columns(offsets: list[int], events: list[Event]) -> IndexCols:
    """The index columns of `events` (records at `offsets`), as decoding them would give."""
    befores = [e.before for e in events]
    afters = [e.after for e in events]
    return IndexCols(
        offsets,
        [(e.time - _EPOCH) // _US for e in events],
        [e.id for e in events],
        [KIND_INDEX[e.kind] for e in events],
        [e.key for e in events],
        [e.rating for e in events],
        [e.duration_ms for e in events],
        [e.undoes or None for e in events],
        [None if b is None else b.state for b in befores],
        [
            None if b is None or b.due is None or b.last_review is None else (b.due - b.last_review) / _DAY
            for b in befores
        ],
        [None if a is None else a.state for a in afters],
        [None if a is None or a.stability is None else float(f"{a.stability:.6g}") for a in afters],
    )


def add(
    spans: Spans,
    device: str,
    events: Iterable[tuple[Position, Event]],
    ends: dict[str, int],
    starts: dict[str, int],
) -> None:
    """Add a recorded batch (events in file order, each file's end after it) to `spans`.

    `starts` gives an earlier start for a file than its first record's offset (0 for a
    file the writer made: its header holds no record).

    A batch that does not continue its file's span where it ended replaces it (the next
    feed then reads that file from where the index stopped, unless that is the new start).
    """
    by_file: dict[str, tuple[list[int], list[Event]]] = {}
    for pos, event in events:
        found = by_file.get(pos.file)
        if found is None:
            found = by_file[pos.file] = ([], [])
        found[0].append(pos.offset)
        found[1].append(event)
    for name, (offsets, recorded) in by_file.items():
        ident = (device, name)
        span = Span(starts.get(name, offsets[0]), ends.get(name, -1), _columns(offsets, recorded))
        old = spans.get(ident)
        if old is not None and old.end == span.start:
            old.cols.extend(span.cols)
            old.end = span.end
        else:
            spans[ident] = span
