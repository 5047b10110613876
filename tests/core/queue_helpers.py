"""Small builders shared by the queue and session tests (plain data, no fakes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from retain.core.model import Unit
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, REVIEW, CardState

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def basic(deck: str, card: str) -> Unit:
    return Unit(f"{deck}/{card}", deck, card, "", "basic", f"front {card}", f"back {card}")


def reversed_pair(deck: str, card: str) -> list[Unit]:
    return [
        Unit(f"{deck}/{card}", deck, card, "", "reversed", "f", "b"),
        Unit(f"{deck}/{card}:reverse", deck, card, "reverse", "reversed", "b", "f"),
    ]


def cloze(deck: str, card: str, n: int) -> list[Unit]:
    return [Unit(f"{deck}/{card}:c{i}", deck, card, f"c{i}", "cloze", "q", "a") for i in range(1, n + 1)]


def review(due_in: timedelta, stability: float = 10.0, **flags: object) -> CardState:
    due = NOW + due_in
    last = due - timedelta(days=stability)
    state = CardState(state=REVIEW, stability=stability, difficulty=5.0, due=due, last_review=last, reps=3)
    return state.with_flags(**flags) if flags else state


def learning(due_in: timedelta, **flags: object) -> CardState:
    due = NOW + due_in
    state = CardState(
        state=LEARNING,
        step=0,
        stability=1.0,
        difficulty=5.0,
        due=due,
        last_review=due - timedelta(minutes=1),
        reps=1,
    )
    return state.with_flags(**flags) if flags else state


def settings_map(
    default: StudySettings | None = None, **per_deck: StudySettings
) -> Callable[[str], StudySettings]:
    base = default or StudySettings()

    def settings_for(deck_id: str) -> StudySettings:
        return per_deck.get(deck_id.replace("-", "_"), base)

    return settings_for


def at(minutes: float) -> datetime:
    return NOW + timedelta(minutes=minutes)


__all__ = ["NOW", "TODAY", "at", "basic", "cloze", "learning", "reversed_pair", "review", "settings_map"]
