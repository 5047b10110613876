"""A snapshot's card states decoded column by column, when every one is an ordinary state.

A cold start reads ~40k states from the snapshots (no cache yet); one call of
`statecodec.decode_state` per card cost ~0.6 s. Here the values are taken out
in columns and checked with C-level loops (`map`, `min`, `max`, sets), with the
same rules as `decode_state` followed by `checked_state`. Anything out of the
ordinary (flags, a burial, an unknown key, a wrong type, a value out of range)
makes the whole snapshot go through `decode_state`, which says what is wrong.
Tests compare both on generated tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from retain.core.state import NEW, RELEARNING, REVIEW, CardState
from retain.store.fastbuild import build_many

__all__ = ["decode_states"]

_KEYS = frozenset(("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses"))
_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
_ABSURD = timedelta(days=365 * 200)  # as statecodec: dates further than this are hostile
_INT = frozenset((int,))
_INT_OR_NONE = frozenset((int, type(None)))
_NUM_OR_NONE = frozenset((int, float, type(None)))
_TIME_OR_NONE = frozenset((datetime, type(None)))
_INT32 = 2**31


def _types(values: Sequence[Any]) -> set[type]:
    return set(map(type, values))


def _present(values: list[Any]) -> list[Any]:
    return [v for v in values if v is not None] if None in values else values


def _numbers(values: list[Any], high: float) -> list[float | None] | None:
    """Floats in (0, high], finite; None when any is not."""
    if not _types(values) <= _NUM_OR_NONE:
        return None
    present = _present(values)
    try:  # (an int too large for a float raises OverflowError: no number, as the slow path says)
        if present and not (all(map(math.isfinite, present)) and min(present) > 0 and max(present) <= high):
            return None
    except OverflowError:
        return None
    if int in _types(present):
        return [None if v is None else float(v) for v in values]
    return values


def _times(values: list[Any], limit: datetime) -> list[datetime | None] | None:
    if not _types(values) <= _TIME_OR_NONE:
        return None
    present = _present(values)
    if any(t.tzinfo is None or t.utcoffset() is None for t in present):
        return None
    utc = [None if t is None else t.astimezone(UTC) for t in values]
    if present and max(t for t in utc if t is not None) > limit:
        return None
    return utc


def decode_states(raws: Sequence[Any], now: datetime) -> list[CardState] | None:
    """The states of `raws` (parsed inline tables), or None when any needs `decode_state`."""
    n = len(raws)
    if not n:
        return []
    if _types(raws) != {dict} or not all(map(_KEYS.issuperset, raws)):
        return None
    state = [r.get("state", 0) for r in raws]
    step = [r.get("step") for r in raws]
    reps = [r.get("reps", 0) for r in raws]
    lapses = [r.get("lapses", 0) for r in raws]
    if not (_types(state) <= _INT and set(state) <= {0, 1, 2, 3}):
        return None
    if not _types(step) <= _INT_OR_NONE:
        return None
    steps = _present(step)
    if steps and not (min(steps) >= 0 and max(steps) < 1000):
        return None
    if not (_types(reps) <= _INT and _types(lapses) <= _INT):
        return None
    if min(reps) < 0 or min(lapses) < 0 or max(reps) >= _INT32 or max(lapses) >= _INT32:
        return None
    stability = _numbers([r.get("stability") for r in raws], 1e6)
    difficulty = _numbers([r.get("difficulty") for r in raws], 10)
    limit = now + _ABSURD
    due = _times([r.get("due") for r in raws], limit)
    last = _times([r.get("last_review") for r in raws], limit)
    if stability is None or difficulty is None or due is None or last is None:
        return None
    if None in stability or None in difficulty:
        needs = (REVIEW, RELEARNING)
        if any(
            s in needs and (a is None or b is None)
            for s, a, b in zip(state, stability, difficulty, strict=True)
        ):
            return None
    if None in due and any(s != NEW and d is None for s, d in zip(state, due, strict=True)):
        return None
    return build_many(CardState, _FIELDS, [state, step, stability, difficulty, due, last, reps, lapses], n)
