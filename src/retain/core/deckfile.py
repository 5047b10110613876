"""Deck file v1: TOML text in, `Deck` plus problems out. No file I/O here."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from itertools import islice
from operator import attrgetter
from typing import Any

from retain.core.answer.spec import ANSWER_KEYS, AnswerSpec, problems, read_keys
from retain.core.cloze import MAX_CLOZE, nesting_problem, survey
from retain.core.gcpause import gc_paused
from retain.core.ids import is_valid_id
from retain.core.model import KINDS, Card, Deck, Kind, Problem
from retain.core.tomlsafe import TomlFailure, loads_careful, loads_safe
from retain.core.tomlspots import StringSpots, read_string

__all__ = [
    "EXPANSION_FACTOR",
    "EXPANSION_FLOOR",
    "FORMAT_VERSION",
    "MAX_DECK_PATTERNS",
    "MAX_FRONT",
    "FieldSpots",
    "ParseResult",
    "card_header_lines",
    "parse_deck",
    "quoted",
]

FORMAT_VERSION = 1
MAX_FRONT = 300
# Each cloze number is a review unit holding the whole text, so a card's units hold
# (numbers x text length) characters. A deck may expand to this many in all, so a
# small file can never blow up into gigabytes of units (and of cache).
EXPANSION_FLOOR = 4_000_000
EXPANSION_FACTOR = 8
# Distinct regex patterns one deck may hold, in characters: compiling is bounded per pattern (RE2,
# at most 1,000 characters and 1,000 counted repeats), and this bounds a whole hostile deck's check.
MAX_DECK_PATTERNS = 100_000
DECK_KEYS = {"id", "name", "group", "description", "version", "authors", "license", "tags"}
TOP_KEYS = ("format", "deck", "cards")
# How a top-level key near one of `TOP_KEYS` was meant to be written, for a "did you mean".
_TOP_SPELLING = {"format": "`format`", "deck": "[deck]", "cards": "[[cards]]"}
_TOP_HEADS = frozenset(top[i] for top in TOP_KEYS for i in (0, 1))
_ANSWER_KEYS = frozenset(ANSWER_KEYS)
_PLAIN = AnswerSpec()  # a card without answer keys: plain text
CARD_KEYS = {"id", "kind", "front", "back", "text", "extra", "accept", "tags", "source", *ANSWER_KEYS}
# Keys a card of each kind has no use for: written for nothing (a `kind` forgotten), so said.
_UNREAD: dict[str, frozenset[str]] = {
    "basic": frozenset({"text", "accept"}),
    "reversed": frozenset({"text", "accept"}),
    "typed": frozenset({"text"}),
    "cloze": frozenset({"front", "back", "accept"}),
}
_UNREAD_WHY = {
    "text": '`text` is only used by cloze cards (kind = "cloze"); this card shows `front` and `back`',
    "accept": '`accept` is only used by typed cards (kind = "typed")',
}
_HEADER_RE = re.compile(r"^[ \t]*\[\[[ \t]*(?:cards|\"cards\"|'cards')[ \t]*\]\]")
_TABLE_LINE_RE = re.compile(r"[ \t]*\[")
# A key as TOML lets it be written: bare, "basic" (any escape) or 'literal'; `_unquote` reads it.
_KEY = r"""[A-Za-z0-9_-]++|"(?:[^"\\\n]++|\\.)*+"|'[^'\n]*+'"""
_KEY_PART_RE = re.compile(_KEY)
_DOTTED = rf"(?:[ \t]*+\.[ \t]*+(?:{_KEY}))*+"  # the rest of a dotted key: `.b`, ` . "c"`
# A table header, `[a.b]` or `[[a.b]]` (spaces and quoted parts allowed): its indent, its name.
_HEADER_NAME_RE = re.compile(rf"([ \t]*+)\[\[?+[ \t]*+((?:{_KEY}){_DOTTED})[ \t]*+\]")
# a header that may open a card's sub-table: `[cards.`, in any spelling (a quoted name with an
# escape may be `cards`: `tables()` reads it)
_SUB_HEADER_RE = re.compile(
    r"""^[ \t]*+\[\[?+[ \t]*+(?:cards|"cards"|'cards'|"[^"\\\n]*+\\.(?:[^"\\\n]++|\\.)*+")[ \t]*+\.""",
    re.MULTILINE,
)
# `key =` at a line start (group 2 the key's first part, group 3 the rest of a dotted key): the
# keys whose positions errors report.
_KEY_LINE_RE = re.compile(rf"([ \t]*+)({_KEY})({_DOTTED})[ \t]*+=")
# `key =` after an inline table's `{` or `,` (groups 2 and 3 as above), strings and comments
# skipped (group 1 unset).
_INLINE_KEY_RE = re.compile(
    rf""""[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"|'[^'\n]*+'|#[^\n]*+"""
    rf"|([{{,][ \t]*+)({_KEY})({_DOTTED})[ \t]*+="
)
# a basic string's escapes: TOML 1.0's, and the 1.1 drafts' `\e` and `\xHH` (which `rtoml` reads)
_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|x([0-9A-Fa-f]{2})|(.))")
_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b", '"': '"', "\\": "\\"}
_TABLE_PREFIXES = frozenset({"deck", "cards"})
# `key =` and the blanks after it, up to the value (at a key's place in `_Ctx._index`)
_VALUE_AT_RE = re.compile(rf"(?:{_KEY}){_DOTTED}[ \t]*+=[ \t]*+")
_NEWLINE_RE = re.compile("\n")
_BLANKS_RE = re.compile(r"[ \t]*+")
_MAX_TRIES = 64  # `key =` places tried for a card's value (cards inline on one line share it)


def _escape(m: re.Match[str]) -> str:
    digits = m[1] or m[2] or m[3]
    if digits is None:
        return _ESCAPES.get(m[4], m[0])
    code = int(digits, 16)
    return chr(code) if code <= 0x10FFFF else m[0]  # (a file with a bad escape does not load)


def _unquote(part: str) -> str:
    """A key part's name as TOML reads it: `"n\\u0061me"` is `name`, `'a\\b'` is `a\\b`."""
    if part[:1] == "'":
        return part[1:-1]
    if part[:1] == '"':
        return _ESCAPE_RE.sub(_escape, part[1:-1]) if "\\" in part else part[1:-1]
    return part


def _written_keys(first: str, rest: str) -> tuple[str, ...]:
    """The keys a `first.rest =` line may write, by name: `first` (`back.x =` is the key `back`),
    or after a `deck.` or `cards.` prefix the second part, and the prefix as `deck.` (at the top
    level, `deck.name = ` is the deck's `name`; inside a card or `[deck]`, `deck.source = ` is an
    unknown key `deck`: `find` looks for it so, and `deck_lines` never takes it for `deck = {}`)."""
    key = _unquote(first)
    if rest and key in _TABLE_PREFIXES:
        second = _KEY_PART_RE.search(rest)
        if second is not None:
            return (_unquote(second[0]), f"{key}.")
    return (key,)


SHOWN_CHARS = 60  # of a value a message quotes: a megabyte-long id is still one short line


def quoted(value: object, limit: int = SHOWN_CHARS) -> str:
    """`repr(value)` for a message, its start only when it is long (with its length said)."""
    if isinstance(value, str) and len(value) > limit:
        return f"{value[:limit]!r}… ({len(value):,} characters)"
    if isinstance(value, bool):  # (TOML's `true`, not Python's `True`)
        return "true" if value else "false"
    text = repr(value) if isinstance(value, str | int | float) else _toml_type(value)
    return text if len(text) <= limit + 2 else f"{text[:limit]}…"


# TOML's name for each kind of value a deck file can hold (bool before int, date-time before date)
_TOML_TYPES: tuple[tuple[type, str], ...] = (
    (str, "a string"),
    (bool, "a boolean"),
    (int, "an integer"),
    (float, "a float"),
    (dict, "a table"),
    (list, "an array"),
    (datetime, "a date-time"),
    (date, "a date"),
    (time, "a time"),
)


def _toml_type(value: object) -> str:
    """What a value is, in TOML's words ("a table"), never Python's ("dict", "NoneType")."""
    if value is None:
        return "no value"
    return next((name for kind, name in _TOML_TYPES if isinstance(value, kind)), "a value of another kind")


def _key(key: str) -> str:
    """A key name as a message shows it: in backticks, its start only when it is long."""
    return f"`{key}`" if len(key) <= SHOWN_CHARS else f"`{key[:SHOWN_CHARS]}…` ({len(key):,} characters)"


@dataclass(slots=True)
class ParseResult:
    deck: Deck | None
    problems: list[Problem] = field(default_factory=list)
    left_out: int = 0  # the file's cards the deck does not hold (each with an error that says why)
    # those of them with a valid id, their string fields as far as they read: what they hold is
    # still checked (`store.media` says their missing media files too)
    refused: list[Card] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


# A string or a comment: a multi-line string (group 1; one never closed runs to the end) or what may
# hold a `"""` that opens none, a one-line string or a comment (neither spans lines).
_STRING_RE = re.compile(
    r'("""(?:[^"\\]++|\\[\s\S]|"(?!""))*+(?:"""(?:"{1,2})?|\Z)'
    r"|'''(?:[^']++|'(?!''))*+(?:'''(?:'{1,2})?|\Z))"
    r'|"[^"\\\n]*+(?:\\.[^"\\\n]*+)*+"|\'[^\'\n]*+\'|#[^\n]*+'
)


def _string_lines(text: str) -> set[int]:
    """1-based numbers of the lines that start inside a multi-line string: text, never a key or header.

    Strings and comments are read from the start of the line holding the first quote
    triple (a line starts outside any value unless it is in a multi-line string). Linear time.
    """
    found = [i for i in (text.find('"""'), text.find("'''")) if i >= 0]
    if not found:
        return set()
    pos = text.rfind("\n", 0, min(found)) + 1
    line = text.count("\n", 0, pos) + 1  # the number of the line `pos` is on
    inside: set[int] = set()
    for m in _STRING_RE.finditer(text, pos):
        if m[1] is None:
            continue
        start, end = m.span()
        line += text.count("\n", pos, start)
        breaks = text.count("\n", start, end)
        inside.update(range(line + 1, line + breaks + 1))
        line += breaks
        pos = end
    return inside


def card_header_lines(text: str) -> list[int]:
    """1-based line numbers of each `[[cards]]` header, in order.

    Lines are counted as TOML counts them (at "\\n"). A header-like line inside a
    multi-line string is not a header (`core.tomltables` skips strings); text the
    scan does not vouch for (a `[cards.aliases]` sub-table) falls back to a
    line-by-line match that skips the lines inside multi-line strings.
    """
    from retain.core.tomltables import CARD, scan

    scanned = scan(text)
    if scanned is not None:
        offsets = [offset for offset, kind in scanned[0] if kind == CARD]
        lines: list[int] = []
        line, pos = 1, 0
        for offset in offsets:
            line += text.count("\n", pos, offset)
            pos = offset
            lines.append(line)
        return lines
    strings = _string_lines(text)
    return [i for i, line in enumerate(text.split("\n"), 1) if _is_card_header(line) and i not in strings]


def _is_card_header(line: str) -> bool:
    """Whether a line is a `[[cards]]` header, however `cards` is spelt (`[[ "c\\u0061rds" ]]`)."""
    if _HEADER_RE.match(line):
        return True
    if "\\" not in line or not line.lstrip(" \t").startswith("[["):  # (no other spelling)
        return False
    return _header_name(line)[1] == ("cards",)


Header = tuple[int, int, tuple[str, ...]]  # (1-based line, column of its `[`, its name's parts)


def _header_name(line: str) -> tuple[int, tuple[str, ...]]:
    """The column of a header line's `[` and the parts of the name it opens, unquoted (`[ "a" . b ]`
    is ("a", "b")); no parts for a line the pattern does not read."""
    m = _HEADER_NAME_RE.match(line)
    if m is None:
        return len(line) - len(line.lstrip(" \t")) + 1, ()
    return len(m[1]) + 1, tuple(map(_unquote, _KEY_PART_RE.findall(m[2])))


def _table_headers(text: str) -> list[Header]:
    """(1-based line, column, name parts) of each table header line, in order; `[[cards]]` is ("cards",).

    As `card_header_lines`: a header-like line inside a multi-line string is not a
    header; text the scan does not vouch for falls back to a line-by-line match.
    """
    from retain.core.tomltables import CARD, scan

    scanned = scan(text)
    if scanned is None:
        strings = _string_lines(text)
        return [
            (n, *_header_name(line))
            for n, line in enumerate(text.split("\n"), 1)
            if _TABLE_LINE_RE.match(line) and n not in strings
        ]
    found: list[Header] = []
    line, pos = 1, 0
    for offset, kind in scanned[0]:
        line += text.count("\n", pos, offset)
        pos = offset
        if kind == CARD and text.startswith("[", offset):  # (the usual header: no line to read)
            found.append((line, 1, ("cards",)))
            continue
        end = text.find("\n", offset)
        col, name = _header_name(text[offset : None if end < 0 else end])
        found.append((line, col, ("cards",) if kind == CARD else name))
    return found


class _Ctx:
    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.problems: list[Problem] = []
        self._keys: dict[str, tuple[int, int] | list[tuple[int, int]]] | None = None
        self._tables: list[Header] | None = None
        self._tops: dict[str, tuple[int, int]] = {}  # top-level name -> its first header (`[extras]`)
        self._deck_subs: dict[str, tuple[int, int]] = {}  # key -> its first `[deck.key]` header
        self._deck_lines: tuple[int, int | None] | None = None
        self.budget = EXPANSION_FLOOR + EXPANSION_FACTOR * len(text)
        self.patterns: set[str] = set()  # regex patterns compiled for this deck
        self.pattern_chars = 0
        # card id written more than once -> where each later one's `id` is: no card keeps the id
        self.duplicates: dict[str, list[tuple[int, int]]] = {}
        self._starts: array[int] | None = None  # each line's first offset (`_line_starts`)
        self.refused: list[Card] = []  # cards left out for an error (`ParseResult.refused`)

    def _index(self) -> dict[str, tuple[int, int] | list[tuple[int, int]]]:
        """key -> (line, column) where it is written, or a list of them when it repeats: one pass, built once.

        A key is written at a `key =` line (`key.x =`, `"key" =`, in an inline table too) or, for a
        card's key, at a `[cards.key]` sub-table header (the card's lines run to the next
        `[[cards]]`). A key seen once (every unknown key of a hostile file) costs one tuple, no lists.
        """
        if self._keys is None:
            keys: dict[str, tuple[int, int] | list[tuple[int, int]]] = {}
            match = _KEY_LINE_RE.match
            strings = _string_lines(self.text)  # a `key =` line in a multi-line string is text
            # a card's sub-table (`[cards.aliases]`) names one of its keys; other headers name none
            heads = (
                {line: (col, name[1]) for line, col, name in self.tables() if name[1:] and name[0] == "cards"}
                if _SUB_HEADER_RE.search(self.text)  # (else the headers need not be read here)
                else {}
            )
            for n, line in enumerate(self.text.split("\n"), 1):
                if strings and n in strings:
                    continue
                head = heads.get(n) if heads else None
                if head is not None:
                    found = [(head[1], head[0])]
                else:
                    m = match(line)
                    found = [] if m is None else [(k, len(m[1]) + 1) for k in _written_keys(m[2], m[3])]
                    if "{" in line:  # an inline table's keys: a card written inline, `deck = {...}`
                        found += [
                            (k, i.end(1) + 1)
                            for i in _INLINE_KEY_RE.finditer(line)
                            if i[2]
                            for k in _written_keys(i[2], i[3])
                        ]
                for key, col in found:
                    at = (n, col)
                    hit = keys.get(key)
                    if hit is None:
                        keys[key] = at
                    elif isinstance(hit, list):
                        hit.append(at)
                    else:
                        keys[key] = [hit, at]
            self._keys = keys
        return self._keys

    def locate(self, key: str, start: int = 1, end: int | None = None) -> tuple[int, int] | None:
        """Position of the first `key =` (or card sub-table) between lines start..end (1-based), else None."""
        hit = self._index().get(key)
        if hit is None:
            return None
        if isinstance(hit, list):
            i = bisect_left(hit, (start,))
            if i == len(hit):
                return None
            at = hit[i]
        else:
            at = hit
        if at[0] >= start and (end is None or at[0] <= end):
            return at
        return None

    def find(self, key: str, start: int = 1, end: int | None = None) -> tuple[int, int]:
        """Position of `key` between lines start..end (1-based), else (start, 1)."""
        start = max(start, 1)
        return self._written_at(key, start, end) or (start, 1)

    def _written_at(self, key: str, start: int, end: int | None) -> tuple[int, int] | None:
        """`locate`, and for `deck` or `cards` a dotted `deck.x =` line too (`_written_keys`: the
        unknown key `deck` of a card or of `[deck]`)."""
        found = self.locate(key, start, end)
        if found is None and key in _TABLE_PREFIXES:
            found = self.locate(f"{key}.", start, end)
        return found

    def top_key(self, key: str) -> tuple[int, int]:
        """Where a top-level key is written: `key =` (or `key.x =`) above the first header, else the
        first header naming it (`[key]`, `[[key]]`, `[key.x]`), else the file's start."""
        at = self.locate(key, *self.top_lines())
        if at is None:
            self.tables()
            at = self._tops.get(key)
        return at or (1, 1)

    def deck_key(self, key: str) -> tuple[int, int]:
        """Where a key of the deck's table is written: in its lines, else at a `[deck.key]` header,
        else the table's first line."""
        start, end = self.deck_lines()
        at = self._written_at(key, start, end)
        if at is None:
            self.tables()
            at = self._deck_subs.get(key)
        return at or (start, 1)

    def top_lines(self) -> tuple[int, int | None]:
        """The lines of the top-level keys: those before the first table header."""
        headers = self.tables()
        return 1, headers[0][0] - 1 if headers else None

    def deck_lines(self) -> tuple[int, int | None]:
        """The lines of the deck's table, wherever it is in the file: a `[deck]` table up to the
        next header, a `deck = {...}` line, or (dotted `deck.id = ...` keys) the top-level lines."""
        if self._deck_lines is None:
            headers = self.tables()
            at = next((i for i, (_line, _col, name) in enumerate(headers) if name == ("deck",)), None)
            if at is not None:
                end = headers[at + 1][0] - 1 if at + 1 < len(headers) else None
                self._deck_lines = (headers[at][0], end)
            else:
                top = self.top_lines()
                inline = self.locate("deck", *top)
                self._deck_lines = (inline[0], inline[0]) if inline is not None else top
        return self._deck_lines

    def tables(self) -> list[Header]:
        """(1-based line, column, name parts) of each table header (`[[cards]]` is ("cards",)), built once."""
        if self._tables is None:
            self._tables = _table_headers(self.text)
            for line, col, name in self._tables:
                if name:
                    self._tops.setdefault(name[0], (line, col))
                    if len(name) > 1 and name[0] == "deck":
                        self._deck_subs.setdefault(name[1], (line, col))
        return self._tables

    def add(self, pos: tuple[int, int], message: str, severity: str = "error") -> None:
        sev: Any = severity
        self.problems.append(Problem(self.path, pos[0], pos[1], message, sev))

    def in_value(
        self, key: str, start: int, end: int | None, value: str, offsets: Sequence[int], skip: int = 0
    ) -> tuple[int, list[tuple[int, int]]] | None:
        """Where the characters at `offsets` of the string `value` of `key` (written between lines
        start..end) are in the file (`core.tomlspots`), with the number of the `key =` place that
        holds it (`skip`: the places before that one are not tried); None when its string is not
        found as written there (several cards inline on one line are told apart by their value)."""
        hit = self._index().get(key)
        hits = [] if hit is None else hit if isinstance(hit, list) else [hit]
        first = max(bisect_left(hits, (max(start, 1),)), skip)
        for i in range(first, min(first + _MAX_TRIES, len(hits))):
            line, col = hits[i]
            if end is not None and line > end:
                break
            spots = self._string_at(line, col)
            if spots is not None and spots.value == value:
                return i, [self._line_col(spots.raw(offset)) for offset in offsets]
        return None

    def spot(self, key: str, where: tuple[int, int | None], value: str, offset: int) -> tuple[int, int]:
        """Where the character at `offset` of the card's string `key` is; else where `key` is."""
        found = self.in_value(key, *where, value, (offset,))
        return found[1][0] if found is not None else self.find(key, *where)

    def _string_at(self, line: int, col: int) -> StringSpots | None:
        """The string value of the `key =` written at line:col, if it is one."""
        pos = self._line_starts()[line - 1] + col - 1
        m = _VALUE_AT_RE.match(self.text, pos)
        return None if m is None else read_string(self.text, m.end())

    def _line_starts(self) -> array[int]:
        """The offset where each line starts (at "\\n", as TOML counts lines): built once, when a
        place in a value is asked for."""
        if self._starts is None:
            self._starts = array("q", [0])
            self._starts.extend(m.end() for m in _NEWLINE_RE.finditer(self.text))
        return self._starts

    def indent(self, line: int) -> int:
        """The column of a line's first character that is no blank (a `[[cards]]` header's `[`)."""
        pos = self._line_starts()[line - 1]
        m = _BLANKS_RE.match(self.text, pos)
        return 1 if m is None else m.end() - pos + 1

    def _line_col(self, offset: int) -> tuple[int, int]:
        """The 1-based line and column of a file offset."""
        starts = self._line_starts()
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1


class FieldSpots:
    """Where text inside a card's string field is in a deck file's text: for a problem found after
    the parse (a missing media file) to point at the line and column that hold it."""

    def __init__(self, text: str, path: str = "<deck>") -> None:
        self._ctx = _Ctx(path, text)
        self._next: dict[str, int] = {}  # key -> the place after the one the last card's was found at

    def at(self, card_line: int, key: str, value: str, offsets: Sequence[int]) -> list[tuple[int, int]]:
        """Where the characters at `offsets` of `value`, the card's `key` written from line
        `card_line` (its `[[cards]]` header or inline table) on, are; the card's line when not
        found there (the file changed since it was read). Asked card after card in file order,
        each search starts after the last card's (cards inline on one line share it)."""
        if card_line < 1:
            return [(1, 1)] * len(offsets)
        skip = self._next.get(key, 0)
        found = self._ctx.in_value(key, card_line, None, value, offsets, skip)
        if found is None and skip:
            found = self._ctx.in_value(key, card_line, None, value, offsets)
        if found is None:
            return [(card_line, 1)] * len(offsets)
        self._next[key] = found[0] + 1
        return found[1]

    def key_at(self, card_line: int, key: str) -> tuple[int, int]:
        """Where the card's `key =` (an array: `accept`) is written, from line `card_line` (its
        header) on; the card's line when it is not found."""
        return self._ctx.find(key, card_line) if card_line >= 1 else (1, 1)


def _where(ctx: _Ctx, key: str, where: tuple[int, int | None] | None) -> tuple[int, int]:
    """Where `key` is written: in the card's lines `where`, or (None) in the deck's table."""
    return ctx.deck_key(key) if where is None else ctx.find(key, *where)


def _str(
    ctx: _Ctx, table: dict[str, Any], key: str, where: tuple[int, int | None] | None, card: str = ""
) -> str:
    """`table[key]` as a string; else an error at `key =` within `where` (None: the [deck] table),
    naming the card `card` when given."""
    value = table.get(key, "")
    if isinstance(value, str):
        return value
    said = f"card {card!r}: " if card else ""
    ctx.add(_where(ctx, key, where), f"{said}`{key}` must be a string, not {_toml_type(value)}")
    return ""


def _strs(
    ctx: _Ctx, table: dict[str, Any], key: str, where: tuple[int, int | None] | None, card: str = ""
) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    said = f"card {card!r}: " if card else ""
    ctx.add(_where(ctx, key, where), f'{said}`{key}` must be a list of strings, like ["a", "b"]')
    return ()


def _one_edit(a: str, b: str) -> bool:
    """Whether `a` is `b` or one typo from it: a letter added, dropped, changed, or two swapped."""
    if abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < len(a) and i < len(b) and a[i] == b[i]:
        i += 1
    if len(a) > len(b):
        return a[i + 1 :] == b[i:]
    if len(a) < len(b):
        return a[i:] == b[i + 1 :]
    swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
    return a[i + 1 :] == b[i + 1 :] or (swapped and a[i + 2 :] == b[i + 2 :])


def _suggest(key: str) -> str | None:
    """The top-level key `key` was most likely meant to be (`Deck`, `card`, `fromat`), if any. Linear:
    a hostile file has hundreds of thousands of unknown keys."""
    low = key.lower()
    if low[:1] not in _TOP_HEADS and low[1:2] not in _TOP_HEADS:  # (one typo keeps one of these)
        return None
    return next((top for top in TOP_KEYS if _one_edit(low, top)), None)


def _unknown_top(key: str, value: object) -> str:
    """The warning for an unknown top-level key: what it was likely meant to be, and (a misspelt
    `[[cards]]`) that the cards written under it are not loaded."""
    message = f"unknown top-level key {_key(key)}"
    meant = _suggest(key)
    if meant is None:
        return message
    message += f"; did you mean {_TOP_SPELLING[meant]}?"
    tables = [value] if isinstance(value, dict) else value if isinstance(value, list) else []
    count = sum(isinstance(table, dict) for table in tables)
    if meant == "cards" and count:
        message += (
            f" {count} card{' written under it is' if count == 1 else 's written under it are'} not loaded"
        )
    return message


def _near_deck(data: dict[str, Any]) -> str | None:
    """Without a `deck` key, the key that was likely meant to be it (`Deck`, `decks`), if any."""
    if "deck" in data:
        return None
    return next((key for key in data if _suggest(key) == "deck"), None)


def _no_deck(ctx: _Ctx, data: dict[str, Any]) -> None:
    """The error for a file without a `[deck]` table: at a misspelt one (`[Deck]`) when there is one."""
    meta = data.get("deck")
    if meta is not None:
        ctx.add(ctx.top_key("deck"), f"`deck` must be a table ([deck]), not {_toml_type(meta)}")
        return
    near = _near_deck(data)
    if near is not None:
        why = "table names are case-sensitive" if near.lower() == "deck" else "it is not read as the deck"
        ctx.add(ctx.top_key(near), f"missing [deck] table; did you mean [deck] for {_key(near)}? ({why})")
        return
    ctx.add(
        (1, 1), 'missing [deck] table: add one with the deck\'s `id`, such as `[deck]` then `id = "kafka"`'
    )


def _deck_header(ctx: _Ctx, data: dict[str, Any]) -> Deck | None:
    """The deck's metadata. Its keys are looked for only where they can be (the top-level lines, the
    [deck] table's lines, wherever it is): a card's `id` line is never blamed for the deck's."""
    fmt = data.get("format")
    if fmt is None:
        ctx.add((1, 1), f"missing `format = {FORMAT_VERSION}` at the top of the file", "warning")
    elif type(fmt) is not int or fmt != FORMAT_VERSION:  # not 1.0, not true
        ctx.add(ctx.top_key("format"), f"unsupported deck format {quoted(fmt)}; this retain reads format 1")
        return None
    near = _near_deck(data)  # (said by the missing [deck] error, not twice)
    for key in data:
        if key not in _TOP_SPELLING and key != near:
            ctx.add(ctx.top_key(key), _unknown_top(key, data[key]), "warning")
    meta = data.get("deck")
    if not isinstance(meta, dict):
        _no_deck(ctx, data)
        return None
    deck_id = meta.get("id")
    if deck_id is None:
        ctx.add(
            (ctx.deck_lines()[0], 1),
            "missing `id` in [deck]: a short id such as `id = \"kafka\"` (lowercase letters, digits and '-')",
        )
        return None
    if not isinstance(deck_id, str) or not is_valid_id(deck_id):
        ctx.add(
            ctx.deck_key("id"),
            f"deck id {quoted(deck_id)} is invalid: use lowercase letters, digits and '-', "
            "starting with a letter or digit (max 64)",
        )
        return None
    for key in meta:
        if key not in DECK_KEYS:
            ctx.add(ctx.deck_key(key), f"unknown [deck] key {_key(key)}", "warning")
    name = _str(ctx, meta, "name", None) or deck_id
    return Deck(
        id=deck_id,
        name=name,
        group=_str(ctx, meta, "group", None),
        description=_str(ctx, meta, "description", None),
        version=_str(ctx, meta, "version", None),
        authors=_strs(ctx, meta, "authors", None),
        license=_str(ctx, meta, "license", None),
        tags=_strs(ctx, meta, "tags", None),
    )


def _unknown_keys(ctx: _Ctx, keys: list[str], start: int, end: int | None) -> None:
    """One warning per unknown card key: `find` inlined for the usual case (a key written once)."""
    index = ctx._index()
    add = ctx.problems.append
    path = ctx.path
    for key in keys:
        at = index.get(key)
        if not (type(at) is tuple and at[0] >= start and (end is None or at[0] <= end)):
            at = ctx.find(key, start, end)
        add(Problem(path, at[0], at[1], f"unknown card key {_key(key)}", "warning"))


def _bare(raw: dict[str, Any], card_id: str, line: int) -> Card:
    """A card left out before it is read (its id repeats one, its kind is unknown): its strings, as
    far as they are strings, for `ParseResult.refused`."""

    def text(key: str) -> str:
        value = raw.get(key, "")
        return value if isinstance(value, str) else ""

    return Card(
        card_id, front=text("front"), back=text("back"), text=text("text"), extra=text("extra"), line=line
    )


def _card(
    ctx: _Ctx, raw: Any, at: tuple[int, int], end: int | None, seen: dict[str, tuple[int, int | None]]
) -> Card | None:
    """The card `raw`, written from line:column `at` (column 0: its `[[cards]]` header's, looked up
    when said) to line `end`; None, with an error that says why, when the deck leaves it out."""
    start = at[0]
    where = (start, end)
    if not isinstance(raw, dict):
        ctx.add((start, at[1] or ctx.indent(start)), "each entry of `cards` must be a table ([[cards]])")
        return None
    if not CARD_KEYS.issuperset(raw):
        _unknown_keys(ctx, [key for key in raw if key not in CARD_KEYS], start, end)
    card_id = raw.get("id")
    if card_id is None:
        ctx.add((start, at[1] or ctx.indent(start)), "card has no `id`; run `retain check --fix` to add one")
        return None
    if not isinstance(card_id, str) or not is_valid_id(card_id):
        ctx.add(
            ctx.find("id", *where),
            f"card id {quoted(card_id)} is invalid: use lowercase letters, digits and '-' (max 64)",
        )
        return None
    if card_id in seen:  # said once every card is read: the message counts the cards
        ctx.duplicates.setdefault(card_id, []).append(ctx.find("id", *where))
        ctx.refused.append(_bare(raw, card_id, start))
        return None
    seen[card_id] = where  # its line is looked up only for a duplicate: a clean deck builds no key index
    kind = raw.get("kind", "basic")
    if kind not in KINDS:
        ctx.add(ctx.find("kind", *where), f"unknown kind {quoted(kind)}; use one of {', '.join(KINDS)}")
        ctx.refused.append(_bare(raw, card_id, start))
        return None
    k: Kind = kind
    for key in sorted(_UNREAD[k].intersection(raw)):
        why = (
            f"`{key}` is not used by a cloze card, which shows its `text`"
            if k == "cloze"
            else _UNREAD_WHY[key]
        )
        ctx.add(ctx.find(key, *where), f"card {card_id!r}: {why}", "warning")
    before = len(ctx.problems)
    has_answer_keys = not _ANSWER_KEYS.isdisjoint(raw)
    spec, found = read_keys(raw) if has_answer_keys else (_PLAIN, [])
    for key, message, severity in found:
        ctx.add(ctx.find(key, *where), f"card {card_id!r}: {message}", severity)
    card = Card(
        id=card_id,
        kind=k,
        front=_str(ctx, raw, "front", where, card_id),
        back=_str(ctx, raw, "back", where, card_id),
        text=_str(ctx, raw, "text", where, card_id),
        extra=_str(ctx, raw, "extra", where, card_id),
        accept=_strs(ctx, raw, "accept", where, card_id),
        tags=_strs(ctx, raw, "tags", where, card_id),
        source=_str(ctx, raw, "source", where, card_id),
        line=start,
        match=spec.match,
        pattern=spec.pattern,
        accept_range=spec.accept_range,
        tolerance=spec.tolerance,
        aliases=spec.aliases,
    )
    checked = (
        None
        if any(p.severity == "error" for p in ctx.problems[before:])
        else _checked(ctx, card, raw, spec if has_answer_keys else None, where)
    )
    if checked is None:
        ctx.refused.append(card)
    return checked


def _checked(
    ctx: _Ctx, card: Card, raw: dict[str, Any], spec: AnswerSpec | None, where: tuple[int, int | None]
) -> Card | None:
    """`card` once its texts and answer keys (`spec`; None: it has none) are checked; None when an
    error leaves it out."""
    checked = _check_card(ctx, card, where)
    if checked is not None and card.match == "regex" and card.pattern not in ctx.patterns:
        ctx.pattern_chars += len(card.pattern)
        ctx.patterns.add(card.pattern)
        if ctx.pattern_chars > MAX_DECK_PATTERNS:
            ctx.add(
                ctx.find("pattern", *where),
                f"card {card.id!r}: this deck's regex patterns add up to over {MAX_DECK_PATTERNS:,} "
                "characters; split the deck",
            )
            return None
    if checked is not None and spec is not None:
        for key, message, severity in problems(card.id, card.kind, card.back, card.accept, spec, list(raw)):
            ctx.add(ctx.find(key, *where), message, severity)
            if severity == "error":
                checked = None
    return checked


def _check_card(ctx: _Ctx, card: Card, where: tuple[int, int | None]) -> Card | None:
    if card.kind == "cloze":
        if not card.text.strip():
            ctx.add(ctx.find("id", *where), f"cloze card {card.id!r} needs `text` with {{{{c1::...}}}}")
            return None
        nested = nesting_problem(card.text)
        if nested is not None:  # (its deletions are refused whole: nothing mangled is studied)
            ctx.add(ctx.spot("text", where, card.text, nested[0]), f"cloze card {card.id!r}: {nested[1]}")
            return None
        found = survey(card.text)
        numbers = found.numbers
        for digits, at in islice(zip(found.rejected, found.rejected_at, strict=True), 3):
            ctx.add(
                ctx.spot("text", where, card.text, at),
                f"cloze card {card.id!r}: `{{{{c{digits}::` is not a cloze (numbers go from 1 to {MAX_CLOZE})",
                "warning",
            )
        if not numbers:
            ctx.add(
                ctx.find("text", *where),
                f"cloze card {card.id!r} has no {{{{c1::...}}}} deletions",
                "warning",
            )
        for (opener, why), at in zip(found.stray, found.stray_at, strict=True):
            ctx.add(
                ctx.spot("text", where, card.text, at),
                f"cloze card {card.id!r}: `{opener}` is not a cloze ({why})",
                "warning",
            )
        for number, at in islice(zip(found.empty, found.empty_at, strict=True), 3):
            ctx.add(
                ctx.spot("text", where, card.text, at),
                f"cloze card {card.id!r}: c{number} hides an empty answer; there is nothing to recall",
                "warning",
            )
        size = len(numbers) * len(card.text)
        if size > ctx.budget:
            ctx.add(
                ctx.find("text", *where),
                f"cloze card {card.id!r} is too big to study: {len(numbers)} cloze numbers over "
                f"{len(card.text)} characters; split it into smaller cards",
            )
            return None
        ctx.budget -= size
        return card
    if not card.front.strip():
        ctx.add(ctx.find("id", *where), f"card {card.id!r} needs a non-empty `front`")
        return None
    if card.kind != "typed" and not card.back.strip():
        ctx.add(ctx.find("back", *where), f"card {card.id!r} has an empty back", "warning")
    if card.kind == "typed" and not card.back.strip():
        ctx.add(ctx.find("back", *where), f"typed card {card.id!r} needs the expected answer in `back`")
        return None
    if len(card.front) > MAX_FRONT:
        ctx.add(
            ctx.find("front", *where),
            f"front of {card.id!r} is {len(card.front)} characters; keep it under {MAX_FRONT}",
            "warning",
        )
    return card


def _duplicate_errors(ctx: _Ctx, seen: dict[str, tuple[int, int | None]]) -> None:
    """One error at each card that repeats an earlier card's id, saying how many cards are left out."""
    for card_id, places in ctx.duplicates.items():
        first = ctx.find("id", *seen[card_id])[0]
        if len(places) == 1:
            left = (
                "both cards are left out, so neither takes the other's progress; give one of them another id"
            )
        else:
            left = (
                f"all {len(places) + 1} cards with this id are left out, so none takes another's "
                "progress; give each its own id"
            )
        for at in places:
            ctx.add(at, f"duplicate card id {card_id!r} (first at line {first}): {left}")


def _inline_card_lines(ctx: _Ctx, count: int) -> tuple[list[int], list[int], int | None]:
    """The first line and the column (of its `{`) of each of `count` cards written inline, and the
    array's last line.

    Several cards on one line share it. When the array is not found as written (a
    hand edit the scan does not read), every card is at the `cards =` key.
    """
    from retain.core.tomltables import array_items

    line, col = ctx.find("cards", *ctx.top_lines())
    text = ctx.text
    pos = 0
    for _ in range(line - 1):
        pos = text.find("\n", pos) + 1
    found = array_items(text, pos)
    if found is None or len(found[0]) != count:
        return [line] * count, [col] * count, None
    lines: list[int] = []
    cols: list[int] = []
    begin = text.rfind("\n", 0, pos)  # the "\n" before the line `pos` is on (-1: none)
    for offset in found[0]:
        breaks = text.count("\n", pos, offset)
        if breaks:
            line += breaks
            begin = text.rfind("\n", pos, offset)
        pos = offset
        lines.append(line)
        cols.append(offset - begin)
    return lines, cols, line + text.count("\n", pos, found[1])


def parse_deck(text: str, path: str = "<deck>", *, careful: bool = False) -> ParseResult:
    """Parse and validate one deck file's text.

    `careful` reads the TOML with the stdlib reader only (`core.tomlsafe`); the
    result is the same, only slower (the tests compare the two). The cyclic GC
    is paused meanwhile: a hostile file makes hundreds of thousands of small
    objects, and collections among them cost a quarter of the time.
    """
    with gc_paused():
        return _parse_deck(text, path, careful)


def _parse_deck(text: str, path: str, careful: bool) -> ParseResult:
    ctx = _Ctx(path, text)
    data = loads_careful(text) if careful else loads_safe(text)
    if isinstance(data, TomlFailure):
        ctx.add((data.line, data.col), data.message)
        return ParseResult(None, ctx.problems)
    header = _deck_header(ctx, data)
    if header is None:
        return ParseResult(None, ctx.problems)
    raw_cards = data.get("cards", [])
    if not isinstance(raw_cards, list):
        ctx.add(ctx.top_key("cards"), "`cards` must be an array of tables ([[cards]])")
        return ParseResult(None, ctx.problems)
    headers = card_header_lines(text) if raw_cards else []
    last: int | None = None  # the last card's last line (None: the file's end)
    cols: list[int] | None = None  # each card's column; None: its header's, looked up when said
    if len(headers) != len(raw_cards):  # written inline, `cards = [ {...}, ... ]`
        headers, cols, last = _inline_card_lines(ctx, len(raw_cards))
    cards: list[Card] = []
    seen: dict[str, tuple[int, int | None]] = {}
    fronts: dict[str, tuple[str, str]] = {}  # a question's text -> (card id, "front" or "back")
    for i, raw in enumerate(raw_cards):
        end = max(headers[i], headers[i + 1] - 1) if i + 1 < len(headers) else last
        card = _card(ctx, raw, (headers[i], cols[i] if cols is not None else 0), end, seen)
        if card is None:
            continue
        key = " ".join((card.front or card.text).lower().split())
        if key in fronts:
            first, side = fronts[key]
            said = (
                f"same as card {first!r}"
                if side == "front"
                else f"same as the back of reversed card {first!r}"
            )
            ctx.add(ctx.find("front", headers[i], end), f"duplicate front: {said}", "warning")
        else:
            fronts[key] = (card.id, "front")
        if card.kind == "reversed":  # its back is the question of its reverse side
            key = " ".join(card.back.lower().split())
            if key in fronts and fronts[key][0] != card.id:
                first, side = fronts[key]
                said = f"card {first!r}" if side == "front" else f"the back of reversed card {first!r}"
                ctx.add(
                    ctx.find("back", headers[i], end),
                    f"duplicate question: the back of reversed card {card.id!r}, asked on its reverse "
                    f"side, is the same as {said}",
                    "warning",
                )
            elif key:
                fronts.setdefault(key, (card.id, "back"))
        cards.append(card)
    if ctx.duplicates:  # progress is keyed by id: which of two cards is the studied one is unknown
        _duplicate_errors(ctx, seen)
        ctx.refused += (c for c in cards if c.id in ctx.duplicates)
        cards = [c for c in cards if c.id not in ctx.duplicates]
    deck = Deck(
        id=header.id,
        name=header.name,
        cards=tuple(cards),
        group=header.group,
        description=header.description,
        version=header.version,
        authors=header.authors,
        license=header.license,
        tags=header.tags,
        path=path,
    )
    ctx.problems.sort(key=attrgetter("line", "col"))
    ctx.refused.sort(key=attrgetter("line"))
    return ParseResult(deck, ctx.problems, left_out=len(raw_cards) - len(cards), refused=ctx.refused)
