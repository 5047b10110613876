"""Images and audio of a card: which terminal graphics to use, decoding with caps, opening in a viewer.

Terminal graphics come from `textual-image`: the Kitty graphics protocol,
Sixel, or Unicode half-blocks (`▀` with two colours per cell) elsewhere.
`textual-image` asks the terminal what it supports when it is first imported,
which must happen before Textual takes the terminal over: `prepare_images`
does it at launch when the library has media (a `DECK.media` folder), so a
library without media never pays for the query (about 0.1 s in tmux).
`RETAIN_IMAGES` picks one: `auto` (the default), `kitty`, `sixel`,
`halfcell`, `unicode`, or `off` (a line per image instead). `auto` takes what
the terminal reports, with the fixes of `retain.ui.image_protocols` (Sixel
colours defined first; half-blocks on a Kitty older than 0.28).

Decoding never blocks the screen for long: a file over `MAX_FILE_BYTES` or an
image over `MAX_PIXELS` is refused in one line, and only the common picture
formats are read (`IMAGE_FORMATS`: never EPS, which Pillow hands to Ghostscript,
nor any of Pillow's rarer decoders), and everything else is decoded
in a worker thread (a small file at once) and scaled down to `BOX` pixels
(`CELL_BOX` for half-blocks, which draw a pixel per half cell), then kept in a small cache
(revealing the back shows the front's image again without decoding it).

`open_media` starts the system viewer or player (`xdg-open`, `open`, or
`RETAIN_OPENER`) with an argv list, never a shell; the path is absolute, so
no file name can pass for an option. It opens pictures, sound and video only
(a video, `clip.mov`, imported from Anki's `[sound:clip.mov]`, is played as
a sound is): a file whose extension is not in `OPEN_EXTS`, or whose first
bytes are not of such a file (an HTML page named `x.png`), is never handed to
the opener, which would run a stranger's `.desktop`, `.jar` or script, or
show an `.svg` or `.html` with its scripts in a browser. An opener that fails
within `FAIL_SECONDS` (xdg-open finding no program for the file exits 3) is
said in one line through the caller's `failed`.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retain.core.mediaref import AUDIO_EXTS, VIDEO_EXTS, is_played_head, short_name
from retain.store.oserror import os_error_text

if TYPE_CHECKING:
    from PIL.Image import Image as PILImage

__all__ = [
    "BOX",
    "CELL_BOX",
    "FAIL_SECONDS",
    "IMAGE_FORMATS",
    "MAX_FILE_BYTES",
    "MAX_PIXELS",
    "OPEN_EXTS",
    "box_for",
    "cached_image",
    "image_mode",
    "image_widget_class",
    "load_image",
    "open_media",
    "opener_argv",
    "prepare_images",
]

MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_PIXELS = 60_000_000  # 60 MP: a 50 MB photo decodes; a decompression bomb does not
BOX = (960, 960)  # decoded images are scaled to fit: more than Kitty or Sixel shows in a card
CELL_BOX = (400, 64)  # half-blocks draw a pixel per half cell, at most 14 rows (28 pixels) tall
Box = tuple[int, int]
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF", "ICO")  # Pillow's names; never EPS
IMAGE_EXTS = frozenset(
    {"png", "apng", "jpg", "jpeg", "jpe", "jfif", "gif", "webp", "bmp", "tif", "tiff", "ico"}
)
PLAYED_EXTS = AUDIO_EXTS | VIDEO_EXTS
OPEN_EXTS = IMAGE_EXTS | PLAYED_EXTS
FAIL_SECONDS = 10.0  # an opener that exits with an error this soon did not open the file
_MODES = ("auto", "kitty", "sixel", "halfcell", "unicode", "off")
_cache: OrderedDict[tuple[str, int, int, Box], PILImage] = OrderedDict()
_CACHE_SIZE = 24
_lock = threading.Lock()
_decoding: dict[tuple[str, int, int, Box], threading.Lock] = {}
_prepared = False
_old_kitty = False  # the terminal is a Kitty older than 0.28 (`ui.image_protocols`)


def image_mode() -> str:
    mode = os.environ.get("RETAIN_IMAGES", "auto").strip().lower()
    return mode if mode in _MODES else "auto"


def _has_media(folders: Sequence[Path]) -> bool:
    for folder in folders:
        try:
            if any(p.is_dir() for p in folder.glob("*.media")):
                return True
        except OSError:
            continue
    return False


def prepare_images(deck_folders: Sequence[Path]) -> None:
    """Before the app starts: let `textual-image` query the terminal if images may be shown."""
    global _prepared, _old_kitty
    if image_mode() == "off" or not _has_media(deck_folders):
        return
    logging.getLogger("textual_image").addHandler(logging.NullHandler())  # no stray warning lines
    try:
        import textual_image.renderable as tir  # (the import asks the terminal)
        import textual_image.widget  # noqa: F401  (and this one the cell size)
        from textual_image.renderable.tgp import Image as TGPRenderable
    except Exception:  # a terminal that answers oddly: images then show as lines
        return
    _prepared = True
    if tir.Image is TGPRenderable and image_mode() == "auto":
        from retain.ui.image_protocols import KITTY_PLACEHOLDERS, kitty_version

        version = kitty_version()
        _old_kitty = version is not None and version < KITTY_PLACEHOLDERS


def image_widget_class() -> type[Any] | None:
    """The `textual-image` widget class for the mode, or None when images show as lines.

    On a terminal whose graphics were not asked for before Textual started, the
    import would talk to the terminal behind Textual's back: lines then.
    """
    mode = image_mode()
    if mode == "off":
        return None
    stdout = sys.__stdout__
    if not _prepared and stdout is not None and stdout.isatty():
        return None
    import textual_image.widget as tiw

    from retain.ui.image_protocols import SixelImage

    auto: type[Any] = tiw.Image
    if auto is tiw.SixelImage:
        auto = SixelImage
    elif _old_kitty:  # a Kitty before 0.28 cannot place the graphics protocol's images
        auto = tiw.HalfcellImage
    classes: dict[str, type[Any]] = {
        "auto": auto,
        "kitty": tiw.TGPImage,
        "sixel": SixelImage,
        "halfcell": tiw.HalfcellImage,
        "unicode": tiw.UnicodeImage,
    }
    return classes[mode]


def box_for(widget_class: type[Any]) -> Box:
    """The decoded size an image widget class needs: small for half-blocks and Unicode, else `BOX`."""
    from textual_image.renderable.halfcell import Image as Halfcell
    from textual_image.renderable.unicode import Image as Unicode

    return CELL_BOX if getattr(widget_class, "_Renderable", None) in (Halfcell, Unicode) else BOX


def load_image(
    path: Path, size: int, mtime_ns: int, *, box: Box = BOX, max_pixels: int = 0
) -> PILImage | str | None:
    """The image scaled to fit `BOX`, or a one-line reason it is not shown. Safe in a worker thread.

    With `max_pixels`, an image with more pixels is not decoded here: None (decode it in a worker).
    """
    if max_pixels and not _pixels_at_most(path, max_pixels):
        return None
    key = (str(path), size, mtime_ns, box)
    with _lock:
        one = _decoding.setdefault(key, threading.Lock())
    with one:  # the same image asked for twice (front, then back) is decoded once
        hit = cached_image(path, size, mtime_ns, box)
        if hit is not None:
            return hit
        result = _decode(path, size, box)
        with _lock:
            _decoding.pop(key, None)
            if not isinstance(result, str):
                _cache[key] = result
                while len(_cache) > _CACHE_SIZE:
                    _cache.popitem(last=False)
        return result


def _pixels_at_most(path: Path, limit: int) -> bool:
    """True if the image header says at most `limit` pixels (reading the header only)."""
    from PIL import Image

    try:
        with Image.open(path, formats=_formats()) as im:
            return bool(im.size[0] * im.size[1] <= limit)
    except Exception:  # damaged or not an image: `_decode` says which, quickly
        return True


def _decode(path: Path, size: int, box: Box) -> PILImage | str:
    if size > MAX_FILE_BYTES:
        return f"too large to show ({size / 1048576:.0f} MB)"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path, formats=_formats()) as im:
            w, h = im.size
            if w * h > MAX_PIXELS:
                return f"too large to show ({w}×{h} pixels)"
            im.draft("RGB", box)  # JPEG: decode at a fraction of the size
            im.thumbnail(box)
            shown = im.convert("RGB")
            shown.info["retain_size"] = (w, h)  # the size before scaling: the card sizes the image by it
    except Image.DecompressionBombError:
        return f"too large to show (over {MAX_PIXELS // 1_000_000} MP)"
    except UnidentifiedImageError:
        return "not an image this app can show"
    except (OSError, ValueError, SyntaxError, MemoryError) as exc:  # a damaged or truncated file
        return f"cannot be shown ({type(exc).__name__})"
    return shown


def _formats() -> tuple[str, ...]:
    """`IMAGE_FORMATS` that this Pillow can read (WebP needs libwebp)."""
    from PIL import Image

    Image.init()
    return tuple(f for f in IMAGE_FORMATS if f in Image.OPEN)


def cached_image(path: Path, size: int, mtime_ns: int, box: Box = BOX) -> PILImage | None:
    key = (str(path), size, mtime_ns, box)
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
        return hit


def opener_argv() -> list[str] | None:
    """The viewer command (argv prefix): `RETAIN_OPENER`, else `open` (macOS) or `xdg-open`."""
    custom = os.environ.get("RETAIN_OPENER", "").strip()
    if custom:
        try:
            import shlex  # only for a configured viewer command (not on the launch path)

            argv = shlex.split(custom)
        except ValueError:
            return None
    else:
        argv = ["open"] if sys.platform == "darwin" else ["xdg-open"]
    if not argv or shutil.which(argv[0]) is None:
        return None
    return argv


def _is_image(path: Path) -> bool:
    from PIL import Image

    try:
        with Image.open(path, formats=_formats()):
            return True
    except Exception:  # not a picture this app reads
        return False


def _openable(path: Path) -> str | None:
    """Why `path` is not handed to the opener, or None: a picture, sound or video by its
    extension (`OPEN_EXTS`; a name without one, like a content-hash name, may be any) and by its
    content."""
    ext = path.suffix.lower().lstrip(".") if path.suffix[1:].isalnum() else ""
    what = f"not opened: {short_name(path.name)} is not a picture, sound or video file"
    if ext and ext not in OPEN_EXTS:
        return what
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        return f"cannot open {short_name(path.name)}: {os_error_text(exc, name=False)}"
    if ext in PLAYED_EXTS or not ext:
        if is_played_head(head, named=bool(ext)):
            return None
        if ext:
            return what
    return None if _is_image(path) else what


def open_media(path: Path, failed: Callable[[str], object] | None = None) -> str | None:
    """Start the viewer on `path` (absolute) without waiting; an error message, or None.

    Only a picture, a sound or a video (`_openable`): never a program, a page or a script. When
    the opener exits with an error within `FAIL_SECONDS` (no program for the file), `failed` is
    called with a one-line message, from another thread."""
    path = path.resolve()
    refused = _openable(path)
    if refused is not None:
        return refused
    argv = opener_argv()
    if argv is None:
        return "no program to open media: install xdg-open, or set RETAIN_OPENER"
    started = time.monotonic()
    try:
        proc = subprocess.Popen(
            [*argv, str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            close_fds=True,
        )
    except OSError as exc:
        return f"could not start {argv[0]}: {os_error_text(exc, name=False)}"
    name, program = short_name(path.name), os.path.basename(argv[0])

    def reap() -> None:  # wait for it to exit (no zombie), and say if it could not open the file
        status = proc.wait()
        if status != 0 and failed is not None and time.monotonic() - started < FAIL_SECONDS:
            failed(
                f"{name} was not opened: {program} failed (status {status}); set RETAIN_OPENER to a viewer or player"
            )

    threading.Thread(target=reap, daemon=True).start()
    return None
