"""`import --with-history` of review-log rows as real Anki (26.09) writes them: learning and
relearning steps that end on a later study day (the card stays in (re)learning, Anki logs the
step in days), and Anki's manual rows ("Set due date" keeps the card's ease factor; "Forget" /
"Reset" writes factor 0). The rows were checked against what Anki writes (see the real-Anki
test at the end, skipped without /work/anki-venv)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.model import Card
from retain.core.state import LEARNING, RELEARNING, REVIEW
from retain.core.studyday import StudyDay
from retain.interop.anki.ankidb import AnkiCard
from retain.interop.anki.apkg_history import AnkiDays, card_reviews
from retain.interop.bundle import Bundle, Review
from retain.interop.importer import read_file
from retain.store.localzone import local_timezone

from .anki_fixture import ANKI_PYTHON, LogOnly, LogRow, run_anki, with_log

CRT = 1_795_838_400  # the fixture collection's creation time (its day 0)
T0 = 1_795_857_295_163 - 3 * 86_400_000
MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000


def _mine(bundle: Bundle) -> list[Review]:
    return [r for r in bundle.reviews if r.kind == "review" and r.time.timestamp() * 1000 >= T0]


def _at(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


STUDY = StudyDay(DEFAULT_ROLLOVER_HOUR, local_timezone())  # the study day `read_file` dates by


def test_an_interday_learning_step_is_due_at_the_start_of_the_study_day_it_ends_on(tmp_path: Path) -> None:
    """Steps `10m 1d`: Good on a new card goes to the 1d step (Anki logs `ivl` 1, type 0); the card
    is due all the next study day, as retain's own `1d` step is (`Scheduler.day_step_due`); it
    was taken for a graduation, due 24 hours on."""
    rows = [
        (T0, 3, 1, 0, 0, 0),  # new -> the 1d step: still learning
        (T0 + DAY + 2 * HOUR, 3, 4, 1, 2500, 0),  # the 1d step passed: graduates
    ]
    first, second = _mine(with_log(tmp_path, rows))
    assert first.after is not None and first.after.state == LEARNING, first.after
    assert first.after.due == STUDY.start_of(STUDY.of(_at(T0)) + timedelta(days=1))
    assert second.before == first.after
    assert second.after is not None and second.after.state == REVIEW


def test_a_graduation_with_a_day_interval_is_still_a_graduation(tmp_path: Path) -> None:
    """The control: a learning row of a day whose next row is a review row graduated the card."""
    rows = [(T0, 3, -600, 0, 0, 0), (T0 + 10 * MIN, 3, 1, -600, 2500, 0), (T0 + DAY + HOUR, 3, 3, 1, 2500, 1)]
    mine = _mine(with_log(tmp_path, rows))
    assert [r.after.state for r in mine if r.after] == [LEARNING, REVIEW, REVIEW]
    assert mine[2].before is not None and mine[2].before.state == REVIEW


@pytest.mark.parametrize(
    "rows",
    [
        [  # relearning step `1d`: Again on a review logs `ivl` 1 (type 1); the card relearns
            (T0, 3, 1, -600, 2500, 0),
            (T0 + DAY, 1, 1, 1, 2300, 1),
            (T0 + 2 * DAY + HOUR, 3, 2, 1, 2300, 2),
            (T0 + 4 * DAY + HOUR, 3, 5, 2, 2300, 1),
        ],
        [  # relearning steps `1d 2d`: the relearning row of the first step logs `ivl` 2 (type 2)
            (T0, 3, 1, -600, 2500, 0),
            (T0 + DAY, 1, 1, 1, 2300, 1),
            (T0 + 2 * DAY + HOUR, 3, 2, 1, 2300, 2),
            (T0 + 4 * DAY + HOUR, 3, 3, 2, 2300, 2),
        ],
    ],
)
def test_an_interday_relearning_step_leaves_the_card_relearning(tmp_path: Path, rows: list[LogRow]) -> None:
    """A lapse whose relearning step ends on a later study day was taken for a review card due
    then: the relearning answer after it counted as a review (true retention, young buttons)."""
    mine = _mine(with_log(tmp_path, rows))
    assert len(mine) == 4
    lapse, step = mine[1], mine[2]
    assert lapse.after is not None and lapse.after.state == RELEARNING and lapse.after.lapses == 1
    assert lapse.after.due == STUDY.start_of(STUDY.of(lapse.time) + timedelta(days=1))
    assert step.before == lapse.after
    if rows[3][5] == 2:  # relearning again after it: the 2d step, due on its study day
        assert step.after is not None and step.after.state == RELEARNING
        assert step.after.due == STUDY.start_of(STUDY.of(step.time) + timedelta(days=2))
    else:
        assert step.after is not None and step.after.state == REVIEW


def test_a_card_still_on_an_interday_step_is_due_on_the_day_anki_has(tmp_path: Path) -> None:
    """Anki keeps a card on a step of a day or more in queue 3 with a day number as its due (the
    same day numbers as a review card's): that day is the card's due, from its start; it was taken
    as no date and the card got the log's guess."""
    due_day = (T0 // 1000 - CRT) // 86_400 + 3  # Anki moved it 2 days past the log's 1d step
    sql = f"UPDATE cards SET type = 1, queue = 3, due = {due_day}, ivl = 0, left = 1001 WHERE id = ?"
    (only,) = _mine(with_log(tmp_path, [(T0, 3, 1, 0, 0, 0)], sql))
    assert only.after is not None and only.after.state == LEARNING
    days = AnkiDays(CRT, None, local_timezone(), DEFAULT_ROLLOVER_HOUR)
    assert only.after.due == datetime.fromtimestamp(days.start(due_day) or 0, UTC)


START = 1_700_000_000_000 + 5 * HOUR


@settings(max_examples=60, deadline=None)
@given(
    ivl=st.integers(min_value=0, max_value=400),
    factor=st.integers(min_value=0, max_value=5000),
    last=st.integers(min_value=-86_400, max_value=400),
)
def test_a_manual_row_is_a_forget_exactly_when_its_factor_is_0(ivl: int, factor: int, last: int) -> None:
    """Anki's "Set due date" (any value: `0`, `5`, `1-7`, `0!`) logs a manual row (type 4, no
    rating) with the card's factor, which is never 0 (2500 for a new card, FSRS's difficulty-based
    100..1100 under FSRS) and any interval (0 under FSRS); "Forget"/"Reset" (every option) logs
    one with factor 0. Anki's `RevlogEntry::is_reset` tells them apart by the factor alone."""
    card = AnkiCard(1, 1, 1, 0, 2, 2, 100, 30, 2500, 3, 0, "")
    notes = {1: ("deck", Card("c1", front="Q", back="A"))}
    rows = [
        (START, 1, 3, 1, -600, 2500, 5000, 0),
        (START + DAY, 1, 3, 3, 1, 2500, 5000, 1),
        (START + DAY + HOUR, 1, 0, ivl, last, factor, 0, 4),  # the manual row
        (START + 2 * DAY, 1, 3, 5, 3, 2500, 5000, 1 if factor else 0),
    ]
    warnings: list[str] = []
    reviews = card_reviews(LogOnly([r[:4] + r[5:] for r in rows]), [card], notes, warnings)  # type: ignore[arg-type]
    kinds = [r.kind for r in reviews]
    assert kinds == ["review", "review", "reset", "review"], kinds  # a forget, or a reschedule
    assert (reviews[2].after is None) == (factor == 0), reviews[2]  # a reschedule keeps the memory
    assert warnings == []


# --- real Anki ----------------------------------------------------------------------------------

ANKI_SCRIPT = r"""
import json, os, sys, tempfile, time
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.set_config("fsrs", sys.argv[2] == "fsrs")
conf = col.decks.config_dict_for_deck_id(1)
conf["new"]["delays"] = [10.0, 1440.0]  # steps 10m 1d
col.decks.update_config(conf)
model = col.models.by_name("Basic")
deck = col.decks.id("Steps")
ids = {}
for name in ("interday", "set due", "reset", "forget"):
    note = col.new_note(model)
    note["Front"], note["Back"] = name, "a"
    col.add_note(note, deck)
    ids[name] = note.cards()[0].id
def answer(cid, ease):
    card = col.get_card(cid)
    card.start_timer()
    col.sched.answerCard(card, ease)
    time.sleep(0.01)
answer(ids["interday"], 3)  # new -> the 1d step (logged as 1 day, still learning)
col.db.execute("update cards set due = ? where id = ?", col.sched.today, ids["interday"])
answer(ids["interday"], 3)  # the 1d step passed: graduates
answer(ids["interday"], 3)  # a review? (only if due; else early) -- a review row either way
for spec in ("0", "5", "1-7", "0!", "5!"):
    if spec == "0":
        answer(ids["set due"], 4)
    col.sched.set_due_date([ids["set due"]], spec)
    time.sleep(0.01)
answer(ids["reset"], 4)
col.sched.schedule_cards_as_new([ids["reset"]], restore_position=True, reset_counts=True)
time.sleep(0.01)
answer(ids["forget"], 4)
col.sched.schedule_cards_as_new([ids["forget"]], restore_position=False, reset_counts=False)
time.sleep(0.01)
answer(ids["forget"], 3)  # learning again after the forget
rows = {name: col.db.all("select ease, ivl, factor, type from revlog where cid = ? order by id", cid)
        for name, cid in ids.items()}
col.export_anki_package(out_path=sys.argv[1], options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False), limit=None)
print(json.dumps(rows))
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.parametrize("mode", ["sm2", "fsrs"])
def test_real_anki_steps_set_due_date_and_forget(tmp_path: Path, mode: str) -> None:
    out = tmp_path / "steps.apkg"
    stdout = run_anki(tmp_path, ANKI_SCRIPT, str(out), mode, cwd=tmp_path)
    logged = json.loads(stdout.strip().splitlines()[-1])
    # what Anki wrote: set due date keeps a factor; forget/reset writes factor 0
    assert all(f != 0 for e, _i, f, t in logged["set due"] if t == 4), logged["set due"]
    assert [(e, f, t) for e, _i, f, t in logged["reset"] if t == 4] == [(0, 0, 4)]
    assert logged["interday"][0][1:] == [1, logged["interday"][0][2], 0]  # ivl 1, type 0
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(out, stage, with_history=True)
    (deck,) = bundle.decks
    key = {c.front: f"{deck.id}/{c.id}" for c in deck.cards}
    events = {name: [r for r in bundle.reviews if r.key == k] for name, k in key.items()}
    kinds = {name: [r.kind for r in evs] for name, evs in events.items()}
    assert kinds == {
        "interday": ["review", "review", "review"],
        "set due": ["review"] + ["reset"] * 5,  # each "Set due date": a reschedule
        "reset": ["review", "reset"],
        "forget": ["review", "reset", "review"],
    }
    first = events["interday"][0].after
    assert first is not None and first.state == LEARNING, first
    assert first.due == STUDY.start_of(STUDY.of(events["interday"][0].time) + timedelta(days=1))
    second = events["interday"][1]
    assert second.before == first and second.after is not None and second.after.state == REVIEW
    last = events["set due"][-1].after  # the card as Anki has it: a review card due on its set day
    assert last is not None and last.state == REVIEW
