"""h10: retain -> .apkg -> Anki -> .apkg -> retain (`export --with-progress`, Anki's import and
export with scheduling, `import --with-history`) keeps each card's state and the study day it is
due: cards on interday learning and relearning steps (due ahead, and overdue), suspended, buried
and reset ones, review and new ones, and a due date Anki's "Set due date" gave in between.
Anki must also show each card when retain would: its counts for today.

Found here: a suspended or buried card on an interday step, written with a day number as its due,
came back a day late (or early): Anki's import moves day numbers to its own collection's days only
in queues 2 and 3 and for review cards, so a day number in queue -1/-3 stayed as it was."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.interop import progress_io
from retain.interop.bundle import Review
from retain.interop.importer import read_file
from retain.store.home import open_home
from retain.store.localzone import local_timezone

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

STEPS = StudySettings(
    learning_steps=(timedelta(minutes=10), timedelta(days=2)), relearning_steps=(timedelta(days=2),)
)
NAMES = [
    "learn", "learndue", "learnagain", "relearn", "relearndue", "susp", "susplearn", "susprelearn",
    "bury", "burylearn", "reset", "resetlearn", "resetrelearn", "review", "newsusp", "newbury", "setdue", "setduelearn",
]  # fmt: skip
SET_DUE = {"setdue": 3, "setduelearn": 5}  # "Set due date" in Anki: a review card due in N days

ANKI_SCRIPT = r"""
import json, os, sys, tempfile
from anki.collection import (Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions,
    ImportAnkiPackageRequest)
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1],
    options=ImportAnkiPackageOptions(with_scheduling=True)))
ids = dict(col.db.all("select n.sfld, c.id from cards c join notes n on n.id = c.nid"))
for name, days in json.loads(sys.argv[4]).items():
    col.sched.set_due_date([ids[name]], str(days))
today = col.sched.today
rows = {sfld: [typ, queue, due - today if due < 10**8 else due] for sfld, typ, queue, due in col.db.all(
    "select n.sfld, c.type, c.queue, c.due from cards c join notes n on n.id = c.nid")}
deck = col.decks.id_for_name("RT")
col.decks.select(deck)
counts = list(col.sched.counts())
col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=sys.argv[3] == "legacy"),
    limit=None)
print(json.dumps({"cards": rows, "counts": counts}))
"""


def _zone_at_noon(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now: far from the rollover and the test's hours."""
    for offset in range(-12, 15):
        if 11 <= (now + timedelta(hours=offset)).hour <= 13:
            return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # (POSIX sign: Etc/GMT-3 is UTC+3)
    raise AssertionError("no zone")


def _history(day: StudyDay, tz: tzinfo, today: date, now: datetime) -> list[Review]:
    sched = Scheduler(STEPS, day)

    def at(days: int, hour: int) -> datetime:  # `hour` o'clock, `days` days from today's date
        local = datetime(today.year, today.month, today.day, hour, tzinfo=tz) + timedelta(days=days)
        return local.astimezone(UTC)

    reviews: list[Review] = []

    def rate(name: str, when: datetime, rating: int, before: CardState | None = None) -> CardState:
        after = sched.preview(f"rt/{name}", before, when)[rating]
        reviews.append(Review(f"rt/{name}", when, after, before, "review", rating, 900))
        return after

    def flag(name: str, when: datetime, kind: str, before: CardState | None, after: CardState | None) -> None:
        reviews.append(Review(f"rt/{name}", when, after, before, kind))  # type: ignore[arg-type]

    buried = (day.of(now) + timedelta(days=1)).isoformat()
    rate("learn", at(-1, 21), 3)  # the 2d step: due tomorrow's study day
    rate("learndue", at(-3, 21), 3)  # due yesterday: overdue
    s = rate("learnagain", at(-4, 21), 3)
    s = rate("learnagain", at(-2, 9), 1, s)  # back to the 10m step, then the 2d step again
    rate("learnagain", at(-2, 9) + timedelta(minutes=15), 3, s)
    for name, days in (("relearn", -1), ("relearndue", -5), ("susprelearn", -1)):
        s = rate(name, at(-40, 12), 4)
        s = rate(name, at(days, 22), 1, s)  # a lapse: the 2d relearning step
    flag("susprelearn", at(-1, 23), "suspend", s, s.with_flags(suspended=True))
    s = rate("susp", at(-10, 12), 4)
    flag("susp", at(-9, 12), "suspend", s, s.with_flags(suspended=True))
    s = rate("susplearn", at(-1, 21), 3)
    flag("susplearn", at(-1, 22), "suspend", s, s.with_flags(suspended=True))
    s = rate("bury", at(-10, 12), 4)
    flag("bury", now - timedelta(minutes=2), "bury", s, s.with_flags(buried_until=buried))
    s = rate("burylearn", at(-2, 21), 3)
    flag("burylearn", now - timedelta(minutes=2), "bury", s, s.with_flags(buried_until=buried))
    s = rate("reset", at(-10, 12), 4)
    flag("reset", at(-2, 12), "reset", s, None)
    s = rate("resetlearn", at(-1, 21), 3)
    flag("resetlearn", at(-1, 22), "reset", s, None)
    s = rate("resetrelearn", at(-40, 12), 4)
    s = rate("resetrelearn", at(-1, 21), 1, s)
    flag("resetrelearn", at(-1, 22), "reset", s, None)
    rate("review", at(-10, 12), 4)
    rate("setdue", at(-10, 12), 4)
    rate("setduelearn", at(-1, 21), 3)
    flag("newsusp", at(-2, 12), "suspend", None, CardState(suspended=True))
    flag("newbury", now - timedelta(minutes=2), "bury", None, CardState(buried_until=buried))
    return reviews


def _shown(state: CardState | None, day: StudyDay) -> tuple[object, ...]:
    if state is None or state.is_new:
        return ("new", state.suspended if state else False, state.buried_until if state else None)
    assert state.due is not None
    return (state.state, state.step, day.of(state.due), state.suspended, state.buried_until)


def _step(review: Review, day: StudyDay) -> tuple[object, ...]:
    after = review.after
    assert after is not None and after.due is not None
    return review.rating, after.state, day.of(after.due)


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.parametrize("hour", [4, 0])
@pytest.mark.parametrize("layout", ["modern", "legacy"])
def test_every_card_keeps_its_state_and_due_day_through_anki(
    hour: int,
    layout: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = datetime.now(UTC)
    monkeypatch.setenv("TZ", _zone_at_noon(now))
    tz = local_timezone()
    day = StudyDay(hour, tz)
    homes = [tmp_path / "a", tmp_path / "b"]
    for h in homes:
        h.mkdir()
        (h / "config.toml").write_text(
            f'rollover_hour = {hour}\n[study]\nlearning_steps = ["10m", "2d"]\nrelearning_steps = ["2d"]\n'
        )
    deck = tmp_path / "rt.toml"
    cards = "".join(f'[[cards]]\nid = "{n}"\nfront = "{n}"\nback = "a"\n\n' for n in NAMES)
    deck.write_text(f'format = 1\n[deck]\nid = "rt"\nname = "RT"\n\n{cards}')
    monkeypatch.setenv("RETAIN_HOME", str(homes[0]))
    assert run_cli(capsys, "import", str(deck))[0] == 0
    today = day.today(now)
    history = _history(day, tz, today, now)
    progress_io.record_history(open_home({"RETAIN_HOME": str(homes[0])}), history, now)
    before = progress_io.deck_progress(open_home({"RETAIN_HOME": str(homes[0])}), "rt", now)[0]
    sent, back = tmp_path / "rt.apkg", tmp_path / "anki.apkg"
    code, _out, err = run_cli(capsys, "export", "rt", "-o", str(sent), "--with-progress")
    assert code == 0, err
    stdout = run_anki(tmp_path, ANKI_SCRIPT, str(sent), str(back), layout, json.dumps(SET_DUE))
    anki = json.loads(stdout.strip().splitlines()[-1])
    monkeypatch.setenv("RETAIN_HOME", str(homes[1]))
    code, _out, err = run_cli(capsys, "import", str(back), "--with-history")
    assert code == 0, err
    after = progress_io.deck_progress(open_home({"RETAIN_HOME": str(homes[1])}), "rt", now)[0]
    expected = {n: _shown(before.get(f"rt/{n}"), day) for n in NAMES}
    for name, days in SET_DUE.items():
        expected[name] = (REVIEW, None, today + timedelta(days=days), False, None)
    got = {n: _shown(after.get(f"rt/{n}"), day) for n in NAMES}
    assert got == expected, {
        n: (expected[n], got[n], anki["cards"][n]) for n in NAMES if got[n] != expected[n]
    }
    # each answer in the history as well: the state it left and the study day it was due then
    stage = tmp_path / "stage"
    stage.mkdir()
    events = read_file(back, stage, with_history=True, rollover_hour=hour).reviews
    wrong = {}
    for name in NAMES:
        sent_steps = [_step(r, day) for r in history if r.key == f"rt/{name}" and r.kind == "review"]
        got_steps = [_step(r, day) for r in events if r.key == f"rt/{name}" and r.kind == "review"]
        if name in SET_DUE:  # the last one's state is the one Anki set
            sent_steps, got_steps = sent_steps[:-1], got_steps[:-1]
        if got_steps != sent_steps:
            wrong[name] = (sent_steps, got_steps)
    assert not wrong, wrong
    # and Anki shows today what retain shows today: new (the reset ones), learning due (the
    # overdue steps), reviews (review, and the buried review card's is tomorrow)
    due_learning = sum(
        1
        for n in NAMES
        if (s := before.get(f"rt/{n}")) is not None
        and not s.is_new
        and s.state != REVIEW
        and not s.suspended
        and not s.buried_until
        and s.due is not None
        and day.of(s.due) <= today
    )
    due_reviews = sum(
        1
        for n in NAMES
        if n not in SET_DUE
        and (s := before.get(f"rt/{n}")) is not None
        and s.state == REVIEW
        and not s.suspended
        and not s.buried_until
        and s.due is not None
        and day.of(s.due) <= today
    )
    new = sum(1 for n in NAMES if _shown(before.get(f"rt/{n}"), day) == ("new", False, None))
    assert new == 3  # the three reset cards
    assert anki["counts"] == [new, due_learning, due_reviews], (anki, due_learning, due_reviews)
