"""h34: the files a note type loads (Anki's `_` files: a font its CSS names, a script its templates
load) come back in retain's export of the deck.

Found: Anki packs every `_`-prefixed file a note type's CSS (`url("_myfont.ttf")`, `@import`) or
templates (`<script src="_x.js">`, `[sound:_x.mp3]`) name into its package. retain's import
stored only the files the card fields use; `DECK.anki.json` kept the CSS and templates word for
word, but the export packed no file for them, so the collection importing it had no font. Now the
import keeps those files in the deck's media folder (with the safety rules of all imported
media: names checked, sizes bounded, content-hash names in the deck's own folder) and the
export packs them under the names the note type uses, as Anki finds them (its own patterns)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.anki.apkg_archive import open_archive
from retain.interop.anki.apkg_schema import SCHEMA, col_conf, deck_conf, deck_json
from retain.interop.anki.apkg_write import ApkgOptions, write_apkg
from retain.interop.anki.notetype_media import notetype_media_names
from retain.interop.ankikeep import (
    AnkiKeep,
    KeptNote,
    card_fingerprint,
    keep_path,
    notetype_media,
    parse_keep,
)
from retain.interop.errors import InteropError
from retain.interop.importer import read_file
from retain.interop.limits import DEFAULT_LIMITS, Limits
from retain.interop.media import hash_name, media_dir

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

# The note type's files: each `_` one its CSS or templates name in some way Anki's export finds
# (and one it finds in no way: `_unused.ttf`); `plain.ttf` has no `_`, so it is no note type file.
FILES = {
    "_myfont.ttf": b"\0\1\0\0FONT" * 40,
    "_style.css": b".card { color: teal; }\n",
    "_bare.woff2": b"wOF2" * 30,
    "_x.js": b"document.title = 'x';\n",
    "_snd.mp3": b"ID3" + b"\0" * 50,
    "_data.bin": b"\x89DATA" * 9,
    "_unused.ttf": b"\0\1\0\0UNUSED",
    "plain.ttf": b"\0\1\0\0PLAIN",
    "_card.png": b"\x89PNG\r\n\x1a\n" + b"\0" * 20,  # a card field's image (a `_` name too)
}
CSS_ADD = (
    '\n@import "_style.css";\n@font-face { font-family: f; src: url("_myfont.ttf"); }\n'
    "@font-face { font-family: g; src: url(_bare.woff2) format('woff2'); }\n"
    '@font-face { font-family: h; src: url("plain.ttf"); }\n.card { font-family: f; }\n'
)
QFMT_ADD = '<script src="_x.js"></script>[sound:_snd.mp3]'
AFMT_ADD = "<object data=_data.bin></object>"

MAKE = """
import os, sys, json
from anki.collection import Collection, ExportAnkiPackageOptions
work, files = sys.argv[1], json.loads(sys.argv[2])
os.makedirs(f"{work}/c")
col = Collection(f"{work}/c/collection.anki2")
for name, data in files.items():
    open(os.path.join(col.media.dir(), name), "wb").write(bytes.fromhex(data))
m = col.models.by_name("Basic")
m["css"] += sys.argv[3]
m["tmpls"][0]["qfmt"] += sys.argv[4]
m["tmpls"][0]["afmt"] += sys.argv[5]
col.models.update_dict(m)
n = col.new_note(m); n["Front"] = "漢字"; n["Back"] = 'kanji <img src="_card.png">'
col.add_note(n, col.decks.id("Fonts"))
col.export_anki_package(out_path=f"{work}/anki.apkg", options=ExportAnkiPackageOptions(with_media=True), limit=None)
m = col.models.by_name("Basic")
print(json.dumps([m["css"], [side for t in m["tmpls"] for side in (t["qfmt"], t["afmt"])]]))
col.close()
"""

FRESH = """
import os, sys, json, hashlib
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col = Collection(sys.argv[1])
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[2], options=ImportAnkiPackageOptions()))
folder = col.media.dir()
files = {n: hashlib.sha256(open(os.path.join(folder, n), "rb").read()).hexdigest() for n in os.listdir(folder)}
css = [m["css"] for m in col.models.all() if m["name"].startswith("Basic")]
print(json.dumps({"files": files, "css": css}))
col.close()
"""


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _package_media(package: Path) -> dict[str, str]:
    """The package's media, name -> SHA-256 of its bytes (any layout: read as the import reads it)."""
    arc = open_archive(package, DEFAULT_LIMITS)
    out: dict[str, str] = {}
    try:
        for name, entry in arc.media.items():
            sink = _Sink()
            arc.extract(entry, sink, 1 << 20, name, "size")
            out[name] = _sha(bytes(sink.data))
    finally:
        arc.zf.close()
    return out


class _Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    def write(self, data: bytes, /) -> int:
        self.data += data
        return len(data)


_NOTETYPE: dict[str, tuple[str, list[str]]] = {}  # the edited note type's CSS and sides, as Anki has them


@pytest.fixture(scope="module")
def anki_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ANKI_PYTHON.exists():
        pytest.skip(f"real Anki not available ({ANKI_PYTHON} missing)")
    work = tmp_path_factory.mktemp("anki")
    files = json.dumps({k: v.hex() for k, v in FILES.items()})
    css, sides = json.loads(
        run_anki(work, MAKE, str(work), files, CSS_ADD, QFMT_ADD, AFMT_ADD).splitlines()[-1]
    )
    _NOTETYPE["Basic"] = (css, sides)
    return work / "anki.apkg"


@needs_anki
def test_the_patterns_find_the_files_ankis_own_export_packs(anki_package: Path) -> None:
    """Anki's package holds the `_` files the note type names, and the card's own: the patterns
    here find exactly those of the note type (of the files there are)."""
    packed = set(_package_media(anki_package))
    css, sides = _NOTETYPE["Basic"]
    found = {n for n in notetype_media_names(css, sides) if n in FILES}
    assert packed == found | {"_card.png"}
    assert "_unused.ttf" not in packed and "plain.ttf" not in packed


@needs_anki
def test_retains_export_packs_the_note_types_files(
    anki_package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anki -> `retain import` -> `retain export` -> a fresh Anki: every file Anki packed, with its
    bytes, in the receiving collection's media folder, and the CSS naming them as it was."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(anki_package))
    assert code == 0, err
    out = tmp_path / "out.apkg"
    code, _out, err = run_cli(capsys, "export", "fonts", "-o", str(out))
    assert code == 0, err
    sent = _package_media(anki_package)
    assert _package_media(out) == sent
    # nothing left the deck's media folder: the files are there under content-hash names
    folder = media_dir(tmp_path / "home" / "decks", "fonts")
    assert {p.name for p in folder.iterdir()} == {hash_name(sent[n], n) for n in sent}
    got = json.loads(run_anki(tmp_path, FRESH, str(tmp_path / "fresh.anki2"), str(out)).splitlines()[-1])
    assert got["files"] == sent
    assert any(CSS_ADD.strip() in css for css in got["css"])


# --- without Anki ---------------------------------------------------------------------------------

LEGACY_CSS = '.card { font-family: f; }\n@font-face { font-family: f; src: url("_f.ttf"); }\n'


def _package(tmp_path: Path, files: dict[str, bytes], css: str = LEGACY_CSS) -> Path:
    """A legacy package (`collection.anki2`) of one Basic note in deck "Fonts" whose note type's
    CSS is `css`, with `files` as its media."""
    db_path = tmp_path / "collection.anki2"
    db = sqlite3.connect(db_path)
    db.executescript(SCHEMA)
    mid = 1_700_000_000_001
    model = {
        "id": mid,
        "name": "Basic",
        "type": 0,
        "mod": 1_700_000_000,
        "usn": -1,
        "sortf": 0,
        "did": 2,
        "tmpls": [
            {"name": "Card 1", "ord": 0, "qfmt": "{{Front}}", "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}
        ],
        "flds": [{"name": "Front", "ord": 0}, {"name": "Back", "ord": 1}],
        "css": css,
        "latexPre": "",
        "latexPost": "",
        "req": [[0, "any", [0]]],
        "tags": [],
        "vers": [],
    }
    decks = {"1": deck_json(1, "Default", "", 0), "2": deck_json(2, "Fonts", "", 0)}
    db.execute(
        "INSERT INTO col VALUES (1,1700000000,0,0,11,0,0,0,?,?,?,?,?)",
        (json.dumps(col_conf(mid)), json.dumps({str(mid): model}), json.dumps(decks),
         json.dumps({"1": deck_conf(0)}), "{}"),
    )  # fmt: skip
    db.execute(
        "INSERT INTO notes VALUES (10,'gUid1',?,0,-1,'','q\x1fa','q',0,0,'')",
        (mid,),
    )
    db.execute("INSERT INTO cards VALUES (20,10,2,0,0,-1,0,0,1,0,0,0,0,0,0,0,0,'')")
    db.commit()
    db.close()
    out = tmp_path / "fonts.apkg"
    with zipfile.ZipFile(out, "w") as zf:
        zf.write(db_path, "collection.anki2")
        for i, data in enumerate(files.values()):
            zf.writestr(str(i), data)
        zf.writestr("media", json.dumps({str(i): name for i, name in enumerate(files)}))
    return out


def test_the_import_keeps_the_note_types_files(tmp_path: Path) -> None:
    data = b"\0\1\0\0FONT" * 10
    bundle = read_file(_package(tmp_path, {"_f.ttf": data, "_other.ttf": b"x"}), _stage(tmp_path))
    (deck,) = bundle.decks
    keep = parse_keep(bundle.keeps[deck.id])
    hashed = hash_name(_sha(data), "_f.ttf")
    assert keep.media == {"_f.ttf": hashed}  # (`_other.ttf`: no note type names it)
    assert bundle.media[hashed].read_bytes() == data
    assert notetype_media(bundle.keeps[deck.id]) == [hashed]


def test_a_note_type_file_over_the_size_limit_refuses_the_import_in_one_line(tmp_path: Path) -> None:
    package = _package(tmp_path, {"_f.ttf": b"F" * 5000})
    with pytest.raises(InteropError) as info:
        read_file(package, _stage(tmp_path), Limits(max_media_bytes=1000))
    assert "\n" not in str(info.value) and "_f.ttf" in str(info.value)


def test_a_note_type_file_the_package_lacks_is_no_warning(tmp_path: Path) -> None:
    bundle = read_file(_package(tmp_path, {}), _stage(tmp_path))
    assert bundle.warnings == [] and parse_keep(bundle.keeps[bundle.decks[0].id]).media == {}


def _stage(tmp_path: Path) -> Path:
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    return stage


def _kept_deck(root: Path, deck_id: str, font: bytes | None) -> Deck:
    """Deck `deck_id` in `root` with one card from Anki whose note type loads `_f.ttf` (kept in
    its media folder with `font` as its bytes; None: not there)."""
    card = Card("c1", front="q", back="a")
    deck_file = root / f"{deck_id}.toml"
    deck_file.write_text("", "utf-8")
    media = {}
    if font is not None:
        hashed = hash_name(_sha(font), "_f.ttf")
        folder = media_dir(root, deck_id)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / hashed).write_bytes(font)
        media["_f.ttf"] = hashed
    nt = {"name": "Basic", "kind": "basic", "flds": ["Front", "Back"], "tmpls": [["Card 1", "{{Front}}", "{{Back}}"]],
          "css": LEGACY_CSS, "mod": 5}  # fmt: skip
    keep = AnkiKeep(
        notetypes={7: nt}, notes={"c1": KeptNote(f"g-{deck_id}", 7, ["q", "a"], card_fingerprint(card))}
    )
    keep.media = media
    keep_path(root, deck_id).write_text(keep.to_json(), "utf-8")
    return Deck(id=deck_id, name=deck_id, cards=(card,), path=str(deck_file))


def _export(tmp_path: Path, decks: list[Deck]) -> tuple[dict[str, str], list[str]]:
    out = tmp_path / "out.apkg"
    warnings: list[str] = []
    write_apkg(decks, out, ApkgOptions(now=datetime(2026, 1, 1, tzinfo=UTC), warnings=warnings))
    return _package_media(out), warnings


def test_the_export_packs_a_kept_note_types_file(tmp_path: Path) -> None:
    font = b"\0\1\0\0FONT" * 10
    media, warnings = _export(tmp_path, [_kept_deck(tmp_path, "fonts", font)])
    assert media == {"_f.ttf": _sha(font)} and warnings == []


def test_a_kept_note_types_file_gone_from_the_folder_is_not_packed(tmp_path: Path) -> None:
    media, _warnings = _export(tmp_path, [_kept_deck(tmp_path, "fonts", None)])
    assert media == {}


def test_two_decks_note_types_files_of_one_name(tmp_path: Path) -> None:
    """The same bytes: packed once. Other bytes: the first deck's is packed, and a line says the
    second's is left out (the note type names it: it cannot go under another name)."""
    a, b = b"FONT-A" * 5, b"FONT-B" * 5
    media, warnings = _export(tmp_path, [_kept_deck(tmp_path, "one", a), _kept_deck(tmp_path, "two", a)])
    assert (media, warnings) == ({"_f.ttf": _sha(a)}, [])
    media, warnings = _export(tmp_path, [_kept_deck(tmp_path, "one", a), _kept_deck(tmp_path, "two", b)])
    assert media == {"_f.ttf": _sha(a)}
    assert warnings == [
        "deck two: the note type file _f.ttf is left out: another deck's file of that name is in the package"
    ]


def test_a_hostile_kept_media_name_is_never_stored_or_read(tmp_path: Path) -> None:
    """A hand-edited `DECK.anki.json` mapping the font to a path: the import stores nothing of it
    and the export reads no file outside the deck's media folder."""
    (tmp_path / "secret").write_bytes(b"SECRET")
    deck = _kept_deck(tmp_path, "fonts", None)
    keep = parse_keep(keep_path(tmp_path, "fonts").read_text("utf-8"))
    keep.media = {"_f.ttf": "../secret"}
    keep_path(tmp_path, "fonts").write_text(keep.to_json(), "utf-8")
    assert notetype_media(keep.to_json()) == []
    media, _warnings = _export(tmp_path, [deck])
    assert media == {}


_TEXT = st.text(alphabet=st.sampled_from(list("_ab.()'\"@url import[]sound:srcdata= >\n")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(css=_TEXT, sides=st.lists(_TEXT, max_size=3))
def test_the_names_found_are_underscore_names_of_the_text(css: str, sides: list[str]) -> None:
    names = notetype_media_names(css, sides)
    assert len(names) == len(set(names))
    for name in names:
        assert name.startswith("_") and (name in css or any(name in s for s in sides))


# --- every count of the import takes the note types' files (attacker 29) ---------------------------


def test_a_reimport_puts_back_a_note_types_file_gone_from_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The re-import memo listed only the files the cards show: with the font deleted, the same
    package again said "unchanged" and left it missing, and every later export went without it."""
    package = _package(tmp_path, {"_f.ttf": b"\0\1\0\0FONT" * 10})
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    (font,) = media_dir(tmp_path / "home" / "decks", "fonts").iterdir()
    font.unlink()
    code, out, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    assert font.exists(), out + err
    assert "stored 1 media file(s)" in out + err


def test_the_dry_run_counts_the_note_types_files_as_the_real_run_stores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path, {"_f.ttf": b"\0\1\0\0FONT" * 10})
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, out, err = run_cli(capsys, "import", str(package), "--dry-run")
    assert code == 0, err
    assert "would store 1 media file(s)" in out + err
    code, out, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    assert "stored 1 media file(s)" in out + err
