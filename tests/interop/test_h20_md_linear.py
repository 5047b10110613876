"""A hashcards `.md` card that runs over many lines is read in time linear in the file.

Each line of a card copied the card's text so far (`parts[-1] += "\\n" + line`), and the card's
key dropped its trailing blank lines one list copy at a time: a card over 400k lines took 7 s
to read, over 1.6M lines 106 s (docs/sharing.md promises linear time).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.core.model import Deck
from retain.interop.limits import Limits
from retain.interop.markdown import read_markdown

LIMITS = Limits(max_field_chars=10_000_000)
SMALL = 60_000  # lines: the big file has 4 times as many
REPEATS = 3


def _write(path: Path, lines: int, line: str) -> Path:
    path.write_text("Q: q\nA: a\n" + (line + "\n") * lines + "Q: q2\nA: a2\n", encoding="utf-8")
    return path


def _read(path: Path, stage: Path) -> tuple[float, Deck]:
    """The least CPU time of a few reads (CPU time: the machine's load changes both sizes alike)."""
    best = float("inf")
    deck: Deck | None = None
    for _ in range(REPEATS):
        gc.collect()
        start = time.process_time()
        bundle = read_markdown(path, LIMITS, stage)
        best = min(best, time.process_time() - start)
        deck = bundle.decks[0]
    assert deck is not None
    return best, deck


@pytest.mark.parametrize(
    ("line", "back"),
    [
        ("", lambda n: "a"),  # blank lines: the card's text and its key's trailing blanks
        ("x", lambda n: "a" + "\nx" * n),  # text lines: the card's text
        ("\\Q: x", lambda n: "a" + "\nQ: x" * n),  # escaped tag lines: unescaped on the way
    ],
    ids=["blank", "text", "escaped"],
)
def test_a_card_over_many_lines_reads_in_linear_time(
    tmp_path: Path, line: str, back: Callable[[int], str]
) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    times = []
    for n in (SMALL, 4 * SMALL):
        took, deck = _read(_write(tmp_path / f"deck{n}.md", n, line), stage)
        assert [(c.front, c.back) for c in deck.cards] == [("q", back(n)), ("q2", "a2")]
        times.append(took)
    # linear: 4 times the lines take about 4 times as long; the quadratic reader took 12-16 times
    assert times[1] < 8 * max(times[0], 0.01), times
