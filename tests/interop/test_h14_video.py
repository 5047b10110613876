"""h14: a video an author names in a card (`![image](d.media/clip.mov)`, `core.mediaref.VIDEO_EXTS`)
is exported the way Anki plays it, `[sound:clip.mov]`, never as `<img src="clip.mov">`, which Anki
shows as a broken picture. The class is a played file (a sound or a video, by its name) written
as an image: the `.apkg` field and the Anki text formats (`.csv`, `.tsv`, `.txt`) alike.

Before: `![image](d.media/clip.mov)` became `<img src="clip.mov">` in the package and
`<img src="d.media/clip.mov">` in a `.csv`; so did `![image](d.media/a.mp3)` in a `.csv`."""

from __future__ import annotations

import json
import shlex
import sqlite3
import struct
import sys
import time
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.mediaref import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS, media_refs
from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.ui.media import open_media

from .anki_fixture import ANKI_PYTHON, run_anki

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


MOV = _box(b"ftyp", b"qt  \x00\x00\x02\x00qt  ") + _box(b"wide") + _box(b"mdat", bytes(64)) + _box(b"moov")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(24)

OPENER = """import json, sys
with open(sys.argv[1], "a", encoding="utf-8") as fh:
    fh.write(json.dumps(sys.argv[2:]) + "\\n")
"""


def _deck(decks: Path, names: dict[str, bytes], cards: tuple[Card, ...]) -> Deck:
    folder = decks / "d.media"
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in names.items():
        (folder / name).write_bytes(data)
    path = decks / "d.toml"
    path.write_text('format = 1\n[deck]\nid = "d"\nname = "D"\n', encoding="utf-8")
    return Deck("d", "D", cards, path=str(path))


def _fields(pkg: Path, tmp: Path) -> tuple[list[str], dict[str, str]]:
    """The package's note fields (each note's, joined by \\x1f) and its media map."""
    db = tmp / f"{pkg.stem}-col.anki2"
    with zipfile.ZipFile(pkg) as zf:
        db.write_bytes(zf.read("collection.anki2"))
        mapping = json.loads(zf.read("media"))
    with sqlite3.connect(db) as conn:
        flds = [str(f) for (f,) in conn.execute("SELECT flds FROM notes ORDER BY id")]
    return flds, mapping


_ALT = st.text(alphabet=st.characters(codec="ascii", categories=["L", "N"]), max_size=12)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ext=st.sampled_from(sorted(VIDEO_EXTS | AUDIO_EXTS)),
    upper=st.booleans(),
    alt=st.one_of(st.just("image"), _ALT),
    where=st.sampled_from(["front", "back", "extra"]),
)
def test_a_played_file_goes_into_the_package_as_a_sound_whatever_its_description(
    tmp_path_factory: pytest.TempPathFactory, ext: str, upper: bool, alt: str, where: str
) -> None:
    tmp = tmp_path_factory.mktemp("apkg")
    name = f"clip.{ext.upper() if upper else ext}"
    text = f"see ![{alt}](d.media/{name}) here"
    sides = {"front": "q", "back": "a", "extra": ""} | {where: text}
    card = Card("c", front=sides["front"], back=sides["back"], extra=sides["extra"])
    deck = _deck(tmp / "decks", {name: MOV}, (card,))
    out = tmp / "out.apkg"
    export_decks([deck], out, now=NOW)
    (flds,), mapping = _fields(out, tmp)
    visible = flds.split("<!--retain")[0] + flds.split("-->", 1)[-1]  # not retain's hidden comment
    assert f"[sound:{name}]" in visible, flds
    assert "<img" not in visible, flds
    assert list(mapping.values()) == [name]


@pytest.mark.parametrize("ext", sorted(IMAGE_EXTS - {"svg"}))
def test_a_picture_still_goes_into_the_package_as_an_image(tmp_path: Path, ext: str) -> None:
    deck = _deck(
        tmp_path / "decks", {f"p.{ext}": PNG}, (Card("c", front="![image](d.media/p." + ext + ")", back="a"),)
    )
    export_decks([deck], tmp_path / "out.apkg", now=NOW)
    (flds,), _ = _fields(tmp_path / "out.apkg", tmp_path)
    assert f'<img src="p.{ext}">' in flds and "[sound:" not in flds


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt"])
@pytest.mark.parametrize("name", ["clip.mov", "clip.mkv", "song.mp3", "film.mp4"])
def test_a_text_export_writes_a_played_file_as_a_sound(tmp_path: Path, suffix: str, name: str) -> None:
    deck = _deck(tmp_path / "decks", {name: MOV}, (Card("c", front=f"![image](d.media/{name})", back="a"),))
    out = tmp_path / f"out{suffix}"
    export_decks([deck], out, now=NOW, warnings=[])
    body = out.read_text(encoding="utf-8")
    visible = body.split("<!--retain")[0]
    assert f"[sound:d.media/{name}]" in visible, body
    assert "<img" not in visible, body


def test_a_video_round_trips_through_an_apkg_and_opens_with_o(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The user's path: a deck with `![image](d.media/clip.mov)`, `retain export -o x.apkg
    --with-progress`, `retain import --with-history x.apkg` into another home: the card shows
    the video as played media and `o` hands the file to the opener."""
    home = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(home))
    _deck(home / "decks", {"clip.mov": MOV, "pic.png": PNG}, ())
    (home / "decks" / "d.toml").write_text(
        'format = 1\n[deck]\nid = "d"\nname = "D"\n'
        '[[cards]]\nid = "c1"\nfront = "What is this? ![image](d.media/clip.mov)"\n'
        'back = "a clip ![image](d.media/pic.png)"\n',
        encoding="utf-8",
    )
    pkg = tmp_path / "x.apkg"
    assert main(["export", "d", "-o", str(pkg), "--with-progress"]) == 0, capsys.readouterr()
    (flds,), mapping = _fields(pkg, tmp_path)
    assert flds.startswith("What is this? [sound:clip.mov]"), flds
    assert sorted(mapping.values()) == ["clip.mov", "pic.png"]
    other = tmp_path / "other"
    monkeypatch.setenv("RETAIN_HOME", str(other))
    assert main(["import", "--with-history", str(pkg)]) == 0, capsys.readouterr()
    text = (other / "decks" / "d.toml").read_text(encoding="utf-8")
    refs = [r for line in text.splitlines() for r in media_refs(line)]
    assert [(r.kind, r.name.rsplit(".", 1)[1]) for r in refs] == [("audio", "mov"), ("image", "png")]
    video = other / "decks" / "d.media" / refs[0].name
    assert video.read_bytes() == MOV
    script, log = tmp_path / "opener.py", tmp_path / "opened.jsonl"
    script.write_text(OPENER, encoding="utf-8")
    monkeypatch.setenv("RETAIN_OPENER", f"{shlex.quote(sys.executable)} {shlex.quote(str(script))} {log}")
    assert open_media(video) is None
    for _ in range(250):  # the opener runs in the background
        if log.exists() and log.read_text():
            break
        time.sleep(0.02)
    assert [json.loads(x) for x in log.read_text().splitlines()] == [[str(video.resolve())]]


ANKI_PLAYS = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1], options=ImportAnkiPackageOptions()))
card = col.get_card(col.find_cards("")[0])
tags = [getattr(t, "filename", None) for t in card.question_av_tags()]
print(json.dumps({"tags": tags, "img": "<img" in card.question(), "have": col.media.have("clip.mov")}))
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_real_anki_plays_the_exported_video(tmp_path: Path) -> None:
    deck = _deck(
        tmp_path / "decks",
        {"clip.mov": MOV},
        (Card("c", front="What is this? ![image](d.media/clip.mov)", back="a"),),
    )
    pkg = tmp_path / "v.apkg"
    export_decks([deck], pkg, now=NOW)
    seen = json.loads(run_anki(tmp_path, ANKI_PLAYS, str(pkg)).strip().splitlines()[-1])
    assert seen == {"tags": ["clip.mov"], "img": False, "have": True}
