"""h10: the answer just before an Anki "Forget"/"Reset" row, when it is in days. With no next answer
to tell a graduation from a step that ends on a later study day, it was always read as a
graduation: a card on an interday learning or relearning step that was then reset showed in
retain's history as a review card. The reset row's `lastIvl` is the card's `ivl` when it was reset
(as real Anki writes it, checked below): 0 while it learns; while it relearns, the interval it
goes back to review with, not the step's days."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from retain.core.state import LEARNING, RELEARNING, REVIEW
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, LogRow, run_anki, with_log
from .test_h9_ankifix_history import DAY, HOUR, STUDY, T0, _mine

NEW_AGAIN = "UPDATE cards SET type = 0, queue = 0, due = 1, ivl = 0, left = 0, data = '' WHERE id = ?"


@pytest.mark.parametrize(
    ("rows", "state", "days"),
    [
        ([(T0, 3, 2, 0, 0, 0), (T0 + HOUR, 0, 0, 0, 0, 4)], LEARNING, 2),  # SM-2: the 2d step, reset
        ([(T0, 3, 2, 0, 224, 0), (T0 + HOUR, 0, 0, 0, 0, 4)], LEARNING, 2),  # FSRS: a factor on it
        ([(T0, 4, 5, 0, 2500, 0), (T0 + HOUR, 0, 0, 5, 0, 4)], REVIEW, 5),  # graduated, reset
        (  # a lapse onto a 2d relearning step (the card's interval 1), reset
            [(T0 - 40 * DAY, 4, 3, 0, 2500, 0), (T0, 1, 2, 3, 2300, 1), (T0 + HOUR, 0, 0, 1, 0, 4)],
            RELEARNING,
            2,
        ),
        (  # a lapse without relearning steps: its interval is the card's
            [(T0 - 40 * DAY, 4, 3, 0, 2500, 0), (T0, 1, 2, 3, 2300, 1), (T0 + HOUR, 0, 0, 2, 0, 4)],
            REVIEW,
            2,
        ),
    ],
)
def test_the_answer_before_a_forget_keeps_its_state(
    tmp_path: Path, rows: list[LogRow], state: int, days: int
) -> None:
    bundle = with_log(tmp_path, rows, NEW_AGAIN)
    last = [r for r in _mine(bundle) if r.time.timestamp() * 1000 >= T0][-1]
    assert last.after is not None and last.after.state == state, last.after
    assert last.after.due is not None
    assert STUDY.of(last.after.due) == STUDY.of(last.time) + timedelta(days=days)
    key = last.key
    kinds = [r.kind for r in bundle.reviews if r.key == key]
    assert kinds[-1] == "reset", kinds


ANKI_SCRIPT = r"""
import json, os, sys, tempfile, time
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.set_config("fsrs", sys.argv[2] == "fsrs")
conf = col.decks.config_dict_for_deck_id(1)
conf["new"]["delays"] = [10.0, 2880.0]  # steps 10m 2d
conf["lapse"]["delays"] = [2880.0]  # relearning step 2d
col.decks.update_config(conf)
ids = {}
for name in ("step", "grad", "relearn"):
    note = col.new_note(col.models.by_name("Basic"))
    note["Front"], note["Back"] = name, "a"
    col.add_note(note, col.decks.id("Forget"))
    ids[name] = note.cards()[0].id
def answer(cid, ease):
    card = col.get_card(cid)
    card.start_timer()
    col.sched.answerCard(card, ease)
    time.sleep(0.01)
answer(ids["step"], 3)  # new -> the 2d step
answer(ids["grad"], 4)  # graduates
answer(ids["relearn"], 4)
col.db.execute("update cards set due = ? where id = ?", col.sched.today, ids["relearn"])
answer(ids["relearn"], 1)  # a lapse: the 2d relearning step
col.sched.schedule_cards_as_new(list(ids.values()), restore_position=True, reset_counts=False)
col.export_anki_package(out_path=sys.argv[1], options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False), limit=None)
print(json.dumps({n: col.db.all("select ivl, lastIvl, type from revlog where cid = ? order by id", c)
                  for n, c in ids.items()}))
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.parametrize("mode", ["sm2", "fsrs"])
def test_real_anki_forgets_after_steps_in_days(tmp_path: Path, mode: str) -> None:
    out = tmp_path / "forget.apkg"
    stdout = run_anki(tmp_path, ANKI_SCRIPT, str(out), mode)
    logged = json.loads(stdout.strip().splitlines()[-1])
    assert logged["step"] == [[2, 0, 0], [0, 0, 4]]  # what Anki writes: the reset row's lastIvl 0
    assert logged["relearn"][1][0] == 2 and logged["relearn"][2][1] != 2, logged["relearn"]
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(out, stage, with_history=True)
    (deck,) = bundle.decks
    key = {c.front: f"{deck.id}/{c.id}" for c in deck.cards}
    before_reset = {}
    for name, k in key.items():
        events = [r for r in bundle.reviews if r.key == k]
        assert events[-1].kind == "reset", events
        after = events[-2].after
        assert after is not None and after.due is not None
        before_reset[name] = (after.state, (STUDY.of(after.due) - STUDY.of(events[-2].time)).days)
    assert before_reset["step"] == (LEARNING, 2)
    assert before_reset["relearn"] == (RELEARNING, 2)
    assert before_reset["grad"][0] == REVIEW
