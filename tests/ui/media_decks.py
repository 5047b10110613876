"""A deck with images, audio and math for the media tests, with real image files made by Pillow."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

__all__ = ["MATH_DECK", "PICS_DECK", "shapes_png", "write_math_deck", "write_pics_deck"]

PICS_DECK = r"""format = 1

[deck]
id = "pics"
name = "Pictures"

[[cards]]
id = "shapes"
front = "What shapes are these?\n\n![image](pics.media/shapes.png)\n\nName both, left to right."
back = "A red square and a blue circle. ![audio](pics.media/hello.mp3)"
extra = "![image](pics.media/gone.png)"
"""

MATH_DECK = r"""format = 1

[deck]
id = "math"
name = "Math"

[[cards]]
id = "gamma"
front = "What is $\\Gamma(n)$ for an integer $n$? And $\\langle a, b \\rangle$?"
back = "$$\\Gamma(n) = (n-1)!$$ so one over $\\frac{1}{72}$; `echo $HOME $PATH` stays as typed."

[[cards]]
id = "euler"
kind = "cloze"
text = "Euler: $e^{i\\pi} = {{c1::-1}}$, and the gamma function is $${{c2::\\Gamma}}(x)$$"
"""


def shapes_png(path: Path, size: tuple[int, int] = (160, 80)) -> None:
    """A red square beside a blue circle on white: easy to recognise in half-blocks."""
    w, h = size
    im = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(im)
    draw.rectangle((0, 0, w // 2 - 1, h - 1), fill="red")
    draw.ellipse((w // 2 + 8, 8, w - 8, h - 8), fill="blue")
    im.save(path)


def write_pics_deck(decks: Path, deck: str = PICS_DECK) -> Path:
    decks.mkdir(parents=True, exist_ok=True)
    media = decks / "pics.media"
    media.mkdir(exist_ok=True)
    shapes_png(media / "shapes.png")
    (media / "hello.mp3").write_bytes(b"ID3 not really audio")
    (decks / "pics.toml").write_text(deck, encoding="utf-8")
    return media


def write_math_deck(decks: Path) -> None:
    decks.mkdir(parents=True, exist_ok=True)
    (decks / "math.toml").write_text(MATH_DECK, encoding="utf-8")
