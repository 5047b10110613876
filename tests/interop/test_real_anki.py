"""retain's .apkg and .csv exports imported by real Anki (its `anki` backend package).

Anki is not a retain dependency: these tests use a separate venv at
/work/anki-venv (or $RETAIN_ANKI_PYTHON) and are skipped when it is missing.
Set it up with `python -m venv /work/anki-venv && /work/anki-venv/bin/pip install anki`.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.units import expand_deck
from retain.interop.exporter import export_decks
from retain.store.home import open_home

ANKI_PYTHON = Path(os.environ.get("RETAIN_ANKI_PYTHON", "/work/anki-venv/bin/python"))

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
    for d in decks:
        for c in d.cards:
            kinds[names[c.kind]] = kinds.get(names[c.kind], 0) + 1
    assert result["kinds"] == kinds
    assert result["decks"] == sorted(f"{d.group}::{d.name}" for d in decks)
