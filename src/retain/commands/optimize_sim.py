"""`retain optimize --simulate`: the predicted workload of each preset at retention 0.70-0.97."""

from __future__ import annotations

from datetime import datetime

from retain.commands.output import err, out
from retain.core.fsrsfit import FitError
from retain.core.statstext import plural
from retain.core.workload import retention_text
from retain.interop.progress import TerminalProgress
from retain.store.collection import Collection
from retain.store.fsrs_presets import Preset, preset_table
from retain.store.workload_data import run_workload, workload_input

__all__ = ["simulate_presets"]


def simulate_presets(col: Collection, presets: list[Preset], now: datetime, bar: TerminalProgress) -> int:
    for preset in presets:
        data = workload_input(col, preset, now)
        cards = data.cards
        s = preset.settings

        def step(done: int, total: int, name: str = preset.name) -> None:
            bar(f"simulate {name}", done, total)

        try:
            work = run_workload(data, step)
        except FitError as exc:
            bar.finish()
            err(f"retain: optimize: preset {preset.name}: {exc}")
            return 1
        bar.finish()
        weights = "its own weights" if s.parameters else "FSRS's default weights"
        out(
            f"preset {preset.name}: {plural(cards, 'card')}, {s.new_per_day} new/day, at most {s.reviews_per_day} "
            f"reviews/day, {weights}; next 365 days:"
        )
        out(
            f"  {'retention':>9} {'reviews/day':>12} {'minutes/day':>12} {'retained':>9} {'min/retained':>13}"
        )
        for p in work.points:
            mark = "  <- desired retention" if abs(p.retention - s.desired_retention) < 1e-9 else ""
            out(
                f"  {retention_text(p.retention):>9} {p.reviews_per_day:>12.1f} {p.minutes_per_day:>12.1f} "
                f"{p.retained:>9.0f} {p.minutes_per_retained:>13.2f}{mark}"
            )
        if not work.has_suggestion:
            out(f"  no suggestion: {work.reason}")
            continue
        out(
            f"  suggestion: desired retention {retention_text(work.suggested)} needs the least time per retained card "
            f"(yours: {retention_text(s.desired_retention)}; change it in {preset_table(preset.name)} if you like)"
        )
    return 0
