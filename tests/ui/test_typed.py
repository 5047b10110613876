"""Typed-answer checking: diff parts, accepted alternatives, suggested rating."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retain.core.typed import DiffPart, check_typed, normalize_answer, plain_answer


def test_exact_answer_is_good() -> None:
    result = check_typed("Raft", "Raft")
    assert result.correct and result.suggested_rating == 3
    assert result.typed_parts == (DiffPart("Raft", "same"),)


def test_case_spacing_and_trailing_punctuation_do_not_matter() -> None:
    assert check_typed("  raft. ", "**Raft**").correct


def test_accepted_alternative_is_correct_and_becomes_the_target() -> None:
    result = check_typed("the raft algorithm", "Raft", ["the raft algorithm"])
    assert result.correct and result.expected == "the raft algorithm"


def test_typo_is_a_near_miss_rated_hard() -> None:
    result = check_typed("Kubernetse", "Kubernetes")
    assert not result.correct and result.suggested_rating == 2
    assert "".join(p.text for p in result.expected_parts) == "Kubernetes"


def test_typo_in_a_short_answer_is_a_miss() -> None:
    result = check_typed("Rafft", "Raft")
    assert not result.correct and result.suggested_rating == 1
    assert DiffPart("f", "wrong") in result.typed_parts


def test_wrong_answer_is_again_and_shows_missing_text() -> None:
    result = check_typed("Paxos", "Raft")
    assert result.suggested_rating == 1
    assert any(p.kind == "missing" for p in result.expected_parts)


def test_empty_answer_is_again() -> None:
    result = check_typed("   ", "Raft")
    assert not result.correct and result.suggested_rating == 1
    assert result.expected_parts == (DiffPart("Raft", "missing"),)


def test_closest_alternative_is_diffed() -> None:
    result = check_typed("etcd clustr", "Raft", ["etcd cluster"])
    assert result.expected == "etcd cluster" and result.suggested_rating == 2


def test_plain_answer_strips_markdown_marks() -> None:
    assert plain_answer("`kubectl get pods`") == "kubectl get pods"
    assert plain_answer("*Raft*\n consensus") == "Raft consensus"
    assert normalize_answer("ＲＡＦＴ!") == "raft"


@given(st.text(max_size=40), st.text(max_size=40))
def test_parts_rebuild_both_strings(typed: str, expected: str) -> None:
    result = check_typed(typed, expected)
    typed_text = "".join(p.text for p in result.typed_parts if p.kind != "missing")
    expected_text = "".join(p.text for p in result.expected_parts if p.kind != "wrong")
    assert typed_text == result.answer
    assert expected_text == result.expected
    assert 0.0 <= result.similarity <= 1.0
    assert result.suggested_rating in (1, 2, 3)


@given(st.text(min_size=1, max_size=40).filter(lambda s: normalize_answer(plain_answer(s)) != ""))
def test_typing_the_answer_is_always_correct(expected: str) -> None:
    assert check_typed(plain_answer(expected), expected).correct
