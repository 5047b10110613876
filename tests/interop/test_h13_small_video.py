"""h13: a video in an Anki package (`[sound:clip.mov]`, `<video src="film.mp4">`, an `<object>` or
`<embed>` of one) comes in as played media, and `o` on the study screen hands it to the opener.

A `.mov` came in as `![audio](d.media/HASH.mov)` (`♪ … — o to play`), but `o` said `not opened:
… is not a picture or sound file`: the opener was never run. An `<object data="clip.mov">` came in
as an image the card could not draw. Every video by its name (`core.mediaref.VIDEO_EXTS`) is now
played media, as audio is, and opened by the system opener when its content is a video's."""

from __future__ import annotations

import hashlib
import json
import shlex
import struct
import sys
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.mediaref import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS, media_refs
from retain.interop.html import html_to_text
from retain.interop.html_media import kind_by_name
from retain.interop.media import hash_name, placeholder
from retain.ui.media import open_media

from .test_anki_shared_decks import _package

OPENER = """import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


MOV = _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + _box(b"wide") + _box(b"mdat", bytes(64)) + _box(b"moov")
MP4 = _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + _box(b"moov") + _box(b"mdat", bytes(64))


def test_video_extensions_are_neither_images_nor_sounds_and_include_the_common_ones() -> None:
    assert {"mov", "mkv", "avi", "m4v", "mpg", "ogv"} <= VIDEO_EXTS
    assert not VIDEO_EXTS & (AUDIO_EXTS | IMAGE_EXTS)


_STEM = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters='/\\"<>[]&\n\r\t\x00 .'), min_size=1, max_size=20
)


@settings(max_examples=150, deadline=None)
@given(
    stem=_STEM,
    ext=st.sampled_from(sorted(VIDEO_EXTS)),
    upper=st.booleans(),
    field=st.sampled_from(
        [
            "[sound:{}]",
            '<video src="{}"></video>',
            '<video><source src="{}"></video>',
            '<audio src="{}">',
            '<object data="{}"></object>',
            '<embed src="{}">',
        ]
    ),
)
def test_a_video_by_its_name_is_played_media_whatever_the_tag(
    stem: str, ext: str, upper: bool, field: str
) -> None:
    name = f"{stem}.{ext.upper() if upper else ext}"
    assert kind_by_name(name) == "audio"  # played, as a sound is
    # the import's lookup: the file stored under the hash of its content, its extension kept
    shown = html_to_text(
        field.format(name), lambda n: placeholder("d", hash_name(hashlib.sha256(n.encode()).hexdigest(), n))
    )
    (ref,) = media_refs(shown)
    assert shown.startswith("![audio](d.media/") and ref.kind == "audio", shown
    missing = html_to_text(field.format(name), lambda n: None)  # the package lacks it
    assert missing == "[audio]"


@pytest.mark.parametrize("ext", sorted(VIDEO_EXTS))
def test_a_video_reference_written_as_an_image_is_still_played(ext: str) -> None:
    (ref,) = media_refs(f"![image](d.media/clip.{ext})")
    assert ref.kind == "audio"  # `♪ clip.EXT — o to play`, never an image the card cannot draw


def test_an_imported_mov_and_mp4_are_handed_to_the_opener(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The whole path as a user meets it: an Anki package with a `.mov` and an `.mp4`, imported,
    then each card's media opened as `o` opens it."""
    home = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(home))
    package = _package(
        tmp_path,
        "basic",
        [
            'Clip one [sound:clip.mov] and <object data="other.mov"></object>',
            'Clip two <video src="film.mp4">',
        ],
        media={"clip.mov": MOV, "other.mov": MOV + b"2", "film.mp4": MP4},
    )
    assert main(["import", str(package)]) == 0, capsys.readouterr()
    deck = (home / "decks" / "d.toml").read_text(encoding="utf-8")
    refs = [r for text in deck.splitlines() for r in media_refs(text.replace('\\"', '"'))]
    assert [(r.alt, r.name.rsplit(".", 1)[1], r.kind) for r in refs] == [
        ("audio", "mov", "audio"),
        ("audio", "mov", "audio"),
        ("audio", "mp4", "audio"),
    ]
    script, log = tmp_path / "opener.py", tmp_path / "opened.jsonl"
    script.write_text(OPENER, encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {log}")
    files = [home / "decks" / "d.media" / r.name for r in refs]
    assert [open_media(f) for f in files] == [None, None, None]
    opened: list[list[str]] = []
    for _ in range(200):  # the opener runs in the background
        opened = [json.loads(x) for x in log.read_text().splitlines()] if log.exists() else []
        if len(opened) == 3:
            break
        time.sleep(0.02)
    assert sorted(opened) == sorted([[str(f.resolve())] for f in files])
