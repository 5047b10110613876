"""h13: `o` opens a video (`.mov`, `.mkv`, …) in the system opener, as it opens a picture or a
sound: by its extension and its first bytes, with the file's absolute path as the one argument.
A file whose content is no video is still refused, and an opener that fails at once (xdg-open
with no program for the file) is said in one line instead of `Opening …` and then nothing."""

from __future__ import annotations

import json
import shlex
import struct
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from retain.core.mediaref import VIDEO_EXTS
from retain.ui.media import open_media

from .conftest import OpenApp
from .screen import screen_text

OPENER = """import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


# The first bytes of real files of each kind (as ffmpeg and QuickTime write them)
VIDEOS: dict[str, bytes] = {
    "clip.mov": _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + _box(b"wide") + _box(b"mdat", bytes(32)),
    "old.mov": _box(b"moov", bytes(32)) + _box(b"mdat", bytes(32)),  # QuickTime before `ftyp`
    "wide.mov": _box(b"wide") + _box(b"mdat", bytes(32)),
    "camera.MOV": _box(b"ftyp", b"qt  \x00\x00\x00\x00qt  ") + _box(b"free") + _box(b"mdat"),
    "film.m4v": _box(b"ftyp", b"M4V \x00\x00\x02\x00M4V M4A mp42isom"),
    "phone.3gp": _box(b"ftyp", b"3gp4\x00\x00\x02\x003gp4isom"),
    "film.mkv": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01matroska",
    "film.avi": b"RIFF\x00\x10\x00\x00AVI LIST" + bytes(16),
    "film.mpg": b"\x00\x00\x01\xba\x44\x00\x04\x00\x04\x01\x01\x89\xc3\xf8" + bytes(16),
    "film.mpeg": b"\x00\x00\x01\xb3\x14\x00\xf0\x13\xff\xff\xe0\x18" + bytes(16),
    "film.ogv": b"OggS\x00\x02\x00\x00" + bytes(24),
    "film.wmv": b"\x30\x26\xb2\x75\x8e\x66\xcf\x11\xa6\xd9\x00\xaa\x00\x62\xce\x6c" + bytes(16),
    "film.flv": b"FLV\x01\x05\x00\x00\x00\x09" + bytes(16),
    "film.mp4": _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41"),
    "film.webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01webm",
}


def _wait(ok: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not ok():
        time.sleep(0.02)
    return ok()


def _logging_opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script, log = tmp_path / "opener.py", tmp_path / "opened.jsonl"
    script.write_text(OPENER, encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {log}")
    return log


def _opened(log: Path) -> list[list[str]]:
    return [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []


def test_every_video_extension_has_a_sample() -> None:
    assert {n.rsplit(".", 1)[1].lower() for n in VIDEOS} >= VIDEO_EXTS


def test_o_hands_each_kind_of_video_to_the_opener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = _logging_opener(tmp_path, monkeypatch)
    files = []
    for name, data in VIDEOS.items():
        (tmp_path / name).write_bytes(data)
        files.append(tmp_path / name)
    assert {f.name: open_media(f) for f in files} == {f.name: None for f in files}
    assert _wait(lambda: len(_opened(log)) == len(files))
    assert sorted(_opened(log)) == sorted([[str(f.resolve())] for f in files])


def test_a_video_named_file_without_a_videos_content_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _logging_opener(tmp_path, monkeypatch)
    for ext in sorted(VIDEO_EXTS):
        target = tmp_path / f"fake.{ext}"
        target.write_text("<html><script>x()</script>[Desktop Entry]\nExec=touch pwned\n", encoding="utf-8")
        assert open_media(target) == f"not opened: fake.{ext} is not a picture, sound or video file"
    assert not log.exists()


def test_a_name_without_an_extension_needs_more_than_an_old_quicktime_box(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A content-hash name without an extension may be any kind: `free`/`wide`/`mdat` at byte 4
    is too weak a sign on its own (an HTML page can start so), unlike a `.mov`'s name with it."""
    monkeypatch.setenv("RETAIN_OPENER", "true")
    bare = tmp_path / ("a" * 64)
    bare.write_bytes(b"\x00\x00\x00\x08free<html><script>x()</script>")
    assert open_media(bare) == "not opened: aaaaaaaa… is not a picture, sound or video file"
    named = tmp_path / "old.mov"
    named.write_bytes(VIDEOS["wide.mov"])
    assert open_media(named) is None


def test_a_video_without_any_opener_says_so_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIN_OPENER", "no-such-player-program")
    (tmp_path / "clip.mov").write_bytes(VIDEOS["clip.mov"])
    assert (
        open_media(tmp_path / "clip.mov")
        == "no program to open media: install xdg-open, or set RETAIN_OPENER"
    )


def test_an_opener_that_fails_at_once_is_reported_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """xdg-open exits 3 (or `gio open` 4) when no program takes the file: said, not silent."""
    script = tmp_path / "no-handler.py"
    script.write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    (tmp_path / "clip.mov").write_bytes(VIDEOS["clip.mov"])
    said: list[str] = []
    done = threading.Event()

    def failed(why: str) -> None:
        said.append(why)
        done.set()

    assert open_media(tmp_path / "clip.mov", failed=failed) is None  # started
    assert done.wait(10)
    (why,) = said
    assert "\n" not in why and why.startswith("clip.mov was not opened:") and "status 3" in why, why


def test_an_opener_that_succeeds_reports_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} -c pass")
    (tmp_path / "clip.mov").write_bytes(VIDEOS["clip.mov"])
    said: list[str] = []
    assert open_media(tmp_path / "clip.mov", failed=said.append) is None
    time.sleep(1.0)
    assert said == []


VIDEO_DECK = """format = 1

[deck]
id = "vids"
name = "Videos"

[[cards]]
id = "clip"
front = "Which clip?\\n\\n![audio](vids.media/clip.mov)"
back = "That one."
"""


async def _wait_app(pilot: Pilot[None], ok: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end and not ok():
        await pilot.pause(0.02)
    return ok()


def _video_deck(decks: Path) -> Path:
    media = decks / "vids.media"
    media.mkdir(parents=True)
    (media / "clip.mov").write_bytes(VIDEOS["clip.mov"])
    (decks / "vids.toml").write_text(VIDEO_DECK, encoding="utf-8")
    return media / "clip.mov"


async def test_o_on_a_studied_video_opens_it(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", "off")
    clip = _video_deck(retain_home / "decks")
    log = _logging_opener(tmp_path, monkeypatch)
    app = open_app(["vids"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await _wait_app(pilot, lambda: "♪ clip.mov — o to play" in screen_text(app))
        await pilot.press("o")
        assert await _wait_app(pilot, log.exists)
        assert any("Opening clip.mov" in str(n.message) for n in app._notifications)
        assert not any("not opened" in str(n.message) for n in app._notifications)
    assert _opened(log) == [[str(clip.resolve())]]


async def test_o_on_a_video_nothing_can_open_says_so(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", "off")
    _video_deck(retain_home / "decks")
    script = tmp_path / "no-handler.py"
    script.write_text("import sys\nsys.exit(3)\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))}")
    app = open_app(["vids"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("o")
        assert await _wait_app(
            pilot, lambda: any("clip.mov was not opened" in str(n.message) for n in app._notifications)
        )
        assert app.is_running
