"""`retain stats`, Today and the streak against a hand-made reference, with the index kept and rebuilt.

Each test writes events with known times, ratings and states into a real home, works out
the figures with a few lines of plain Python over those events, and compares them with
`stats_report` (what `retain stats --json` prints) and `History.progress` (the home
screen's Today and streak), on the index as it was fed and after `cache/` was deleted.
"""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from store_helpers import make_home, open_col, review_state

from retain.commands.stats import stats_report
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, Event
from retain.core.studyday import StudyDay
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.journal import JournalWriter

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
BERLIN = ZoneInfo("Europe/Berlin")


def _at(days_back: int, hour: int = 10, minute: int = 0) -> datetime:
    return datetime(2026, 3, 28, hour, minute, tzinfo=UTC) - timedelta(days=days_back)


def _state(kind: int, last: datetime, days: float) -> CardState:
    return CardState(
        state=kind, stability=5.0, difficulty=5.0, due=last + timedelta(days=days), last_review=last, reps=3
    )


def _card(kind: int, due: datetime, last: datetime, reps: int, lapses: int = 0) -> CardState:
    step = 0 if kind in (LEARNING, RELEARNING) else None
    return CardState(kind, step, 5.0, 5.0, due, last, reps, lapses)


def _rate(col: Collection, key: str, at: datetime, rating: int = 3, before: CardState | None = None) -> Event:
    event = Event(col.new_event_id(at), "review", key, at, review_state(at), before, rating, 1000)
    return col.record(event)


def _record(col: Collection, kind: str, key: str, at: datetime, **kw: Any) -> Event:
    event = Event(col.new_event_id(at), kind, key, at, kw.pop("after", None), **kw)  # type: ignore[arg-type]
    return col.record(event)


def _undo(col: Collection, target: Event, at: datetime) -> Event:
    return _record(col, "undo", target.key, at, after=target.before, before=target.after, undoes=target.id)


def _figures(
    root: Path, now: datetime, tz: tzinfo = UTC, **kw: Any
) -> tuple[dict[str, Any], tuple[int, int]]:
    """(`retain stats --json`'s object, the home screen's (Today, streak)) at `now`."""
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=tz, read_only=True)
    try:
        return stats_report(col, now, **kw), col.progress(now)
    finally:
        col.close(now)


def _both(
    root: Path, now: datetime, tz: tzinfo = UTC, **kw: Any
) -> list[tuple[dict[str, Any], tuple[int, int]]]:
    """The figures on the index as fed, then on one rebuilt from the journals (`rm -rf cache/`)."""
    kept = _figures(root, now, tz, **kw)
    shutil.rmtree(root / "cache")
    return [kept, _figures(root, now, tz, **kw)]


def _streak(days: set[date], today: date) -> int:
    day = today if today in days else today - timedelta(days=1)
    n = 0
    while day in days:
        n, day = n + 1, day - timedelta(days=1)
    return n


def test_undo_cram_forget_suspend_and_another_devices_undone_review(tmp_path: Path) -> None:
    """Undone ratings (this device's, and another device's undone in its own journal), a cram
    rating, a suspend and a forget never make a study day; a gap day filled only by another
    device's review does, until that device takes it back."""
    home = make_home(tmp_path)
    col = open_col(home, _at(6))
    _rate(col, "tiny/one", _at(5))  # day -5: counted
    _rate(col, "tiny/two", _at(4))  # day -4: counted
    taken = _rate(col, "tiny/three:c1", _at(3))  # day -3: only an undone rating
    _undo(col, taken, _at(3, 10, 1))
    state = col.states["tiny/one"]
    _record(col, "cram", "tiny/one", _at(2), after=state, before=state, rating=3, duration_ms=500)  # day -2
    _record(col, "suspend", "tiny/two", _at(1), after=col.states["tiny/two"].with_flags(suspended=True))
    _record(col, "reset", "tiny/one", _at(0, 9), before=col.states["tiny/one"])  # forget, then a new rating
    _rate(col, "tiny/one", _at(0))  # day 0: counted (as new; not added again)
    col.close(NOW)
    # another device: a review on day -1 (the gap), and one on day -2 it took back
    laptop = tmp_path / "state" / "devices" / "laptop-1"
    writer = JournalWriter(laptop, fsync=False)
    gap = Event(
        "laptop-1-1", "review", "tiny/two:reverse", _at(1, 20), review_state(_at(1, 20)), None, 3, 700
    )
    other = Event("laptop-1-2", "review", "tiny/three:c2", _at(2, 20), review_state(_at(2, 20)), None, 2, 800)
    back = Event("laptop-1-3", "undo", "tiny/three:c2", _at(2, 20, 1), None, other.after, undoes=other.id)
    writer.append_many([gap, other, back])
    writer.close()

    today = date(2026, 3, 28)
    counted = [_at(5), _at(4), _at(0), _at(1, 20)]
    days = {t.date() for t in counted}
    for data, progress in _both(tmp_path, NOW):
        assert progress == (1, _streak(days, today)) == (1, 2)
        assert (data["total"]["reviews_today"], data["total"]["streak"]) == progress
        assert data["calendar"]["streak"] == 2
        assert data["calendar"]["longest_streak"] == 2
        assert {d["date"]: d["reviews"] for d in data["calendar"]["days"]} == {
            "2026-03-23": 1,
            "2026-03-24": 1,
            "2026-03-27": 1,
            "2026-03-28": 1,
        }
        assert data["reviews"]["total"] == 4
        assert [(a["date"], a["cards"]) for a in data["added"]] == [
            ("2026-03-23", 1),
            ("2026-03-24", 1),
            ("2026-03-27", 1),
        ]

    # the laptop takes its gap-day review back: the streak is today's alone
    writer = JournalWriter(laptop, fsync=False)
    writer.append_many([Event("laptop-1-4", "undo", gap.key, _at(1, 20, 1), None, gap.after, undoes=gap.id)])
    writer.close()
    for data, progress in _both(tmp_path, NOW):
        assert progress == (1, 1)
        assert data["calendar"]["streak"] == data["total"]["streak"] == 1


@pytest.mark.parametrize("tz", [UTC, BERLIN], ids=["utc", "berlin"])
def test_a_new_rollover_hour_dates_past_days_again(tmp_path: Path, tz: tzinfo) -> None:
    """A review at 03:30 belongs to the day before with the default 4 am, to its own day with a
    rollover at 3; the index kept from before the change dates it again, and back."""
    home = make_home(tmp_path)
    local = [datetime(2026, 3, 26, 10), datetime(2026, 3, 27, 3, 30), datetime(2026, 3, 28, 10)]
    times = [t.replace(tzinfo=tz).astimezone(UTC) for t in local]
    col = Collection.open(home, times[0] - timedelta(hours=1), tz=tz)
    for key, at in zip(("tiny/one", "tiny/two", "tiny/three:c1"), times, strict=True):
        _rate(col, key, at)
    now = times[-1] + timedelta(hours=1)
    col.close(now)
    for hour, streak in ((4, 1), (3, 3), (4, 1)):
        (tmp_path / "config.toml").write_text(f"rollover_hour = {hour}\n", encoding="utf-8")
        rule = StudyDay(hour, tz)
        assert _streak({rule.of(t) for t in times}, rule.today(now)) == streak
        data, progress = _figures(tmp_path, now, tz)
        assert progress == (1, streak)
        assert data["calendar"]["streak"] == streak


def test_true_retention_spans_and_the_21_day_line(tmp_path: Path) -> None:
    """Review-state ratings count, and (re)learning steps of a day or more (none here); an
    interval of 21 study days is mature, though its hours are fewer (due at the rollover), 20
    study days young; the spans end at their edges (month: today and the 29 days before)."""
    home = make_home(tmp_path)
    col = open_col(home, _at(40))
    rollover = _at(0, 4)  # the start of today's study day
    _rate(col, "tiny/one", _at(0), 3, _card(REVIEW, rollover, _at(21), 3))  # 21 study days: mature pass
    lapse = _card(REVIEW, rollover - timedelta(microseconds=1), _at(21), 3)  # 20 study days: young
    _rate(col, "tiny/two", _at(0, 11), 1, lapse)  # young fail
    _rate(col, "tiny/two", _at(0, 12), 3, _state(RELEARNING, _at(0, 11), 0.01))  # relearning: left out
    _rate(col, "tiny/three:c1", _at(0), 1, _state(LEARNING, _at(0, 9), 0.01))  # learning: left out
    _rate(col, "tiny/three:c2", _at(1), 1, _state(REVIEW, _at(40), 30))  # yesterday: mature fail
    _rate(col, "tiny/two:reverse", _at(29), 2, _state(REVIEW, _at(80), 50))  # month's first day
    _rate(col, "tiny/one", _at(30), 2, _state(REVIEW, _at(80), 50))  # the day before it
    col.close(NOW)
    for data, _progress in _both(tmp_path, NOW):
        spans = {s["span"]: (s["young"], s["mature"]) for s in data["retention"]["spans"]}
        pf = {name: (y["pass"], y["fail"], m["pass"], m["fail"]) for name, (y, m) in spans.items()}
        assert pf == {
            "today": (0, 1, 1, 0),
            "yesterday": (0, 0, 0, 1),
            "week": (0, 1, 1, 1),
            "month": (0, 1, 2, 1),
            "year": (0, 1, 3, 1),
        }
        assert (data["total"]["retention_reviews"], data["total"]["retention"]) == (4, 0.5)


def test_a_learning_step_of_a_day_counts_in_true_retention_as_in_anki(tmp_path: Path) -> None:
    """A `1d` learning step is due at the next rollover; Anki's true retention counts its rating
    (young: its interval is under 21 days), and so should the figures docs/stats.md says agree."""
    home = make_home(tmp_path)
    col = open_col(home, _at(3))
    step = _at(1, 20)  # set on study day -1, due at the start of today's study day (04:00)
    _rate(col, "tiny/one", _at(0), 3, _card(LEARNING, _at(0, 4), step, 1))
    _rate(col, "tiny/two", _at(0), 1, _card(RELEARNING, _at(0, 4), step, 4, 1))
    col.close(NOW)
    data, _progress = _figures(tmp_path, NOW)
    today = data["retention"]["spans"][0]["young"]
    assert (today["pass"], today["fail"]) == (1, 1)


def test_a_21_day_interval_over_the_spring_dst_change_is_mature(tmp_path: Path) -> None:
    rule = StudyDay(4, BERLIN)
    last = datetime(2026, 3, 10, 3, 30, tzinfo=BERLIN).astimezone(UTC)  # study day 9 March
    due = rule.days_after(last, 21)  # as the scheduler dates a 21-day interval
    assert rule.of(due) - rule.of(last) == timedelta(days=21)
    home = make_home(tmp_path)
    at = datetime(2026, 3, 30, 10, tzinfo=BERLIN).astimezone(UTC)
    col = Collection.open(home, last, tz=BERLIN)
    _rate(col, "tiny/one", at, 3, _card(REVIEW, due, last, 4))
    now = at + timedelta(hours=1)
    col.close(now)
    data, _progress = _figures(tmp_path, now, BERLIN)
    today = data["retention"]["spans"][0]
    assert (today["mature"]["pass"], today["young"]["pass"]) == (1, 0)
