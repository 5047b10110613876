"""h8: an Anki log where a learning row follows review rows with no "Forget" row between (older
Anki reset a card without logging it). Anki's optimizer starts such a card at its last group of
learning rows; retain read the learning row as one more answer of the learned card, so its whole
earlier history was fitted as if it led into the new learning (5 training items where Anki has 2),
and the memory replayed on from it."""

from __future__ import annotations

from pathlib import Path

from retain.core.state import NEW

from .anki_fixture import LogRow, with_log
from .test_h9_ankifix_history import DAY, T0

START = T0 - 60 * DAY  # in the past: a review dated ahead of the clock is no interval for Anki
ROWS: list[LogRow] = [
    (START, 3, -600, 0, 0, 0),  # learning: new -> 10m step
    (START + 60_000, 3, 1, -600, 2500, 0),  # graduates
    (START + 3 * DAY, 3, 4, 1, 2500, 1),
    (START + 10 * DAY, 3, 10, 4, 2500, 1),
    (START + 20 * DAY, 3, -600, 0, 0, 0),  # learning again: reset in Anki without a row
    (START + 20 * DAY + 60_000, 3, 1, -600, 2500, 0),
    (START + 25 * DAY, 3, 3, 1, 2500, 1),
    (START + 30 * DAY, 1, -600, 3, 2300, 1),
]


def test_a_learning_row_after_reviews_starts_the_card_over(tmp_path: Path) -> None:
    bundle = with_log(tmp_path, ROWS)
    mine = [r for r in bundle.reviews if r.time.timestamp() * 1000 >= START]
    kinds = [r.kind for r in mine]
    assert kinds == ["review"] * 4 + ["reset"] + ["review"] * 4, kinds
    again = mine[5]
    assert again.before is None or again.before.state == NEW, again.before
    # its memory is replayed from new, as a new card's first answer is
    assert again.after is not None and mine[0].after is not None
    assert again.after.stability == mine[0].after.stability
