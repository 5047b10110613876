"""h10: a (re)learning step that ends on a later study day goes into an `.apkg` as Anki writes one.

Anki counts such a step in study days (`maybe_as_days`: a step that passes the rollover is that
many days, due at the start of the day it ends on), logs that count as the revlog `ivl` and keeps
the card in queue 3 with a day number as its due. retain rounded the step's hours (a `2d` step
answered at 21:00 is due 31 hours later: logged as 1 day, so `import --with-history` dated the
step a day early) and wrote the card in queue 1 with a time."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from retain.core.model import Card, Deck
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.interop.bundle import Review
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

DECK = Deck("steps", "Steps", (Card("c", front="q", back="a"),))
KEY = "steps/c"


def _steps(days: int) -> StudySettings:
    return StudySettings(
        learning_steps=(timedelta(minutes=10), timedelta(days=days)),
        relearning_steps=(timedelta(days=days),),
    )


def _rows(package: Path, tmp_path: Path) -> tuple[list[tuple[int, ...]], list[tuple[int, ...]]]:
    """The package's (type, queue, due, left) cards rows and (ease, ivl, lastIvl, type) revlog rows."""
    db_path = tmp_path / "col.anki2"
    with zipfile.ZipFile(package) as zf:
        db_path.write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        cards = db.execute("SELECT type, queue, due, left FROM cards").fetchall()
        revlog = db.execute("SELECT ease, ivl, lastIvl, type FROM revlog ORDER BY id").fetchall()
    finally:
        db.close()
    return cards, revlog


def _history(zone: str, hour: int, clock: int, days: int, lapse: bool) -> list[Review]:
    """A card answered at `clock` local time onto a `days`-day step (a learning step, or after a
    lapse a relearning one), through retain's own scheduler; then answered again when due."""
    tz = ZoneInfo(zone)
    day = StudyDay(hour, tz)
    sched = Scheduler(_steps(days), day)
    at = datetime(2026, 3, 2, clock, 30, tzinfo=tz).astimezone(UTC)
    reviews: list[Review] = []
    state: CardState | None = None
    if lapse:  # learned long ago, a review card due now
        start = at - timedelta(days=40)
        first = sched.preview(KEY, None, start)[4]
        reviews.append(Review(KEY, start, first, None, "review", 4, 900))
        state = CardState(REVIEW, None, 30.0, 5.0, at - timedelta(hours=1), start, 1, 0)
        reviews[-1] = Review(KEY, start, state, None, "review", 4, 900)
    after = sched.preview(KEY, state, at)[1 if lapse else 3]
    assert after.state == (RELEARNING if lapse else LEARNING) and after.due is not None
    # retain's own day step (`Scheduler.day_step_due`; never shorter than FSRS's interval)
    assert day.of(after.due) >= day.of(at) + timedelta(days=days)
    assert after.due == day.start_of(day.of(after.due))
    reviews.append(Review(KEY, at, after, state, "review", 1 if lapse else 3, 900))
    return reviews


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Auckland"])
@pytest.mark.parametrize("hour", [0, 4, 23])
@pytest.mark.parametrize("clock", [1, 12, 21])
@pytest.mark.parametrize("days", [1, 2, 5])
@pytest.mark.parametrize("lapse", [False, True])
def test_an_interday_step_is_logged_and_queued_in_study_days(
    zone: str, hour: int, clock: int, days: int, lapse: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone)
    day = StudyDay(hour, ZoneInfo(zone))
    reviews = _history(zone, hour, clock, days, lapse)
    step = reviews[-1]
    assert step.after is not None and step.after.due is not None
    # exported a few minutes after the step (the card waits), and again once it is overdue
    for now in (step.time + timedelta(minutes=5), step.after.due + timedelta(days=1, hours=2)):
        out = tmp_path / f"steps-{now.timestamp():.0f}.apkg"
        export_decks(
            [DECK],
            out,
            now=now,
            states={KEY: step.after},
            reviews=reviews,
            settings_of=lambda _deck: _steps(days),
            rollover_hour=hour,
        )
        (card,), revlog = _rows(out, tmp_path)
        waited = (day.of(step.after.due) - day.of(step.time)).days
        assert revlog[-1][1] == waited, revlog  # the step's study days, as Anki's `maybe_as_days`
        typ, queue, due, _left = card
        assert (typ, queue) == ((3, 3) if lapse else (1, 3)), card
        assert due == (day.of(step.after.due) - day.today(now)).days, card
        # and back: the step's event and the card are due on the step's study day
        stage = tmp_path / f"stage-{now.timestamp():.0f}"
        stage.mkdir()
        back = read_file(out, stage, with_history=True, rollover_hour=hour)
        last = [r for r in back.reviews if r.kind == "review"][-1]
        assert last.after is not None and last.after.due is not None
        assert last.after.state == step.after.state
        assert day.of(last.after.due) == day.of(step.after.due), (last.after.due, step.after.due)


@pytest.mark.parametrize("clock", [1, 12, 21])
def test_a_step_event_before_another_answer_keeps_its_study_day(
    clock: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The step's event is no longer the card's last (it was answered again when due): its due
    comes from the revlog `ivl` alone, which said a day too few."""
    monkeypatch.setenv("TZ", "UTC")
    day = StudyDay(4, UTC)
    reviews = _history("UTC", 4, clock, 2, False)
    step = reviews[-1]
    assert step.after is not None and step.after.due is not None
    at = step.after.due + timedelta(hours=3)
    graduated = Scheduler(_steps(2), day).preview(KEY, step.after, at)[3]
    reviews.append(Review(KEY, at, graduated, step.after, "review", 3, 900))
    out = tmp_path / "steps.apkg"
    export_decks(
        [DECK], out, now=at, states={KEY: graduated}, reviews=reviews, settings_of=lambda _d: _steps(2)
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    first, second = [r for r in read_file(out, stage, with_history=True).reviews if r.kind == "review"]
    assert first.after is not None and first.after.state == LEARNING and first.after.due is not None
    assert day.of(first.after.due) == day.of(step.after.due)
    assert second.before == first.after
