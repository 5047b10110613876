"""The fast path for reading format-2 journal records: one compiled regex per line.

A cold start ingests the whole history (~300k records at 50k cards), so
typical records (a review or flag change without unusual fields) are matched
by one regex and their values converted directly; the objects are then built
in columns (`fastbuild.build_many`). Anything the regex does not match (flags,
long ids, hand-edited spacing) returns None and is read by `tomllib` through
`statecodec.decode_event`, which applies the same checks. The checks here
mirror `core.state.validate_state`; tests compare both paths on the same input.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from retain.core.state import EVENT_KINDS, CardState, Event
from retain.store.fastbuild import build_many, field_names

__all__ = ["decode_many", "fast_record"]

_FLOAT = rb"(\d{1,7}(?:\.\d{1,17})?(?:e[+-]?\d{1,3})?)"


def _state(name: bytes) -> bytes:
    return (
        rb"(?:" + name + rb"=\{s=([0-3])(?:,p=(\d{1,3}))?(?:,S=" + _FLOAT + rb")?(?:,D=" + _FLOAT + rb")?"
        rb"(?:,l=(false|-?\d{1,15}))?(?:,d=(-?\d{1,9}))?(?:,n=(\d{1,9}))?(?:,f=(\d{1,9}))?\},)?"
    )


_LINE = re.compile(
    rb'\d{1,15}=\{i=(?:(\d{1,11})|"([A-Za-z0-9._:-]{1,200})"),(?:k="([a-z]{3,9})",)?'
    rb'u="([a-z0-9][a-z0-9:/-]{2,140})",'
    rb"t=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z),(?:r=([0-4]),)?(?:ms=(\d{1,9}),)?"
    rb'(?:x=(?:(\d{1,11})|"([A-Za-z0-9._:-]{1,200})"),)?'
    + _state(b"b")
    + _state(b"a")
    + rb'c="[0-9a-f]{8}"\}\r?\n\Z'
)
_KEY_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,63}/[a-z0-9][a-z0-9-]{0,63}(?::reverse|:c[1-9][0-9]{0,3})?")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_ABSURD = timedelta(days=365 * 200)
_STATE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
_EVENT_FIELDS = field_names(Event)
_MAX_DURATION_MS = 10**8
_keys_ok: set[str] = set()


class _Bad(Exception):
    pass


_gaps: dict[bytes, timedelta] = {}


def _gap(seconds: bytes) -> timedelta:
    """timedelta(seconds=...) for a due gap; intervals repeat, so they are kept."""
    td = _gaps.get(seconds)
    if td is None:
        if len(_gaps) > 100_000:
            _gaps.clear()
        td = _gaps[seconds] = timedelta(seconds=int(seconds))
    return td


def _state_row(g: Sequence[Any], i: int, t: datetime, limit: datetime) -> tuple[Any, ...] | None:
    state_b, step_b, stab_b, diff_b, lr, due_b, reps_b, lapses_b = g[i : i + 8]
    if state_b is None:
        return None
    state = int(state_b)
    stab = None if stab_b is None else float(stab_b)
    diff = None if diff_b is None else float(diff_b)
    last = t if lr is None else None if lr == b"false" else t + timedelta(microseconds=int(lr))
    due = None if due_b is None else (last or t) + _gap(due_b)
    if stab is None or diff is None:
        if state >= 2:
            raise _Bad("stability or difficulty is missing")
        if stab is not None and not 0 < stab <= 1e6:
            raise _Bad(f"stability {stab!r} is out of range")
        if diff is not None and not 0 < diff <= 10:
            raise _Bad(f"difficulty {diff!r} is out of range")
    elif not (0 < stab <= 1e6 and 0 < diff <= 10):
        raise _Bad(f"stability {stab!r} or difficulty {diff!r} is out of range")
    if due is None:
        if state:
            raise _Bad("due is missing")
    elif due > limit:
        raise _Bad("a date is absurdly far in the future")
    if last is not None and last > limit:
        raise _Bad("a date is absurdly far in the future")
    return (
        state,
        None if step_b is None else int(step_b),
        stab,
        diff,
        due,
        last,
        0 if reps_b is None else int(reps_b),
        0 if lapses_b is None else int(lapses_b),
    )


def _row(line: bytes, limit: datetime, device: str) -> tuple[Any, ...] | None:
    m = _LINE.match(line)
    if m is None:
        return None
    g = m.groups()
    t = datetime.fromisoformat(g[4].decode())
    if g[0] is not None:
        if not device:
            return None
        ns = (t - _EPOCH) // _US * 1000
        event_id = f"{device}-{ns:019d}-{int(g[0])}"
    else:
        event_id = g[1].decode()
    kind = "review" if g[2] is None else g[2].decode()
    key = g[3].decode()
    rating = 0 if g[5] is None else int(g[5])
    duration = 0 if g[6] is None else int(g[6])
    if g[7] is not None:
        if not device:
            return None
        undoes = f"{device}-{(t - _EPOCH) // _US * 1000:019d}-{int(g[7])}"
    else:
        undoes = "" if g[8] is None else g[8].decode()
    if key not in _keys_ok:
        if not _KEY_RE.fullmatch(key):
            raise _Bad(f"bad unit key {key[:80]!r}")
        if len(_keys_ok) > 500_000:
            _keys_ok.clear()
        _keys_ok.add(key)
    if kind not in EVENT_KINDS:
        raise _Bad(f"unknown event kind {kind!r}")
    if (kind == "review") != (rating > 0):
        raise _Bad(f"rating {rating} is out of range")
    if duration > _MAX_DURATION_MS:
        raise _Bad("duration_ms is out of range")
    if t > limit:
        raise _Bad("event time is absurdly far in the future")
    return (
        event_id,
        kind,
        key,
        t,
        _state_row(g, 17, t, limit),
        _state_row(g, 9, t, limit),
        rating,
        duration,
        undoes,
    )


def _states(rows: list[tuple[Any, ...] | None]) -> list[CardState | None]:
    present = [r for r in rows if r is not None]
    built = iter(
        build_many(CardState, _STATE_FIELDS, list(zip(*present, strict=True)) or [[]] * 8, len(present))
    )
    return [None if r is None else next(built) for r in rows]


def decode_many(
    lines: Sequence[tuple[int, bytes]], now: datetime, device: str
) -> tuple[list[tuple[int, Event]], list[tuple[int, bytes, str]], list[tuple[int, bytes]]]:
    """(decoded, refused (offset, line, why), not matched) for CRC-checked record lines."""
    limit = now + _ABSURD
    offsets: list[int] = []
    rows: list[tuple[Any, ...]] = []
    refused: list[tuple[int, bytes, str]] = []
    slow: list[tuple[int, bytes]] = []
    for offset, line in lines:
        try:
            row = _row(line, limit, device)
        except (_Bad, ValueError) as exc:
            refused.append((offset, line, str(exc)))
            continue
        if row is None:
            slow.append((offset, line))
        else:
            offsets.append(offset)
            rows.append(row)
    if not rows:
        return [], refused, slow
    cols = [list(c) for c in zip(*rows, strict=True)]
    cols[4] = _states(cols[4])  # after
    cols[5] = _states(cols[5])  # before
    events = build_many(Event, _EVENT_FIELDS, cols, len(rows))
    return list(zip(offsets, events, strict=True)), refused, slow


def fast_record(line: bytes, now: datetime, device: str) -> Event | None:
    """One line through the fast path; None when it needs the general reader. Raises ValueError."""
    decoded, refused, _slow = decode_many([(0, line)], now, device)
    if refused:
        from retain.core.state import StateError

        raise StateError(refused[0][2])
    return decoded[0][1] if decoded else None
