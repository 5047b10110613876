"""The browser's Recall column, sort and `prop:r` search: current retrievability with each deck's
preset weights, checked against the FSRS libraries' own formulas for non-default weights."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import fsrs
import fsrs_rs_python as rs
import pytest

from retain.core.model import Unit
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.store.decks.browse import BrowseIndex

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
TODAY = date(2026, 11, 28)
# Far from FSRS's defaults, decay (w20) 0.5 instead of 0.1542
MINE = (
    0.8,
    3.0,
    8.0,
    20.0,
    6.8,
    0.6,
    2.2,
    0.02,
    1.3,
    0.25,
    1.2,
    1.8,
    0.08,
    0.4,
    1.9,
    0.4,
    2.4,
    0.6,
    0.1,
    0.05,
    0.5,
)


def unit(key: str) -> Unit:
    deck, _, card = key.partition("/")
    return Unit(key, deck, card, "", "basic", f"front of {key}", "back")


def state(kind: int, stability: float, elapsed: timedelta) -> CardState:
    last = NOW - elapsed
    step = None if kind == REVIEW else 0
    return CardState(kind, step, stability, 5.0, last + timedelta(days=1), last, 3, 0)


def index(states: dict[str, CardState], units: list[str] | None = None) -> BrowseIndex:
    keys = units or list(states)
    return BrowseIndex([unit(k) for k in keys], states, UTC, lambda deck: MINE if deck == "mine" else None)


@pytest.mark.parametrize("kind", [REVIEW, LEARNING, RELEARNING])
@pytest.mark.parametrize("days", [1, 3, 40])
def test_recall_is_py_fsrs_retrievability_with_the_decks_weights(kind: int, days: int) -> None:
    s = state(kind, 7.5, timedelta(days=days))  # whole days: py-fsrs counts only those
    idx = index({"mine/a": s, "plain/a": s})
    card = fsrs.Card(card_id=1, state=fsrs.State(kind), step=s.step, stability=7.5, difficulty=5.0)
    card.last_review = s.last_review
    theirs = fsrs.Scheduler(parameters=MINE).get_card_retrievability(card, NOW)
    default = fsrs.Scheduler().get_card_retrievability(card, NOW)
    assert idx.recall(unit("mine/a"), NOW) == pytest.approx(theirs, abs=1e-12)
    assert idx.recall(unit("plain/a"), NOW) == pytest.approx(default, abs=1e-12)
    assert abs(theirs - default) > 1e-3  # the weights matter
    assert idx.row(unit("mine/a"), NOW, TODAY).recall == f"{100 * theirs:.0f}%"


@pytest.mark.parametrize("target", [0.7, 0.8, 0.95])
def test_recall_reaches_the_target_at_fsrs_rs_next_interval_counting_seconds(target: float) -> None:
    stability = 12.0
    days = rs.FSRS(list(MINE)).next_interval(stability, target, 3)  # fractional days
    assert days != round(days)
    s = state(REVIEW, stability, timedelta(days=days))
    assert index({"mine/a": s}).recall(unit("mine/a"), NOW) == pytest.approx(target, abs=5e-4)


def test_sort_by_recall_uses_each_decks_weights_and_puts_new_cards_last() -> None:
    elapsed = timedelta(days=3)
    states = {
        "mine/low": state(REVIEW, 1.0, elapsed),  # MINE at t = 3 s: 0.71 (default weights: 0.80)
        "plain/mid": state(REVIEW, 1.0, elapsed),  # 0.80
        "plain/high": state(LEARNING, 30.0, elapsed),  # 0.99
    }
    idx = index(states, ["plain/new", "plain/high", "mine/low", "plain/mid"])
    order = [u.key for u in idx.sort(idx.units, "recall", NOW)]
    assert order == ["mine/low", "plain/mid", "plain/high", "plain/new"]
    order = [u.key for u in idx.sort(idx.units, "recall", NOW, descending=True)]
    assert order == ["plain/high", "plain/mid", "mine/low", "plain/new"]
    assert idx.row(unit("plain/new"), NOW, TODAY).recall == ""


def test_prop_r_search_uses_each_decks_weights() -> None:
    s = state(REVIEW, 2.0, timedelta(days=2.5))  # default weights: 0.88; MINE: 0.87
    idx = index({"mine/a": s, "plain/a": s}, ["mine/a", "plain/a", "plain/new"])
    r_mine, r_plain = idx.recall(unit("mine/a"), NOW), idx.recall(unit("plain/a"), NOW)
    assert r_mine is not None and r_plain is not None and r_mine < r_plain
    cut = round((r_mine + r_plain) / 2, 4)
    assert [u.key for u in idx.search(f"prop:r<{cut}", NOW, TODAY)] == ["mine/a"]
    assert [u.key for u in idx.search(f"prop:r>={cut}", NOW, TODAY)] == ["plain/a"]
    assert [u.key for u in idx.search(f"-prop:r<{cut}", NOW, TODAY)] == ["plain/a", "plain/new"]


def test_the_browser_lists_a_cloze_front_without_the_placeholder_escapes() -> None:
    """`{{c1::Paris}}: capital` shows `[...]: capital` when studied, but the browser's front
    column (and its sort) showed the Markdown escapes: `\\[...\\]: capital`."""
    from retain.core.model import Card, Deck
    from retain.core.units import expand_deck
    from retain.store.decks.browse import front_text

    unit = expand_deck(Deck("geo", "Geo", cards=(Card("c", text="{{c1::Paris}}: capital", kind="cloze"),)))[0]
    assert "\\" in unit.front  # escaped for Markdown on the study screen
    assert front_text(unit) == "[...]: capital"
    index = BrowseIndex([unit], {}, UTC)
    assert index.row(unit, NOW, NOW.date()).front == "[...]: capital"
