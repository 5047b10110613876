"""One media reference of a card, in place: an image, an audio line, or a one-line reason.

- An image is drawn by `textual-image` (see `retain.ui.media`), at most
  `MAX_ROWS` rows tall. A cached image paints at once; otherwise a
  "loading" line stands in while a worker thread decodes it.
- Audio is the line `♪ name.mp3 — o to play` (the key `review.open_media` has now).
- A missing file is `missing: name.png`; a refused reference or an image
  too large to decode says so in one line. Names are shown through
  `retain.ui.text.line` (sanitised, never markup).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from retain.store.media import MediaFile
from retain.ui.from_thread import call_and_wait, call_soon
from retain.ui.media import box_for, cached_image, image_widget_class, load_image, open_media
from retain.ui.text import line

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage
    from textual.screen import Screen

    from retain.ui.widgets.card_view import CardView

__all__ = ["MAX_ROWS", "MediaBlock", "media_line", "open_key", "open_next"]

MAX_ROWS = 14
SYNC_BYTES = 1_500_000  # a file this small is decoded at once (a few ms): it paints with its card
SYNC_PIXELS = 2_500_000  # ... if it is not too many pixels either; bigger ones go to a worker thread


def media_line(media: MediaFile, problem: str = "", key: str = "o") -> str:
    """The one-line stand-in for a reference that is not drawn as an image; `key` opens it."""
    name = media.ref.shown
    if media.status == "missing":
        return f"missing: {name}"
    if media.status == "refused":
        return f"refused: {name} ({media.reason})"
    if media.ref.kind == "audio":
        return f"♪ {name} — {key} to play"
    if problem:
        return f"🖼 {name}: {problem} — {key} to open"
    return f"🖼 {name} — {key} to open"


def open_key(app: App[Any]) -> str:
    """The key that opens media now (`o`, or where `[keymap]` moved `review.open_media`)."""
    from retain.ui.key_names import key_label

    return key_label(app, "review.open_media", "o")


class MediaBlock(Vertical):
    DEFAULT_CSS = """
    MediaBlock { height: auto; width: 1fr; }
    MediaBlock.-image { margin: 1 0; }
    MediaBlock > .media-line { height: auto; color: $text-muted; }
    MediaBlock > .media-line.-problem { color: $warning; }
    MediaBlock > .media-image { width: auto; }
    """

    def __init__(self, media: MediaFile) -> None:
        is_image = media.status == "ok" and media.ref.kind == "image"
        super().__init__(classes="-image" if is_image else "")
        self.media = media
        self._pending: type[Any] | None = None

    def compose(self) -> ComposeResult:
        media = self.media
        drawable = media.status == "ok" and media.ref.kind == "image" and media.path is not None
        cls = image_widget_class() if drawable else None
        if cls is None or media.path is None:
            problem = media.status != "ok"
            shown = media_line(media, key=open_key(self.app))
            yield Static(line(shown), classes="media-line -problem" if problem else "media-line")
            return
        box = box_for(cls)
        hit: PILImage | str | None = cached_image(media.path, media.size, media.mtime_ns, box)
        if hit is None and media.size <= SYNC_BYTES:
            hit = load_image(media.path, media.size, media.mtime_ns, box=box, max_pixels=SYNC_PIXELS)
        if isinstance(hit, str):
            yield Static(line(media_line(media, hit, open_key(self.app))), classes="media-line -problem")
            return
        if hit is not None:
            yield self._image(cls, hit)
            return
        yield Static(line(f"loading {media.ref.shown}…"), classes="media-line")
        self._pending = cls

    def on_mount(self) -> None:
        if self._pending is not None:
            self._decode(self._pending, self.app)  # after mounting: the result may come back at once

    def _image(self, cls: type[Any], image: PILImage) -> Any:
        widget = cls(image, classes="media-image")
        widget.styles.height = _rows(image, max(8, self.app.size.width - 8))
        return widget

    @work(thread=True, group="media-decode")
    def _decode(self, cls: type[Any], app: App[Any]) -> None:
        media = self.media
        assert media.path is not None
        result = load_image(media.path, media.size, media.mtime_ns, box=box_for(cls)) or "not decoded"
        # never `call_from_thread`: it waited for ever once a closed terminal stopped the app's loop
        # (`retain.ui.from_thread`); `app`, not `self.app`: a removed widget has none in a thread
        call_and_wait(app, self._decoded, cls, result)

    def _decoded(self, cls: type[Any], result: PILImage | str) -> None:
        if not self.is_attached:  # the card changed while decoding
            return
        self.remove_children()
        if isinstance(result, str):
            shown = media_line(self.media, result, open_key(self.app))
            self.mount(Static(line(shown), classes="media-line -problem"))
        else:
            self.mount(self._image(cls, result))


def _rows(image: PILImage, width: int) -> int:
    """Rows for the image at most `width` cells wide and `MAX_ROWS` tall (cells are about 1:2)."""
    from textual_image._terminal import get_cell_size

    cell = get_cell_size()
    size: tuple[int, int] = image.info.get("retain_size", image.size)  # as the file is, not as decoded
    w, h = size
    cols = min(width, math.ceil(w / cell.width))
    rows = math.ceil(cols * h / w * cell.width / cell.height)
    return max(1, min(MAX_ROWS, rows))


def open_next(screen: Screen[Any], view: CardView) -> None:
    """Open the next of the shown media (`o`, `review.open_media`); say which file, or why not."""
    media = view.media
    if not media:
        screen.notify("No media on this card", markup=False)
        return
    item = media[view.media_turn % len(media)]
    view.media_turn += 1
    count = f" ({media.index(item) + 1}/{len(media)})" if len(media) > 1 else ""
    if item.status != "ok" or item.path is None:
        shown = media_line(item, key=open_key(screen.app))
        screen.notify(line(shown + count).plain, severity="warning", markup=False)
        return
    app = screen.app  # an opener that fails at once (no program for the file) is said, from its thread
    error = open_media(
        item.path, lambda why: call_soon(app, app.notify, line(why).plain, severity="error", markup=False)
    )
    if error is not None:
        screen.notify(line(error).plain, severity="error", markup=False)
    else:
        screen.notify(line(f"Opening {item.ref.shown}{count}").plain, markup=False)
