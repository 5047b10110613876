"""`retain optimize --simulate` on a large preset whose settings make every retention cost the
same (reviews_per_day = 0, maximum_interval = 1): fsrs-rs sums in float32 over thousands of
cards, and rows alike to ~2e-6 (relative) were told apart by a 1e-6 tolerance, so a "suggestion"
(0.70) was printed though every row was the same."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.settings import StudySettings
from retain.core.workload import RETENTIONS, WorkloadPoint, no_suggestion_reason, simulate_workload

_ALIKE = "every retention needs the same time per retained card"


def _points(costs: list[float]) -> list[WorkloadPoint]:
    return [WorkloadPoint(r, 0.0, 12.7, 3688.0, c) for r, c in zip(RETENTIONS, costs, strict=True)]


def test_a_large_preset_without_reviews_gets_no_suggestion() -> None:
    work = simulate_workload(StudySettings(reviews_per_day=0), 30000)
    assert not work.has_suggestion, [p.minutes_per_retained for p in work.points]
    assert work.reason == f"{_ALIKE} (no card is reviewed after it is learned: reviews_per_day is 0)"


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        (StudySettings(reviews_per_day=0), "no card is reviewed after it is learned: reviews_per_day is 0"),
        (StudySettings(maximum_interval=1), "every card is reviewed each day: maximum_interval is 1"),
    ],
)
@given(noise=st.lists(st.floats(-0.05, 0.05), min_size=len(RETENTIONS), max_size=len(RETENTIONS)))
def test_settings_that_make_a_tie_decide_it_whatever_the_figures(
    settings: StudySettings, why: str, noise: list[float]
) -> None:
    """The tie is the settings', not the figures': even rows apart by far more than float32
    noise (fsrs-rs's own randomness) suggest nothing."""
    assert no_suggestion_reason(settings, _points([1.26 * (1 + n) for n in noise])) == f"{_ALIKE} ({why})"


@given(noise=st.lists(st.floats(-4e-5, 4e-5), min_size=len(RETENTIONS), max_size=len(RETENTIONS)))
def test_rows_alike_to_float32_sums_are_a_tie(noise: list[float]) -> None:
    """Other settings: rows that differ by float32 summing noise (~1e-5 relative) are a tie."""
    reason = no_suggestion_reason(StudySettings(), _points([1.26 * (1 + n) for n in noise]))
    assert reason == f"{_ALIKE} in the simulation"


def test_rows_that_really_differ_are_no_tie() -> None:
    costs = [1.30, 1.28, 1.27, 1.265, 1.262, 1.29, 1.35]  # a flat optimum: 1e-3 apart near it
    assert no_suggestion_reason(StudySettings(), _points(costs)) == ""


def test_no_new_cards_is_decided_from_the_settings() -> None:
    reason = no_suggestion_reason(StudySettings(new_per_day=0), _points([1.0] * len(RETENTIONS)))
    assert reason.startswith("nothing is retained at any retention") and "new_per_day is 0" in reason
