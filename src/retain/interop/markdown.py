"""hashcards-style Markdown decks: `Q:`/`A:` cards and `C:` cards with `[cloze]` brackets.

Export writes a file hashcards itself reads: TOML front matter between `---`
lines (hashcards reads `name`; retain also keeps the other deck fields), then
the cards, separated by blank lines. Each card is preceded by an HTML comment,
`<!-- retain {...} -->`, holding what hashcards has no syntax for (the card
id, the kind, tags, extra, accepted answers, cloze numbers and hints); Markdown
renders it as nothing.

In `C:` text every `[...]` is a deletion. Literal brackets, backslashes and a
`!` right before a deletion are backslash-escaped; `![alt](src)` images stay
as they are, as in hashcards. A content line that would look like a tag
(`Q:`, `A:`, `C:`, the retain comment) gets one extra leading space.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from retain.core.cloze import CLOZE_RE
from retain.core.deckwrite import toml_string
from retain.core.ids import is_valid_id, make_card_id
from retain.core.model import Card, Deck, Kind
from retain.core.tomlsafe import TomlFailure, loads_safe
from retain.interop.ankinote import deck_id_for_name
from retain.interop.assemble import make_deck
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits
from retain.interop.textfile import read_text

__all__ = ["cloze_from_brackets", "cloze_to_brackets", "read_markdown", "write_markdown"]

_TAG_LINE = re.compile(r"^ *(?:[QAC]:|<!-- retain )")
_TAG_LINE_ESCAPED = re.compile(r"^ +(?:[QAC]:|<!-- retain )")
_META_LINE = re.compile(r"^<!-- retain (\{.*\}) -->\s*$")
_IMAGE = re.compile(r"!\[[^\[\]\\\n]*\]")


def _escape_lines(text: str) -> str:
    return "\n".join(" " + ln if _TAG_LINE.match(ln) else ln for ln in text.split("\n"))


def _unescape_line(line: str) -> str:
    return line[1:] if _TAG_LINE_ESCAPED.match(line) else line


def _escape_plain(text: str, before_deletion: bool, images: bool = True) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        m = _IMAGE.match(text, i) if images else None
        if m:
            out.append(m[0])
            i = m.end()
            continue
        ch = text[i]
        if ch in "[]\\" or (
            ch == "!" and (text.startswith("[", i + 1) or (before_deletion and i == len(text) - 1))
        ):
            out.append("\\")
        out.append(ch)
        i += 1
    return "".join(out)


def cloze_to_brackets(text: str) -> tuple[str, list[int], list[str]]:
    """retain cloze text -> (hashcards text, cloze number per bracket, hint per bracket)."""
    out: list[str] = []
    numbers: list[int] = []
    hints: list[str] = []
    pos = 0
    for m in CLOZE_RE.finditer(text):
        out.append(_escape_plain(text[pos : m.start()], before_deletion=True))
        out.append("[" + _escape_plain(m[2], before_deletion=False, images=False) + "]")
        numbers.append(int(m[1]))
        hints.append(m[3] or "")
        pos = m.end()
    out.append(_escape_plain(text[pos:], before_deletion=False))
    return "".join(out), numbers, hints


def cloze_from_brackets(text: str, numbers: list[int] | None = None, hints: list[str] | None = None) -> str:
    """hashcards `C:` text -> retain cloze text with `{{cN::...}}` deletions."""
    out: list[str] = []
    current: list[str] | None = None
    count = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text) and text[i + 1] in "[]\\!":
            (current if current is not None else out).append(text[i + 1])
            i += 2
            continue
        m = _IMAGE.match(text, i) if current is None else None
        if m:
            out.append(m[0])
            i = m.end()
            continue
        if ch == "[" and current is None:
            current = []
        elif ch == "]" and current is not None:
            n = numbers[count] if numbers and count < len(numbers) else count + 1
            hint = hints[count] if hints and count < len(hints) else ""
            out.append(f"{{{{c{n}::{''.join(current)}{'::' + hint if hint else ''}}}}}")
            current, count = None, count + 1
        else:
            (current if current is not None else out).append(ch)
        i += 1
    if current is not None:
        out.append("[" + "".join(current))
    return "".join(out)


def _meta_comment(data: dict[str, Any]) -> str:
    raw = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return "<!-- retain " + raw.replace("<", "\\u003c").replace(">", "\\u003e") + " -->"


def _card_md(card: Card) -> str:
    meta: dict[str, Any] = {"id": card.id}
    if card.kind in ("reversed", "typed"):
        meta["kind"] = card.kind
    for key in ("tags", "accept"):
        if getattr(card, key):
            meta[key] = list(getattr(card, key))
    for key in ("extra", "source"):
        if getattr(card, key):
            meta[key] = getattr(card, key)
    if card.kind == "cloze":
        body, numbers, hints = cloze_to_brackets(card.text)
        if numbers != list(range(1, len(numbers) + 1)):
            meta["n"] = numbers
        if any(hints):
            meta["hints"] = hints
        return f"{_meta_comment(meta)}\nC: {_escape_lines(body)}\n"
    return f"{_meta_comment(meta)}\nQ: {_escape_lines(card.front)}\nA: {_escape_lines(card.back)}\n"


def write_markdown(deck: Deck) -> str:
    head = ["---", f"name = {toml_string(deck.name)}", f"id = {toml_string(deck.id)}"]
    for key in ("group", "description", "version", "license"):
        if getattr(deck, key):
            head.append(f"{key} = {toml_string(getattr(deck, key))}")
    for key in ("authors", "tags"):
        if getattr(deck, key) or key == "tags":
            head.append(f"{key} = [{', '.join(toml_string(v) for v in getattr(deck, key))}]")
    head.append("---")
    return "\n".join(head) + "\n\n" + "\n".join(_card_md(c) for c in deck.cards)


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for n in range(1, len(lines)):
        if lines[n].strip() == "---":
            data = loads_safe("\n".join(lines[1:n]))
            if isinstance(data, TomlFailure):
                raise InteropError(f"front matter, line {data.line + 1}: {data.message}")
            return data, n + 1
    raise InteropError("front matter opened with '---' is never closed")


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _to_card(tag: str, parts: list[str], meta: dict[str, Any], taken: set[str]) -> Card:
    text = "\n".join(parts[0].split("\n")).strip()
    kind: Kind = "cloze" if tag == "C" else "basic"
    if tag == "Q" and meta.get("kind") in ("reversed", "typed"):
        kind = meta["kind"]
    common: dict[str, Any] = {
        "kind": kind,
        "tags": _strs(meta.get("tags")),
        "accept": _strs(meta.get("accept")),
        "extra": meta["extra"] if isinstance(meta.get("extra"), str) else "",
        "source": meta["source"] if isinstance(meta.get("source"), str) else "",
    }
    raw_id = meta.get("id")
    if kind == "cloze":
        numbers = [n for n in meta.get("n", []) if isinstance(n, int) and 0 < n < 1000] or None
        hints = _strs(meta.get("hints"))
        body = cloze_from_brackets(text, numbers, list(hints) or None)
        card_id = raw_id if isinstance(raw_id, str) and is_valid_id(raw_id) else make_card_id(body, taken)
        return Card(id=card_id, text=body, **common)
    back = parts[1].strip() if len(parts) > 1 else ""
    card_id = raw_id if isinstance(raw_id, str) and is_valid_id(raw_id) else make_card_id(text, taken)
    return Card(id=card_id, front=text, back=back, **common)


def read_markdown(path: Path, limits: Limits) -> Bundle:
    lines = read_text(path, limits).replace("\r\n", "\n").split("\n")
    front, start = _front_matter(lines)
    bundle = Bundle("md")
    cards: list[tuple[str, Card]] = []
    taken: set[str] = set()
    tag, parts, where = "", [""], 0
    meta: dict[str, Any] = {}
    pending: dict[str, Any] = {}

    def flush() -> None:
        nonlocal tag
        if tag == "Q" and len(parts) < 2:
            bundle.warnings.append(f"line {where} skipped: question without an `A:` answer")
        elif tag:
            card = _to_card(tag, parts, meta, taken)
            taken.add(card.id)
            cards.append((f"line {where}", card))
            if len(cards) > limits.max_notes:
                raise LimitError(
                    f"file has over {limits.max_notes} cards; the card-count limit is {limits.max_notes}"
                )
        tag = ""

    for n, line in enumerate(lines[start:], start + 1):
        m = _META_LINE.match(line)
        if m:
            flush()
            try:
                loaded = json.loads(m[1])
            except (ValueError, RecursionError):
                loaded = {}
            pending = loaded if isinstance(loaded, dict) else {}
        elif line.startswith(("Q:", "C:")):
            flush()
            tag, parts, meta, where = line[0], [line[2:]], pending, n
            pending = {}
        elif line.startswith("A:"):
            if tag == "Q" and len(parts) == 1:
                parts.append(line[2:])
            else:
                bundle.warnings.append(f"line {n}: `A:` without a question, ignored")
        elif tag:
            parts[-1] += "\n" + _unescape_line(line)
    flush()
    name = front.get("name") if isinstance(front.get("name"), str) else path.stem
    raw_id = front.get("id")
    deck_id = (
        raw_id if isinstance(raw_id, str) and is_valid_id(raw_id) else deck_id_for_name(name or path.stem)
    )
    meta_fields: dict[str, Any] = {
        k: front[k] for k in ("group", "description", "version", "license") if isinstance(front.get(k), str)
    }
    meta_fields.update({k: _strs(front.get(k)) for k in ("authors", "tags") if k in front})
    bundle.decks.append(make_deck(deck_id, name or deck_id, cards, bundle.warnings, limits, **meta_fields))
    return bundle
