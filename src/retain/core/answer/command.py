"""`match = "command"`: a shell command compared as argv.

The program and sub-command come first, in order; flags may come in any order;
`-n x`, `-nx` and `--namespace=x` are the same flag when the card declares the
alias (`aliases = { "-n" = "--namespace" }`); positional arguments keep their
order. Flags compare exactly (`-R` is not `-r`); words and values ignore case.
The verdict names the missing and extra flags.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from retain.core.answer.argv import (
    Arity,
    Parsed,
    Word,
    command_text,
    learn_arity,
    long_options,
    parse_argv,
    settle_arity,
    split_error,
    split_words,
    whole_words,
)
from retain.core.answer.normalise import drop_invisible, near_miss, normalise, unify_styles
from retain.core.answer.spec import AnswerSpec
from retain.core.answer.textmode import MAX_ACCEPTED, MAX_ANSWER, check_text
from retain.core.answer.verdict import DiffPart, TypedCheck, as_mode, rating_for

__all__ = ["MAX_WORDS", "check_command"]

MAX_WORDS = 200
_READINGS: tuple[Arity, ...] = ("value", "switch")


_SMART_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def _shell_text(text: str) -> str:
    """A command as a shell reads it: quotes a phone made typographic (`‘prod’`) are quotes when
    the command then splits, and a `;` that ends it (`kubectl get pods;`) is no part of it."""
    if any(ch in text for ch in "‘’“”"):
        plain = text.translate(_SMART_QUOTES)
        if split_error(plain) is None:
            text = plain
    while text.endswith(";") and not text.endswith("\\;"):  # `\;` is an argument (find -exec)
        text = text[:-1].rstrip()
    return text


def _w(word: str) -> str:
    return unify_styles(word).casefold()


def _flag_key(name: str, value: str | None) -> tuple[str, str | None]:
    return unify_styles(name), None if value is None else _w(value)


@dataclass(slots=True)
class _Result:
    cost: int
    near: bool
    typed: Parsed
    expected: Parsed
    missing: list[int]  # expected flag indexes
    extra: list[int]  # typed flag indexes
    bad_typed: set[int]  # typed word indexes of wrong positionals
    bad_expected: set[int]


def _keys(parsed: Parsed) -> list[tuple[str, str | None]]:
    if parsed.plain:  # ASCII without a backquote: styles are already one
        return [(f.name, None if f.value is None else f.value.lower()) for f in parsed.flags]
    return [_flag_key(f.name, f.value) for f in parsed.flags]


def _compare(typed: Parsed, expected: Parsed) -> _Result:
    typed_keys, expected_keys = _keys(typed), _keys(expected)
    want, have = Counter(expected_keys), Counter(typed_keys)
    missing: list[int] = []
    extra: list[int] = []
    if want != have:
        missing = _pick(expected_keys, want - have)
        extra = _pick(typed_keys, have - want)
    near = False
    # A flag whose value is only a typo away is a near miss, not a missing and an extra flag.
    for m in list(missing):
        fm = expected.flags[m]
        for x in extra:
            fx = typed.flags[x]
            if (
                fx.name == fm.name
                and fm.value
                and fx.value
                and near_miss(normalise(fx.value), normalise(fm.value), fx.value, fm.value)
            ):
                missing.remove(m)
                extra.remove(x)
                near = True
                break
    bad_t: set[int] = set()
    bad_e: set[int] = set()
    tp, ep = typed.positionals, expected.positionals
    for k in range(max(len(tp), len(ep))):
        a = tp[k] if k < len(tp) else None
        b = ep[k] if k < len(ep) else None
        if a is not None and b is not None and (a[0] == b[0] or _w(a[0]) == _w(b[0])):
            continue
        if a is not None and b is not None and near_miss(normalise(a[0]), normalise(b[0]), a[0], b[0]):
            near = True
            continue
        if a is not None:
            bad_t.add(a[1])
        if b is not None:
            bad_e.add(b[1])
    cost = len(missing) + len(extra) + max(len(bad_t), len(bad_e))
    return _Result(cost, near, typed, expected, missing, extra, bad_t, bad_e)


def _pick(keys: list[tuple[str, str | None]], wanted: Counter[tuple[str, str | None]]) -> list[int]:
    """Indexes of the flags whose keys are `wanted` (as many of each as wanted, the first ones)."""
    left = Counter(wanted)
    out: list[int] = []
    for i, key in enumerate(keys):
        if left[key] > 0:
            left[key] -= 1
            out.append(i)
    return out


def _explain(
    result: _Result,
    typed: Sequence[Word],
    words: Sequence[Word],
    aliases: dict[str, str],
    learnt: dict[str, Arity],
) -> _Result:
    """A wrong answer's shortest diff: the other readings of the flags the card leaves open may
    explain it with fewer missing and extra words (`-f` missing, not `-f web` and an extra `web`),
    but they never make it right: a reading that would is the one the answer did not show."""
    if "either" not in learnt.values():
        return result
    for reading in _READINGS:
        other = _compare(
            parse_argv(typed, aliases, learnt, reading), parse_argv(words, aliases, learnt, reading)
        )
        if 0 < other.cost < result.cost:
            result = other
    return result


def _parts(text: str, words: Sequence[Word], bad: set[int], kind: str) -> tuple[DiffPart, ...]:
    """The diff of one side: each `bad` word as its own part of `kind`, everything between them as
    one "same" part (a right answer is a single part)."""
    if any(w.start < 0 for w in words):
        return (DiffPart(text, "same" if not bad else kind),) if text else ()  # type: ignore[arg-type]
    parts: list[DiffPart] = []
    at = 0
    for i in sorted(bad):
        w = words[i]
        if w.start > at:
            parts.append(DiffPart(text[at : w.start], "same"))
        parts.append(DiffPart(text[w.start : w.end], kind))  # type: ignore[arg-type]
        at = w.end
    if at < len(text):
        parts.append(DiffPart(text[at:], "same"))
    return tuple(parts)


def _shown(parsed: Parsed, index: int, words: Sequence[Word]) -> str:
    flag = parsed.flags[index]
    text = " ".join(words[i].text for i in flag.words) if len(flag.words) > 1 else flag.shown
    if len(flag.words) == 1 and flag.value is not None and flag.shown != words[flag.words[0]].text:
        text = f"{flag.shown} {flag.value}"
    return text


def _wrong_typed(result: _Result) -> set[int]:
    """The typed words a result marks wrong: wrong positionals and the words of extra flags."""
    return set(result.bad_typed) | {i for x in result.extra for i in result.typed.flags[x].words}


def _shares(result: _Result) -> bool:
    """Whether the answer has a word of the target right (the program, a flag, an argument)."""
    typed = {i for f in result.typed.flags for i in f.words} | {i for _, i in result.typed.positionals}
    return bool(typed - _wrong_typed(result))


def _alias_table(aliases: tuple[tuple[str, str], ...]) -> dict[str, str]:
    return {unify_styles(k).strip(): unify_styles(v).strip() for k, v in aliases}


@lru_cache(maxsize=1024)
def _target(
    text: str, aliases: tuple[tuple[str, str], ...]
) -> tuple[str, tuple[Word, ...], dict[str, Arity], dict[str, str], bool] | None:
    """A card's back (or an accepted answer) as argv, with what it shows of its flags' arity, the
    alias table that also keeps its single-dash long options whole (`-name`: never `-n -a -m -e`),
    and whether its program reads every single-dash word whole: read once per card (cached; the
    words, the arity and the table are shared, never changed)."""
    shown = _shell_text(command_text(drop_invisible(text[: 4 * MAX_ANSWER])))
    try:
        words = tuple(split_words(shown)[:MAX_WORDS])
    except ValueError:
        return None
    if not words:
        return None
    table = _alias_table(aliases)
    longs, every = long_options(words, table)
    if longs:
        table = {name: name for name in longs} | table
    return shown, words, learn_arity(words, table), table, every


def check_command(answer: str, expected: str, accept: Sequence[str], spec: AnswerSpec) -> TypedCheck:
    # A pasted control character or zero-width space is no part of the command (as in every mode).
    typed = _shell_text(command_text(" ".join(drop_invisible(answer[:MAX_ANSWER]).split())))
    try:
        typed_words = split_words(typed)[:MAX_WORDS]
    except ValueError as exc:
        base = check_text(answer, expected, accept)
        return TypedCheck(
            typed,
            base.expected,
            False,
            0.0,
            (DiffPart(typed, "wrong"),) if typed else (),
            base.expected_parts,
            1,
            "command",
            note=f"could not parse your answer: {exc}",
        )
    best: tuple[_Result, str, tuple[Word, ...]] | None = None
    for text in (expected, *accept)[:MAX_ACCEPTED]:
        target = _target(text, spec.aliases)
        if target is None:
            continue  # unsplittable (`retain check` reports it) or empty
        shown, words, learnt, aliases, every = target
        wholes = whole_words(typed_words, aliases, learnt, every)
        if wholes:
            aliases = {name: name for name in wholes} | aliases
        settled = settle_arity(learnt, typed_words, aliases)
        result = _compare(
            parse_argv(typed_words, aliases, settled, "value"), parse_argv(words, aliases, settled, "value")
        )
        if result.cost:
            result = _explain(result, typed_words, words, aliases, learnt)
        # An accepted answer is shown only for an answer that has a word of it right: one that
        # has none is compared with the card's own answer (the first), not the shortest alternative.
        if best is None or ((result.cost, result.near) < (best[0].cost, best[0].near) and _shares(result)):
            best = (result, shown, words)
        if best is not None and best[0].cost == 0 and not best[0].near:
            break
    if best is None:
        return as_mode(check_text(answer, expected, accept), "command")
    result, shown, words = best
    correct = bool(typed_words) and result.cost == 0 and not result.near
    near = bool(typed_words) and result.cost == 0 and result.near
    bad_typed = _wrong_typed(result)
    bad_expected = set(result.bad_expected) | {
        i for m in result.missing for i in result.expected.flags[m].words
    }
    if not typed_words:
        bad_expected = set(range(len(words)))
    total = len(words) + len(typed_words)
    score = max(0.0, 1.0 - 2 * result.cost / total) if total else 0.0
    note = "a word is only close (accents or a typo)" if near else ""
    if result.bad_expected or result.bad_typed:
        order = " ".join(w for w, _ in result.expected.positionals)
        note = f"arguments in order: {order}" if order else note
    return TypedCheck(
        typed,
        shown,
        correct,
        1.0 if correct else score,
        _parts(typed, typed_words, bad_typed, "wrong"),
        _parts(shown, words, bad_expected, "missing"),
        rating_for(correct, near),
        "command",
        missing=tuple(_shown(result.expected, m, words) for m in result.missing),
        extra=tuple(_shown(result.typed, x, typed_words) for x in result.extra),
        note=note,
    )
