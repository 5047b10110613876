"""The untrusted-text sanitiser: no control or invisible format character survives."""

from __future__ import annotations

import re
import sys
import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from retain.core.sanitize import JOINERS, REPLACEMENT, UNSAFE_RANGES, is_unsafe, sanitize, sanitize_line

FLAG = "\U0001f3f4[\U000e0030-\U000e0039\U000e0061-\U000e007a]{2,7}\U000e007f"
FORBIDDEN_CATEGORIES = {"Cc", "Cf", "Cs", "Zl", "Zp"}
BIDI_AND_ZERO_WIDTH = [
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
    0x200E,
    0x200F,
    0x061C,
    0x200B,
    0x2060,
    0xFEFF,
]


def forbidden(ch: str) -> bool:
    if ch in "\t\n" or ch in JOINERS:  # joiners are shown (tests/ui/test_h21_joiners_shown.py)
        return False
    return unicodedata.category(ch) in FORBIDDEN_CATEGORIES or ord(ch) in BIDI_AND_ZERO_WIDTH


def test_table_covers_every_control_and_format_character() -> None:
    missing = [
        hex(cp)
        for cp in range(sys.maxunicode + 1)
        if unicodedata.category(chr(cp)) in FORBIDDEN_CATEGORIES
        and not any(lo <= cp <= hi for lo, hi in UNSAFE_RANGES)
    ]
    assert missing == []


@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())))
def test_output_never_contains_a_forbidden_character(text: str) -> None:
    out = re.sub(FLAG, "", sanitize(text))  # a subdivision flag's tags are shown
    assert not any(forbidden(ch) for ch in out)
    assert "\r" not in out and "\x1b" not in out


@given(st.text())
def test_sanitize_is_idempotent(text: str) -> None:
    once = sanitize(text)
    assert sanitize(once) == once


@given(st.text(alphabet=st.characters(exclude_categories=("Cc", "Cf", "Cs", "Zl", "Zp", "Cn", "Co"))))
def test_safe_text_is_unchanged(text: str) -> None:
    if any(is_unsafe(ch) for ch in text):
        return  # the few invisible letters (Hangul fillers) are replaced on purpose
    assert sanitize(text) == text


@given(st.text())
def test_sanitize_line_is_one_line(text: str) -> None:
    out = sanitize_line(text)
    assert "\n" not in out and "\t" not in out
    assert not any(forbidden(ch) for ch in out)


def test_terminal_sequences_become_visible() -> None:
    osc52 = "\x1b]52;c;aGVsbG8=\x07"
    assert sanitize(osc52) == "␛]52;c;aGVsbG8=␇"
    assert sanitize("\x9b31m\x9d0;title\x9c") == f"{REPLACEMENT}31m{REPLACEMENT}0;title{REPLACEMENT}"
    assert sanitize("a\x7fb\x00") == "a␡b␀"


def test_newlines_and_tabs_are_kept_and_crlf_collapses() -> None:
    assert sanitize("a\tb\r\nc\rd\u2028e") == "a\tb\nc␍d\ne"


def test_bidi_and_zero_width_are_replaced() -> None:
    for cp in BIDI_AND_ZERO_WIDTH:
        assert sanitize(f"x{chr(cp)}y") == f"x{REPLACEMENT}y"


def test_markup_is_left_as_text() -> None:
    # Markup is neutralised by the widgets (they never parse card text), not here.
    assert sanitize("[@click=app.quit]x[/bold]") == "[@click=app.quit]x[/bold]"
