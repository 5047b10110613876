"""Regexes over card and deck text hold no memory per character or line they repeat over.

Python's `re` keeps a backtracking record for each pass of a repeated group that is more
than one character (`(?:...)*`): ~60-250 bytes per character or line, so a 10 MiB deck
or a long card could take gigabytes. Such repeats are possessive (`*+`, `++`), or plain
string tests (the export of a one-paragraph card: tests/interop/test_card_rendering.py).
"""

from __future__ import annotations

import re
import sys
import time
import tracemalloc
from collections.abc import Callable

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from retain.core.answer import argv
from retain.core.answer.argv import split_error, split_words
from retain.core.answer.number import _LEAD, parse_quantity
from retain.core.cloze import _BRACKET, render_front
from retain.core.lint import _norm
from retain.core.tomlsafe import TomlFailure, _out_of_range, loads_careful
from retain.core.tomltables import scan
from retain.interop.anki.ankinote import _strip_copy_suffixes, kind_from_name

N = 200_000


def _peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


CASES = {
    # the words of a card's text, for the lint that compares front and back
    "lint of dotted words": (lambda: _norm("a." * N), 2 * N),
    # a deck file of many short lines, scanned to edit one card
    "deck scan of short lines": (lambda: scan("format = 1\n[[cards]]\n" + "a=1\n" * (N // 4)), N),
    # the dotted-key bomb check before the standard TOML reader
    "dotted key check": (lambda: loads_careful("k" + ".a" * N + " = 1\n"), 2 * N),
    # a cloze hint whose brackets are escaped on the front, after a long run of backslashes
    "cloze hint after backslashes": (lambda: render_front("{{c1::a::" + "\\" * N + "[}}", 1), N),
    # the punctuation before a number answer (a card's back, checked by `retain check`)
    "number after punctuation": (lambda: parse_quantity("?!;:,." * (N // 6) + "5 GB"), N),
    # a command answer with one long double-quoted word full of escapes
    "command word in quotes": (lambda: split_words('"' + "a\\b" * (N // 3) + '"'), N),
    "command quotes check": (lambda: split_error('"' + "a\\b" * (N // 3) + '"'), N),
    # the integer past Python's digit limit that a deck's parse failed on, found to name it
    "integer past the digit limit": (lambda: _out_of_range("x = " + "1_2" * (N // 3), ValueError("x")), N),
    # an Anki note type name with many copy suffixes
    "note type copy suffixes": (lambda: kind_from_name("Basic" + "-abcde+" * (N // 7)), N),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_memory_is_not_per_character(case: str) -> None:
    run, size = CASES[case]
    peak = _peak(run)
    assert peak < 10 * size, f"{case}: peak {peak / 2**20:.1f} MB for {size / 2**20:.1f} MB of text"


def test_the_checks_still_answer() -> None:
    assert _norm("see e.g. v1.2.3 now") == "see e.g v1.2.3 now"
    bomb = loads_careful("k" + ".a" * 70 + " = 1\n")
    assert isinstance(bomb, TomlFailure) and "more than 64 parts" in bomb.message
    found = scan("format = 1\n[[cards]]\na=1\nb = 'x'\n")
    assert found is not None and found[0] == [(11, "card")]


def test_a_note_type_name_is_read_in_linear_time() -> None:
    """A run of copy suffixes that does not reach the end took a regex search time with its
    square (20,000 `+`: 7 s); read from the end it is one pass."""
    names = ["Basic" + "+" * 20_000 + "x", "Basic" + "-abcde" * 4_000 + "!", "Cloze" + "-ab1c9+" * 40_000]
    start = time.process_time()
    kinds = [kind_from_name(name) for name in names]
    assert time.process_time() - start < 0.5
    assert kinds == [None, None, "cloze"]


# The patterns before they were made possessive (and the copy suffix regex before it became a loop):
# each new one must find exactly what the old one found.
OLD_BRACKET = re.compile(r"(?<!\\)((?:\\\\)*)([\[\]])")
OLD_LEAD = re.compile(r"^(?:[ !?;:,]|\.(?!\d))+")
OLD_WORD = re.compile(r"""(?:[^ \t\r\n'"\\]+|'[^']*'|"(?:[^"\\]|\\.)*"|\\.)+""", re.DOTALL)
OLD_PIECE = re.compile(r"""'([^']*)'|"((?:[^"\\]|\\.)*)"|\\(.)|([^'"\\]+)""", re.DOTALL)
OLD_QUOTED = re.compile(r"""'[^']*'|"(?:[^"\\]|\\.)*"|\\.""", re.DOTALL)
OLD_COPY_SUFFIX = re.compile(r"(?:\+|-[0-9a-z]{5})+\Z")


def _texts(pieces: list[str], size: int = 30) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=size).map("".join)


def _all(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text)]


@given(_texts(["\\", "\\\\", "[", "]", "a", "\\["]))
@settings(max_examples=300, deadline=None)
def test_the_bracket_escape_finds_what_it_found(text: str) -> None:
    assert _all(_BRACKET, text) == _all(OLD_BRACKET, text)
    assert _BRACKET.sub(r"\1\\\2", text) == OLD_BRACKET.sub(r"\1\\\2", text)


@given(_texts([" ", "!", "?", ";", ":", ",", ".", "5", "a", ".5", "\n"]))
@settings(max_examples=300, deadline=None)
def test_the_lead_before_a_number_is_what_it_was(text: str) -> None:
    assert _LEAD.sub("", text) == OLD_LEAD.sub("", text)


SHELL = [" ", "\t", "\n", "'", '"', "\\", "a", "-", '\\"', "\\\\", "'a b'", '"a b"']


@given(_texts(SHELL))
@settings(max_examples=400, deadline=None)
def test_the_shell_word_patterns_find_what_they_found(text: str) -> None:
    for at in range(len(text) + 1):
        new, old = argv._WORD.match(text, at), OLD_WORD.match(text, at)
        assert (new and new.span()) == (old and old.span())
    assert _all(argv._PIECE, text) == _all(OLD_PIECE, text)
    assert _all(argv._QUOTED, text) == _all(OLD_QUOTED, text)


@given(_texts(["+", "-", "a", "1", "Z", "é", "x", " ", "-ab1c9", "-abcd", "-ABCDE", "-١٢٣٤٥", "--abcde"]))
@settings(max_examples=300, deadline=None)
def test_the_copy_suffix_loop_strips_what_the_regex_stripped(name: str) -> None:
    assert _strip_copy_suffixes(name) == OLD_COPY_SUFFIX.sub("", name)


DIGIT_RUNS = ["1", "1", "1_", "_", "x", "+", "-", ".", '"', " ", "\n"]


@given(st.lists(st.tuples(st.sampled_from(DIGIT_RUNS), st.integers(1, 700)), max_size=6))
@example([("1", 300), ("1_", 340), ("1", 1)])  # 641 digits
@example([("x", 2), ("\n", 2), ("-", 1), ("1", 700), ("_", 2), ("1", 700)])
@example([('"', 1), ("1", 700)])  # right after a quote: not it
@settings(max_examples=60, deadline=None)
def test_the_long_integer_found_is_the_one_it_found(runs: list[tuple[str, int]]) -> None:
    text = "".join(piece * count for piece, count in runs)
    old = re.compile(r"(?<![\w.\"'])[+-]?[0-9](?:_?[0-9]){640,}")
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        failure = _out_of_range(text, ValueError("other"))
    finally:
        sys.set_int_max_str_digits(limit)
    run = old.search(text)
    if run is None:
        assert failure.message.endswith("out of range: other")
    else:
        line = text.count("\n", 0, run.start()) + 1
        assert (failure.line, failure.col) == (line, run.start() - text.rfind("\n", 0, run.start()))
        assert f"an integer of {sum(ch.isdigit() for ch in run[0])} digits" in failure.message
