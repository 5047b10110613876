"""True retention counts a (re)learning rating as Anki's does: when its revlog row's last interval
is a day or more (a step of days, or one longer than the rest of the rating's study day, which
Anki logs in days), never for a step having passed the rollover: a `10m` step set at 03:50 and
rated at 12:00 is left out. It was counted, because the rule looked at the study days the step
crossed, not at the step.

A step of days is due from a study day's start (`Scheduler.day_step_due`: a `1d` step set at
21:00 is due at 04:00, 7 hours on; set at 03:55, 5 minutes on); an intraday step keeps its own
time (a `10m` step set at 03:50:00.5 is due at 04:00:00.5). Each figure is checked on the index
as it was fed and on one rebuilt from the journals (`rm -rf cache/`).
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, make_home, open_col, review_state

from retain.commands.stats import stats_report
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, Event
from retain.core.stats import activity_from_events
from retain.core.studyday import StudyDay
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.index import History
from retain.store.state.journal import JournalWriter

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)  # study day 28 March (rollover 4, UTC)
HALF = timedelta(milliseconds=500)  # a clock's time is never a whole second


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)


def _step(kind: int, last: datetime, due: datetime) -> CardState:
    return CardState(kind, 0, 5.0, 5.0, due, last, 4, 1 if kind == RELEARNING else 0)


def _rate(col: Collection, key: str, at: datetime, rating: int, before: CardState) -> None:
    col.record(Event(col.new_event_id(at), "review", key, at, review_state(at), before, rating, 1000))


def _young(root: Path, now: datetime = NOW, **kw: Any) -> list[dict[str, tuple[int, int]]]:
    """Young (pass, fail) per span, on the index as fed, then on one rebuilt from the journals."""
    out = []
    for rebuilt in (False, True):
        if rebuilt:
            shutil.rmtree(root / "cache")
        col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=UTC, read_only=True)
        try:
            data = stats_report(col, now, **kw)
        finally:
            col.close(now)
        out.append({s["span"]: (s["young"]["pass"], s["young"]["fail"]) for s in data["retention"]["spans"]})
    return out


def test_an_intraday_step_past_the_rollover_is_left_out_and_a_day_step_counts(tmp_path: Path) -> None:
    """Rated at 10:00 (18 hours before the rollover) unless said: Anki counts a step that lasts
    longer than that (it logs it in days), or one of days; never one for having passed the rollover."""
    col = open_col(make_home(tmp_path), _at(20, 12))
    today = {
        # left out: steps shorter than the rest of the rating's day, whatever rollover they passed
        "tiny/one": (_step(RELEARNING, _at(28, 3, 50) + HALF, _at(28, 4, 0) + HALF), 3),  # 10m at 03:50
        "tiny/two": (_step(LEARNING, _at(27, 21) + HALF, _at(28, 9, 5) + HALF), 1),  # Hard's 12h05m
        # counted: a step longer than the rest of the day, steps of days (due from a study day's start)
        "tiny/two:reverse": (_step(RELEARNING, _at(27, 4, 1) + HALF, _at(28, 4) + HALF), 3),  # 23h59m
        "tiny/three:c1": (_step(LEARNING, _at(27, 21) + HALF, _at(28, 4)), 3),  # `1d` at 21:00: 7 h
        "tiny/three:c2": (_step(RELEARNING, _at(28, 3, 55) + HALF, _at(28, 4)), 1),  # `1d` at 03:55: 5 min
    }
    for key, (before, rating) in today.items():
        _rate(col, key, _at(28, 10), rating, before)
    late = _step(LEARNING, _at(28, 8) + HALF, _at(28, 20) + HALF)  # 12 h, rated 7h30m before the rollover
    _rate(col, "tiny/one", _at(28, 20, 30), 1, late)
    day = _step(LEARNING, _at(26, 10) + HALF, _at(27, 10) + HALF)  # 24 h, not at a rollover
    _rate(col, "tiny/one", _at(27, 11), 3, day)  # (yesterday)
    col.close(NOW)
    for spans in _young(tmp_path, _at(29, 3)):
        assert spans["today"] == (2, 2)
        assert spans["yesterday"] == (1, 0)
        assert spans["week"] == (3, 2)


def test_a_day_step_still_counts_after_an_earlier_rollover_hour(tmp_path: Path) -> None:
    """A step of days is due at the rollover it was set with (04:00); with the rollover at 3
    since, that is no study day's start, but the step still ends on a later study day at a
    rollover: a step of days still. A 10m step past the new rollover is none."""
    col = open_col(make_home(tmp_path), _at(20, 12))
    _rate(col, "tiny/one", _at(28, 10), 3, _step(LEARNING, _at(27, 21) + HALF, _at(28, 4)))
    _rate(col, "tiny/two", _at(28, 10), 1, _step(LEARNING, _at(28, 2, 55) + HALF, _at(28, 3, 5) + HALF))
    col.close(NOW)
    (tmp_path / "config.toml").write_text("rollover_hour = 3\n", encoding="utf-8")
    for spans in _young(tmp_path):
        assert spans["today"] == (1, 0)


def _config(root: Path, text: str) -> None:
    (root / "config.toml").write_text(text, encoding="utf-8")


def _answer(root: Path, at: datetime, rating: int) -> Event:
    col = open_col(open_home({"RETAIN_HOME": str(root)}), at)
    try:
        session = col.start_session(["tiny"], at)
        assert session.current is not None
        session.reveal()
        return session.rate(rating, at)
    finally:
        col.close(at)


def test_a_relearning_step_the_scheduler_set_across_midnight_is_left_out(tmp_path: Path) -> None:
    """Native: rollover at midnight, a review card forgotten at 23:55 (`10m`: due 00:05, the next
    study day), answered Good at 00:10: a relearning rating after an intraday step."""
    make_home(tmp_path)
    _config(
        tmp_path, 'rollover_hour = 0\n[study]\nnew_per_day = 1\nfuzz = false\nrelearning_steps = ["10m"]\n'
    )
    first = _answer(tmp_path, _at(1, 12), 4)  # new -> review (Easy)
    assert first.after is not None and first.after.state == REVIEW and first.after.due is not None
    due = first.after.due
    lapse = _answer(tmp_path, due.replace(hour=23, minute=55, second=0, microsecond=123_000), 1)
    assert lapse.after is not None and lapse.after.state == RELEARNING and lapse.after.due is not None
    assert lapse.after.due - lapse.time == timedelta(minutes=10)  # an intraday step keeps its time
    back = lapse.after.due + timedelta(minutes=5)
    good = _answer(tmp_path, back, 3)
    assert good.before is not None and good.before.state == RELEARNING
    now = back + timedelta(hours=1)
    for spans in _young(tmp_path, now):
        assert spans["today"] == (0, 0)  # the relearning Good: no day step
        assert spans["yesterday"] == (0, 1)  # the lapse: a young review card failed


def test_a_day_step_the_scheduler_set_counts(tmp_path: Path) -> None:
    """Native: learning steps `1d`, a new card rated Again at 21:00 is due at the next 04:00;
    its Again there counts as a young fail, as Anki counts it."""
    make_home(tmp_path)
    _config(tmp_path, '[study]\nnew_per_day = 1\nfuzz = false\nlearning_steps = ["1d"]\n')
    first = _answer(tmp_path, _at(20, 21) + HALF, 1)
    assert first.after is not None and first.after.state == LEARNING and first.after.due == _at(21, 4)
    _answer(tmp_path, _at(21, 9), 1)
    for spans in _young(tmp_path, _at(21, 10)):
        assert spans["today"] == (0, 1)


# -- the index and the reference (`core.stats.activity_from_events`) apply one rule -------------

_BERLIN = ZoneInfo("Europe/Berlin")
_LATE = datetime(2026, 3, 31, 12, 0, tzinfo=UTC)  # after the spring DST change


@st.composite
def _steps(draw: st.DrawFn) -> list[Event]:
    """Ratings of learning, relearning and review cards: steps of minutes to hours that pass a
    rollover or not, steps of days due at a rollover (any hour: under another rule too), 24 h."""
    out = []
    for n in range(draw(st.integers(1, 30))):
        at = _LATE - timedelta(
            minutes=draw(st.integers(0, 60 * 24 * 12)), microseconds=draw(st.integers(0, 999))
        )
        kind = draw(st.sampled_from([LEARNING, RELEARNING, REVIEW]))
        shape = draw(st.sampled_from(["minutes", "rollover", "24h"]))
        if shape == "minutes":  # an intraday step: its own time (often past a rollover)
            last = at - timedelta(hours=draw(st.integers(1, 30)))
            due = last + timedelta(minutes=draw(st.sampled_from([1, 10, 60, 725, 1439])), microseconds=400)
        elif shape == "rollover":  # a step of days: due at some hour's start (a rollover)
            due = (at - timedelta(hours=draw(st.integers(0, 20)))).replace(minute=0, second=0, microsecond=0)
            last = due - timedelta(minutes=draw(st.integers(1, 60 * 47)), microseconds=300)
        else:
            last = at - timedelta(days=2)
            due = last + timedelta(days=1, microseconds=draw(st.integers(0, 1)))
        before = CardState(kind, None if kind == REVIEW else 0, 3.0, 5.0, due, last, 3, 0)
        after = review_state(at)
        out.append(
            Event(
                f"aaaaaaaaaaaa-{n:019d}-{n}",
                "review",
                draw(st.sampled_from(KEYS)),
                at,
                after,
                before,
                1 + n % 4,
            )
        )
    return out


def _activity(root: Path, day: StudyDay) -> dict[str, tuple[int, int]]:
    history = History(root / "state", root / "cache", day)
    try:
        return {k: (a.passed, a.judged) for k, a in history.activity(_LATE).items()}
    finally:
        history.close()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=_steps(), hour=st.integers(0, 23))
def test_the_index_counts_the_steps_the_reference_counts(
    tmp_path_factory: pytest.TempPathFactory, events: list[Event], hour: int
) -> None:
    """Fed under the 4 am rollover, then restamped under another hour, then rebuilt: each time
    what `activity_from_events` counts (the index's rule is the reference's)."""
    root = tmp_path_factory.mktemp("h")
    writer = JournalWriter(root / "state" / "devices" / "aaaaaaaaaaaa", fsync=False)
    writer.append_many(events)
    writer.close()
    for day, rebuild in (
        (StudyDay(4, _BERLIN), False),
        (StudyDay(hour, _BERLIN), False),
        (StudyDay(hour, _BERLIN), True),
    ):
        if rebuild:
            shutil.rmtree(root / "cache")
        expected = {k: (a.passed, a.judged) for k, a in activity_from_events(events, _LATE, day).items()}
        assert _activity(root, day) == expected
