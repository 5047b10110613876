"""Regexes over card and deck text hold no memory per character or line they repeat over.

Python's `re` keeps a backtracking record for each pass of a repeated group that is more
than one character (`(?:...)*`): ~60-250 bytes per character or line, so a 10 MiB deck
or a long card could take gigabytes. Such repeats are possessive (`*+`, `++`), or plain
string tests (the export of a one-paragraph card: tests/interop/test_card_rendering.py).
"""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable

import pytest

from retain.core.lint import _norm
from retain.core.tomlsafe import TomlFailure, loads_careful
from retain.core.tomltables import scan

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
