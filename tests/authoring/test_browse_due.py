"""The browser's Due column is the study day (the rollover hour), as `retain due` counts it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from retain.core.custom_study import select_search
from retain.core.model import Unit
from retain.core.state import LEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.store.decks.browse import BrowseIndex

NOW = datetime(2025, 1, 10, 12, tzinfo=UTC)
UNIT = Unit("k/a", "k", "a", "", "basic", "Q", "A")


def _review_due(due: datetime) -> CardState:
    return CardState(REVIEW, None, 10.0, 5.0, due, due - timedelta(days=10), 3, 0)


@pytest.mark.parametrize(
    ("due", "shown"),
    [
        (datetime(2025, 1, 11, 2, tzinfo=UTC), "2025-01-10"),  # before 4 am: the day before
        (datetime(2025, 1, 11, 4, tzinfo=UTC), "2025-01-11"),  # at the rollover: its own day
        (datetime(2025, 1, 11, 23, tzinfo=UTC), "2025-01-11"),
    ],
)
def test_due_column_is_the_study_day(due: datetime, shown: str) -> None:
    """A card due at 02:00 on Jan 11 with the 4 am rollover is due on study day Jan 10 (what
    `retain due`, the stats forecast and the session count); the browser said 2025-01-11."""
    index = BrowseIndex([UNIT], {"k/a": _review_due(due)}, UTC, studyday=StudyDay(4, UTC))
    assert index.row(UNIT, NOW, NOW.date()).due == shown


def test_the_rollover_is_read_when_the_row_is_made() -> None:
    """From a collection the rule is read per row: a rollover changed in the settings applies at once."""
    rules = [StudyDay(4, UTC)]
    index = BrowseIndex(
        [UNIT], {"k/a": _review_due(datetime(2025, 1, 11, 2, tzinfo=UTC))}, UTC, studyday=lambda: rules[0]
    )
    assert index.row(UNIT, NOW, NOW.date()).due == "2025-01-10"
    rules[0] = StudyDay(0, UTC)
    assert index.row(UNIT, NOW, NOW.date()).due == "2025-01-11"


@pytest.mark.parametrize(
    ("due", "found"),
    [
        (datetime(2025, 1, 10, 11, tzinfo=UTC), True),  # due an hour ago
        (datetime(2025, 1, 10, 12, tzinfo=UTC), True),  # due this minute
        (datetime(2025, 1, 10, 23, tzinfo=UTC), True),  # later today: due all its study day
        (datetime(2025, 1, 11, 2, tzinfo=UTC), True),  # before tomorrow's 4 am rollover: still today
        (datetime(2025, 1, 11, 4, tzinfo=UTC), False),  # tomorrow's study day
        (datetime(2025, 1, 9, 5, tzinfo=UTC), True),  # overdue
    ],
)
def test_is_due_finds_the_review_cards_due_today(due: datetime, found: bool) -> None:
    """`is:due` finds what `retain due`, the home screen and a session count as due: a review card
    due by the end of today's study day (as in Anki), a learning step within the learn-ahead."""
    index = BrowseIndex([UNIT], {"k/a": _review_due(due)}, UTC, studyday=StudyDay(4, UTC))
    assert bool(index.search("is:due", NOW, NOW.date())) is found
    assert (
        bool(
            select_search(
                [UNIT], {"k/a": _review_due(due)}, "is:due", NOW, NOW.date(), day_of=StudyDay(4, UTC).of
            )
        )
        is found
    )


def test_is_due_takes_a_learning_step_only_when_it_is_due() -> None:
    step = CardState(LEARNING, 0, 1.0, 5.0, NOW + timedelta(minutes=10), NOW, 1, 0)
    index = BrowseIndex([UNIT], {"k/a": step}, UTC, studyday=StudyDay(4, UTC))
    assert index.search("is:due", NOW, NOW.date()) == []
    assert index.search("is:due", NOW + timedelta(minutes=10), NOW.date()) == [UNIT]


def test_is_due_finds_what_retain_due_counts() -> None:
    """A review card due at 20:00 today is due at noon: `retain due` and the home screen count it."""
    from retain.core.due import DayLog, count_due, last_moment
    from retain.core.settings import StudySettings

    states = {"k/a": _review_due(NOW + timedelta(hours=8))}
    day = StudyDay(4, UTC)
    counts = count_due(
        [UNIT],
        states,
        DayLog(),
        lambda _d: StudySettings(),
        NOW,
        NOW.date(),
        day_end=last_moment(day.span(NOW)),
    )
    index = BrowseIndex([UNIT], states, UTC, studyday=day)
    assert len(index.search("is:due", NOW, NOW.date())) == counts["k"].review + counts["k"].learning == 1


def test_a_plain_word_containing_due_never_builds_the_exam_view() -> None:
    """`is:due` reads the exam-capped view of all 50k cards (a capped_states pass: 67 ms -> 172 ms
    per search at 50k cards with exam dates, measured on /tmp/bs/lib50k). BrowseIndex.search
    builds that view whenever the query text merely contains "due": a plain word such as
    "residue", "procedure", "overdue" or "due" pays for it on every keystroke."""
    calls: list[datetime] = []
    unit = Unit("k/a", "k", "a", "", "basic", "The residue theorem", "A")
    state = CardState(REVIEW, None, 10.0, 5.0, NOW - timedelta(days=1), NOW - timedelta(days=11), 3, 0)

    def due_view(now: datetime):  # type: ignore[no-untyped-def]
        calls.append(now)
        return {"k/a": state}, timedelta(0)

    index = BrowseIndex([unit], {"k/a": state}, UTC, due_view=due_view)
    assert [u.key for u in index.search("residue", NOW, NOW.date())] == ["k/a"]
    assert calls == [], "a plain word built the exam-capped view of every card"


@pytest.mark.parametrize("query", ['is:"due"', '"is:due"'])
def test_a_quoted_is_due_term_still_reads_the_due_view(query: str) -> None:
    """compile_query takes `is:"due"` and `"is:due"` as the is:due term (a quoted value of a known
    field), but asks_due skips every quoted token: the browser then reads the raw states with no
    learn-ahead, so a learning step due in 10 minutes (learn-ahead 20 min) is found by `is:due`
    and missed by `is:"due"`. Before 46486ac ("due" in the text) both built the view."""
    unit = Unit("k/a", "k", "a", "", "basic", "Q", "A")
    state = CardState(LEARNING, 0, 1.0, 5.0, NOW + timedelta(minutes=10), NOW - timedelta(minutes=1), 1, 0)
    index = BrowseIndex(
        [unit], {"k/a": state}, UTC, due_view=lambda now: ({"k/a": state}, timedelta(minutes=20))
    )
    assert [u.key for u in index.search("is:due", NOW, NOW.date())] == ["k/a"]
    assert [u.key for u in index.search(query, NOW, NOW.date())] == ["k/a"], (
        f"{query} is is:due to the query language but not to asks_due"
    )
