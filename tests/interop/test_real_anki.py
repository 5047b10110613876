"""retain's .apkg and .csv exports imported by real Anki (its `anki` backend package).

Anki is not a retain dependency: these tests use a separate venv at
/work/anki-venv (or $RETAIN_ANKI_PYTHON) and are skipped when it is missing.
Set it up with `python -m venv /work/anki-venv && /work/anki-venv/bin/pip install anki`.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from retain.core.model import Card, Deck
from retain.core.units import expand_deck
from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON

SCRIPT = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions, ImportCsvRequest
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
path, times = sys.argv[1], int(sys.argv[2])
for _ in range(times):
    if path.endswith(".apkg"):
        req = ImportAnkiPackageRequest(package_path=path, options=ImportAnkiPackageOptions(with_scheduling=True))
        col.import_anki_package(req)
    else:
        col.import_csv(ImportCsvRequest(path=path, metadata=col.get_csv_metadata(path, None)))
kinds = {}
for nid in col.find_notes(""):
    name = col.get_note(nid).note_type()["name"].rstrip("+")
    kinds[name] = kinds.get(name, 0) + 1
decks = sorted(n.name for n in col.decks.all_names_and_ids() if col.decks.card_count(n.id, include_subdecks=False))
print(json.dumps({"notes": col.note_count(), "cards": col.card_count(), "kinds": kinds, "decks": decks}))
col.close()
"""

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(),
    reason=f"real Anki not available ({ANKI_PYTHON} missing; pip install anki in a venv)",
)


def _anki(tmp_path: Path, export: Path, times: int = 1) -> dict[str, object]:
    script = tmp_path / "anki_count.py"
    script.write_text(SCRIPT)
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), str(export), str(times)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


@pytest.mark.parametrize("suffix", [".apkg", ".csv", ".tsv"])
def test_anki_imports_every_card(suffix: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    decks = [d for d in open_home().library().decks if d.id in ("kafka", "redis", "consul")]
    out = tmp_path / f"export{suffix}"
    export_decks(decks, out, now=datetime(2025, 1, 1, tzinfo=UTC))
    result = _anki(tmp_path, out, times=2)  # the second import must update, not duplicate
    assert result["notes"] == sum(len(d.cards) for d in decks)
    assert result["cards"] == sum(len(expand_deck(d)) for d in decks)
    kinds: dict[str, int] = {}
    names = {
        "basic": "Basic",
        "reversed": "Basic (and reversed card)",
        "cloze": "Cloze",
        "typed": "Basic (type in the answer)",
    }
    if suffix == ".apkg":  # retain's own note types, with an Extra field; a text file uses Anki's stock ones
        names = {k: v if k == "cloze" else f"retain {v}" for k, v in names.items()}
    for d in decks:
        for c in d.cards:
            kinds[names[c.kind]] = kinds.get(names[c.kind], 0) + 1
    assert result["kinds"] == kinds
    assert result["decks"] == sorted(f"{d.group}::{d.name}" for d in decks)


ROUNDTRIP = r"""
import json, os, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
mode, col_path, pkg = sys.argv[1], sys.argv[2], sys.argv[3]
col = Collection(col_path)
if mode == "make":
    mm = col.models
    general = col.decks.id("General Knowledge")
    spanish = col.decks.id("Languages::Spanish")
    col.media.write_data("tiny dot.png", bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d4944415478da6364f8cf00000003010100c9fe92ef0000000049454e44ae426082"))
    for kind, fields, did in [
        ("Basic", ["What is the <b>capital</b> of France?", "<div>Paris</div><div>on the&nbsp;Seine</div>"], general),
        ("Basic", ['Which dot is this? <img src="tiny dot.png">', "A 1&times;1 PNG"], general),
        ("Basic (and reversed card)", ["hola", "hello"], spanish),
        ("Cloze", ["{{c1::Madrid}} is the capital of {{c2::Spain::country}}.", "Since 1561."], spanish),
        ("Basic (type in the answer)", ["Spanish for <i>cat</i>", "gato"], spanish),
    ]:
        note = col.new_note(mm.by_name(kind))
        for i, value in enumerate(fields):
            note.fields[i] = value
        col.add_note(note, did)
    opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
    col.export_anki_package(out_path=pkg, options=opts, limit=None)
elif mode == "import":
    col.import_anki_package(ImportAnkiPackageRequest(package_path=pkg, options=ImportAnkiPackageOptions()))
elif mode == "export":
    opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
    col.export_anki_package(out_path=pkg, options=opts, limit=None)
notes = [col.get_note(n) for n in sorted(col.find_notes(""))]
print(json.dumps({
    "notes": len(notes),
    "guids": sorted(n.guid for n in notes),
    "types": sorted({n.note_type()["name"] for n in notes}),
    "fields": {n.guid: list(n.fields) for n in notes},
}))
col.close()
"""


def _run(tmp_path: Path, *args: str) -> dict[str, Any]:
    script = tmp_path / "anki_roundtrip.py"
    script.write_text(ROUNDTRIP)
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _import_all(pkg: Path, tmp_path: Path) -> list[Deck]:
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(pkg, Path(stage))
        home = open_home()
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        apply_import(plan, home.paths.decks_dir)
    library = open_home().library()
    return [d for p in plan.decks if (d := library.get(p.deck.id)) is not None]


def test_anki_retain_anki_updates_notes_in_place(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    col = str(tmp_path / "col.anki2")
    before = _run(tmp_path, "make", col, str(tmp_path / "from-anki.apkg"))
    decks = _import_all(tmp_path / "from-anki.apkg", tmp_path)
    assert sum(len(d.cards) for d in decks) == 5
    out = tmp_path / "from-retain.apkg"
    export_decks(decks, out, now=datetime(2025, 1, 1, tzinfo=UTC), decks_dir=open_home().paths.decks_dir)
    after = _run(tmp_path, "import", col, str(out))
    assert after["notes"] == before["notes"] == 5
    assert after["guids"] == before["guids"]
    assert after["types"] == before["types"]  # stock note types kept: no "Basic+" or "Cloze+"
    assert after["fields"] == before["fields"]


def test_bold_list_and_code_block_survive_anki(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    back = "It has:\n\n- a **list**\n- and *more*\n\n```python\ndef f():\n    return [1, 2]\n```"
    card = Card(id="rich", front="A **bold** question\non two lines", back=back)
    deck = Deck(id="fmt", name="Formatting", cards=(card,))
    out = tmp_path / "fmt.apkg"
    export_decks([deck], out, now=datetime(2025, 1, 1, tzinfo=UTC))
    col = str(tmp_path / "col.anki2")
    seen = _run(tmp_path, "import", col, str(out))
    front_html, back_html, extra_html = next(iter(seen["fields"].values()))
    assert extra_html == ""
    assert "<strong>bold</strong>" in front_html and "<br>" in front_html
    assert "<li>a <strong>list</strong></li>" in back_html
    assert '<pre><code class="language-python">def f():\n    return [1, 2]\n</code></pre>' in back_html
    again = tmp_path / "again.apkg"
    _run(tmp_path, "export", col, str(again))
    (back_deck,) = _import_all(again, tmp_path)
    assert [(c.front, c.back) for c in back_deck.cards] == [(card.front, card.back)]


FILTERED = r"""
import json, sys, time
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
home = col.decks.id("Home")
for i in range(2):
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = f"Q{i}", f"A{i}"
    note.tags = ["cram"] if i == 0 else []
    col.add_note(note, home)
now = int(time.time() * 1000)
for k, cid in enumerate(col.db.list("SELECT id FROM cards ORDER BY id")):  # review cards due in 5 days
    col.db.execute("UPDATE cards SET type=2, queue=2, ivl=25, due=?, factor=2500, reps=2 WHERE id=?",
                   col.sched.today + 5, cid)
    col.db.execute("INSERT INTO revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type)"
                   " VALUES (?,?,-1,3,25,-600,2500,5000,1)", now - 20 * 86400_000 + k, cid)
cram = col.decks.new_filtered("Cram")
deck = col.decks.get(cram)
deck["terms"], deck["resched"] = [["tag:cram", 100, 0]], True
col.decks.save(deck)
col.sched.rebuild_filtered_deck(cram)
col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False), limit=None)
rows = col.db.all("SELECT did, odid, due, odue FROM cards ORDER BY id")
print(json.dumps({"crt": col.crt, "today": col.sched.today, "cram": cram, "rows": rows}))
col.close()
"""


def test_a_card_in_an_anki_filtered_deck_comes_home_with_its_due_date(tmp_path: Path) -> None:
    """Anki exports a card of a filtered deck as it is there: `did` the filtered deck, `due` a
    placeholder (-100000 + position); its home deck is `odid` and its due date `odue`."""
    script = tmp_path / "anki_filtered.py"
    script.write_text(FILTERED)
    pkg = tmp_path / "filtered.apkg"
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), str(tmp_path / "col.anki2"), str(pkg)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    made = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [row[0] for row in made["rows"]].count(made["cram"]) == 1  # Anki put one card in "Cram"
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(pkg, stage, with_history=True)
    assert [(d.name, len(d.cards)) for d in bundle.decks] == [("Home", 2)]
    day = datetime.fromtimestamp(made["crt"], UTC) + timedelta(days=made["today"] + 5)
    dues = [r.after.due if r.after else None for r in bundle.reviews]
    assert len(dues) == 2 and all(d is not None and day <= d < day + timedelta(days=1) for d in dues)


EXTRA_CHECK = r"""
import json, os, re, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions

col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1], options=ImportAnkiPackageOptions()))
out = {"questions": [], "answers": [], "typed_ok": None}
clean = lambda html: re.sub(r"<style>.*?</style>|<!--.*?-->", "", html, flags=re.S)
for cid in sorted(col.find_cards("")):
    card = col.get_card(cid)
    out["questions"].append(clean(card.question()))
    out["answers"].append(clean(card.answer()))
    if "{{type:" in card.note().note_type()["tmpls"][0]["qfmt"]:
        out["typed_ok"] = "typeMissed" not in col.compare_answer(card.note().fields[1], "9092")
print(json.dumps(out))
col.close()
"""


def test_anki_checks_a_typed_answer_and_asks_a_reverse_card_without_the_extra(tmp_path: Path) -> None:
    cards = (
        Card(id="perro", kind="reversed", front="perro", back="dog", extra="Spanish for dog."),
        Card(id="port", kind="typed", front="Kafka port?", back="9092", extra="Brokers listen on 9092."),
    )
    out = tmp_path / "ex.apkg"
    export_decks([Deck(id="ex", name="Extra", cards=cards)], out, now=datetime(2025, 1, 1, tzinfo=UTC))
    script = tmp_path / "extra_check.py"
    script.write_text(EXTRA_CHECK)
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), str(out)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["typed_ok"] is True
    assert len(seen["questions"]) == 3
    assert not [q for q in seen["questions"] if "Spanish for dog" in q or "Brokers" in q]
    # the extra after the answer, on both cards of the reversed note and on the typed card
    extra = '<div class="retain-extra">{}</div>'
    perro_1, perro_2, port = seen["answers"]
    assert perro_1.index("dog") < perro_1.index(extra.format("Spanish for dog."))
    assert perro_2.rindex("perro") < perro_2.index(extra.format("Spanish for dog."))
    assert port.index("[[type:Back]]") < port.index(extra.format("Brokers listen on 9092."))  # typed answer
