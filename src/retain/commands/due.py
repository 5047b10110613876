"""`retain due [--json]`: how many cards are due, per deck; exit 0.

JSON (ARCHITECTURE §3, scripts and status bars depend on it):
`{"decks": [{"id", "name", "group", "cards", "new", "learning", "review"}],
"total": {"cards", "new", "learning", "review"}}`. `cards` is the number of
review units, `new` is capped by the daily new-card limit, `review` counts
cards due now; in a group with `[groups]` limits both are what studying the deck
alone serves (its own limit and the group's room left, `core.due.capped_by_groups`),
so the rows of a capped group may sum to more than the group serves. `total` is
what studying everything serves (each capped group's part held to its room,
`DueCounts.served`), so it may be less than the sum of the rows. The progress is opened read-only (no lock, no writes), so this
works while the TUI is open; when nothing changed since the TUI closed, its
launch summary (`store.homesummary`) gives the same figures and the same
config warnings without opening the collection (not while an exam date caps
due dates: the collection counts those). Warnings go to stderr.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from retain.commands.output import clip, columns, ljust
from retain.commands.readonly import emit, print_report
from retain.core.due import Counts, DueCounts
from retain.core.model import group_key, group_label

if TYPE_CHECKING:
    from retain.core.deckrows import DeckLike
    from retain.store.collection import Collection

__all__ = ["add_arguments", "due_report", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")


def due_report(col: Collection, now: datetime) -> dict[str, Any]:
    return _report(col.library.decks, col.due_counts(now), col.cards_per_deck())


def _report(
    decks_: Iterable[DeckLike], counts: Mapping[str, Counts], sizes: Mapping[str, int]
) -> dict[str, Any]:
    decks: list[dict[str, Any]] = []
    total = {"cards": 0, "new": 0, "learning": 0, "review": 0}
    for deck in sorted(decks_, key=lambda d: (group_key(d.group), d.name.casefold(), d.id)):
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
    if isinstance(counts, DueCounts):  # a capped group serves at most its room, whatever its rows say
        served = counts.served(d["id"] for d in decks)
        total.update(new=served.new, learning=served.learning, review=served.review)
    return {"decks": decks, "total": total}


def _table(report: dict[str, Any]) -> str:
    rows = [("Deck", "Cards", "New", "Learn", "Due")]
    group = None
    for d in report["decks"]:
        if group_key(d["group"]) != group:  # ("Café", "Cafe\u0301 " and "café" are one group)
            group = group_key(d["group"])
            if group:
                rows.append((group_label(d["group"]), "", "", "", ""))
        name = f"  {d['name']}" if d["group"] else d["name"]
        rows.append((name, str(d["cards"]), str(d["new"]), str(d["learning"]), str(d["review"])))
    t = report["total"]
    rows.append(("Total", str(t["cards"]), str(t["new"]), str(t["learning"]), str(t["review"])))
    rows = [(clip(r[0]), *r[1:]) for r in rows]  # one long name would widen every row
    width = max(columns(r[0]) for r in rows)  # terminal columns: a CJK name takes two a character
    lines = [f"{ljust(r[0], width)}  {r[1]:>6} {r[2]:>5} {r[3]:>5} {r[4]:>5}" for r in rows]
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    if _from_summary(args.json):
        return 0
    return print_report(
        due_report,
        _table,
        as_json=args.json,
        extra_warnings=lambda col: [f"broken deck: {e.error}" for e in col.library.broken],
    )


def _from_summary(as_json: bool) -> bool:
    """Print the report from the TUI's launch summary when it is valid (no state file changed
    since the TUI closed): ~4x faster than opening the collection at 50k cards."""
    from retain.store.config import missing_folders
    from retain.store.home import open_home
    from retain.store.index.homesummary import load_summary
    from retain.store.localzone import local_timezone, zone_messages

    home, now, tz = open_home(), datetime.now(UTC), local_timezone()
    summary = load_summary(home, now, tz)
    if summary is None:
        return False
    config = home.config
    warnings = [*config.warnings, *missing_folders(config), *zone_messages(tz)]  # as `Collection.messages`
    if config.exams or config.deck_overrides or config.groups:
        from retain.core.clock import study_day
        from retain.store.config import unknown_decks
        from retain.store.exam_config import exam_decks, past_exams

        today = study_day(now, config.rollover_hour, tz)
        if summary.broken:  # (as `Collection.unknown_in_config`: a broken file's deck id is unknown)
            warnings += past_exams(config.exams, today)
        else:
            pairs = [(d.id, d.group) for d in summary.decks]
            warnings += past_exams(
                config.exams, today, exam_decks((d.id, d.group, d.name) for d in summary.decks)
            )
            warnings += unknown_decks(config, pairs, passed=today)
    warnings += [f"broken deck: {e.error}" for e in summary.broken]
    report = _report(summary.decks, summary.counts, summary.cards)
    emit(report, _table, as_json=as_json, warnings=warnings)
    return True
