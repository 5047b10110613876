"""h36: a card from an Anki note whose kind changed in retain goes to Anki as a valid note.

Found: a card imported from an Anki "Basic" note and made `reversed` in retain was exported with
the kept one-template "Basic" note type and two cards: Anki raised "missing template" showing the
second and Check Database deleted it. Now a kept note type goes back only with a card it fits
(`apkg_write._fits`: cloze/typed/reversed by what its templates make); otherwise retain's own
note type for the kind, under retain's GUID (Anki skips a note whose GUID it has under another
note type, "conflicting"). An "optional reversed" note made reversed keeps its note, its "Add
Reverse" switch filled."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.apkg_write import _fits, _switched

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

BASIC = NoteType("Basic", False, ["Front", "Back"], ["{{Front}}"], ["{{Back}}"])
REV = NoteType("Rev", False, ["Front", "Back"], ["{{Front}}", "{{Back}}"], ["{{Back}}", "{{Front}}"])
OPT = NoteType(
    "Basic (optional reversed card)",
    False,
    ["Front", "Back", "Add Reverse"],
    ["{{Front}}", "{{#Add Reverse}}{{Back}}{{/Add Reverse}}"],
    ["{{Back}}", "{{Front}}"],
)
TYPED = NoteType("Typed", False, ["Front", "Back"], ["{{Front}}\n{{type:Back}}"], ["{{Back}}"])
CLOZE = NoteType("Cloze", True, ["Text", "Back Extra"], ["{{cloze:Text}}"], ["{{cloze:Text}}"])


def test_fits_by_what_the_templates_make() -> None:
    assert _fits(BASIC, "basic") and not _fits(BASIC, "reversed")
    assert _fits(REV, "reversed") and _fits(REV, "basic")
    assert _fits(OPT, "reversed") and _fits(OPT, "basic")
    for shape in (BASIC, REV, OPT, TYPED):
        assert not _fits(shape, "cloze")
    for kind in ("basic", "reversed", "typed"):
        assert not _fits(CLOZE, kind)
    assert _fits(TYPED, "typed") and not _fits(TYPED, "basic") and not _fits(TYPED, "reversed")
    assert not _fits(BASIC, "typed") and not _fits(REV, "typed")


def test_switched_fills_add_reverse() -> None:
    assert _switched(OPT, "reversed", ["a", "b", ""]) == ["a", "b", "y"]
    assert _switched(OPT, "reversed", ["a", "b", "on"]) == ["a", "b", "on"]
    assert _switched(OPT, "reversed", ["a", "", ""]) is None  # no back: Anki makes no reverse card
    assert _switched(OPT, "basic", ["a", "b", "y"]) == ["a", "b", "y"]


MAKE = r"""
import sys, os
from anki.collection import Collection, ExportAnkiPackageOptions
w, kind = sys.argv[1], sys.argv[2]
os.makedirs(w + "/src", exist_ok=True)
col = Collection(w + "/src/col.anki2")
n = col.new_note(col.models.by_name(kind)); n["Front"] = "perro"; n["Back"] = "dog"
col.add_note(n, col.decks.id("Spanish"))
col.export_anki_package(out_path=w + "/es.apkg", options=ExportAnkiPackageOptions(with_scheduling=False,
    legacy=False), limit=None)
print(n.guid)
col.close()
"""

CHECK = r"""
import sys, os, json
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
w, apkg, where = sys.argv[1], sys.argv[2], sys.argv[3]
col = Collection(w + "/" + where + "/col.anki2")
log = col.import_anki_package(ImportAnkiPackageRequest(package_path=apkg, options=ImportAnkiPackageOptions())).log
col.fix_integrity()  # Check Database: a card without its template is deleted
notes = []
for nid in col.find_notes(""):
    note = col.get_note(nid)
    cards = [(c.ord, c.question()[-40:], c.answer()[-40:]) for c in note.cards()]
    notes.append({"guid": note.guid, "type": note.note_type()["name"], "fields": note.fields, "cards": cards})
print(json.dumps({"notes": notes, "conflicting": len(log.conflicting), "new": len(log.new)}))
col.close()
"""


def _export_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], note_type: str, kind: str
) -> tuple[str, Path]:
    guid = run_anki(tmp_path, MAKE, str(tmp_path), note_type).strip()
    assert run_cli(capsys, "import", str(tmp_path / "es.apkg"))[0] == 0
    deck = Path(__import__("os").environ["RETAIN_HOME"]) / "decks" / "spanish.toml"
    text = deck.read_text(encoding="utf-8")
    text = re.sub(
        r'(\[\[cards\]\]\nid = "[^"]+"\n)(kind = "[a-z]+"\n)?', rf'\1kind = "{kind}"\n', text, count=1
    )
    deck.write_text(text, encoding="utf-8")
    out = tmp_path / "es2.apkg"
    code, _, err = run_cli(capsys, "export", "spanish", "-o", str(out))
    assert code == 0, err
    return guid, out


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")
def test_basic_made_reversed_is_a_valid_note(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guid, out = _export_changed(tmp_path, capsys, "Basic", "reversed")
    (tmp_path / "dst").mkdir()
    got = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), str(out), "dst"))
    [note] = got["notes"]
    assert [c[0] for c in note["cards"]] == [0, 1]  # both kept by Check Database
    assert "perro" in note["cards"][1][2] and "dog" in note["cards"][1][1]
    assert note["guid"] != guid and note["type"].startswith("retain Basic (and reversed card)")
    # into the collection the note came from: a new note beside the old (never "conflicting")
    again = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), str(out), "src"))
    assert again["conflicting"] == 0 and again["new"] == 1 and len(again["notes"]) == 2


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")
def test_optional_reversed_made_reversed_keeps_its_note(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    guid, out = _export_changed(tmp_path, capsys, "Basic (optional reversed card)", "reversed")
    (tmp_path / "dst").mkdir()
    got = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), str(out), "dst"))
    [note] = got["notes"]
    assert note["guid"] == guid and note["type"].startswith("Basic (optional reversed card)")
    assert [c[0] for c in note["cards"]] == [0, 1] and note["fields"][2]
    assert "dog" in note["cards"][1][1]


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")
def test_basic_made_cloze_is_a_cloze_note(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck_kind = "cloze"
    guid = run_anki(tmp_path, MAKE, str(tmp_path), "Basic").strip()
    assert run_cli(capsys, "import", str(tmp_path / "es.apkg"))[0] == 0
    deck = Path(__import__("os").environ["RETAIN_HOME"]) / "decks" / "spanish.toml"
    text = deck.read_text(encoding="utf-8")
    text = re.sub(r"\nfront = .*\nback = .*\n", '\ntext = "{{c1::perro}} is dog"\n', text, count=1)
    text = re.sub(r'(\[\[cards\]\]\nid = "[^"]+"\n)', rf'\1kind = "{deck_kind}"\n', text, count=1)
    deck.write_text(text, encoding="utf-8")
    assert run_cli(capsys, "check", str(deck))[0] == 0
    out = tmp_path / "es2.apkg"
    assert run_cli(capsys, "export", "spanish", "-o", str(out))[0] == 0
    (tmp_path / "dst").mkdir()
    [note] = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), str(out), "dst"))["notes"]
    assert note["guid"] != guid and "Cloze" in note["type"] and [c[0] for c in note["cards"]] == [0]
