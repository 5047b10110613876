"""h14: a note type kept from Anki goes back into an `.apkg` with Anki's own `mod` for it (the time
Anki last changed it), not 0 and not the export time. So a newer version of an Anki deck whose note
type changed upstream (CSS, templates), passed through retain, updates that note type in a
collection that holds the older one, as the Anki package itself would; and the plain round trip
still keeps a change the learner made in Anki since (`test_h14_video_notetypes`).
Driven with real Anki (26.09 in /work/anki-venv)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
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
import json, sys, time
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
mode, col_path, pkg = sys.argv[1], sys.argv[2], sys.argv[3]
col = Collection(col_path)
log = {}

def export():
    opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=mode.endswith("legacy"))
    col.export_anki_package(out_path=pkg, options=opts, limit=None)

if mode.startswith("make"):
    m = col.models.copy(col.models.by_name("Basic"), add=False)
    m["name"] = "Vocab"
    m["css"] = ".card { color: black }"
    col.models.add_dict(m)
    did = col.decks.id("Words")
    for front, back in [("chat", "cat"), ("chien", "dog")]:
        note = col.new_note(col.models.by_name("Vocab"))
        note.fields[0], note.fields[1] = front, back
        col.add_note(note, did)
    export()
elif mode.startswith("change"):  # upstream: the author changes the note type a second later
    time.sleep(1.2)
    m = col.models.by_name("Vocab")
    m["css"] += "\n.upstream-v2 { color: green }"
    m["tmpls"][0]["qfmt"] = "<div class=upstream-v2>{{Front}}</div>"
    col.models.update_dict(m)
    export()
elif mode == "import":
    r = col.import_anki_package(ImportAnkiPackageRequest(package_path=pkg, options=ImportAnkiPackageOptions()))
    log = {k: len(getattr(r.log, k)) for k in ("new", "updated", "duplicate", "conflicting") if len(getattr(r.log, k))}
m = col.models.by_name("Vocab")
print(json.dumps({
    "log": log,
    "types": sorted(m["name"] for m in col.models.all() if col.models.nids(m["id"])),
    "mod": m["mod"],
    "css": ".upstream-v2" in m["css"],
    "qfmt": m["tmpls"][0]["qfmt"],
}))
col.close()
"""


def _anki(tmp_path: Path, *args: str) -> dict[str, object]:
    return json.loads(run_anki(tmp_path, ANKI, *args).strip().splitlines()[-1])  # type: ignore[no-any-return]


def _through_retain(tmp_path: Path, package: Path, out: Path) -> dict[int, int]:
    """`package` imported into a fresh retain home and exported again to `out`; the note types' mods
    in `out`."""
    home_dir = tmp_path / f"home-{package.stem}"
    mp = pytest.MonkeyPatch()
    mp.setenv("RETAIN_HOME", str(home_dir))
    try:
        with tempfile.TemporaryDirectory() as stage:
            bundle = read_file(package, Path(stage))
            home = open_home()
            plan = plan_import(bundle, home.library(), home.paths.decks_dir)
            apply_import(plan, home.paths.decks_dir)
        home = open_home()
        deck = home.library().get("words")
        assert deck is not None
        later = datetime.now(UTC) + timedelta(minutes=1)  # (Anki updates a note only when it is newer)
        export_decks([deck], out, now=later, decks_dir=home.paths.decks_dir)
    finally:
        mp.undo()
    db = tmp_path / f"{out.stem}.anki2"
    with zipfile.ZipFile(out) as zf:
        db.write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    finally:
        con.close()
    return {int(k): int(v["mod"]) for k, v in models.items()}


@pytest.mark.parametrize("layout", ["", "-legacy"])  # schema 18 (`.anki21b`) and schema 11
def test_a_note_type_changed_upstream_updates_through_retain(tmp_path: Path, layout: str) -> None:
    author, learner = str(tmp_path / "author.anki2"), str(tmp_path / "learner.anki2")
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    made = _anki(tmp_path, f"make{layout}", author, str(v1))
    old = _anki(tmp_path, "import", learner, str(v1))  # the learner's collection has version 1
    assert old["log"] == {"new": 2} and old["css"] is False
    changed = _anki(tmp_path, f"change{layout}", author, str(v2))
    assert isinstance(changed["mod"], int) and isinstance(made["mod"], int)
    assert changed["mod"] > made["mod"] and changed["css"] is True
    mods = _through_retain(tmp_path, v2, tmp_path / "from-retain.apkg")
    assert list(mods.values()) == [changed["mod"]]  # Anki's own mod of the note type, exactly
    after = _anki(tmp_path, "import", learner, str(tmp_path / "from-retain.apkg"))
    assert after["types"] == ["Vocab"]  # no copy of the note type
    assert after["css"] is True  # updated, as importing v2.apkg itself would
    assert after["qfmt"] == "<div class=upstream-v2>{{Front}}</div>"
