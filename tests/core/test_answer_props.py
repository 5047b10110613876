"""Properties of the answer checks: normalisation is idempotent; set items and command flags in any
order; the diff parts always rebuild both strings."""

from __future__ import annotations

import shlex

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.answer import AnswerSpec, check_answer
from retain.core.answer.argv import _fix_dash, split_words
from retain.core.answer.normalise import edit_distance, fold_accents, normalise
from retain.core.answer.textmode import plain_answer

MODES = ("", "set", "command", "number", "regex")


@given(st.text(max_size=60))
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert fold_accents(fold_accents(text)) == fold_accents(text)


@given(st.text(max_size=60))
def test_an_answer_always_matches_itself_normalised(text: str) -> None:
    plain = plain_answer(text)  # the back is Markdown: what the learner sees of it
    if normalise(plain):
        assert check_answer(normalise(plain), text).correct


def _levenshtein(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        prev, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            prev, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, prev + (ca != cb))
    return row[-1]


@given(st.text("abc", max_size=12), st.text("abc", max_size=12))
def test_bit_parallel_edit_distance_agrees_with_the_table(a: str, b: str) -> None:
    exact = _levenshtein(a, b)
    got = edit_distance(a, b, 30)
    assert got == exact or (got == 1 and exact == 2 and sorted(a) == sorted(b))


ITEM = st.from_regex(r"[a-z][a-z0-9 /-]{0,14}[a-z0-9]", fullmatch=True)


@given(st.lists(ITEM, min_size=1, max_size=8, unique_by=normalise), st.randoms(use_true_random=False))
def test_every_accepted_set_answer_is_accepted_in_any_order(items: list[str], rnd: object) -> None:
    back = ", ".join(items)
    spec = AnswerSpec("set")
    assert check_answer(back, back, spec=spec).correct
    shuffled = list(items)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    assert check_answer(", ".join(shuffled), back, spec=spec).correct
    assert check_answer("\n".join(reversed(items)), back, spec=spec).correct


WORD = st.from_regex(r"[a-z][a-z0-9.]{0,7}", fullmatch=True)
VALUE = st.one_of(WORD, st.from_regex(r"[a-z]{1,5} [a-z]{1,5}", fullmatch=True))
LONG = st.from_regex(r"--[a-z]{2,8}", fullmatch=True)
SHORT = st.from_regex(r"-[a-zA-Z]", fullmatch=True)


@st.composite
def commands(draw: st.DrawFn) -> tuple[list[str], list[list[str]], list[str]]:
    """(program and positionals, flags each with or without a value, more positionals)."""
    head = draw(st.lists(WORD, min_size=1, max_size=3))
    names = draw(st.lists(st.one_of(LONG, SHORT), min_size=1, max_size=5, unique=True))
    flags = [[n, draw(VALUE)] if draw(st.booleans()) else [n] for n in names]
    return head, flags, draw(st.lists(WORD, max_size=2))


@settings(max_examples=200)
@given(commands(), st.randoms(use_true_random=False), st.booleans())
def test_every_accepted_command_is_accepted_in_any_flag_order(
    parts: tuple[list[str], list[list[str]], list[str]], rnd: object, equals: bool
) -> None:
    head, flags, tail = parts
    expected = shlex.join([*head, *(w for f in flags for w in f), *tail])
    spec = AnswerSpec("command")
    assert check_answer(expected, expected, spec=spec).correct
    shuffled = list(flags)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    words = [*head]
    for flag in shuffled:  # a long flag's value may also come as --name=value
        if equals and len(flag) == 2 and flag[0].startswith("--"):
            words.append(f"{flag[0]}={flag[1]}")
        else:
            words += flag
    typed = shlex.join([*words, *tail])
    result = check_answer(typed, expected, spec=spec)
    assert result.correct, (typed, expected, result.missing, result.extra, result.note)


@given(st.sampled_from(MODES), st.text(max_size=40), st.text(max_size=40))
def test_parts_rebuild_both_strings_in_every_mode(match: str, typed: str, expected: str) -> None:
    spec = AnswerSpec(match, pattern="[a-z]+" if match == "regex" else "")
    result = check_answer(typed, expected, spec=spec)
    assert "".join(p.text for p in result.typed_parts if p.kind != "missing") == result.answer
    assert "".join(p.text for p in result.expected_parts if p.kind != "wrong") == result.expected
    assert result.suggested_rating in (1, 2, 3)
    assert result.correct == (result.suggested_rating == 3)


@given(st.text(st.sampled_from(" \t\n\\'\"ab-") | st.characters(exclude_categories=["Cs"]), max_size=40))
def test_split_words_is_shlex_split(text: str) -> None:
    try:
        want: list[str] | str = [_fix_dash(v) for v in shlex.split(text)]
    except ValueError as exc:
        want = str(exc)
    try:
        words = split_words(text)
    except ValueError as exc:
        assert want == str(exc)
        return
    assert [w.text for w in words] == want
    for w in words:  # each span holds the word as written
        assert 0 <= w.start < w.end <= len(text) or (w.text == "" and w.end > w.start)


def _spans_reference(text: str) -> list[tuple[int, int]]:
    """The first, plainer splitter (one bullet match per piece), kept to check the fast one."""
    import re

    from retain.core.answer.sets import _BULLET, MAX_ITEMS

    spans: list[tuple[int, int]] = []
    start = 0
    for m in [*re.finditer(r"[,;\n]", text), None]:
        end = m.start() if m else len(text)
        piece = text[start:end]
        bullet = _BULLET.match(piece)
        lead = bullet.end() if bullet else len(piece) - len(piece.lstrip())
        body = piece[lead:].rstrip()
        if body:
            spans.append((start + lead, start + lead + len(body)))
        if m is None or len(spans) >= MAX_ITEMS:
            break
        start = m.end()
    return spans


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="ab -*+•1.)2,;\n\t", max_size=80))
def test_set_items_split_as_the_reference_splits_them(text: str) -> None:
    from retain.core.answer.sets import _spans

    assert _spans(text) == _spans_reference(text)


@settings(max_examples=300)
@given(
    st.lists(
        st.text(st.sampled_from("aAtThHeEnN '\"`.!?;:,\t\x0b\x0c\r\x1c\x1f-x"), max_size=14), max_size=20
    ),
    st.sampled_from(["", "é", "\n", "the"]),
)
def test_normalise_all_is_normalise_of_each(texts: list[str], one_more: str) -> None:
    from retain.core.answer.normalise import normalise_all

    texts = [*texts, one_more]  # é and a line break take the one-by-one way
    assert normalise_all(texts) == [normalise(t) for t in texts]
