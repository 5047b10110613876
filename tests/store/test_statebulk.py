"""Snapshot states decoded in columns (`statebulk`) equal the card-by-card decoder, or defer to it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.state import CardState, StateError
from retain.store.state.statebulk import decode_states
from retain.store.state.statecodec import decode_state

NOW = datetime(2026, 12, 2, 12, tzinfo=UTC)

_times = st.one_of(
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2300, 1, 1),
        timezones=st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]),
    ),
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)),  # naive: refused
    st.just(datetime(9000, 1, 1, tzinfo=UTC)),  # absurdly far: refused
)
_numbers = st.one_of(
    st.floats(min_value=-1, max_value=2e6),
    st.sampled_from([float("nan"), float("inf"), 0.0, 10.0, 10.000001, 1e6, 1.0000001e6]),
    st.integers(-3, 20),
    st.booleans(),
    st.text(max_size=3),
)
_ints = st.one_of(st.integers(-5, 1200), st.booleans(), st.just(2**40), st.floats(0, 3))
_values: dict[str, st.SearchStrategy[Any]] = {
    "state": st.one_of(st.integers(0, 3), _ints),
    "step": _ints,
    "stability": _numbers,
    "difficulty": _numbers,
    "due": _times,
    "last_review": _times,
    "reps": _ints,
    "lapses": _ints,
    "suspended": st.booleans(),
    "buried_until": st.just("2026-12-03"),
    "leech": st.booleans(),
    "bogus": st.just(1),
}


@st.composite
def _raw(draw: st.DrawFn, plain: bool) -> dict[str, Any]:
    """A state table: usually ordinary (`plain`: from valid values), sometimes odd."""
    if plain:
        state = draw(st.integers(0, 3))
        raw: dict[str, Any] = {
            "state": state,
            "reps": draw(st.integers(0, 50)),
            "lapses": draw(st.integers(0, 9)),
        }
        if state or draw(st.booleans()):
            last = draw(
                st.datetimes(
                    min_value=datetime(2020, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
                )
            )
            raw["last_review"] = last
            raw["due"] = last + timedelta(days=draw(st.floats(0, 400)))
        if state >= 2 or draw(st.booleans()):
            raw["stability"] = draw(st.one_of(st.floats(0.01, 1e6), st.integers(1, 100)))
            raw["difficulty"] = draw(st.floats(1, 10))
        if state in (1, 3) and draw(st.booleans()):
            raw["step"] = draw(st.integers(0, 5))
        return raw
    keys = draw(st.sets(st.sampled_from(sorted(_values)), max_size=8))
    return {k: draw(_values[k]) for k in keys}


def _one_by_one(raws: list[Any]) -> list[CardState] | None:
    try:
        return [decode_state(r, NOW) for r in raws]
    except StateError:
        return None


@settings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(_raw(True), _raw(False)), max_size=12))
def test_columns_equal_the_card_by_card_decoder_or_defer_to_it(raws: list[dict[str, Any]]) -> None:
    bulk = decode_states(raws, NOW)
    single = _one_by_one(raws)
    if bulk is not None:
        assert bulk == single  # never accepts what the card-by-card decoder refuses, never differs
        for a, b in zip(bulk, single or [], strict=True):
            assert a.due == b.due and (a.due is None or a.due.tzinfo is UTC)


@settings(max_examples=100, deadline=None)
@given(st.lists(_raw(True), min_size=1, max_size=30))
def test_ordinary_states_take_the_column_path(raws: list[dict[str, Any]]) -> None:
    bulk = decode_states(raws, NOW)
    assert bulk is not None
    assert bulk == _one_by_one(raws)


def test_one_odd_card_sends_the_whole_snapshot_to_the_card_by_card_decoder() -> None:
    good = {"state": 2, "stability": 3.0, "difficulty": 5.0, "due": NOW, "last_review": NOW, "reps": 1}
    assert decode_states([good, dict(good)], NOW) is not None
    for odd in ({"suspended": True}, {"stability": True}, {"step": 1000}, {"due": NOW.replace(tzinfo=None)}):
        assert decode_states([good, {**good, **odd}], NOW) is None


_PERTURB: list[tuple[str, Any]] = [
    ("due", datetime(9000, 1, 1, tzinfo=UTC)),
    ("last_review", datetime(9000, 1, 1, tzinfo=UTC)),
    ("due", datetime(2026, 1, 1)),
    ("stability", None),
    ("difficulty", None),
    ("stability", 0.0),
    ("stability", 1e6 + 1),
    ("difficulty", 10.5),
    ("difficulty", float("nan")),
    ("stability", True),
    ("stability", 7),
    ("step", 1000),
    ("step", -1),
    ("step", True),
    ("reps", -1),
    ("lapses", 2**31),
    ("state", 4),
    ("state", True),
    ("due", datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=3)))),
]


@settings(max_examples=300, deadline=None)
@given(st.lists(_raw(True), min_size=1, max_size=8), st.data())
def test_one_changed_value_is_judged_as_the_card_by_card_decoder_judges_it(
    raws: list[dict[str, Any]], data: st.DataObject
) -> None:
    i = data.draw(st.integers(0, len(raws) - 1))
    key, value = data.draw(st.sampled_from(_PERTURB))
    raws[i] = {k: v for k, v in {**raws[i], key: value}.items() if v is not None}
    assert decode_states(raws, NOW) == _one_by_one(raws)
