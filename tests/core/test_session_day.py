"""A queue serves one study day, and a session outlives it: siblings up to the day's end, undo of an
earlier day's rating, the rollover and settings saved mid-session (the queue rebuilt, the schedulers
made anew), the summary's next due and the limit that holds cards back."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from queue_helpers import NOW, TODAY, basic, cloze, learning, review, settings_map
from test_review_session import MemoryRecorder

from retain.core.model import Unit
from retain.core.queue import DayLog, StudyQueue, build_queue, count_due
from retain.core.scheduler import Scheduler
from retain.core.session import ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import CardState

DAY = timedelta(days=1)
SPAN = (NOW - timedelta(hours=8), NOW + timedelta(hours=16))  # study day TODAY: 04:00 to 04:00 UTC
YESTERDAY = NOW - DAY


def queue_over(
    units: list[Unit], states: dict[str, CardState], study: StudySettings, now: datetime = NOW
) -> StudyQueue:
    return build_queue(units, states, DayLog(), settings_map(study), now, TODAY, day_span=SPAN)


def test_a_learning_step_due_before_the_day_ends_keeps_its_new_sibling_back() -> None:
    c1, c2 = cloze("d", "n", 2)
    states = {c1.key: learning(timedelta(hours=15))}  # rated yesterday, step due before the rollover
    queue = queue_over([c1, c2], states, StudySettings())
    assert queue.next(NOW) is None  # not c2: c1 comes up later today
    states = {c1.key: learning(timedelta(hours=17))}  # due after the rollover: tomorrow's card
    assert (unit := queue_over([c1, c2], states, StudySettings()).next(NOW)) is not None
    assert unit.key == c2.key


def rated_yesterday(state: CardState) -> CardState:
    return replace(state, last_review=YESTERDAY, reps=state.reps + 1)


def test_undoing_yesterdays_new_card_takes_nothing_off_todays_new_limit() -> None:
    units = [basic("d", f"n{i}") for i in range(3)]
    states: dict[str, CardState] = {"d/n0": rated_yesterday(review(7 * DAY))}
    queue = queue_over(units, states, StudySettings(new_per_day=1))
    queue.apply("d/n0", None, NOW)  # yesterday's rating undone today: d/n0 is new again
    shown: list[str] = []
    while (unit := queue.next(NOW)) is not None and len(shown) < 5:
        shown.append(unit.key)
        queue.apply(unit.key, replace(review(7 * DAY), reps=1), NOW)
    assert len(shown) == 1, shown


def test_undoing_yesterdays_review_takes_nothing_off_todays_review_limit() -> None:
    units = [basic("d", f"r{i}") for i in range(3)]
    before = review(-DAY)
    states: dict[str, CardState] = {
        "d/r0": review(-DAY),
        "d/r1": review(-DAY),
        "d/r2": rated_yesterday(review(10 * DAY)),
    }
    queue = queue_over(units, states, StudySettings(reviews_per_day=1))
    queue.apply("d/r2", before, NOW)  # due again, as before yesterday's rating
    shown: list[str] = []
    while (unit := queue.next(NOW)) is not None and len(shown) < 5:
        shown.append(unit.key)
        queue.apply(unit.key, replace(review(10 * DAY), reps=9), NOW)
    assert len(shown) == 1, shown


def test_undoing_todays_rating_gives_its_place_back() -> None:
    units = [basic("d", f"n{i}") for i in range(3)]
    states: dict[str, CardState] = {}
    queue = queue_over(units, states, StudySettings(new_per_day=1))
    first = queue.next(NOW)
    assert first is not None
    rated = replace(review(7 * DAY), reps=1, last_review=NOW)
    queue.apply(first.key, rated, NOW)
    assert queue.next(NOW) is None and queue.limit_reached()
    queue.apply(first.key, None, NOW)  # undone: today's rating, its place comes back
    assert (again := queue.next(NOW)) is not None and again.key == first.key
    assert not queue.limit_reached()


def test_stale_outside_the_study_day() -> None:
    queue = queue_over([basic("d", "n")], {}, StudySettings())
    assert not queue.stale(NOW) and not queue.stale(SPAN[1] - timedelta(microseconds=1))
    assert queue.stale(SPAN[1]) and queue.stale(SPAN[0] - timedelta(seconds=1))
    assert not build_queue([], {}, DayLog(), settings_map(), NOW, TODAY).stale(NOW + 9 * DAY)


class Live:
    """What the store gives a session: settings that can be saved meanwhile, a queue per study day."""

    def __init__(self, units: list[Unit], study: StudySettings) -> None:
        self.units = units
        self.study = study
        self.recorder = MemoryRecorder()
        self.states = self.recorder.states
        self.builds: list[datetime] = []

    def settings_for(self, deck_id: str) -> StudySettings:
        return self.study

    def build(self, now: datetime) -> StudyQueue:
        self.builds.append(now)
        days = (now - SPAN[0]) // DAY
        span = (SPAN[0] + days * DAY, SPAN[1] + days * DAY)
        log = DayLog.from_events(self.recorder.events, span[0])
        today = TODAY + timedelta(days=days)
        return build_queue(self.units, self.states, log, self.settings_for, now, today, day_span=span)

    def session(self, now: datetime = NOW) -> ReviewSession:
        return ReviewSession(
            self.build(now),
            self.states,
            lambda deck: Scheduler(self.settings_for(deck)),
            self.recorder,
            {u.key: u for u in self.units},
            now,
            rebuild=self.build,
            settings_token=lambda: self.study,
        )


def test_a_session_left_open_over_the_rollover_serves_the_new_day() -> None:
    live = Live([basic("d", f"n{i}") for i in range(3)], StudySettings(new_per_day=1, fuzz=False))
    session = live.session()
    session.reveal()
    session.rate(4, NOW)
    assert session.current is None  # today's one new card is done
    assert session.refresh(SPAN[1] - timedelta(minutes=1)) is None
    assert (unit := session.refresh(SPAN[1] + timedelta(minutes=1))) is not None
    assert session.queue.today == TODAY + DAY and unit.key == "d/n1"


def test_bury_after_the_rollover_hides_the_card_until_the_day_after_the_new_today() -> None:
    live = Live([basic("d", f"n{i}") for i in range(3)], StudySettings())
    session = live.session()
    event = session.bury(SPAN[1] + timedelta(minutes=10))
    assert event.after is not None and event.after.buried_until == (TODAY + 2 * DAY).isoformat()


def test_settings_saved_mid_session_reach_the_next_card() -> None:
    live = Live([basic("d", f"n{i}") for i in range(4)], StudySettings(fuzz=False))
    session = live.session()
    session.reveal()
    session.rate(4, NOW)
    minute = timedelta(minutes=1)
    live.study = replace(live.study, new_per_day=2, learning_steps=(30 * minute, 120 * minute))
    assert session.labels(NOW)[1] == "<30m"  # the card on screen: the new steps
    session.reveal()
    session.rate(4, NOW)
    assert session.current is None  # the new limit: two new cards today
    assert len(live.builds) == 2  # rebuilt once, for the change


def test_summary_next_due_is_each_cards_state_now() -> None:
    live = Live([basic("d", "n0")], StudySettings(fuzz=False))
    session = live.session()
    for rating in (1, 3, 3):  # Again, Good, Good: learning steps passed, then graduated
        session.refresh(NOW)
        session.reveal()
        session.rate(rating, NOW)
    due = session.summary().next_due
    assert due is not None and due - NOW >= DAY


def test_due_counts_keep_back_the_siblings_of_a_step_due_later_today() -> None:
    """`retain due` and the home screen count what the session serves: a new or review sibling of
    a learning step due before the rollover (a "1d" step from yesterday) is not counted."""
    c1, c2, c3 = cloze("d", "n", 3)
    for due_in, expected in (
        (timedelta(hours=3), 0),
        (timedelta(hours=17), 1),
    ):  # before / after the rollover
        states = {c1.key: learning(due_in), c3.key: review(-DAY)}
        units = [c1, c2, c3]
        queue = build_queue(units, states, DayLog(), settings_map(), NOW, TODAY, day_span=SPAN)
        counts = count_due(units, states, DayLog(), settings_map(), NOW, TODAY, day_span=SPAN)["d"]
        assert (counts.new + counts.review, counts) == (expected, queue.counts(NOW))
