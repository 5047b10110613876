"""h39: true retention of an Anki history after Hard on a first step is Anki's own figure.

Found: steps `10m 1d` in Anki, a new card rated Hard at 14:16 (it waits 12h05m, still on its
first step), then Good at 02:30, 1.5 hours before the 4 am rollover. Anki logs that Good with
the first step's 600 seconds (not the 12h05m Hard set) and its true retention leaves it out;
`retain stats` counted it as a young pass. The same with Hard on a single relearning step and
with the default `1m 10m` steps. Here real Anki (under libfaketime, UTC) answers, exports with
its deck options, and retain's figures after `import --with-history` are Anki's, span by span.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from retain.commands.stats import stats_report
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON
from .conftest import run_cli

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")

ANKI_SCRIPT = r"""
import json, os, sys
plan = json.loads(sys.argv[3])
clock = os.environ["FAKETIME_TIMESTAMP_FILE"]
def at(when):
    with open(clock, "w") as fh:
        fh.write("@" + when + "\n")
at(plan["answers"][0][0])
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
col.set_config("fsrs", True)
did = col.decks.id("T")
conf = col.decks.config_dict_for_deck_id(did)
conf["new"]["delays"] = plan["learning"]
conf["lapse"]["delays"] = plan["relearning"]
col.decks.update_config(conf)
note = col.new_note(col.models.by_name("Basic"))
note.fields[0], note.fields[1] = "q", "a"
col.add_note(note, did)
cid = col.find_cards("deck:T")[0]
for when, ease in plan["answers"]:
    at(when)
    card = col.get_card(cid)
    card.start_timer()
    col.sched.answerCard(card, ease)
at(plan["now"])
tr = col._backend.graphs(search="deck:T", days=30).true_retention
spans = {s: [getattr(tr, s).young_passed, getattr(tr, s).young_failed] for s in ("today", "yesterday", "week", "month")}
last = col.db.list("SELECT lastIvl FROM revlog ORDER BY id")
col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False), limit=None)
col.close()
print(json.dumps({"spans": spans, "lastIvl": last}))
"""

_PLANS = {
    "hard on the first of `10m 1d`": {
        "learning": [10, 1440],
        "relearning": [10],
        "answers": [["2025-03-01 14:16:00", 2], ["2025-03-02 02:30:00", 3]],
        "now": "2025-03-02 12:00:00",
    },
    "hard on a single relearning step": {
        "learning": [10],
        "relearning": [10],
        "answers": [
            ["2025-03-01 14:00:00", 4],
            ["2025-03-20 10:00:00", 1],
            ["2025-03-20 10:05:00", 2],
            ["2025-03-21 03:48:00", 3],
        ],
        "now": "2025-03-21 12:00:00",
    },
    "hard on the first of `1m 10m`": {
        "learning": [1, 10],
        "relearning": [10],
        "answers": [["2025-03-01 14:00:00", 2], ["2025-03-02 03:57:00", 3]],
        "now": "2025-03-02 12:00:00",
    },
}


def _anki(tmp_path: Path, plan: dict[str, object]) -> tuple[Path, dict[str, Any]]:
    """The package Anki exported after answering `plan`, and its true retention and `lastIvl`s."""
    script, clock = tmp_path / "anki_answers.py", tmp_path / "clock"
    script.write_text(ANKI_SCRIPT, encoding="utf-8")
    clock.write_text("", encoding="utf-8")
    package = tmp_path / "anki.apkg"
    env = {
        **os.environ,
        "TZ": "UTC",
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME_TIMESTAMP_FILE": str(clock),
        "FAKETIME_NO_CACHE": "1",
    }
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), str(tmp_path / "c.anki2"), str(package), json.dumps(plan)],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return package, json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="libfaketime not available")
@pytest.mark.parametrize("name", list(_PLANS))
def test_true_retention_after_hard_on_a_first_step_is_ankis(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = _PLANS[name]
    package, anki = _anki(tmp_path, plan)
    assert anki["lastIvl"][-1] < 0  # (Anki logged the first step in seconds: not in its true retention)
    home = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.setenv("TZ", "UTC")
    code, _out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    now = datetime.fromisoformat(str(plan["now"])).replace(tzinfo=UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(home)}), now, tz=UTC, read_only=True)
    try:
        spans = {s["span"]: s["young"] for s in stats_report(col, now, "T")["retention"]["spans"]}
    finally:
        col.close(now)
    ours = {span: [spans[span]["pass"], spans[span]["fail"]] for span in anki["spans"]}
    assert ours == anki["spans"]
