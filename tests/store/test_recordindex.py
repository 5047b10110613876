"""The index's block reader (`recordindex`) takes exactly what `recordfast` takes, value for value.

Lines are generated field by field in the record grammar, with values in and out
of range (dates near year 1 and 9999, intervals that overflow, stabilities of
1e7, unknown kinds, numeric ids without a device), so both the pattern and every
check are compared: the block reader must give the reference reader's columns,
or refuse (None) exactly when the reference refuses the batch.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import NOW

from retain.store.state import recordfast as rf
from retain.store.state.recordfast import IndexCols, index_many
from retain.store.state.recordindex import _pattern, index_block

_digits = st.integers(0, 10**15 - 1).map(str)
_num_id = st.one_of(st.just("0"), st.integers(1, 10**11 - 1).map(str))
_text_id = st.from_regex(r"[A-Za-z0-9._:-]{1,30}", fullmatch=True)
_key = st.from_regex(r"[a-z0-9][a-z0-9-]{0,8}/[a-z0-9][a-z0-9-]{0,8}(:reverse|:c[1-9])?", fullmatch=True)
_when = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1))
_float = st.floats(min_value=1e-3, max_value=9.99).map(lambda f: f"{f:.6g}")
_micros = st.one_of(st.integers(-(10**12), 0).map(str), st.just("false"))
_secs = st.integers(0, 10**8).map(str)
_gap_us = st.integers(-(10**15) + 1, 10**15 - 1).map(str)  # `du`: a due not whole seconds after `l`
# One value made wrong (or odd) in a line: field, value. Each is refused by the reference, or sits
# at a limit it still takes (a stability of exactly 1e6, a difficulty of exactly 10, a duration of 1e8).
_HOSTILE = [
    ("S", "0"),
    ("S", "1e6"),
    ("S", "1000000.1"),
    ("S", "1e7"),
    ("S", "9999999e999"),
    ("S", "5e-3"),
    ("D", "10"),
    ("D", "10.000001"),
    ("D", "0.0"),
    ("D", "1e1"),
    ("l", "999999999999999"),
    ("l", "-999999999999999"),
    ("d", "999999999"),
    ("d", "-999999999"),
    ("du", "999999999999999"),
    ("du", "-999999999999999"),
    ("du", "1000000000000000"),
    ("du", "86400000001"),
    ("t", "0001-01-01T00:00:00Z"),
    ("t", "0001-01-01T00:00:01Z"),
    ("t", "9999-12-31T23:59:59Z"),
    ("t", "2226-03-01T00:00:00Z"),
    ("t", "2026-13-01T00:00:00Z"),
    ("t", "2026-02-30T00:00:00.5Z"),
    ("k", "bogus"),
    ("k", "undo"),
    ("k", "cram"),
    ("r", "0"),
    ("r", None),
    ("ms", str(10**8)),
    ("ms", str(10**8 + 1)),
    ("u", "abc"),
    ("u", "a/b/c"),
    ("u", "-x/y"),
    ("u", "d/c:c0"),
    ("s", "2 without S"),
    ("s", "1 without d"),
    ("x", "12"),
    ("x", '"undone-1"'),
    ("i", "0"),
]


def _opt(strategy: st.SearchStrategy[str]) -> st.SearchStrategy[str | None]:
    return st.none() | strategy


@st.composite
def _state(draw: st.DrawFn, name: str, hostile: tuple[str, str | None] | None) -> str:
    state = draw(st.integers(0, 3))
    values: dict[str, str | None] = {
        "s": str(state),
        "p": draw(_opt(st.integers(0, 999).map(str))),
        "S": draw(_float) if state >= 2 else draw(_opt(_float)),
        "D": draw(_float) if state >= 2 else draw(_opt(_float)),
        "l": draw(_opt(_micros)),
        "d": draw(_secs) if state else draw(_opt(_secs)),
        "du": None,
        "n": draw(_opt(st.integers(0, 10**6).map(str))),
        "f": draw(_opt(st.integers(0, 100).map(str))),
    }
    if values["d"] is not None and draw(st.booleans()):
        values["d"], values["du"] = None, draw(_gap_us)
    if hostile is not None:
        field, value = hostile
        if field == "du":
            values["d"] = None
        if field == "s":
            values["s"], gone = value.split(" without ") if value else ("", "")
            values[gone] = None
        elif field in values:
            values[field] = value
    return f"{name}={{{','.join(f'{k}={v}' for k, v in values.items() if v is not None)}}},"


@st.composite
def _line(draw: st.DrawFn) -> bytes:
    hostile = draw(st.sampled_from(_HOSTILE)) if draw(st.booleans()) else None
    field, odd = hostile if hostile is not None else ("", None)
    ident = draw(_num_id) if draw(st.booleans()) else f'"{draw(_text_id)}"'
    kind = (
        odd
        if field == "k"
        else draw(st.sampled_from([None, None, None, "review", "suspend", "cram", "reset"]))
    )
    when = draw(_when)
    frac = draw(st.sampled_from(["", f".{when.microsecond:06d}", f".{when.microsecond // 1000:03d}", ".5"]))
    stamp = odd if field == "t" else when.strftime("%Y-%m-%dT%H:%M:%S") + frac + "Z"
    rated = kind in (None, "review", "cram")
    rating = odd if field == "r" else str(draw(st.integers(1, 4))) if rated else None
    ms = odd if field == "ms" else draw(_opt(st.integers(0, 10**5).map(str)))
    undoes = odd if field == "x" else None
    key = odd if field == "u" else draw(_key)
    body = f"{draw(_digits)}={{i={odd if field == 'i' else ident},"
    body += f'k="{kind}",' if kind is not None else ""
    body += f'u="{key}",t={stamp},'
    body += f"r={rating}," if rating is not None else ""
    body += f"ms={ms}," if ms is not None else ""
    body += f"x={undoes}," if undoes is not None else ""
    for name in ("b", "a"):
        if draw(st.booleans()):
            body += draw(_state(name, hostile if field in "sSDld" and field else None))
    raw = body.encode()
    return raw + b'c="%08x"}' % zlib.crc32(raw) + (b"\r" if draw(st.integers(0, 9)) == 0 else b"")


def _reference(lines: list[tuple[int, bytes]], device: str) -> IndexCols | None:
    """What `recordfast` makes of the batch as a whole (None: some line is not taken)."""
    offsets, groups, slow = rf._matched(lines)
    if slow:
        return None
    try:
        return rf._index_cols(offsets, rf._checked(groups, NOW + rf._ABSURD, device))
    except (rf._Bad, ValueError, OverflowError):
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(_line(), min_size=1, max_size=6), st.sampled_from(["dev1", "dev1", "dev1", ""]))
def test_block_reader_takes_what_the_reference_takes(raw_lines: list[bytes], device: str) -> None:
    lines = []
    offset = 57
    for line in raw_lines:
        lines.append((offset, line))
        offset += len(line) + 1
    expected = _reference(lines, device)
    assert index_block(lines, NOW, device) == expected
    if expected is not None:  # and the index's reader gives it
        assert index_many(lines, NOW, device) == (expected, [], [])


@settings(max_examples=400, deadline=None)
@given(_line(), st.data())
def test_the_block_pattern_accepts_the_same_lines(line: bytes, data: st.DataObject) -> None:
    """Its possessive repeats change no verdict: one character inserted, dropped or changed anywhere."""
    at = data.draw(st.integers(0, len(line)))
    char = data.draw(st.sampled_from(list(b'0159aez.-+":,{}=/_ \r')))
    how = data.draw(st.sampled_from(["insert", "drop", "change", "keep"]))
    if how == "insert":
        line = line[:at] + bytes([char]) + line[at:]
    elif how == "drop":
        line = line[:at] + line[at + 1 :]
    elif how == "change":
        line = line[:at] + bytes([char]) + line[at + 1 :]
    old = rf._line().match(line) is not None
    new = len(_pattern().findall(line.decode("ascii"))) == 1
    assert old == new, line


def _record(changes: list[tuple[str, str | None]]) -> bytes:
    """A fixed review record with `changes` (field, value; None drops it) in its top level and
    both states (s, S, D, l, d)."""
    top: dict[str, str | None] = {"i": "7", "k": None, "u": '"d/c"', "t": "2026-03-27T12:00:00Z"}
    top |= {"r": "3", "ms": "100", "x": None}
    states: list[dict[str, str | None]] = [
        {"s": "2", "S": "3.0", "D": "5.0", "l": "-86400000000", "d": "86400"},
        {"s": "2", "S": "4.0", "D": "5.0", "l": None, "d": "172800"},
    ]
    for field, value in changes:
        for table in (top, *states):
            if field in table:
                table[field] = value
    body = "1={" + ",".join(f"{k}={v}" for k, v in top.items() if v is not None) + ","
    for name, table in zip("ba", states, strict=True):
        body += f"{name}={{{','.join(f'{k}={v}' for k, v in table.items() if v is not None)}}},"
    raw = body.encode()
    return raw + b'c="%08x"}' % zlib.crc32(raw)


@pytest.mark.parametrize(
    "changes",
    [
        *[[h] for h in _HOSTILE if h[0] != "s"],
        [("s", "1"), ("d", None)],
        [("s", "3"), ("S", None)],
        [("s", "2"), ("D", None)],
        [("s", "0"), ("S", None), ("D", None), ("d", None)],
        [("t", "0001-01-01T00:00:01Z"), ("l", "false"), ("d", "-1")],  # due exactly at the lowest date
        [("t", "0001-01-01T00:00:01Z"), ("l", "false"), ("d", "-2")],  # below it
        [("t", "0001-01-01T00:00:01Z"), ("l", "-1000000"), ("d", "0")],
        [("t", "0001-01-01T00:00:01Z"), ("l", "-999999"), ("d", "0")],
        [("k", '"cram"'), ("r", "2")],
        [("k", '"suspend"'), ("r", None)],
        [("k", '"suspend"'), ("r", "1")],
        [("x", "3"), ("i", '"t-1"')],
    ],
)
@pytest.mark.parametrize("device", ["dev1", ""])
def test_each_limit_is_where_the_reference_has_it(changes: list[tuple[str, str | None]], device: str) -> None:
    fixed = [(k, f'"{v}"' if k in ("k", "u") and v and not v.startswith('"') else v) for k, v in changes]
    lines = [(0, _record([])), (300, _record(fixed))]
    assert index_block(lines, NOW, device) == _reference(lines, device)


def test_a_block_with_an_odd_line_goes_the_reference_way() -> None:
    """A line the pattern does not take, a non-ASCII line or a date out of range: None, and
    `index_many` still reads the rest (through `recordfast`), refusing only that line."""
    when = NOW - timedelta(days=1)
    good = (
        b'1={i=7,u="d/c",t=%s,r=3,ms=100,a={s=2,S=3.0,D=5.0,d=86400},'
        % when.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    )
    good += b'c="%08x"}' % zlib.crc32(good)
    far = good.replace(b"t=2026", b"t=2300")[: -len(b'c="00000000"}')]  # past the 200 years allowed
    far += b'c="%08x"}' % zlib.crc32(far)
    assert index_block([(0, good)], NOW, "dev1") is not None
    assert index_block([(0, good), (200, far)], NOW, "dev1") is None
    assert index_block([(0, good), (200, "é".encode() + good)], NOW, "dev1") is None
    cols, refused, slow = index_many([(0, good), (200, far)], NOW, "dev1")
    assert cols.offsets == [0] and [r[0] for r in refused] == [200] and not slow
    assert cols.t == [
        (when.replace(microsecond=0) - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)
    ]
