"""Hunt 35: every verdict of a `match = "number"` card that says what was expected says it with
the card's unit (docs/deck-format.md: "the verdict says what was expected, with its unit"), with
`accept_range` and `tolerance` too: `0.03 TB` on the bundled `elasticsearch/shard-size` card was
told `expected 10 to 50`, which reads as if 0.03 TB were compared with 10 to 50 TB."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.answer import AnswerSpec, check_answer
from retain.core.deckfile import parse_deck
from retain.core.typed import check_unit
from retain.core.units import expand_deck

DECKS = Path(__file__).resolve().parents[2] / "decks"


def _shard_size() -> object:
    path = DECKS / "elasticsearch.toml"
    deck = parse_deck(path.read_text(encoding="utf-8"), str(path)).deck
    assert deck is not None
    return next(u for u in expand_deck(deck) if u.card_id == "shard-size")


@pytest.mark.parametrize(
    ("typed", "note"),
    [
        ("0.03 TB", "expected 10 to 50 GB"),
        ("5 GB", "expected 10 to 50 GB"),
        ("60", "expected 10 to 50 GB"),
        ("under 50 GB", "expected 10 to 50 GB; 'under' leaves the number out"),
        ("30 TB", "unit: expected GB, not TB"),
    ],
)
def test_the_bundled_shard_size_card_names_its_unit(typed: str, note: str) -> None:
    check = check_unit(typed, _shard_size())  # type: ignore[arg-type]
    assert not check.correct and check.suggested_rating == 1
    assert check.note == note
    assert check.expected == "20–50 GB"  # the card's own answer, not an accepted spelling


@pytest.mark.parametrize(
    ("typed", "back", "accept", "spec", "note"),
    [
        ("7 ms", "5 ms", [], AnswerSpec("number"), "expected 5 ms"),
        ("7 ms", "5 ms", [], AnswerSpec("number", tolerance=0.5), "expected 4.5 to 5.5 ms"),
        ("60 GB", "20-50 GB", [], AnswerSpec("number"), "expected 20 to 50 GB"),
        ("60 GB", "30 GB", [], AnswerSpec("number", accept_range=(20, 50)), "expected 20 to 50 GB"),
        (
            "60 GB",
            "30 GB",
            [],
            AnswerSpec("number", accept_range=(20, 50), tolerance=1),
            "expected 19 to 51 GB",
        ),
        ("< 5 ms", "5 ms", [], AnswerSpec("number"), "expected 5 ms; '<' leaves the number out"),
        (
            "more than 20",
            "30 GB",
            [],
            AnswerSpec("number", accept_range=(20, 50)),
            "expected 20 to 50 GB; 'more than' leaves the number out",
        ),
        ("5 s", "5 ms", [], AnswerSpec("number"), "unit: expected ms, not s"),
        ("5 Gb", "5 GB", [], AnswerSpec("number"), "unit: expected GB, not Gb"),
        ("30 MB", "30 GB", [], AnswerSpec("number", accept_range=(20, 50)), "unit: expected GB, not MB"),
        # A back that is no number (allowed with `accept_range`): the unit of an accepted answer.
        (
            "60",
            "twenty to fifty gigabytes",
            ["20-50 GB"],
            AnswerSpec("number", accept_range=(20, 50)),
            "expected 20 to 50 GB",
        ),
        (
            "30 TB",
            "twenty to fifty gigabytes",
            ["20-50 GB"],
            AnswerSpec("number", accept_range=(20, 50)),
            "unit: expected GB, not TB",
        ),
        # No unit anywhere: the number alone.
        ("9093", "9092", [], AnswerSpec("number"), "expected 9092"),
        ("60", "30", [], AnswerSpec("number", accept_range=(20, 50)), "expected 20 to 50"),
    ],
)
def test_every_note_says_the_unit(
    typed: str, back: str, accept: list[str], spec: AnswerSpec, note: str
) -> None:
    check = check_answer(typed, back, accept, spec)
    assert not check.correct and check.suggested_rating == 1
    assert check.note == note


def test_a_right_number_in_another_unit_spelling_is_still_right() -> None:
    spec = AnswerSpec("number", accept_range=(10, 50), aliases=(("gigabytes", "GB"),))
    assert check_answer("30 gigabytes", "20-50 GB", [], spec).correct
    assert check_answer(
        "30", "twenty to fifty gigabytes", ["20-50 GB"], AnswerSpec("number", accept_range=(20, 50))
    ).correct


_UNITS = st.sampled_from(["ms", "s", "GB", "MB", "TB", "Gb", "%", "req/s", "KiB", "min", "h"])
_SPECS = st.sampled_from(["plain", "range", "tolerance", "both"])


@settings(max_examples=300, deadline=None)
@given(
    _UNITS,
    st.integers(1, 1000),
    st.integers(1, 1000),
    _SPECS,
    st.sampled_from(["", "under ", "> ", "more than "]),
    st.booleans(),
)
def test_every_expected_note_carries_the_backs_unit(
    unit: str, value: int, off: int, kind: str, bound: str, typed_unit: bool
) -> None:
    back = f"{value} {unit}"
    spec = AnswerSpec(
        "number",
        accept_range=(value, value + 10) if kind in ("range", "both") else None,
        tolerance=0.5 if kind in ("tolerance", "both") else None,
    )
    typed = f"{bound}{value + 11 + off}" + (f" {unit}" if typed_unit else "")
    check = check_answer(typed, back, [], spec)
    assert not check.correct and check.suggested_rating == 1
    assert check.note.startswith("expected ")
    expect = check.note.split(";")[0]
    assert expect.endswith(f" {unit}"), check.note
    assert check.expected == back


@settings(max_examples=200, deadline=None)
@given(_UNITS, _UNITS, st.integers(1, 1000), _SPECS)
def test_every_unit_miss_names_both_units(unit: str, other: str, value: int, kind: str) -> None:
    spec = AnswerSpec(
        "number",
        accept_range=(value, value + 10) if kind in ("range", "both") else None,
        tolerance=0.5 if kind in ("tolerance", "both") else None,
    )
    check = check_answer(f"{value} {other}", f"{value} {unit}", [], spec)
    if check.correct:  # the same unit; `Gb` (bits) is never `GB` (bytes)
        assert other == unit
        return
    assert check.note == f"unit: expected {unit}, not {other}"
