"""Edit deck files in place, keeping the author's comments, order and layout.

Appending a card adds text at the end of the file. Changing or removing a card
touches only that card's `[[cards]]` table: `core.tomltables.scan` finds where
each table starts (skipping strings, so a `[[cards]]` line inside a multi-line
string is no header), tomlkit edits the one table's text, and every other byte
of the file stays as it was. The comment lines right above a card's header (no
blank line between) are that card's: they go with a removed or moved card; other
comment and blank lines after a card's last key are kept. A key added to a card
whose keys are indented gets their indent. A card's `[cards.x]` sub-tables (such as
`[cards.aliases]`) are part of its table's text. Where the scan cannot vouch for a
file's shape (cards in an inline `cards = [...]` array, other unusual headers), the
whole file goes through tomlkit, as before. The first card of a file that has an
empty top-level `cards = []` replaces that statement and is written as a table.

A changed list (tags, accepted answers) is edited in its text, so the comments and line
breaks of the items kept stay; every card edited is read back, and when it does not read
as the card asked for (tomlkit's quirks), its changed values are written plainly, else its
table anew: a save never writes another card than the one the user saw. A card written by
hand without an id, which leaves the file unreadable as a deck, is given the id `retain
check --fix` would give it, written with the save (`DeckFile.ids_given`).

A text known to parse without errors is remembered with its deck, by path and
digest; the deck after a splice follows from it (TOML tables do not reach past
the next header, and the changed card is parsed alone), so a save does not parse
the whole file again. Every save checks that the file on disk is still the one
we read: if the author changed it meanwhile, `DeckChangedOnDisk` is raised and
nothing is written; the file is compared again once the new text is on disk, right
before it replaces the file (`files.atomic_output`), so a save landing during a slow
write is not lost either. A deck file the author made read-only is never written
(a one-line DeckEditError).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import Container
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Array, Comment, Null, String, StringType, Table, Whitespace

from retain.core.answer.spec import ANSWER_KEYS
from retain.core.deckfile import ParseResult, card_header_lines, parse_deck
from retain.core.deckwrite import (
    card_toml,
    deck_to_toml,
    has_invisible,
    toml_multiline,
    toml_string,
    toml_text,
    tomlkit_string,
)
from retain.core.fixids import add_missing_ids
from retain.core.model import Card, Deck
from retain.core.tomlsafe import loads_safe
from retain.core.tomltables import BLANK, CARD, PLAIN, SUB, TRIVIA, scan, trailing
from retain.store.files import (
    ChangedWhileWrittenError,
    ReadError,
    ReadOnlyFileError,
    atomic_write,
    fsync_dir,
    over_deck_limit,
    read_only,
    read_text_limited,
)
from retain.store.oserror import os_error_text

__all__ = ["DeckChangedOnDisk", "DeckEditError", "DeckFile", "create_deck_file", "write_new_file"]

FIELDS = ("kind", "front", "back", "text", "extra", "accept", "tags", "source", *ANSWER_KEYS)
BOM = "\ufeff"
_MINI = 'format = 1\n[deck]\nid = "x"\nname = "x"\n'
_BLANK_RUN = re.compile(r"(?:[ \t]*\r?\n)*+")
_COMMENT_LINE = re.compile(r"[ \t]*#[^\n]*\n")  # a comment-only line, its line end too
_NOT_LITERAL = re.compile(r"'''|[\x00-\x08\x0b-\x1f\x7f]")  # what a `'''` string cannot hold
_TOML_ERRORS = (TOMLKitError, KeyError, TypeError, AttributeError, IndexError)
# `cards = []` at the top level, comments and line breaks inside the brackets allowed
_EMPTY_CARDS = re.compile(
    r"""([ \t]*+)(?:cards|"cards"|'cards')[ \t]*+=[ \t]*+\[(?:[ \t\r\n]++|#[^\n]*+)*+\][ \t]*+(?:#[^\n]*+)?(?:\r?\n|\Z)"""
)
_COMMENT = re.compile(r"#[^\r\n]*+")
_NO_ID = "card has no `id`"  # (`core.deckfile`'s error for a card written without one)
_TO_SAVE = "to save changes to it; nothing was written"  # (`files.read_only`'s line for a deck)
_UNSAVED = "nothing was written"


class DeckEditError(Exception):
    """The edit cannot be made; the message is one line for the user."""


class DeckChangedOnDisk(DeckEditError):
    """The file changed on disk since it was read; reload before saving."""


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _bare(card: Card) -> Card:
    return replace(card, line=0)


def _one_card(table_text: str) -> Card | None:
    """The card that one `[[cards]]` table's text parses to, when it is a valid card alone."""
    result = parse_deck(_MINI + table_text)
    if result.errors or result.deck is None or len(result.deck.cards) != 1:
        return None
    return result.deck.cards[0]


def _toml_value(key: str, value: Any) -> Any:
    """An answer-check value as TOML holds it: numbers integral where they are, aliases a table."""
    if key == "aliases":
        table = tomlkit.inline_table()
        table.update(dict(value))
        return table
    if key == "accept_range":
        return [int(v) if float(v).is_integer() else v for v in value]
    if key == "tolerance":
        return int(value) if float(value).is_integer() else value
    return value


def _write_fields(table: Any, card: Card, plain: bool = False) -> None:
    """Set the card's fields in a tomlkit table (`plain`: a value changed is written anew, not in
    its old value's style); unchanged values keep their text, and a key
    added to a table whose keys are indented gets the same indent. The comments and blank lines
    that end the table's text (the next card's, or the file's) stay where it ends: a key added
    goes above them, and a sub-table removed (`[cards.aliases]`) leaves them, without the blank
    lines that were above its header."""
    if not isinstance(table, Table):
        _set_fields(table, card, plain)
        return
    kept = {key.key: item for key, item in table.value.body if key is not None and not _is_table(item)}
    subtables = [item for key, item in table.value.body if key is not None and _is_table(item)]
    indents = [(item, item.trivia.indent) for item in subtables if isinstance(item, Table)]
    tail = _trailing_trivia(_last_container(table).body)
    _set_fields(table, card, plain)
    for item, indent in indents:  # (tomlkit puts a blank line above a sub-table a key goes before)
        item.trivia.indent = indent
    table_end = _last_container(table).body
    if subtables and table_end is table.value.body:  # they went: so do the blank lines above them
        while table_end and table_end[-1][0] is None and isinstance(table_end[-1][1], Whitespace | Null):
            table_end.pop()
    table_end.extend(tail)
    _indent_new_keys(table, kept)


def _indent_new_keys(table: Table, kept: dict[str, Any]) -> None:
    """Give the keys that are not in `kept` (a key's item before the edit; a sub-table is not
    one) the indent of the table's last key of those (tomlkit writes a new key, or one that
    replaces a sub-table, at the start of its line, which breaks an indented card's layout)."""
    body = [(key.key, item) for key, item in table.value.body if key is not None]
    indent = next((item.trivia.indent for name, item in reversed(body) if name in kept), "")
    if not indent or indent.strip(" \t"):
        return
    for name, item in body:
        if name not in kept and not _is_table(item):
            item.trivia.indent = indent


def _is_table(item: Any) -> bool:
    return isinstance(item, Table | AoT)


def _set_fields(table: Any, card: Card, plain: bool) -> None:
    for key in FIELDS:
        value = getattr(card, key)
        default = (
            "basic"
            if key == "kind"
            else None
            if key in ("accept_range", "tolerance")
            else ("" if isinstance(value, str) else ())
        )
        if value == default:
            if key in table:
                del table[key]
            continue
        old = table.get(key)
        if key == "aliases":
            if old is None or dict(old) != dict(value):
                table[key] = _toml_value(key, value)
            continue
        if old is not None and old == (list(value) if isinstance(value, tuple) else value):
            continue
        if key in ("accept_range", "tolerance"):
            table[key] = _toml_value(key, value)
        elif isinstance(value, tuple):
            listed = _relisted(old, value) if isinstance(old, Array) and not plain else None
            table[key] = listed if listed is not None else [tomlkit_string(v) for v in value]
        elif (
            not plain
            and isinstance(old, String)
            and old.type in (StringType.MLB, StringType.MLL)
            and "\r" not in value
        ):
            table[key] = _multiline_like(old, value)  # (a raw CR LF in one would read as LF)
        elif "\n" in value:  # written as deckwrite writes it: a multi-line string that reads and diffs well
            table[key] = tomlkit.parse(f"v = {toml_text(value)}\n")["v"]
        else:
            table[key] = tomlkit_string(value)


def _multiline_like(old: String, value: str) -> Any:
    """`value` as a multi-line string written as `old` is: literal (`'''`) when it was and the
    value allows, its text on a line of its own after the quotes when it was."""
    lead = "\n" if old.as_string()[3:4] in ("\n", "\r") or value.startswith("\n") else ""
    literal = (
        old.type is StringType.MLL
        and not _NOT_LITERAL.search(value)
        and not value.endswith("'")
        and not has_invisible(value)
    )
    text = f"'''{lead}{value}'''" if literal else '"""' + lead + toml_multiline(value)[4:]
    try:
        new = tomlkit.parse(f"v = {text}\n")["v"]
    except _TOML_ERRORS:
        new = None
    return new if new == value else tomlkit.string(value, multiline=True)


@dataclass(slots=True, eq=False)
class _Token:
    """A piece of an array's text between its brackets."""

    kind: str  # "ws" (blanks, line breaks), ",", "#" (a comment, blanks before it), "v" (an item), "^" (one was)
    text: str
    value: str = ""


def _relisted(array: Array, values: tuple[str, ...]) -> Array | None:
    """`array` holding `values`, its text edited where items go and come, so the comments, line
    breaks and blanks of the items kept stay (a tag added to a commented list of tags). An item
    removed alone on its line takes that line, its comment too; new items go after the last one
    kept, each on a line of its own where the items are (or where that line ends in a comment).
    None when that cannot give `values` in order (an item kept moves, a new one goes before one
    kept), `array` holds a duplicate or a non-string, or the text does not read back as
    `values` (tomlkit's own array edits put an item added after a comment inside it): then the
    list is written anew."""
    old = list(array)
    if len(set(old)) != len(old) or not all(isinstance(v, str) for v in old):
        return None
    kept = [v for v in old if v in values]
    if list(values[: len(kept)]) != kept:
        return None
    tokens = _array_tokens(array)
    if tokens is None:
        return None
    newline = "\r\n" if any("\r\n" in t.text for t in tokens) else "\n"
    indent = _item_indent(tokens)
    items = [i for i, t in enumerate(tokens) if t.kind == "v"]
    trailing = bool(items) and _comma_of(tokens, items[-1]) is not None
    for token in [t for t in tokens if t.kind == "v" and t.value not in values]:
        _drop_item(tokens, tokens.index(token))
    _add_items(tokens, values[len(kept) :], newline, indent, trailing)
    _end_comment_lines(tokens, newline, indent)
    text = "[" + "".join(t.text for t in tokens) + "]"
    try:
        new = tomlkit.parse(f"v = {text}\n")["v"]
    except _TOML_ERRORS:
        return None
    return new if isinstance(new, Array) and list(new) == list(values) else None


def _array_tokens(array: Array) -> list[_Token] | None:
    """The text between `array`'s brackets as tokens, each comma right after its item (one
    written on a later line, after a comment, is moved there); None when it holds a non-string."""
    tokens: list[_Token] = []
    walk = getattr(array, "_iter_items", None)  # (tomlkit's own walk over an array's text: a
    if walk is None:  # release without it has the list written anew, as a list with a number is)
        return None
    for item in walk():
        if isinstance(item, Null):
            continue
        if isinstance(item, Comment):
            text = item.as_string()
            tokens.append(_Token("#", text.rstrip("\r\n")))
            tokens.append(_Token("ws", text[len(text.rstrip("\r\n")) :]))
        elif isinstance(item, String):
            tokens.append(_Token("v", item.as_string(), str(item)))
        elif isinstance(item, Whitespace):
            for i, part in enumerate(item.s.split(",")):
                if i:
                    tokens.append(_Token(",", ","))
                tokens.append(_Token("ws", part))
        else:
            return None
    for i in [i for i, t in enumerate(tokens) if t.kind == "v"]:
        comma = _comma_of(tokens, i)
        if comma is not None and any(_breaks(t) or t.kind == "#" for t in tokens[i + 1 : comma]):
            tokens.insert(i + 1, tokens.pop(comma))
    return _tidy(tokens)


def _tidy(tokens: list[_Token]) -> list[_Token]:
    """`tokens` without empty blanks, runs of blanks joined."""
    out: list[_Token] = []
    for token in tokens:
        if token.kind == "ws" and not token.text:
            continue
        if token.kind == "ws" and out and out[-1].kind == "ws":
            out[-1].text += token.text
        else:
            out.append(token)
    return out


def _breaks(token: _Token) -> bool:
    return token.kind == "ws" and "\n" in token.text


def _comma_of(tokens: list[_Token], i: int) -> int | None:
    """Where the comma after item `i` is, if it has one."""
    for j in range(i + 1, len(tokens)):
        if tokens[j].kind in (",", "v"):
            return j if tokens[j].kind == "," else None
    return None


def _line_of(tokens: list[_Token], i: int) -> tuple[int, int]:
    """The blanks that break the line before token `i` (-1: it is on the bracket's line) and after."""
    start = next((j for j in range(i - 1, -1, -1) if _breaks(tokens[j])), -1)
    end = next((j for j in range(i + 1, len(tokens)) if _breaks(tokens[j])), len(tokens))
    return start, end


def _next_on_line(tokens: list[_Token], at: int) -> int | None:
    """The first token from `at` that is not a blank within the line: an item, a comma, a
    comment or a line break (None: the closing bracket)."""
    return next(
        (j for j in range(at, len(tokens)) if tokens[j].kind not in ("^", "ws") or _breaks(tokens[j])), None
    )


def _item_indent(tokens: list[_Token]) -> str:
    """The indent of the first item (or comment) that starts a line: new lines of items get it."""
    for i, token in enumerate(tokens[:-1]):
        if _breaks(token) and tokens[i + 1].kind in ("v", "#"):
            return token.text[token.text.rfind("\n") + 1 :]
    return "  "


def _drop_item(tokens: list[_Token], i: int) -> None:
    """Take item `i` out, with its comma, leaving a "^" where it was. Alone on its line, the line
    goes with it (its comment too); else one blank next to it goes, and the line's comment stays."""
    start, end = _line_of(tokens, i)
    comma = _comma_of(tokens, i)
    after = comma if comma is not None else i
    gone = {after}
    if not any(t.kind == "v" for t in tokens[start + 1 : i] + tokens[i + 1 : end]):
        gone |= {j for j in range(start + 1, end) if tokens[j].kind in ("ws", "#")}
        if start >= 0:  # (the line break that began its line, and its indent)
            text = tokens[start].text
            cut = text.rfind("\n")
            tokens[start].text = text[: cut - 1 if text[cut - 1 : cut] == "\r" else cut]
    elif i and tokens[i - 1].kind == "ws" and not _breaks(tokens[i - 1]):
        gone.add(i - 1)
    elif after + 1 < len(tokens) and tokens[after + 1].kind == "ws" and not _breaks(tokens[after + 1]):
        gone.add(after + 1)
    gone.discard(i)
    tokens[i] = _Token("^", "")
    tokens[:] = _tidy([t for j, t in enumerate(tokens) if j not in gone])


def _add_items(tokens: list[_Token], new: tuple[str, ...], newline: str, indent: str, trailing: bool) -> None:
    """Put the `new` items after the last item (its comma, and its line's comment), else where the
    first item removed was: on lines of their own where the items start lines or that line ends
    in a comment, else after a blank; the last one with a comma when the old last one had one."""
    if not new:
        return
    items = [i for i, t in enumerate(tokens) if t.kind == "v"]
    if items:
        anchor = items[-1]
        comma = _comma_of(tokens, anchor)
        if comma is None:
            tokens.insert(anchor + 1, _Token(",", ","))
            comma = anchor + 1
        at = comma + 1
        look = _next_on_line(tokens, at)
        commented = look is not None and tokens[look].kind == "#"
        if look is not None and commented:
            at = look + 1
        start = _line_of(tokens, anchor)[0]
        own_line = start >= 0 and not any(t.kind == "v" for t in tokens[start + 1 : anchor])
        if own_line:
            indent = tokens[start].text[tokens[start].text.rfind("\n") + 1 :]
        lines = own_line or commented
    else:
        marks = [i for i, t in enumerate(tokens) if t.kind == "^"]
        at = marks[0] if marks else len(tokens) - (1 if tokens and tokens[-1].kind == "ws" else 0)
        lines = any(_breaks(t) or t.kind == "#" for t in tokens)
    added: list[_Token] = []
    for k, value in enumerate(new):
        lead = newline + indent if lines else (" " if items or k else "")
        added += [_Token("ws", lead), _Token("v", toml_string(value), value)]
        if k < len(new) - 1 or trailing:
            added.append(_Token(",", ","))
    tokens[at:at] = added
    tokens[:] = _tidy(tokens)


def _end_comment_lines(tokens: list[_Token], newline: str, indent: str) -> None:
    """A line break after every comment: an item (or the closing bracket) left after one, on its
    line, would be in it."""
    for i in range(len(tokens) - 1, -1, -1):
        if tokens[i].kind != "#":
            continue
        j = _next_on_line(tokens, i + 1)
        if j is not None and _breaks(tokens[j]):
            continue
        end = j if j is not None else len(tokens)
        more = any(t.kind in ("v", "#") for t in tokens[end:])
        marks = [t for t in tokens[i + 1 : end] if t.kind == "^"]  # (the blanks go: no trailing ones)
        tokens[i + 1 : end] = [*marks, _Token("ws", newline + (indent if more else ""))]
    tokens[:] = _tidy(tokens)


def _edit_table_text(body: str, card: Card, plain: bool = False) -> str | None:
    """One `[[cards]]` table's text with the card written in; a CRLF table stays CRLF."""
    crlf = "\r\n" in body and body.count("\n") == body.count("\r\n")
    try:
        doc = tomlkit.parse(body.replace("\r\n", "\n") if crlf else body)
        if len(doc) != 1 or len(doc["cards"]) != 1:
            return None
        table = doc["cards"][0]
        if table.get("id") != card.id:  # (a card moved to a deck that has its id)
            table["id"] = card.id
        _write_fields(table, card, plain)
        out = tomlkit.dumps(doc)
    except _TOML_ERRORS:
        return None
    return out.replace("\n", "\r\n") if crlf and "\r" not in out else out


def _laid_out(card: Card, layout: str | None, newline: str) -> str | None:
    """The card written into `layout` (its table text in another file), with this file's line
    ends; None when the result does not read back as exactly the card."""
    if not layout:
        return None
    body = _edit_table_text(layout.replace("\r\n", "\n"), card)
    if body is None or "\r" in body:
        return None
    body = body.rstrip("\n").replace("\n", newline) + newline
    found = _one_card(body)
    return body if found is not None and _bare(found) == _bare(card) else None


def _reads_as(found: Card | None, card: Card) -> bool:
    """Whether `found` (what a table written reads as) is the card asked for: the card, or the
    card as its table written anew reads, lines aside."""
    if found is None:
        return False
    if _bare(found) == _bare(card):
        return True
    fresh = _one_card(card_toml(card))
    return fresh is not None and _bare(found) == _bare(fresh)


def _card_text(old: str, card: Card) -> tuple[str, Card | None] | None:
    """The table text `old` with the card written in, and the card it reads as alone: its values
    in their old style (lists, multi-line strings), else the values changed written plainly,
    else the table written anew (its comments lost): the first that reads back as the card, so
    a save never writes another card than the one asked for. When none does, the card is not
    valid alone: the first, for save() to refuse it and say why. None: tomlkit cannot read `old`.
    """
    tried: list[tuple[str, Card | None]] = []
    for plain in (False, True):
        body = _edit_table_text(old, card, plain)
        if body is None:
            continue
        tried.append((body, _one_card(body)))
        if _reads_as(tried[-1][1], card):
            return tried[-1]
    if not tried:
        return None
    crlf = "\r\n" in old and old.count("\n") == old.count("\r\n")
    fresh = card_toml(card).replace("\n", "\r\n" if crlf else "\n")
    anew = _one_card(fresh)
    if _reads_as(anew, card):
        return fresh, anew
    if tried[0][1] is not None:  # (never seen: the card read back is another, valid one)
        raise DeckEditError(f"card {card.id!r} would not read back as edited; nothing was written")
    return tried[0]


def _last_container(table: Table) -> Container:
    """The container whose text ends where `table`'s does (its last sub-table's, if it has any):
    tomlkit keeps the comments above the next header at the end of it."""
    container = table.value
    while container.body and isinstance(last := container.body[-1][1], Table | AoT):
        container = (last[-1] if isinstance(last, AoT) else last).value
    return container


def _trailing_trivia(body: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Pop and return the comment and blank-line items that end `body`, in their order."""
    tail: list[tuple[Any, Any]] = []
    while body and body[-1][0] is None and isinstance(body[-1][1], Comment | Whitespace):
        tail.insert(0, body.pop())
    return tail


def _remove_table(doc: tomlkit.TOMLDocument, cards: AoT, index: int, comment: bool) -> None:
    """Delete `[[cards]]` table `index` with the comment right above its header (unless not
    `comment`) and the blank lines after its keys; the comments after those are the next
    card's, or the file's, and stay. A table that ends the file leaves no blank lines at the
    end either."""
    pos = next(i for i, (_key, item) in enumerate(doc.body) if item is cards)
    above: list[tuple[Any, Any]]  # the items that end with the text above the card's header
    if index:
        above = _last_container(cards[index - 1]).body
    elif pos and isinstance(previous := doc.body[pos - 1][1], Table):
        above = _last_container(previous).body
    else:  # (top-level keys, an inline `deck = {...}`, or nothing before the cards; the items
        above = doc.body  # are moved in its body list, which leaves its key index stale: dump it next)
    at = pos if above is doc.body else len(above)  # where the text above the header ends
    tail = _trailing_trivia(_last_container(cards[index]).body)
    while tail and isinstance(tail[0][1], Whitespace):
        tail.pop(0)
    while comment and at and above[at - 1][0] is None and isinstance(above[at - 1][1], Comment):
        at -= 1
        del above[at]
    ends_file = (
        index == len(cards) - 1
        and not tail
        and all(isinstance(item, Whitespace | Null) for _key, item in doc.body[pos + 1 :])
    )
    while ends_file and at and above[at - 1][0] is None and isinstance(above[at - 1][1], Whitespace):
        at -= 1
        del above[at]
    above[at:at] = tail
    del cards[index]


def _whole(
    text: str,
    card_id: str,
    change: str,
    card: Card | None = None,
    *,
    comment: bool = True,
    plain: bool = False,
) -> str | None:
    """The whole file through tomlkit ("edit", "remove" or "append" to an inline array; `plain`:
    as `_write_fields`)."""
    try:
        doc = tomlkit.parse(text)
        cards = doc["cards"]
        if change == "append" and card is not None and isinstance(cards, Array):
            table = tomlkit.inline_table()
            table["id"] = card.id
            _write_fields(table, card)
            cards.append(table)
            return tomlkit.dumps(doc)
        index = next(i for i, t in enumerate(cards) if t.get("id") == card_id)
        if change == "remove" and isinstance(cards, AoT):
            _remove_table(doc, cards, index, comment)
        elif change == "remove":
            del cards[index]
        elif change == "edit" and card is not None:
            _write_fields(cards[index], card, plain)
        else:
            return None
        return tomlkit.dumps(doc)
    except (*_TOML_ERRORS, StopIteration):
        return None


@dataclass(slots=True)
class _Known:
    """A text known to parse without errors to `deck` (whose cards' lines are stale unless `lined`)."""

    text: str
    deck: Deck
    lined: bool = True
    headers: list[tuple[int, str]] | None = None  # `scan(text)` headers, if usable
    scanned: bool = False

    def fresh(self, path: str) -> Deck:
        """The deck exactly as parse_deck gives it, card lines numbered its way."""
        if not self.lined:
            lines, cards = card_header_lines(self.text), self.deck.cards
            if len(lines) == len(cards):
                new = tuple(
                    c if c.line == n else replace(c, line=n) for c, n in zip(cards, lines, strict=True)
                )
                self.deck = replace(self.deck, cards=new)
            else:  # header-like lines inside strings: parse_deck numbers cards another way
                self.deck = parse_deck(self.text, path).deck or self.deck
            self.lined = True
        return self.deck

    def card_headers(self) -> list[tuple[int, str]] | None:
        """Every table header, when there is one `[[cards]]` header per card and no unusual header."""
        if not self.scanned:
            found = scan(self.text)
            count = sum(kind == CARD for _pos, kind in found[0]) if found is not None else -1
            if found is not None and _orphan_sub(found[0]):
                count = -1  # (`[cards.x]` after `[deck]`: TOML puts it in the last card, far from it)
            self.headers = found[0] if found is not None and count == len(self.deck.cards) > 0 else None
            self.scanned = True
        return self.headers

    def span(self, index: int) -> tuple[int, int, int, int, int] | None:
        """Card `index`'s table, its sub-tables (`[cards.aliases]`) included: (its place in
        `headers`, start, end of its last key line, next header, that header's place)."""
        headers = self.card_headers()
        if headers is None:
            return None
        at = [i for i, (_pos, kind) in enumerate(headers) if kind == CARD][index]
        start = headers[at][0]
        after = next((i for i in range(at + 1, len(headers)) if headers[i][1] != SUB), len(headers))
        end = headers[after][0] if after < len(headers) else len(self.text)
        found = scan(self.text[start:end], lines=True)
        if found is None:
            return None
        body_end = start + trailing(self.text[start:end], found[1], end - start, TRIVIA)
        old = _one_card(self.text[start:body_end])  # the scan and the parser agree on this table
        if old is None or _bare(old) != _bare(self.deck.cards[index]):
            return None
        return at, start, body_end, end, after

    def lead(self, at: int, start: int) -> int:
        """Where the comment lines right above header `at` (at `start`) begin: a comment with no
        blank line between it and a card's header is that card's, and goes where the card goes."""
        headers = self.headers or []
        above = headers[at - 1][0] if at > 0 else 0
        found = scan(self.text[above:start], lines=True)
        if found is None:
            return start
        return above + trailing(self.text[above:start], found[1], start - above, _COMMENT_LINE)


_KNOWN: dict[str, tuple[str, _Known]] = {}  # path -> (digest of the file's bytes, what they parse to)
_KNOWN_FILES = 8


def _remember(path: str, digest: str, known: _Known) -> None:
    _KNOWN.pop(path, None)
    _KNOWN[path] = (digest, known)
    while len(_KNOWN) > _KNOWN_FILES:
        del _KNOWN[next(iter(_KNOWN))]


def _recall(path: str, digest: str) -> _Known | None:
    hit = _KNOWN.get(path)
    return hit[1] if hit is not None and hit[0] == digest else None


def _without_empty_cards(text: str) -> str | None:
    """`text` without its top-level `cards = []` statement (the comments in it kept, each on a line
    of its own), so `[[cards]]` tables may follow; None when it has none."""
    found = scan(text, lines=True)
    if found is None:
        return None
    first_header = found[0][0][0] if found[0] else len(text)
    starts = set(found[1])
    for start in found[1]:
        if start >= first_header:
            break
        m = _EMPTY_CARDS.match(text, start)
        if m is None or (m.end() not in starts and m.end() != len(text)):
            continue
        newline = "\r\n" if m.group().endswith("\r\n") else "\n"
        kept = "".join(m[1] + comment + newline for comment in _COMMENT.findall(m.group()))
        return text[:start] + kept + text[m.end() :]
    return None


def _moved(headers: list[tuple[int, str]], by: int) -> list[tuple[int, str]]:
    return [(pos + by, kind) for pos, kind in headers]


def _orphan_sub(headers: list[tuple[int, str]]) -> bool:
    """A `[cards.x]` header that does not follow a card's header or another such one."""
    return any(
        kind == SUB and (i == 0 or headers[i - 1][1] == PLAIN) for i, (_pos, kind) in enumerate(headers)
    )


def _one_table(found: list[tuple[int, str]]) -> bool:
    """The headers are one card's: its `[[cards]]` header, then its sub-tables' only."""
    return bool(found) and found[0][1] == CARD and all(kind == SUB for _pos, kind in found[1:])


@dataclass(slots=True)
class DeckFile:
    path: Path
    text: str
    digest: str
    _disk_text: str = field(init=False, repr=False, compare=False)  # the text that `digest` is of
    _known: _Known | None = field(init=False, default=None, repr=False, compare=False)
    _bom: bool = field(init=False, default=False, repr=False, compare=False)
    # cards without an id given theirs (as `check --fix` gives them), written with the next save
    ids_given: int = field(init=False, default=0, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._disk_text = self.text

    @classmethod
    def load(cls, path: Path) -> DeckFile:
        try:
            text = read_text_limited(path)
            data = path.read_bytes()
        except (ReadError, OSError) as exc:
            raise DeckEditError(f"{path}: {os_error_text(exc, name=False)}") from None
        if data.decode("utf-8", "replace").removeprefix(BOM) != text:
            raise DeckChangedOnDisk(f"{path} changed while it was read; try again")
        deck_file = cls(path, text, _digest(data))
        deck_file._bom = data.startswith(BOM.encode("utf-8"))
        return deck_file

    def changed_on_disk(self) -> bool:
        try:
            return _digest(self.path.read_bytes()) != self.digest
        except OSError:
            return True

    def _state(self) -> _Known | ParseResult:
        """What the text is known to parse to; else the whole file is parsed (a result with errors)."""
        if self._known is not None and self._known.text is self.text:
            return self._known
        known = _recall(str(self.path), self.digest) if self.text is self._disk_text else None
        if known is None:
            result = parse_deck(self.text, str(self.path))
            if result.errors:
                result = self._with_ids(result)
            if result.deck is None or result.errors:
                return result
            known = _Known(self.text, result.deck)
            if self.text is self._disk_text:
                _remember(str(self.path), self.digest, known)
        self._known = known
        return known

    def _with_ids(self, result: ParseResult) -> ParseResult:
        """The file with the ids `retain check --fix` gives its cards that have none (written by
        hand), when it then reads without errors: they become part of the text, so the next
        save writes them with its edit (`ids_given` counts them), and the cards can be edited.
        Else `result`, its other errors said before the missing ids (which are not all that
        keeps the file from being saved)."""
        missing = [p for p in result.errors if _NO_ID in p.message]
        if not missing:
            return result
        text, count = add_missing_ids(self.text)
        fixed = parse_deck(text, str(self.path)) if count else None
        if fixed is None or fixed.deck is None or fixed.errors:
            return ParseResult(result.deck, [p for p in result.problems if p not in missing] + missing)
        self._set(text)
        self.ids_given += count
        return fixed

    def written_ids(self) -> set[str]:
        """Every card id written in the file, a card with an error's too (the deck leaves it out)."""
        state = self._state()
        if isinstance(state, _Known):  # (it reads without errors: every card written is in the deck)
            return {c.id for c in state.deck.cards}
        data = loads_safe(self.text)
        raw = data.get("cards") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            return set()
        return {c["id"] for c in raw if isinstance(c, dict) and isinstance(c.get("id"), str)}

    def deck(self) -> Deck:
        state = self._state()
        if isinstance(state, _Known):
            return state.fresh(str(self.path))
        if state.deck is None:
            raise DeckEditError(str(state.errors[0]))
        return state.deck

    def _set(self, text: str, known: _Known | None = None) -> None:
        self.text = text
        self._known = known

    def _take_checked(self, text: str, cards: list[Card]) -> bool:
        """Take `text` if it parses (whole) without errors to exactly `cards`, lines aside."""
        result = parse_deck(text, str(self.path))
        if (
            result.errors
            or result.deck is None
            or list(map(_bare, result.deck.cards)) != list(map(_bare, cards))
        ):
            return False
        self._set(text, _Known(text, result.deck))
        return True

    def table_text(self, card_id: str) -> str | None:
        """The text of the card's `[[cards]]` table, from the comment right above its header to its
        last key (None: no table of its own)."""
        state = self._state()
        if not isinstance(state, _Known):
            return None
        index = next((i for i, c in enumerate(state.deck.cards) if c.id == card_id), None)
        span = state.span(index) if index is not None else None
        return self.text[state.lead(span[0], span[1]) : span[2]] if span is not None else None

    def upsert(self, card: Card, layout: str | None = None) -> bool:
        """Change the card with this id, or append it when the deck lacks it.

        `layout` is the card's table text in another file (a card moved here): an appended card
        is written as that text with the card's fields set in it, its comments and string
        styles kept, when it reads back as the card. True when it was.
        """
        state = self._state()
        if isinstance(state, ParseResult) and state.deck is None:
            raise DeckEditError(str(state.errors[0]))
        known = state if isinstance(state, _Known) else None
        cards = state.deck.cards if state.deck is not None else ()
        index = next((i for i, c in enumerate(cards) if c.id == card.id), None)
        if index is None:
            return self._append(card, known, layout)
        if known is None or not self._splice(known, index, card):
            self._edit_whole(card)
        return False

    def _edit_whole(self, card: Card) -> None:
        """Edit the card through tomlkit over the whole file: its values in their old style, else
        those changed written plainly, whichever file first reads without errors with the card as
        asked; when neither does, the first (save() parses it and says what is wrong)."""
        first = None
        for plain in (False, True):
            text = _whole(self.text, card.id, "edit", card, plain=plain)
            if text is None:
                continue
            first = first or text
            result = parse_deck(text, str(self.path))
            if result.errors or result.deck is None:
                continue
            if _reads_as(next((c for c in result.deck.cards if c.id == card.id), None), card):
                self._set(text, _Known(text, result.deck))
                return
        if first is None:
            raise DeckEditError(f"{self.path}: cannot edit card {card.id!r} in this file's layout")
        self._set(first)

    def _append(self, card: Card, known: _Known | None, layout: str | None = None) -> bool:
        newline = "\r\n" if "\r\n" in self.text else "\n"
        base = self.text
        if known is not None and not known.deck.cards and (bare := _without_empty_cards(base)) is not None:
            base = bare  # the first card of a `cards = []` file: written as a `[[cards]]` table
        head = base.rstrip("\r\n") + newline * 2
        laid_out = _laid_out(card, layout, newline)
        table = laid_out or card_toml(card).replace("\n", newline)
        text, new = head + table, _one_card(table)
        return self._append_text(card, known, head, table, text, new) and laid_out is not None

    def _append_text(
        self, card: Card, known: _Known | None, head: str, table: str, text: str, new: Card | None
    ) -> bool:
        """Append `table`; False when the card went into an inline `cards = [...]` array instead."""
        if known is None or new is None:
            self._set(text)  # save() parses it whole and says what is wrong
            return True
        cards = [*known.deck.cards, new]
        headers = known.card_headers()
        found = scan(table)  # (a moved card's comment comes before its header)
        if headers is not None and found is not None and _one_table(found[0]):
            deck = replace(known.deck, cards=tuple(cards))
            added = [(len(head) + pos, kind) for pos, kind in found[0]]
            self._set(text, _Known(text, deck, False, [*headers, *added], True))
        elif not self._take_checked(text, cards):  # an inline `cards = [...]` that holds cards
            inline = _whole(self.text, card.id, "append", card)
            self._set(inline or text)
            return inline is None
        return True

    def _splice(self, known: _Known, index: int, card: Card) -> bool:
        span = known.span(index)
        headers = known.card_headers()
        if span is None or headers is None:
            return False
        at, start, body_end, _end, after = span
        if _bare(known.deck.cards[index]) == _bare(card):
            return True
        written = _card_text(self.text[start:body_end], card)
        if written is None:
            return False
        body, new = written
        rest = self.text[body_end:]
        if rest and not body.endswith("\n"):
            body += "\r\n" if self.text[body_end - 2 : body_end] == "\r\n" else "\n"
        text = self.text[:start] + body + rest
        if new is None or new.id != card.id:  # not a valid card: save() parses it whole and says why
            self._set(text)
            return True
        cards = [*known.deck.cards[:index], new, *known.deck.cards[index + 1 :]]
        found = scan(body)
        if found is None or not _one_table(found[0]) or found[0][0][0] != 0:
            return self._take_checked(text, cards)
        rest_headers = _moved(headers[after:], len(body) - (body_end - start))
        own = [(start + pos, kind) for pos, kind in found[0]]
        deck = replace(known.deck, cards=tuple(cards))
        self._set(text, _Known(text, deck, False, [*headers[:at], *own, *rest_headers], True))
        return True

    def remove(self, card_id: str, *, comment: bool = True) -> None:
        """Remove the card's table, the comment right above its header (unless not `comment`: a
        moved card whose table's text did not go along) and the blank lines after it; other
        comments stay."""
        state = self._state()
        if isinstance(state, _Known):
            index = next((i for i, c in enumerate(state.deck.cards) if c.id == card_id), None)
            if index is None:
                raise DeckEditError(f"{self.path}: no card {card_id!r}")
            if self._cut(state, index, comment):
                return
        text = _whole(self.text, card_id, "remove", comment=comment)
        if text is None:
            raise DeckEditError(f"{self.path}: no card {card_id!r}")
        self._set(text)

    def _cut(self, known: _Known, index: int, comment: bool) -> bool:
        span = known.span(index)
        headers = known.card_headers()
        if span is None or headers is None:
            return False
        at, start, body_end, end, next_at = span
        blank_after = _BLANK_RUN.match(self.text, body_end, end)
        cut_start = known.lead(at, start) if comment else start
        cut_end = blank_after.end() if blank_after else body_end
        if cut_end == len(self.text):  # the last table: leave no blank lines at the end either
            while cut_start and BLANK.fullmatch(
                self.text, self.text.rfind("\n", 0, cut_start - 1) + 1, cut_start
            ):
                cut_start = self.text.rfind("\n", 0, cut_start - 1) + 1
        text = self.text[:cut_start] + self.text[cut_end:]
        deck = replace(known.deck, cards=(*known.deck.cards[:index], *known.deck.cards[index + 1 :]))
        after = _moved(headers[next_at:], cut_start - cut_end)
        self._set(text, _Known(text, deck, False, [*headers[:at], *after], True))
        return True

    def refuse_read_only(self) -> None:
        """DeckEditError (one line) when the author made the file read-only, their "do not change
        this" (a rename would still replace it). `save` asks first; an edit that writes several
        files asks of each before it writes any, so a move never lands in one file only."""
        if said := read_only(self.path, to=_TO_SAVE, unsaved=_UNSAVED):
            raise DeckEditError(said)

    def save(self) -> None:
        """Write atomically, unless the file changed on disk since it was read or is read-only."""
        state = self._state()
        if isinstance(state, ParseResult):
            raise DeckEditError(str(state.errors[0]))
        data = ((BOM if self._bom else "") + self.text).encode("utf-8")
        if (too_big := over_deck_limit(self.path, len(data))) is not None:
            raise DeckEditError(too_big)
        self.refuse_read_only()
        with _held(self.path):  # another save between our check and our write would be lost
            if self.changed_on_disk():
                raise DeckChangedOnDisk(f"{self.path} changed on disk since it was read; reload it first")
            _write(self.path, data)
        self.digest = _digest(data)
        self._disk_text = self.text
        _remember(str(self.path), self.digest, state)


def create_deck_file(path: Path, deck: Deck) -> DeckFile:
    """A new deck file; never replaces one (nor a link) that is there, even one made a moment ago."""
    if os.path.lexists(path):
        raise DeckEditError(f"{path} already exists")
    text = deck_to_toml(deck)
    if (too_big := over_deck_limit(path, len(text.encode("utf-8")))) is not None:
        raise DeckEditError(too_big)
    write_new_file(path, text.encode("utf-8"))
    return DeckFile(path, text, _digest(text.encode("utf-8")))


def write_new_file(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet, atomically and never over one that appeared meanwhile.

    The data goes to a temp file first (fsynced), which is then hard-linked to `path`: the
    link fails, and nothing is replaced, when `path` exists by then. A file system without
    hard links gets `os.replace` after one more check.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        atomic_write(tmp, data)
    except OSError as exc:  # (a read-only folder, a full disk: said of the file being made)
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise DeckEditError(
            f"cannot write {path}: {os_error_text(exc, name=False)}; nothing was written"
        ) from None
    try:
        try:
            os.link(tmp, path, follow_symlinks=False)
        except FileExistsError:
            raise DeckEditError(f"{path} already exists") from None
        except OSError as exc:
            if os.path.lexists(path):
                raise DeckEditError(f"{path} already exists") from None
            try:
                os.replace(tmp, path)
            except OSError:
                raise DeckEditError(f"cannot write {path}: {os_error_text(exc, name=False)}") from None
        fsync_dir(path.parent)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def _held(path: Path) -> Iterator[None]:
    """An exclusive OS lock on the deck file as it is now, for a check-then-write: a second
    saver waits, then finds the file changed (its own check refuses). Best effort: no lock
    where the file cannot be opened or locked (it is made new, or a file system without locks)."""
    try:
        import fcntl

        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO: never wait
    except (ImportError, OSError):
        yield
        return
    try:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # (closing releases the lock)


def _write(path: Path, data: bytes) -> None:
    """`atomic_write`, its failure (a full disk, a read-only folder) one line: the file is as it was.
    A file made read-only meanwhile is said as `DeckFile.save` says it; one another editor saved
    while the new text was written (`files.ChangedWhileWrittenError`) is `DeckChangedOnDisk`."""
    try:
        atomic_write(path, data, keep_hard_links=True)
    except ChangedWhileWrittenError:
        raise DeckChangedOnDisk(
            f"{path} changed on disk while it was being saved; nothing was written, reload it first"
        ) from None
    except ReadOnlyFileError:
        raise DeckEditError(
            read_only(path, to=_TO_SAVE, unsaved=_UNSAVED) or f"{path} is read-only"
        ) from None
    except OSError as exc:
        raise DeckEditError(
            f"cannot write {path}: {os_error_text(exc, name=False)}; the file is unchanged"
        ) from None
