"""`retain stats [--deck ID] [--days N] [--json] [--svg FILE [--force]]`: the statistics screen's figures as text.

The per-deck table (cards by state, reviews today, streak, 30-day retention)
comes from `core.stats.compute_stats`; the forecast, calendar, reviews per day,
true retention table, card counts, distributions, buttons, hours and added
cards come from `store.statsdata.gather_figures`, the same call the stats
screen makes, so the two always agree. The progress is opened read-only, so
this works while the TUI is open.

JSON (docs/stats.md has every field): `{"today", "decks": [...], "total": {...},
"scope", "days", "forecast", "calendar", "reviews", "retention", "counts",
"distributions", "buttons", "hours", "added"}`. The first three keys are as
before; `retention` in a deck row is a share from 0 to 1, or null.
"""

from __future__ import annotations

import argparse
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from retain.commands.output import cell, clip, columns, did, err, ljust
from retain.commands.readonly import print_report
from retain.store.collection import Collection
from retain.store.oserror import os_error_text

__all__ = ["StatsInputError", "add_arguments", "parse_days", "run", "stats_report"]

MAX_DAYS = 36500


class StatsInputError(Exception):
    """A bad --deck or --days: one line for the user."""


def parse_days(text: str) -> int | None:
    """`30`, `90`, `365` or `all` (None); anything else raises StatsInputError."""
    if text.strip().lower() == "all":
        return None
    try:
        value = int(text)
    except ValueError:
        raise StatsInputError(f"--days takes a number of days or 'all', not {text!r}") from None
    if not 1 <= value <= MAX_DAYS:
        raise StatsInputError(f"--days must be between 1 and {MAX_DAYS} (or 'all')")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", action="store_true", help="print one JSON object (for scripts)")
    parser.add_argument(
        "--deck",
        metavar="DECK|GROUP",
        help="only this deck (its id or name), or a group's decks (default: every deck)",
    )
    parser.add_argument("--days", metavar="N", default="30", help="the period in study days, or 'all' (30)")
    parser.add_argument("--svg", metavar="FILE", help="also save the stats screen as an SVG picture")
    parser.add_argument(
        "-f", "--force", action="store_true", help="with --svg: replace FILE when it already exists"
    )


def _unknown_deck(deck: str) -> str | None:
    """The line for a `--deck` that names no deck (`deckref`), or None: what the report would say,
    said before an existing `--svg` file's "add --force"."""
    from retain.commands.deckref import unknown_deck_line
    from retain.core.model import decks_named
    from retain.store.home import open_home

    library = open_home().library(cards=False)
    return None if decks_named(list(library.decks), deck) else unknown_deck_line(library, deck)


def stats_report(
    col: Collection, now: datetime, deck: str | None = None, days: int | None = 30
) -> dict[str, Any]:
    from retain.commands.deckref import unknown_deck_line
    from retain.core.stats import RETENTION_DAYS, Activity, compute_stats
    from retain.store.statsdata import gather_figures, scope_ids

    names = {d.id: (d.name, d.group) for d in col.library.decks}
    ids = None if deck is None else scope_ids(col, deck)
    if deck is not None and ids == []:
        raise StatsInputError(unknown_deck_line(col.library, deck))  # (a deck file that does not load: named)
    activity = {
        d: Activity(frozenset(a.days), a.today, a.passed, a.judged)
        for d, a in col.history_index.activity(now, RETENTION_DAYS).items()
    }
    report = compute_stats(col.units, col.states, activity, col.today(now), names)
    data = report.to_dict()
    decks: list[dict[str, Any]] = data["decks"]  # type: ignore[assignment]
    for row in decks:
        row["name"], row["group"] = names.get(row["deck_id"], (row["deck_id"], ""))
    decks.sort(key=lambda r: (str(r["group"]).casefold(), str(r["name"]).casefold()))
    if ids is not None:
        data["decks"] = [r for r in decks if r["deck_id"] in ids]
    figures = gather_figures(col, now, ids, days)
    data["scope"] = "" if deck is None else _scope_name(col, deck, ids or [])
    data.update(figures.to_dict())
    return data


def _scope_name(col: Collection, deck: str, ids: list[str]) -> str:
    """The deck id (also for a deck named by its name), or the group's name as its decks spell it
    (`--deck "distributed systems interview"` is "Distributed Systems Interview"), so a script
    can compare it."""
    from retain.core.model import decks_in_group, group_title

    decks = list(col.library.decks)
    if col.library.get(deck) is None and decks_in_group(decks, deck):
        return group_title(decks, deck)
    return ids[0] if len(ids) == 1 else deck


def _pct(value: Any) -> str:
    """A measured share with one decimal, as the retention table shows it: 0.896 is "89.6%",
    never "90%", which would read as meeting a desired retention of 90%."""
    return "-" if value is None else f"{100 * float(value):.1f}%"


def _deck_table(data: dict[str, Any]) -> list[str]:
    head = (
        "Deck",
        "Cards",
        "New",
        "Learn",
        "Review",
        "Relearn",
        "Susp",
        "Buried",
        "Today",
        "Streak",
        "Retention",
    )
    rows = [head]
    # `total` is over every deck (JSON's contract): under a --deck scope's rows it is not their sum
    last = "All decks" if data.get("scope") else "Total"
    for d in [*data["decks"], {**data["total"], "name": last}]:
        rows.append(
            (
                clip(cell(d["name"])),  # sanitised before its width is measured; cut if long
                str(d["cards"]),
                str(d["new"]),
                str(d["learning"]),
                str(d["review"]),
                str(d["relearning"]),
                str(d["suspended"]),
                str(d["buried"]),
                str(d["reviews_today"]),
                f"{d['streak']}d",
                _pct(d["retention"]),
            )
        )
    width = max(columns(r[0]) for r in rows)  # terminal columns: a CJK name's characters take two
    lines = [ljust(r[0], width) + "".join(f" {c:>7}" for c in r[1:-1]) + f" {r[-1]:>9}" for r in rows]
    lines.append(
        f"study day {data['today']}; retention: ratings of review cards (and of learning steps of a day"
        " or more) not rated Again, last 30 study days"
    )
    return lines


def _table(data: dict[str, Any]) -> str:
    from retain.core.statstext import figures_text

    return "\n".join([*_deck_table(data), "", *figures_text(data)])


def run(args: argparse.Namespace) -> int:
    try:
        days = parse_days(str(args.days))
        if args.deck is not None and not str(args.deck).strip():
            raise StatsInputError("--deck needs a deck id")
        if args.svg is not None and not str(args.svg).strip():
            raise StatsInputError("--svg needs a file name, like --svg stats.svg")
        if args.svg is not None and Path(args.svg).suffix.lower() != ".svg":  # (a slip: `--svg config.toml`)
            raise StatsInputError(
                f"--svg needs a file name ending in .svg, like --svg stats.svg (not {args.svg!r})"
            )
    except StatsInputError as exc:
        err(f"retain: {exc}")
        return 2
    svg = Path(args.svg) if args.svg else None
    if svg is not None and not args.force and os.path.lexists(svg):  # (a typo must not cost a deck file)
        from retain.ui.stats_open import check_svg_target

        try:  # (a FIFO, a device, a folder: said as such; anything else is there)
            check_svg_target(svg)
        except OSError as exc:
            err(f"retain: cannot write {svg}: {os_error_text(exc, name=False)}")
            return 1
        if args.deck is not None and (unknown := _unknown_deck(args.deck)) is not None:
            err(f"retain: {unknown}")  # (said first: --force would only lead to it)
            return 2
        err(f"retain: {svg} already exists; add --force to replace it")
        return 1

    def build(col: Collection, now: datetime) -> dict[str, Any]:
        report = stats_report(col, now, args.deck, days)
        if svg is not None:
            from retain.ui.stats_open import save_stats_svg

            try:
                save_stats_svg(col, now, svg, args.deck, days, replace=args.force)
                did(f"saved {svg}")  # (named in the error line should the report be lost)
            except OSError as exc:  # (only the SVG: an error writing stdout is the CLI's to say)
                raise _SvgError(f"cannot write {svg}: {os_error_text(exc, name=False)}") from None
        return report

    try:
        return print_report(build, _table, as_json=args.json, extra_warnings=_broken_decks)
    except StatsInputError as exc:
        err(f"retain: {exc}")
        return 2
    except _SvgError as exc:
        err(f"retain: {exc}")
        return 1


def _broken_decks(col: Collection) -> list[str]:
    """A deck file that cannot be read, one line each, as `retain due` says it: its cards are
    missing from every figure."""
    return [f"broken deck: {e.error}" for e in col.library.broken]


class _SvgError(Exception):
    """The `--svg` file could not be written (one line)."""
