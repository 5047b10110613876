"""The place on the settings screen (Presets tab, under the preset's fields) for the workload chart.

The simulator (issue 16, part 4) is not wired in yet: the panel says so. The
settings screen calls `for_preset(table)` whenever another preset is shown;
the simulator's code draws into it with `show_chart(content)` and empties it
with `clear()`.
"""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

__all__ = ["WorkloadPanel"]

PLACEHOLDER = "Workload chart (the simulator): not available yet"


class WorkloadPanel(Static):
    DEFAULT_CSS = """
    WorkloadPanel {
        height: auto;
        min-height: 1;
        margin-top: 1;
        padding: 0 1;
        border-left: thick $panel;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Content(PLACEHOLDER), id=id)
        self.table: tuple[str, ...] = ("study",)  # the preset shown (its config.toml table)

    def for_preset(self, table: tuple[str, ...]) -> None:
        """Another preset is shown: drop the chart of the last one."""
        self.table = table
        self.clear()

    def show_chart(self, content: Content) -> None:
        self.update(content)

    def clear(self) -> None:
        self.update(Content(PLACEHOLDER))
