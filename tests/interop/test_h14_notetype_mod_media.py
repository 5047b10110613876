"""h14: an `.apkg` export tells a media file without an extension (retain's content-hash names of
a file that had none, or an author's own `clip`) by its first bytes, with the rule `o` uses to
open one (`core.mediaref.is_played_head`): a sound or a video goes as `[sound:NAME]` (Anki plays it;
as an `<img>` Anki showed a broken picture), anything else as `<img>` as before. A file with an
extension is still told by its name."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import struct
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


PLAYED = {
    "mp3-id3": b"ID3\x03\x00\x00\x00\x00\x00\x00fake",
    "mp3-frame": b"\xff\xfb\x90\x64" + bytes(32),
    "ogg": b"OggS\x00\x02" + bytes(32),
    "flac": b"fLaC\x00\x00\x00\x22" + bytes(32),
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(32),
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01" + bytes(32),
    "mp4": _box(b"ftyp", b"isom\x00\x00\x02\x00isomiso2mp41") + _box(b"moov"),
    "mov": _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + _box(b"mdat", bytes(16)),
    "mpeg": b"\x00\x00\x01\xba" + bytes(32),
    "flv": b"FLV\x01\x05" + bytes(32),
}
SHOWN = {
    "png": b"\x89PNG\r\n\x1a\n" + bytes(32),
    "jpeg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(32),
    "gif": b"GIF89a" + bytes(32),
    "pdf": b"%PDF-1.4\n" + bytes(32),  # no picture either: an <img> as before
    "empty": b"",
}


def _export(tmp_path: Path, files: dict[str, bytes], alt: str) -> tuple[list[str], dict[str, bytes]]:
    """A deck with a card per file (named by its content hash, no extension, shown as `![alt](...)`)
    exported to an .apkg: the notes' first fields and the packed media."""
    decks = tmp_path / "decks"
    folder = decks / "d.media"
    folder.mkdir(parents=True, exist_ok=True)
    cards = []
    for key, data in files.items():
        name = hashlib.sha256(data + key.encode()).hexdigest()
        (folder / name).write_bytes(data)
        cards.append(Card(key, front=f"![{alt}](d.media/{name})", back="b"))
    path = decks / "d.toml"
    path.write_text('format = 1\n[deck]\nid = "d"\nname = "d"\n', encoding="utf-8")
    out = tmp_path / "d.apkg"
    export_decks([Deck("d", "d", tuple(cards), path=str(path))], out, now=NOW, decks_dir=decks)
    with zipfile.ZipFile(out) as zf:
        mapping = json.loads(zf.read("media"))
        media = {name: zf.read(i) for i, name in mapping.items()}
        db = tmp_path / "col.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        fronts = [str(f).split("\x1f")[0] for (f,) in conn.execute("SELECT flds FROM notes ORDER BY id")]
    finally:
        conn.close()
    return fronts, media


@pytest.mark.parametrize("alt", ["a cat meowing", "image"])
def test_a_sound_or_video_without_an_extension_is_a_sound_and_an_image_an_img(
    tmp_path: Path, alt: str
) -> None:
    files = PLAYED | SHOWN
    fronts, media = _export(tmp_path, files, alt)
    assert len(media) == len(files)  # every file packed, under its own name
    for key, front in zip(files, fronts, strict=True):
        name = hashlib.sha256(files[key] + key.encode()).hexdigest()
        if key in PLAYED:
            assert front.startswith(f"[sound:{name}]"), (key, front)
            assert "<img" not in front.split("<!--")[0], (key, front)
        else:
            assert front.startswith(f'<img src="{name}"'), (key, front)


@settings(max_examples=60, deadline=None)
@given(kind=st.sampled_from(sorted(PLAYED)), tail=st.binary(max_size=64))
def test_any_played_content_without_an_extension_is_a_sound(
    tmp_path_factory: pytest.TempPathFactory, kind: str, tail: bytes
) -> None:
    fronts, _ = _export(tmp_path_factory.mktemp("x"), {kind: PLAYED[kind] + tail}, "clip")
    assert fronts[0].startswith("[sound:"), fronts[0]


def test_a_name_with_an_extension_is_still_told_by_its_name(tmp_path: Path) -> None:
    decks = tmp_path / "decks"
    folder = decks / "d.media"
    folder.mkdir(parents=True)
    (folder / "song.png").write_bytes(PLAYED["mp3-id3"])  # content does not overrule a known name
    (folder / "pic.mp3").write_bytes(SHOWN["png"])
    cards = (
        Card("a", front="![x](d.media/song.png)", back="b"),
        Card("b", front="![x](d.media/pic.mp3)", back="b"),
    )
    path = decks / "d.toml"
    path.write_text('format = 1\n[deck]\nid = "d"\nname = "d"\n', encoding="utf-8")
    out = tmp_path / "d.apkg"
    export_decks([Deck("d", "d", cards, path=str(path))], out, now=NOW, decks_dir=decks)
    with zipfile.ZipFile(out) as zf:
        db = tmp_path / "col.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    fronts = [str(f).split("\x1f")[0] for (f,) in conn.execute("SELECT flds FROM notes ORDER BY id")]
    conn.close()
    assert fronts[0].startswith('<img src="song.png"')
    assert fronts[1].startswith("[sound:pic.mp3]")
