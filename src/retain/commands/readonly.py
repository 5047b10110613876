"""Shared by the read-only reporting commands (`due`, `stats`): open, report, warn, print."""

from __future__ import annotations

import gc
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from retain.commands.output import dumps, err, out_block, out_text, safe_strings
from retain.store.home import open_home

if TYPE_CHECKING:
    from retain.store.collection import Collection

__all__ = ["emit", "print_report"]

Report = dict[str, Any]


def print_report(
    build: Callable[[Collection, datetime], Report],
    table: Callable[[Report], str],
    *,
    as_json: bool,
    extra_warnings: Callable[[Collection], list[str]] = lambda col: [],
) -> int:
    """Open the progress read-only without card texts (no lock, no writes: safe while the
    TUI is open), build the report, print warnings to stderr and the report to stdout."""
    from retain.interop.progress import TerminalProgress
    from retain.store.collection import Collection, CollectionError  # the slow part: only here

    gc.disable()  # a short-lived process building ~100k objects: the cyclic GC would only cost time
    now = datetime.now(UTC)
    try:
        col = Collection.open(
            open_home(), now, read_only=True, cards=False, progress=TerminalProgress(), history=True
        )
    except CollectionError as exc:
        err(f"retain: {exc}")
        return 2
    try:
        report = build(col, now)
    finally:
        col.close()
    emit(report, table, as_json=as_json, warnings=[*col.messages, *extra_warnings(col)])
    return 0


def emit(report: Report, table: Callable[[Report], str], *, as_json: bool, warnings: list[str]) -> None:
    """Warnings to stderr, then the report to stdout (one JSON object, or the table)."""
    for message in warnings:
        err(f"retain: warning: {message}")
    # Deck names and groups are strangers' text: escaped in JSON, sanitised in the table.
    if as_json:
        out_text(dumps(report))
    else:
        out_block(table(safe_strings(report)))
