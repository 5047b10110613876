"""The simulator's inputs from a collection, shared by `retain optimize --simulate` and the settings screen.

`workload_input` reads the collection (the history index is sqlite: call it on
the thread that opened the collection); `run_workload` is pure computation over
its result (fsrs-rs), safe to run in a worker thread. Library errors come out
as `FitError` (one line).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from retain.core.fsrsfit import guarded
from retain.core.settings import StudySettings
from retain.core.workload import Workload, simulate_workload
from retain.store.collection import Collection
from retain.store.fsrs_presets import Preset

__all__ = ["MIN_SHARE_DATA", "WorkloadInput", "preset_named", "run_workload", "workload_input"]

MIN_SHARE_DATA = 100  # fewer ratings than this: fsrs-rs's default rating shares are used


@dataclass(frozen=True, slots=True)
class WorkloadInput:
    name: str
    settings: StudySettings
    cards: int
    first_ratings: list[float] | None  # shares of Again..Easy on new cards, from the history
    review_ratings: list[float] | None  # shares of Hard..Easy on passed reviews
    reviews: int  # ratings the shares were counted from


def _shares(counts: list[int]) -> list[float] | None:
    total = sum(counts)
    return [c / total for c in counts] if total >= MIN_SHARE_DATA else None


def preset_named(col: Collection, name: str) -> Preset:
    """The preset `name` (the default's settings when unknown) with the decks that use it."""
    config = col.home.config
    decks = tuple(d.id for d in col.library.decks if config.for_deck(d.id).preset == name)
    return Preset(name, config.preset(name), decks)


def workload_input(col: Collection, preset: Preset, now: datetime) -> WorkloadInput:
    per_deck = col.cards_per_deck()
    cards = sum(per_deck.get(d, 0) for d in preset.decks)
    first, passed = col.history_index.rating_counts(now, preset.decks)
    return WorkloadInput(
        preset.name, preset.settings, cards, _shares(first), _shares(passed), sum(first) + sum(passed)
    )


def run_workload(data: WorkloadInput, progress: Callable[[int, int], None] | None = None) -> Workload:
    """fsrs-rs's simulation at each retention; raises FitError (one line) when the library fails."""
    return guarded(
        "simulate the workload",
        partial(
            simulate_workload,
            data.settings,
            data.cards,
            first_ratings=data.first_ratings,
            review_ratings=data.review_ratings,
            progress=progress,
        ),
    )
