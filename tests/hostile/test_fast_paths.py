"""The fast paths taken for big hostile files print and flag exactly what the plain paths do."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.commands.output import out, out_lines
from retain.core.ids import make_card_id
from retain.core.sanitize import _UNSAFE_RE, UNSAFE_RANGES, _has_unsafe

# Characters around every edge of the unsafe table, plus line breaks, ASCII and astral text.
EDGES = sorted(
    {chr(c + d) for lo, hi in UNSAFE_RANGES for c in (lo, hi) for d in (-1, 0, 1) if 0 <= c + d <= 0x10FFFF}
    | set("\t\n\r ab:é")
    | {"\u2028", "\u2029", "\U0001f600", "\r\n"}
)
texts = st.lists(st.sampled_from(EDGES), max_size=12).map("".join)


@given(texts)
@settings(max_examples=2000, deadline=None)
def test_the_quick_unsafe_check_agrees_with_the_full_pattern(text: str) -> None:
    assert _has_unsafe(text) == (_UNSAFE_RE.search(text) is not None)


def _printed(fn: Callable[[], None]) -> str:
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        fn()
    return buffer.getvalue()


@given(st.lists(texts, max_size=6))
@settings(max_examples=500, deadline=None)
def test_out_lines_prints_what_out_prints_line_by_line(lines: list[str]) -> None:
    def each() -> None:
        for line in lines:
            out(line)

    one_by_one = _printed(each)
    together = _printed(lambda: out_lines(lines))
    assert together == one_by_one
    assert together.count("\n") == len(lines)  # one line each, whatever the text held


@given(st.lists(st.sampled_from(["q", "q", "q", "other", "{{c1::q}}"]), min_size=1, max_size=400))
@settings(max_examples=60, deadline=None)
def test_card_id_hints_give_the_same_ids(fronts: list[str]) -> None:
    """Many equal fronts (a Markdown import): the hinted search finds exactly the ids of the plain one."""
    plain: list[str] = []
    hinted: list[str] = []
    for out_ids, hints in ((plain, None), (hinted, {})):
        taken: set[str] = set()
        for front in fronts:
            new = make_card_id(front, taken, hints)
            taken.add(new)
            out_ids.append(new)
    assert hinted == plain
    assert len(set(plain)) == len(plain)
