"""h35: a media file the package lists in Unicode NFD is found by a note that names it in NFC
(and the reverse), as Anki finds it.

Found (attacker 36): decks made on older macOS list `café.png` decomposed (`cafe` + U+0301) in
the package's media list while the notes say it composed. Anki normalises names to NFC on both
sides and shows the image; retain compared them as written, dropped the image and warned that
the package lacks it. Now a name the list does not hold as written is looked up by its NFC form
(`Archive.media_entry`); the safety checks on names are made on both forms, and
`DECK.anki.json` keeps the name as the note writes it (an export finds it so).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.interop.anki.apkg_archive import open_archive
from retain.interop.anki.protowire import messages, read_fields
from retain.interop.errors import LimitError
from retain.interop.limits import DEFAULT_LIMITS
from retain.interop.media import is_unsafe_name

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import FIXTURES, run_cli

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

NFC = unicodedata.normalize("NFC", "café dot.png")
NFD = unicodedata.normalize("NFD", NFC)
assert NFC != NFD
OLD = "tiny dot.png"  # the fixtures' image, its note: `Which dot is this? <img src="tiny dot.png">`
_SQL = "UPDATE notes SET flds = replace(flds, ?, ?)"
_FORMS: dict[str, Callable[[str], str]] = {
    "NFC": lambda s: unicodedata.normalize("NFC", s),
    "NFD": lambda s: unicodedata.normalize("NFD", s),
}


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _renamed_media_list(raw: bytes, old: str, new: str) -> bytes:
    """The current layout's (decoded) protobuf media list with the entry named `old` named `new`."""
    out = bytearray()
    for blob in messages(raw, 1):
        entry = bytearray()
        for number, value in read_fields(blob):
            if isinstance(value, bytes):
                if number == 1 and value == old.encode():
                    value = new.encode()
                entry += _varint(number << 3 | 2) + _varint(len(value)) + value
            else:
                entry += _varint(number << 3) + _varint(value)
        out += _varint(1 << 3 | 2) + _varint(len(entry)) + entry
    return bytes(out)


def package(tmp_path: Path, layout: str, in_note: str, in_list: str) -> Path:
    """The fixture package of `layout` ("anki21" or "latest") whose image note names the image
    `in_note` and whose media list names it `in_list`."""
    src = FIXTURES / f"layout-{layout}.apkg"
    out = tmp_path / f"{layout}-{len(in_note)}-{len(in_list)}.apkg"
    zstd = layout == "latest"
    collection = "collection.anki21b" if zstd else "collection.anki21"
    db_path = tmp_path / "collection.db"
    with zipfile.ZipFile(src) as zin:
        raw = zin.read(collection)
        db_path.write_bytes(zstandard.ZstdDecompressor().stream_reader(raw).read() if zstd else raw)
        conn = sqlite3.connect(db_path)
        conn.execute(_SQL, (OLD, in_note))
        conn.commit()
        conn.close()
        with zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == collection:
                    data = db_path.read_bytes()
                    data = zstandard.ZstdCompressor().compress(data) if zstd else data
                elif info.filename == "media" and zstd:
                    plain = zstandard.ZstdDecompressor().stream_reader(data).read()
                    data = zstandard.ZstdCompressor().compress(_renamed_media_list(plain, OLD, in_list))
                elif info.filename == "media":
                    listed = json.loads(data)
                    data = json.dumps({k: in_list if v == OLD else v for k, v in listed.items()}).encode()
                zout.writestr(info.filename, data)
    db_path.unlink()
    return out


@pytest.mark.parametrize("layout", ["anki21", "latest"])
@pytest.mark.parametrize(("in_note", "in_list"), [(NFC, NFD), (NFD, NFC)], ids=["nfc-note", "nfd-note"])
def test_image_named_in_the_other_normal_form_is_kept(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], layout: str, in_note: str, in_list: str
) -> None:
    path = package(tmp_path, layout, in_note, in_list)
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert "not in the package" not in out + err
    text = (home / "decks" / "general-knowledge.toml").read_text(encoding="utf-8")
    assert "Which dot is this? ![image](general-knowledge.media/" in text, text
    stored = [p.read_bytes() for p in (home / "decks" / "general-knowledge.media").iterdir()]
    with zipfile.ZipFile(FIXTURES / "layout-anki21.apkg") as zf:
        assert zf.read("0") in stored  # the image's bytes
    keep = json.loads((home / "decks" / "general-knowledge.anki.json").read_text(encoding="utf-8"))
    assert in_note in keep["media"]  # the name as the note writes it: an export finds it so


def test_both_forms_in_one_note_share_the_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A note naming the file in both forms: one file, each name kept, pointing at it."""
    path = package(tmp_path, "anki21", f'{NFC}"><img src="{NFD}', NFD)
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert "not in the package" not in out + err
    assert len(list((home / "decks" / "general-knowledge.media").iterdir())) == 1
    keep = json.loads((home / "decks" / "general-knowledge.anki.json").read_text(encoding="utf-8"))
    assert NFC in keep["media"] and NFD in keep["media"]
    assert keep["media"][NFC] == keep["media"][NFD]


def test_a_name_listed_in_both_forms_prefers_the_one_written_as_the_note_writes_it(
    tmp_path: Path,
) -> None:
    """The list names two files whose names differ only in normal form: each is found as
    written; a name in neither form, none."""
    path = tmp_path / "both.apkg"
    with zipfile.ZipFile(FIXTURES / "layout-anki21.apkg") as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            if info.filename != "media":
                zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("media", json.dumps({"0": NFD, "1": NFC}))
    arc = open_archive(path, DEFAULT_LIMITS)
    try:
        assert arc.media_entry(NFD) == "0"
        assert arc.media_entry(NFC) == "1"
        assert arc.media_entry("cafe dot.png") is None
    finally:
        arc.zf.close()


_NAMES = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
    min_size=1,
    max_size=12,
).filter(lambda s: not is_unsafe_name(s) and not is_unsafe_name(unicodedata.normalize("NFC", s)))


@settings(max_examples=200, deadline=None)
@given(stem=_NAMES, listed=st.sampled_from(["NFC", "NFD"]), noted=st.sampled_from(["NFC", "NFD"]))
def test_any_name_is_found_in_either_form(stem: str, listed: str, noted: str) -> None:
    """Whatever the name, in whichever form the list and the note write it, the note finds it."""
    name = stem + ".png"
    with tempfile.TemporaryDirectory(prefix="h35-nfc-") as tmp:
        path = Path(tmp) / "p.apkg"
        with zipfile.ZipFile(FIXTURES / "layout-anki21.apkg") as zin, zipfile.ZipFile(path, "w") as zout:
            for info in zin.infolist():
                if info.filename != "media":
                    zout.writestr(info.filename, zin.read(info.filename))
            zout.writestr("media", json.dumps({"0": _FORMS[listed](name)}))
        arc = open_archive(path, DEFAULT_LIMITS)
        try:
            assert arc.media_entry(_FORMS[noted](name)) == "0"
        finally:
            arc.zf.close()


@pytest.mark.parametrize(
    "name",
    [_FORMS["NFC"]("../café.png"), _FORMS["NFD"]("../café.png"), "\u212a:café.png"],
    ids=["nfc-dots", "nfd-dots", "kelvin-drive"],
)
def test_unsafe_names_are_refused_in_either_form(tmp_path: Path, name: str) -> None:
    """The safety checks hold for a name as written and in NFC, the form it is matched in: a
    path in either is refused (U+212A KELVIN SIGN is `K` in NFC: `K:café.png` is a drive)."""
    path = tmp_path / "bad.apkg"
    with zipfile.ZipFile(FIXTURES / "layout-anki21.apkg") as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            if info.filename != "media":
                zout.writestr(info.filename, zin.read(info.filename))
        zout.writestr("media", json.dumps({"0": name}))
    with pytest.raises(LimitError, match="path traversal"):
        open_archive(path, DEFAULT_LIMITS).zf.close()


_ANKI_SHOWS = """
import os, sys
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
path, root = sys.argv[1], sys.argv[2]
os.makedirs(root)
col = Collection(os.path.join(root, "collection.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=path, options=ImportAnkiPackageOptions()))
check = col.media.check()
print(sorted(os.listdir(col.media.dir())), list(check.missing))
col.close()
"""


@needs_anki
@pytest.mark.slow
@pytest.mark.parametrize(("in_note", "in_list"), [(NFC, NFD), (NFD, NFC)], ids=["nfc-note", "nfd-note"])
def test_real_anki_shows_the_image_retain_keeps(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], in_note: str, in_list: str
) -> None:
    """Real Anki imports the same package with the image present (nothing missing); so does retain."""
    path = package(tmp_path, "anki21", in_note, in_list)
    shown = run_anki(tmp_path, _ANKI_SHOWS, str(path), str(tmp_path / "anki"))
    assert f"'{NFC}'" in shown and shown.rstrip().endswith("[]"), shown
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert "not in the package" not in out + err
    assert "![image](general-knowledge.media/" in (home / "decks" / "general-knowledge.toml").read_text()
