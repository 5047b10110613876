"""A card image through textual-image's Sixel and Kitty renderers: the escape sequences are
well-formed and draw the picture, and retain picks the renderer the terminal reports.

The snapshots use half-blocks; these tests force the other two. A small Sixel decoder reads the
emitted DCS back into pixels; the Kitty graphics protocol's APC chunks are reassembled into the
PNG they carry. A terminal is simulated in a pty for the choice made at launch.
"""

from __future__ import annotations

import base64
import fcntl
import io
import os
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
from PIL import Image, ImageChops, ImageStat
from rich.console import Console
from textual.geometry import Region

from retain.ui.image_protocols import SixelImage, palette_first, parse_xtversion
from retain.ui.media import BOX, load_image

from .conftest import OpenApp
from .media_decks import shapes_png, write_pics_deck

# ---- a Sixel decoder (DEC's format: DCS P1;P2;P3 q "Pan;Pad;Ph;Pv #c;2;r;g;b ... ST) ------------

_SIXEL = re.compile(r"\x1bP([0-9;]*)q(.*)\x1b\\\Z", re.DOTALL)
_TOKEN = re.compile(r'"[0-9;]*|#\d+(?:;\d+)*|!\d+[?-~]|[?-~]|\$|-|(.)', re.DOTALL)


def decode_sixel(data: str) -> Image.Image:
    """The picture a Sixel DCS draws (unset pixels black); AssertionError on anything malformed."""
    whole = _SIXEL.match(data)
    assert whole, f"not one DCS ... q ... ST: {data[:40]!r}...{data[-10:]!r}"
    body = whole[2]
    raster = re.match(r'"1;1;(\d+);(\d+)', body)
    assert raster, "no raster attributes (1:1 pixels, width, height)"
    width, height = int(raster[1]), int(raster[2])
    palette: dict[int, tuple[int, int, int]] = {}
    out = Image.new("RGB", (width, height))
    px = out.load()
    assert px is not None
    x = band = 0
    colour = (0, 0, 0)
    for m in _TOKEN.finditer(body, raster.end()):
        token = m[0]
        assert m[1] is None, f"not Sixel: {token!r} at {m.start()}"
        if token.startswith("#"):
            fields = [int(v) for v in token[1:].split(";")]
            if len(fields) == 5:
                assert fields[1] == 2 and all(0 <= v <= 100 for v in fields[2:]), token
                palette[fields[0]] = tuple(round(v * 255 / 100) for v in fields[2:])  # type: ignore[assignment]
            assert fields[0] in palette, f"colour {fields[0]} used before it is defined"
            colour = palette[fields[0]]
        elif token == "$":
            x = 0
        elif token == "-":
            x, band = 0, band + 1
        elif token.startswith('"'):
            raise AssertionError("raster attributes after the data")
        else:
            count, char = (int(token[1:-1]), token[-1]) if token.startswith("!") else (1, token)
            bits = ord(char) - 0x3F
            assert x + count <= width, "a band wider than the raster"
            for column in range(x, x + count):
                for row in range(6):
                    y = band * 6 + row
                    if bits >> row & 1 and y < height:
                        px[column, y] = colour
            x += count
    bands = (height + 5) // 6  # a `-` after the last band is allowed (textual-image writes one)
    assert band == bands - 1 or (band == bands and body.endswith("-")), "bands and raster disagree"
    return out


def differs(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0-255."""
    return sum(ImageStat.Stat(ImageChops.difference(a.convert("RGB"), b.convert("RGB"))).mean) / 3


@pytest.fixture
def card_image(tmp_path: Path) -> Image.Image:
    """The card's picture as retain decodes it for Sixel and Kitty (scaled to fit `BOX`)."""
    path = tmp_path / "shapes.png"
    shapes_png(path, (320, 160))
    stat = path.stat()
    image = load_image(path, stat.st_size, stat.st_mtime_ns, box=BOX)
    assert isinstance(image, Image.Image)
    return image


# ---- Sixel -------------------------------------------------------------------------------------


def test_sixels_of_a_card_image_decode_to_the_picture_with_the_palette_first(card_image: Image.Image) -> None:
    from textual_image._sixel import image_to_sixels

    raw = image_to_sixels(card_image)
    fixed = palette_first(raw)
    first_band = re.search(r"[?-~!$-]", fixed[fixed.index('"') :])
    assert first_band is not None
    head = fixed[: fixed.index('"') + first_band.start()]
    assert len(re.findall(r"#\d+;2;", head)) == len(re.findall(r"#\d+;2;", fixed))  # all defined first
    assert decode_sixel(fixed).tobytes() == decode_sixel(raw).tobytes()  # the same picture
    assert differs(decode_sixel(fixed), card_image) < 3


def test_palette_first_leaves_a_register_defined_twice_alone() -> None:
    twice = '\x1bP0;0;0q"1;1;2;6#0;2;100;0;0~#0;2;0;0;100~\x1b\\'
    assert palette_first(twice) == twice
    assert palette_first("not sixel") == "not sixel"


async def test_the_sixel_widget_on_a_card_emits_one_well_formed_image(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", "sixel")
    write_pics_deck(retain_home / "decks")
    shapes_png(retain_home / "decks" / "pics.media" / "shapes.png", (320, 160))
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 34)) as pilot:

        def laid_out() -> bool:
            found = app.screen.query(SixelImage)
            return bool(found) and bool(found.first().children) and found.first().children[0].size.area > 0

        for _ in range(200):
            if laid_out():
                break
            await pilot.pause(0.02)
        inner = app.screen.query_one(SixelImage).children[0]
        size = inner.content_size
        lines = inner.render_lines(Region(0, 0, size.width, size.height))
        text = "".join(seg.text for strip in lines for seg in strip)
    from textual_image._terminal import get_cell_size

    cell = get_cell_size()
    start, end = text.index("\x1bP"), text.rindex("\x1b\\") + 2
    picture = decode_sixel(text[start:end])
    assert picture.width <= size.width * cell.width and picture.height <= size.height * cell.height
    assert abs(picture.width / picture.height - 2) < 0.1  # the 2:1 picture, not stretched
    assert (
        differs(picture, Image.open(retain_home / "decks" / "pics.media" / "shapes.png").resize(picture.size))
        < 8
    )
    assert text[:start].startswith("\x1b[")  # the cursor is put on the image's cell first


# ---- Kitty graphics protocol ------------------------------------------------------------------


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return False


_APC = re.compile(r"\x1b_G([^;\x1b]*)(?:;([^\x1b]*))?\x1b\\")


def test_kitty_chunks_of_a_card_image_carry_the_png_and_place_it(
    card_image: Image.Image, monkeypatch: pytest.MonkeyPatch
) -> None:
    from textual_image._terminal import get_cell_size
    from textual_image.renderable.tgp import Image as TGPRenderable

    noisy = Image.effect_noise(card_image.size, 80).convert("RGB")  # a PNG too big for one chunk
    picture = Image.blend(card_image, noisy, 0.3)
    sent = _Tty()
    monkeypatch.setattr(sys, "__stdout__", sent)
    console = Console(width=60, height=20, file=io.StringIO(), force_terminal=True, color_system="truecolor")
    rows = list(console.render_lines(TGPRenderable(picture, width=40), console.options, pad=False))
    messages = [
        (dict(kv.split("=", 1) for kv in m[1].split(",")), m[2] or "") for m in _APC.finditer(sent.getvalue())
    ]
    assert "".join(m[0] for m in _APC.finditer(sent.getvalue())) == sent.getvalue()  # nothing else written
    *chunks, place = messages
    assert len(chunks) > 1
    image_id = chunks[0][0]["i"]
    for n, (keys, payload) in enumerate(chunks):
        last = n == len(chunks) - 1
        assert keys == {"i": image_id, "m": "0" if last else "1", "f": "100", "q": "2"}
        assert len(payload) <= 4096 and (last or len(payload) == 4096)
    png = Image.open(io.BytesIO(base64.b64decode("".join(p for _k, p in chunks), validate=True)))
    assert png.format == "PNG"
    cell = get_cell_size()
    keys = place[0]
    assert keys == {"a": "p", "i": image_id, "c": "40", "r": keys["r"], "U": "1", "q": "2"}
    columns, height = int(keys["c"]), int(keys["r"])
    assert png.size == (columns * cell.width, png.size[1]) and png.size[1] <= height * cell.height
    assert differs(png, picture.resize(png.size)) < 8
    assert len(rows) == height  # the placeholder cells: U+10EEEE with row and column marks
    for row in rows:
        cells = "".join(seg.text for seg in row)
        assert cells.count(chr(0x10EEEE)) == columns and cells.startswith(chr(0x10EEEE))


# ---- which renderer: what the terminal reports --------------------------------------------------

_CHILD = """
import sys
from pathlib import Path
from retain.ui import media
media.prepare_images([Path(sys.argv[1])])
cls = media.image_widget_class()
print("CHOSEN", cls.__module__ + "." + cls.__name__, cls._Renderable.__module__, flush=True)
"""


def _chosen(decks: Path, answers: dict[str, str]) -> str:
    """Run the launch-time choice in a pty whose 'terminal' answers each query in `answers`."""
    import pty

    master, slave = pty.openpty()
    size = struct.pack("HHHH", 34, 110, 1100, 680)  # rows, columns and pixels, as a terminal sets them
    fcntl.ioctl(slave, termios.TIOCSWINSZ, size)
    env = {**os.environ, "RETAIN_IMAGES": "auto", "TERM": "xterm-256color"}
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(decks)], stdin=slave, stdout=slave, stderr=slave, env=env
    )
    os.close(slave)
    seen, out = "", ""
    end = time.monotonic() + 30
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.01)
        if ready:
            try:
                chunk = os.read(master, 4096).decode(errors="replace")
            except OSError:
                break
            out += chunk
            seen += chunk
            for query, answer in answers.items():
                while query in seen:
                    seen = seen.replace(query, "", 1)
                    if answer:
                        os.write(master, answer.encode())
        elif child.poll() is not None:
            break
    child.wait(10)
    os.close(master)
    found = re.search(r"CHOSEN (\S+) (\S+)", out)
    assert found, out[-2000:]
    return f"{found[1]} {found[2]}"


DA1 = "\x1b[c"
TGP = "\x1b_G"
XTVERSION = "\x1b[>0q"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("answers", "chosen"),
    [
        (
            {DA1: "\x1b[?63;1;2;4;6;9;15;22c"},
            "retain.ui.image_protocols.SixelImage textual_image.widget.sixel",
        ),
        (
            {DA1: "\x1b[?62;22c", TGP: "\x1b_Gi=1;OK\x1b\\", XTVERSION: "\x1bP>|kitty(0.35.2)\x1b\\"},
            "textual_image.widget.AutoImage textual_image.renderable.tgp",  # Kitty's graphics protocol
        ),
        (
            {DA1: "\x1b[?62;22c", TGP: "\x1b_Gi=1;OK\x1b\\", XTVERSION: "\x1bP>|kitty(0.26.5)\x1b\\"},
            "textual_image.widget.HalfcellImage textual_image.renderable.halfcell",  # too old: half-blocks
        ),
        (
            {DA1: "\x1b[?62;22c"},
            "textual_image.widget.AutoImage textual_image.renderable.halfcell",
        ),  # neither
    ],
    ids=["sixel", "kitty-0.35", "kitty-0.26", "plain"],
)
def test_retain_picks_the_renderer_the_terminal_reports(
    tmp_path: Path, answers: dict[str, str], chosen: str
) -> None:
    write_pics_deck(tmp_path)
    assert _chosen(tmp_path, answers) == chosen


def test_kittys_version_is_read_from_its_xtversion_reply() -> None:
    assert parse_xtversion("\x1bP>|kitty(0.26.5)\x1b\\") == (0, 26, 5)
    assert parse_xtversion("\x1bP>|XTerm(379)\x1b\\") is None
