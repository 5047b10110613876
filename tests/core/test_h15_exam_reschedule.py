"""A reschedule under an exam keeps the due dates the exam's cap gave the cards' last reviews (h15).

Under an exam a rating stores its capped preview (`store.exams.preview_adjuster`): its own cap,
or a day or two before it where a higher rating's cap met it (`exam._apart_under_caps`). A
reschedule (`store.fsrs_presets.reschedule_plan`) gives every review card the due its last
review would have given it with the weights (`Scheduler.review_due`), which knows no exam: with
the very weights the reviews used, it rewrote nearly every capped card's due to the uncapped
interval (57 of 59 cards in a month of reviews; "due in the next 7 days: 38 -> 11", though the
capped view the queue shows barely changed), and a Hard or Good that came a day sooner than a
higher rating's cap came back on that rating's day: the order the ratings were kept in was lost.

What "kept" means for a reschedule: it moves the stored due of a card already rated, and there
are no previews to compare. A card whose memory (stability, difficulty) the reschedule leaves as
it was keeps its stored due when the exam's cap explains it (`exam.moved_by_cap`), as it keeps
one the scheduler's own day-apart rule moved (`Scheduler.moved_apart`): rescheduling with the
weights the cards were reviewed with changes nothing, exam or not. A card whose memory changes
gets the new weights' due, and the exam's cap applies to it as to every due date (by its own
new stability): the lower ratings' intervals of its last review are not known, so no day-apart
order between ratings can be kept for it, nor is there one between two different cards.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.exam import ExamPlan, cap_previews, moved_by_cap
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState, Event
from retain.core.studyday import StudyDay
from retain.store.collection import Collection
from retain.store.exams import capped_states, exam_plans, preview_adjuster
from retain.store.fsrs_presets import Reschedule, presets_for, reschedule_plan
from retain.store.home import open_home

ZONE = ZoneInfo("America/New_York")
NOW = datetime(2025, 12, 20, 15, 0, tzinfo=UTC)
CARDS = 60
_DAY = timedelta(days=1)


def _deck(cards: int) -> str:
    lines = ['format = 1\n\n[deck]\nid = "alpha"\nname = "Alpha"\ngroup = "Tests"\n']
    lines += [f'[[cards]]\nid = "c{i}"\nfront = "Q{i}?"\nback = "A{i}"\n' for i in range(cards)]
    return "\n".join(lines)


def _home(root: Path, fuzz: bool) -> Path:
    """Two months of reviews of `alpha` under an exam on 2026-02-20 (target recall 0.97), rated
    as a session rates them: the capped previews stored."""
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "alpha.toml").write_text(_deck(CARDS), encoding="utf-8")
    config = f"rollover_hour = 4\n[study]\nfuzz = {'true' if fuzz else 'false'}\n"
    config += "[exam.alpha]\ndate = 2026-02-20\nrecall = 0.97\n"
    (root / "config.toml").write_text(config, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZONE, fsync=False)
    try:
        sched = Scheduler(col.settings_for("alpha"), col.studyday)
        units = {u.key: u for u in col.units}
        rng = random.Random(3)
        events: list[Event] = []
        for i in range(CARDS):
            key = f"alpha/c{i}"
            at = NOW - timedelta(days=rng.uniform(40, 60))
            state: CardState | None = None
            while at < NOW - timedelta(hours=1):
                rating = rng.choices([1, 2, 3, 4], [0.1, 0.2, 0.5, 0.2])[0]
                adjust = preview_adjuster(exam_plans(col, at))
                assert adjust is not None  # the exam is ahead
                after = adjust(units[key], sched.preview(key, state, at), at)[rating]
                events.append(Event(col.new_event_id(at), "review", key, at, after, state, rating, 2000))
                state = after
                assert after.due is not None
                at = after.due + timedelta(minutes=rng.choice([1, 30, 90, 600, 1300]))
        col.record_many(events)
    finally:
        col.close(NOW)
    return root


def _applied(states: Mapping[str, CardState], plan: Reschedule) -> dict[str, CardState]:
    """The states as `plan` leaves them once applied."""
    out = dict(states)
    for c in plan.changes:
        out[c.key] = CardState(
            c.old.state, c.old.step, c.stability, c.difficulty, c.due, c.old.last_review,
            c.old.reps, c.old.lapses,
        )  # fmt: skip
    return out


def _same_weights_plan(root: Path) -> tuple[Collection, list[tuple[str, str, str]], int]:
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZONE, cards=False, read_only=True)
    (preset,) = presets_for(col, "alpha")
    plan = reschedule_plan(col, preset, Scheduler(preset.settings).parameters, NOW)
    day = col.studyday
    moved = [
        (c.key, str(day.of(c.old.due)), str(day.of(c.due)))
        for c in plan.changes
        if c.due is not None and c.old.due is not None
    ]
    assert (plan.due_next_week_before, plan.count) == (plan.due_next_week_after, len(plan.changes))
    return col, moved, plan.count


def test_rescheduling_under_an_exam_with_the_reviews_weights_changes_nothing(tmp_path: Path) -> None:
    for fuzz in (True, False):
        root = _home(tmp_path / f"home-{fuzz}", fuzz)
        col, moved, count = _same_weights_plan(root)
        try:
            reviewed = [k for k, s in col.states.items() if s.state == REVIEW]
            assert len(reviewed) > CARDS // 2
            # the reviews were capped: many stored dues are before the uncapped ones
            sched = Scheduler(col.settings_for("alpha"), col.studyday)
            capped = [
                k
                for k in reviewed
                if (s := col.states[k]).last_review is not None
                and s.stability is not None
                and s.due is not None
                and s.due < sched.review_due(k, s.reps, s.last_review, s.stability)
            ]
            assert len(capped) > CARDS // 3
            assert moved == [] and count == 0, (fuzz, moved[:5])
        finally:
            col.close(NOW)


def test_the_queues_due_dates_are_the_same_after_such_a_reschedule(tmp_path: Path) -> None:
    """The due dates the queue sees (the stored ones with the exam's caps) before and after
    applying the plan: no card comes back later than its rating put it (a Hard a day before
    Good's cap came back on Good's day)."""
    root = _home(tmp_path / "home", True)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZONE, cards=False, read_only=True)
    try:
        (preset,) = presets_for(col, "alpha")
        plan = reschedule_plan(col, preset, Scheduler(preset.settings).parameters, NOW)
        units = list(col.units)
        plans = exam_plans(col, NOW)
        before = capped_states(col.states, units, plans, NOW)
        after_states = _applied(col.states, plan)
        after = capped_states(after_states, units, plans, NOW)
        day = col.studyday
        later = [
            (k, str(day.of(before[k].due)), str(day.of(s.due)))  # type: ignore[arg-type]
            for k, s in after.items()
            if s.due is not None and before[k].due is not None and day.of(s.due) != day.of(before[k].due)  # type: ignore[arg-type]
        ]
        assert later == []
    finally:
        col.close(NOW)


@settings(max_examples=300, deadline=None)
@given(
    stability=st.floats(math.log(0.5), math.log(300.0)).map(math.exp),
    difficulty=st.floats(1.0, 10.0),
    early=st.floats(0.05, 0.95),
    recall=st.one_of(st.sampled_from([0.9, 0.95, 0.97, 0.98, 0.99]), st.floats(0.5, 0.99)),
    exam_days=st.integers(1, 90),
    fuzz=st.booleans(),
    maximum=st.sampled_from([36500, 20]),
    zone=st.sampled_from(["UTC", "America/New_York", "Europe/Berlin"]),
    minutes=st.integers(0, 300 * 24 * 60),
    key=st.integers(0, 50),
    rating=st.sampled_from([2, 3, 4]),
)
def test_every_capped_review_rating_is_kept_by_a_reschedule_with_its_memory(
    stability: float,
    difficulty: float,
    early: float,
    recall: float,
    exam_days: int,
    fuzz: bool,
    maximum: int,
    zone: str,
    minutes: int,
    key: int,
    rating: int,
) -> None:
    """For any review card rated before it was due (no floor of the previous interval, which
    `review_due` cannot know either), any exam and any passing rating: the stored due is the
    one `review_due` gives, the scheduler's day-apart move of it (`moved_apart`), or the exam's
    cap of it (`moved_by_cap`). So a reschedule that leaves the memory as it was keeps it."""
    day = StudyDay(4, ZoneInfo(zone))
    now = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
    scheduler = Scheduler(StudySettings(fuzz=fuzz, maximum_interval=maximum), day)
    interval = max(2.0, stability)
    last = now - early * interval * _DAY
    name = f"d/c{key}"
    state = CardState(
        state=REVIEW,
        stability=stability,
        difficulty=difficulty,
        due=last + interval * _DAY,
        last_review=last,
        reps=5,
    )
    plan = ExamPlan(day.start_of(day.of(now) + exam_days * _DAY), recall, scheduler.decay, None, day)
    stored = cap_previews(scheduler.preview(name, state, now), plan, now)[rating]
    assert stored.due is not None and stored.last_review is not None and stored.stability is not None
    due = scheduler.review_due(name, stored.reps, stored.last_review, stored.stability)
    assert (
        stored.due == due
        or scheduler.moved_apart(stored.last_review, due, stored.due)
        or moved_by_cap(stored, due, plan)
    ), (day.of(due), day.of(stored.due))
    # an exam that was not ahead at the review explains nothing: the reschedule gives `due`
    assert not moved_by_cap(stored, due, ExamPlan(now, recall, plan.decay, None, day))


def test_the_weeks_figures_are_what_the_queue_shows_under_the_exam(tmp_path: Path) -> None:
    """ "Due in the next 7 days: N now, M after" counts the due dates the queue shows: with the
    exam's caps (the stored dues of capped cards are past them), after by the new weights' decay.
    It counted the stored dues ("38 -> 11" where the queue went from 38 to 28)."""
    root = _home(tmp_path / "home", True)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=ZONE, cards=False, read_only=True)
    try:
        (preset,) = presets_for(col, "alpha")
        weights = list(Scheduler(preset.settings).parameters)
        weights[8] *= 1.4  # stability grows faster: longer intervals
        weights[20] = 0.35  # another decay: other caps
        plan = reschedule_plan(col, preset, weights, NOW)
        assert plan.count > 0
        units = list(col.units)
        week = col.studyday.start_of(col.today(NOW) + 7 * _DAY)
        shown = capped_states(col.states, units, exam_plans(col, NOW), NOW)
        assert plan.due_next_week_before == sum(
            1 for s in shown.values() if s.due is not None and s.due < week
        )
        after_states = _applied(col.states, plan)
        decay = Scheduler(StudySettings(parameters=tuple(weights))).decay
        plans = {
            d: ExamPlan(p.moment, p.recall, decay, p.day, p.studyday) for d, p in exam_plans(col, NOW).items()
        }
        shown = capped_states(after_states, units, plans, NOW)
        assert plan.due_next_week_after == sum(
            1 for s in shown.values() if s.due is not None and s.due < week
        )
        stored = sum(1 for c in plan.changes if c.due is not None and c.due < week)
        assert plan.due_next_week_after != stored or plan.due_next_week_before != sum(
            1 for s in col.states.values() if s.due is not None and s.due < week
        )  # (the case shows the difference)
    finally:
        col.close(NOW)
