"""Black and white that stays readable: the line filter used under NO_COLOR and on a monochrome terminal.

Textual's own `Monochrome` filter turns each colour into the grey of its
luminance, so colours of one lightness became the same grey: the home screen's
blue New counts were dark grey on black (3.6:1), the rating buttons' white
labels on a light grey (1.6:1). This filter makes the same greys, then moves a
foreground that is too close to its background away from it (lighter on a dark
background, darker on a light one) until the two are 4.5:1 apart (WCAG AA), so
every screen, every theme and every widget stays readable, and text that was
muted stays greyer than the rest.

A terminal whose TERM says it has no colours (`xterm-mono`, `vt100-m`) is
treated as NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from rich.color import Color as RichColor
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter

__all__ = ["MIN_CONTRAST", "ReadableMonochrome", "contrast", "mono_terminal", "readable_style"]

MIN_CONTRAST = 4.5


def _linear(value: float) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def _luminance(color: Color) -> float:
    return 0.2126 * _linear(color.r) + 0.7152 * _linear(color.g) + 0.0722 * _linear(color.b)


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def _grey_of(luminance: float) -> Color:
    """The sRGB grey with this relative luminance (0-1)."""
    lum = min(1.0, max(0.0, luminance))
    v = lum * 12.92 if lum <= 0.0031308 else 1.055 * lum ** (1 / 2.4) - 0.055
    level = round(255 * v)
    return Color(level, level, level)


def _readable_on(fg: Color, bg: Color) -> Color:
    """`fg`, or the grey nearest to it that is `MIN_CONTRAST` away from `bg`."""
    if contrast(fg, bg) >= MIN_CONTRAST:
        return fg
    lb = _luminance(bg)
    lighter = MIN_CONTRAST * (lb + 0.05) - 0.05
    darker = (lb + 0.05) / MIN_CONTRAST - 0.05
    # The side the foreground was already on, when it can get far enough there; else the other.
    order = (lighter, darker) if _luminance(fg) >= lb else (darker, lighter)
    for target in order:
        if 0.0 <= target <= 1.0:
            candidate = _grey_of(target)
            # rounding to a whole level can land a hair short: one more step out
            while contrast(candidate, bg) < MIN_CONTRAST and 0 < candidate.r < 255:
                step = 1 if target == lighter else -1
                level = candidate.r + step
                candidate = Color(level, level, level)
            return candidate
    white, black = Color(255, 255, 255), Color(0, 0, 0)
    return white if contrast(white, bg) >= contrast(black, bg) else black


@lru_cache(1024)
def readable_style(style: Style, background: RichColor | None = None) -> Style:
    """`style` in greys, its foreground readable on its background (`background` when it has none)."""
    fg = None if style.color is None else Color.from_rich_color(style.color).monochrome
    bg_source = style.bgcolor or background
    bg = None if bg_source is None else Color.from_rich_color(bg_source).monochrome
    if fg is not None and bg is not None:
        fg = _readable_on(fg, bg)
    return style + Style.from_color(
        None if fg is None else fg.rich_color,
        None if style.bgcolor is None or bg is None else bg.rich_color,
    )


class ReadableMonochrome(LineFilter):
    """Every colour as a grey, each foreground readable on its background."""

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        base = background.rich_color
        return [
            Segment(text, None if style is None else readable_style(style, base), control)
            for text, style, control in segments
        ]


def mono_terminal(environ: Mapping[str, str]) -> bool:
    """True when TERM names a terminal without colours (terminfo's `-mono` and `-m` entries)."""
    term = environ.get("TERM", "").strip().lower()
    return term.endswith(("-mono", "-m"))
