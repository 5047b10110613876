"""`retain due [--json]`: how many cards are due, per deck; exit 0.

JSON (ARCHITECTURE §3, scripts and status bars depend on it):
`{"decks": [{"id", "name", "group", "cards", "new", "learning", "review"}],
"total": {"cards", "new", "learning", "review"}}`. `cards` is the number of
review units, `new` is capped by the daily new-card limit, `review` counts
cards due now. The progress is opened read-only (no lock, no writes), so this
works while the TUI is open. Warnings go to stderr.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from datetime import UTC, datetime
from typing import Any

from retain.store.collection import Collection, CollectionError
from retain.store.home import open_home

__all__ = ["add_arguments", "due_report", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")


def due_report(col: Collection, now: datetime) -> dict[str, Any]:
    counts = col.due_counts(now)
    sizes: dict[str, int] = {}
    for unit in col.units:
        sizes[unit.deck_id] = sizes.get(unit.deck_id, 0) + 1
    decks: list[dict[str, Any]] = []
    total = {"cards": 0, "new": 0, "learning": 0, "review": 0}
    for deck in sorted(col.library.decks, key=lambda d: (d.group.casefold(), d.name.casefold(), d.id)):
        c = counts.get(deck.id)
        row: dict[str, Any] = {
            "id": deck.id,
            "name": deck.name,
            "group": deck.group,
            "cards": sizes.get(deck.id, 0),
            "new": c.new if c else 0,
            "learning": c.learning if c else 0,
            "review": c.review if c else 0,
        }
        decks.append(row)
        for key in total:
            total[key] += row[key]
    return {"decks": decks, "total": total}


def _table(report: dict[str, Any]) -> str:
    rows = [("Deck", "Cards", "New", "Learn", "Due")]
    group = None
    for d in report["decks"]:
        if d["group"] != group:
            group = d["group"]
            if group:
                rows.append((group, "", "", "", ""))
        name = f"  {d['name']}" if d["group"] else d["name"]
        rows.append((name, str(d["cards"]), str(d["new"]), str(d["learning"]), str(d["review"])))
    t = report["total"]
    rows.append(("Total", str(t["cards"]), str(t["new"]), str(t["learning"]), str(t["review"])))
    width = max(len(r[0]) for r in rows)
    lines = [f"{r[0]:<{width}}  {r[1]:>6} {r[2]:>5} {r[3]:>5} {r[4]:>5}" for r in rows]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    gc.disable()  # a short-lived process building ~100k objects: the cyclic GC would only cost time
    now = datetime.now(UTC)
    home = open_home()
    try:
        col = Collection.open(home, now, read_only=True, cards=False)
    except CollectionError as exc:
        print(f"retain: {exc}", file=sys.stderr)
        return 2
    try:
        report = due_report(col, now)
    finally:
        col.close()
    for message in col.messages:
        print(f"retain: warning: {message}", file=sys.stderr)
    for entry in col.library.broken:
        print(f"retain: warning: broken deck: {entry.error}", file=sys.stderr)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(_table(report))
    return 0
