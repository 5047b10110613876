"""`match = "command"`: a word that is a flag's value in one command is never a positional in the
other (issue 17's follow-up bug).

Which flags take a value is not declared; it is read from the card's back: a flag followed by a
plain word takes it (`-n prod`), unless a command shows the flag is a switch (`-f` last, before
another flag, or inside a bundle of the card's short flags). The check used to try "every flag is
a switch" too, whenever that reading made the answer right, so `-c pod-a web` passed for
`pod-a -c web` and `prog -b x -a y` for `prog -a x -b y`.
"""

from __future__ import annotations

import shlex

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.answer import AnswerSpec, check_answer

COMMAND = AnswerSpec("command")
KUBECTL = AnswerSpec("command", aliases=(("-n", "--namespace"), ("-f", "--follow"), ("-c", "--container")))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kubectl logs -c pod-a web -f", "kubectl logs -f pod-a -c web"),  # -c took pod-a, web moved out
        ("kubectl logs -c pod-a web", "kubectl logs pod-a -c web"),  # a value flag swallows a positional
        ("kubectl logs --container pod-a web", "kubectl logs pod-a -c web"),  # the same through an alias
        ("prog -b x -a y", "prog -a x -b y"),  # two flags trade values
        ("p x -a pos", "p -a x pos"),  # a value and a positional trade places
        ("git commit -m main -b fix", "git commit -b main -m fix"),
        ("tar -f out.tar -czv src", "tar -czvf src out.tar"),  # -f's value and the positional swapped
    ],
)
def test_a_flag_value_and_a_positional_never_trade_places(typed: str, expected: str) -> None:
    result = check_answer(typed, expected, spec=KUBECTL)
    assert not result.correct and result.suggested_rating == 1, (typed, expected)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("kubectl logs pod-a -f -c web", "kubectl logs -f pod-a -c web"),  # -f shown a switch
        ("kubectl logs -f -c web pod-a", "kubectl logs -f pod-a -c web"),
        ("kubectl logs -c web -f pod-a", "kubectl logs -f pod-a -c web"),  # each word stays with its flag
        ("kubectl logs --container=web pod-a --follow", "kubectl logs -f pod-a -c web"),
        ("kubectl logs web -f", "kubectl logs -f web"),
        ("kubectl logs web -n prod -f", "kubectl logs -f -n prod web"),
        ("rm -fr dir", "rm -rf dir"),  # inside a bundle of the card's flags: a switch
        ("ls -al /tmp", "ls -la /tmp"),
        ("ls /tmp -la", "ls -la /tmp"),
        ("tar -xvzf a.tar", "tar -xzvf a.tar"),
    ],
)
def test_moves_that_keep_every_word_with_its_flag_are_still_right(typed: str, expected: str) -> None:
    result = check_answer(typed, expected, spec=KUBECTL)
    assert result.correct, (typed, expected, result.missing, result.extra, result.note)


def test_a_traded_value_is_named_in_the_verdict() -> None:
    result = check_answer("kubectl logs -c pod-a web", "kubectl logs pod-a -c web", spec=KUBECTL)
    assert result.missing == ("-c web",) and result.extra == ("-c pod-a",)


# ---- properties ------------------------------------------------------------------------------
# A command whose flags' arity is known (the truth): value flags are written with their value
# after them, and no switch is written right before a plain word (the documented way to write a
# back). The learner's answer puts the same flags in any order and fills the word slots (each value
# flag's value and the positionals) with the same words in any order.

NAME = st.from_regex(r"[a-z][a-z0-9]{1,7}", fullmatch=True)
LONG = st.from_regex(r"--[a-z]{2,8}", fullmatch=True)
SHORT = st.from_regex(r"-[a-zA-Z]", fullmatch=True)


@st.composite
def truths(draw: st.DrawFn) -> tuple[str, list[str], list[tuple[str, bool]], list[str]]:
    """(program, positionals, flags as (name, takes a value), words), the words all different."""
    flags = draw(
        st.lists(
            st.tuples(st.one_of(LONG, SHORT), st.booleans()), min_size=1, max_size=5, unique_by=lambda f: f[0]
        )
    )
    n_values = sum(1 for _, takes in flags if takes)
    n_positionals = draw(st.integers(0, 3))
    size = 1 + n_values + n_positionals
    program, *words = draw(st.lists(NAME, min_size=size, max_size=size, unique=True))
    return program, words[n_values : n_values + n_positionals], flags, words[:n_values]


def _back(
    program: str, positionals: list[str], flags: list[tuple[str, bool]], values: list[str]
) -> list[str]:
    """The card's back: positionals first, value flags with their values, switches last."""
    values_of = dict(zip([n for n, t in flags if t], values, strict=True))
    words = [program, *positionals]
    words += [w for n, t in flags if t for w in (n, values_of[n])]
    words += [n for n, t in flags if not t]
    return words


def _answer(program: str, flags: list[tuple[str, bool]], fill: list[str], slots: list[int]) -> list[str]:
    """The flags in the given order, each value flag followed by the next word of `fill`, the rest
    of `fill` put as plain words before the flag units at `slots` (0 = before the first)."""
    it = iter(fill)
    units = [[n, next(it)] if t else [n] for n, t in flags]
    loose = list(it)
    where = [min(s, len(units)) for s in slots[: len(loose)]]
    where += [len(units)] * (len(loose) - len(where))  # the rest after the last flag
    out = [program]
    for k, unit in enumerate([*units, []]):
        out += [w for w, s in zip(loose, where, strict=True) if s == k]
        out += unit
    return out


def _meaning(
    program: str, flags: list[tuple[str, bool]], words: list[str]
) -> tuple[list[str], list[tuple[str, str]]]:
    """Positionals in order and (flag, value) pairs, read with the true arity."""
    takes = dict(flags)
    positionals, pairs = [], []
    i = 1
    while i < len(words):
        w = words[i]
        if w in takes:
            pairs.append((w, words[i + 1] if takes[w] else ""))
            i += 2 if takes[w] else 1
        else:
            positionals.append(w)
            i += 1
    return positionals, sorted(pairs)


@settings(max_examples=300, deadline=None)
@given(truths(), st.randoms(use_true_random=False), st.lists(st.integers(0, 5), max_size=8))
def test_every_accepted_answer_keeps_the_positionals_in_order_and_each_flags_value(
    truth: tuple[str, list[str], list[tuple[str, bool]], list[str]], rnd: object, slots: list[int]
) -> None:
    program, positionals, flags, values = truth
    back = _back(program, positionals, flags, values)
    order = list(flags)
    rnd.shuffle(order)  # type: ignore[attr-defined]
    # the words of the value slots in the answer's flag order, then the positionals; then mixed up
    values_of = dict(zip([n for n, t in flags if t], values, strict=True))
    fill = [values_of[n] for n, t in order if t] + positionals
    if rnd.random() < 0.7:  # type: ignore[attr-defined]
        rnd.shuffle(fill)  # type: ignore[attr-defined]
    typed = _answer(program, order, fill, slots)
    result = check_answer(shlex.join(typed), shlex.join(back), spec=COMMAND)
    if result.correct:
        assert _meaning(program, flags, typed) == _meaning(program, flags, back), (typed, back)


@settings(max_examples=300, deadline=None)
@given(truths(), st.randoms(use_true_random=False), st.lists(st.integers(0, 5), max_size=8), st.data())
def test_a_flag_value_swapped_with_a_positional_is_never_accepted(
    truth: tuple[str, list[str], list[tuple[str, bool]], list[str]],
    rnd: object,
    slots: list[int],
    data: st.DataObject,
) -> None:
    program, positionals, flags, values = truth
    if not values or not positionals:
        return
    back = _back(program, positionals, flags, values)
    v = data.draw(st.integers(0, len(values) - 1))
    p = data.draw(st.integers(0, len(positionals) - 1))
    values, positionals = list(values), list(positionals)
    values[v], positionals[p] = positionals[p], values[v]
    order = list(flags)
    rnd.shuffle(order)  # type: ignore[attr-defined]
    values_of = dict(zip([n for n, t in flags if t], values, strict=True))
    typed = _answer(program, order, [values_of[n] for n, t in order if t] + positionals, slots)
    result = check_answer(shlex.join(typed), shlex.join(back), spec=COMMAND)
    assert not result.correct, (typed, back)
