"""Anki's text import format: `.csv`, `.tsv` and `.txt` with `#key:value` header lines.

Export writes one row per note — GUID, note type, deck, the two fields as
HTML, tags — behind the `#separator`, `#html`, `#guid column`, `#notetype
column`, `#deck column` and `#tags column` headers, so Anki imports it with no
questions. Cells that a spreadsheet would run as a formula (`= + - @`, tab,
CR first) are neutralised: HTML cells by writing that first character as an
entity (Anki shows it unchanged), and so after a `, ; tab |` or line break (a
spreadsheet that splits at another separator starts a cell there); plain
cells by a leading apostrophe, which import takes off the plain columns only
(GUID, note type, deck, tags). A row
with a CR in any cell has every cell quoted (a bare CR would end the row for a
reader), so every text reads back as it was. The `#retain deck:` line's JSON has no separator,
quote or formula character in its strings (`deck_meta_json`): no cell of it is a formula.
Import reads those headers and Anki's fixed `#notetype:`/`#deck:`/`#tags:`;
a deck named by a `#retain deck:` header keeps the name and group it gives
(a deck name may hold `::`).
A header row (`#columns:` or a first row naming the fields, as Anki detects
it) is not a note, and the columns it names like the note's fields (Front/Back,
Question/Answer, Text/Extra, any case) are those fields whatever their order, as
Anki maps them. A hand-made row without a back is skipped with a warning
naming its line (the line it starts on: a quoted cell may hold line breaks). A
quote left open, which would take the rows after it into one cell, refuses the
file in one line naming the line it opens on; otherwise rows read as Anki reads
them (text after a closing quote is kept: `"Paris" is the answer`).
Header lines where a row would start (two exports joined end to end) are header lines: a
`#retain deck:` one gives its deck's fields, one that would read the rows after it otherwise
(another separator, columns, deck...) refuses the file naming its line. A deck whose every row
is skipped is left out with a warning, never written empty. A cell over the field limit is
refused in one line naming the limit.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from retain.core.ids import make_card_id
from retain.core.model import Card, Deck, Kind
from retain.interop.anki.ankinote import (
    NOTETYPE_NAMES,
    anki_deck_names,
    card_to_note,
    deck_fields,
    deck_id_for_name,
    deck_meta_json,
    flatten_cloze,
    ids_from_guid,
    is_optional_reverse,
    kind_from_name,
    note_to_card,
    parse_deck_meta_json,
    split_deck_name,
    stable_deck_ids,
    unique_id,
)
from retain.interop.anki.occlusion import LeftOut
from retain.interop.assemble import make_deck, with_cards
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.html import text_to_html
from retain.interop.limits import Limits
from retain.interop.progress import ProgressFn, no_progress
from retain.interop.textfile import read_text
from retain.store.files import name_text

__all__ = ["read_anki_text", "separator_for", "write_anki_text"]

_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}
_DANGER = "=+-@\t\r"
# Where a cell could start: each of a run, as the entity written for one ends in `;`.
_SPLIT_DANGER = re.compile(r"(?:^|(?<=[,;\t|\r\n]))[=+\-@\t\r]+")
_SPLIT_GUARD = re.compile(r"(?:^|(?<=[,;\t|\r\n]))&#(61|43|45|64|9|13);")  # what `_html_cell` wrote
_PLAIN_DANGER = re.compile(r"^'*[=+\-@\t\r]")
_PLAIN_UNDO = re.compile(r"^'+[=+\-@\t\r]")
_CLOZE_HINT = re.compile(r"\{\{c\d+::")
_BLANK_HTML = re.compile(
    r"(?:\s|&nbsp;|<br\s*/?>|</?div>)*", re.IGNORECASE
)  # an empty field, as Anki sees one
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+")  # a line as csv ends it (not at U+2028 & co.)
# a column number: ASCII digits only (`isdigit` takes `²`, which `int` refuses), and few enough
# of them past leading zeros for `int` (it refuses over 4300 digits)
_COLUMN_NUMBER = re.compile(r"0*([0-9]{1,4})")
# header keys that set how rows are read: the same in every header block of a file
_LAYOUT_KEYS = (
    "separator",
    "html",
    "columns",
    "notetype",
    "deck",
    "tags",
    "guid column",
    "notetype column",
    "deck column",
    "tags column",
)
# a header line (Anki's keys and `#retain deck:`) where a row would start: a second file's
# header, when two exports are joined end to end
_HEADER_LINE = re.compile(
    rf"#[ \t]*(?:{'|'.join(_LAYOUT_KEYS)}|if matches|retain deck)[ \t]*:", re.IGNORECASE
)


def separator_for(path: Path) -> str:
    return "," if path.suffix.lower() == ".csv" else "\t"


def _html_cell(value: str) -> str:
    """The HTML cell with each character a spreadsheet would start a formula with written as an
    entity where a cell could start: first, and after any character some spreadsheet splits a
    row at (`, ; tab |` and line breaks: a `.csv` opened where `;` separates, as many locales
    do, made `a;=cmd|...` a formula cell). Anki shows the entity as the character."""
    return _SPLIT_DANGER.sub(lambda m: "".join(f"&#{ord(c)};" for c in m[0]), value)


def _html_uncell(value: str) -> str:
    """The HTML `_html_cell` was given: its entities back as characters before anything reads the
    cell (the hidden comment's JSON at the end of the first field holds them too). The same HTML
    where the entity was written by hand (an entity and its character are one in HTML)."""
    return _SPLIT_GUARD.sub(lambda m: chr(int(m[1])), value)


def _plain_cell(value: str) -> str:
    return "'" + value if _PLAIN_DANGER.match(value) else value


def _unplain(value: str) -> str:
    return value[1:] if _PLAIN_UNDO.match(value) else value


def write_anki_text(decks: list[Deck], sep: str, progress: ProgressFn = no_progress) -> str:
    name = "Tab" if sep == "\t" else "Comma"
    out = io.StringIO()
    out.write(
        f"#separator:{name}\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
    )
    fulls = anki_deck_names(decks)
    for deck in decks:
        out.write(f"#retain deck:{deck_meta_json(deck, fulls[deck.id])}\n")
    writer = csv.writer(out, delimiter=sep, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    # QUOTE_MINIMAL quotes a cell holding the line terminator, not one holding a bare CR (Python < 3.12)
    quoted = csv.writer(out, delimiter=sep, quoting=csv.QUOTE_ALL, lineterminator="\n")
    total = sum(len(d.cards) for d in decks)
    done = 0
    for deck in decks:
        full = fulls[deck.id]
        for card in deck.cards:
            note = card_to_note(deck, card)
            row = [
                _plain_cell(note.guid),
                _plain_cell(NOTETYPE_NAMES[note.kind]),
                _plain_cell(full),
                _html_cell(note.fields[0]),
                _html_cell(note.fields[1]),
                _plain_cell(" ".join(note.tags)),
            ]
            (quoted if any("\r" in cell for cell in row) else writer).writerow(row)
            done += 1
            if done % 500 == 0 or done == total:
                progress("export", done, total)
    return out.getvalue()


def _headers(text: str) -> tuple[list[str], int]:
    """The `#` header lines at the top of `text`, and the offset where the rows start."""
    lines: list[str] = []
    end = 0
    for m in _LINE.finditer(text):
        if not m[0].startswith("#"):
            break
        lines.append(m[0])
        end = m.end()
    return lines, end


def _header_pair(line: str) -> tuple[str, str] | None:
    """A header line's (key in lower case, value), or None when it has no `:`."""
    key, sep, value = line[1:].partition(":")
    return (key.strip().lower(), value.strip()) if sep else None


def _header_meta(lines: list[str]) -> dict[str, str]:
    return dict(pair for line in lines if (pair := _header_pair(line)) is not None)


class _RowLines:
    """The lines of `text[start:]` as `io.StringIO` gives them (ended by LF only), one at a time:
    the csv reader takes them without a list of every line or a copy of the text. Each line of
    the row being read is in `taken`, and `start` is the line that row starts on (`first` being
    the first line's number). A line of header keys (`#separator:...`, `#retain deck:...`) where a
    row would start is not given to the reader but kept in `headers` with its line: two exports
    joined end to end (`cat a.csv b.csv`) have the second file's header lines there."""

    def __init__(self, text: str, start: int, first: int) -> None:
        self.text, self.pos, self.line = text, start, first
        self.start = first
        self.taken: list[str] = []
        self.headers: list[tuple[int, str]] = []

    def __iter__(self) -> _RowLines:
        return self

    def __next__(self) -> str:
        text, size = self.text, len(self.text)
        while self.pos < size:
            end = text.find("\n", self.pos) + 1 or size
            line, n = text[self.pos : end], self.line
            self.pos, self.line = end, n + 1
            if not self.taken:  # the first line of a row
                if line.startswith("#") and _HEADER_LINE.match(line):
                    self.headers.append((n, line))
                    continue
                self.start = n
            self.taken.append(line)
            return line
        raise StopIteration


def _rows(
    text: str, start: int, sep: str, limits: Limits, first: int
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """(the line each row starts on, `start`'s line being line `first`; its cells), up to one row
    past the note limit; and the header lines found where a row would start (`_RowLines`).

    A quote left open reads every later line into one cell, until the end or the next quote,
    and the lenient reader (Anki's too) would give the learner one card with the rest of the
    file in it (and a "no back" warning at best). A row that spans lines is looked at again,
    and refused with its line when a quote in it is left open (`_open_quote`); one whose
    quoted cells are closed is read as the lenient reader (and Anki) reads it, text after a
    closing quote and all (`"Paris" is the answer`). A cell over the csv field limit is
    refused with its line and the documented field limit (a quote left open before a long rest
    of the file stops there, and is refused as one)."""
    lines = _RowLines(text, start, first)
    taken = lines.taken
    reader = csv.reader(lines, delimiter=sep)
    ends = re.compile(f"[{re.escape(sep)}\r\n]")  # where a cell ends
    rows: list[tuple[int, list[str]]] = []
    old_limit = csv.field_size_limit()
    # a cell's raw text may be longer than the card field it makes (HTML tags, `&amp;`): the
    # reader takes up to twice the field limit, and the card's fields are held to the limit itself
    csv.field_size_limit(max(limits.max_field_chars * 2, 1024))
    try:
        for row in reader:
            if len(taken) > 1 and _open_quote("".join(taken), sep, ends):
                raise _unclosed(lines.start, f"it runs on to line {lines.start + len(taken) - 1}")
            rows.append((lines.start, row))
            taken.clear()
            if len(rows) > limits.max_notes:
                break
    except csv.Error as exc:
        line = lines.start
        if len(taken) > 1 and _open_quote("".join(taken), sep, ends):
            raise _unclosed(line, f"it runs on past line {line + len(taken) - 1}") from None
        raise _csv_error(line, str(exc), limits) from None
    finally:
        csv.field_size_limit(old_limit)
    return rows, lines.headers


def _csv_error(line: int, text: str, limits: Limits) -> InteropError:
    """The csv reader's error as one line of ours (its own wording names its own settings)."""
    if "field limit" in text:
        limit = limits.max_field_chars
        return LimitError(
            f"line {line} has a field of more than {limit} characters; the field limit is {limit}"
        )
    if "new-line" in text:
        return InteropError(
            f"line {line}: a carriage return (CR) in the middle of an unquoted cell;"
            " quote the cell, or save the file with one kind of line end"
        )
    return InteropError(f"line {line}: not a readable row ({text})")


def _open_quote(row: str, sep: str, ends: re.Pattern[str]) -> bool:
    """Whether the row `row` (its lines as the lenient reader took them) has a quote left open:
    a quoted cell that is not closed before the row's text ends (it ran to the end of the file,
    or to the field limit), or one that took a line break and then what is clearly another row
    (a line with the separator in it) and whose closing quote has text right after it (that
    quote was one of a later row's, as a quote left open pairs them). Otherwise text after a
    closing quote is read on, as Anki reads it (`"Paris" is the answer`)."""
    i, size = 0, len(row)
    while i < size:
        if row[i] == '"':  # a quoted cell (a quote opens one only as its first character)
            close = row.find('"', i + 1)
            while close >= 0 and row.startswith('"', close + 1):  # `""`: a quote inside it
                close = row.find('"', close + 2)
            if close < 0:
                return True
            if row[close + 1 : close + 2] not in (sep, "\n", "\r", ""):  # text after it
                breaks = [b for b in (row.find("\n", i, close), row.find("\r", i, close)) if b >= 0]
                if breaks and row.find(sep, min(breaks), close) >= 0:  # it took a line with cells
                    return True
            i = close + 1
        end = ends.search(row, i)  # the rest of the cell: quotes in it are text
        if end is None:
            break
        i = end.end()
    return False


def _unclosed(line: int, extent: str) -> InteropError:
    return InteropError(
        f"line {line}: a quote opens a cell that is not closed where the cell ends"
        f" ({extent}, taking the rows between into one cell);"
        f' close the quote, or write a quote inside a quoted cell as ""'
    )


def _shown(value: str) -> str:
    return value if len(value) <= 40 else value[:40] + "..."


def _joined_headers(
    lines: list[tuple[int, str]], meta: dict[str, str], metas: dict[str, dict[str, Any]]
) -> None:
    """Take in the header lines found among the rows (a second export joined to the first):
    a `#retain deck:` line gives its deck's fields as one at the top does (the first line for a
    deck wins); a header that sets how rows are read must say what the top's says, else the rows
    after it would be misread, and the file is refused naming its line."""
    for n, line in lines:
        key, value = _header_pair(line) or ("", "")  # (`_HEADER_LINE` matched: it has its `:`)
        if key == "retain deck":
            found = parse_deck_meta_json(value)
            if found:
                metas.setdefault(str(found.get("full")), found)
            continue
        if key not in _LAYOUT_KEYS:
            continue
        top = meta.get(key)
        fold = str.lower if key in ("separator", "html") else str
        if top is not None and fold(top) == fold(value):
            continue
        was = f"`#{key}:{_shown(top)}`" if top is not None else f"no `#{key}:`"
        raise InteropError(
            f"line {n}: the header line `#{key}:{_shown(value)}` differs from the file's first header"
            f" lines ({was}): the rows after it would be misread (files joined together?);"
            " import each file on its own"
        )


def _column(meta: dict[str, str], key: str) -> int | None:
    raw = meta.get(key)
    if raw is None:
        return None
    m = _COLUMN_NUMBER.fullmatch(raw)
    if m is None or not 1 <= int(m[1]) <= 1000:
        raise InteropError(f"header `#{key}:{_shown(raw)}` must be a column number")
    return int(m[1]) - 1


# Names a header row gives its columns (Anki's field and column names); a first row made only of
# these, with at least two of them, is a header, not a note.
_FIELD_NAMES = {"front", "back", "question", "answer", "text", "extra", "back extra", "notes", "note"}
_COLUMN_NAMES = {
    "guid": "guid",
    "notetype": "notetype",
    "note type": "notetype",
    "deck": "deck",
    "tags": "tags",
}
# The names that make a column the note's first field (front, a cloze's text) or its second (back,
# a cloze's extra), the first name found winning: `Extra` is the second field only beside no
# `Back` (a basic note's Extra is a field of its own). Other columns keep their order after them.
_SLOT_NAMES = (("front", "question", "text"), ("back", "answer", "back extra", "extra"))


def _header_row(row: list[str]) -> list[str] | None:
    """The names a first row gives the columns (in lower case) when it is a header row, else None."""
    names = [c.strip().lower() for c in row]
    if len([n for n in names if n]) < 2 or not all(
        n in _FIELD_NAMES or n in _COLUMN_NAMES for n in names if n
    ):
        return None
    if not any(n in _FIELD_NAMES for n in names):
        return None
    return names


def _named_columns(meta: dict[str, str], sep: str) -> list[str]:
    """The names Anki's `#columns:` header gives the columns (`#columns:Front<sep>Back<sep>Tags`),
    in lower case; none without one."""
    raw = meta.get("columns")
    return [] if raw is None else [c.strip().lower() for c in raw.split(sep)]


def _special_columns(names: list[str]) -> dict[str, int]:
    """The special columns (GUID, note type, deck, tags) that `names` names ({"tags": 2, ...})."""
    return {_COLUMN_NAMES[n]: i for i, n in enumerate(names) if n in _COLUMN_NAMES}


def _field_slots(names: list[str], special: set[int]) -> dict[int, int]:
    """{field (0: front, 1: back): its column} for the columns `names` names like the note's
    fields, any case, whatever their order (as Anki maps `#columns:` to fields by name); of two
    columns with one name, the last (as Anki)."""
    where = {n: i for i, n in enumerate(names) if i not in special}
    slots: dict[int, int] = {}
    for slot, choices in enumerate(_SLOT_NAMES):
        found = next((where[n] for n in choices if n in where), None)
        if found is not None:
            slots[slot] = found
    return slots


def _field_cells(row: list[str], special: set[int], slots: dict[int, int]) -> list[str]:
    """The row's field cells: its front and back where `slots` puts them, and the other columns
    that are not special after them in their order (the first fills a field no column is named
    for). Without named fields, every column that is not special, in order."""
    rest = [c for i, c in enumerate(row) if i not in special and i not in slots.values()]
    if not slots:
        return rest

    def at(col: int) -> str:
        return row[col] if col < len(row) else ""

    front = at(slots[0]) if 0 in slots else (rest.pop(0) if rest else "")
    if 1 not in slots or (slots[1] >= len(row) and not rest):  # (a row with no back: one field)
        return [front, *rest]
    return [front, at(slots[1]), *rest]


def _deck_tags(meta: dict[str, Any]) -> frozenset[str]:
    """The deck tags a `#retain deck:` header names (cards inherit them: not card tags)."""
    raw = meta.get("tags")
    return frozenset(t for t in raw if isinstance(t, str)) if isinstance(raw, list) else frozenset()


def _deck_name(full: str, meta: dict[str, Any]) -> tuple[str, str]:
    """(group, name) of the deck `full`: as its `#retain deck:` header gives them when they make up
    `full` (a name may hold `::`), else split at the last `::` as Anki's hierarchy."""
    group, name = meta.get("group", ""), meta.get("name")
    whole = f"{group}::{name}" if isinstance(group, str) and group else name
    # (`… (id)`: the name made unique beside another deck's of the same name, `anki_deck_names`)
    if (
        isinstance(group, str)
        and isinstance(name, str)
        and name
        and full in (whole, f"{whole} ({meta.get('id')})")
    ):
        return group, name
    return split_deck_name(full)


def _guess_kind(name: str, first: str) -> Kind:
    kind = kind_from_name(name) if name else None
    if kind is not None:
        return kind
    low = name.lower()
    if "cloze" in low or _CLOZE_HINT.search(first):
        return "cloze"
    if "type" in low:
        return "typed"
    return "reversed" if "revers" in low else "basic"


def read_anki_text(path: Path, limits: Limits, progress: ProgressFn = no_progress) -> Bundle:
    text = read_text(path, limits)
    header, body = _headers(text)
    meta, skip = _header_meta(header), len(header)
    deck_meta = [parse_deck_meta_json(ln.split(":", 1)[1]) for ln in header if ln.startswith("#retain deck:")]
    metas = {str(m.get("full")): m for m in deck_meta if m}
    raw_sep = meta.get("separator", "")
    sep = _SEPARATORS.get(raw_sep.lower(), raw_sep if len(raw_sep) == 1 else separator_for(path))
    is_html = meta.get("html", "false").lower() in ("true", "yes", "1")
    cols = {k: _column(meta, f"{k} column") for k in ("guid", "notetype", "deck", "tags")}
    names = _named_columns(meta, sep)
    fixed_type, fixed_deck = meta.get("notetype", ""), meta.get("deck", "") or name_text(path.stem)
    fixed_tags = tuple(meta.get("tags", "").split())
    # up to one row past the limit: a file far over it is refused without reading it all
    rows, joined = _rows(text, body, sep, limits, skip + 1)
    _joined_headers(joined, meta, metas)
    if len(rows) > limits.max_notes:
        raise LimitError(
            f"file has more than {limits.max_notes} rows; the note-count limit is {limits.max_notes}"
        )
    bundle = Bundle(path.suffix.lower().lstrip("."))
    first = next((i for i, (_, row) in enumerate(rows) if any(c.strip() for c in row)), None)
    named = _header_row(rows[first][1]) if first is not None and "columns" not in meta else None
    if first is not None and named is not None:
        bundle.warnings.append(f"line {rows[first][0]} skipped: a header row naming the columns")
        names = named
        rows[first] = (rows[first][0], [])
    for key, index in _special_columns(names).items():
        cols[key] = cols[key] if cols[key] is not None else index
    special = {c for c in cols.values() if c is not None}
    slots = _field_slots(names, special)
    by_deck: dict[str, list[tuple[str, Card]]] = defaultdict(list)
    retain_ids: dict[str, set[str | None]] = defaultdict(set)
    occluded = LeftOut()  # Image Occlusion notes: left out, counted in one line (occlusion.py)
    taken: dict[str, set[str]] = defaultdict(set)

    def cell(row: list[str], col: int | None) -> str:
        return _unplain(row[col]) if col is not None and col < len(row) else ""

    for i, (n, row) in enumerate(rows, 1):  # n: the line the row starts on (a cell may hold line breaks)
        if not any(c.strip() for c in row):
            continue
        fields = _field_cells(row, special, slots)  # (the writer marks only plain cells)
        # The id's source: the front cell as ids were always made of it (its HTML), less the spaces
        # around it, which the card drops: a space added before the separator keeps the card's id
        # (and progress). Its other differences from the card text (`&amp;`, `<br>`, the Markdown
        # escapes the card adds) stay in, so that only a padded cell's id differs from before.
        source = fields[0].strip() if fields else str(n)
        if not is_html:
            fields = [text_to_html(f) for f in fields]
            source = text_to_html(source)
        else:
            fields = [_html_uncell(f) for f in fields]
        deck_name = cell(row, cols["deck"]) or fixed_deck
        notetype = cell(row, cols["notetype"]) or fixed_type
        kind = _guess_kind(notetype, fields[0] if fields else "")
        if is_optional_reverse(notetype):  # "Add Reverse" is a switch: the reverse card only when it is set
            switch = fields[2] if len(fields) > 2 else ""
            fields = fields[:2] + fields[3:]
            kind = "basic" if _BLANK_HTML.fullmatch(switch) else "reversed"
        if occluded.takes_row(kind, fields):
            continue
        if cols["guid"] is None and kind != "cloze" and (len(fields) < 2 or not fields[1].strip()):
            # A hand-made file's row without a back is a slip; an export (it names its notes by GUID)
            # carries the note's own empty field, which round-trips as it was.
            bundle.warnings.append(
                f"line {n} skipped: the back is empty"
                if len(fields) > 1
                else f"line {n} skipped: no back (only one field)"
            )
            continue
        guid = cell(row, cols["guid"])
        tags = tuple(cell(row, cols["tags"]).split()) + fixed_tags
        if guid:
            deck_hint, card_id = ids_from_guid(guid)
        else:
            deck_hint, card_id = None, make_card_id(source, frozenset())
        retain_ids[deck_name].add(deck_hint)
        card_id = unique_id(card_id, taken[deck_name])
        taken[deck_name].add(card_id)
        drop = _deck_tags(metas.get(deck_name, {}))
        card = flatten_cloze(
            note_to_card(card_id, kind, fields, tags, None, drop), f"line {n}", bundle.warnings
        )
        by_deck[deck_name].append((f"line {n}", card))
        if i % 1000 == 0:
            progress("read rows", i, len(rows))
    made: list[tuple[str, Deck]] = []
    hinted = {d: hint for d, h in retain_ids.items() if len(h) == 1 and (hint := next(iter(h))) is not None}
    # Anki's deck names (a `#deck column`): ids as an .apkg's, which two names that give one id
    # cannot share (`Japanese::語彙`, `Japanese::文法`: the file held `japanese` twice)
    stable = (
        stable_deck_ids([d for d in by_deck if d not in hinted], hinted.values())
        if cols["deck"] is not None
        else {}
    )
    for deck_name, cards in by_deck.items():
        hint = hinted.get(deck_name)
        known = metas.get(deck_name, {})
        group, name = _deck_name(deck_name, known)
        deck_id = hint or stable.get(deck_name) or deck_id_for_name(deck_name)
        if hint is None and cols["guid"] is None:  # deck and card ids from names and fronts
            bundle.derived.add(deck_id)
        deck_kw = deck_fields(known) | {"group": group}
        made.append((deck_name, make_deck(deck_id, name, cards, bundle.warnings, limits, **deck_kw)))
    bundle.decks.extend(with_cards(made, bundle.warnings, "row"))
    occluded.finish(bundle)
    return bundle
