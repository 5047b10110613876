"""Every query on an imported collection runs under a deadline and a row limit, inside the error handling."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest

from retain.interop.anki import ankidb
from retain.interop.anki.ankidb import open_db
from retain.interop.errors import InteropError, LimitError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "anki" / "layout-anki2.apkg"


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    db = tmp_path / "c.anki2"
    with zipfile.ZipFile(FIXTURE) as zf:
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    conn.execute(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
        "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r LIMIT 50000) "
        "SELECT i, 1, 0, 3, 1, 0, 2500, 1000, 1 FROM r"
    )
    conn.commit()
    conn.close()
    return db


def test_a_query_past_its_deadline_is_interrupted(collection: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = open_db(collection)
    try:
        monkeypatch.setattr(ankidb, "QUERY_SECONDS", 0.0)
        with pytest.raises(LimitError, match="ran longer than"):
            list(db.revlog())
    finally:
        db.close()


def test_time_spent_on_each_row_by_the_caller_does_not_count(
    collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big honest collection on a busy machine: converting each note takes time, SQLite does not."""
    import time

    db = open_db(collection)
    try:
        monkeypatch.setattr(ankidb, "QUERY_SECONDS", 0.5)
        rows = 0
        for _row in db.query(
            "SELECT (SELECT count(*) FROM revlog WHERE ivl + r.id > 0) FROM revlog r LIMIT 8"
        ):
            time.sleep(0.1)  # 0.8 s with the rows, far past the budget, but none of it in SQLite
            rows += 1
        assert rows == 8
    finally:
        db.close()


def test_a_query_past_the_row_limit_is_refused(collection: Path) -> None:
    db = open_db(collection)
    try:
        db.max_rows = 1000
        with pytest.raises(LimitError, match="more than 1000 rows"):
            list(db.revlog())
    finally:
        db.close()


def test_an_error_while_rows_are_read_is_one_line(collection: Path) -> None:
    db = open_db(collection)
    try:
        db.conn.execute("PRAGMA query_only = OFF")
        with pytest.raises(InteropError, match="embedded database"):
            list(db.query("SELECT * FROM no_such_table"))
    finally:
        db.close()
