"""The legacy Anki fixture package (`layout-anki21.apkg`) changed for a test: its collection
edited by SQL, its one reviewed card's review log replaced, read back with its history."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from retain.interop.bundle import Bundle
from retain.interop.importer import read_file

from .conftest import FIXTURES

__all__ = [
    "ANKI_PYTHON",
    "CARD",
    "LEGACY",
    "LogOnly",
    "LogRow",
    "changed_package",
    "package_media",
    "read_history",
    "run_anki",
    "with_log",
]

# Real Anki in a venv of its own (`.ci/run` makes one and sets RETAIN_ANKI_PYTHON); the tests
# that drive it skip with a reason without it.
ANKI_PYTHON = Path(os.environ.get("RETAIN_ANKI_PYTHON", "/work/anki-venv/bin/python"))

LEGACY = FIXTURES / "layout-anki21.apkg"
CARD = 1_795_857_295_140  # the fixture's one reviewed card (two log rows; its other cards are new)
LogRow = tuple[int, int, int, int, int, int]  # id, ease, ivl, lastIvl, factor, type


def package_rows(package: Path, tmp: Path, sql: str) -> list[tuple[Any, ...]]:
    """The rows `sql` selects from the collection inside `package` (an .apkg), read from a copy
    in `tmp`."""
    db_path = tmp / f"{package.stem}-rows.anki2"
    with zipfile.ZipFile(package) as zf:
        db_path.write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def changed_package(tmp_path: Path, change: Callable[[sqlite3.Connection], object]) -> Path:
    """The legacy fixture package with its collection changed by `change`."""
    db = tmp_path / "collection.anki21"
    out = tmp_path / "changed.apkg"
    with zipfile.ZipFile(LEGACY) as zin:
        db.write_bytes(zin.read("collection.anki21"))
        conn = sqlite3.connect(db)
        change(conn)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                name = info.filename
                zout.writestr(name, db.read_bytes() if name == "collection.anki21" else zin.read(name))
    return out


def read_history(tmp_path: Path, path: Path) -> Bundle:
    """`path` read as `import --with-history` reads it."""
    stage = tmp_path / f"stage-{path.stem}"
    stage.mkdir()
    return read_file(path, stage, with_history=True)


def with_log(tmp_path: Path, rows: Sequence[LogRow], card_sql: str = "") -> Bundle:
    """The legacy fixture with CARD's log replaced by `rows` (and `card_sql` run on its `cards`
    row, `?` its id), read with its history."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM revlog WHERE cid = ?", (CARD,))
        conn.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, -1, ?, ?, ?, ?, 5000, ?)",
            [(rid, CARD, ease, ivl, last, factor, typ) for rid, ease, ivl, last, factor, typ in rows],
        )
        if card_sql:
            conn.execute(card_sql, (CARD,))

    return read_history(tmp_path, changed_package(tmp_path, change))


class LogOnly:
    """The two things `card_reviews` reads of an Anki collection: its creation time and review log."""

    crt = 1_600_000_000

    def __init__(self, rows: list[tuple[int, int, int, int, int, int, int]]) -> None:
        self.rows = rows

    def revlog(self) -> list[tuple[int, int, int, int, int, int, int]]:
        return self.rows


def package_media(name: str) -> str | None:
    """A package's media lookup for `html_to_text`: every file but `missing.*`, as a placeholder."""
    if name.startswith("missing"):
        return None
    kind = "audio" if name.rsplit(".", 1)[-1] in ("mp3", "ogg", "mp4", "webm") else "image"
    return f"![{kind}](d.media/{name})"


def run_anki(tmp_path: Path, script: str, *args: str, cwd: Path | None = None) -> str:
    """Run `script` (Python that drives real Anki) in ANKI_PYTHON with `args`; its stdout. It must
    exit 0 (its stderr's end is the failure message)."""
    path = tmp_path / "anki_script.py"
    path.write_text(script, encoding="utf-8")
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(path), *args],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=cwd,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout
