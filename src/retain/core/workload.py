"""The retention/workload simulator: fsrs-rs `simulate` over a preset, at several desired retentions.

For each desired retention from 0.70 to 0.97 (and the preset's own, when it is
not one of those) it runs fsrs-rs's simulator for
365 days over the preset's cards (new ones introduced at its daily limit,
reviews capped at its review limit) and reports the predicted reviews per day,
time per day and cards retained at the end. The suggestion is the retention
with the least time per retained card, fsrs-rs's `optimal_retention` target;
it is found on the simulated points plus a refinement around the best one,
because `optimal_retention` itself took 7 s or more per preset here.
It is a suggestion only: the preset's retention is never changed by it.
When no card is retained at any retention (new_per_day = 0: the simulation
starts from new cards), every retention costs infinite time per retained card
and there is no suggestion: `Workload.reason` says why in one line. Nor is there
one when every retention costs the same time per retained card (reviews_per_day =
0, maximum_interval = 1: the retention changes nothing), where the first of the
tie would be an arbitrary pick.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import fsrs_rs_python as rs

from retain.core.fsrsfit import DEFAULT_WEIGHTS
from retain.core.settings import StudySettings

__all__ = [
    "RETENTIONS",
    "Workload",
    "WorkloadPoint",
    "no_suggestion_reason",
    "retention_text",
    "simulate_workload",
    "simulated_retentions",
]

RETENTIONS: tuple[float, ...] = (0.70, 0.75, 0.80, 0.85, 0.90, 0.95, 0.97)
DAYS = 365
_SEED = 42
# fsrs-rs simulates in float32 and sums over every card and day: over ~30k cards the same figure
# comes out ~2e-6 apart (relative) at two retentions; closer than this, two retentions cost the
# same (a real difference between the rows of 0.70-0.97 is 1e-3 and more)
_SAME = 1e-4


@dataclass(frozen=True, slots=True)
class WorkloadPoint:
    retention: float
    reviews_per_day: float  # mean over the simulated days
    minutes_per_day: float
    retained: float  # cards expected to be remembered at the end
    minutes_per_retained: float


@dataclass(frozen=True, slots=True)
class Workload:
    points: tuple[WorkloadPoint, ...]  # one per `simulated_retentions` entry, lowest first
    suggested: float  # least time per retained card; the preset's own retention when `reason` is set
    cards: int
    reason: str = ""  # why there is no suggestion (nothing retained, all alike); "" when there is

    @property
    def has_suggestion(self) -> bool:
        return not self.reason


def _no_suggestion(settings: StudySettings) -> str:
    """One line: why no retention retains anything in the simulation."""
    if settings.new_per_day <= 0:
        return "nothing is retained at any retention (the simulation starts from new cards, and new_per_day is 0)"
    return "nothing is retained at any retention in the simulation"


def _all_alike(settings: StudySettings) -> str:
    """One line: why no retention is better than another (every one costs the same)."""
    alike = "every retention needs the same time per retained card"
    if settings.reviews_per_day <= 0:
        return f"{alike} (no card is reviewed after it is learned: reviews_per_day is 0)"
    if settings.maximum_interval <= 1:
        return f"{alike} (every card is reviewed each day: maximum_interval is 1)"
    return f"{alike} in the simulation"


def no_suggestion_reason(settings: StudySettings, points: Sequence[WorkloadPoint]) -> str:
    """Why the simulated `points` suggest no retention, in one line; "" when one needs less time
    per retained card than another.

    The ties the settings make are decided from the settings, before any figure is compared:
    with new_per_day = 0 nothing is retained; with reviews_per_day = 0 (no card is reviewed after
    it is learned) or maximum_interval <= 1 (every card is reviewed each day) the retention
    changes nothing. Comparing their figures picked a "best" row from fsrs-rs's float32 noise on
    a large preset. Other rows alike to `_SAME` are a tie too: `min` would pick the first, 0.70."""
    if settings.new_per_day <= 0:
        return _no_suggestion(settings)
    if settings.reviews_per_day <= 0 or settings.maximum_interval <= 1:
        return _all_alike(settings)
    best = min((p.minutes_per_retained for p in points), default=math.inf)
    if not math.isfinite(best):  # nothing retained anywhere: nothing to suggest
        return _no_suggestion(settings)
    if all(math.isclose(p.minutes_per_retained, best, rel_tol=_SAME) for p in points):
        return _all_alike(settings)
    return ""


def _config(
    settings: StudySettings, cards: int, first: Sequence[float] | None, review: Sequence[float] | None
) -> rs.SimulatorConfig:
    config = rs.default_simulator_config()
    config.deck_size = max(1, cards)
    config.learn_span = DAYS
    config.learn_limit = max(0, settings.new_per_day)
    config.review_limit = max(0, settings.reviews_per_day)
    config.max_ivl = float(settings.maximum_interval)
    config.max_cost_perday = 86400.0
    config.learning_step_count = len(settings.learning_steps)
    config.relearning_step_count = len(settings.relearning_steps)
    if first is not None:
        config.first_rating_prob = list(first)
    if review is not None:
        config.review_rating_prob = list(review)
    return config


def _point(weights: Sequence[float], retention: float, config: rs.SimulatorConfig) -> WorkloadPoint:
    result = rs.simulate(list(weights), retention, config, _SEED)
    days = max(1, len(result.review_cnt_per_day))
    minutes = sum(result.cost_per_day) / 60.0
    retained = float(result.memorized_cnt_per_day[-1]) if result.memorized_cnt_per_day else 0.0
    return WorkloadPoint(
        retention=retention,
        reviews_per_day=sum(result.review_cnt_per_day) / days,
        minutes_per_day=minutes / days,
        retained=retained,
        minutes_per_retained=minutes / retained if retained > 0 else float("inf"),
    )


def simulated_retentions(desired: float) -> tuple[float, ...]:
    """RETENTIONS, plus the preset's own desired retention when it is not one of them (0.88,
    0.99): the learner's own setting always has its row to compare against."""
    if any(abs(desired - r) < 1e-9 for r in RETENTIONS):
        return RETENTIONS
    return tuple(sorted((*RETENTIONS, desired)))


def retention_text(value: float) -> str:
    """A retention as set: two decimals at least, more when it has them (0.9 -> 0.90, 0.925 ->
    0.925, 0.90001 -> 0.90001), so the learner's own setting is never shown rounded."""
    text = f"{value:.6f}".rstrip("0")
    whole, _, digits = text.partition(".")
    return f"{whole}.{digits.ljust(2, '0')}"


def simulate_workload(
    settings: StudySettings,
    cards: int,
    *,
    first_ratings: Sequence[float] | None = None,
    review_ratings: Sequence[float] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Workload:
    """Simulate the preset at each of `simulated_retentions` (RETENTIONS and its own), with rating
    shares from the learner's history when given."""
    weights = settings.parameters or DEFAULT_WEIGHTS
    config = _config(settings, cards, first_ratings, review_ratings)
    retentions = simulated_retentions(settings.desired_retention)
    steps = len(retentions) + 2
    points: list[WorkloadPoint] = []
    for i, retention in enumerate(retentions):
        points.append(_point(weights, retention, config))
        if progress is not None:
            progress(i + 1, steps)
    best = min(points, key=lambda p: p.minutes_per_retained)
    reason = no_suggestion_reason(settings, points)
    if reason:
        if progress is not None:
            progress(steps, steps)
        return Workload(tuple(points), settings.desired_retention, cards, reason)
    extra = [round(best.retention + d, 2) for d in (-0.02, 0.02)]
    refined = [best]
    for n, retention in enumerate(r for r in extra if 0.70 <= r <= 0.97):
        refined.append(_point(weights, retention, config))
        if progress is not None:
            progress(len(retentions) + n + 1, steps)
    if progress is not None:
        progress(steps, steps)
    suggested = min(refined, key=lambda p: p.minutes_per_retained).retention
    return Workload(tuple(points), suggested, cards)
