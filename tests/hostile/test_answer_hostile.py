"""Hostile answer-check settings: costly regex patterns, quoted commands by the thousand, huge
tables. Each is refused in one line or checked in bounded time (the goal is 2 s per MB, as for
every parser; the bounds are several times looser for shared CI machines)."""

from __future__ import annotations

import time

import pytest

from retain.core.answer import AnswerSpec, check_answer
from retain.core.answer.regex import MAX_REPEATS, RegexError, compile_pattern
from retain.core.deckfile import MAX_DECK_PATTERNS, parse_deck

HEAD = 'format = 1\n[deck]\nid = "h"\nname = "H"\n'
SECONDS_PER_MB = 10.0


def typed_card(i: int, body: str) -> str:
    return f'\n[[cards]]\nid = "c{i}"\nkind = "typed"\nfront = "q{i}"\n{body}'


def timed_parse(text: str) -> tuple[float, list[str]]:
    start = time.perf_counter()
    result = parse_deck(text, "h.toml")
    return time.perf_counter() - start, [p.message for p in result.errors]


def test_many_costly_patterns_stop_at_the_deck_budget() -> None:
    # 1,000-character patterns that take RE2 ~10 ms each to compile: past 100,000 characters of
    # patterns a deck is refused card by card, so a 2 MB deck cannot take minutes.
    cards = [
        typed_card(i, f'back = "a"\nmatch = "regex"\npattern = "{("a*" * 499)}{i}"\n') for i in range(400)
    ]
    text = HEAD + "".join(cards)
    seconds, errors = timed_parse(text)
    assert seconds < 1.0 + SECONDS_PER_MB * len(text) / 1e6
    over = [e for e in errors if "split the deck" in e]
    assert len(over) == 400 - MAX_DECK_PATTERNS // 1000


def test_counted_repeats_are_limited_before_compiling() -> None:
    with pytest.raises(RegexError, match="at most 1000"):
        compile_pattern("[a-z]{1,1000}" * 2)
    assert compile_pattern("[a-z]{1,999}x{1}")  # 1,000 in all is fine
    assert MAX_REPEATS == 1000
    start = time.perf_counter()
    text = HEAD + "".join(
        typed_card(i, f'back = "a"\nmatch = "regex"\npattern = "{("[a-z]{1,1000}" * 76)}{i}"\n')
        for i in range(200)
    )
    _seconds, errors = timed_parse(text)
    assert time.perf_counter() - start < 10.0
    assert all("at most 1000" in e or "split the deck" in e for e in errors) and len(errors) == 200


def test_thousands_of_quoted_commands_check_in_bounded_time() -> None:
    accept = ", ".join(["\"echo 'x y' z\""] * 50)
    text = HEAD + "".join(
        typed_card(i, f'back = "echo \'{i}\'"\nmatch = "command"\naccept = [{accept}]\n') for i in range(400)
    )
    seconds, errors = timed_parse(text)
    assert errors == []
    assert seconds < 1.0 + SECONDS_PER_MB * len(text) / 1e6
    broken = text.replace("' z", "z")
    seconds, errors = timed_parse(broken)
    assert len(errors) == 400  # one per card, not one per accepted answer
    assert seconds < 1.0 + SECONDS_PER_MB * len(broken) / 1e6


def test_a_huge_aliases_table_is_refused() -> None:
    table = ", ".join(f'"a{i}" = "b"' for i in range(300))
    _seconds, errors = timed_parse(
        HEAD + typed_card(0, f'back = "a, b"\nmatch = "set"\naliases = {{ {table} }}\n')
    )
    assert errors == ["card 'c0': `aliases` has 300 entries; at most 256"]


@pytest.mark.parametrize(
    ("answer", "spec"),
    [
        ("'" * 500, AnswerSpec("command")),  # unclosed quotes
        ('"\\' * 250, AnswerSpec("command")),
        ("-" * 500, AnswerSpec("command")),
        ("-a " * 166, AnswerSpec("command", aliases=tuple((f"-{c}", f"--x{c}") for c in "abcdefgh"))),
        (", " * 250, AnswerSpec("set")),
        ("a and " * 100, AnswerSpec("set")),
        ("9" * 10_000, AnswerSpec("number")),
        ("1" + "0" * 400 + " GB", AnswerSpec("number")),
        ("a" * 10_000 + "!", AnswerSpec("regex", pattern="(a|aa)*(b|c)")),
    ],
)
def test_hostile_answers_are_checked_fast(answer: str, spec: AnswerSpec) -> None:
    start = time.perf_counter()
    result = check_answer(answer, "a, b -x", ("a b", "c"), spec)
    assert time.perf_counter() - start < 0.5
    assert result.suggested_rating in (1, 2, 3)
