"""Hostile .apkg collections with text, a float, NULL or a blob where Anki keeps an integer.

SQLite keeps any value in any column. Every integer column retain reads is checked where its row
is read: a row whose ids are not numbers is left out and counted, a card whose scheduling is not
numbers keeps its log's state (counted), and a collection whose `col` numbers are not numbers is
refused in one line. Never a traceback."""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

import pytest

from retain.interop.errors import InteropError
from retain.interop.importer import read_file

from .conftest import run_cli, tree

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
from make_hostile_apkg import _base_entries, _write

REVIEW_CARD = 1795857295140  # the fixture's review card (type 2, two review-log rows), and its note

# Each integer column retain reads, and the row changed in it.
CARD_IDS = ("id", "nid", "did", "ord", "odid")
CARD_NUMBERS = ("type", "queue", "due", "ivl", "factor", "reps", "lapses", "odue", "left", "mod")
COLUMNS = {
    "notes": (("id", "mid"), f"id = {REVIEW_CARD}"),
    "cards": (CARD_IDS + CARD_NUMBERS, f"id = {REVIEW_CARD}"),
    "revlog": (("id", "cid", "ease", "ivl", "factor", "time", "type"), "id = (SELECT min(id) FROM revlog)"),
    "col": (("ver", "crt"), "1 = 1"),
}
VALUES = {"text": "'abc'", "float": "1.5", "null": "NULL", "blob": "X'00ff'"}
# Id columns: a row without them is left out (the fixture's review card is its note's only card).
IDS = {("notes", "id"), ("notes", "mid")} | {("cards", c) for c in CARD_IDS}
# Columns a finite float is rounded in (as Anki's Check Database does): the rest are ids.
ROUNDED = {("cards", c) for c in ("type", "queue", "due", "ivl", "factor", "reps", "lapses", "odue")} | {
    ("revlog", c) for c in ("ease", "ivl", "factor", "time", "type")
}
# Columns only a refinement is read from (a learning card's steps, a suspension's date).
REFINEMENTS = {("cards", "left"), ("cards", "mod")}


def _package_with_sql(path: Path, *statements: str) -> Path:
    """The legacy fixture package (a real Anki export) with SQL run on its collection."""
    entries = _base_entries()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.anki2"
        db.write_bytes(entries["collection.anki2"])
        conn = sqlite3.connect(db)
        for sql in statements:
            conn.execute(sql)
        conn.commit()
        conn.close()
        entries["collection.anki2"] = db.read_bytes()
    _write(path, entries)
    return path


def _unconstrained(table: str) -> list[str]:
    """SQL that rebuilds `table` without its NOT NULL and PRIMARY KEY constraints (so NULL and text fit)."""
    return [
        f"CREATE TABLE loose AS SELECT * FROM {table}",
        f"DROP TABLE {table}",
        f"ALTER TABLE loose RENAME TO {table}",
    ]


CASES = [(t, c, v) for t, (cols, _) in COLUMNS.items() for c in cols for v in VALUES]


@pytest.mark.parametrize(("table", "column", "value"), CASES, ids=[f"{t}.{c}-{v}" for t, c, v in CASES])
def test_a_value_that_is_no_integer_in_any_integer_column_is_left_out_or_refused(
    table: str, column: str, value: str, tmp_path: Path
) -> None:
    _, where = COLUMNS[table]
    path = _package_with_sql(
        tmp_path / "bad.apkg",
        *_unconstrained(table),
        f"UPDATE {table} SET {column} = {VALUES[value]} WHERE {where}",
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    try:
        bundle = read_file(path, stage, with_history=True)
    except InteropError as exc:
        assert "\n" not in str(exc)
        assert table == "col", f"refused: {exc}"  # the rest is left out row by row, not refused
        return
    assert table != "col", "a collection whose creation date or version is no number is refused"
    assert bundle.card_count == (4 if (table, column) in IDS else 5)
    counted = (value == "float" and (table, column) in ROUNDED) or (table, column) in REFINEMENTS
    if not counted:
        assert any("left out" in w for w in bundle.warnings), bundle.warnings


def test_package_with_text_in_a_cards_deck_column_leaves_that_card_out(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A crafted .apkg whose `cards.did` holds text crashed `retain import` with
    `TypeError: '<' not supported between instances of 'str' and 'int'` instead of one line."""
    path = _package_with_sql(tmp_path / "did.apkg", "UPDATE cards SET did = 'abc' WHERE id = 1795857295143")
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert "1 card(s) left out: their ids are not numbers" in out + err
    assert tree(home / "decks")


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE cards SET due = 'x', ivl = 'y', factor = 'z', type = 't', queue = 'q'",
        "INSERT INTO revlog VALUES (1700000000000, 1795857295140, 0, 'x', 'y', 'z', 'f', 't', 'k')",
    ],
    ids=["cards-columns", "revlog-row"],
)
def test_with_history_text_in_scheduling_columns_is_left_out_and_counted(
    sql: str, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain import X.apkg --with-history` on a package whose card or review-log numbers are
    text crashed with a TypeError traceback (apkg_history) instead of leaving those rows out."""
    path = _package_with_sql(tmp_path / "hist.apkg", sql)
    code, out, err = run_cli(capsys, "import", str(path), "--with-history")
    assert code == 0, err
    assert "left out: their dates or intervals are out of range or not numbers" in out + err
