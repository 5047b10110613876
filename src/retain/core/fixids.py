"""`retain check --fix`: write missing card ids without touching anything else."""

from __future__ import annotations

import re

from retain.core.deckfile import card_header_lines
from retain.core.ids import make_card_id
from retain.core.tomlsafe import loads_safe

__all__ = ["add_missing_ids"]

_INDENT_RE = re.compile(r"^([ \t]*)\S")


def add_missing_ids(text: str) -> tuple[str, int]:
    """Return (new_text, count). Inserts `id = "..."` under each `[[cards]]` lacking one.

    Only whole new lines are inserted; every other byte stays as it was (a BOM
    too: it is the caller's to keep). Cards not written as `[[cards]]` tables
    are left alone.
    """
    data = loads_safe(text)
    if not isinstance(data, dict):
        return text, 0
    cards = data.get("cards")
    if not isinstance(cards, list):
        return text, 0
    headers = card_header_lines(text)
    if len(headers) != len(cards):
        return text, 0
    taken = {c["id"] for c in cards if isinstance(c, dict) and isinstance(c.get("id"), str)}
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = [line + "\n" for line in text.split("\n")]  # lines as TOML counts them
    lines[-1] = lines[-1][:-1]
    inserts: dict[int, str] = {}
    for header, card in zip(headers, cards, strict=True):
        if not isinstance(card, dict) or "id" in card:
            continue
        seed = card.get("front") or card.get("text") or ""
        new_id = make_card_id(seed if isinstance(seed, str) else "", taken)
        taken.add(new_id)
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
