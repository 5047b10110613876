"""A link shows its URL as the author wrote it (`東京タワー`, `Ève`, `пример.рф`), not percent-encoded
or as punycode, and an autolink shows it once; whatever the URL holds (an entity for a control or
bidi character, `%1B`) still never reaches the terminal as that character.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from retain.core.answer.shown import shown_text
from retain.core.sanitize import is_unsafe
from retain.ui.text import card_markdown


def _unsafe(shown: str) -> list[str]:
    return [c for c in shown if is_unsafe(c)]


def _shown(text: str, width: int = 200) -> str:
    console = Console(width=width, color_system=None, force_terminal=False, legacy_windows=False)
    return "\n".join(
        "".join(s.text for s in line).rstrip() for line in console.render_lines(card_markdown(text))
    )


def test_a_url_with_non_ascii_text_shows_as_written() -> None:
    shown = _shown(
        "See [Wikipedia](https://ja.wikipedia.org/wiki/東京タワー) or [l'Ève](https://fr.wikipedia.org/wiki/Ève)"
        " or [RU](https://пример.рф/путь)"
    )
    assert "Wikipedia (https://ja.wikipedia.org/wiki/東京タワー)" in shown, shown
    assert "l'Ève (https://fr.wikipedia.org/wiki/Ève)" in shown, shown
    assert "RU (https://пример.рф/путь)" in shown, shown
    assert "%" not in shown and "xn--" not in shown, shown


def test_a_url_written_with_escapes_keeps_them() -> None:
    assert "(https://x.org/a%20b)" in _shown("[x](https://x.org/a%20b)")


def test_an_autolink_shows_its_url_once() -> None:
    shown = _shown("Docs: <https://ja.wikipedia.org/wiki/東京タワー> end")
    assert shown.strip() == "Docs: https://ja.wikipedia.org/wiki/東京タワー end", shown
    assert _shown("[https://x.org](https://x.org)").strip() == "https://x.org"


def test_an_autolink_typed_answer_is_what_the_screen_shows() -> None:
    assert shown_text("<https://fr.wikipedia.org/wiki/%C3%88ve>") == "https://fr.wikipedia.org/wiki/%C3%88ve"
    assert "https://fr.wikipedia.org/wiki/%C3%88ve" in _shown("<https://fr.wikipedia.org/wiki/%C3%88ve>")


def test_a_control_or_bidi_character_in_a_url_or_entity_never_reaches_the_screen() -> None:
    for text in (
        "<https://x.org/%1B[31m/%E2%80%AE>",
        "[a](https://x.org/&#x1b;[31m&#x202E;)",
        "[a](<https://x.org/&#8238;b>)",
        "a &#x202E; b &#x2066; c &#xFEFF; d",
        "`&#x202E;` and ![&#x202E;](x.png)",
    ):
        shown = _shown(text)
        assert not _unsafe(shown), (text, shown)


_PIECE = st.sampled_from(
    [
        "[",
        "]",
        "(",
        ")",
        "<",
        ">",
        "https://",
        "x.org/",
        "&#x1b;",
        "&#x202e;",
        "&#8238;",
        "&#x9b;",
        "%1B",
        "%E2%80%AE",
        "%C2%9B",
        "東",
        "é",
        " ",
        "a",
        "`",
        "!",
        "\\",
        "&amp;",
        "\n",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECE, max_size=30).map("".join))
def test_nothing_unsafe_is_ever_drawn(text: str) -> None:
    assert not _unsafe(_shown(text, 60)), text
