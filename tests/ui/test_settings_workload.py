"""The settings screen's workload chart (a thread worker) and ctrl+r "reschedule cards with these weights"."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import ContentSwitcher, Input, ProgressBar, Select

from retain.core.workload import RETENTIONS
from retain.store import fsrs_presets
from retain.store.collection import Collection
from retain.store.fsrs_presets import reschedule_plan
from retain.store.home import open_home
from retain.store.workload_data import preset_named, run_workload, workload_input
from retain.ui.screens.busy import BusyScreen
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.settings import SettingsScreen
from retain.ui.widgets import workload_panel
from retain.ui.widgets.workload_panel import WorkloadPanel

from .conftest import FIXED_NOW, OpenApp
from .workload_fixture import WEIGHTS, add_history


@pytest.fixture
def history(retain_home: Path) -> int:
    return add_history(retain_home)


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()


async def presets_tab(pilot: Pilot[None], preset: str) -> tuple[SettingsScreen, WorkloadPanel]:
    await settle(pilot)
    await pilot.press("comma")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    await screen.action_show_tab("tab-presets")
    await settle(pilot)
    screen.query_one("#preset-pick", Select).value = preset
    await settle(pilot)
    panel = screen.query_one(WorkloadPanel)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)
    return screen, panel


def done(panel: WorkloadPanel) -> bool:
    return panel.done  # a function: mypy does not carry the earlier `is False` over


def panel_text(panel: WorkloadPanel) -> str:
    return str(panel.render())


async def test_the_chart_shows_the_simulators_figures_with_both_marks(
    history: int, retain_home: Path, open_app: OpenApp
) -> None:
    assert history >= 100
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        _, panel = await presets_tab(pilot, "fitted")
        assert panel.done
        text = panel_text(panel)
        # the same figures as the CLI's code path gives for this preset
        col = app.collection
        expected = run_workload(workload_input(col, preset_named(col, "fitted"), FIXED_NOW))
        assert "preset fitted: 24 cards, its own weights" in text
        for point in expected.points:
            row = next(r for r in text.splitlines() if r.strip().startswith(f"{point.retention:.2f}"))
            assert f"{point.reviews_per_day:.1f}" in row and f"{point.retained:.0f}" in row
        assert len([r for r in text.splitlines() if "█" in r]) == len(RETENTIONS)
        assert "◂ yours" in next(r for r in text.splitlines() if r.strip().startswith("0.90"))
        assert f"Suggested {expected.suggested:.2f}" in text and "not applied" in text
        nearest = min(RETENTIONS, key=lambda r: abs(r - expected.suggested))
        marked = [r for r in text.splitlines() if "◂ suggested" in r]
        assert len(marked) == 1 and marked[0].strip().startswith(f"{nearest:.2f}")
        assert f"◂ suggested {expected.suggested:.2f}" in marked[0]


async def test_the_simulation_runs_in_a_worker_with_a_loading_line(
    history: int, retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    gate = threading.Event()

    def spied(*args: Any, **kwargs: Any) -> Any:  # the real simulation, held until the keys were tried
        threads.append(threading.current_thread())
        gate.wait(10)
        return run_workload(*args, **kwargs)

    monkeypatch.setattr(workload_panel, "run_workload", spied)
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, SettingsScreen)
        await screen.action_show_tab("tab-presets")
        screen.query_one("#preset-pick", Select).value = "fitted"
        await pilot.pause()
        panel = screen.query_one(WorkloadPanel)
        assert panel.done is False
        assert panel_text(panel) == "Simulating the workload of preset fitted over 365 days…"
        await pilot.press("ctrl+n")  # keys answer while the simulation runs
        await settle(pilot)
        assert screen.query_one("#settings-panes", ContentSwitcher).current == "tab-decks"
        gate.set()
        await app.workers.wait_for_complete()
        await settle(pilot)
        assert done(panel) and "◂ yours" in panel_text(panel)
        assert threads and threads[0] is not threading.main_thread()


async def test_too_few_reviews_and_no_cards_are_one_line(
    history: int, retain_home: Path, open_app: OpenApp
) -> None:
    (retain_home / "config.toml").write_text(
        (retain_home / "config.toml").read_text() + "\n[presets.empty]\nnew_per_day = 5\n", encoding="utf-8"
    )
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        screen, panel = await presets_tab(pilot, "default")  # the test decks: no history
        assert panel_text(panel).startswith("Workload chart: too few reviews in preset default (0;")
        assert "\n" not in panel_text(panel)
        screen.query_one("#preset-pick", Select).value = "empty"
        await settle(pilot)
        assert panel_text(panel) == "Workload chart: no cards in the decks of preset empty."


async def finish_busy(pilot: Pilot[None]) -> None:
    """Let a `BusyScreen`'s thread finish and the screen it leads to appear."""
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


def plan_figures(root: Path) -> tuple[int, int, int]:
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), FIXED_NOW, read_only=True)
    try:
        plan = reschedule_plan(col, preset_named(col, "fitted"), WEIGHTS, FIXED_NOW)
        return plan.count, plan.due_next_week_before, plan.due_next_week_after
    finally:
        col.close()


async def test_ctrl_r_offers_to_reschedule_with_the_7_day_backlog_then_backs_up_and_journals(
    history: int, retain_home: Path, open_app: OpenApp
) -> None:
    changed, before, after = plan_figures(retain_home)
    assert changed > 0
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await presets_tab(pilot, "fitted")
        await pilot.press("ctrl+r")
        await finish_busy(pilot)
        dialog = app.screen
        assert isinstance(dialog, ConfirmScreen)
        text = str(dialog.query_one("#confirm-message").render())
        assert f"changes {changed} card(s)" in text
        assert f"Due in the next 7 days: {before} now, {after} after" in text
        await pilot.press("n")  # no: nothing written
        await settle(pilot)
        backups_dir = app.collection.state_dir / "backups"
        assert not list(backups_dir.glob("reschedule-*"))
        assert app.collection.history_index.newest(FIXED_NOW, "reset") is None
        await pilot.press("ctrl+r")
        await finish_busy(pilot)
        await pilot.press("y")
        await finish_busy(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert any("Rescheduled" in n.message for n in app._notifications)
        backups = list(backups_dir.glob("reschedule-*"))
        assert len(backups) == 1 and (backups[0] / "devices").is_dir()
        resets = [e for e in app.collection.history_index.events(FIXED_NOW) if e.kind == "reset"]
        assert len(resets) == changed
        new_states = {e.key: e.after for e in resets}
    # the journal holds them: a fresh open sees the new states
    col = Collection.open(open_home({"RETAIN_HOME": str(retain_home)}), FIXED_NOW, read_only=True)
    try:
        assert {k: col.states[k] for k in new_states} == new_states
    finally:
        col.close()


async def test_ctrl_r_on_a_preset_without_weights_only_says_so(
    history: int, retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await presets_tab(pilot, "default")
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert any("has no weights of its own" in n.message for n in app._notifications)


async def test_the_chart_follows_a_saved_desired_retention(
    history: int, retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        screen, panel = await presets_tab(pilot, "fitted")
        yours = [r for r in panel_text(panel).splitlines() if "◂ yours" in r]
        assert len(yours) == 1 and yours[0].strip().startswith("0.90")
        field = screen.query_one("#preset-grid #field-desired_retention", Input)
        field.focus()
        field.value = ""
        await pilot.press(*"0.85")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        await app.workers.wait_for_complete()
        await settle(pilot)
        yours = [r for r in panel_text(panel).splitlines() if "◂ yours" in r]
        assert len(yours) == 1 and yours[0].strip().startswith("0.85")
        assert "yours 0.85" in panel_text(panel)


async def test_a_library_error_is_one_line_in_the_panel(
    history: int, retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    import fsrs_rs_python

    def panics(*args: object) -> None:  # what a Rust panic looks like from Python: a BaseException
        raise BaseException("called `Option::unwrap()` on a `None` value\nat src/simulation.rs")

    monkeypatch.setattr(fsrs_rs_python, "simulate", panics)
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        _, panel = await presets_tab(pilot, "fitted")
        assert isinstance(app.screen, SettingsScreen)  # the app goes on
        text = panel_text(panel)
        assert text.startswith("Workload chart: fsrs could not simulate the workload: called")
        assert "\n" not in text


async def test_the_plan_runs_in_a_thread_behind_a_progress_bar_and_esc_cancels_it(
    history: int, retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[threading.Thread] = []
    gate = threading.Event()

    def held(col: Any, preset: Any, weights: Any, now: Any, shown: Any) -> Any:
        threads.append(threading.current_thread())  # the real plan, held after its first step

        def progress(what: str, done: int, total: int) -> None:
            shown(what, done, total)
            if done == 1:
                gate.wait(10)

        return reschedule_plan(col, preset, weights, now, progress)

    monkeypatch.setattr(fsrs_presets, "reschedule_plan", held)
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        settings, _panel = await presets_tab(pilot, "fitted")
        await pilot.press("ctrl+r")
        for _ in range(50):
            await pilot.pause(0.02)
            busy = app.screen
            if isinstance(busy, BusyScreen) and "replaying" in str(busy.query_one("#busy-step").render()):
                break
        assert isinstance(busy, BusyScreen)
        assert "Planning the reschedule of preset fitted" in str(busy.query_one("#busy-title").render())
        assert busy.query_one(ProgressBar).progress == 1  # the UI answers while the plan runs
        await pilot.press("escape")  # cancels: no question, nothing written
        await settle(pilot)
        assert app.screen is settings
        gate.set()
        assert threads and threads[0] is not threading.main_thread()
        for _ in range(200):  # the plan ends in its thread; its result is dropped
            if busy.finished:
                break
            await pilot.pause(0.05)
        await finish_busy(pilot)
        assert busy.finished and app.screen is settings
        assert app.collection.history_index.newest(FIXED_NOW, "reset") is None


async def test_ctrl_r_right_after_rescheduling_says_nothing_would_change(
    history: int, retain_home: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(110, 40)) as pilot:
        await presets_tab(pilot, "fitted")
        await pilot.press("ctrl+r")
        await finish_busy(pilot)
        await pilot.press("y")
        await finish_busy(pilot)
        await pilot.press("ctrl+r")
        await finish_busy(pilot)
        assert isinstance(app.screen, SettingsScreen)
        assert any("every card already has the state" in n.message for n in app._notifications)


def test_the_chart_suggests_nothing_when_nothing_is_retained() -> None:
    """With new_per_day = 0 the chart still marked "suggested 0.90" though no retention retains
    anything (`retain optimize --simulate` already said why instead)."""
    from retain.core.settings import StudySettings
    from retain.core.workload import Workload, WorkloadPoint
    from retain.store.workload_data import WorkloadInput
    from retain.ui.widgets.workload_panel import chart

    points = tuple(WorkloadPoint(r, 0.0, 0.0, 0.0, float("inf")) for r in (0.8, 0.9))
    work = Workload(points, 0.9, 10, reason="nothing is retained at any retention")
    text = chart(WorkloadInput("default", StudySettings(), 10, None, None, 0), work).plain
    assert "suggested" not in text.lower().replace("no suggestion", "")
    assert "No suggestion: nothing is retained at any retention" in text
