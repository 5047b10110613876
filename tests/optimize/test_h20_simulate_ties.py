"""`retain optimize --simulate` suggests a desired retention only when one needs less time per
retained card than another: with every row alike (no reviews at all, or every card reviewed each
day) it said "desired retention 0.70 needs the least time per retained card", the first of a tie."""

from __future__ import annotations

from pathlib import Path

import pytest
from optimize_home import deck_text, run

from retain.core.settings import StudySettings
from retain.core.workload import simulate_workload


@pytest.mark.parametrize(
    ("settings", "why"),
    [
        (StudySettings(reviews_per_day=0), "no card is reviewed after it is learned: reviews_per_day is 0"),
        (StudySettings(maximum_interval=1), "every card is reviewed each day: maximum_interval is 1"),
    ],
)
def test_no_suggestion_when_every_retention_costs_the_same(settings: StudySettings, why: str) -> None:
    work = simulate_workload(settings, 139)
    best = min(p.minutes_per_retained for p in work.points)
    assert all(abs(p.minutes_per_retained - best) <= 1e-6 * best for p in work.points)  # a tie throughout
    assert not work.has_suggestion
    assert work.reason == f"every retention needs the same time per retained card ({why})"
    assert work.suggested == settings.desired_retention


def test_a_retention_that_costs_less_is_still_suggested() -> None:
    work = simulate_workload(StudySettings(maximum_interval=2), 139)  # close rows, not a tie
    assert work.has_suggestion and work.reason == ""
    assert 0.70 <= work.suggested <= 0.97


@pytest.mark.parametrize("config", ["[study]\nreviews_per_day = 0\n", "[study]\nmaximum_interval = 1\n"])
def test_simulate_prints_no_suggestion_for_alike_rows(
    config: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "alpha.toml").write_text(deck_text("alpha", 139), encoding="utf-8")
    (tmp_path / "config.toml").write_text(config, encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    code, out, err = run(capsys, "alpha", "--simulate")
    assert code == 0, err
    rows = {tuple(line.split()[1:5]) for line in out.splitlines() if line.strip().startswith("0.")}
    assert len(rows) == 1, out  # every retention's row alike
    assert "suggestion: desired retention" not in out and "needs the least time" not in out, out
    (reason,) = [line for line in out.splitlines() if "no suggestion" in line]
    assert reason.startswith("  no suggestion: every retention needs the same time per retained card (")
