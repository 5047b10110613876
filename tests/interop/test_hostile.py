"""Hostile and broken inputs are refused with a one-line message and leave nothing behind."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tracemalloc
import zipfile
from pathlib import Path

import pytest
import zstandard

from retain.interop import importer
from retain.interop.anki.ankitext import read_anki_text
from retain.interop.errors import InteropError, LimitError
from retain.interop.importer import ImportPlan, plan_import, read_file
from retain.interop.limits import Limits, mb
from retain.store.files import MAX_DECK_BYTES
from retain.store.home import open_home

from .conftest import FIXTURES, run_cli, tree


def _refused(capsys: pytest.CaptureFixture[str], home: Path, path: Path, needle: str) -> str:
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code == 1
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("retain: import refused:")
    assert needle in lines[0]
    assert tree(home / "decks") == []
    return lines[0]


def test_zip_bomb_is_refused_by_ratio(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bomb = tmp_path / "bomb.apkg"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("collection.anki2", b"\0" * (64 * 1024 * 1024))
    assert bomb.stat().st_size < 200_000
    _refused(capsys, home, bomb, "compression-ratio limit")


def test_zip_bomb_that_lies_about_its_size_is_cut_off(tmp_path: Path) -> None:
    # A zstd frame inside the package expands far beyond what the directory says.
    payload = zstandard.ZstdCompressor().compress(b"\0" * (8 * 1024 * 1024))
    bomb = tmp_path / "zstd-bomb.apkg"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("meta", b"\x08\x03")
        zf.writestr("collection.anki21b", payload)
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(LimitError, match="database size limit"):
        read_file(bomb, stage, Limits(max_collection_bytes=1024 * 1024))


def test_zip_slip_entry_name_is_refused(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    evil = tmp_path / "slip.apkg"
    shutil.copy(FIXTURES / "layout-anki21.apkg", evil)
    with zipfile.ZipFile(evil, "a") as zf:
        zf.writestr("../../evil.sh", b"echo pwned")
    _refused(capsys, home, evil, "zip slip")
    assert not (tmp_path.parent / "evil.sh").exists()


def test_media_name_with_path_traversal_is_refused(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = FIXTURES / "layout-anki2.apkg"
    evil = tmp_path / "media-slip.apkg"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(evil, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "media":
                data = json.dumps({"0": "../../../etc/cron.d/evil", "1": "ok.mp3"}).encode()
            zout.writestr(info.filename, data)
    _refused(capsys, home, evil, "path traversal")


def test_broken_sqlite_is_refused(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.anki2"
    conn = sqlite3.connect(db)
    conn.executescript("CREATE TABLE t (x text); " + "INSERT INTO t VALUES (hex(randomblob(500)));" * 200)
    conn.commit()
    conn.close()
    data = bytearray(db.read_bytes())
    data[4096 + 100 : 4096 + 600] = b"\xff" * 500  # trample the second page
    evil = tmp_path / "broken.apkg"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("collection.anki2", bytes(data))
        zf.writestr("media", "{}")
    line = _refused(capsys, home, evil, "embedded database")
    assert "damaged" in line


def test_not_a_database_at_all(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "junk.apkg"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("collection.anki2", b"this is not sqlite" * 100)
    _refused(capsys, home, evil, "embedded database")


def test_not_a_zip(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    evil = tmp_path / "text.apkg"
    evil.write_text("hello")
    _refused(capsys, home, evil, "not a zip")


def test_entry_count_and_file_size_limits(tmp_path: Path) -> None:
    many = tmp_path / "many.apkg"
    with zipfile.ZipFile(many, "w") as zf:
        for i in range(30):
            zf.writestr(str(i), b"x")
    stage = tmp_path / "s"
    stage.mkdir()
    with pytest.raises(LimitError, match="entry-count limit is 20"):
        read_file(many, stage, Limits(max_entries=20))
    with pytest.raises(LimitError, match="file-size limit"):
        read_file(many, stage, Limits(max_file_bytes=100))


def test_text_file_size_and_row_limits(tmp_path: Path) -> None:
    csv = tmp_path / "big.csv"
    csv.write_text("".join(f"front {i},back {i}\n" for i in range(50)))
    stage = tmp_path / "s"
    stage.mkdir()
    with pytest.raises(LimitError, match="text-file size limit"):
        read_file(csv, stage, Limits(max_text_bytes=100))
    with pytest.raises(LimitError, match="note-count limit is 10"):
        read_file(csv, stage, Limits(max_notes=10))


def test_package_from_newer_anki_without_meta_never_yields_the_dummy(tmp_path: Path) -> None:
    # A current package stripped of `meta` still has collection.anki21b: it wins over the dummy anki2.
    src = FIXTURES / "layout-latest.apkg"
    odd = tmp_path / "no-meta.apkg"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(odd, "w") as zout:
        for info in zin.infolist():
            if info.filename != "meta":
                zout.writestr(info.filename, zin.read(info.filename))
    stage = tmp_path / "s"
    stage.mkdir()
    bundle = read_file(odd, stage)
    assert bundle.card_count == 5
    assert not any("update" in c.front.lower() for d in bundle.decks for c in d.cards)


def test_only_the_dummy_collection_is_refused(tmp_path: Path) -> None:
    src = FIXTURES / "layout-latest.apkg"
    dummy = tmp_path / "dummy.apkg"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dummy, "w") as zout:
        zout.writestr("collection.anki2", zin.read("collection.anki2"))
    stage = tmp_path / "s"
    stage.mkdir()
    with pytest.raises(InteropError, match="newer Anki"):
        read_file(dummy, stage)


def test_a_toml_over_the_deck_limit_is_refused_before_it_is_read(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An 11 MB deck was imported ("imported deck big"), then `retain check` and `due` called
    it broken: the import checked the 64 MiB text limit, never the 10 MiB deck-file limit."""
    src = tmp_path / "big.toml"
    card = f'[[cards]]\nid = "c"\nfront = "{"y" * 1000}"\nback = "b"\n'
    src.write_text(
        'format = 1\n[deck]\nid = "big"\nname = "Big"\n' + card * (MAX_DECK_BYTES // len(card) + 1)
    )
    line = _refused(capsys, home, src, "the deck-file size limit is 10 MiB: split it into smaller decks")
    assert "file is 10.1 MiB" in line


def _import_plan(path: Path, home: Path) -> ImportPlan:
    stage = home.parent / "stage"
    stage.mkdir(exist_ok=True)
    return plan_import(read_file(path, stage), open_home().library(), open_home().paths.decks_dir)


def test_a_deck_whose_file_would_be_over_the_deck_limit_is_refused(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any format: the written deck file is what the library reads, so the deck limit holds for it."""
    monkeypatch.setattr(importer, "MAX_DECK_BYTES", 20_000)
    ascii_rows = tmp_path / "text.csv"  # card text alone over the limit: refused before the file text is made
    ascii_rows.write_text("".join(f"q{i} {'y' * 1000},b\n" for i in range(21)), encoding="utf-8")
    line = _refused(capsys, home, ascii_rows, "characters of card text; the deck-file size limit is 20 KiB")
    assert "21,0" in line
    wide = tmp_path / "wide.csv"  # 11,000 characters, 22 kB: refused once its file text is made
    wide.write_text("".join(f"q{i} {'é' * 1000},b\n" for i in range(11)), encoding="utf-8")
    _refused(capsys, home, wide, "deck 'wide' would be a 23 KiB file; the deck-file size limit is 20 KiB")
    with pytest.raises(LimitError, match="deck-file size limit"):
        _import_plan(wide, home)


def test_a_deck_file_exactly_at_the_deck_limit_is_imported(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = home.parent / "wide.csv"
    src.write_text("".join(f"q{i} {'é' * 1000},b\n" for i in range(11)), encoding="utf-8")
    monkeypatch.setattr(importer, "MAX_DECK_BYTES", 10**9)
    size = len(_import_plan(src, home).decks[0].text.encode("utf-8"))
    monkeypatch.setattr(importer, "MAX_DECK_BYTES", size)
    assert len(_import_plan(src, home).decks) == 1
    monkeypatch.setattr(importer, "MAX_DECK_BYTES", size - 1)
    with pytest.raises(LimitError, match="deck-file size limit"):
        _import_plan(src, home)


def test_a_csv_over_the_row_limit_is_refused_without_holding_its_rows(tmp_path: Path) -> None:
    """A 60 MB CSV of 15 million short rows took 2.9 GB and 22 s before the refusal: every line,
    a joined copy and every row were held before the count was compared with the limit."""
    src = tmp_path / "rows.csv"
    src.write_text("a,b\n" * 250_000, encoding="utf-8")  # 1 MB
    size = src.stat().st_size
    tracemalloc.start()
    try:  # the text limit bounds the read buffer: what is measured is what the rows take
        with pytest.raises(LimitError, match="more than 1000 rows; the note-count limit is 1000"):
            read_anki_text(src, Limits(max_notes=1000, max_text_bytes=2 * size))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * size, f"peak {peak / 2**20:.0f} MB to refuse a {size / 2**20:.0f} MB file"


def test_sizes_in_messages_are_in_the_binary_units_of_the_limits() -> None:
    """Rounded up: a size over a limit never shows as the limit (10 MiB and a byte is not '10 MiB')."""
    assert [mb(n) for n in (0, 1, 1023 * 1024, 2**20, 10 * 2**20, 10 * 2**20 + 1, 64 * 2**20)] == [
        "0 KiB", "1 KiB", "1023 KiB", "1 MiB", "10 MiB", "10.1 MiB", "64 MiB",
    ]  # fmt: skip
    assert [mb(n) for n in (2**30 - 1, 2**30, 2**30 + 1, 3 * 2**29)] == [
        "1 GiB",
        "1 GiB",
        "1.1 GiB",
        "1.5 GiB",
    ]
