"""Two fixes to `textual-image`'s terminal graphics, found by running retain in real terminals.

- Sixel (seen in `xterm -ti vt340`): textual-image's encoder defines each
  colour register where it first uses it, in the middle of the first band;
  xterm then paints that whole band (the image's top six pixel rows) in one
  wrong colour, a green stripe. `palette_first` moves every colour definition
  before the first band, as ImageMagick writes it (the same image), and
  `SixelImage` is textual-image's Sixel widget with that applied.
- Kitty (seen in kitty 0.26.5, Debian 12): textual-image places images with
  Unicode placeholders (`U=1`), which Kitty understands from 0.28 on; an older
  Kitty answers the graphics query, then rejects the placement ("invalid key
  character: 0x55") and the card shows a block of placeholder boxes.
  `kitty_version` asks the terminal its name and version (XTVERSION) before
  Textual starts, and `retain.ui.media` uses half-blocks on such a Kitty.
"""

from __future__ import annotations

import re
from typing import Any

from textual.app import ComposeResult
from textual_image.widget.sixel import Image as _SixelWidget
from textual_image.widget.sixel import _ImageSixelImpl, _NoopRenderable

__all__ = ["KITTY_PLACEHOLDERS", "SixelImage", "kitty_version", "palette_first", "parse_xtversion"]

KITTY_PLACEHOLDERS = (0, 28, 0)  # the first Kitty with Unicode-placeholder placements
_HEAD = re.compile(r'\x1bP[0-9;]*q(?:"[0-9;]*)?')
_DEFINE = re.compile(r"#(\d+);2;(\d+);(\d+);(\d+)")
_XTVERSION = re.compile(r"\x1bP>\|kitty\((\d+)\.(\d+)\.(\d+)\)")


def palette_first(data: str) -> str:
    """The Sixel image `data` with every RGB colour definition (`#n;2;r;g;b`) moved before the
    first band and the uses left as colour selections (`#n`); unchanged when a register is defined
    twice with different colours (then where it is defined matters) or the data is not Sixel."""
    head = _HEAD.match(data)
    if head is None:
        return data
    defined: dict[str, str] = {}
    for m in _DEFINE.finditer(data, head.end()):
        if defined.setdefault(m[1], m[0]) != m[0]:
            return data
    if not defined:
        return data
    body = _DEFINE.sub(lambda m: "#" + m[1], data[head.end() :])
    return data[: head.end()] + "".join(defined.values()) + body


class _PaletteFirstSixels(_ImageSixelImpl):
    def _image_to_sixels(self, image: Any, sixel_options: Any = None, background: Any = None) -> str:
        return palette_first(super()._image_to_sixels(image, sixel_options, background))


class SixelImage(_SixelWidget, Renderable=_NoopRenderable):
    """textual-image's Sixel widget, its colours defined before the first band (`palette_first`)."""

    def compose(self) -> ComposeResult:
        yield _PaletteFirstSixels(self.image, self._sixel_options)


def parse_xtversion(reply: str) -> tuple[int, int, int] | None:
    """Kitty's version from its XTVERSION reply (`ESC P >| kitty(0.26.5) ESC \\`), else None."""
    m = _XTVERSION.search(reply)
    return (int(m[1]), int(m[2]), int(m[3])) if m else None


def kitty_version() -> tuple[int, int, int] | None:
    """Ask the terminal (before Textual starts) whether it is Kitty, and which version."""
    import sys

    from textual_image._terminal import capture_terminal_response

    stdout = sys.__stdout__
    if stdout is None or not stdout.isatty():
        return None
    try:
        with capture_terminal_response(start_marker="\x1bP>|", end_marker="\x1b\\", timeout=0.5) as response:
            stdout.write("\x1b[>0q")
            stdout.flush()
    except Exception:  # no answer, or another one: not a Kitty that says so
        return None
    return parse_xtversion(response.sequence)
