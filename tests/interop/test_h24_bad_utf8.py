"""Text in an Anki collection with bytes that are not UTF-8 is read with U+FFFD in their place.

SQLite stores whatever bytes it is given as TEXT, and Python's sqlite3 refused the whole
package when one note field held a byte that is not UTF-8 ("Could not decode to UTF-8 column
'flds'"). A stranger's damaged note should not cost the whole deck: notes, tags, deck names,
note type names, field and template names are read with U+FFFD for the bad bytes, and the
collection says how many notes and names that touched (`AnkiDb.text_warning`).
"""

from __future__ import annotations

import io
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
import zstandard
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.interop.anki.ankidb import open_db
from retain.interop.importer import read_file

from .anki_fixture import LEGACY, changed_package
from .conftest import FIXTURES, run_cli

NOTE = 1795857295140  # the fixture's first note ("What is the capital of France?"), a Basic note
BAD = b"Caf\xe9 \xff\xfe au lait"  # Latin-1 and two bytes UTF-8 never holds
MENDED = "Caf\ufffd \ufffd\ufffd au lait"


def _bad(conn: sqlite3.Connection, sql: str) -> None:
    """Run `sql` with `?` bound to BAD stored as TEXT (SQLite keeps the bytes as they are)."""
    conn.execute(sql.replace("?", "CAST(? AS TEXT)"), (BAD,) * sql.count("?"))


def _id(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def _legacy_db(tmp_path: Path, change: Callable[[sqlite3.Connection], object]) -> Path:
    """The legacy fixture's collection (schema 11) changed by `change`, as a file."""
    db = tmp_path / "collection.anki21"
    with zipfile.ZipFile(LEGACY) as zf:
        db.write_bytes(zf.read("collection.anki21"))
    conn = sqlite3.connect(db)
    change(conn)
    conn.commit()
    conn.close()
    return db


def _latest_package(tmp_path: Path, change: Callable[[sqlite3.Connection], object]) -> tuple[Path, Path]:
    """The current-layout fixture (schema 18, zstd) with its collection changed: (package, db)."""
    src = FIXTURES / "layout-latest.apkg"
    db = tmp_path / "collection.anki21b"
    with zipfile.ZipFile(src) as zf:
        db.write_bytes(zstandard.ZstdDecompressor().stream_reader(io.BytesIO(zf.read(db.name))).read())
    conn = sqlite3.connect(db)
    conn.create_collation(
        "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
    )
    for index in ("idx_decks_name", "idx_notetypes_name", "idx_fields_name_ntid", "idx_templates_name_ntid"):
        conn.execute(f"DROP INDEX {index}")  # (their collation cannot compare bytes that are no text)
    change(conn)
    conn.commit()
    conn.close()
    out = tmp_path / "latest.apkg"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == db.name:
                data = zstandard.ZstdCompressor().compress(db.read_bytes())
            zout.writestr(info.filename, data)
    return out, db


def _texts(tmp_path: Path, path: Path) -> list[str]:
    stage = tmp_path / "stage"
    stage.mkdir(exist_ok=True)
    bundle = read_file(path, stage)
    return [c.front + "\n" + c.back for d in bundle.decks for c in d.cards]


# -- a note ----------------------------------------------------------------------------------------


def test_a_note_field_that_is_not_utf8_no_longer_refuses_the_package(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = changed_package(
        tmp_path, lambda c: _bad(c, f"UPDATE notes SET flds = ? || char(31) || 'Paris' WHERE id = {NOTE}")
    )
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert "imported deck" in out
    texts = _texts(tmp_path, path)
    assert len(texts) == 5  # every card of the fixture's package, the damaged note's too
    assert any(MENDED in t for t in texts), texts


def test_the_collection_counts_the_notes_read_with_replacements(tmp_path: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _bad(conn, f"UPDATE notes SET flds = ? WHERE id = {NOTE}")
        _bad(conn, "UPDATE notes SET tags = ?, guid = ? WHERE id = (SELECT max(id) FROM notes)")

    db = open_db(_legacy_db(tmp_path, change))
    try:
        notes = {nid: (guid, tags, flds) for nid, guid, _mid, tags, flds in db.notes()}
        assert notes[NOTE][2] == MENDED
        assert MENDED in notes[max(notes)][:2]
        assert db.text_warning() == "2 note(s) had bytes that are not UTF-8; shown as \ufffd"
    finally:
        db.close()


def test_a_clean_collection_says_nothing(tmp_path: Path) -> None:
    db = open_db(_legacy_db(tmp_path, lambda c: None))
    try:
        assert len(list(db.notes())) == 5
        assert db.text_warning() == ""
    finally:
        db.close()


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=40))
def test_any_bytes_in_a_field_read_as_utf8_with_replacements(tmp_path: Path, raw: bytes) -> None:
    """Whatever bytes a field holds: read as `bytes.decode('utf-8', 'replace')`, counted when
    they are not UTF-8, never a refusal."""
    path = tmp_path / "collection.anki21"  # (one collection for every example: tmp_path is shared)
    if not path.exists():
        _legacy_db(tmp_path, lambda c: None)
    conn = sqlite3.connect(path)
    conn.execute(f"UPDATE notes SET flds = CAST(? AS TEXT) WHERE id = {NOTE}", (raw,))
    conn.commit()
    conn.close()
    db = open_db(path)
    try:
        flds = {nid: f for nid, _g, _m, _t, f in db.notes()}[NOTE]
        assert flds == raw.decode("utf-8", "replace")
        try:
            raw.decode("utf-8")
            assert db.text_warning() == ""
        except UnicodeDecodeError:
            assert db.text_warning() == "1 note(s) had bytes that are not UTF-8; shown as \ufffd"
    finally:
        db.close()


# -- names -----------------------------------------------------------------------------------------


def test_names_in_a_schema_18_collection_are_read_with_replacements(tmp_path: Path) -> None:
    """A deck, a note type, a field and a template name, each with bad bytes: the package imports,
    the names carry U+FFFD, and they are counted."""

    def change(conn: sqlite3.Connection) -> None:
        deck = _id(conn, "SELECT id FROM decks WHERE name = 'Languages' || char(31) || 'Spanish'")
        basic = _id(conn, "SELECT id FROM notetypes WHERE name = 'Basic'")
        cloze = _id(conn, "SELECT id FROM notetypes WHERE name = 'Cloze'")
        _bad(conn, f"UPDATE decks SET name = ? || char(31) || 'Spanish' WHERE id = {deck}")
        _bad(conn, f"UPDATE notetypes SET name = ? WHERE id = {basic}")
        _bad(conn, f"UPDATE fields SET name = ? WHERE ord = 1 AND ntid = {cloze}")
        _bad(conn, f"UPDATE templates SET name = ? WHERE ntid = {cloze}")

    package, db_path = _latest_package(tmp_path, change)
    db = open_db(db_path)
    try:
        assert MENDED in {t.name for t in db.notetypes.values()}
        assert any(MENDED in t.fields for t in db.notetypes.values())
        assert any(MENDED in t.tnames for t in db.notetypes.values())
        assert f"{MENDED}::Spanish" in {name for name, _desc in db.decks.values()}
        assert db.text_warning() == "4 name(s) had bytes that are not UTF-8; shown as \ufffd"
    finally:
        db.close()
    assert len(_texts(tmp_path, package)) == 5


def test_names_in_a_schema_11_collection_are_read_with_replacements(tmp_path: Path) -> None:
    """Schema 11 keeps note types and decks as JSON text in `col`: bad bytes inside it."""

    def change(conn: sqlite3.Connection) -> None:
        models, decks = conn.execute("SELECT models, decks FROM col").fetchone()
        models = models.encode().replace(b'"name": "Basic"', b'"name": "' + BAD + b'"', 1)
        models = models.replace(b'"name":"Basic"', b'"name":"' + BAD + b'"', 1)
        decks = decks.encode().replace(b"General Knowledge", BAD, 1)
        conn.execute("UPDATE col SET models = CAST(? AS TEXT), decks = CAST(? AS TEXT)", (models, decks))

    db = open_db(_legacy_db(tmp_path, change))
    try:
        assert MENDED in {t.name for t in db.notetypes.values()}
        assert MENDED in {name for name, _desc in db.decks.values()}
        assert db.text_warning() == "2 name(s) had bytes that are not UTF-8; shown as \ufffd"
    finally:
        db.close()


def test_notes_and_names_are_counted_in_one_line(tmp_path: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        basic = _id(conn, "SELECT id FROM notetypes WHERE name = 'Basic'")
        _bad(conn, f"UPDATE notetypes SET name = ? WHERE id = {basic}")
        _bad(conn, f"UPDATE notes SET flds = ? WHERE id = {NOTE}")

    _package, db_path = _latest_package(tmp_path, change)
    db = open_db(db_path)
    try:
        list(db.notes())
        assert db.text_warning() == "1 note(s) and 1 name(s) had bytes that are not UTF-8; shown as \ufffd"
    finally:
        db.close()


def test_the_import_says_so_in_one_warning_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = changed_package(tmp_path, lambda c: _bad(c, f"UPDATE notes SET flds = ? WHERE id = {NOTE}"))
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert "warning: 1 note(s) had bytes that are not UTF-8; shown as \ufffd" in err.splitlines()
