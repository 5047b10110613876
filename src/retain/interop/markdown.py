"""hashcards-style Markdown decks: `Q:`/`A:` cards and `C:` cards with `[cloze]` brackets.

The line rules are hashcards' own (see `retain.interop.hashcards`). Export
writes a file that hashcards reads with exactly the cards retain has: TOML
front matter between `---` lines (hashcards reads `name` and ignores every
other key), then the cards separated by blank lines. What hashcards has no
syntax for (card ids, `reversed`/`typed`, tags, extra, accepted answers, cloze
numbers and hints) lives in the front matter's `[retain]` table, one entry per
card keyed by a hash of the card's lines, so the card text stays clean and an
entry whose card was edited by hand is simply not used. Files written by older
retain versions, with a `<!-- retain {...} -->` line before each card, still
read.

Images, sounds and videos (`![alt](path)`) are imported like `.apkg` media: see `md_media`.
Only the deck's own media (`DECK.media/NAME`, copied beside the file) and URLs are written as
images; any other reference (an absolute path, one leaving the media folder) is written as text
(`![logo]\\(/usr/...)`, which no reader takes for an image) and the card's exact text goes in
its `[retain]` entry, so retain's import gives the card back as it was and reads no file for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict, deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retain.core.answer.spec import from_meta, to_meta
from retain.core.deckwrite import toml_number, toml_string
from retain.core.ids import is_valid_id, make_card_id
from retain.core.mediaref import image_refs, ref_target, sub_refs
from retain.core.model import Card, Deck, Kind
from retain.core.tomlsafe import TomlFailure, loads_safe
from retain.core.typed import answer_spec
from retain.interop.anki.ankinote import deck_id_for_name
from retain.interop.assemble import make_deck
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.hashcards import (
    bracket_cloze,
    escape_line,
    is_separator,
    read_brackets,
    unescape_line,
)
from retain.interop.limits import Limits
from retain.interop.md_media import ImageImporter, carried
from retain.interop.textfile import read_text
from retain.store.files import name_text

__all__ = ["read_markdown", "write_markdown"]

_LEGACY_META = re.compile(r"^<!-- retain (\{.*\}) -->\s*$")
_LEGACY_ESCAPED = re.compile(r"^ +(?:[QAC]:|<!-- retain )")


@dataclass(slots=True)
class _Block:
    tag: str  # "Q" or "C"
    line: int  # 1-based line of the tag
    parts: list[str]  # [question] / [question, answer] / [cloze text]
    raw: list[str] = field(default_factory=list)
    legacy: dict[str, Any] | None = None  # a `<!-- retain -->` line before it (old exports)

    def key(self) -> str:
        return block_key(self.raw)


def block_key(lines: list[str]) -> str:
    end = len(lines)
    while end and not lines[end - 1].strip():  # (a copy per blank line was quadratic)
        end -= 1
    return hashlib.sha256("\n".join(lines[:end]).encode("utf-8", "surrogatepass")).hexdigest()[:16]


# ---- reading ---------------------------------------------------------------------------


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


def _stray(warnings: list[str], lines: list[int]) -> None:
    if not lines:
        return
    where = f"line {lines[0]}" if len(lines) == 1 else f"lines {lines[0]}-{lines[-1]}"
    warnings.append(
        f"{where}: text outside any card ignored (hashcards 0.4 ignores it; newer versions refuse it)"
    )


def parse_blocks(lines: list[str], first: int, warnings: list[str]) -> list[_Block]:
    """Card blocks by hashcards' line rules; `first` is the file line number of lines[0]."""
    blocks: list[_Block] = []
    legacy = any(_LEGACY_META.match(ln) for ln in lines)
    cur: _Block | None = None
    text: list[str] = []  # the lines of cur's last part, joined into it once the part ends
    pending: dict[str, Any] | None = None
    stray: list[int] = []

    def close(n: int) -> None:
        nonlocal cur
        if cur is not None:
            cur.parts[-1] = "\n".join(text)
            if cur.tag == "Q" and len(cur.parts) < 2:
                warnings.append(f"line {cur.line} skipped: question without an `A:` answer (line {n})")
            else:
                blocks.append(cur)
        cur = None

    def text_of(line: str) -> str:
        return line[1:] if legacy and _LEGACY_ESCAPED.match(line) else unescape_line(line)

    for n, line in enumerate(lines, first):
        m = _LEGACY_META.match(line)
        if m:
            close(n)
            _stray(warnings, stray)
            stray = []
            try:
                loaded = json.loads(m[1])
            except (ValueError, RecursionError):
                loaded = {}
            pending = loaded if isinstance(loaded, dict) else {}
        elif line.startswith(("Q:", "C:")):
            close(n)
            _stray(warnings, stray)
            stray = []
            text = [text_of(line[2:].strip())]
            cur = _Block(line[0], n, [""], [line], pending)
            pending = None
        elif line.startswith("A:"):
            if cur is not None and cur.tag == "Q" and len(cur.parts) == 1:
                cur.parts[0] = "\n".join(text)
                text = [text_of(line[2:].strip())]
                cur.parts.append("")
                cur.raw.append(line)
            else:
                warnings.append(f"line {n}: `A:` without a question, ignored")
        elif is_separator(line):
            close(n)
        elif cur is not None:
            text.append(text_of(line))  # (adding each line to the part's text was quadratic)
            cur.raw.append(line)
        elif line.strip() and not line.lstrip().startswith("#"):
            stray.append(n)
        elif stray and not line.strip():
            _stray(warnings, stray)
            stray = []
    close(len(lines) + first)
    _stray(warnings, stray)
    return blocks


def _strs(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def _str(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return value if isinstance(value, str) else ""


def _cloze_text(body: str, meta: dict[str, Any]) -> str:
    raw = meta.get("n")  # (from the file: not always a list of numbers)
    numbers = [n for n in raw if type(n) is int and 0 < n < 1000] if isinstance(raw, list) else []
    hints = _strs(meta.get("hints"))
    out: list[str] = []
    count = 0
    for piece, deletion in read_brackets(body.strip()):
        if not deletion:
            out.append(piece)
            continue
        num = numbers[count] if count < len(numbers) else count + 1
        hint = hints[count] if count < len(hints) else ""
        out.append(f"{{{{c{num}::{piece}{'::' + hint if hint else ''}}}}}")
        count += 1
    return "".join(out)


def card_from_block(
    block: _Block, meta: dict[str, Any], taken: set[str], hints: dict[str, int] | None = None
) -> Card:
    kind: Kind = "cloze" if block.tag == "C" else "basic"
    if kind == "basic" and meta.get("kind") in ("reversed", "typed"):
        kind = meta["kind"]
    common: dict[str, Any] = {
        "kind": kind,
        "tags": _strs(meta.get("tags")),
        "accept": _strs(meta.get("accept")),
        "extra": _str(meta, "extra"),
        "source": _str(meta, "source"),
    }
    raw_id = meta.get("id")
    if kind == "cloze":
        text = meta["text"] if isinstance(meta.get("text"), str) else _cloze_text(block.parts[0], meta)
        card_id = (
            raw_id if isinstance(raw_id, str) and is_valid_id(raw_id) else make_card_id(text, taken, hints)
        )
        return Card(id=card_id, text=text, **common)
    front = meta["front"] if isinstance(meta.get("front"), str) else block.parts[0].strip()
    back = meta["back"] if isinstance(meta.get("back"), str) else block.parts[1].strip()
    card_id = raw_id if isinstance(raw_id, str) and is_valid_id(raw_id) else make_card_id(front, taken, hints)
    common.update(from_meta(meta, kind, back, common["accept"]))
    return Card(id=card_id, front=front, back=back, **common)


def shown_targets(block: _Block) -> set[str]:
    """The targets of the images the block's lines show (hashcards' card, without the `[retain]`
    entry): the ones an import looks up."""
    if not any("!" in part for part in block.parts):  # (`!\[a\](b)` in `C:` text shows `![a](b)`)
        return set()
    texts = (
        [_cloze_text(block.parts[0], {})]
        if block.tag == "C"
        else [block.parts[0].strip(), block.parts[1].strip()]
    )
    return {ref_target(m) for text in texts for m in image_refs(text)}


def _card_meta(front: dict[str, Any]) -> dict[str, deque[dict[str, Any]]]:
    table = front.get("retain")
    entries = table.get("cards") if isinstance(table, dict) else None
    # (each taken from the left: a list's pop(0) for each of many equal cards was quadratic)
    by_key: dict[str, deque[dict[str, Any]]] = defaultdict(deque)
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("h"), str):
            by_key[entry["h"]].append(entry)
    return by_key


def _deck_id(front: dict[str, Any], name: str, fallback: str) -> str:
    raw_id = front.get("id")
    if isinstance(raw_id, str) and is_valid_id(raw_id):
        return raw_id
    return deck_id_for_name(name or fallback)


def read_markdown(path: Path, limits: Limits, stage: Path) -> Bundle:
    """Read a hashcards file; images are copied into `stage` under content-hash names."""
    lines = read_text(path, limits).replace("\r\n", "\n").split("\n")
    front, start = _front_matter(lines)
    bundle = Bundle("md")
    blocks = parse_blocks(lines[start:], start + 1, bundle.warnings)
    if len(blocks) > limits.max_notes:
        raise LimitError(f"file has {len(blocks)} cards; the card-count limit is {limits.max_notes}")
    stem = name_text(path.stem)
    name = front["name"] if isinstance(front.get("name"), str) and front["name"].strip() else stem
    deck_id = _deck_id(front, name, stem)
    meta_by_key = _card_meta(front)
    images = ImageImporter(path, stage, limits, bundle, deck_id)
    cards: list[tuple[str, Card]] = []
    taken: set[str] = set()
    hints: dict[str, int] = {}  # `taken` only grows here, as `make_card_id` hints need
    for block in blocks:
        queue = meta_by_key.get(block.key())
        meta = block.legacy if block.legacy is not None else (queue.popleft() if queue else {})
        raw_id = meta.get("id")
        taken_id = raw_id if isinstance(raw_id, str) and raw_id in taken else None
        if taken_id is not None:  # (a hand edit): a card of its own, not one skipped as a duplicate
            meta = {k: v for k, v in meta.items() if k != "id"}
        card = images.rewrite(card_from_block(block, meta, taken, hints), block, shown_targets(block))
        if taken_id is not None:
            bundle.warnings.append(
                f"line {block.line}: id {taken_id!r} is an earlier card's; this card is imported as {card.id!r}"
            )
        taken.add(card.id)
        cards.append((f"line {block.line}", card))
    meta_fields: dict[str, Any] = {
        k: front[k] for k in ("group", "description", "version", "license") if isinstance(front.get(k), str)
    }
    meta_fields.update({k: _strs(front.get(k)) for k in ("authors", "tags") if k in front})
    bundle.decks.append(make_deck(deck_id, name, cards, bundle.warnings, limits, **meta_fields))
    if front.get("id") != deck_id:  # made from the name: no author gave it (`Bundle.derived`)
        bundle.derived.add(deck_id)
    return bundle


# ---- writing ---------------------------------------------------------------------------


def as_read(block: str) -> str:
    """A block as `read_markdown` sees it once written: the file's `\r\n` line ends become `\n`,
    the one that ends the block's last line too (a text ending in `\r` lost it, and its key)."""
    return (block + "\n").replace("\r\n", "\n")[:-1]


def _lines(text: str) -> str:
    return "\n".join(escape_line(ln) for ln in text.split("\n"))


def _tagged(tag: str, text: str) -> str:
    body = _lines(text)
    return f"{tag}: {body}" if body else f"{tag}:"


def _as_text(text: str, deck_id: str) -> tuple[str, int]:
    """`text` with each image reference the `.md` format cannot carry (`md_media.carried`) written
    as text, a backslash between its `]` and `(` (shown as written; no reader takes it for an
    image), and how many. Again until none is left: one written as text may uncover another in
    its target (`![a](<x ![b](/etc/passwd)>)`); each pass takes a `](` away, so it ends."""
    count = 0
    while True:
        found = 0

        def one(m: re.Match[str]) -> str:
            nonlocal found
            if carried(ref_target(m), deck_id):
                return m[0]
            found += 1
            at = len(m["alt"]) + 3  # after `![alt]`
            return m[0][:at] + "\\" + m[0][at:]

        new = sub_refs(text, one)
        if not found:
            return text, count
        text, count = new, count + found


def _written(card: Card, deck_id: str) -> tuple[str, list[_Block], int]:
    """The card's lines, each image reference they would show that the format cannot carry
    written as text, and how many. Checked on the lines as the reader sees them (a `!` before a
    deletion, `!{{c1::x}}(/etc/passwd)`, makes an image of the cloze's `[x]`): when one is left,
    every `](` of the lines gets its backslash (the exact text is in the `[retain]` entry)."""
    keys = ("text",) if card.kind == "cloze" else ("front", "back")
    written = {key: _as_text(getattr(card, key), deck_id) for key in keys}
    count = sum(found for _text, found in written.values())
    if card.kind == "cloze":
        block = _tagged("C", bracket_cloze(written["text"][0])[0])
    else:
        block = _tagged("Q", written["front"][0]) + "\n" + _tagged("A", written["back"][0])
    parsed = parse_blocks(as_read(block).split("\n"), 1, [])
    left = [t for b in parsed for t in shown_targets(b) if not carried(t, deck_id)]
    if left:
        block = block.replace("](", "]\\(")
        parsed = parse_blocks(as_read(block).split("\n"), 1, [])
        count += len(left)
    return block, parsed, count


def _card_block(card: Card, deck_id: str) -> tuple[str, dict[str, Any], int]:
    """The card's lines, its `[retain]` entry, and how many image references its lines have as text."""
    meta: dict[str, Any] = {"id": card.id}
    if card.kind in ("reversed", "typed"):
        meta["kind"] = card.kind
    for key in ("tags", "accept"):
        if getattr(card, key):
            meta[key] = list(getattr(card, key))
    for key in ("extra", "source"):
        if getattr(card, key):
            meta[key] = getattr(card, key)
    meta.update(to_meta(answer_spec(card)))
    if card.kind == "cloze":
        _body, numbers, hints = bracket_cloze(card.text)
        if numbers != list(range(1, len(numbers) + 1)):
            meta["n"] = numbers
        if any(hints):
            meta["hints"] = hints
    # the exact text goes into the metadata when hashcards' syntax cannot carry it (checked on
    # the block as the reader will see it: a CR before a line end is gone there)
    block, parsed, as_text = _written(card, deck_id)
    back = card_from_block(parsed[0], meta, set()) if len(parsed) == 1 else None
    for key in ("text",) if card.kind == "cloze" else ("front", "back"):
        if back is None or getattr(back, key) != getattr(card, key):
            meta[key] = getattr(card, key)
    return block, meta, as_text


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return toml_number(value)
    if isinstance(value, dict):  # a card's `aliases`
        return "{ " + ", ".join(f"{toml_string(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    return "[" + ", ".join(_toml_value(v) for v in value) + "]"


def write_markdown(deck: Deck, warnings: list[str] | None = None) -> str:
    """The deck as a hashcards file. Image references it writes as text (`_as_text`) are counted
    in one line added to `warnings`."""
    head = ["---", f"name = {toml_string(deck.name)}", f"id = {toml_string(deck.id)}"]
    for key in ("group", "description", "version", "license"):
        if getattr(deck, key):
            head.append(f"{key} = {toml_string(getattr(deck, key))}")
    for key in ("authors", "tags"):
        if getattr(deck, key) or key == "tags":
            head.append(f"{key} = {_toml_value(list(getattr(deck, key)))}")
    blocks: list[str] = []
    entries: list[str] = []
    as_text = 0
    for card in deck.cards:
        block, meta, found = _card_block(card, deck.id)
        as_text += found
        blocks.append(block)
        fields = {"h": block_key(as_read(block).split("\n")), **meta}  # the key the reader computes
        entries.append("  { " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in fields.items()) + " },")
    head += [
        "",
        "# retain's card ids and fields hashcards has no syntax for (hashcards ignores this)",
        "[retain]",
    ]
    head += ["cards = [", *entries, "]", "---"]
    if as_text and warnings is not None:
        warnings.append(
            f"deck {deck.id}: {as_text} image reference(s) written as text: a .md file carries only "
            f"{deck.id}.media/ files and URLs (retain's import gives the cards back as they are)"
        )
    return "\n".join(head) + "\n\n" + "\n\n".join(blocks) + "\n"
