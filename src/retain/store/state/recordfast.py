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

import functools
import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import partial
from itertools import repeat
from operator import add, floordiv, itemgetter, sub
from typing import Any, NamedTuple

from retain.core.state import EVENT_KINDS, RATED_KINDS, CardState, Event
from retain.store.fastbuild import build_many, field_names
from retain.store.state.statecodec import KEY_RE

__all__ = ["IndexCols", "cols_from_events", "decode_many", "fast_record", "index_many"]

_FLOAT = rb"(\d{1,7}(?:\.\d{1,17})?(?:e[+-]?\d{1,3})?)"


def _state(name: bytes) -> bytes:
    return (
        rb"(?:" + name + rb"=\{s=([0-3])(?:,p=(\d{1,3}))?(?:,S=" + _FLOAT + rb")?(?:,D=" + _FLOAT + rb")?"
        rb"(?:,l=(false|-?\d{1,15}))?(?:,(d=-?\d{1,9}|du=-?\d{1,15}))?(?:,n=(\d{1,9}))?(?:,f=(\d{1,9}))?\},)?"
    )


_LINE_PATTERN = (
    rb'\d{1,15}=\{i=(?:(0|[1-9]\d{0,10})|"([A-Za-z0-9._:-]{1,200})"),(?:k="([a-z]{3,9})",)?'
    rb'u="([a-z0-9][a-z0-9:/-]{2,140})",'
    rb"t=(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,6})?Z),(?:r=([0-4]),)?(?:ms=(\d{1,9}),)?"
    rb'(?:x=(?:(0|[1-9]\d{0,10})|"([A-Za-z0-9._:-]{1,200})"),)?'
    + _state(b"b")
    + _state(b"a")
    + rb'c="[0-9a-f]{8}"\}\r?\n?\Z'
)


@functools.cache
def _line() -> re.Pattern[bytes]:
    """The record pattern, compiled on first use (~10 ms: not on the start-up path of commands
    that never read the journal)."""
    return re.compile(_LINE_PATTERN)


_KEY_RE = KEY_RE  # the one key rule (its cloze limit is core.cloze.MAX_CLOZE)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_ABSURD = timedelta(days=365 * 200)
_STATE_FIELDS = ("state", "step", "stability", "difficulty", "due", "last_review", "reps", "lapses")
_EVENT_FIELDS = field_names(Event)[:9]  # up to `undoes`: a line with `g` (a group) is not taken here
_MAX_DURATION_MS = 10**8
_keys_ok: set[str] = set()
_KINDS = frozenset(EVENT_KINDS)
_MIN = datetime.min.replace(tzinfo=UTC)
_td_us = partial(timedelta, 0, 0)


def _or_zero(value: bytes | None) -> bytes:
    return b"0" if value is None else value


class _Bad(Exception):
    pass


_gaps: dict[bytes, timedelta] = {}


def _gap_of(token: bytes) -> timedelta:
    """A due gap from its token: `d=<seconds>`, or `du=<microseconds>` (a due that is not a whole
    number of seconds after the last review: an imported Anki card's day start)."""
    return timedelta(microseconds=int(token[3:])) if token[1:2] == b"u" else timedelta(seconds=int(token[2:]))


def _gap(token: bytes) -> timedelta:
    """`_gap_of`; intervals repeat, so they are kept."""
    td = _gaps.get(token)
    if td is None:
        if len(_gaps) > 100_000:
            _gaps.clear()
        td = _gaps[token] = _gap_of(token)
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


def _row(g: Sequence[Any], limit: datetime, device: str) -> tuple[Any, ...] | None:
    """One line's values, checked one by one (to say what is wrong with a refused line)."""
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
    if (kind in RATED_KINDS) != (rating > 0):
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


def _opt(col: Sequence[Any], conv: Any, default: Any = None) -> list[Any]:
    """`conv` over a column whose missing values (None) become `default`, at C speed when none is missing."""
    missing = col.count(None)
    if not missing:
        return list(map(conv, col))
    if missing == len(col):
        return [default] * missing
    return [default if v is None else conv(v) for v in col]


def _gap_list(col: Sequence[bytes]) -> list[timedelta]:
    new = set(col) - _gaps.keys()
    if new:
        if len(_gaps) > 100_000:
            _gaps.clear()
            new = set(col)
        for v in new:
            _gaps[v] = _gap_of(v)
    return list(map(_gaps.__getitem__, col))


def _fits(values: list[Any], low: Any, high: Any) -> bool:
    present = [v for v in values if v is not None] if None in values else values
    return not present or (min(present) > low and max(present) <= high)


class _StateCols(NamedTuple):
    """One slot's (before or after) validated values for the rows in `idx` (all rows when `idx` is None)."""

    idx: list[int] | None
    values: list[list[Any]]  # state, step, stability, difficulty, due, last_review, reps, lapses


def _state_values(c: Sequence[Sequence[Any]], times: list[datetime], limit: datetime) -> _StateCols | None:
    """One slot's values for all rows, checked; None when no row has it; raises _Bad when any is out of range."""
    if None in c[0]:
        idx = [i for i, v in enumerate(c[0]) if v is not None]
        if not idx:
            return None
        pick = itemgetter(*idx) if len(idx) > 1 else (lambda col: (col[idx[0]],))
        c = [pick(col) for col in c]
        t = list(pick(times))
        rows: list[int] | None = idx
    else:
        rows, t = None, times
    state = list(map(int, c[0]))
    step = _opt(c[1], int)
    stab = _opt(c[2], float)
    diff = _opt(c[3], float)
    if None not in c[4]:
        last: list[Any] = list(map(add, t, map(_td_us, map(int, c[4])))) if b"false" not in c[4] else []
    elif c[4].count(None) == len(c[4]):
        last = list(t)
    else:
        last = []
    if not last:
        last = [
            tt if v is None else None if v == b"false" else tt + timedelta(microseconds=int(v))
            for tt, v in zip(t, c[4], strict=True)
        ]
    if None not in c[5] and None not in last:
        due: list[Any] = list(map(add, last, _gap_list(c[5])))
    else:
        due = [None if v is None else (lr or tt) + _gap(v) for tt, lr, v in zip(t, last, c[5], strict=True)]
    reps = _opt(c[6], int, 0)
    lapses = _opt(c[7], int, 0)
    if not (
        _fits(stab, 0, 1e6) and _fits(diff, 0, 10) and _fits(due, _MIN, limit) and _fits(last, _MIN, limit)
    ):
        raise _Bad("a value is out of range")
    if None in stab or None in diff or None in due:
        for st, sb, df, du in zip(state, stab, diff, due, strict=True):
            if (st >= 2 and (sb is None or df is None)) or (st and du is None):
                raise _Bad("a required value is missing")
    return _StateCols(rows, [state, step, stab, diff, due, last, reps, lapses])


def _spread(cols: _StateCols | None, built: Sequence[Any], n: int) -> list[Any]:
    """`built` (one per row of `cols`) placed at their rows among `n`, None elsewhere."""
    if cols is None:
        return [None] * n
    if cols.idx is None:
        return list(built)
    out: list[Any] = [None] * n
    for i, obj in zip(cols.idx, built, strict=True):
        out[i] = obj
    return out


def _states(cols: _StateCols | None, n: int) -> list[CardState | None]:
    if cols is None:
        return [None] * n
    built = build_many(CardState, _STATE_FIELDS, cols.values, len(cols.values[0]))
    return _spread(cols, built, n)


def _ids(nums: Sequence[Any], texts: Sequence[Any], times: list[datetime], device: str) -> list[str]:
    if None not in texts:
        return list(map(bytes.decode, texts))
    if not device:
        raise _Bad("an id is a number but the journal's device is unknown")
    us = map(floordiv, map(sub, times, repeat(_EPOCH)), repeat(_US))
    made = map(
        f"{device}-{{}}000-{{}}".format, map("{:016d}".format, us), map(bytes.decode, map(_or_zero, nums))
    )
    if texts.count(None) == len(texts):
        return list(made)
    return [m if x is None else x.decode() for m, x in zip(made, texts, strict=True)]


class _Checked(NamedTuple):
    """The values of many lines, converted column by column and checked."""

    times: list[datetime]
    ids: list[str]
    kinds: list[str]
    keys: list[str]
    rating: list[int]
    duration: list[int]
    undoes: list[str]
    before: _StateCols | None
    after: _StateCols | None


def _checked(groups: list[tuple[Any, ...]], limit: datetime, device: str) -> _Checked:
    """The regex groups of many lines as checked columns; _Bad when any row fails."""
    cols = list(zip(*groups, strict=True))
    n = len(groups)
    times = list(map(datetime.fromisoformat, map(bytes.decode, cols[4])))
    if max(times) > limit:
        raise _Bad("an event time is absurdly far in the future")
    ids = _ids(cols[0], cols[1], times, device)
    kinds = _opt(cols[2], bytes.decode, "review")
    keys = list(map(bytes.decode, cols[3]))
    fresh = set(keys) - _keys_ok
    if fresh:
        if not all(_KEY_RE.fullmatch(k) for k in fresh):
            raise _Bad("a unit key is not valid")
        if len(_keys_ok) > 500_000:
            _keys_ok.clear()
        _keys_ok.update(fresh)
    rating = _opt(cols[5], int, 0)
    duration = _opt(cols[6], int, 0)
    if max(duration) > _MAX_DURATION_MS or not set(kinds) <= _KINDS:
        raise _Bad("a value is out of range")
    if any((k in RATED_KINDS) != (r > 0) for k, r in zip(kinds, rating, strict=True)):
        raise _Bad("a rating is out of range")
    if cols[7].count(None) == n and cols[8].count(None) == n:
        undoes: list[str] = [""] * n
    else:
        undoes = [
            "" if q is None and x is None else _ids([q], [x], [t], device)[0]
            for q, x, t in zip(cols[7], cols[8], times, strict=True)
        ]
    before = _state_values(cols[9:17], times, limit)
    after = _state_values(cols[17:25], times, limit)
    return _Checked(times, ids, kinds, keys, rating, duration, undoes, before, after)


def _columns(groups: list[tuple[Any, ...]], limit: datetime, device: str) -> list[Event]:
    """Events from the regex groups of many lines; _Bad when any row fails."""
    c = _checked(groups, limit, device)
    n = len(groups)
    before, after = _states(c.before, n), _states(c.after, n)
    return build_many(
        Event,
        _EVENT_FIELDS,
        [c.ids, c.kinds, c.keys, c.times, after, before, c.rating, c.duration, c.undoes],
        n,
    )


def _matched(
    lines: Sequence[tuple[int, bytes]],
) -> tuple[list[int], list[tuple[Any, ...]], list[tuple[int, bytes]]]:
    """(offsets, regex groups) of the lines the fast pattern matches, and the (offset, line) of the rest."""
    match = _line().match
    offsets: list[int] = []
    groups: list[tuple[Any, ...]] = []
    slow: list[tuple[int, bytes]] = []
    for offset, line in lines:
        m = match(line)
        if m is None:
            slow.append((offset, line))
        else:
            offsets.append(offset)
            groups.append(m.groups())
    return offsets, groups, slow


def decode_many(
    lines: Sequence[tuple[int, bytes]], now: datetime, device: str
) -> tuple[list[tuple[int, Event]], list[tuple[int, bytes, str]], list[tuple[int, bytes]]]:
    """(decoded, refused (offset, line, why), not matched) for CRC-checked record lines."""
    limit = now + _ABSURD
    offsets, groups, slow = _matched(lines)
    if not groups:
        return [], [], slow
    try:
        events = _columns(groups, limit, device)
        return list(zip(offsets, events, strict=True)), [], slow
    except (_Bad, ValueError, OverflowError):
        pass  # some line is out of range: go line by line to say which
    decoded: list[tuple[int, Event]] = []
    refused: list[tuple[int, bytes, str]] = []
    by_offset = dict(lines)
    for offset, g in zip(offsets, groups, strict=True):
        try:
            decoded += zip([offset], _columns([g], limit, device), strict=True)
        except (_Bad, ValueError, OverflowError):
            try:
                _row(g, limit, device)
                why = "a value is out of range"
            except (_Bad, ValueError, OverflowError) as exc:
                why = str(exc)
            refused.append((offset, by_offset[offset], why))
    return decoded, refused, slow


def fast_record(line: bytes, now: datetime, device: str) -> Event | None:
    """One line through the fast path; None when it needs the general reader. Raises ValueError."""
    decoded, refused, _slow = decode_many([(0, line)], now, device)
    if refused:
        from retain.core.state import StateError

        raise StateError(refused[0][2])
    return decoded[0][1] if decoded else None


# -- the history index's rows, without building events ----------------------------------

KIND_INDEX = {kind: i for i, kind in enumerate(EVENT_KINDS)}


class IndexCols(NamedTuple):
    """What the history index keeps of each record, column by column (see `store.index.ingest`)."""

    offsets: list[int]
    t: list[int]  # microseconds since the Unix epoch
    eid: list[str]
    kind: list[int]  # index into EVENT_KINDS
    key: list[str]
    rating: list[int]
    ms: list[int]
    undoes: list[str | None]
    bstate: list[int | None]
    blast: list[int | None]  # the last review before the event, microseconds since the epoch
    bdue: list[int | None]  # the due date before the event, microseconds since the epoch
    astate: list[int | None]
    astab: list[float | None]

    @classmethod
    def empty(cls) -> IndexCols:
        return cls([], [], [], [], [], [], [], [], [], [], [], [], [])

    def extend(self, other: IndexCols) -> None:
        for name in self._fields:
            getattr(self, name).extend(getattr(other, name))


def _micros(times: Sequence[datetime]) -> list[int]:
    return list(map(floordiv, map(sub, times, repeat(_EPOCH)), repeat(_US)))


def _micros_of(cols: _StateCols | None, field: int, n: int) -> list[int | None]:
    """A datetime field of the states (4: due, 5: last review) in microseconds, spread over `n` rows."""
    if cols is None:
        return [None] * n
    times = cols.values[field]
    if None in times:
        return _spread(cols, [None if x is None else (x - _EPOCH) // _US for x in times], n)
    return _spread(cols, _micros(times), n)


def _index_cols(offsets: list[int], c: _Checked) -> IndexCols:
    n = len(offsets)
    undoes: list[str | None] = [u or None for u in c.undoes] if any(c.undoes) else [None] * n
    return IndexCols(
        offsets,
        _micros(c.times),
        c.ids,
        list(map(KIND_INDEX.__getitem__, c.kinds)),
        c.keys,
        c.rating,
        c.duration,
        undoes,
        _spread(c.before, c.before.values[0], n) if c.before else [None] * n,
        _micros_of(c.before, 5, n),
        _micros_of(c.before, 4, n),
        _spread(c.after, c.after.values[0], n) if c.after else [None] * n,
        _spread(c.after, c.after.values[2], n) if c.after else [None] * n,
    )


def cols_from_events(decoded: Sequence[tuple[int, Event]]) -> IndexCols:
    """The index columns of events decoded the general way (format 1, unusual lines), or of
    events a writer has just recorded (their stability then still to be rounded)."""
    events = [e for _offset, e in decoded]
    befores = [e.before for e in events]
    afters = [e.after for e in events]
    return IndexCols(
        [offset for offset, _e in decoded],
        [(e.time - _EPOCH) // _US for e in events],
        [e.id for e in events],
        [KIND_INDEX[e.kind] for e in events],
        [e.key for e in events],
        [e.rating for e in events],
        [e.duration_ms for e in events],
        [e.undoes or None for e in events],
        [None if b is None else b.state for b in befores],
        [None if b is None or b.last_review is None else (b.last_review - _EPOCH) // _US for b in befores],
        [None if b is None or b.due is None else (b.due - _EPOCH) // _US for b in befores],
        [None if a is None else a.state for a in afters],
        [None if a is None else a.stability for a in afters],
    )


def index_many(
    lines: Sequence[tuple[int, bytes]], now: datetime, device: str
) -> tuple[IndexCols, list[tuple[int, bytes, str]], list[tuple[int, bytes]]]:
    """`decode_many` for the history index: (columns, refused, not matched), with no objects built.

    The checks are the same (`_checked`); a batch with any line out of range goes
    through `decode_many`, which says which line it is.
    """
    from retain.store.state.recordindex import index_block  # it builds on this module

    fast = index_block(lines, now, device)  # the usual batch: every line ordinary and in range
    if fast is not None:
        return fast, [], []
    limit = now + _ABSURD
    offsets, groups, slow = _matched(lines)
    if not groups:
        return IndexCols.empty(), [], slow
    try:
        return _index_cols(offsets, _checked(groups, limit, device)), [], slow
    except (_Bad, ValueError, OverflowError):
        pass
    matched = set(offsets)
    decoded, refused, _slow = decode_many([(o, ln) for o, ln in lines if o in matched], now, device)
    return cols_from_events(decoded), refused, slow
