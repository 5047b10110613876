"""Stats: cards by state, reviews today (rollover), streak (incl. DST days), 30-day true retention."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest
from queue_helpers import basic, learning, review

from retain.core.clock import day_start, study_day
from retain.core.model import Unit
from retain.core.state import CardState, Event
from retain.core.stats import StatsReport, activity_from_events, today_progress
from retain.core.stats import compute_stats as _compute_stats
from retain.core.studyday import StudyDay

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 10, 26, 10, 0, tzinfo=UTC)  # the day after the autumn DST change
TODAY_START = day_start(study_day(NOW, 4, BERLIN), 4, BERLIN)

_ids = iter(range(10**6))


def compute_stats(
    units: list[Unit],
    states: dict[str, CardState],
    events: list[Event],
    now: datetime,
    today_start: datetime,
    tz: tzinfo,
) -> StatsReport:
    """The report as `retain stats` builds it, with the history figures from whole events."""
    day = StudyDay(today_start.astimezone(tz).hour, tz)
    return _compute_stats(units, states, activity_from_events(events, now, day), day.today(now))


def rated(key: str, when: datetime, rating: int = 3, before: CardState | None = None) -> Event:
    return Event(
        f"e{next(_ids):06d}",
        "review",
        key,
        when,
        after=review(timedelta(days=3)),
        before=before,
        rating=rating,
    )


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


def test_cards_by_state_per_deck_and_total() -> None:
    units = [basic("a", c) for c in "nlrsx"] + [basic("b", "y")]
    states = {
        "a/l": learning(timedelta(0)),
        "a/r": review(timedelta(days=1)),
        "a/s": review(timedelta(days=1), suspended=True),
        "a/x": CardState(state=3, step=0, stability=1.0, difficulty=5.0, due=NOW, last_review=NOW),
    }
    report = compute_stats(units, states, [], NOW, TODAY_START, BERLIN)
    a = report.decks["a"]
    assert (a.cards, a.new, a.learning, a.review, a.relearning, a.suspended) == (5, 1, 1, 1, 1, 1)
    assert report.decks["b"].new == 1
    assert report.total.cards == 6 and report.total.new == 2
    assert report.today == date(2026, 10, 26)


def test_reviews_today_respects_the_rollover_hour() -> None:
    units = [basic("a", "x")]
    events = [
        rated("a/x", local(2026, 10, 26, 3, 59)),  # still yesterday's study day
        rated("a/x", local(2026, 10, 26, 4, 0)),
        rated("a/x", local(2026, 10, 26, 9, 0)),
    ]
    undone = Event("u1", "undo", "a/x", NOW, after=None, undoes=events[2].id)
    report = compute_stats(units, {}, [*events, undone], NOW, TODAY_START, BERLIN)
    assert report.decks["a"].reviews_today == 1
    assert report.total.reviews_today == 1


@pytest.mark.parametrize(
    ("days_ago", "streak"),
    [
        ([0, 1, 2], 3),
        ([1, 2, 3, 4], 4),  # not yet studied today: the streak still stands
        ([0, 2, 3], 1),
        ([2, 3], 0),
        ([], 0),
    ],
)
def test_streak(days_ago: list[int], streak: int) -> None:
    units = [basic("a", "x")]
    today = date(2026, 10, 26)
    events = [rated("a/x", local(*(today - timedelta(days=n)).timetuple()[:3], 22, 30)) for n in days_ago]
    report = compute_stats(units, {}, events, NOW, TODAY_START, BERLIN)
    assert report.decks["a"].streak == streak == report.total.streak


def test_streak_across_both_dst_changes_and_late_nights() -> None:
    units = [basic("a", "x")]
    start = date(2026, 3, 25)
    now = local(2026, 11, 2, 12, 0)
    today_start = day_start(study_day(now, 4, BERLIN), 4, BERLIN)
    events = []
    day = start
    while day <= date(2026, 11, 2):
        # a review at 02:30 local the next morning belongs to `day` (before the 4 am rollover);
        # on 2026-03-29 02:30 does not exist and on 2026-10-25 it happens twice
        nxt = day + timedelta(days=1)
        events.append(
            rated("a/x", datetime(nxt.year, nxt.month, nxt.day, 2, 30, tzinfo=BERLIN).astimezone(UTC))
        )
        day = nxt
    report = compute_stats(units, {}, events[:-1], now, today_start, BERLIN)
    assert report.total.streak == (date(2026, 11, 1) - start).days + 1


def test_true_retention_last_30_days() -> None:
    units = [basic("a", "x"), basic("b", "y")]
    was_review = review(-timedelta(days=1))
    events = [rated("a/x", NOW - timedelta(days=d), rating=3, before=was_review) for d in range(1, 9)]
    events += [rated("a/x", NOW - timedelta(days=d), rating=1, before=was_review) for d in (2, 3)]
    events += [rated("a/x", NOW - timedelta(days=40), rating=1, before=was_review)]  # too old
    events += [rated("a/x", NOW - timedelta(days=1), rating=1, before=learning(timedelta(0)))]  # learning
    events += [rated("a/x", NOW - timedelta(days=1), rating=1, before=None)]  # new
    wrong = rated("a/x", NOW - timedelta(days=1), rating=1, before=was_review)
    events += [wrong, Event("u", "undo", "a/x", NOW, after=None, undoes=wrong.id)]
    report = compute_stats(units, {}, events, NOW, TODAY_START, BERLIN)
    assert report.decks["a"].retention == pytest.approx(0.8)
    assert report.decks["a"].retention_reviews == 10
    assert report.decks["b"].retention is None and report.decks["b"].retention_reviews == 0


def test_removed_deck_counts_in_totals_only_and_json() -> None:
    units = [basic("a", "x")]
    events = [rated("gone/z", NOW - timedelta(hours=1))]
    report = compute_stats(units, {}, events, NOW, TODAY_START, BERLIN)
    assert report.decks["a"].reviews_today == 0 and report.total.reviews_today == 1
    data = json.loads(json.dumps(report.to_dict()))
    assert data["decks"][0]["deck_id"] == "a" and data["total"]["reviews_today"] == 1
    assert "_days" not in data["total"]


def test_today_progress_matches_compute_stats() -> None:
    today = date(2026, 10, 26)
    events = [
        rated("a/x", local(*(today - timedelta(days=n)).timetuple()[:3], 4, 30)) for n in (0, 0, 1, 2, 4)
    ]
    events.append(rated("a/x", local(2026, 10, 26, 3, 0)))  # before rollover: yesterday
    assert today_progress(events, NOW, 4, BERLIN) == (2, 3)
    report = compute_stats([basic("a", "x")], {}, events, NOW, TODAY_START, BERLIN)
    assert (report.total.reviews_today, report.total.streak) == (2, 3)
    assert today_progress([], NOW, 4, BERLIN) == (0, 0)
