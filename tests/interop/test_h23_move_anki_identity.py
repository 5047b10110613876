"""A card moved to another deck keeps its Anki identity: the next export updates the same note.

An `.apkg` import keeps each note's GUID, note type and fields (and each card's SM-2 ease) in
`DECK.anki.json` by card id. A card moved with `m` (or the editor's deck field) left them in the
old deck's file: the export sent it as a new note with a new GUID, so Anki held it twice, with
the image name retain's own (`top-alpha.media/<hash>.png`, no such file in Anki).
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.interop.ankikeep import keep_path, load_keep
from retain.interop.ankikeep_moves import carry_kept
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_cards
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import FIXTURES, run_cli

PACKAGE = FIXTURES / "layout-latest.apkg"
IMAGE = "tn-lmuh-r-7191cc72"  # General Knowledge: "Which dot is this? <img src="tiny dot.png">"
REVIEWED = "wcaxx-fs-w-15eb95ae"  # General Knowledge: reviewed in Anki, ease 2500
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _import(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _out, err = run_cli(capsys, "import", str(PACKAGE), "--with-history")
    assert code == 0, err


def _move(home: Path, cards: list[str], to: str = "languages-spanish") -> str | None:
    with Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, tz=UTC) as col:
        results = move_cards(col, [("general-knowledge", c) for c in cards], to, NOW)
        return carry_kept(col.library, results)


def _notes(apkg: Path, tmp_path: Path) -> dict[str, list[str]]:
    """guid -> fields of a package retain wrote."""
    with zipfile.ZipFile(apkg) as zf:
        (tmp_path / "pkg.anki2").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "pkg.anki2")
    try:
        return {g: f.split("\x1f") for g, f in con.execute("SELECT guid, flds FROM notes")}
    finally:
        con.close()


def test_the_moved_cards_entries_follow_it(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(home, capsys)
    decks = home / "decks"
    before = load_keep(keep_path(decks, "general-knowledge"))
    assert before is not None and IMAGE in before.notes and REVIEWED in before.cards
    assert _move(home, [IMAGE, REVIEWED]) is None
    old, new = (
        load_keep(keep_path(decks, "general-knowledge")),
        load_keep(keep_path(decks, "languages-spanish")),
    )
    assert old is not None and new is not None
    assert IMAGE not in old.notes and REVIEWED not in old.notes and REVIEWED not in old.cards
    assert new.notes[IMAGE].guid == before.notes[IMAGE].guid
    assert new.notes[IMAGE].fields == before.notes[IMAGE].fields
    assert new.cards[REVIEWED] == before.cards[REVIEWED]
    assert before.notes[IMAGE].mid in new.notetypes
    assert new.media["tiny dot.png"] == before.media["tiny dot.png"]


def test_the_export_sends_the_same_note_as_anki_had_it(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(home, capsys)
    kept = load_keep(keep_path(home / "decks", "general-knowledge"))
    assert kept is not None
    _move(home, [IMAGE])
    out = tmp_path / "spanish.apkg"
    code, _out, err = run_cli(capsys, "export", "languages-spanish", "-o", str(out))
    assert code == 0, err
    notes = _notes(out, tmp_path)
    assert notes[kept.notes[IMAGE].guid] == kept.notes[IMAGE].fields  # unchanged: Anki's own HTML
    with zipfile.ZipFile(out) as zf:
        names = json.loads(zf.read("media")).values()
    assert "tiny dot.png" in names


def test_a_card_moved_to_a_deck_made_in_retain_takes_them_to_a_new_file(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(home, capsys)
    code, _out, err = run_cli(capsys, "add", "--deck", "mine", "--new-deck", "--front", "q", "--back", "a")
    assert code == 0, err
    assert not keep_path(home / "decks", "mine").exists()
    _move(home, [REVIEWED], to="mine")
    new = load_keep(keep_path(home / "decks", "mine"))
    assert new is not None and REVIEWED in new.notes and REVIEWED in new.cards


def test_an_unreadable_sidecar_is_one_line_and_the_move_stands(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(home, capsys)
    keep_path(home / "decks", "languages-spanish").write_text("{not json", "utf-8")
    said = _move(home, [IMAGE])
    assert said is not None and "\n" not in said
    assert said.startswith("the moved cards' Anki identity stayed behind (languages-spanish.anki.json")
    assert f'id = "{IMAGE}"' in (home / "decks" / "languages-spanish.toml").read_text("utf-8")


CHECK = """
import json, shutil, sys
from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions
col = Collection(sys.argv[3])
first = ImportAnkiPackageRequest(package_path=sys.argv[1], options=ImportAnkiPackageOptions())
col.import_anki_package(first)
before = len(col.find_notes(""))
again = ImportAnkiPackageRequest(package_path=sys.argv[2], options=ImportAnkiPackageOptions())
log = col.import_anki_package(again).log
print(json.dumps({"before": before, "after": len(col.find_notes("")), "new": len(log.new)}))
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_anki_updates_the_moved_note_and_adds_none(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(home, capsys)
    _move(home, [IMAGE, REVIEWED])
    out = tmp_path / "spanish.apkg"
    code, _out, err = run_cli(capsys, "export", "languages-spanish", "-o", str(out))
    assert code == 0, err
    stdout = run_anki(tmp_path, CHECK, str(PACKAGE), str(out), str(tmp_path / "anki.anki2"))
    counts = json.loads(stdout.strip().splitlines()[-1])
    assert counts == {"before": 5, "after": 5, "new": 0}


def test_a_media_name_the_new_deck_uses_for_another_file_is_not_sent_as_it_was(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two Anki decks each with its own `tiny dot.png`: the moved note went back naming the new
    deck's file (another picture in Anki); now its fields are made anew from the card."""
    _import(home, capsys)
    decks = home / "decks"
    other = b"\\x89PNG\\r\\n\\x1a\\nanother picture"
    hashed = "ab" * 32 + ".png"
    (decks / "languages-spanish.media" / hashed).write_bytes(other)
    spanish = json.loads(keep_path(decks, "languages-spanish").read_text("utf-8"))
    spanish["media"]["tiny dot.png"] = hashed
    keep_path(decks, "languages-spanish").write_text(json.dumps(spanish), "utf-8")
    kept = load_keep(keep_path(decks, "general-knowledge"))
    assert kept is not None
    assert _move(home, [IMAGE]) is None
    out = tmp_path / "spanish.apkg"
    code, _out, err = run_cli(capsys, "export", "languages-spanish", "-o", str(out))
    assert code == 0, err
    fields = _notes(out, tmp_path)[kept.notes[IMAGE].guid]  # (the same note: its GUID kept)
    assert "tiny dot.png" not in fields[0], fields
    with zipfile.ZipFile(out) as zf:
        names = json.loads(zf.read("media"))
        sent = {name: zf.read(number) for number, name in names.items()}
    shown = next(name for name in sent if name in fields[0])
    dot = (decks / "general-knowledge.media" / kept.media["tiny dot.png"]).read_bytes()
    assert sent[shown] == dot
