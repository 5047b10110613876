"""`retain check --fix`: write missing card ids without touching anything else."""

from __future__ import annotations

import re
from typing import Any

from retain.core.deckfile import card_header_lines
from retain.core.ids import make_card_id
from retain.core.tomlsafe import loads_safe

__all__ = ["add_missing_ids"]

_INDENT_RE = re.compile(r"^([ \t]*)\S")
_INLINE_OPEN_RE = re.compile(r"\{[ \t]*")


def add_missing_ids(text: str) -> tuple[str, int]:
    """Return (new_text, count). Inserts `id = "..."` under each `[[cards]]` lacking one.

    Only whole new lines are inserted; every other byte stays as it was (a BOM
    too: it is the caller's to keep). Cards in an inline `cards = [{...}]` array
    get `id = "..."` as the first key of their inline table, through tomlkit
    (comments and layout kept), as does any file whose headers the line scan
    cannot match to its cards.
    """
    data = loads_safe(text)
    if not isinstance(data, dict):
        return text, 0
    cards = data.get("cards")
    if not isinstance(cards, list):
        return text, 0
    taken = {c["id"] for c in cards if isinstance(c, dict) and isinstance(c.get("id"), str)}
    hints: dict[str, int] = {}
    headers = card_header_lines(text)
    if len(headers) != len(cards):
        return _through_tomlkit(text, data, taken, hints)
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [line + "\n" for line in text.split("\n")]  # lines as TOML counts them
    lines[-1] = lines[-1][:-1]
    inserts: dict[int, str] = {}
    for header, card in zip(headers, cards, strict=True):
        if not isinstance(card, dict) or "id" in card:
            continue
        new_id = _new_id(card, taken, hints)
        indent = ""
        if header < len(lines):
            m = _INDENT_RE.match(lines[header])
            indent = m[1] if m else ""
        inserts[header] = f'{indent}id = "{new_id}"{newline}'
    if not inserts:
        return text, 0
    out: list[str] = []
    for n, line in enumerate(lines, 1):
        if n in inserts and not line.endswith("\n"):
            line += newline
        out.append(line)
        if n in inserts:
            out.append(inserts[n])
    return "".join(out), len(inserts)


def _new_id(card: dict[str, Any], taken: set[str], hints: dict[str, int]) -> str:
    """A new id for `card`, added to `taken`. `hints` (one dict per file) keeps many equal fronts
    linear, as an import does: without it 80,000 cards "s" took 72 hashes each (11 s), not 15."""
    seed = card.get("front") or card.get("text") or ""
    new_id = make_card_id(seed if isinstance(seed, str) else "", taken, hints)
    taken.add(new_id)
    return new_id


def _through_tomlkit(
    text: str, data: dict[str, Any], taken: set[str], hints: dict[str, int]
) -> tuple[str, int]:
    """The ids added with tomlkit, for cards the line scan cannot place (an inline `cards = [...]`).

    An inline table gets the id as its first key, its other bytes kept; a `[[cards]]`
    table gets it as a new key line (tomlkit places it after the table's keys). The
    result must read as the same data plus the ids, else nothing is changed.
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError
    from tomlkit.items import InlineTable, Table

    expected = [dict(card) if isinstance(card, dict) else card for card in data["cards"]]
    count = 0
    try:
        doc = tomlkit.parse(text)
        array = doc["cards"]
        for i, card in enumerate(expected):
            if not isinstance(card, dict) or "id" in card:
                continue
            new_id = _new_id(card, taken, hints)
            item = array[i]
            if isinstance(item, InlineTable):
                written = item.as_string()
                opening = _INLINE_OPEN_RE.match(written)
                if opening is None:
                    return text, 0
                rest = written[opening.end() :]
                comma = "" if rest.startswith("}") else ", "
                array[i] = tomlkit.parse(f'x = {written[: opening.end()]}id = "{new_id}"{comma}{rest}')["x"]
            elif isinstance(item, Table):
                item["id"] = new_id
            else:
                return text, 0
            card["id"] = new_id
            count += 1
        out = tomlkit.dumps(doc)
    except (TOMLKitError, LookupError, TypeError, ValueError):
        return text, 0
    if not count or loads_safe(out) != {**data, "cards": expected}:
        return text, 0
    return out, count
