"""What an event must be before it is recorded: nothing a reader would refuse is ever written.

Every reader of the journal refuses a record with a bad unit key, a time before 1970 or
absurdly far ahead, a rating or answer time out of range, or a state FSRS cannot take
(`core.state.validate_state`); such a record would be set aside at every start. The writer
checks each event here first (`StateWriter.checked`), and `import --dry-run` counts what an
import would leave out with the same check.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from retain.core.state import CardState, Event, StateError, is_whole, validate_state
from retain.store.state.statecodec import FUTURE_SKEW, KEY_RE

__all__ = ["EPOCH", "Seen", "check_event"]

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MAX_MS = 10**8  # the longest answer time the readers take

Seen = dict[int, tuple[CardState, CardState]]  # id(state) -> (that state, as checked)


def _check(state: CardState, limit: datetime, known: tuple[CardState, CardState] | None) -> CardState:
    if known is not None and known[0] is state:
        return known[1]
    return validate_state(state, limit)


def check_event(event: Event, seen: Seen, absurd: datetime) -> Event:
    """`event` with its time and states checked and in UTC (floats not rounded yet), as it would
    be recorded; StateError when the store refuses it (a time after `absurd` too). A state
    found in `seen` is not checked again.

    `seen` holds states already checked (a `before` is usually an earlier event's `after`), by
    `id()` with the state itself, so an id is never reused while it is there."""
    if not KEY_RE.match(event.key):
        raise StateError(f"bad unit key {event.key!r}")
    at = event.time if event.time.tzinfo is UTC else event.time.astimezone(UTC)
    if at > absurd:  # every reader refuses such a record: never write one
        raise StateError(f"event time {at:%Y-%m-%d} is absurdly far in the future")
    if at < EPOCH:  # no review is older; a study day before year 1 cannot be counted
        raise StateError(f"event time {at:%Y-%m-%d} is before 1970")
    rating, ms = event.rating, event.duration_ms
    if not (is_whole(rating) and 0 <= rating <= 4 and is_whole(ms) and 0 <= ms <= _MAX_MS):
        raise StateError("rating or answer time out of range")
    original, after, before = event.after, event.after, event.before
    if original is not None:
        after = _check(original, at + FUTURE_SKEW, seen.get(id(original)))
        seen[id(original)] = (original, after)
    if before is not None:  # usually the last time this state is used: forget it
        before = _check(before, at + FUTURE_SKEW, seen.pop(id(before), None))
    if at is not event.time or after is not event.after or before is not event.before:
        event = replace(event, time=at, after=after, before=before)
    return event
