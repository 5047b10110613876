"""`retain optimize` flags with --undo-reschedule, and rescheduling with each deck's own settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from optimize_home import NOW, copy_home, make_home, run, states
from optimize_synth import TRUE_WEIGHTS

from retain.core.fsrsfit import DEFAULT_WEIGHTS
from retain.core.state import REVIEW
from retain.store.collection import Collection
from retain.store.fsrs_presets import presets_for, reschedule_plan
from retain.store.home import open_home


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("flags") / "home", cards=150)


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield copy_home(built, tmp_path, monkeypatch)


def test_undo_dry_run_writes_nothing_and_says_what_it_would_do(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--all", "--reschedule")[0] == 0
    rescheduled = states(home)
    code, out, _ = run(capsys, "--undo-reschedule", "--dry-run")
    assert code == 0 and out.strip() == "dry run: would put back the previous state of 150 card(s)"
    assert states(home) == rescheduled
    code, out, _ = run(capsys, "--undo-reschedule")  # the real undo still has it all to do
    assert code == 0 and "put back the previous state of 150 card(s)" in out


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--undo-reschedule", "--simulate"), "--undo-reschedule cannot be used with --simulate"),
        (("--undo-reschedule", "alpha"), "--undo-reschedule cannot be used with DECK|GROUP"),
        (("--undo-reschedule", "--since", "2025-01-01"), "--undo-reschedule cannot be used with --since"),
    ],
)
def test_undo_with_a_flag_it_cannot_honour_is_refused(
    home: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needle: str
) -> None:
    assert run(capsys, "--all", "--reschedule")[0] == 0
    rescheduled = states(home)
    code, out, err = run(capsys, *args)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1
    assert states(home) == rescheduled


def test_reschedule_keeps_a_decks_own_maximum_interval(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "config.toml").write_text("[decks.alpha]\nmaximum_interval = 7\ndesired_retention = 0.99\n")
    code, _out, err = run(capsys, "--all", "--reschedule")
    assert code == 0, err
    reviewed = [
        s for k, s in states(home).items() if k.startswith("alpha/") and getattr(s, "state", None) == REVIEW
    ]
    assert len(reviewed) > 50
    longest = max((s.due - s.last_review).days for s in reviewed)  # type: ignore[attr-defined]
    assert longest <= 7


def _plan(root: Path, config: str, weights: tuple[float, ...]) -> dict[str, tuple[float, object]]:
    (root / "config.toml").write_text(config)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, cards=False)
    try:
        (preset,) = [p for p in presets_for(col, None) if "alpha" in p.decks]
        plan = reschedule_plan(col, preset, weights, NOW)
        return {c.key: (c.stability, c.due) for c in plan.changes}
    finally:
        col.close(NOW)


def test_a_decks_own_weights_and_retention_are_used(home: Path) -> None:
    weights = ", ".join(map(str, TRUE_WEIGHTS))
    own = _plan(home, f"[decks.alpha]\nparameters = [{weights}]\ndesired_retention = 0.8\n", DEFAULT_WEIGHTS)
    preset = _plan(home, f"[study]\nparameters = [{weights}]\ndesired_retention = 0.8\n", TRUE_WEIGHTS)
    assert len(own) > 50 and own == preset


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--since", "2026-01-01"), "--simulate cannot be used with --since"),
        (("--reschedule",), "--simulate cannot be used with --reschedule"),
        (("--no-reschedule",), "--simulate cannot be used with --no-reschedule"),
        (("--since", "2026-01-01", "--reschedule"), "--simulate cannot be used with --since, --reschedule"),
    ],
)
def test_simulate_with_a_flag_it_ignores_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: tuple[str, ...],
    needle: str,
) -> None:
    """`--simulate --since DATE` and `--simulate --reschedule` printed the simulation as if the
    flag were not there (nothing fitted, nothing rescheduled)."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    code, out, err = run(capsys, "--all", "--simulate", *args)
    assert code == 2 and out == "" and needle in err and len(err.strip().splitlines()) == 1


def test_simulate_gives_an_unlisted_desired_retention_its_own_marked_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """desired_retention = 0.88 is none of 0.70-0.97: no row was simulated or marked for it."""
    (tmp_path / "config.toml").write_text("[study]\ndesired_retention = 0.88\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    code, out, err = run(capsys, "kafka", "--simulate")
    assert code == 0, err
    rows = [line.split() for line in out.splitlines() if line.startswith("       0.")]
    assert [r[0] for r in rows] == ["0.70", "0.75", "0.80", "0.85", "0.88", "0.90", "0.95", "0.97"]
    assert [r[0] for r in rows if "<-" in r] == ["0.88"]


def test_simulate_shows_the_presets_own_retention_row_unrounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """6b7f3bd simulates the preset's own retention (0.925 gets its row) and makes stats show it
    unrounded, but `optimize --simulate` (commands/optimize_sim.py, `:.2f`) labels that row
    "0.93 <- desired retention" and says "yours: 0.93": a setting the learner never made."""
    from retain.cli import main

    (tmp_path / "config.toml").write_text("[study]\ndesired_retention = 0.925\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    code = main(["optimize", "kafka", "--simulate"])
    out, err = capsys.readouterr()
    assert code == 0, err
    marked = [line.split()[0] for line in out.splitlines() if "<- desired retention" in line]
    assert marked == ["0.925"], out
    assert "yours: 0.925" in out, out


def test_reschedule_with_dry_run_says_what_it_would_change_and_writes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--reschedule --dry-run` printed the fit and nothing about the reschedule it was asked about."""
    before = states(home)
    config = (home / "config.toml").read_bytes() if (home / "config.toml").exists() else None
    code, out, err = run(capsys, "--all", "--reschedule", "--dry-run")
    assert code == 0, err
    assert "better (dry run: not saved)" in out
    assert "rescheduling with the new weights would change 150 card(s); due in the next 7 days:" in out
    assert out.rstrip().endswith("dry run: not rescheduled")
    assert states(home) == before
    assert ((home / "config.toml").read_bytes() if (home / "config.toml").exists() else None) == config
    assert not (home / "state" / "backups").exists() or not any(
        p.name.startswith("reschedule-") for p in (home / "state" / "backups").iterdir()
    )


def test_reschedule_with_dry_run_after_a_fit_that_is_not_better_uses_the_current_weights(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "--all", "--no-reschedule")[0] == 0  # saves the fitted weights
    before = states(home)
    code, out, _ = run(capsys, "--all", "--reschedule", "--dry-run")
    assert code == 0 and "not better, kept the current weights" in out
    assert "rescheduling with the current weights would change 150 card(s)" in out
    assert "dry run: not rescheduled" in out
    assert states(home) == before


def test_reschedule_with_too_little_history_to_fit_uses_the_current_weights(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Weights pasted into config.toml, then `retain optimize DECK --reschedule` with a short
    history: the fit said "too few reviews" and --reschedule was dropped without a word."""
    root = make_home(tmp_path / "home", cards=3)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    weights = ", ".join(map(str, TRUE_WEIGHTS))
    (root / "config.toml").write_text(f"[presets.default]\nparameters = [{weights}]\n")
    code, out, err = run(capsys, "alpha", "--reschedule", "--dry-run")
    assert code == 0, err
    assert "too few reviews to fit" in out and "rescheduling with the current weights would change 3" in out
    assert "dry run: not rescheduled" in out
    code, out, err = run(capsys, "alpha", "--reschedule")
    assert code == 0, err
    assert "too few reviews to fit" in out and "rescheduled 3 card(s)" in out
    assert "parameters = [0.8, 3.0" in (root / "config.toml").read_text()  # the weights stay as set
    code, out, _ = run(capsys, "alpha", "--reschedule")
    assert code == 0 and "would change 0 card(s)" in out
