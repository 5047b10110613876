"""Hostile files checked for merge conflict markers: bounded memory on a deck of the largest size."""

from __future__ import annotations

import tracemalloc

from retain.store.files import conflict_marker_line


def test_a_file_of_marker_lines_is_checked_without_a_list_of_them() -> None:
    """300k `=======` lines: every marker was kept as a match object (~16x the file; 10 MB, the
    deck limit, took 170 MB)."""
    text = "<<<<<<<\n" + "=======\n" * 300_000 + ">>>>>>>\n"
    tracemalloc.start()
    try:
        assert conflict_marker_line(text) == 1
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < len(text), peak


def test_the_first_marker_line_is_still_named() -> None:
    assert conflict_marker_line("a\n=======\nb\n<<<<<<< HEAD\nc\n>>>>>>> x\n") == 2
    assert conflict_marker_line("<<<<<<< HEAD\nno closing marker\n") is None
    assert conflict_marker_line("x <<<<<<<\n>>>>>>>\n") is None  # not at a line start
