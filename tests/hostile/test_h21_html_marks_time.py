"""h21: Anki fields full of `<sup>`, `<sub>` and strikes, nested, left open or closed by the wrong
tag, convert in time linear in their size (a mark inside one of its kind is marked by the outer
one, a closing tag with no mark open is passed over at once, a line's start is looked for in a
few pieces only); before the bound each nested script was rewritten at every level (minutes)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from retain.interop.html import html_to_text

N = 100_000
CASES = {
    "nested-sup": "<sup>a" * (N // 6) + "</sup>" * (N // 6),
    "nested-sub-digits": "<sub>2" * (N // 6) + "</sub>" * (N // 6),
    "scripts-in-scripts": "<sub>2<sup>3" * (N // 24) + "</sup></sub>" * (N // 24),
    "strikes-and-scripts": "<s>2<sup>3" * (N // 20) + "</sup></s>" * (N // 20),
    "strikes-in-strikes": "<s>a" * (N // 8) + "</s>" * (N // 8),
    "wrong-closing-tags": "<sup>a" * (N // 12) + "</sub>" * (N // 12),
    "closed-and-reopened": "<sub>" + "<sup>a" * (N // 12) + "</sub><sub>" * (N // 12),
    "many-scripts": "a<sup>2</sup>" * (N // 13),
    "many-strikes": "a <s>b</s>" * (N // 10),
    "tildes-between-tags": "~<i></i>" * (N // 8),
    "digits-between-tags": "1<i></i>" * (N // 8),
}


def _timed(fn: Callable[[], object]) -> float:
    start = time.thread_time()
    fn()
    return time.thread_time() - start


@pytest.mark.parametrize("name", sorted(CASES))
def test_marks_convert_in_linear_time(name: str) -> None:
    value = CASES[name]
    assert _timed(lambda: html_to_text(value)) < 1.0 + 10.0 * len(value) / 1e6
