"""Images in place (half-block fallback), audio lines, `o` opening media, and hostile or huge media files."""

from __future__ import annotations

import json
import os
import shlex
import stat
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import EpsImagePlugin, Image
from textual.pilot import Pilot

from retain.ui.app import RetainApp
from retain.ui.media import load_image, open_media

from .conftest import OpenApp
from .media_decks import PICS_DECK, write_math_deck, write_pics_deck
from .screen import screen_text

OPENER = """import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[2:]) + "\\n")
"""


@pytest.fixture(autouse=True)
def halfcell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", "halfcell")


async def wait_for(pilot: Pilot[None], ok: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if ok():
            return True
        await pilot.pause(0.02)
    return ok()


def rows(app: RetainApp) -> list[str]:
    return [r.strip() for r in screen_text(app).splitlines()]


async def test_image_is_drawn_in_place_between_the_text(retain_home: Path, open_app: OpenApp) -> None:
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 34)) as pilot:
        assert await wait_for(pilot, lambda: "▀" in screen_text(app))
        lines = rows(app)
        question = lines.index("What shapes are these?")
        after = lines.index("Name both, left to right.")
        image_rows = [i for i, r in enumerate(lines) if r.startswith("▀")]
        assert image_rows and question < min(image_rows) and max(image_rows) < after
        assert "🌆" not in screen_text(app) and "shapes.png" not in screen_text(app)


async def test_audio_line_and_missing_file_in_place(retain_home: Path, open_app: OpenApp) -> None:
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("space")
        assert await wait_for(pilot, lambda: "missing: gone.png" in screen_text(app))
        lines = rows(app)
        assert "A red square and a blue circle." in lines
        assert lines.index("♪ hello.mp3 — o to play") > lines.index("A red square and a blue circle.")
        assert app.is_running


async def test_o_opens_the_media_with_an_argv_never_a_shell(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    hostile = "$(touch pwned); echo x.png"
    media = write_pics_deck(
        retain_home / "decks", PICS_DECK.replace("pics.media/shapes.png", f"<pics.media/{hostile}>")
    )
    (media / "shapes.png").rename(media / hostile)
    script, log = tmp_path / "opener.py", tmp_path / "opened.jsonl"
    script.write_text(OPENER, encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {log}")
    monkeypatch.chdir(tmp_path)
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("o")
        assert await wait_for(pilot, log.exists)
        assert any(f"Opening {hostile}" in str(n.message) for n in app._notifications)
        await pilot.press("space", "o", "o", "o")  # the back: the image, the audio, the missing file
        assert await wait_for(pilot, lambda: len(log.read_text().splitlines()) >= 3)
        assert any("missing: gone.png" in str(n.message) for n in app._notifications)
    opened = [json.loads(line) for line in log.read_text().splitlines()]
    assert opened[0] == [str((media / hostile).resolve())]
    assert opened[1:] == [[str((media / hostile).resolve())], [str((media / "hello.mp3").resolve())]]
    assert not (tmp_path / "pwned").exists() and not Path("pwned").exists()


async def test_o_without_a_viewer_says_so(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_pics_deck(retain_home / "decks")
    monkeypatch.setenv("RETAIN_OPENER", "no-such-viewer-program")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.press("o")
        await pilot.pause()
        assert any("no program to open media" in str(n.message) for n in app._notifications)
        assert app.is_running


async def test_refused_reference_and_hostile_names_are_shown_inertly(
    retain_home: Path, open_app: OpenApp
) -> None:
    deck = PICS_DECK.replace(
        "![image](pics.media/gone.png)",
        "![image](<pics.media/\\u001b]52;c;aGVsbG8=\\u0007.png>) ![image](pics.media/../../config.toml)"
        " $\\\\frac{\\u001b]0;pwned\\u0007}{2}$ $\\\\Gamma\\u001b[2J$",
    )
    write_pics_deck(retain_home / "decks", deck)
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("space")
        assert await wait_for(pilot, lambda: "refused:" in screen_text(app))
        text = screen_text(app)
        assert "\x1b" not in text and "\x07" not in text
        assert "refused: ␛]52;c;aGVsbG8=␇.png (not a plain file name)" in text
        assert "refused: ../../config.toml (not a plain file name)" in text
        assert "(␛]0;pwned␇)/2" in text and "Γ␛[2J" in text


async def test_a_decompression_bomb_or_huge_file_is_refused_in_one_line(
    retain_home: Path, open_app: OpenApp
) -> None:
    media = write_pics_deck(retain_home / "decks")
    Image.new("1", (20_000, 20_000)).save(media / "shapes.png")  # 400 MP in a small file
    with (media / "hello.png").open("wb") as fh:  # a 70 MB file (sparse: cheap to make)
        fh.truncate(70 * 1024 * 1024)
    deck = PICS_DECK.replace("![audio](pics.media/hello.mp3)", "![image](pics.media/hello.png)")
    (retain_home / "decks" / "pics.toml").write_text(deck, encoding="utf-8")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(110, 40)) as pilot:
        assert await wait_for(pilot, lambda: "too large" in screen_text(app))
        assert "🖼 shapes.png: too large to show (over 60 MP) — o to open" in rows(app)
        await pilot.press("space")
        assert await wait_for(pilot, lambda: "(70 MB)" in screen_text(app))
        assert "🖼 hello.png: too large to show (70 MB) — o to open" in rows(app)


async def test_a_damaged_image_says_so(retain_home: Path, open_app: OpenApp) -> None:
    media = write_pics_deck(retain_home / "decks")
    (media / "shapes.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(110, 34)) as pilot:
        assert await wait_for(pilot, lambda: "shapes.png:" in screen_text(app))
        assert any(r.startswith("🖼 shapes.png: ") and r.endswith("— o to open") for r in rows(app))


@pytest.mark.slow
async def test_a_50_mb_image_is_scaled_without_freezing_the_screen(
    retain_home: Path, open_app: OpenApp
) -> None:
    import os

    media = write_pics_deck(retain_home / "decks")
    big = Image.frombytes("RGB", (4200, 4000), os.urandom(4200 * 4000 * 3))
    big.save(media / "shapes.png", compress_level=0)
    assert (media / "shapes.png").stat().st_size > 50_000_000
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        # The card is up at once: the image is decoding in a worker (or, on a quiet machine, already drawn).
        assert "What shapes are these?" in rows(app)
        assert "loading shapes.png…" in rows(app) or "▀" in screen_text(app)
        start = time.perf_counter()
        await pilot.press("space")  # the screen answers keys while the image decodes
        assert time.perf_counter() - start < 2.0  # generous: decoding alone takes about 1 s here
        assert "A red square and a blue circle." in rows(app)
        assert await wait_for(pilot, lambda: "▀" in screen_text(app), seconds=30)


async def test_math_is_rendered_in_the_study_screen(retain_home: Path, open_app: OpenApp) -> None:
    write_math_deck(retain_home / "decks")
    app = open_app(["math"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        lines = rows(app)
        assert "What is Γ(n) for an integer n? And ⟨a, b⟩?" in lines
        await pilot.press("space")
        lines = rows(app)
        assert "Γ(n) = (n-1)!" in lines  # display math on its own line
        assert "so one over 1/72; echo $HOME $PATH stays as typed." in lines
        await pilot.press("o")
        await pilot.pause()
        assert any("No media on this card" in str(n.message) for n in app._notifications)


def test_images_in_markdown_stay_where_they_stand() -> None:
    """Rich draws an image token in front of its paragraph; card text keeps it in place (browser, editor)."""
    from rich.console import Console

    from retain.ui.text import card_markdown

    console = Console(width=70, record=True, color_system=None)
    console.print(
        card_markdown("Before ![image](d.media/x.png) after, $\\Gamma$ and ![audio](d.media/y.mp3).")
    )
    assert console.export_text().strip() == "Before 🖼 image after, Γ and ♪ audio."


@pytest.mark.parametrize("mode", ["kitty", "sixel", "unicode", "off"])
async def test_every_image_mode_shows_the_card(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", mode)
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 34)) as pilot:
        await pilot.pause()
        assert "Name both, left to right." in rows(app)
        drawn = bool(app.screen.query(".media-image"))
        assert drawn == (mode != "off")
        if mode == "off":
            assert "🖼 shapes.png — o to open" in rows(app)
        await pilot.press("space")
        assert await wait_for(pilot, lambda: "♪ hello.mp3 — o to play" in rows(app))


EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\nnewpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n"


def test_an_image_never_starts_ghostscript(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir, marker = tmp_path / "bin", tmp_path / "gs-ran"
    bin_dir.mkdir()
    gs = bin_dir / "gs"
    gs.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n", encoding="utf-8")
    gs.chmod(gs.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setattr(EpsImagePlugin, "gs_binary", None)
    picture = tmp_path / "cat.png"  # an EPS file under a picture's name
    picture.write_bytes(EPS)
    st = picture.stat()
    assert load_image(picture, st.st_size, st.st_mtime_ns) == "not an image this app can show"
    assert not marker.exists()


@pytest.mark.parametrize(
    "name", ["run.desktop", "page.html", "evil.svg", "tool.sh", "app.jar", "noext", "fake.png", "fake.mp3"]
)
def test_o_never_hands_anything_but_a_picture_or_sound_to_the_opener(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    log, script = tmp_path / "opened", tmp_path / "opener.py"
    script.write_text(f"open({str(log)!r}, 'a').write('ran')\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    target = tmp_path / name
    target.write_text("[Desktop Entry]\nExec=touch pwned\n<html><script>x()</script>", encoding="utf-8")
    assert open_media(target) == f"not opened: {name} is not a picture, sound or video file"
    assert not log.exists()


def test_o_opens_pictures_and_sound_by_name_and_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIN_OPENER", "true")
    png, mp3, bare_png, bare_ogg = (
        tmp_path / "a.PNG",
        tmp_path / "b.mp3",
        tmp_path / ("c" * 64),
        tmp_path / "d",
    )
    Image.new("RGB", (4, 4)).save(png, format="PNG")
    Image.new("RGB", (4, 4)).save(bare_png, format="PNG")
    mp3.write_bytes(b"ID3")
    bare_ogg.write_bytes(b"OggS\x00\x02")
    assert [open_media(p) for p in (png, mp3, bare_png, bare_ogg)] == [None] * 4
