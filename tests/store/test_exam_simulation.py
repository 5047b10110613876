"""Exam dates end to end: a simulated 30-day run over a real collection meets the exam target.

The learner studies every day what the session offers and answers as FSRS
predicts: in one run recalled (Good) while the predicted recall is at least
one half, Again otherwise; in another, recalled with the predicted probability
(a seeded draw, so some cards lapse). On the exam day every card's predicted
recall, by the fsrs package's forgetting curve, is at or above the target.
The same random run without the exam date misses the target (so the test can
fail), and after the exam the schedule is FSRS's own again, with every review
kept.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.exam import ExamPlan
from retain.core.scheduler import Scheduler, retrievability
from retain.core.session import ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import NEW
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.exams import exam_lines, exam_plans
from retain.store.home import open_home

START = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
EXAM_DAY = date(2026, 12, 1)  # 30 days after START
TARGET = 0.95  # above the deck's desired retention (0.9): FSRS alone would let cards fall below it
CARDS = 30


def deck(n: int = CARDS) -> str:
    cards = "\n".join(f'[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(n))
    return f'format = 1\n\n[deck]\nid = "sim"\nname = "Simulated"\n\n{cards}'


def make(root: Path, monkeypatch: pytest.MonkeyPatch, *, exam: bool) -> Path:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "sim.toml").write_text(deck(), encoding="utf-8")
    config = "[study]\nfuzz = false\nnew_per_day = 15\n"
    if exam:
        config += f"\n[exam.sim]\ndate = {EXAM_DAY.isoformat()}\nrecall = {TARGET}\n"
    (root / "config.toml").write_text(config, encoding="utf-8")
    return root


def study_day(col: Collection, now: datetime, rng: random.Random | None) -> tuple[datetime, int]:
    """One day's sitting: everything offered, learning steps included; (end time, cards shown)."""
    session: ReviewSession = col.start_session(None, now)
    shown = 0
    for _ in range(2000):
        unit = session.current or session.refresh(now)
        if unit is None:
            later = session.queue.next_due_after(now)
            if later is None or later - now > timedelta(hours=1):
                break
            now = max(now, later) + timedelta(seconds=1)
            continue
        state = col.states.get(unit.key)
        predicted = 1.0 if state is None or state.state == NEW else retrievability(state, now)
        session.reveal()
        recalled = predicted >= 0.5 if rng is None else rng.random() < predicted
        session.rate(3 if recalled else 1, now, 4000)
        shown += 1
        now += timedelta(seconds=20)
    return now, shown


def run(root: Path, seed: int | None = None) -> tuple[Collection, list[int]]:
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), START, tz=UTC, fsync=False)
    rng = None if seed is None else random.Random(seed)
    per_day = []
    for day in range(30):
        _end, shown = study_day(col, START + timedelta(days=day), rng)
        per_day.append(shown)
    return col, per_day


def exam_recalls(col: Collection) -> list[float]:
    moment = col.studyday.start_of(EXAM_DAY)
    plan = ExamPlan(moment, TARGET, Scheduler(StudySettings()).decay, EXAM_DAY)
    return [plan.retrievability(col.states.get(u.key)) for u in col.units]


@pytest.mark.slow
def test_a_30_day_run_meets_the_exam_target(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    col, per_day = run(make(tmp_path / "exam", monkeypatch, exam=True))
    recalls = exam_recalls(col)
    assert len(recalls) == CARDS and sum(per_day) > CARDS
    assert min(recalls) >= TARGET, sorted(recalls)[:5]
    line = exam_lines(col, START + timedelta(days=29, hours=1))
    assert line[0].startswith("Simulated: exam in 1 day · predicted recall ")
    assert line[0].endswith(f"→ {max(sum(recalls) / CARDS, TARGET):.2f} if you keep up")
    # After the exam: no cap, previews are FSRS's own, and every review is still there.
    after = START + timedelta(days=31)
    assert exam_plans(col, after) == {}
    reviews = len(col.history_index.reviews(after))
    assert reviews == sum(per_day)
    session = col.start_session(None, after)
    unit = session.current
    if unit is not None:
        plain = Scheduler(col.settings_for("sim")).preview(unit.key, col.states.get(unit.key), after)
        assert session.previews(after) == plain
    col.close()


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 2026])
def test_a_30_day_run_with_lapses_meets_the_target_only_with_the_exam_date(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    col, _per_day = run(make(tmp_path / "exam", monkeypatch, exam=True), seed)
    lapses = sum(1 for e in col.history_index.reviews(START + timedelta(days=30)) if e.rating == 1)
    recalls = exam_recalls(col)
    col.close()
    assert lapses > 0
    assert min(recalls) >= TARGET, sorted(recalls)[:5]
    plain_col, _ = run(make(tmp_path / "plain", monkeypatch, exam=False), seed)
    plain = exam_recalls(plain_col)
    plain_col.close()
    assert min(plain) < TARGET  # without the exam date FSRS lets cards fall below it


def test_the_stats_forecast_counts_what_the_exam_brings_forward(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With an exam ahead, `retain due` counts reviews brought forward to keep recall above the
    target; the stats' "due today (backlog)" still read the uncapped dates (150 due, backlog 6)."""
    from retain.store.statsdata import gather_figures

    root = make(tmp_path, monkeypatch, exam=False)
    home = open_home({"RETAIN_HOME": str(root)})
    col = Collection.open(home, START, tz=UTC)
    session = col.start_session(["sim"], START)
    while session.current is not None and session.phase != "done":
        session.reveal()
        session.rate(4, START)  # Easy: due in days, not now
    col.close(START)
    later = START + timedelta(days=2)
    (root / "config.toml").write_text(
        (root / "config.toml").read_text()
        + f"\n[exam.sim]\ndate = {(later.date() + timedelta(days=3)).isoformat()}\nrecall = 0.99\n"
    )
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), later, tz=UTC)
    try:
        due = col.due_counts(later)["sim"].review
        backlog = int(gather_figures(col, later, ["sim"]).forecast["backlog"])  # type: ignore[call-overload]
        uncapped = sum(1 for st in col.states.values() if st.due is not None and st.due <= later)
        assert uncapped == 0 and due > 0  # the exam brings them forward
        assert backlog >= due  # everything due by the end of today, what is due now too (was 0)
    finally:
        col.close(later)
