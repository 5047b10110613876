"""Make untrusted text (deck content, file names, error messages) safe to display.

Card text is data: it must never reach the terminal as a control sequence or
reorder what is shown around it. Every string from a deck goes through
`sanitize` before any widget sees it:

- C0 controls (except tab and newline) become their visible Control Pictures
  (ESC -> "␛", BEL -> "␇"), DEL becomes "␡", CRLF becomes a newline.
- C1 controls, bidi overrides and isolates, zero-width and other invisible
  format characters (Unicode category Cf), surrogates and noncharacters
  become U+FFFD "�"; but for the zero-width non-joiner and joiner that
  Persian, Indic scripts and emoji need, and a subdivision flag's tags.
- The line and paragraph separators U+2028/U+2029 become newlines.

Textual markup is a separate concern: widgets never parse card text as markup
(they use `Content(text)` or `markup=False`), so `[` is kept as it is.
"""

from __future__ import annotations

import re

__all__ = [
    "JOINERS",
    "REPLACEMENT",
    "UNSAFE_RANGES",
    "escape_unsafe",
    "is_unsafe",
    "sanitize",
    "sanitize_line",
    "sanitize_pieces",
]

REPLACEMENT = "\ufffd"

# Every range here is replaced. Category Cc, Cf, Cs, Zl and Zp of Unicode 14
# (tests/ui/test_sanitize.py checks this table against `unicodedata`), the
# noncharacters, and a few invisible letters used to spoof blank text.
_BASE_RANGES: tuple[tuple[int, int], ...] = (
    (0x0000, 0x001F),  # C0 (tab and newline are let through below)
    (0x007F, 0x009F),  # DEL and C1
    (0x00AD, 0x00AD),  # soft hyphen
    (0x034F, 0x034F),  # combining grapheme joiner
    (0x0600, 0x0605),  # Arabic number signs
    (0x061C, 0x061C),  # Arabic letter mark (bidi)
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x115F, 0x1160),  # Hangul fillers (invisible)
    (0x180E, 0x180E),  # Mongolian vowel separator
    (0x200B, 0x200F),  # zero-width space/non-joiner/joiner, LRM, RLM
    (0x2028, 0x202E),  # line/paragraph separator, bidi embeddings and overrides
    (0x2060, 0x2064),  # word joiner, invisible operators
    (0x2066, 0x206F),  # bidi isolates, deprecated format characters
    (0x3164, 0x3164),  # Hangul filler
    (0xD800, 0xDFFF),  # surrogates
    (0xFDD0, 0xFDEF),  # noncharacters
    (0xFEFF, 0xFEFF),  # zero-width no-break space / BOM
    (0xFFA0, 0xFFA0),  # halfwidth Hangul filler
    (0xFFF9, 0xFFFB),  # interlinear annotation
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
    (0x13430, 0x13438),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001),  # language tag
    (0xE0020, 0xE007F),  # tag characters
)
_NONCHARACTERS = tuple(((plane << 16) | 0xFFFE, (plane << 16) | 0xFFFF) for plane in range(17))
UNSAFE_RANGES: tuple[tuple[int, int], ...] = tuple(sorted(_BASE_RANGES + _NONCHARACTERS))


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    parts = []
    for lo, hi in ranges:
        parts.append(f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}")
    return "".join(parts)


# Shown as written though invisible: the zero-width non-joiner and joiner (a Persian or Indic word
# needs them, an emoji family is made with the joiner; neither reorders text or moves the cursor),
# and the tag characters of a subdivision flag (the black flag, a lowercase code, the cancel tag:
# England's, Scotland's and Wales's flags). Tags anywhere else are hidden text, and replaced.
JOINERS = "\u200c\u200d"
_FLAG = "\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,7}\U000e007f"


def _without(ranges: tuple[tuple[int, int], ...], chars: str) -> tuple[tuple[int, int], ...]:
    """`ranges` less the code points of `chars`."""
    out: list[tuple[int, int]] = []
    for lo, hi in ranges:
        for cp in sorted(ord(c) for c in chars if lo <= ord(c) <= hi):
            if lo < cp:
                out.append((lo, cp - 1))
            lo = cp + 1
        if lo <= hi:
            out.append((lo, hi))
    return tuple(out)


_SHOWN_RANGES = _without(UNSAFE_RANGES, JOINERS)  # what `sanitize` replaces (a flag's tags aside)

# Tab and newline are safe; CRLF collapses to a newline before anything else.
_UNSAFE_RE = re.compile(f"({_FLAG})|\r\n|(?![\t\n])[{_char_class(_SHOWN_RANGES)}]")
_LINE_RE = re.compile(r"[\t\n]")
# The same search, faster: sre tests a class of BMP ranges with a bitmap, but tries
# astral ranges one by one (10x slower), so those are looked for only in text that has
# astral characters; ASCII text can only hold C0 controls and DEL (CR included).
_SEARCH_RANGES = ((0x00, 0x08), (0x0B, 0x1F), *(r for r in _SHOWN_RANGES if r[0] > 0x1F))
_ASCII_UNSAFE_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BMP_UNSAFE_RE = re.compile(f"[{_char_class(tuple(r for r in _SEARCH_RANGES if r[1] <= 0xFFFF))}]")
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")


def _has_unsafe(text: str) -> bool:
    """`_UNSAFE_RE.search(text) is not None`, at memory speed for ASCII and BMP text."""
    if text.isascii():
        return _ASCII_UNSAFE_RE.search(text) is not None
    if _ASTRAL_RE.search(text) is None:
        return _BMP_UNSAFE_RE.search(text) is not None
    return _UNSAFE_RE.search(text) is not None


def _placeholder(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x20:
        return chr(0x2400 + cp)  # Control Pictures: "␀".."␟"
    if cp == 0x7F:
        return "\u2421"  # "␡"
    if cp in (0x2028, 0x2029):
        return "\n"
    return REPLACEMENT


def _replace(match: re.Match[str]) -> str:
    text = match.group()
    if match.group(1):  # a subdivision flag: shown as written
        return text
    return "\n" if text == "\r\n" else _placeholder(text)


def is_unsafe(ch: str) -> bool:
    """True for a single character that `sanitize` replaces (a tag character is replaced unless it
    is part of a subdivision flag)."""
    return ch not in "\t\n" and _UNSAFE_RE.fullmatch(ch) is not None


def sanitize(text: str) -> str:
    """Return `text` with every terminal control and invisible format character made visible and inert."""
    if not _has_unsafe(text):
        return text
    return _UNSAFE_RE.sub(_replace, text)


def sanitize_line(text: str) -> str:
    """Like `sanitize`, for one-line places (names, list rows): tabs and newlines become spaces."""
    return _LINE_RE.sub(" ", sanitize(text))


def sanitize_pieces(text: str, *, one_line: bool = False) -> list[tuple[str, str]]:
    """`sanitize(text)` (or `sanitize_line`) one shown character at a time: (shown, the text it stands for).

    For editors: a replacement the user left alone must be saved as the text it
    replaced, never as its "␛" or "�".
    """
    pieces: list[tuple[str, str]] = []
    start = 0
    for match in _UNSAFE_RE.finditer(text) if _has_unsafe(text) else ():
        if match.group(1):  # a flag: shown as written (its characters are left in the text)
            continue
        pieces.extend((ch, ch) for ch in text[start : match.start()])
        pieces.append((_replace(match), match.group()))
        start = match.end()
    pieces.extend((ch, ch) for ch in text[start:])
    if one_line:
        pieces = [(" " if shown in "\t\n" else shown, original) for shown, original in pieces]
    return pieces


_ANY_UNSAFE_RE = re.compile(f"[{_char_class(UNSAFE_RANGES)}]")


def _escape(match: re.Match[str]) -> str:
    cp = ord(match.group())
    if cp < 0x10000:
        return f"\\u{cp:04x}"
    cp -= 0x10000
    return f"\\u{0xD800 + (cp >> 10):04x}\\u{0xDC00 + (cp & 0x3FF):04x}"


def escape_unsafe(json_text: str) -> str:
    """JSON text with every character `sanitize` would replace written as a `\\uXXXX` escape.

    For `json.dumps(..., ensure_ascii=False)` output: the data stays exactly as
    it was for the program that reads it, while C1 controls, bidi overrides and
    the like never reach a terminal raw. Outside strings JSON text is ASCII, so
    every such character sits inside a string, where the escape is valid.
    """
    return _ANY_UNSAFE_RE.sub(_escape, json_text)
