"""h22: a card an upgrade moved A -> B -> A goes back to Anki (`export --with-progress`) as one never
moved does: Anki's ease and its own log rows, no "Reset" row. The first move's "back to new"
record, left in deck A's history, is a move's own (no learner action: the card detail lists
none) and reached the export's log (a manual "Reset" row) and the ease replay (Anki's ease
dropped, the export's own from FSRS written instead)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.interop import progress_io
from retain.store.home import open_home

from .anki_fixture import CARD, LEGACY
from .conftest import run_cli
from .test_h22_cards_moved_between_decks import GK, OLD_KEY, SPANISH, _import, _move, _package


def _exported(tmp_path: Path, out: Path, guid: str) -> tuple[list[tuple[int, int, int]], int]:
    """(the (ease, type, factor) of each revlog row of the fixture's studied card; its factor)."""
    db = tmp_path / f"{out.stem}.anki2"
    with zipfile.ZipFile(out) as zf:
        db.write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        (cid, factor) = con.execute(
            "SELECT c.id, c.factor FROM cards c JOIN notes n ON c.nid = n.id WHERE n.guid = ?", (guid,)
        ).fetchone()
        rows = con.execute(
            "SELECT ease, type, factor FROM revlog WHERE cid = ? ORDER BY id", (cid,)
        ).fetchall()
    finally:
        con.close()
    return [tuple(r) for r in rows], int(factor)


def _kept(home: Path) -> tuple[str, int]:
    """(the studied card's note GUID; its Anki ease factor), as the import kept them."""
    data = json.loads((home / "decks" / "general-knowledge.anki.json").read_text("utf-8"))
    card = OLD_KEY.split("/", 1)[1]
    return data["notes"][card][0], int(data["cards"][card][0])


def test_a_card_moved_away_and_back_exports_as_never_moved(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(LEGACY, history=True)
    never = tmp_path / "never.apkg"
    assert run_cli(capsys, "export", "general-knowledge", "-o", str(never), "--with-progress")[0] == 0
    guid, kept = _kept(home)
    rows, factor = _exported(tmp_path, never, guid)
    assert len(rows) == 2 and factor == kept
    _import(_package(tmp_path, "v2", _move(CARD, SPANISH)), history=True)
    _import(_package(tmp_path, "v3", _move(CARD, GK)), history=True)
    out = tmp_path / "out.apkg"
    code, _, err = run_cli(capsys, "export", "general-knowledge", "-o", str(out), "--with-progress")
    assert code == 0, err
    assert _exported(tmp_path, out, guid) == (rows, factor)  # no "Reset" row (type 4, factor 0)


def test_a_forget_is_still_sent(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The browser's reset of the card after the moves is the learner's: a "Reset" row."""
    _import(LEGACY, history=True)
    _import(_package(tmp_path, "v2", _move(CARD, SPANISH)), history=True)
    _import(_package(tmp_path, "v3", _move(CARD, GK)), history=True)
    from retain.store.collection import Collection
    from retain.store.state.progress_edits import reset_progress

    now = datetime.now(UTC)
    coll = Collection.open(open_home(), now, cards=False)
    try:
        assert reset_progress(coll, [OLD_KEY], now)
    finally:
        coll.close(now)
    _, reviews = progress_io.deck_progress(open_home(), "general-knowledge", datetime.now(UTC))
    assert [r.kind for r in reviews if r.key == OLD_KEY] == ["review", "review", "reset"]
    out = tmp_path / "out.apkg"
    assert run_cli(capsys, "export", "general-knowledge", "-o", str(out), "--with-progress")[0] == 0
    rows, _ = _exported(tmp_path, out, _kept(home)[0])
    assert len(rows) == 3 and rows[-1][1:] == (4, 0)
