"""Parse untrusted TOML text with every failure turned into a positioned message.

Two readers give one result. The fast one is `rtoml` (Rust, about ten times
the stdlib's speed); the careful one is the stdlib's `tomllib`, whose error
messages carry the line and column every deck error reports. `rtoml` reads a
little more than TOML 1.0 (the 1.1 drafts' `\\e` and `\\x` escapes, times
without seconds, newlines and trailing commas in inline tables, a leading
BOM) and keeps CRLF inside multi-line strings, so it gets the text with
CRLF made LF, and its answer is taken only when the text cannot hold any of those:
`_needs_care` looks for them (it may send a valid file the careful way, never
the reverse); when the parsed values hold dates or times (rtoml gives the exact
`datetime` types), the text must hold no `HH:MM` without seconds, and offset
datetimes get tomllib's tzinfo. Every other text, and every text `rtoml` refuses,
goes to `tomllib`, which gives the verdict and the message.
`tests/foundation/test_tomlsafe.py` checks by hypothesis that both ways give
the same data and the same errors.

tomllib's refusal of a key or table given twice names no key and points past
the value (`Cannot overwrite a value`, ``Cannot declare ('deck',) twice``): the
text before it is walked again (`_named_clash`) to say ``duplicate key `back`
(first at line 7)`` or `table [deck] declared twice` at the key's own column;
an error at a curly quote (`back = “x”`) says to use straight quotes.
"""

from __future__ import annotations

import datetime
import re
import sys
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["NESTING_TOO_DEEP", "TomlFailure", "loads_careful", "loads_fast", "loads_safe"]

_POS_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
MAX_KEY_PARTS = 64
# tomllib's time and memory grow with the square of a dotted key's length
# (100,000 parts: 2 minutes and 24 GB), so such keys are refused before parsing.
_LONG_DOTTED_RE = re.compile(
    r"(?:\.[ \t]*(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')[ \t]*){" + str(MAX_KEY_PARTS) + ",}+"
)  # possessive (no memory held per part); starts with a literal dot, so the scan only stops at dots: about 40 MB/s
# `{` where an inline table may open: not `{{`, and not the `{c1::` of a cloze (never valid TOML).
_BRACE_RE = re.compile(r"\{(?!\{|c[0-9]+::)")
_ESCAPE_RE = re.compile(r"\\[ex]")
_BLANK = " \t\r\n"
# Every TOML date has `1-23-4`, every time `1:2`: without either the parsed data holds none.
_DATEISH_RE = re.compile(r"[0-9](?:-[0-9][0-9]-|:)[0-9]")
# `HH:MM` not followed by `:SS`: a time without seconds, which only TOML 1.1 allows.
_NO_SECONDS_RE = re.compile(r"(?<![0-9:+-])[0-9][0-9]:[0-9][0-9](?!:[0-9])")  # not an offset (+05:30)
_CONTAINERS = frozenset({dict, list})
_DATES = frozenset({datetime.date, datetime.time, datetime.datetime})


_SHOWN_DEPTH = 100  # tomllib gives up at ~300 (inline tables) to ~500 (arrays): no real file is near
# What a nesting scan steps over: strings (multi-line first) and comments, then the brackets.
_NEST_TOKEN_RE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*+"""|\'\'\'(?:[^\']|\'(?!\'\'))*+\'\'\''
    r'|"(?:[^"\\\n]|\\.)*+"|\'[^\'\n]*+\'|#[^\n]*+|[\[\]{}]',
    re.S,
)
NESTING_TOO_DEEP = "TOML nesting is too deep (arrays or inline tables inside one another)"
_AT_END = "(at end of document)"  # tomllib's place for an error at the end: no line given


def _end_of(text: str) -> tuple[int, int]:
    """The line and column just after the last character (where an unclosed value ends)."""
    return text.count("\n") + 1, len(text) - (text.rfind("\n") + 1) + 1


@dataclass(frozen=True, slots=True)
class TomlFailure:
    line: int
    col: int
    message: str


def _needs_care(text: str) -> bool:
    """True when the text may hold what rtoml reads and TOML 1.0 does not.

    It looks without knowing where strings are, so a string or comment that only
    looks like one of these costs a careful parse, nothing more:
    - a leading BOM;
    - `\\e` or `\\x` after an odd run of backslashes: escapes of the 1.1 drafts;
    - a `{` where an inline table may open, after `=`, `[` or `,` (newlines and a
      trailing comma are 1.1 there), or after a line break (a comment may hide what
      is before it).
    Each backward look stops at the previous match's text, so the whole is linear.
    """
    if text.startswith("\ufeff"):
        return True
    for m in _ESCAPE_RE.finditer(text):
        start = i = m.start()
        while i > 0 and text[i - 1] == "\\":
            i -= 1
        if (start - i) % 2 == 0:  # the backslash before e/x is not itself escaped
            return True
    for m in _BRACE_RE.finditer(text):
        i = m.start()
        while i > 0 and text[i - 1] in _BLANK:
            i -= 1
            if text[i] == "\n":
                return True
        if i == 0 or text[i - 1] in "=[,":
            return True
    return False


def _timezones_as_tomllib(data: dict[str, Any]) -> None:
    """Give each offset datetime tomllib's tzinfo (`timezone.utc` or `timezone(offset)`), in place.

    rtoml's values are equal already (same fields, fractions cut to microseconds
    the same way); only the tzinfo class differs.
    """
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        pairs = list(item.items()) if type(item) is dict else list(enumerate(item))
        for key, value in pairs:
            if type(value) in _CONTAINERS:
                stack.append(value)
            elif type(value) is datetime.datetime and value.tzinfo is not None:
                offset = value.utcoffset()
                zone = datetime.UTC if not offset else datetime.timezone(offset)
                item[key] = value.replace(tzinfo=zone)


def _has_dates(data: dict[str, Any]) -> bool:
    """True when any value, at any depth, is a date, time or datetime (one walk, no recursion)."""
    stack: list[Any] = [data]
    while stack:
        item = stack.pop()
        values = list(item.values()) if type(item) is dict else item
        types = set(map(type, values))
        if types & _DATES:
            return True
        if types & _CONTAINERS:
            stack.extend(v for v in values if type(v) in _CONTAINERS)
    return False


def loads_fast(text: str) -> dict[str, Any] | None:
    """The fast reader's result when it is sure to equal the careful one, else None."""
    if _needs_care(text):
        return None
    try:
        import rtoml
    except ImportError:  # pragma: no cover - rtoml is a dependency; tomllib alone is correct
        return None
    if "\r" in text:
        # tomllib reads CRLF in a multi-line string as "\n", rtoml keeps it: give rtoml
        # LF only. A CR that is not before LF is an error, which the careful reader reports.
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    try:
        data: Any = rtoml.loads(text)
    except (KeyboardInterrupt, SystemExit):  # pragma: no cover
        raise
    except BaseException:  # rtoml's errors, and a Rust panic (pyo3's PanicException is a BaseException)
        return None
    if not isinstance(data, dict):
        return None
    if _DATEISH_RE.search(text) is not None and _has_dates(data):
        if _NO_SECONDS_RE.search(text) is not None:  # maybe a time without seconds (1.1), maybe text
            return None
        _timezones_as_tomllib(data)
    return data


def _position(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `text[index]`, as tomllib counts them."""
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _shorten(message: str, width: int = 100) -> str:
    """The first line of `message`, cut at a word boundary with "…" when longer than `width`."""
    first = message.splitlines()[0] if message else ""
    if len(first) <= width:
        return first
    cut = first[: width + 1].rsplit(" ", 1)[0] if " " in first[:width] else first[:width]
    return cut.rstrip(" ,;:") + "…"


def _out_of_range(text: str, exc: ValueError | OverflowError) -> TomlFailure:
    """The failure for a value Python refuses to hold: an integer past the digit limit is found and named.

    tomllib reads a decimal integer with `int()`, which refuses more than
    `sys.get_int_max_str_digits()` digits; the first run that long, not inside a word
    or right after a quote, is taken to be it (else the error stays at 1:1).
    """
    limit = sys.get_int_max_str_digits()
    if limit:
        # possessive: a plain `{n,}` of a group keeps memory for each digit (a 10 MiB number: 1 GB)
        run = re.search(r"(?<![\w.\"'])[+-]?[0-9](?:_?[0-9]){" + str(limit) + ",}+", text)
        if run is not None:
            digits = sum(ch.isdigit() for ch in run[0])
            line, col = _position(text, run.start())
            return TomlFailure(
                line, col, f"TOML value out of range: an integer of {digits} digits (the limit is {limit})"
            )
    return TomlFailure(1, 1, f"TOML value out of range: {_shorten(str(exc))}")


def _offset(text: str, line: int, col: int) -> int:
    """The index of `text` at 1-based `line` and `col` (tomllib's way of counting)."""
    start = 0
    for _ in range(line - 1):
        found = text.find("\n", start)
        if found < 0:
            break
        start = found + 1
    return min(start + col - 1, len(text))


def _too_deep_at(text: str) -> tuple[int, int]:
    """Where the value that nests too deep starts: the outermost `[` or `{` still open when arrays
    and inline tables are more than `_SHOWN_DEPTH` inside one another (strings and comments
    skipped); 1:1 when no such place is found. Only asked after tomllib gave up, so a hostile
    file costs one more scan that stops at the place."""
    opened: list[int] = []
    for m in _NEST_TOKEN_RE.finditer(text):
        ch = m[0]
        if ch in "[{":
            opened.append(m.start())
            if len(opened) > _SHOWN_DEPTH:
                return _position(text, opened[0])
        elif ch in "]}" and opened:
            opened.pop()
    return 1, 1


# ---- a key or table written twice: named, and pointed at where it is written the second time ----
# tomllib's words for it name no key (`Cannot declare ('deck',) twice`, a Python tuple, or just
# `Cannot overwrite a value`) and its place is after the value, past the end of a short line.
_CLASH_RE = re.compile(r"Cannot (?:overwrite a value|declare .* twice|mutate immutable namespace)")
_GAP_RE = re.compile(r"(?:[ \t\r\n]++|#[^\n]*+)*+")  # blank lines and comments between statements
_SIMPLE_KEY_RE = re.compile(_GAP_RE.pattern + r"([A-Za-z0-9_-]++)[ \t]*+=")
_SPACE_RE = re.compile(r"[ \t]*+")
_BARE_RE = re.compile(r"[A-Za-z0-9_-]++")
_BASIC_RE = re.compile(r'"((?:[^"\\\n]|\\.)*+)"')
_LITERAL_RE = re.compile(r"'([^'\n]*+)'")
_KEY_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_KEY_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", '"': '"', "\\": "\\", "e": "\x1b"}
_VALUE_TOKEN_RE = re.compile(_NEST_TOKEN_RE.pattern + r"|\n", re.S)
_SHOWN_KEY = 60  # characters of a key a message shows
_CURLY = "“”„‟‘’‚‛"
_Place = tuple[str | int, ...]  # a key's place: its names, and an array of tables' element by index


# What first gave a key's place: the index of its statement, what the place is ("key": a value,
# "dotted": a table a dotted key made, "table": [x], "array": [[x]], "implicit": a header's parent),
# and that statement's kind ("key", "table", "array") and key names, for the message.
_Seen = tuple[int, str, str, tuple[str, ...]]
# A statement: its index, kind, key names, place, and the current table before it.
_Statement = tuple[int, str, tuple[str, ...], _Place, _Place]


def _unescape_key(body: str) -> str:
    """A basic string key's escapes read (`"\\u0041"` is `A`), as tomllib reads them."""

    def one(m: re.Match[str]) -> str:
        code = m[1] or m[2]
        if code is not None:
            n = int(code, 16)
            return chr(n) if n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF else m[0]
        return _KEY_ESCAPES.get(m[3], m[0])

    return _KEY_ESCAPE_RE.sub(one, body)


def _after(pattern: re.Pattern[str], text: str, i: int) -> int:
    """The index after what `pattern` (blanks, comments: it may match nothing) takes at `text[i]`."""
    m = pattern.match(text, i)
    return i if m is None else m.end()


def _read_key(text: str, i: int) -> tuple[tuple[str, ...], int] | None:
    """The names of the (dotted) key at `text[i]` and the index after it; None: no key there."""
    names: list[str] = []
    while True:
        i = _after(_SPACE_RE, text, i)
        if (m := _BARE_RE.match(text, i)) is not None:
            names.append(m[0])
        elif (m := _BASIC_RE.match(text, i)) is not None:
            names.append(_unescape_key(m[1]))
        elif (m := _LITERAL_RE.match(text, i)) is not None:
            names.append(m[1])
        else:
            return None
        i = _after(_SPACE_RE, text, m.end())
        if not text.startswith(".", i):
            return tuple(names), i
        i += 1


def _value_end(text: str, i: int) -> int:
    """The index of the line break ending the value that starts at `text[i]` (strings, arrays and
    inline tables over several lines stepped over), or the end of the text."""
    depth = 0
    for m in _VALUE_TOKEN_RE.finditer(text, i):
        token = m[0]
        if token == "\n":
            if depth == 0:
                return m.start()
        elif token in ("[", "{"):
            depth += 1
        elif token in ("]", "}"):
            depth = max(depth - 1, 0)
    return len(text)


def _statements(text: str, stop: int) -> Iterator[tuple[int, str, tuple[str, ...]]]:
    """Each statement starting before `stop`: its index, its kind ("key", "table" for `[x]`,
    "array" for `[[x]]`) and its key's names. Only the text that tomllib read without a fault
    is asked for, so a statement that does not read ends the walk (never an exception). A bare
    key with a one-line value, most of a deck, takes one regex match and one line search."""
    i = 0
    names: tuple[str, ...]
    while True:
        if (m := _SIMPLE_KEY_RE.match(text, i)) is not None:
            start, kind, names, i = m.start(1), "key", (m[1],), m.end()
        else:
            i = _after(_GAP_RE, text, i)
            start = i
            kind = "array" if text.startswith("[[", i) else "table" if text.startswith("[", i) else "key"
            read = _read_key(text, i + {"array": 2, "table": 1, "key": 0}[kind])
            if read is None:
                return
            names, i = read
            close = {"array": "]]", "table": "]", "key": "="}[kind]
            if not text.startswith(close, i):
                return
            i += len(close)
        if start >= stop:
            return
        if kind == "key":
            end = text.find("\n", i)
            line = text[i:] if end < 0 else text[i:end]
            if "[" in line or "{" in line or '"""' in line or "'''" in line:
                end = _value_end(text, i)
            i = len(text) if end < 0 else end
        yield start, kind, names


def _shown_name(names: tuple[str, ...]) -> str:
    """A dotted key as a message shows it: a bare name as is, another quoted with its unsafe
    characters (controls, bidi marks, a backtick) escaped, the whole cut when long."""
    parts = []
    for name in names:
        if _BARE_RE.fullmatch(name):
            parts.append(name)
            continue
        out = []
        for ch in name[:_SHOWN_KEY]:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ch.isprintable() and ch != "`":
                out.append(ch)
            else:
                out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        parts.append(f'"{"".join(out)}"')
    shown = ".".join(parts)
    return shown if len(shown) <= _SHOWN_KEY else shown[:_SHOWN_KEY] + "…"


def _said(kind: str, names: tuple[str, ...]) -> str:
    name = _shown_name(names)
    return {"key": f"key `{name}`", "table": f"[{name}]", "array": f"[[{name}]]"}[kind]


def _place(table: _Place, kind: str, names: tuple[str, ...], arrays: dict[_Place, int]) -> _Place:
    """A statement's key's place: a key's below the current table; a header's from the root,
    each array of tables on the way meaning its last element (the header's own name never)."""
    if kind == "key":
        return table + names
    place: _Place = ()
    for n, name in enumerate(names):
        place = (*place, name)
        if n < len(names) - 1 and place in arrays:
            place = (*place, arrays[place] - 1)
    return place


def _first(seen: dict[_Place, _Seen], place: _Place) -> tuple[_Seen, bool] | None:
    """What the place was already given by, and whether at that very place (else: a value at a
    place above it, which can hold no key)."""
    found = seen.get(place)
    if found is not None:
        return found, True
    above = (s for n in range(1, len(place)) if (s := seen.get(place[:n])) is not None and s[1] == "key")
    return next(((s, False) for s in above), None)


def _record(seen: dict[_Place, _Seen], statement: _Statement) -> None:
    """Remember the places a statement gives: its own, and the tables it makes on the way (a
    dotted key's below the current table, a header's from the root)."""
    start, kind, names, place, table = statement
    made = "dotted" if kind == "key" else "implicit"
    for n in range(len(table) + 1 if kind == "key" else 1, len(place)):
        seen.setdefault(place[:n], (start, made, kind, names))
    old = seen.get(place)
    if old is None or (kind == "table" and old[1] == "implicit"):  # `[a.b]` then `[a]`: fine, once
        seen[place] = (start, kind, kind, names)


def _named_clash(text: str, stop: int) -> tuple[int, int, str] | None:
    """Line, column and message for tomllib's refusal of a key or table given twice, which it
    made reading the statement before `stop` (the last one the walk finds): the key named
    (escaped), the place its statement starts, and the line that gave it first. None when the
    walk does not find it. Each statement is remembered when the next one is read, so the last
    one is looked up among those before it."""
    seen: dict[_Place, _Seen] = {}
    arrays: dict[_Place, int] = {}
    table: _Place = ()
    last: _Statement | None = None
    for start, kind, names in _statements(text, stop):
        if last is not None:
            _record(seen, last)
        place = _place(table, kind, names, arrays)
        last = (start, kind, names, place, table)
        if kind == "table":
            table = place
        elif kind == "array":
            arrays[place] = arrays.get(place, 0) + 1
            table = (*place, arrays[place] - 1)
    found = _first(seen, last[3]) if last is not None else None
    if last is None or found is None:
        return None
    (start, kind, names, _, _), ((offset, first, by, by_names), same) = last, found
    line, col = _position(text, start)
    at = text.count("\n", 0, offset) + 1
    name = _shown_name(names)
    if same and kind == first == "key":
        return line, col, f"TOML syntax: duplicate key `{name}` (first at line {at})"
    if same and kind == first == "table":
        return line, col, f"TOML syntax: table [{name}] declared twice (first at line {at})"
    subject = f"key `{name}`" if kind == "key" else f"table {_said(kind, names)}"
    return line, col, f"TOML syntax: {subject} clashes with {_said(by, by_names)} at line {at}"


def _curly_hint(text: str, line: int, col: int) -> str:
    """A word for a curly quote where tomllib stopped (a word processor's `“x”`), or just after
    one (`"x”`: the string never closed)."""
    i = _offset(text, line, col)
    here = text[i] if i < len(text) else ""
    if (here and here in _CURLY) or (here in ("\n", "") and i > 0 and text[i - 1] in _CURLY):
        return " (a curly quote); use straight quotes (\" or ')"
    return ""


def loads_careful(text: str) -> dict[str, Any] | TomlFailure:
    """Parse with the stdlib reader: syntax errors keep their position, parser bombs get a plain message.

    The standard parser raises RecursionError on deep nesting and ValueError on
    integers beyond Python's digit limit; neither is a TOMLDecodeError.
    """
    bomb = _LONG_DOTTED_RE.search(text)
    if bomb:
        line, col = _position(text, bomb.start())
        return TomlFailure(line, col, f"dotted key has more than {MAX_KEY_PARTS} parts")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _POS_RE.search(msg)
        line, col = (int(m[1]), int(m[2])) if m else _end_of(text) if _AT_END in msg else (1, 1)
        said = _POS_RE.sub("", msg).strip()
        if _CLASH_RE.match(said):
            named = _named_clash(text, _offset(text, line, col))
            if named is not None:
                return TomlFailure(*named)
        return TomlFailure(line, col, f"TOML syntax: {said}{_curly_hint(text, line, col)}")
    except RecursionError:
        return TomlFailure(*_too_deep_at(text), NESTING_TOO_DEEP)  # (every caller names its file)
    except (ValueError, OverflowError) as exc:
        return _out_of_range(text, exc)
    except MemoryError:
        return TomlFailure(1, 1, "TOML document is too large to parse")


def loads_safe(text: str) -> dict[str, Any] | TomlFailure:
    """Parse TOML: the fast reader when it is sure to agree, else the careful one (and its messages)."""
    data = loads_fast(text)  # rtoml refuses a long dotted key quickly (its depth limit)
    if data is not None:
        return data
    return loads_careful(text)
