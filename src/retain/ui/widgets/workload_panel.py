"""The workload chart on the settings screen (Presets tab, under the preset's fields).

The settings screen calls `for_preset(table)` whenever another preset is shown.
The panel reads the simulator's inputs from the collection on the UI thread
(`store.workload_data`, the same code as `retain optimize --simulate`), runs
fsrs-rs's simulation in a thread worker (a loading line meanwhile, keys never
wait), then draws reviews/day and retained cards at each desired retention,
with the suggested retention and the preset's own marked. Too few reviews, no
cards or a library error: one line.
"""

from __future__ import annotations

from typing import Any

from textual import work
from textual.app import App
from textual.content import Content
from textual.widgets import Static

from retain.core.fsrsfit import FitError
from retain.core.workload import DAYS, Workload, retention_text
from retain.store.workload_data import MIN_SHARE_DATA, WorkloadInput, run_workload
from retain.ui.from_thread import call_and_wait
from retain.ui.text import line

__all__ = ["WorkloadPanel", "chart"]

PLACEHOLDER = "Workload chart: open a preset to simulate it"
BAR = 20  # cells of the longest bar


def preset_name(table: tuple[str, ...]) -> str:
    """The preset a settings table stands for (`[study]` is the default preset's settings)."""
    return table[1] if len(table) > 1 and table[0] == "presets" else "default"


def chart(data: WorkloadInput, work: Workload) -> Content:
    """Reviews/day as bars and retained cards at each retention; the suggestion and the preset's own marked."""
    desired = data.settings.desired_retention
    weights = "its own weights" if data.settings.parameters else "FSRS's default weights"
    top = max((p.reviews_per_day for p in work.points), default=0.0) or 1.0
    rows: list[Content] = [
        line(f"Workload over {DAYS} days, preset {data.name}: {data.cards} cards, {weights}", "bold"),
        Content.styled(f"{'retention':>9}  {'reviews/day':<{BAR + 7}} {'retained':>8}", "$text-muted"),
    ]
    nearest = (
        min(work.points, key=lambda p: abs(p.retention - work.suggested), default=None)
        if work.has_suggestion
        else None
    )
    for p in work.points:
        cells = max(1, round(BAR * p.reviews_per_day / top))
        marks = []
        if p is nearest:
            marks.append((f"◂ suggested {retention_text(work.suggested)}", "$success"))
        if abs(p.retention - desired) < 1e-9:
            marks.append(("◂ yours", "bold $accent"))
        bar_style = "bold $accent" if abs(p.retention - desired) < 1e-9 else "$primary"
        rows.append(
            Content.assemble(
                f"{retention_text(p.retention):>9}  ",
                ("█" * cells, bar_style),
                " " * (BAR - cells),
                f" {p.reviews_per_day:>6.1f} {p.retained:>8.0f}",
                *((" " + text, style) for text, style in marks),
            )
        )
    if not work.has_suggestion:
        rows.append(line(f"No suggestion: {work.reason}", "$text-muted"))
        return Content("\n").join(rows)
    rows.append(
        Content.assemble(
            ("Suggested ", "$success"),
            f"{retention_text(work.suggested)}: least time per retained card (not applied)"
            f" · yours {retention_text(desired)}",
        )
    )
    return Content("\n").join(rows)


class WorkloadPanel(Static):
    DEFAULT_CSS = """
    WorkloadPanel {
        height: auto;
        min-height: 1;
        margin-top: 1;
        padding: 0 1;
        border-left: thick $panel;
    }
    WorkloadPanel.-note { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Content(PLACEHOLDER), id=id, classes="-note")
        self.table: tuple[str, ...] = ("study",)  # the preset shown (its config.toml table)
        self._input: WorkloadInput | None = None  # what is shown or being simulated
        self.done = False  # the last simulation finished (chart or line shown): for tests

    def for_preset(self, table: tuple[str, ...]) -> None:
        """Another preset is shown (or the same one again): simulate it unless its chart is current."""
        self.table = table
        from retain.store.fsrs_presets import Preset
        from retain.store.workload_data import preset_named, workload_input
        from retain.ui.access import retain_app

        app = retain_app(self)
        if not app.ready:
            self.clear()
            return
        col = app.collection
        name = preset_name(table)
        preset: Preset = preset_named(col, name)
        data = workload_input(col, preset, app.clock())  # sqlite: here, on the UI thread
        if data == self._input:
            return
        self._input = data
        if data.cards == 0:
            self._note(f"Workload chart: no cards in the decks of preset {name}.")
        elif data.reviews < MIN_SHARE_DATA:
            self._note(
                f"Workload chart: too few reviews in preset {name} ({data.reviews}; "
                f"{MIN_SHARE_DATA} or more) to simulate it."
            )
        else:
            self._note(f"Simulating the workload of preset {name} over {DAYS} days…")
            self.done = False
            self._simulate(data, app)

    @work(thread=True, exclusive=True, group="workload")
    def _simulate(self, data: WorkloadInput, app: App[Any]) -> None:
        try:
            result: Workload | str = run_workload(data)
        except FitError as exc:
            result = str(exc)
        # never `call_from_thread`: it waited for ever once a closed terminal stopped the app's loop
        # (`retain.ui.from_thread`); `app`, not `self.app`: a closed screen has none in a thread
        call_and_wait(app, self._show, data, result)

    def _show(self, data: WorkloadInput, result: Workload | str) -> None:
        if data is not self._input or not self.is_attached:
            return  # another preset was picked meanwhile, or the settings were closed
        if isinstance(result, str):
            self._note(f"Workload chart: {result}")
        else:
            self.show_chart(chart(data, result))
        self.done = True

    def _note(self, text: str) -> None:
        self.set_class(True, "-note")
        self.update(line(text))
        self.done = True

    def show_chart(self, content: Content) -> None:
        self.set_class(False, "-note")
        self.update(content)

    def clear(self) -> None:
        self._input = None
        self._note(PLACEHOLDER)
