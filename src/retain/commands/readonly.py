"""Shared by the read-only reporting commands (`due`, `stats`): open, report, warn, print."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from retain.store.collection import Collection, CollectionError
from retain.store.home import open_home

__all__ = ["print_report"]

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
    gc.disable()  # a short-lived process building ~100k objects: the cyclic GC would only cost time
    now = datetime.now(UTC)
    try:
        col = Collection.open(open_home(), now, read_only=True, cards=False)
    except CollectionError as exc:
        print(f"retain: {exc}", file=sys.stderr)
        return 2
    try:
        report = build(col, now)
    finally:
        col.close()
    for message in [*col.messages, *extra_warnings(col)]:
        print(f"retain: warning: {message}", file=sys.stderr)
    print(json.dumps(report, ensure_ascii=False) if as_json else table(report))
    return 0
