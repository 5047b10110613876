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

from retain.core.state import Event
from retain.store.state.journal import Position
from retain.store.state.recordfast import IndexCols, cols_from_events

__all__ = ["Span", "Spans", "add"]


@dataclass(slots=True)
class Span:
    """Records from byte `start` to `end` of one journal file, as index columns."""

    start: int
    end: int
    cols: IndexCols


Spans = dict[tuple[str, str], Span]  # (device, file name) -> span


def _columns(offsets: list[int], events: list[Event]) -> IndexCols:
    """The index columns of `events` (records at `offsets`), as decoding them would give."""
    cols = cols_from_events(list(zip(offsets, events, strict=True)))
    cols.astab[:] = [None if s is None else float(f"{s:.6g}") for s in cols.astab]  # as the journal keeps it
    return cols


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
