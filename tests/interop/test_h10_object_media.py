"""h10: Anki's `<object data=...>` is media, as its `<img>`, `[sound:]`, `<audio>`/`<video>`/`<source>`
are (Anki's media check, its `HTML_MEDIA_TAGS`, finds a file by an `<object>`'s `data`). retain
dropped the element and its file: the card lost what it shows and an export to Anki lost the file.
An unedited Anki note exported again also packed only the files of its `<img>` and `[sound:]`."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.mediaref import media_refs
from retain.interop.anki.apkg_write import _anki_media_names
from retain.interop.html import html_to_text

from .anki_fixture import ANKI_PYTHON, package_media, run_anki
from .conftest import run_cli


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ('<object data="d.svg" type="image/svg+xml"></object>', "![image](d.media/d.svg)"),
        (
            "see <object data=d.svg>your browser cannot show it</object> here",
            "see ![image](d.media/d.svg) here",
        ),
        (
            "<OBJECT DATA='d.svg'><object data='inner.svg'></object>fallback</OBJECT>",
            "![image](d.media/d.svg)",
        ),
        ('<object data="s.mp3"></object>', "![audio](d.media/s.mp3)"),
        ('<object data="d.svg"/> after', "![image](d.media/d.svg) after"),
        ('<pre>x = 1\n<object data="d.svg"></object></pre>', "```\nx = 1\n```\n![image](d.media/d.svg)"),
        ('<object data="missing.svg">fallback</object>', "[image]"),
        ("<object>only a fallback</object>", "only a fallback"),  # no file: its content shows
    ],
)
def test_an_object_is_media_by_its_data(field: str, text: str) -> None:
    assert html_to_text(field, package_media) == text


@settings(max_examples=100, deadline=None)
@given(
    tag=st.sampled_from(["img src", "audio src", "video src", "source src", "object data"]),
    quote=st.sampled_from(['"', "'", ""]),
    name=st.from_regex(r"[A-Za-z0-9_\-][A-Za-z0-9_. \-]{0,20}\.(png|svg|mp3|pdf)", fullmatch=True),
    before=st.sampled_from(["", ' class="x"', " controls", ' type="image/svg+xml"']),
)
def test_every_anki_media_tag_names_its_file_for_the_export(
    tag: str, quote: str, name: str, before: str
) -> None:
    """What the export packs for an unedited Anki note: each file Anki's media check finds."""
    element, attr = tag.split()
    if not quote and " " in name:
        name = name.replace(" ", "_")
    field = f"a <{element}{before} {attr}={quote}{name}{quote}> b"
    found = _anki_media_names([field])
    assert found == [name], (field, found)


ANKI_SCRIPT = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
if sys.argv[1] == "make":
    col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="4" height="4"/></svg>'
    for name, data in (("plot.svg", svg), ("paper.pdf", b"%PDF-1.4 x"), ("clip.mp4", b"mp4 x"),
                       ("talk.mp3", b"ID3 x"), ("song.ogg", b"OggS x"), ("pic.svg", svg + b" ")):
        col.media.write_data(name, data)
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"] = 'What is drawn? <object data="plot.svg" type="image/svg+xml">no svg</object>'
    note["Back"] = ('<object data="paper.pdf"></object> <video src="clip.mp4"></video>'
                    ' <audio controls><source src="song.ogg"></audio> [sound:talk.mp3] <img src="pic.svg">')
    col.add_note(note, col.decks.id("Objects"))
    col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False), limit=None)
else:  # open retain's package: which files do its notes use that the package did not bring?
    col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
    col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2],
        options=ImportAnkiPackageOptions(with_scheduling=False)))
    check = col.media.check()
    print(json.dumps({"missing": sorted(check.missing), "files": sorted(os.listdir(col.media.dir()))}))
"""


def _anki(tmp_path: Path, *args: str) -> str:
    return run_anki(tmp_path, ANKI_SCRIPT, *args)


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_an_anki_object_comes_in_as_media_and_goes_back_with_its_file(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "objects.apkg"
    _anki(tmp_path, "make", str(pkg))
    code, _out, err = run_cli(capsys, "import", str(pkg))
    assert code == 0, err
    deck = home / "decks" / "objects.toml"
    text = deck.read_text(encoding="utf-8")
    exts = sorted(p.name.rsplit(".", 1)[-1] for p in (home / "decks" / "objects.media").iterdir())
    assert exts == ["mp3", "mp4", "ogg", "pdf", "svg", "svg"], exts
    parsed = parse_deck(text, str(deck)).deck
    assert parsed is not None
    (card,) = parsed.cards
    assert [r.kind for r in media_refs(card.front)] == ["image"], card.front
    assert len(media_refs(card.back)) == 5, card.back
    assert "no svg" not in card.front  # the object's fallback content is not shown
    out_pkg = tmp_path / "again.apkg"
    code, _out, err = run_cli(capsys, "export", "objects", "-o", str(out_pkg))
    assert code == 0, err
    with zipfile.ZipFile(out_pkg) as zf:
        assert sorted(json.loads(zf.read("media")).values()) == sorted(
            ["plot.svg", "paper.pdf", "clip.mp4", "talk.mp3", "song.ogg", "pic.svg"]
        )
    seen = json.loads(_anki(tmp_path, "open", str(out_pkg)).strip().splitlines()[-1])
    assert seen["missing"] == [], seen
