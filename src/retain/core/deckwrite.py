"""Write a `Deck` as deck-format v1 TOML text (for new files, exports and imports).

Editing an existing file goes through a style-preserving writer instead, so an
author's comments and layout survive; this module is for files we create.
"""

from __future__ import annotations

import re
from typing import Any

from retain.core.model import Card, Deck

__all__ = [
    "answer_lines",
    "card_toml",
    "deck_to_toml",
    "has_invisible",
    "toml_key",
    "toml_multiline",
    "toml_number",
    "toml_string",
    "toml_text",
    "tomlkit_string",
]


# Written escaped besides the C0 controls and DEL: the C1 controls (an 8-bit CSI or OSC, which
# `cat` of the file sends to the terminal), the bidi embeddings, overrides and isolates (a
# "Trojan Source" reordering in a diff), the zero-width space and no-break space (BOM) and the
# line and paragraph separators. TOML reads them back the same; the file shows where they are.
# (The joiners, which shape emoji and scripts, and the bidi marks of right-to-left text stay.)
_INVISIBLE = [
    *range(0x80, 0xA0),
    0x200B,
    *range(0x2028, 0x202F),
    *range(0x2066, 0x206A),
    0xFEFF,
]
_ESCAPES = {
    **{code: f"\\u{code:04x}" for code in [*range(0x20), 0x7F, *_INVISIBLE]},
    ord('"'): '\\"',
    ord("\\"): "\\\\",
    ord("\n"): "\\n",
    ord("\t"): "\\t",
}
_INVISIBLE_CLASS = "".join(map(chr, _INVISIBLE))  # (none of them is special in a character class)
_NEEDS_ESCAPE = re.compile(rf'[\x00-\x1f"\\\x7f{_INVISIBLE_CLASS}]')
_NEEDS_ESCAPE_MULTI = re.compile(rf'[\x00-\x08\x0b-\x1f"\\\x7f{_INVISIBLE_CLASS}]')  # tab and LF stay
_ESCAPED_IN_MULTI = frozenset([*range(0x20), 0x7F, *_INVISIBLE]) - {ord("\n"), ord("\t")}


_INVISIBLE_RE = re.compile(f"[{_INVISIBLE_CLASS}]")


def tomlkit_string(value: str) -> Any:
    """`value` for tomlkit to write (an editor keeping comments): as `toml_string` writes it when
    it holds a character escaped here beyond the C0 controls, which tomlkit writes raw."""
    if not has_invisible(value):
        return value
    import tomlkit  # (only editors of files a person wrote use it)

    return tomlkit.parse(f"v = {toml_string(value)}\n")["v"]


def has_invisible(value: str) -> bool:
    """Whether `value` holds a character written escaped beyond the C0 controls (`_INVISIBLE`):
    another TOML writer (tomlkit) would write it raw, a literal string cannot escape it."""
    return _INVISIBLE_RE.search(value) is not None


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def toml_key(name: str) -> str:
    """`name` as a TOML key, as config.toml's writer spells it: bare when it can be (`default`),
    else a basic string (`"a.b"`, `"Anki: Default"`), every control character escaped (one line)."""
    return name if _BARE_KEY.fullmatch(name) else toml_string(name)


def toml_string(value: str) -> str:
    """A TOML basic string; every control character escaped."""
    if _NEEDS_ESCAPE.search(value) is None:
        return f'"{value}"'
    return f'"{value.translate(_ESCAPES)}"'


def toml_multiline(value: str) -> str:
    """A TOML multi-line basic string: `\"\"\"` and a newline, the text with real line breaks, `\"\"\"`.

    The newline right after the opening quotes is not part of the value (TOML
    trims it), so the text starts on its own line. Backslashes, CR and other
    control characters (not tab or LF) are escaped, and so is every quote in a
    run of three or more, or at the very end (where it would merge with the
    closing quotes).
    """
    if _NEEDS_ESCAPE_MULTI.search(value) is None:
        return f'"""\n{value}"""'
    out = ['"""\n']
    n = len(value)
    i = 0
    while i < n:
        ch = value[i]
        code = ord(ch)
        if ch == '"':
            j = i
            while j < n and value[j] == '"':
                j += 1
            run = j - i
            out.append('\\"' * run if run >= 3 or j == n else '"' * run)
            i = j
            continue
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\n" or ch == "\t":
            out.append(ch)
        elif code in _ESCAPED_IN_MULTI:
            out.append(f"\\u{code:04x}")
        else:
            out.append(ch)
        i += 1
    out.append('"""')
    return "".join(out)


def toml_text(value: str) -> str:
    """A field's value: a multi-line string when it has line breaks (it reads and diffs well), else
    a one-line basic string."""
    return toml_multiline(value) if "\n" in value else toml_string(value)


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(toml_string(v) for v in values) + "]"


def toml_number(value: float) -> str:
    """`20` for an integral value (as an author writes it), else the shortest float text."""
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def answer_lines(card: Card) -> list[str]:
    """The answer-check keys (`match`, `pattern`, `accept_range`, `tolerance`, `aliases`) that are set."""
    lines: list[str] = []
    if card.match:
        lines.append(f"match = {toml_string(card.match)}")
    if card.pattern:
        lines.append(f"pattern = {toml_string(card.pattern)}")
    if card.accept_range is not None:
        low, high = card.accept_range
        lines.append(f"accept_range = [{toml_number(low)}, {toml_number(high)}]")
    if card.tolerance is not None:
        lines.append(f"tolerance = {toml_number(card.tolerance)}")
    if card.aliases:
        pairs = ", ".join(f"{toml_string(k)} = {toml_string(v)}" for k, v in card.aliases)
        lines.append(f"aliases = {{ {pairs} }}")
    return lines


def card_toml(card: Card) -> str:
    lines = ["[[cards]]", f"id = {toml_string(card.id)}"]
    if card.kind != "basic":
        lines.append(f"kind = {toml_string(card.kind)}")
    if card.kind == "cloze":
        lines.append(f"text = {toml_text(card.text)}")
    else:
        lines.append(f"front = {toml_text(card.front)}")
        lines.append(f"back = {toml_text(card.back)}")
    if card.extra:
        lines.append(f"extra = {toml_text(card.extra)}")
    if card.accept:
        lines.append(f"accept = {_list(card.accept)}")
    lines += answer_lines(card)
    if card.tags:
        lines.append(f"tags = {_list(card.tags)}")
    if card.source:
        lines.append(f"source = {toml_string(card.source)}")
    return "\n".join(lines) + "\n"


def deck_to_toml(deck: Deck) -> str:
    head = ["format = 1", "", "[deck]", f"id = {toml_string(deck.id)}", f"name = {toml_string(deck.name)}"]
    for key in ("group", "description", "version", "license"):
        value = getattr(deck, key)
        if value:
            head.append(f"{key} = {toml_text(value)}")
    if deck.authors:
        head.append(f"authors = {_list(deck.authors)}")
    if deck.tags:
        head.append(f"tags = {_list(deck.tags)}")
    parts = ["\n".join(head) + "\n"]
    parts += [card_toml(c) for c in deck.cards]
    return "\n".join(parts)
