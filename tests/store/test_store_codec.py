"""State and event TOML: exact round trips, torn-block detection, hostile values refused."""

from __future__ import annotations

import math
import tomllib
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from store_helpers import NOW

from retain.core.state import EVENT_KINDS, CardState, Event, StateError
from retain.store.statecodec import block_crc_ok, decode_event, decode_state, encode_event, encode_state

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


@settings(max_examples=200, deadline=None)
@given(states)
def test_state_round_trips_exactly(state: CardState) -> None:
    raw = tomllib.loads(f"s = {encode_state(state)}")["s"]
    assert decode_state(raw, NOW) == state


@settings(max_examples=150, deadline=None)
@given(keys, st.none() | states, st.none() | states, times, st.sampled_from(EVENT_KINDS))
def test_event_round_trips_exactly(
    key: str, after: CardState | None, before: CardState | None, when: datetime, kind: str
) -> None:
    event = Event("abc-123-1", kind, key, when, after, before, 3 if kind == "review" else 0, 4200, "x")  # type: ignore[arg-type]
    block = encode_event(event)
    assert block_crc_ok(block)
    raw = tomllib.loads(block.decode())["review"][0]
    assert decode_event(raw, NOW) == event


@settings(max_examples=60, deadline=None)
@given(states, st.data())
def test_every_cut_of_a_block_is_torn(state: CardState, data: st.DataObject) -> None:
    block = encode_event(_event("d/c", state, None, NOW))
    cut = data.draw(st.integers(0, len(block) - 1))
    assert not block_crc_ok(block[:cut])


def test_changed_byte_fails_the_crc() -> None:
    block = encode_event(_event("d/c", CardState(1, 0, 2.0, 5.0, NOW, NOW, 1), None, NOW))
    changed = block.replace(b"duration_ms = 4200", b"duration_ms = 4201")
    assert block_crc_ok(block) and not block_crc_ok(changed)


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
                "last_review": NOW + timedelta(days=30),
            },
            "future",
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
        ({"time": NOW + timedelta(days=400)}, "future"),
        ({"rating": 7}, "rating"),
        ({"rating": 0}, "rating"),
        ({"duration_ms": -1}, "duration"),
    ],
)
def test_hostile_events_are_refused(change: dict[str, object], why: str) -> None:
    raw = tomllib.loads(encode_event(_event("d/c", None, None, NOW)).decode())["review"][0]
    raw.update(change)
    with pytest.raises(StateError, match=why):
        decode_event(raw, NOW)
