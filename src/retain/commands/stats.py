"""`retain stats [--json]`: per deck, cards by state, reviews today, streak, true retention.

The figures come from `core.stats.compute_stats` over the library, the
current states and the history index's per-day aggregates (every device's
journal, `store.index`). The
progress is opened read-only, so this works while the TUI is open.

JSON: `{"today": "YYYY-MM-DD", "decks": [{"deck_id", "name", "group", "cards",
"new", "learning", "review", "relearning", "suspended", "reviews_today",
"streak", "retention", "retention_reviews"}], "total": {...}}`; `retention`
is a share from 0 to 1, or null when there were no reviews to judge.
"""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from retain.commands.readonly import print_report
from retain.store.collection import Collection

__all__ = ["add_arguments", "run", "stats_report"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")


def stats_report(col: Collection, now: datetime) -> dict[str, Any]:
    from retain.core.stats import RETENTION_DAYS, Activity, compute_stats

    activity = {
        deck: Activity(frozenset(a.days), a.today, a.passed, a.judged)
        for deck, a in col.history_index.activity(now, RETENTION_DAYS).items()
    }
    report = compute_stats(col.units, col.states, activity, col.today(now))
    data = report.to_dict()
    names = {d.id: (d.name, d.group) for d in col.library.decks}
    decks: list[dict[str, Any]] = data["decks"]  # type: ignore[assignment]
    for row in decks:
        row["name"], row["group"] = names.get(row["deck_id"], (row["deck_id"], ""))
    decks.sort(key=lambda r: (str(r["group"]).casefold(), str(r["name"]).casefold()))
    return data


def _pct(value: Any) -> str:
    return "-" if value is None else f"{100 * float(value):.0f}%"


def _table(data: dict[str, Any]) -> str:
    head = ("Deck", "Cards", "New", "Learn", "Review", "Relearn", "Susp", "Today", "Streak", "Retention")
    rows = [head]
    for d in [*data["decks"], {**data["total"], "name": "Total"}]:
        rows.append(
            (
                str(d["name"]),
                str(d["cards"]),
                str(d["new"]),
                str(d["learning"]),
                str(d["review"]),
                str(d["relearning"]),
                str(d["suspended"]),
                str(d["reviews_today"]),
                f"{d['streak']}d",
                _pct(d["retention"]),
            )
        )
    width = max(len(r[0]) for r in rows)
    lines = [f"{r[0]:<{width}}" + "".join(f" {c:>7}" for c in r[1:-1]) + f" {r[-1]:>9}" for r in rows]
    lines.append(
        f"study day {data['today']}; retention: reviews of review-state cards not rated Again, last 30 study days"
    )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    return print_report(stats_report, _table, as_json=args.json)
