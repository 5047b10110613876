"""Scheduling through an .apkg both ways: suspended new cards stay suspended (queue -1), and a
learning card keeps its step (Anki's `left`: remaining steps, today's in the thousands)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.model import Card, Deck
from retain.core.state import LEARNING, NEW, RELEARNING, CardState
from retain.interop.bundle import Review
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

from .anki_fixture import package_rows

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
DECK = Deck("sched", "Sched", tuple(Card(f"c{i}", front=f"q{i}", back=f"a{i}") for i in range(5)))


def _learning(state: int, step: int) -> CardState:
    return CardState(state, step, 2.0, 5.0, NOW + timedelta(minutes=10), NOW - timedelta(minutes=1), 1, 0)


STATES = {
    "sched/c0": CardState(suspended=True),  # new, suspended
    "sched/c1": _learning(LEARNING, 0),
    "sched/c2": _learning(LEARNING, 1),
    "sched/c3": _learning(RELEARNING, 0),
}


def _export(tmp_path: Path) -> Path:
    out = tmp_path / "sched.apkg"
    reviews = [
        Review(k, NOW - timedelta(minutes=1), s, None, "review", 3, 1000)
        for k, s in STATES.items()
        if s.state != NEW
    ]
    export_decks([DECK], out, now=NOW, states=STATES, reviews=reviews)
    return out


def _cards(apkg: Path, tmp_path: Path) -> dict[str, tuple[int, int, int]]:
    """(type, queue, left) of each card, by its note's first field."""
    sql = "SELECT n.sfld, c.type, c.queue, c.left FROM cards c JOIN notes n ON n.id = c.nid"
    return {str(sfld): (typ, queue, left) for sfld, typ, queue, left in package_rows(apkg, tmp_path, sql)}


def test_a_suspended_new_card_is_written_suspended(tmp_path: Path) -> None:
    typ, queue, _ = _cards(_export(tmp_path), tmp_path)["q0"]
    assert (typ, queue) == (0, -1)


def test_learning_steps_are_written_as_remaining_steps(tmp_path: Path) -> None:
    cards = _cards(_export(tmp_path), tmp_path)
    # default steps: learning 1m 10m (two), relearning 10m (one)
    assert cards["q1"] == (1, 1, 2002)
    assert cards["q2"] == (1, 1, 1001)
    assert cards["q3"] == (3, 1, 1001)


def _final_states(tmp_path: Path) -> dict[str, CardState | None]:
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(_export(tmp_path), stage, with_history=True)
    last: dict[str, CardState | None] = {}
    for r in sorted(bundle.reviews, key=lambda r: r.time):
        last[r.key] = r.after
    return last


def test_a_suspended_new_card_imports_suspended_and_new(tmp_path: Path) -> None:
    state = _final_states(tmp_path).get("sched/c0")
    assert state is not None and state.state == NEW and state.suspended


def test_a_learning_card_keeps_its_step_through_an_apkg(tmp_path: Path) -> None:
    last = _final_states(tmp_path)
    got = {k: (s.state, s.step) for k, s in last.items() if s is not None and s.state != NEW}
    assert got == {k: (s.state, s.step) for k, s in STATES.items() if s.state != NEW}
