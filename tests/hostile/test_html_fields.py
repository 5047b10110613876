"""Hostile Anki fields: what the HTML-to-Markdown conversion makes of them stays linear in the field."""

from __future__ import annotations

import time

import pytest

from retain.interop.html import html_to_text


@pytest.mark.parametrize("unit", ["<ul><li>x", "<ol><li>x", "<ul><li>x<ol><li>y"])
def test_lists_nested_thousands_deep_give_text_linear_in_the_field(unit: str) -> None:
    """Each item was indented by every list above it: 80 kB of `<ul><li>x` gave 100 MB of text."""
    sizes, times = [], []
    for n in (1_000, 10_000):
        started = time.perf_counter()
        sizes.append(len(html_to_text(unit * n)))
        times.append(time.perf_counter() - started)
    assert sizes[1] < 20 * sizes[0] and sizes[1] < 2_000_000, sizes
    # (linear: 10 times the field in at most 40 times the time; 2 s at most on a busy machine)
    assert times[1] < 2.0 and times[1] < 40 * max(times[0], 0.001), times


def test_nested_lists_still_indent_under_their_items() -> None:
    assert html_to_text("<ul><li>a<ul><li>b<ol><li>c</li></ol></li></ul></li></ul>") == "- a\n  - b\n    1. c"
    deep = html_to_text("<ul><li>x" * 40).split("\n")
    assert deep[16] == " " * 32 + "- x" and deep[-1] == deep[16]  # from 16 lists down, no deeper
