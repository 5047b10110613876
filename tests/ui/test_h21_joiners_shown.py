"""Joiners and emoji flag tags are shown as written: Persian and Indic words need the zero-width
non-joiner and joiner, emoji families the joiner, and the flags of England, Scotland and Wales a
tag sequence. They were shown as U+FFFD "�" with every other invisible character."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.sanitize import REPLACEMENT, sanitize, sanitize_line, sanitize_pieces

from .conftest import OpenApp
from .screen import screen_text, until

PERSIAN = "می\u200cخواهم"  # "I want": the ZWNJ keeps the prefix unjoined
DEVANAGARI = "क्\u200dष"  # a half form asked for with ZWJ
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"


@pytest.mark.parametrize("text", [PERSIAN, DEVANAGARI, FAMILY, SCOTLAND, f"{FAMILY} and {SCOTLAND}"])
def test_joiners_and_flag_tags_are_shown_as_written(text: str) -> None:
    assert sanitize(text) == text
    assert sanitize_line(text) == text
    assert "".join(shown for shown, _ in sanitize_pieces(text)) == text


@pytest.mark.parametrize(
    "text",
    [
        "a\U000e0068\U000e0069b",  # tag characters outside a flag: hidden text
        "\U0001f3f4\U000e0067\U000e0062",  # a flag's tags without their cancel tag
        "\U000e0067\U000e0062\U000e0073\U000e007f",  # tags and a cancel without the black flag
        "\U0001f3f4\U000e0041\U000e0042\U000e007f",  # capital tags: no subdivision code
    ],
)
def test_tag_characters_outside_a_flag_are_still_replaced(text: str) -> None:
    assert all(ch == REPLACEMENT or not 0xE0000 <= ord(ch) <= 0xE007F for ch in sanitize(text))


def test_other_invisible_characters_are_still_replaced() -> None:
    for cp in (0x200B, 0x200E, 0x200F, 0x202E, 0x2066, 0xFEFF, 0x2060):
        assert sanitize(f"x{chr(cp)}y") == f"x{REPLACEMENT}y"


@given(
    st.lists(st.sampled_from(["a", "\u200d", "\u200c", SCOTLAND, "\U000e0067", "\U0001f3f4", "\U000e007f"]))
)
def test_pieces_stand_for_the_text(parts: list[str]) -> None:
    text = "".join(parts)
    assert "".join(original for _, original in sanitize_pieces(text)) == text
    assert "".join(shown for shown, _ in sanitize_pieces(text)) == sanitize(text)
    assert sanitize(sanitize(text)) == sanitize(text)


async def test_the_study_screen_shows_a_persian_word_whole(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "decks" / "fa.toml").write_text(
        f'format = 1\n[deck]\nid = "fa"\nname = "Persian"\n[[cards]]\nid = "want"\n'
        f'front = "{PERSIAN} {FAMILY}"\nback = "I want"\n',
        encoding="utf-8",
    )
    app = open_app(["fa"], start_in_review=True)
    async with app.run_test(size=(80, 20)) as pilot:
        assert await until(pilot, lambda: "خواهم" in screen_text(app))
        text = screen_text(app)
        assert PERSIAN in text and FAMILY in text, text
        assert REPLACEMENT not in text, text
