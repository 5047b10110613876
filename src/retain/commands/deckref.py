"""A deck named on the command line that no loaded deck is: one line saying why.

A deck whose file does not load (one typo, a missing quote) is no deck of the library, but its
file is there: `retain stats --deck spanish` said "no deck or group 'spanish'", listing every
deck but that one, and never named the file. Each command that takes a deck (`check`,
`stats --deck`, `export`, `review`) asks here before it says a deck does not exist.

A broken file's deck id is not known (the file does not parse), so it is guessed: the file
named `REF.toml`, else a file whose `[deck]` table, read line by line, says `id = "REF"`, or
a name or group that `decks_named` would match.
"""

from __future__ import annotations

import os
import re
import shlex
import tomllib
from collections.abc import Sequence
from pathlib import Path

from retain.core.ids import is_valid_id
from retain.core.model import Deck, group_key, known_decks
from retain.store.decks.library import DeckEntry, Library

__all__ = ["broken_deck", "broken_deck_line", "deck_table_fields", "unknown_deck_line"]

_FIELDS = ("id", "name", "group")
_HEADER = re.compile(r"\s*\[")  # a table header (`[deck]`, `[[cards]]`)
_DECK_HEADER = re.compile(r"\s*\[\s*deck\s*\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"\s*(?:id|name|group|deck)\s*[=.]")  # the lines worth parsing


def deck_table_fields(text: str) -> dict[str, str]:
    """The `id`, `name` and `group` of a deck file's `[deck]` table, read one line at a time,
    so a typo elsewhere in the file does not hide them (`{}` when there are none). Also
    `deck.id = "x"` and `deck = { id = "x" }` before the first table."""
    fields: dict[str, str] = {}
    section: str | None = ""  # "" before any table, "deck" in [deck], None in another table
    for raw in text.split("\n"):  # (TOML's line ends: not `splitlines`, which also splits at U+2028)
        line = raw.removesuffix("\r")
        if _HEADER.match(line):
            section = "deck" if _DECK_HEADER.match(line) else None
            continue
        if section is None or not _KEY_LINE.match(line):
            continue
        try:
            value: object = tomllib.loads(line)
        except tomllib.TOMLDecodeError:
            continue
        if section == "" and isinstance(value, dict):
            value = value.get("deck")  # (top level: only the `deck` key is the deck's)
        if isinstance(value, dict):
            for key in _FIELDS:
                if isinstance(value.get(key), str):
                    fields.setdefault(key, value[key])
    return fields


def _text_fields(path: Path) -> dict[str, str]:
    """`deck_table_fields` of the file; `{}` when it cannot be read as text."""
    from retain.store.files import ReadError, read_text_limited

    try:
        return deck_table_fields(read_text_limited(path))
    except (ReadError, OSError, ValueError):
        return {}


def _match(entry: DeckEntry, ref: str) -> int | None:
    """How surely broken `entry` is the deck `ref` means: 0 its file is `REF.toml`, 1 its text
    gives deck id REF, 2 the deck's name, 3 its group; None: it is not."""
    wanted = group_key(ref)
    if entry.path.name.casefold() == f"{ref}.toml".casefold():
        return 0
    fields = _text_fields(entry.path)
    if fields.get("id") == ref:
        return 1
    if wanted and group_key(fields.get("name", "")) == wanted:
        return 2
    if wanted and group_key(fields.get("group", "")) == wanted:
        return 3
    return None


def broken_deck(broken: Sequence[DeckEntry], ref: str) -> tuple[DeckEntry, int, int] | None:
    """The broken deck file `ref` most likely means (a user's file before a bundled one), how it
    matched (`_match`) and how many other broken files match too; None when none does."""
    if not ref:
        return None
    found = [(rank, e) for e in broken if (rank := _match(e, ref)) is not None]
    if not found:
        return None
    rank, entry = min(found, key=lambda f: (f[1].origin == "bundled", f[0]))  # (min: the first of equals)
    return entry, rank, len(found) - 1


def _check_hint(ref: str, path: Path) -> str:
    """`retain check REF` when that checks this file (`check` takes a deck id for a path that is
    not there), else `retain check PATH`."""
    if is_valid_id(ref) and not os.path.lexists(ref):
        return f"`retain check {ref}`"
    return f"`retain check {shlex.quote(str(path))}`"


def broken_deck_line(broken: Sequence[DeckEntry], ref: str) -> str | None:
    """One line for a deck argument `ref` naming no loaded deck but a file that does not load:
    the file and its first error, and the command that lists them all. None: no such file."""
    found = broken_deck(broken, ref)
    if found is None:
        return None
    entry, rank, others = found
    what = f"the deck file of group {ref!r} does not load" if rank == 3 else f"deck {ref!r} does not load"
    why = entry.error or f"{entry.path}: the file does not load"
    more = f" (and {others} more broken deck file{'s' if others > 1 else ''})" if others else ""
    return f"{what}: {why}{more}; fix the file: {_check_hint(ref, entry.path)} lists its errors"


def unknown_deck_line(library: Library, ref: str, more: str = "") -> str:
    """The line for a deck argument that names no loaded deck: a broken deck file's
    (`broken_deck_line`), else the decks there are (and `more`, like the groups)."""
    decks: list[Deck] = library.decks
    return (
        broken_deck_line(library.broken, ref)
        or f"no deck or group {ref!r}; decks: {known_decks(decks)}{more}"
    )
