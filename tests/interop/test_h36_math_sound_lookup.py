"""h36: `[sound:...]` text inside math (escaped Anki markup in MathJax, which retain's export
writes) is math's text, no file: it is not looked up as media, so an import reports no file
missing from the package for it. Before: every `[sound:]` in the text was looked up, the one in
math too (a false "media file(s) ... not in the package: a.mp3" warning)."""

from __future__ import annotations

import pytest

from retain.interop.anki.fieldmarkup import field_text
from retain.interop.html import html_to_text


def _recording() -> tuple[list[str], object]:
    seen: list[str] = []

    def media(name: str) -> str | None:
        seen.append(name)
        return None

    return seen, media


@pytest.mark.parametrize(
    ("field", "text"),
    [
        (r"\[&#91;sound:a.mp3]\]", "$$[sound:a.mp3]$$"),
        (r"\(x &#91;sound:a.mp3] y\)", "$x [sound:a.mp3] y$"),
        (r"\[[sound:a.mp3]\]", "$$[sound:a.mp3]$$"),
    ],
)
def test_sound_inside_math_is_not_looked_up(field: str, text: str) -> None:
    seen, media = _recording()
    assert field_text(field, media) == text  # type: ignore[arg-type]
    assert seen == []


def test_sounds_outside_math_still_looked_up() -> None:
    seen, media = _recording()
    out = html_to_text(r"x [sound:b.mp3] \([sound:a.mp3]\) [sound:c.png]", media)  # type: ignore[arg-type]
    assert out == "x [audio] $[sound:a.mp3]$ [image]"
    assert seen == ["b.mp3", "c.png"]


def test_found_sound_placeholder_kept() -> None:
    out = html_to_text("[sound:b.mp3] \\(y\\)", lambda n: f"![audio](d.media/{n})")
    assert out == "![audio](d.media/b.mp3) $y$"
