"""Hunt 35: a missed typed answer is compared with the card's own answer (its back), not with the
`accept` spelling that happens to look most like what was typed. A right answer, or a close one,
is still diffed against the spelling it matched (or was close to); in `set` and `command` mode an
answer that shares an item or a word with an `accept` answer (and fits it better than the back)
is diffed against that answer.

The study screen shows the back below the verdict: an arbitrary accepted spelling on the Answer
line made the learner read two answers (`the raft algorithm` above `Raft`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.answer import AnswerSpec, check_answer
from retain.core.answer.normalise import normalise
from retain.core.answer.textmode import plain_answer
from retain.core.answer.verdict import TypedCheck
from retain.core.deckfile import parse_deck
from retain.core.typed import check_unit
from retain.core.units import expand_deck

DECKS = Path(__file__).resolve().parents[2] / "decks"
SET = AnswerSpec("set")
COMMAND = AnswerSpec("command")
NUMBER = AnswerSpec("number")


def _answer_line(check: TypedCheck) -> str:
    """What the Answer line shows: the expected side of the diff, wrong parts aside."""
    return "".join(p.text for p in check.expected_parts if p.kind != "wrong")


# ---- text mode: the attacker's cards ------------------------------------------------------------


@pytest.mark.parametrize(
    ("back", "accept"),
    [
        ("Raft", ["the raft algorithm", "raft consensus"]),
        ("Staging", ["preproduction", "pre-production", "a staging environment"]),
        ("HTTP/2", ["http2", "http 2", "http version 2"]),
        ("Unreachable", ["unreachable", "NotReady", "Ready=Unknown", "node unreachable"]),
    ],
)
@pytest.mark.parametrize("typed", ["idk", "x", "kubectl foo", "something else entirely"])
def test_a_miss_is_compared_with_the_back(typed: str, back: str, accept: list[str]) -> None:
    check = check_answer(typed, back, accept)
    assert check.suggested_rating == 1 and not check.correct
    assert check.expected == back
    assert _answer_line(check) == back


def test_a_miss_with_the_learners_aside_is_compared_with_the_back() -> None:
    check = check_answer("idk (maybe)", "Raft", ["the raft algorithm"])
    assert check.suggested_rating == 1 and check.expected == "Raft"


def test_a_near_miss_is_still_diffed_against_the_spelling_it_was_close_to() -> None:
    check = check_answer("etcd clustr", "Raft", ["etcd cluster"])
    assert check.suggested_rating == 2 and check.expected == "etcd cluster"


def test_a_right_answer_is_diffed_against_the_spelling_it_matched() -> None:
    check = check_answer("the raft algorithm", "Raft", ["the raft algorithm"])
    assert check.correct and check.expected == "the raft algorithm"


_WORD = st.text(alphabet="abcdefgh /-", min_size=1, max_size=12).filter(lambda s: normalise(s) != "")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20), _WORD, st.lists(_WORD, max_size=5))
def test_every_miss_shows_the_back(typed: str, back: str, accept: list[str]) -> None:
    check = check_answer(typed, back, accept)
    if check.suggested_rating == 1:
        assert check.expected == plain_answer(back)


def _bundled_typed_units() -> list[object]:
    units: list[object] = []
    for path in sorted(DECKS.glob("*.toml")):
        deck = parse_deck(path.read_text(encoding="utf-8"), str(path)).deck
        assert deck is not None
        units += [u for u in expand_deck(deck) if u.kind == "typed"]
    return units


@pytest.mark.parametrize("typed", ["idk", "", "x, y", "kubectl foo", "42"])
def test_no_bundled_typed_card_shows_an_accept_spelling_for_a_miss(typed: str) -> None:
    """The attacker's cram: 22 of 29 bundled typed cards showed an `accept` spelling for `idk`."""
    units = _bundled_typed_units()
    assert len(units) > 20
    wrong = []
    for unit in units:
        check = check_unit(typed, unit)  # type: ignore[arg-type]
        if check.suggested_rating == 1 and check.expected != plain_answer(unit.back):  # type: ignore[attr-defined]
            wrong.append((unit.card_id, check.expected))  # type: ignore[attr-defined]
    assert wrong == []


# ---- regex and number modes read the text check: the same rule ---------------------------------


def test_a_regex_miss_shows_the_back() -> None:
    spec = AnswerSpec("regex", pattern=r"(a )?cp( system)?")
    accept = ["consistent and partition tolerant", "consistency and partition tolerance"]
    check = check_answer("idk", "CP", accept, spec)
    assert check.suggested_rating == 1 and check.expected == "CP"


@pytest.mark.parametrize(
    "typed",
    [
        "idk",
        "betwen 20 and 50 GB",  # close to an accept as text, but not a number: a miss
        "60 GB",
        "under 50 GB",
        "30 TB",
        "between 20 and 50 Gb",  # right as text but for bits: a miss
    ],
)
def test_a_number_miss_shows_the_back(typed: str) -> None:
    accept = ["between 20 and 50 GB", "between 20 GB and 50 GB", "between 10 and 50 GB"]
    check = check_answer(typed, "20–50 GB", accept, NUMBER)
    assert not check.correct and check.suggested_rating == 1
    assert check.expected == "20–50 GB"
    assert _answer_line(check) == "20–50 GB"


def test_a_number_miss_marks_what_differs() -> None:
    """A unit clash is right as text (case folded): the miss must still mark the unit."""
    check = check_answer("5 Gb", "5 GB", [], NUMBER)
    assert not check.correct
    assert any(p.kind != "same" for p in check.expected_parts + check.typed_parts) or check.note


# ---- set mode -----------------------------------------------------------------------------------

SIGNALS = "Latency, Traffic, Errors, Saturation"


@pytest.mark.parametrize("typed", ["", "idk", "x, y, z, w", "cpu"])
def test_a_set_answer_that_matches_nothing_shows_the_back(typed: str) -> None:
    check = check_answer(typed, SIGNALS, ["lat, traffic"], SET)
    assert check.suggested_rating == 1
    assert check.expected == SIGNALS
    assert set(check.missing) == {"Latency", "Traffic", "Errors", "Saturation"}


def test_a_set_answer_that_is_partly_an_accept_answer_is_diffed_against_it() -> None:
    accept = ["utilisation, saturation, errors"]
    check = check_answer("utilisation, errors", SIGNALS, accept, SET)
    assert check.expected == accept[0] and check.missing == ("saturation",)


_ITEM = st.sampled_from(["alpha", "beta", "gamma", "delta", "omega", "kappa"])


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_ITEM, min_size=1, max_size=4, unique=True),
    st.lists(st.lists(_ITEM, min_size=1, max_size=4, unique=True), max_size=3),
    st.lists(st.sampled_from(["zulu", "yankee", "xray"]), max_size=3),
)
def test_every_set_answer_sharing_nothing_shows_the_back(
    back: list[str], accept: list[list[str]], typed: list[str]
) -> None:
    check = check_answer(", ".join(typed), ", ".join(back), [", ".join(a) for a in accept], SET)
    assert check.expected == ", ".join(back)


# ---- command mode -------------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["", "idk", "ls -l"])
def test_a_command_that_matches_nothing_shows_the_back(typed: str) -> None:
    check = check_answer(typed, "kubectl get pods --all-namespaces", ["kgp -A"], COMMAND)
    assert check.suggested_rating == 1
    assert check.expected == "kubectl get pods --all-namespaces"


def test_a_command_that_is_partly_an_accept_answer_is_diffed_against_it() -> None:
    check = check_answer("kgp", "kubectl get pods --all-namespaces", ["kgp -A"], COMMAND)
    assert check.expected == "kgp -A" and check.missing == ("-A",)
