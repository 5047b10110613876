"""The one way the command line prints: every piece of deck, file or archive text is sanitised.

Deck names, groups, card text, file names and the messages that quote them
come from strangers (ARCHITECTURE §5). Printed raw, an `ESC ]52;` in a deck
name writes the user's clipboard. Every command prints through these helpers,
which pass the text through `core.sanitize`, the same sanitiser the TUI uses:

- `out`/`err`: one line (tabs and newlines become spaces) to stdout/stderr;
- `out_lines`: many such lines at once (what `out` prints for each, in one write);
- `out_block`: several lines (newlines kept) to stdout;
- `cell`: one table cell, sanitised before its width is measured;
- `dumps`: JSON with C1 controls, bidi and other unsafe characters escaped
  (`\\u009b`), so the data round-trips but never acts on a terminal.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Any

from retain.core.sanitize import escape_unsafe, sanitize, sanitize_line

__all__ = ["cell", "dumps", "err", "out", "out_block", "out_lines", "safe_strings"]


def cell(text: object) -> str:
    return sanitize_line(str(text))


def out(text: object = "") -> None:
    print(sanitize_line(str(text)))


def out_lines(lines: Iterable[object]) -> None:
    """Print each item as `out` would, sanitising them together (100k problem lines: one regex pass)."""
    texts = [str(t) for t in lines]
    if not texts:
        return
    blob = "\n".join(texts)
    if blob.count("\n") != len(texts) - 1 or "\r" in blob:  # a line of its own has a line break
        blob = "\n".join(sanitize_line(t) for t in texts)
    else:  # sanitize_line's work on the joined text: the joins are the only newlines in it
        blob = sanitize(blob.replace("\u2028", " ").replace("\u2029", " ")).replace("\t", " ")
    sys.stdout.write(blob + "\n")


def err(text: object) -> None:
    print(sanitize_line(str(text)), file=sys.stderr)


def out_block(text: str) -> None:
    print(sanitize(text))


def dumps(data: Any) -> str:
    return escape_unsafe(json.dumps(data, ensure_ascii=False))


def safe_strings(data: Any) -> Any:
    """A copy of nested dicts/lists with every string passed through `sanitize_line` (for tables)."""
    if isinstance(data, str):
        return sanitize_line(data)
    if isinstance(data, dict):
        return {k: safe_strings(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [safe_strings(v) for v in data]
    return data
