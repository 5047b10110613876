"""The one way the command line prints: every piece of deck, file or archive text is sanitised.

Deck names, groups, card text, file names and the messages that quote them
come from strangers (ARCHITECTURE §5). Printed raw, an `ESC ]52;` in a deck
name writes the user's clipboard. Every command prints through these helpers,
which pass the text through `core.sanitize`, the same sanitiser the TUI uses:

- `out`/`err`: one line (tabs and newlines become spaces) to stdout/stderr;
- `out_lines`: many such lines at once (what `out` prints for each, in one write);
- `out_block`: several lines (newlines kept) to stdout;
- `cell`: one table cell, sanitised before its width is measured (`columns`, `ljust`);
- `columns`, `ljust`: a cell's width as stdout will show it: on a stdout that is not UTF-8
  (`PYTHONIOENCODING=ascii`, a Latin-1 locale) what its encoding lacks is printed as `?`,
  one column, so `日本語` takes three there, not six (`shown`);
- `clip`: a name cut to at most `NAME_COLUMNS` terminal columns, "…" at its end, so that
  one long deck name cannot widen every row of a table (`--json` keeps it whole);
- `dumps`: JSON with C1 controls, bidi and other unsafe characters escaped
  (`\\u009b`), so the data round-trips but never acts on a terminal; on a stdout that is
  not UTF-8 every non-ASCII character is escaped, never printed as `?`.

A stderr closed from the start (`retain stats 2>&-`) takes nothing and is no error either;
nor is a stderr that cannot be written (`2>/dev/full`): the report still goes to stdout.
A stdout closed from the start (`>&-`) is an error, as a full disk is (`cli` refuses to
run a command then, before it does anything).
A reader that has left (`retain import DIR | head -1`) is no error of the command's:
the stream is pointed at the null device and the command goes on with its work, as it
does when the lines were still in the buffer. Without this, the `BrokenPipeError`
surfaced in whichever `except OSError` was around the print, and an import reported
"import failed: Broken pipe" for files it then never wrote.

A command that changes files says what it changed with `report` (printed as `out` prints,
and kept): should the report be lost (`> /dev/full`), the error line names what was done
(`done_so_far`), so a script that retries on exit 1 does not add the card a second time. A
stdout that cannot be written raises `OutputError` (an OSError): a loop that goes on past a
failed file goes no further past a lost report.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import sys
import unicodedata
from collections.abc import Iterable
from typing import Any, TextIO

from retain.core.sanitize import escape_unsafe, sanitize, sanitize_line

__all__ = [
    "NAME_COLUMNS",
    "OutputError",
    "cell",
    "clip",
    "columns",
    "did",
    "done_so_far",
    "drop_stream",
    "dumps",
    "err",
    "ljust",
    "out",
    "out_block",
    "out_lines",
    "out_text",
    "report",
    "safe_strings",
    "shown",
]

_DONE: list[str] = []  # what the command changed, as `report` printed it


class OutputError(OSError):
    """Standard output could not be written (a full disk behind `> file`): the report is lost."""


def report(text: str) -> None:
    """`out` for a line that says what the command changed (a file written): kept for the error
    line, should the output be lost (`done_so_far`)."""
    did(text)
    out(text)


def did(text: str) -> None:
    """Keep `text` (what the command changed) for the error line only: a change its report does not
    print (`stats --svg` beside its JSON)."""
    _DONE.append(sanitize_line(text).strip())


def done_so_far() -> list[str]:
    """The lines `report` was given, in order."""
    return list(_DONE)


def drop_stream(stream: TextIO) -> None:
    """Point `stream`'s file descriptor at the null device: what is still buffered for it, and
    all that follows, goes nowhere (and the interpreter's last flush prints no "Exception
    ignored" traceback)."""
    try:
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stream.fileno())
        os.close(null)
    except (OSError, ValueError, AttributeError):  # no file descriptor (a test's captured stream, None)
        pass


def _write(text: str, to_stderr: bool = False) -> None:
    """Write `text` to stdout (or stderr); a reader that has left makes it the null device.

    A stderr closed before the start (`retain due 2>&-`: Python's is `None`) takes nothing; a
    stdout closed so (`>&-`) is an OSError, as a full disk is: the report is lost."""
    stream = sys.stderr if to_stderr else sys.stdout
    if stream is None:
        if not to_stderr:
            import errno

            raise OSError(errno.EBADF, "standard output is closed")
        return
    try:
        stream.write(text)
    except BrokenPipeError:
        drop_stream(stream)
    except OSError as exc:
        if not to_stderr:  # the report itself is lost (`> /dev/full`): the command says so and fails
            raise OutputError(*exc.args) from None
        # Warnings and errors that cannot be written (`2>/dev/full`) are not the report: there is
        # nowhere left to say anything, and the report (`due --json` for a script) still goes out.
        drop_stream(stream)


def cell(text: object) -> str:
    return sanitize_line(str(text))


# What takes no column on a terminal (wcwidth's rule): marks (Thai vowel and tone marks,
# Devanagari's virama), format characters, and the vowels and finals of decomposed Hangul.
_ZERO_WIDTH_CATEGORIES = frozenset(("Mn", "Me", "Cf"))
NAME_COLUMNS = 48  # the widest a name is shown in a table (`due`, `stats`)


def _cell_width(ch: str) -> int:
    if unicodedata.category(ch) in _ZERO_WIDTH_CATEGORIES or "\u1160" <= ch <= "\u11ff":
        return 0
    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _text_columns(text: str) -> int:
    """The terminal columns of `text` itself (see `columns`)."""
    return len(text) if text.isascii() else sum(_cell_width(ch) for ch in text)


_REPLACING = ("replace", "backslashreplace", "xmlcharrefreplace", "namereplace", "ignore")


def _stdout_codec() -> tuple[str, str] | None:
    """The encoding of stdout and what it does with a character it lacks (the CLI makes that
    `replace`: a `?`); None when it shows every character (UTF-8), or is not known."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        name = codecs.lookup(encoding).name
    except (LookupError, TypeError):
        return None
    if name.startswith("utf"):  # (UTF-8, -16, -32: every character sanitised text holds)
        return None
    errors = getattr(sys.stdout, "errors", None)
    return name, errors if errors in _REPLACING else "replace"


def _shown(text: str, codec: tuple[str, str] | None) -> str:
    if codec is None or text.isascii():
        return text
    name, errors = codec
    try:
        return text.encode(name, errors).decode(name, "replace")
    except (UnicodeError, LookupError, TypeError, ValueError):  # (a codec that is no text encoding)
        return text


def shown(text: str) -> str:
    """`text` as stdout will show it: on a stdout that is not UTF-8 what its encoding lacks
    becomes what the stream writes instead (`?`), which is what a table's widths must measure."""
    return _shown(text, _stdout_codec())


def columns(text: str) -> int:
    """How many terminal columns `text` takes on stdout: two for a wide (CJK) character, none
    for a combining mark. `len` is wrong for both, and a table padded by it comes apart. On a
    stdout that is not UTF-8 it is what the stream shows that is measured (`shown`): `日本語`
    printed as `???` takes three columns, not six."""
    return _text_columns(shown(text))


def clip(text: str, width: int = NAME_COLUMNS) -> str:
    """`text` cut to at most `width` terminal columns on stdout (see `columns`), its last one
    "…" when anything was cut."""
    if columns(text) <= width:
        return text
    codec = _stdout_codec()
    used = 0
    for i, ch in enumerate(text):
        used += _text_columns(_shown(ch, codec))
        if used > width - 1:
            return text[:i].rstrip() + "…"
    return text


def ljust(text: str, width: int) -> str:
    """`text` padded with spaces to `width` terminal columns on stdout (see `columns`)."""
    return text + " " * max(width - columns(text), 0)


def out(text: object = "") -> None:
    _write(sanitize_line(str(text)) + "\n")


def out_lines(lines: Iterable[object]) -> None:
    """Print each item as `out` would, sanitising them together (100k problem lines: one regex pass)."""
    texts = [str(t) for t in lines]
    if not texts:
        return
    blob = "\n".join(texts)
    if blob.count("\n") != len(texts) - 1 or "\r" in blob:  # a line of its own has a line break
        blob = "\n".join(sanitize_line(t) for t in texts)
    else:  # sanitize_line's work on the joined text: the joins are the only newlines in it
        blob = sanitize(blob.replace("\u2028", " ").replace("\u2029", " ")).replace("\t", " ")
    _write(blob + "\n")


_LONG_WORD = re.compile(r"\S{400,}")
_LINE_MAX = 2000  # characters of one error line: its start and end are kept around a "…"


def _clipped(line: str) -> str:
    """An error line a person can read: a word of 400 characters or more (a pasted argument of
    120 KB was echoed whole) keeps its first 200 and last 40, and a line still over `_LINE_MAX`
    its first 1,500 and last 300 characters."""
    line = _LONG_WORD.sub(lambda m: f"{m[0][:200]}…{m[0][-40:]}", line)
    return line if len(line) <= _LINE_MAX else f"{line[:1500]} … {line[-300:]}"


def err(text: object) -> None:
    """One line on stderr: sanitised, and clipped where a word or the line is huge."""
    _write(_clipped(sanitize_line(str(text))) + "\n", to_stderr=True)


def out_block(text: str) -> None:
    _write(sanitize(text) + "\n")


def out_text(text: str) -> None:
    """One line already made safe (`dumps`' JSON), as is."""
    _write(text + "\n")


def dumps(data: Any) -> str:
    """JSON for stdout: non-ASCII characters as they are on a UTF-8 stdout, as `\\uXXXX`
    escapes on any other (a Latin-1 locale would print `?` for them: the data would be lost)."""
    encoding = getattr(sys.stdout, "encoding", None) or "utf-8"
    try:
        utf = codecs.lookup(encoding).name.startswith("utf")
    except LookupError:
        utf = False
    return escape_unsafe(json.dumps(data, ensure_ascii=not utf))


def safe_strings(data: Any) -> Any:
    """A copy of nested dicts/lists with every string passed through `sanitize_line` (for tables)."""
    if isinstance(data, str):
        return sanitize_line(data)
    if isinstance(data, dict):
        return {k: safe_strings(v) for k, v in data.items()}
    if isinstance(data, list | tuple):
        return [safe_strings(v) for v in data]
    return data
