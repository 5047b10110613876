"""State and event TOML: round trips (floats rounded once, then exact), torn records, hostile values refused."""

from __future__ import annotations

import math
import tomllib
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
import tomli_w
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import NOW

from retain.core.state import RATED_KINDS, CardState, Event, EventKind, StateError
from retain.store.state.recordfast import cols_from_events, decode_many, index_many
from retain.store.state.statecodec import (
    canonical_event,
    canonical_state,
    decode_event,
    decode_record,
    decode_state,
    encode_event,
    line_crc,
    state_table,
)

times = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 3, 1), timezones=st.just(UTC))
positive = st.floats(min_value=0.01, max_value=1e5, allow_nan=False)
states = st.builds(
    CardState,
    state=st.sampled_from([1, 2, 3]),
    step=st.none() | st.integers(0, 5),
    stability=positive,
    difficulty=st.floats(min_value=1.0, max_value=10.0),
    due=times,
    last_review=times,
    reps=st.integers(0, 1000),
    lapses=st.integers(0, 100),
    suspended=st.booleans(),
    buried_until=st.none() | st.dates().map(lambda d: d.isoformat()),
    leech=st.booleans(),
)
keys = st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}/[a-z0-9][a-z0-9-]{0,10}(:reverse|:c[1-9])?", fullmatch=True)


def _event(key: str, after: CardState | None, before: CardState | None, when: datetime) -> Event:
    return Event("dev-1-1", "review", key, when, after, before, 3, 4200)


def _parse(line: bytes) -> dict[str, object]:
    """A record line through a generic TOML parser: one root key, its table (CRC removed)."""
    (rec,) = tomllib.loads(line.decode()).values()
    assert isinstance(rec, dict)
    rec.pop("c")
    return rec


@settings(max_examples=200, deadline=None)
@given(states)
def test_state_round_trips_exactly_once_rounded(state: CardState) -> None:
    raw = tomllib.loads(tomli_w.dumps({"s": state_table(state)}))["s"]  # as a snapshot writes it
    back = decode_state(raw, NOW)
    assert back == canonical_state(state)
    assert decode_state(tomllib.loads(tomli_w.dumps({"s": state_table(back)}))["s"], NOW) == back
    assert back.stability == pytest.approx(state.stability, rel=5e-6)


@settings(max_examples=200, deadline=None)
@given(
    keys,
    st.none() | states,
    st.none() | states,
    times,
    st.sampled_from(get_args(EventKind)),
    st.integers(0, 10**6),
    st.sampled_from(["", "own", "other-7"]),
)
def test_event_round_trips_and_rounding_is_idempotent(
    key: str,
    after: CardState | None,
    before: CardState | None,
    when: datetime,
    kind: EventKind,
    seq: int,
    group: str,
) -> None:
    ns = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000
    event = Event(
        f"dev1-{ns:019d}-{seq}", kind, key, when, after, before, 3 if kind in RATED_KINDS else 0, 4200, "x"
    )
    event = replace(event, group=event.id if group == "own" else group)  # one of an action of several
    line = encode_event(event, offset=77, device="dev1")
    assert line.endswith(b"\n") and line.count(b"\n") == 1 and line.startswith(b"77={")
    assert line_crc(line)
    once = decode_record(line, NOW, device="dev1")
    assert once == decode_event(_parse(line), NOW, device="dev1")  # fast path == generic TOML reader
    assert once == canonical_event(event)
    again = decode_record(encode_event(once, offset=5, device="dev1"), NOW, device="dev1")
    assert again == once  # decode(encode(e)) == decode(encode(decode(encode(e))))
    expected = event
    if event.after is not None:
        expected = replace(expected, after=canonical_state(event.after))
    if event.before is not None:
        expected = replace(expected, before=canonical_state(event.before))
    assert once == expected  # only the floats are rounded: ids, times and dates are exact


def test_a_typical_review_record_is_short() -> None:
    at = datetime(2026, 11, 21, 23, 23, 45, 837594, tzinfo=UTC)
    before = CardState(2, None, 6.3371886327836044, 9.794133731511268, at + timedelta(days=9), at, 17, 2)
    t = datetime(2026, 12, 1, 0, 2, 57, 948284, tzinfo=UTC)
    after = CardState(2, None, 10.186448161781668, 9.779567967076595, t + timedelta(days=9), t, 18, 2)
    ns = (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000
    event = Event(f"5c02d32ef5ef-{ns}-11420", "review", "bench-29/card-00021", t, after, before, 3, 5103)
    line = encode_event(event, offset=1587524, device="5c02d32ef5ef")
    assert len(line) <= 205, (len(line), line)  # a 7-digit offset, lapses: ~187 bytes on average
    assert decode_record(line, NOW + timedelta(days=300), device="5c02d32ef5ef") == canonical_event(event)


@settings(max_examples=60, deadline=None)
@given(states, st.data())
def test_every_cut_of_a_record_is_torn(state: CardState, data: st.DataObject) -> None:
    line = encode_event(_event("d/c", state, None, NOW))
    cut = data.draw(st.integers(0, len(line) - 1))
    assert not line_crc(line[:cut])


def test_changed_byte_fails_the_crc_and_crlf_does_not() -> None:
    line = encode_event(_event("d/c", CardState(1, 0, 2.0, 5.0, NOW, NOW, 1), None, NOW))
    changed = line.replace(b"ms=4200", b"ms=4201")
    assert line_crc(line) and not line_crc(changed)
    assert line_crc(line[:-1] + b"\r\n") == line_crc(line)


def test_future_dates_are_kept_absurd_ones_refused() -> None:
    ahead = NOW + timedelta(days=3)
    state = CardState(2, None, 3.0, 5.0, ahead + timedelta(days=3), ahead, 2)
    line = encode_event(_event("d/c", state, None, ahead))
    assert decode_record(line, NOW).after == state
    far = NOW + timedelta(days=365 * 250)
    with pytest.raises(StateError, match="absurd"):
        decode_record(encode_event(_event("d/c", None, None, far)), NOW)


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ({"state": 2, "stability": math.nan, "difficulty": 5.0, "due": NOW, "last_review": NOW}, "finite"),
        ({"state": 2, "stability": math.inf, "difficulty": 5.0, "due": NOW, "last_review": NOW}, "finite"),
        ({"state": 2, "stability": -1.0, "difficulty": 5.0, "due": NOW, "last_review": NOW}, "range"),
        ({"state": 2, "stability": 1.0, "difficulty": 5.0, "due": datetime(2026, 1, 1)}, "time zone"),
        (
            {
                "state": 2,
                "stability": 1.0,
                "difficulty": 5.0,
                "due": NOW,
                "last_review": NOW + timedelta(days=365 * 300),
            },
            "absurd",
        ),
        ({"state": 9, "stability": 1.0, "difficulty": 5.0, "due": NOW}, "unknown state"),
        ({"state": 2, "stability": "1", "difficulty": 5.0, "due": NOW}, "finite"),
        ({"state": 2, "stability": 1.0, "difficulty": 5.0, "due": NOW, "reps": -3}, "negative"),
        ({"state": 2, "stability": 1.0, "difficulty": 5.0, "due": NOW, "suspended": "yes"}, "true or false"),
        ({"state": 2, "stability": 1.0, "difficulty": 5.0, "due": NOW, "bogus": 1}, "unknown state key"),
        ("not a table", "inline table"),
    ],
)
def test_hostile_states_are_refused(raw: object, why: str) -> None:
    with pytest.raises(StateError, match=why):
        decode_state(raw, NOW)


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"key": "../../etc/passwd"}, "bad unit key"),
        ({"key": "Deck/Card"}, "bad unit key"),
        ({"kind": "explode"}, "unknown event kind"),
        ({"time": datetime(2026, 3, 28, 12)}, "time zone"),
        ({"time": NOW + timedelta(days=365 * 300)}, "absurd"),
        ({"rating": 7}, "rating"),
        ({"rating": 0}, "rating"),
        ({"duration_ms": -1}, "duration"),
    ],
)
def test_hostile_events_are_refused(change: dict[str, object], why: str) -> None:
    raw = _parse(encode_event(_event("d/c", None, None, NOW)))
    long_keys = {"key": "u", "kind": "k", "time": "t", "rating": "r", "duration_ms": "ms"}
    for name, value in change.items():
        raw[long_keys[name]] = value
    with pytest.raises(StateError, match=why):
        decode_event(raw, NOW)


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        (b"S=3.0", b"S=nan", "finite"),
        (b"S=3.0", b"S=-3.0", "range"),
        (b"S=3.0", b"S=3000000.0", "range"),
        (b"D=5.0", b"D=11.0", "range"),
        (b"s=2", b"s=7", "unknown state"),
        (b"d=86401", b"d=86401,zz=1", "unknown state key"),
        (b'u="d/c"', b'u="../../etc"', "bad unit key"),
        (b"r=3", b"r=0", "rating"),
        (b"r=3", b"r=9", "rating"),
        (b"ms=4200", b"ms=-1", "duration"),
        (b"l=0", b"l=1.5", "microseconds"),
    ],
)
def test_hostile_records_are_refused_by_both_readers(old: bytes, new: bytes, why: str) -> None:
    state = CardState(2, None, 3.0, 5.0, NOW + timedelta(days=1), NOW - timedelta(seconds=1), 2)
    line = encode_event(_event("d/c", state, None, NOW)).replace(b"l=-1000000", b"l=0")
    assert old in line, line
    body = line.replace(old, new)[: -len(b'c="00000000"}\n')]
    hostile = body + b'c="%08x"}\n' % zlib.crc32(body)
    assert line_crc(hostile)
    with pytest.raises(StateError, match=why):
        decode_record(hostile, NOW)
    decoded, refused, slow = decode_many([(0, hostile)], NOW, "")
    assert not decoded and len(refused) + len(slow) == 1
    cols, refused, slow = index_many([(0, hostile)], NOW, "")
    assert not cols.t and len(refused) + len(slow) == 1  # the history index takes what the state takes


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(keys, st.none() | states, st.none() | states, times, st.sampled_from(get_args(EventKind))),
        min_size=1,
        max_size=12,
    ),
    st.booleans(),
)
def test_index_columns_equal_the_decoded_events(
    rows: list[tuple[str, CardState | None, CardState | None, datetime, EventKind]], numeric_ids: bool
) -> None:
    """The index's lean reader gives, value for value, what decoding whole events gives."""
    lines = []
    offset = 100
    for seq, (key, after, before, when, kind) in enumerate(rows):
        ns = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) * 1000
        eid = f"dev1-{ns:019d}-{seq}" if numeric_ids else f"other-{seq}"
        undoes = f"dev1-{ns:019d}-{seq - 1}" if seq and kind == "undo" else ""
        rating = 3 if kind in RATED_KINDS else 0
        event = Event(eid, kind, key, when, after, before, rating, 4200 + seq, undoes)
        line = encode_event(event, offset=offset, device="dev1")
        lines.append((offset, line[:-1]))
        offset += len(line)
    decoded, refused, slow = decode_many(lines, NOW, "dev1")
    cols, refused_i, slow_i = index_many(lines, NOW, "dev1")
    assert (refused_i, slow_i) == (refused, slow)
    assert cols == cols_from_events(decoded)
    assert cols.t == [
        (e.time - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1) for _, e in decoded
    ]


def test_a_due_not_whole_seconds_after_the_review_takes_the_fast_path() -> None:
    """An imported Anki card is due at a day start, a fraction of a second off its last review: the
    record holds `du=` (microseconds). Both fast readers sent such records through the general
    TOML reader, ~15x slower: half the records of a big Anki history, 5 s for one month's file."""
    from retain.store.state.recordfast import fast_record
    from retain.store.state.recordindex import index_block

    last = datetime(2026, 2, 1, 9, 30, 12, 345000, tzinfo=UTC)
    state = CardState(2, None, 12.5, 5.0, datetime(2026, 2, 9, 4, 0, tzinfo=UTC), last, 3, 0)
    event = Event("dev1-0-1", "review", "d/c", last, state, None, 3, 900)
    line = encode_event(event, offset=0, device="dev1")
    assert b",du=" in line
    assert fast_record(line, NOW, "dev1") == decode_event(_parse(line), NOW, device="dev1")
    assert index_block([(0, line[:-1])], NOW, "dev1") is not None
