"""h14: the note types of a deck that came from Anki go back in the `.apkg` changed at time 0
(`mod = 0`), and that is what real Anki needs: importing the export into the collection the deck
came from updates the notes in place, makes no copy of a note type ("Basic+"), and keeps a change
the learner made to the note type in Anki since (its CSS). A `mod` of the export time would make
Anki take retain's older copy for a newer version and overwrite that change (seen with Anki
26.09: the CSS edit was gone). retain's own note types carry the export time and are updated."""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON, run_anki

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

ANKI = r"""
import json, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
mode, col_path, pkg = sys.argv[1], sys.argv[2], sys.argv[3]
col = Collection(col_path)
log = {}
if mode == "make":
    did = col.decks.id("General")
    for kind, fields in [("Basic", ["capital of France?", "Paris"]), ("Cloze", ["{{c1::Rome}} is in Italy", ""])]:
        note = col.new_note(col.models.by_name(kind))
        for i, v in enumerate(fields):
            note.fields[i] = v
        col.add_note(note, did)
    opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
    col.export_anki_package(out_path=pkg, options=opts, limit=None)
elif mode == "css":
    m = col.models.by_name("Basic")
    m["css"] += "\n.learner-made { color: red }"
    col.models.update_dict(m)
elif mode == "import":
    r = col.import_anki_package(ImportAnkiPackageRequest(package_path=pkg, options=ImportAnkiPackageOptions()))
    log = {k: len(getattr(r.log, k)) for k in ("new", "updated", "duplicate", "conflicting") if len(getattr(r.log, k))}
print(json.dumps({
    "log": log,
    "types": sorted(m["name"] for m in col.models.all() if col.models.nids(m["id"])),
    "css": ".learner-made" in col.models.by_name("Basic")["css"],
    "fronts": sorted(col.get_note(n).fields[0] for n in col.find_notes("")),
}))
col.close()
"""


def _anki(tmp_path: Path, *args: str) -> dict[str, object]:
    return json.loads(run_anki(tmp_path, ANKI, *args).strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_deck_from_anki_goes_back_updating_its_notes_and_keeping_the_learners_note_types(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    col = str(tmp_path / "col.anki2")
    _anki(tmp_path, "make", col, str(tmp_path / "from-anki.apkg"))
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(tmp_path / "from-anki.apkg", Path(stage))
        home = open_home()
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        apply_import(plan, home.paths.decks_dir)
    deck_file = tmp_path / "home" / "decks" / "general.toml"
    deck_file.write_text(deck_file.read_text().replace("capital of France?", "capital of France (edited)?"))
    before = _anki(tmp_path, "css", col, "-")  # the learner changes the note type in Anki meanwhile
    assert before["css"] is True
    home = open_home()
    out = tmp_path / "from-retain.apkg"
    later = datetime.now(UTC) + timedelta(minutes=1)  # (Anki updates a note only when it is newer)
    deck = home.library().get("general")
    assert deck is not None
    export_decks([deck], out, now=later, decks_dir=home.paths.decks_dir)
    after = _anki(tmp_path, "import", col, str(out))
    assert after["log"] == {"updated": 2}
    assert after["types"] == before["types"] == ["Basic", "Cloze"]  # no "Basic+" copy
    assert after["fronts"] == ["capital of France (edited)?", "{{c1::Rome}} is in Italy"]
    assert after["css"] is True  # the learner's change to the note type is kept
