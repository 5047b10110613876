"""h8: the optimizer's input as Anki 26.09 builds it, and its hostile inputs.

- fsrs-rs weighs later items more ("the input items should be sorted by the review timestamp"):
  retain gave them card by card (by key), so the fitted weights depended on the cards' names and
  were not Anki's on the same history;
- a card's history is taken from its last review from new (Anki's last group of learning
  steps), so a card whose events are out of time order (the clock moved back) still counts;
- config.toml shapes the writer cannot put weights into are one ConfigError line, not a crash.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import fsrs_rs_python as rs
import pytest
from optimize_synth import synthetic_rows

from retain.core.fsrsfit import HistoryRow, card_histories, fit, training_set
from retain.store.config import ConfigError
from retain.store.config_write import save_parameters

_REVIEW_RE = re.compile(r"rating: (\d+), delta_t: (\d+)")


def _seq(item: rs.FSRSItem) -> list[tuple[int, int]]:
    return [(int(a), int(b)) for a, b in _REVIEW_RE.findall(repr(item))]


def _renamed(rows: list[HistoryRow], seed: int) -> list[HistoryRow]:
    """The same history with the cards given other names (sorted by the new key, then time)."""
    keys = sorted({r.key for r in rows})
    shuffled = keys[:]
    random.Random(seed).shuffle(shuffled)
    rename = dict(zip(keys, shuffled, strict=True))
    return sorted((r._replace(key=rename[r.key]) for r in rows), key=lambda r: (r.key, r.time))


def _timed(rows: list[HistoryRow]) -> list[HistoryRow]:
    """`rows` with distinct times (µs) inside their days, as real reviews have."""
    rng = random.Random(9)
    return [r._replace(time=r.day * 86_400_000_000 + rng.randrange(86_400_000_000)) for r in rows]


def test_items_come_in_the_order_of_their_reviews() -> None:
    rows = [
        HistoryRow("d/a", 10, True, 3, 10, True, False),
        HistoryRow("d/a", 50, True, 3, 50, False, False),
        HistoryRow("d/b", 20, True, 3, 20, True, False),
        HistoryRow("d/b", 30, True, 1, 30, False, False),
        HistoryRow("d/b", 60, True, 3, 60, False, False),
    ]
    data = training_set(rows, lambda k: True)
    assert [_seq(i) for i in data.items] == [[(3, 0), (1, 10)], [(3, 0), (3, 40)], [(3, 0), (1, 10), (3, 30)]]
    # one id per card, in the order the cards were first reviewed (Anki's card ids: creation time)
    assert data.card_ids == [1, 0, 1]


def test_the_fit_does_not_depend_on_the_names_of_the_cards() -> None:
    rows = _timed(synthetic_rows(cards=400, reviews_per_card=5, seed=4))
    data = training_set(rows, lambda k: True)
    first = fit(data.items, None, data.card_ids)
    data = training_set(_renamed(rows, 1), lambda k: True)
    again = fit(data.items, None, data.card_ids)
    assert again.weights == first.weights
    assert again.after == pytest.approx(first.after, rel=1e-4)  # evaluate sums in threads


def test_a_card_counts_from_its_last_review_from_new_when_the_clock_went_back() -> None:
    # recorded at days 10 (from new), 40, 5?: in time order the review from new is not first
    rows = [
        HistoryRow("d/a", 5, True, 3, 5, False, False),
        HistoryRow("d/a", 10, True, 3, 10, True, False),
        HistoryRow("d/a", 14, True, 1, 14, False, False),
        HistoryRow("d/a", 40, True, 3, 40, False, False),
    ]
    assert [(k, d, r) for k, d, r in card_histories(rows)] == [("d/a", [10, 14, 40], [3, 1, 3])]
    # a later start from new (a reset Anki logged no row for) drops what came before it
    rows.append(HistoryRow("d/a", 50, True, 2, 50, True, False))
    rows.append(HistoryRow("d/a", 53, True, 3, 53, False, False))
    assert list(card_histories(rows)) == [("d/a", [50, 53], [2, 3])]
    # ...and --since looks at that start only
    assert list(card_histories(rows, since_day=45)) == [("d/a", [50, 53], [2, 3])]
    assert list(card_histories(rows, since_day=51)) == []


@pytest.mark.parametrize(
    "text",
    [
        "presets = 3\n",
        '[presets]\ndefault = "x"\n',
        "[[presets.default]]\nx = 1\n",
        "presets = [1, 2]\n",
    ],
)
def test_a_config_shape_that_cannot_take_the_weights_is_one_line(tmp_path: Path, text: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="weights were not saved") as info:
        save_parameters(path, "default", [0.5] * 21)
    assert "\n" not in str(info.value)
    assert path.read_text(encoding="utf-8") == text
