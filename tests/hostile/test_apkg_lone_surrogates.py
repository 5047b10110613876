"""An `.apkg` whose JSON holds escaped lone surrogates (`"\\ud800"`): Anki never writes one, a
hand-made package can. `json.loads` keeps them, and no UTF-8 file or terminal takes them: a deck
name with one stopped `retain import` with a UnicodeEncodeError traceback, dry run or not. Every
JSON value of a package now gives them as U+FFFD (`interop.anki.jsontext`)."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
import make_hostile_apkg

from retain.interop.anki.jsontext import loads

pytestmark = pytest.mark.slow


def _package(tmp_path: Path) -> Path:
    """The fixture package with a lone surrogate in its deck names, note type names and field names."""

    def edit(conn: sqlite3.Connection) -> None:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for deck in decks.values():
            deck["name"] += " \ud800 lone"
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        for model in models.values():
            model["name"] += " \udfff"
            for fld in model.get("flds", []):
                fld["name"] += "\udc80"
        conn.execute("UPDATE col SET decks = ?, models = ?", (json.dumps(decks), json.dumps(models)))

    entries = make_hostile_apkg.edited_entries(edit)
    apkg = tmp_path / "lone.apkg"
    make_hostile_apkg._write(apkg, entries)
    return apkg


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_package_with_lone_surrogates_imports_with_replacement_characters(
    tmp_path: Path, dry_run: bool
) -> None:
    home = tmp_path / "home"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "retain",
            "import",
            str(_package(tmp_path)),
            *(["--dry-run"] if dry_run else []),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "RETAIN_HOME": str(home)},
    )
    assert "Traceback" not in run.stderr, run.stderr[-500:]
    assert run.returncode == 0, run.stderr
    written = sorted((home / "decks").glob("*.toml")) if (home / "decks").exists() else []
    if dry_run:
        assert written == []
    else:
        assert written, run.stdout
        assert any("\ufffd" in p.read_text("utf-8") for p in written)


def test_loads_replaces_only_lone_surrogates() -> None:
    data = loads('{"a\\ud800": ["x\\udfff", {"k": "\\ud83d\\ude00 ok"}], "n": 1}')
    assert data == {"a\ufffd": ["x\ufffd", {"k": "\U0001f600 ok"}], "n": 1}
    assert loads(b'{"plain": "text"}') == {"plain": "text"}


def test_note_fields_with_bytes_that_are_not_utf8_import(tmp_path: Path) -> None:
    """A field holding CESU-8 (an encoded surrogate) or stray bytes, which SQLite stores as given:
    the note is imported with U+FFFD in place of the bad bytes (a stranger's damaged note does
    not cost the whole deck), one warning line counts it, and no surrogate reaches a file."""
    entries = make_hostile_apkg.edited_entries(
        lambda conn: conn.execute("UPDATE notes SET flds = CAST(X'eda080206f6e65ff1f74776f' AS TEXT)")
    )
    apkg = tmp_path / "bytes.apkg"
    make_hostile_apkg._write(apkg, entries)
    home = tmp_path / "home"
    run = subprocess.run(
        [sys.executable, "-m", "retain", "import", str(apkg)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "RETAIN_HOME": str(home)},
    )
    assert run.returncode == 0, run.stderr
    assert "had bytes that are not UTF-8; shown as \ufffd" in run.stderr
    written = "".join(p.read_text(encoding="utf-8") for p in (home / "decks").glob("*.toml"))
    assert "\ufffd" in written and "one" in written
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in written)
