"""Black and white that stays readable: the line filter used under NO_COLOR and on a monochrome terminal.

Textual's own `Monochrome` filter turns each colour into the grey of its
luminance, so colours of one lightness became the same grey: the home screen's
blue New counts were dark grey on black (3.6:1), the rating buttons' white
labels on a light grey (1.6:1). This filter makes the same greys, then moves a
foreground that is too close to its background away from it (lighter on a dark
background, darker on a light one) until the two are 4.5:1 apart (WCAG AA), so
every screen, every theme and every widget stays readable, and text that was
muted stays greyer than the rest.

4.5:1 between the colours the terminal shows, not the ones asked for: Textual
writes 24-bit colour only when COLORTERM says the terminal has it, else one of
the 256 colours (TERM `xterm-256color`, as in tmux and screen) or of the 16
(TERM `xterm`). A grey that was just 4.5:1 away in 24 bits became 4.1:1 as the
nearest of the 256 colours' 26 greys, and 3.2:1 as the 16 colours' dark grey on
their light grey. So the greys are picked among those the colour system has
(`_Greys`): of the 256 colours' greys, as every terminal shows them; of the 16,
only black, light grey and white, and a pair only when it is readable in the
default palette of each common terminal (`_ANSI_GREYS`: their dark grey is
85-128, too close to black in some and to white in others).

A terminal whose TERM says it has no colours (`xterm-mono`, `vt100-m`) is
treated as NO_COLOR.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from rich.color import Color as RichColor
from rich.color import ColorSystem
from rich.segment import Segment
from rich.style import Style
from textual.color import Color
from textual.filter import LineFilter, dim_color

__all__ = ["MIN_CONTRAST", "ReadableMonochrome", "contrast", "mono_terminal", "readable_style"]

MIN_CONTRAST = 4.5

_SYSTEMS = {
    "truecolor": ColorSystem.TRUECOLOR,
    "256": ColorSystem.EIGHT_BIT,
    "standard": ColorSystem.STANDARD,
    "windows": ColorSystem.WINDOWS,
}
# Black, white (a light grey), bright black (a dark grey) and bright white, the 16 colours'
# greys, as the default palettes of common terminals show them: VGA and the Linux console,
# xterm, PuTTY, GNOME (Tango), Ubuntu, the Windows console and Windows Terminal, macOS
# Terminal, VS Code.
_ANSI_GREY_NUMBERS = (0, 7, 8, 15)
_ANSI_GREYS: tuple[tuple[int, int, int, int], ...] = (
    (0x000000, 0xAAAAAA, 0x555555, 0xFFFFFF),
    (0x000000, 0xE5E5E5, 0x7F7F7F, 0xFFFFFF),
    (0x000000, 0xBBBBBB, 0x555555, 0xFFFFFF),
    (0x2E3436, 0xD3D7CF, 0x555753, 0xEEEEEC),
    (0x010101, 0xCCCCCC, 0x808080, 0xFFFFFF),
    (0x000000, 0xC0C0C0, 0x808080, 0xFFFFFF),
    (0x0C0C0C, 0xCCCCCC, 0x767676, 0xF2F2F2),
    (0x000000, 0xCBCCCD, 0x666666, 0xE5E5E5),
    (0x000000, 0xE5E5E5, 0x666666, 0xE5E5E5),
)


def _linear(value: float) -> float:
    v = value / 255
    return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4


def _luminance(color: Color) -> float:
    return 0.2126 * _linear(color.r) + 0.7152 * _linear(color.g) + 0.0722 * _linear(color.b)


def _hex_luminance(rgb: int) -> float:
    return _luminance(Color(rgb >> 16, (rgb >> 8) & 0xFF, rgb & 0xFF))


def _ratio(a: float, b: float) -> float:
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def contrast(a: Color, b: Color) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    return _ratio(_luminance(a), _luminance(b))


def _sent(color: Color, system: str) -> tuple[int, int]:
    """What Textual sends a terminal of colour `system` ("truecolor", "256", "standard",
    "windows") for `color` (Rich's `downgrade`): (0, 0xRRGGBB) in 24 bits, else (1, its number)."""
    rich = RichColor.from_rgb(color.r, color.g, color.b).downgrade(
        _SYSTEMS.get(system, ColorSystem.TRUECOLOR)
    )
    if rich.number is None:
        r, g, b = color.rgb
        return 0, (r << 16) | (g << 8) | b
    return 1, rich.number


def _palette_luminances(key: tuple[int, int]) -> tuple[float, ...] | None:
    """How light the terminal shows a colour it is sent: in each palette it may have (for the 16);
    None for one of the 16 that is not a grey (no grey is sent as one)."""
    kind, value = key
    if kind == 0:
        return (_hex_luminance(value),)
    if value >= 16:  # the 256 colours' cube and greys are the same in every terminal
        if value >= 232:
            return (_luminance(Color(*(8 + 10 * (value - 232),) * 3)),)
        levels = (0, 95, 135, 175, 215, 255)
        n = value - 16
        return (_luminance(Color(levels[n // 36], levels[n // 6 % 6], levels[n % 6])),)
    if value in _ANSI_GREY_NUMBERS:
        at = _ANSI_GREY_NUMBERS.index(value)
        return tuple(_hex_luminance(palette[at]) for palette in _ANSI_GREYS)
    return None


class _Greys:
    """The greys a colour system shows: each with the grey to write for it and how light it is shown."""

    def __init__(self, system: str) -> None:
        by_key: dict[tuple[int, int], list[int]] = {}
        for level in range(256):
            by_key.setdefault(_sent(Color(level, level, level), system), []).append(level)
        self.system = system
        self.emit: dict[tuple[int, int], Color] = {}  # the grey written for each shade
        self.shown: dict[tuple[int, int], tuple[float, ...]] = {}  # how light: as written, as shown
        for key, levels in by_key.items():
            palettes = _palette_luminances(key)
            if palettes is None:
                continue  # never written, and nothing is readable on it
            level = min(levels, key=lambda v: abs(_luminance(Color(v, v, v)) - palettes[0]))
            self.emit[key] = Color(level, level, level)
            self.shown[key] = (_luminance(self.emit[key]), *palettes)
        self.readable = {
            bg: tuple(fg for fg in self.shown if self.worst(fg, bg) >= MIN_CONTRAST) for bg in self.shown
        }

    def worst(self, fg: tuple[int, int], bg: tuple[int, int]) -> float:
        """The contrast of two shades where they are closest: as written or in a palette."""
        return min(_ratio(a, b) for a, b in zip(self.shown[fg], self.shown[bg], strict=True))

    def key(self, grey: Color) -> tuple[int, int]:
        return _sent(grey, self.system)

    def backdrop(self, grey: Color) -> tuple[int, int]:
        """The shade a background is drawn in: its own, or the nearest one some text is readable on."""
        own = self.key(grey)
        if self.readable.get(own):
            return own
        lum = _luminance(grey)
        return min((k for k in self.shown if self.readable[k]), key=lambda k: abs(self.shown[k][0] - lum))

    def text_on(self, fg: Color, bg: tuple[int, int]) -> Color:
        """`fg`, or the grey nearest to it readable on `bg`, on the side of `bg` it is on if it can."""
        if self.key(fg) in self.readable[bg]:
            return fg
        lum, lb = _luminance(fg), self.shown[bg][0]
        same_side = [k for k in self.readable[bg] if (self.shown[k][0] >= lb) == (lum >= lb)]
        nearest = min(same_side or self.readable[bg], key=lambda k: abs(self.shown[k][0] - lum))
        return self.emit[nearest]


@lru_cache(8)
def _greys(system: str) -> _Greys:
    return _Greys(system)


@lru_cache(4096)
def readable_style(style: Style, background: RichColor | None = None, system: str = "truecolor") -> Style:
    """`style` in the greys of colour `system`, its foreground readable on its background
    (`background` when it has none) as the terminal shows them. A dim foreground is dimmed
    here, where its contrast is known (a terminal dims it further)."""
    greys = _greys(system)
    bg_source = style.bgcolor or background
    bg = None if bg_source is None else Color.from_rich_color(bg_source).monochrome
    bg_key = None if bg is None else greys.backdrop(bg)
    if bg is not None and bg_key is not None and greys.key(bg) != bg_key:
        bg = greys.emit[bg_key]
    fg = None if style.color is None else Color.from_rich_color(style.color).monochrome
    undim = Style()
    if fg is not None and bg is not None and bg_key is not None:
        if style.dim:
            fg = Color.from_rich_color(dim_color(bg.rich_color, fg.rich_color)).monochrome
            undim = Style(dim=False)
        fg = greys.text_on(fg, bg_key)
    return (
        style
        + undim
        + Style.from_color(
            None if fg is None else fg.rich_color,
            None if style.bgcolor is None or bg is None else bg.rich_color,
        )
    )


def _terminal_colours() -> str:
    """The colour system Textual writes in for the running app (`truecolor` outside one)."""
    try:  # (a private module of Textual's: an upgrade that moves it leaves 24 bits, never a crash)
        from textual._context import active_app

        app = active_app.get()
    except (ImportError, LookupError):
        return "truecolor"
    return app.console.color_system or "truecolor"  # none (TERM=dumb): Textual writes 24 bits


class ReadableMonochrome(LineFilter):
    """Every colour as a grey, each foreground readable on its background as the terminal shows them.

    `colour_system` as Rich names it; by default the one the running app's console writes in.
    """

    def __init__(self, colour_system: str | None = None, enabled: bool = True) -> None:
        super().__init__(enabled=enabled)
        self._system = colour_system

    def apply(self, segments: list[Segment], background: Color) -> list[Segment]:
        base = background.rich_color
        system = self._system or _terminal_colours()
        return [
            Segment(text, None if style is None else readable_style(style, base, system), control)
            for text, style, control in segments
        ]


def mono_terminal(environ: Mapping[str, str]) -> bool:
    """True when TERM names a terminal without colours (terminfo's `-mono` and `-m` entries)."""
    term = environ.get("TERM", "").strip().lower()
    return term.endswith(("-mono", "-m"))
