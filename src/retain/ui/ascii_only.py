"""A terminal that is not UTF-8 (a locale naming another charset, `en_US.ISO-8859-1`, or a
stderr that cannot encode UTF-8, `PYTHONIOENCODING=latin-1`, `LC_ALL=C PYTHONUTF8=0`): only
ASCII is drawn.

Textual draws in UTF-8 whatever the locale says: the key bar's `⏎`, the progress bar's `━`, the
buttons' `▔▁` edges, `✗`, `·` and `…` reached a terminal that is not UTF-8 as two or three bytes
of garbage each, which also shifted the rest of the line; with Python's UTF-8 mode off each
became `?`, and the key bar read `? Study selected ... ? Help`. Under such a locale the app draws
every cell through `AsciiOnly`: each character becomes an ASCII one of the same width (box lines
`- | +`, blocks `# % + :`, arrows `< > ^ v`, `é` as `e`), and a key is named (`enter`, `up`)
where it was a symbol. A locale allows UTF-8 unless the first of LC_ALL, LC_CTYPE and LANG that
is set names another charset (`utf8_locale`); and stderr, where Textual writes, must encode
UTF-8 too.
"""

from __future__ import annotations

import os
import sys
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import TextIO

from rich.cells import cell_len
from rich.segment import Segment
from textual.color import Color
from textual.filter import LineFilter
from textual.keys import format_key

__all__ = ["AsciiOnly", "ascii_terminal", "ascii_text", "display_key", "utf8_locale"]


def utf8_locale(environ: Mapping[str, str]) -> bool:
    """Whether the locale allows UTF-8: the first of LC_ALL, LC_CTYPE and LANG that is set names
    it (`C.UTF-8`, `en_US.utf8`), or is the C/POSIX locale, or none is set. Under those two Python
    writes UTF-8 (PEP 538/540), and the terminals behind them (a container, a bare ssh session)
    are UTF-8 today: drawing ASCII there turned a Japanese card into `???`. Only a locale that
    names another charset (`en_US.ISO-8859-1`) is no UTF-8; the stream decides the rest."""
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        value = environ.get(name)
        if value:
            return value in ("C", "POSIX") or "utf8" in value.lower().replace("-", "").replace("_", "")
    return True


def ascii_terminal(environ: Mapping[str, str] | None = None, stream: TextIO | None = None) -> bool:
    """Whether only ASCII may be drawn: the locale is not UTF-8, or the stream Textual writes to
    (stderr) does not encode UTF-8 (`PYTHONIOENCODING=latin-1`, or `PYTHONUTF8=0` under `LANG=C`:
    `⏎` went out as `\u23ce`, six cells)."""
    if not utf8_locale(os.environ if environ is None else environ):
        return True
    stream = sys.__stderr__ if stream is None else stream
    encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("-", "").replace("_", "")
    return not encoding.startswith("utf")


# Keys Textual shows as a symbol (`textual.keys.KEY_DISPLAY_ALIASES`), by name instead.
_KEY_NAMES = {"enter": "enter", "up": "up", "down": "down", "left": "left", "right": "right",
              "backspace": "backspace", "tab": "tab"}  # fmt: skip


def display_key(key: str, ascii_only: bool | None = None) -> str:
    """`ctrl+z` as shown to the user: Textual's form (`⏎`, `↑`), or the key's name when the
    locale is not UTF-8 (`ascii_only` None: as the environment says)."""
    *modifiers, name = key.strip().split("+")
    if ascii_only is None:
        ascii_only = ascii_terminal()
    shown = (_KEY_NAMES.get(name) or ascii_text(format_key(name))) if ascii_only else format_key(name)
    return "+".join([*modifiers, shown])


# One ASCII character (or as many as the character has cells) for each non-ASCII one the app,
# its cards and Textual draw; the rest by name (`_by_name`), by decomposition (`é` -> `e`), or `?`.
_TABLE = {
    "·": ".", "…": ".", "•": "*", "●": "*", "○": "o", "■": "#", "□": "o", "◆": "*", "◇": "o",
    "—": "-", "–": "-", "−": "-", "‐": "-", "‑": "-", "‒": "-", "―": "-",
    "‘": "'", "’": "'", "‚": ",", "“": '"', "”": '"', "„": '"', "′": "'", "″": '"', "«": "<", "»": ">",
    "✓": "+", "✔": "+", "✗": "x", "✘": "x", "×": "x", "÷": "/", "±": "+", "≈": "~", "≠": "#",
    "≤": "<", "≥": ">", "°": "o", "µ": "u", "⚠": "!", "♪": "*", "♫": "*", "★": "*", "☆": "*",
    "⏎": "<", "⌫": "<", "⇥": ">", "␛": "^", "␡": "^", "�": "?",
    "←": "<", "→": ">", "↑": "^", "↓": "v", "↔": "-", "⇐": "<", "⇒": ">", "⇔": "=",
    "▲": "^", "▼": "v", "△": "^", "▽": "v", "◀": "<", "▶": ">", "◂": "<", "▸": ">", "◄": "<", "►": ">",
    "⟨": "<", "⟩": ">",
    "█": "#", "▓": "%", "▒": "+", "░": ":", "▔": "-", "▁": "_", "▀": "#", "▄": "#",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u3000": "  ",
    "🔎": "> ", "🔍": "> ", "🖼": "[]",
}  # fmt: skip


def _by_name(ch: str) -> str | None:
    """Box lines and partial blocks by their Unicode names."""
    name = unicodedata.name(ch, "")
    if name.startswith("BOX DRAWINGS"):
        words = set(name.split())
        across = bool(words & {"HORIZONTAL", "LEFT", "RIGHT"})
        down = bool(words & {"VERTICAL", "UP", "DOWN"})
        if across and not down:
            return "=" if "HEAVY" in name or "DOUBLE" in name else "-"
        return "|" if down and not across else "+"
    if name.startswith(("LEFT ", "RIGHT ")) and "BLOCK" in name:
        return "|"
    if name.startswith(("LOWER ", "UPPER ")) and "BLOCK" in name:
        return "_" if name.startswith("LOWER ONE") else "#"
    if name.startswith("QUADRANT") or name.startswith("BLACK"):
        return "#"
    return None


@lru_cache(4096)
def _ascii_char(ch: str) -> str:
    """`ch` as ASCII in as many cells as it takes (none for a mark that takes none)."""
    width = cell_len(ch)
    if width == 0:
        return ""
    shown = _TABLE.get(ch) or _by_name(ch)
    if shown is None:
        decomposed = unicodedata.normalize("NFKD", ch)
        letters = "".join(c for c in decomposed if not unicodedata.combining(c))
        shown = letters if letters.isascii() and letters.isprintable() and letters else "?" * width
    return shown[:width].ljust(width)


@lru_cache(4096)
def ascii_text(text: str) -> str:
    """`text` in ASCII, each character in the cells it took."""
    if text.isascii():
        return text
    return "".join(ch if ch.isascii() else _ascii_char(ch) for ch in text)


class AsciiOnly(LineFilter):
    """Every character drawn as ASCII of the same width (a terminal that is not UTF-8)."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        return [
            segment if control or text.isascii() else Segment(ascii_text(text), style, control)
            for segment in segments
            for text, style, control in (segment,)
        ]
