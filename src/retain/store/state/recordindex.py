"""The history index's columns from many record lines at once, in integer microseconds.

A cold build of the index decodes every record (~300k at 50k cards) in worker
processes; `recordfast.index_many` took ~11 us a line, half of it in one regex
match per line and half in building datetimes for values the index keeps as
numbers. Here the lines of a batch (already CRC-checked) are joined and matched
by one `findall` of the same record pattern (its bounded repeats made
possessive: each is followed by a character it cannot match, so the lines it
accepts are the same), and times are added, compared and subtracted as integer
microseconds. A batch is taken only when every line matched and every value is
in range; otherwise `None`, and the caller goes through `recordfast`, which
says which line is wrong. The checks mirror `recordfast._checked` one by one
(see the notes below); hypothesis tests compare both on generated and hostile
lines.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from itertools import repeat
from operator import add, floordiv, itemgetter, mul, sub
from typing import Any

from retain.core.state import EVENT_KINDS, RATED_KINDS
from retain.store.state import recordfast as rf
from retain.store.state.recordfast import IndexCols

__all__ = ["index_block"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)
_MIN_US = (datetime.min.replace(tzinfo=UTC) - _EPOCH) // _US  # as recordfast._MIN: a value must be above it
_KIND = {"": 0, **{kind: i for i, kind in enumerate(EVENT_KINDS)}}  # "": no k= (a review)
_RATED = frozenset(_KIND[k] for k in RATED_KINDS)
_RATING = {"": 0, "0": 0, "1": 1, "2": 2, "3": 3, "4": 4}  # the pattern allows [0-4]


class _Bad(Exception):
    pass


_UNDOES = rb'(?:x=(?:(0|[1-9]\d{0,10})|"([A-Za-z0-9._:-]{1,200})"),)?'


@functools.cache
def _pattern() -> re.Pattern[str]:
    """`recordfast`'s record pattern for a block of lines: anchored at line ends (`^`, `$` in
    MULTILINE), step/reps/lapses not captured (only their form is checked, as there), and every
    bounded repeat possessive (none can give back a character its next token would take)."""
    pat = rf._LINE_PATTERN.replace(rb"\r?\n?\Z", rb"\r?$")
    # `g` (the events of one user action: a bulk suspend) is not indexed (undo reads it from the
    # journal), so its lines are read here too rather than one by one by tomllib (~10x slower).
    pat = pat.replace(_UNDOES, _UNDOES + rb'(?:g=(?:0|[1-9]\d{0,10}|"[A-Za-z0-9._:-]{1,200}"),)?')
    for name in (b"p", b"n", b"f"):
        pat = pat.replace(b"(?:," + name + rb"=(\d", b"(?:," + name + rb"=(?:\d")
    pat = re.sub(rb"(\{\d+,\d+\})", rb"\1+", pat)
    return re.compile("^" + pat.decode("ascii"), re.MULTILINE | re.ASCII)


# The groups of `_pattern` (19): id number, id text, kind, key, time, rating, ms, undoes number,
# undoes text, then per state (before, after): s, S, D, l, d. A group that took no part is "".
_BEFORE, _AFTER = 9, 14


def index_block(lines: Sequence[tuple[int, bytes]], now: datetime, device: str) -> IndexCols | None:
    """The index columns of CRC-checked record lines (offset, line without its newline), or None
    when any line is not an ordinary record or any value is refused (`recordfast` reads them then)."""
    if not lines:
        return None
    try:
        text = b"\n".join([line for _o, line in lines]).decode("ascii")
    except UnicodeDecodeError:
        return None
    found = _pattern().findall(text)
    if len(found) != len(lines):  # each match is one whole line: so some line did not match
        return None
    limit = (now + rf._ABSURD - _EPOCH) // _US
    try:
        return _columns([o for o, _line in lines], found, limit, device)
    except (_Bad, KeyError, ValueError, OverflowError):
        return None


def _ids(nums: Sequence[str], texts: Sequence[str], t: list[int], device: str) -> list[str]:
    """As `recordfast._ids`: a number is made unique by the device and the time."""
    if "" not in texts:
        return list(texts)
    if not device:
        raise _Bad("an id is a number but the journal's device is unknown")
    made = map((device.replace("{", "{{").replace("}", "}}") + "-{:016d}000-{}").format, t, nums)
    if texts.count("") == len(texts):
        return list(made)
    return [x or m for m, x in zip(made, texts, strict=True)]


_AFTER_D = itemgetter(slice(2, None))  # "d=86400" -> "86400"


def _gaps_us(col: Sequence[str]) -> Iterator[int]:
    """`_gap_us` of a column: at C speed when every gap is in seconds (`d=`), as most are."""
    if any(map(str.startswith, col, repeat("du="))):
        return map(_gap_us, col)
    return map(mul, map(int, map(_AFTER_D, col)), repeat(1_000_000))


def _gap_us(token: str) -> int:
    """A due gap's microseconds from its token: `d=<seconds>` or `du=<microseconds>`."""
    return int(token[3:]) if token[1] == "u" else int(token[2:]) * 1_000_000


def _ints(col: Sequence[str]) -> list[int]:
    """Digits to ints; "" (absent) is 0."""
    if "" not in col:
        return list(map(int, col))
    return [int(v) if v else 0 for v in col]


def _floats(col: Sequence[str]) -> list[float | None]:
    if "" not in col:
        return list(map(float, col))
    return [float(v) if v else None for v in col]


def _fits(values: list[Any], low: float, high: float) -> bool:
    """Every present value v has low < v <= high (as recordfast._fits)."""
    present = [v for v in values if v is not None] if None in values else values
    return not present or (min(present) > low and max(present) <= high)


def _spread(idx: list[int] | None, values: list[Any], n: int) -> list[Any]:
    if idx is None:
        return values
    out: list[Any] = [None] * n
    for i, v in zip(idx, values, strict=True):
        out[i] = v
    return out


_Slot = tuple[list[int] | None, list[int], list[float | None], list[int | None], list[int | None]]


def _slot(c: Sequence[Sequence[str]], times: list[int], limit: int) -> _Slot | None:
    """One state slot (before or after) of every row: (rows that have it, None: all; their state,
    stability, last review and due date in microseconds), checked as `recordfast._state_values`;
    None when no row has it."""
    if "" in c[0]:
        rows = [i for i, v in enumerate(c[0]) if v]
        if not rows:
            return None
        first = rows[0]
        pick = itemgetter(*rows) if len(rows) > 1 else (lambda col: (col[first],))
        c = [pick(col) for col in c]
        t: Sequence[int] = pick(times)
        idx: list[int] | None = rows
    else:
        idx, t = None, times
    s_col, stab_col, diff_col, last_col, due_col = c
    state = list(map(int, s_col))
    stab = _floats(stab_col)
    diff = _floats(diff_col)
    # last review: absent is the event's time, "false" none, else the event's time plus microseconds
    last: list[int | None]
    if "" not in last_col and "false" not in last_col:
        last = list(map(add, t, map(int, last_col)))
    elif last_col.count("") == len(last_col):
        last = list(t)
    else:
        last = [
            tt if v == "" else None if v == "false" else tt + int(v)
            for tt, v in zip(t, last_col, strict=True)
        ]
    # due: absent is none, else a gap after the last review (or the event, without one)
    due: list[int | None]
    if "" not in due_col and None not in last:
        due = list(map(add, last, _gaps_us(due_col)))
    else:
        due = [
            None if v == "" else (tt if lr is None else lr) + _gap_us(v)
            for tt, lr, v in zip(t, last, due_col, strict=True)
        ]
    if not (
        _fits(stab, 0, 1e6)
        and _fits(diff, 0, 10)
        and _fits(due, _MIN_US, limit)
        and _fits(last, _MIN_US, limit)
    ):
        raise _Bad("a value is out of range")
    if None in stab or None in diff or None in due:
        for st, sb, df, du in zip(state, stab, diff, due, strict=True):
            if (st >= 2 and (sb is None or df is None)) or (st and du is None):
                raise _Bad("a required value is missing")
    return idx, state, stab, last, due


def _columns(offsets: list[int], found: list[tuple[str, ...]], limit: int, device: str) -> IndexCols:
    cols = list(zip(*found, strict=True))
    n = len(found)
    times = list(map(datetime.fromisoformat, cols[4]))  # ValueError: not a date (refused there too)
    t = list(map(floordiv, map(sub, times, repeat(_EPOCH)), repeat(_US)))
    if max(t) > limit:
        raise _Bad("an event time is absurdly far in the future")
    ids = _ids(cols[0], cols[1], t, device)
    kinds = list(map(_KIND.__getitem__, cols[2]))  # KeyError: an unknown kind
    keys = list(cols[3])
    fresh = set(keys) - rf._keys_ok
    if fresh:
        if not all(map(rf._KEY_RE.fullmatch, fresh)):
            raise _Bad("a unit key is not valid")
        if len(rf._keys_ok) > 500_000:
            rf._keys_ok.clear()
        rf._keys_ok.update(fresh)
    rating = list(map(_RATING.__getitem__, cols[5]))
    ms = _ints(cols[6])
    if max(ms) > rf._MAX_DURATION_MS:
        raise _Bad("duration_ms is out of range")
    if max(kinds) == 0:  # all reviews: every one rated
        if min(rating) < 1:
            raise _Bad("a rating is out of range")
    elif any((k in _RATED) != (r > 0) for k, r in zip(kinds, rating, strict=True)):
        raise _Bad("a rating is out of range")
    undoes: list[str | None]
    if cols[7].count("") == n and cols[8].count("") == n:
        undoes = [None] * n
    else:
        undoes = [
            None if not q and not x else _ids([q], [x], [tt], device)[0] or None
            for q, x, tt in zip(cols[7], cols[8], t, strict=True)
        ]
    before = _slot(cols[_BEFORE : _BEFORE + 5], t, limit)
    after = _slot(cols[_AFTER : _AFTER + 5], t, limit)
    return IndexCols(
        offsets,
        t,
        ids,
        kinds,
        keys,
        rating,
        ms,
        undoes,
        [None] * n if before is None else _spread(before[0], before[1], n),
        [None] * n if before is None else _spread(before[0], before[3], n),
        [None] * n if before is None else _spread(before[0], before[4], n),
        [None] * n if after is None else _spread(after[0], after[1], n),
        [None] * n if after is None else _spread(after[0], after[2], n),
    )
