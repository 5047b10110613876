"""The workload simulator (core/workload.py): a suggestion only when some retention retains cards."""

from __future__ import annotations

import math

from retain.core.settings import StudySettings
from retain.core.workload import RETENTIONS, simulate_workload, simulated_retentions


def test_nothing_retained_at_any_retention_gives_no_suggestion_and_says_why() -> None:
    settings = StudySettings(new_per_day=0, desired_retention=0.85)
    steps: list[tuple[int, int]] = []
    work = simulate_workload(settings, 50, progress=lambda done, total: steps.append((done, total)))
    assert [p.retention for p in work.points] == list(RETENTIONS)
    assert all(p.retained == 0 and math.isinf(p.minutes_per_retained) for p in work.points)
    assert not work.has_suggestion
    assert work.reason == (
        "nothing is retained at any retention (the simulation starts from new cards, and new_per_day is 0)"
    )
    assert work.suggested == 0.85  # the preset's own: nothing to move it to
    assert steps[-1][0] == steps[-1][1]  # the progress bar still completes


def test_a_retention_that_retains_cards_is_suggested() -> None:
    work = simulate_workload(StudySettings(new_per_day=5), 50)
    assert work.has_suggestion and work.reason == ""
    assert 0.70 <= work.suggested <= 0.97
    best = min(p.minutes_per_retained for p in work.points)
    assert math.isfinite(best)


def test_the_presets_own_retention_is_simulated_when_it_is_not_listed() -> None:
    """The settings chart and `--simulate` mark the learner's own retention: 0.88 or 0.99 had no row."""
    assert simulated_retentions(0.9) == RETENTIONS
    assert simulated_retentions(0.88) == (0.70, 0.75, 0.80, 0.85, 0.88, 0.90, 0.95, 0.97)
    assert simulated_retentions(0.99)[-1] == 0.99
    work = simulate_workload(StudySettings(new_per_day=5, desired_retention=0.88), 50)
    assert [p.retention for p in work.points] == list(simulated_retentions(0.88))


def test_a_retention_is_shown_as_set_and_a_near_listed_one_gets_its_row() -> None:
    """0.90001 was rounded to 0.9 before it was compared, so it had no row of its own."""
    from retain.core.workload import RETENTIONS, retention_text, simulated_retentions

    assert [retention_text(r) for r in (0.9, 0.925, 0.90001, 0.7)] == ["0.90", "0.925", "0.90001", "0.70"]
    assert 0.90001 in simulated_retentions(0.90001)
    assert simulated_retentions(0.9) == RETENTIONS
