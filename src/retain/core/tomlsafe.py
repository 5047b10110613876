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
"""

from __future__ import annotations

import datetime
import re
import sys
import tomllib
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
        return TomlFailure(line, col, f"TOML syntax: {_POS_RE.sub('', msg).strip()}")
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
