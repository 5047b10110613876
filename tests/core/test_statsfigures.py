"""core/statsfigures.py and core/statstext.py: the pieces behind every statistics figure."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.state import LEARNING, NEW, REVIEW, CardState
from retain.core.statsfigures import DEFAULT_DECAY, DayRow, compute_figures, longest_streak, retrievability
from retain.core.statstext import figures_text, sparkline

NOW = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
TODAY = date(2026, 3, 30)


DAY_STARTS = [datetime(2026, 3, 30, tzinfo=UTC).timestamp() + 86400 * i for i in range(1, 367)]  # UTC days


def _review(ivl: float, due_in: float, **kw: object) -> CardState:
    last = NOW + timedelta(days=due_in - ivl)
    return CardState(REVIEW, None, max(ivl, 0.1), 5.0, last + timedelta(days=ivl), last, 2, 0, **kw)  # type: ignore[arg-type]


def test_default_decay_is_fsrs_default() -> None:
    from fsrs.scheduler import DEFAULT_PARAMETERS

    assert DEFAULT_PARAMETERS[20] == pytest.approx(DEFAULT_DECAY)


def test_retrievability_matches_fsrs() -> None:
    from fsrs import Card, Scheduler, State

    card = Card(
        card_id=1,
        state=State.Review,
        step=None,
        stability=7.0,
        difficulty=5.0,
        due=NOW,
        last_review=NOW - timedelta(days=10),
    )
    ours = retrievability(
        CardState(REVIEW, None, 7.0, 5.0, NOW, NOW - timedelta(days=10)),
        NOW,
    )
    assert ours == pytest.approx(Scheduler().get_card_retrievability(card, NOW), abs=1e-9)
    assert retrievability(CardState(REVIEW, None, 7.0, 5.0, NOW, NOW), NOW) == pytest.approx(1.0)
    assert retrievability(CardState(), NOW) is None


@given(st.sets(st.integers(0, 400)))
def test_longest_streak_is_the_longest_run(days: set[int]) -> None:
    best = 0
    for d in days:
        run = 0
        while d + run in days:
            run += 1
        best = max(best, run)
    assert longest_streak(date.fromordinal(730000 + d) for d in days) == best


def test_forecast_counts_and_backlog() -> None:
    states = [
        None,  # new
        CardState(NEW, suspended=True),
        _review(3, -2),  # overdue: backlog, young
        _review(30, 0.1),  # due today: backlog, mature
        _review(30, 1),  # tomorrow, mature
        _review(5, 2, suspended=True),  # suspended: not in the forecast
        _review(5, 2, buried_until="2026-03-31"),  # buried: counted as buried, still due
        CardState(LEARNING, 0, 1.0, 5.0, NOW + timedelta(days=1), NOW),
        _review(10, 400),  # beyond the horizon
    ]
    fig = compute_figures([], states, now=NOW, today=TODAY, day_starts=DAY_STARTS, days=30)
    f = fig.forecast
    assert (f["backlog"], f["backlog_young"], f["backlog_mature"]) == (2, 1, 1)
    days = f["days"]
    assert isinstance(days, list) and len(days) == 30
    assert days[0] == {"date": "2026-03-31", "young": 1, "mature": 1}
    assert days[1] == {"date": "2026-04-01", "young": 1, "mature": 0}
    assert fig.counts == {
        "new": 1,
        "learning": 1,
        "young": 2,
        "mature": 2,
        "suspended": 2,
        "buried": 1,
        "buried_new": 0,
        "leeches": 0,
        "total": 9,
    }
    assert not fig.has_reviews


def test_period_all_starts_at_the_first_rating() -> None:
    hours = tuple(3 if i == 5 else 2 if i == 24 + 5 else 0 for i in range(48))
    rows = [
        DayRow(TODAY - timedelta(days=99), reviews=2, new=2),
        DayRow(TODAY, reviews=1, review=1, young_pass=1, hours=hours),
    ]
    fig = compute_figures(rows, [], now=NOW, today=TODAY, day_starts=DAY_STARTS, days=None)
    assert fig.days == 100 and fig.reviews["total"] == 3
    assert fig.added == [{"date": (TODAY - timedelta(days=99)).isoformat(), "cards": 2}]
    assert fig.hours[5] == {"hour": 5, "reviews": 3, "passed": 2}
    spans = fig.retention["spans"]
    assert isinstance(spans, list) and spans[0]["young"] == {"pass": 1, "fail": 0, "rate": 1.0}


def test_sparkline() -> None:
    assert sparkline([]) == ""
    assert sparkline([0, 0]) == "  "
    assert sparkline([0, 4, 8]) == " ▄█"
    assert len(sparkline(list(range(365)))) <= 60


@pytest.mark.parametrize(
    ("desired", "shown"), [(0.925, "92.5%"), (0.9, "90%"), (0.875, "87.5%"), (0.97, "97%")]
)
def test_the_text_shows_the_desired_retention_unrounded(desired: float, shown: str) -> None:
    """desired_retention = 0.925 read "desired 92%", beside a rate of 92.3% that is below it."""
    fig = compute_figures(
        [], [], now=NOW, today=TODAY, day_starts=DAY_STARTS, days=30, desired_retention=desired
    )
    data = {**fig.to_dict(), "decks": [], "total": {}}
    assert f"True retention (desired {shown})" in figures_text(data)


def test_ratings_before_the_calendar_year_are_reviews() -> None:
    """The calendar covers a year: older ratings still mean the scope has reviews."""
    rows = [DayRow(TODAY - timedelta(days=500), reviews=4, new=4)]
    fig = compute_figures(rows, [], now=NOW, today=TODAY, day_starts=DAY_STARTS, days=None)
    assert fig.calendar["total"] == 0 and fig.has_reviews
    assert "No reviews yet." not in figures_text({**fig.to_dict(), "decks": [], "total": {}})
    empty = compute_figures([], [], now=NOW, today=TODAY, day_starts=DAY_STARTS, days=None)
    assert (
        not empty.has_reviews
        and figures_text({**empty.to_dict(), "decks": [], "total": {}})[0] == "No reviews yet."
    )


def test_the_whole_history_forecasts_a_year_however_short_the_history() -> None:
    """With `all`, a learner who began 5 days ago saw a 5-day forecast (30 days under "1 month")."""
    rows = [DayRow(TODAY - timedelta(days=4), reviews=3, new=3)]
    states = [_review(3, 20), _review(3, 200)]
    fig = compute_figures(rows, states, now=NOW, today=TODAY, day_starts=DAY_STARTS, days=None)
    assert fig.days == 5  # the period: from the first rating
    days = fig.forecast["days"]
    assert isinstance(days, list) and len(days) == 365
    assert sum(d["mature"] + d["young"] for d in days) == 2
    month = compute_figures(rows, states, now=NOW, today=TODAY, day_starts=DAY_STARTS, days=30)
    assert len(month.forecast["days"]) == 30  # type: ignore[arg-type]


def test_stats_screen_retention_panel_shows_desired_retention_unrounded() -> None:
    """6b7f3bd made `retain stats` say "desired 92.5%" for desired_retention = 0.925, but the
    stats screen's retention panel (same figures) still rounds it to "92%", beside a rate of
    92.3% that then looks met."""
    from retain.core.statsfigures import compute_figures
    from retain.ui.widgets.stats_charts import retention_content

    now = datetime(2026, 3, 30, 10, 0, tzinfo=UTC)
    starts = [datetime(2026, 3, 30, tzinfo=UTC).timestamp() + 86400 * i for i in range(1, 367)]
    fig = compute_figures(
        [], [], now=now, today=date(2026, 3, 30), day_starts=starts, days=30, desired_retention=0.925
    )
    shown = str(retention_content(fig.to_dict()))
    assert "Desired retention 92.5%" in shown, shown


def test_stats_screen_shows_a_desired_retention_as_set() -> None:
    """3c1f97e: "the desired retention shown as set on the stats screen" and 0.90001 gets its own
    row in the workload chart (retention_text: 0.90001), but percent_text rounds it to "90%"
    (and 0.899999 to "90%", a target that then looks met)."""
    from retain.core.statstext import percent_text

    assert percent_text(0.90001) != "90%"
    assert percent_text(0.899999) != "90%"


def test_the_cards_line_says_how_many_buried_cards_are_new() -> None:
    """`buried_new` is a part of `buried`, not a seventh kind: `buried 2 (1 new)`."""
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    states = [None, CardState(buried_until=tomorrow), _review(3, 2, buried_until=tomorrow), _review(3, 1)]
    fig = compute_figures([], states, now=NOW, today=TODAY, day_starts=DAY_STARTS, days=30)
    (line,) = [
        ln for ln in figures_text({**fig.to_dict(), "decks": [], "total": {}}) if ln.startswith("Cards:")
    ]
    assert "buried 2 (1 new)," in line and "buried_new" not in line and line.endswith("(of 4)")
    none = compute_figures([], [None], now=NOW, today=TODAY, day_starts=DAY_STARTS, days=30)
    assert "buried 0," in figures_text({**none.to_dict(), "decks": [], "total": {}})[-1]


def test_young_and_mature_cards_are_told_apart_by_study_days() -> None:
    """A 21-day interval set at 15:00 is due at the start of its 21st study day, 20 d 13 h later:
    mature, as Anki has it (21 days); one due a microsecond before that start, 20 study days,
    young. A DST change moves an hour; far from the line the hours alone decide."""
    from zoneinfo import ZoneInfo

    from retain.core.statscards import card_figures
    from retain.core.studyday import StudyDay

    rule = StudyDay(4, ZoneInfo("Europe/Berlin"))
    last = datetime(2026, 3, 2, 15, tzinfo=UTC)
    start = rule.start_of(rule.of(last) + timedelta(days=21))
    spring = rule.days_after(datetime(2026, 3, 10, 2, 30, tzinfo=UTC), 21)  # over the DST change

    def review(due: datetime, at: datetime = last) -> CardState:
        return CardState(REVIEW, None, 30.0, 5.0, due, at, 3, 0)

    states: list[CardState | None] = [
        review(start),  # 21 study days: mature
        review(start - timedelta(microseconds=1)),  # 20: young
        review(spring, datetime(2026, 3, 10, 2, 30, tzinfo=UTC)),  # 21, 19 d 23.5 h: mature
        review(last + timedelta(days=40)),  # mature
        review(last + timedelta(days=3)),  # young
    ]
    now = last + timedelta(days=1)
    starts = [rule.start_of(rule.of(now) + timedelta(days=i)).timestamp() for i in range(1, 33)]
    counts = card_figures(states, now=now, today=rule.of(now), day_starts=starts, day_of=rule.of).counts
    assert (counts["young"], counts["mature"]) == (2, 3)
    hours = card_figures(states, now=now, today=rule.of(now), day_starts=starts).counts
    assert (hours["young"], hours["mature"]) == (4, 1)  # whole days of hours: the line moves


def test_a_buried_card_is_forecast_on_the_day_it_comes_back() -> None:
    """h36 (attacker 43): a card due today and buried until tomorrow is not in today's backlog
    (`retain due` and the home screen leave it out); it counts on the day its bury lifts, and a
    buried card due later than that stays on its own day."""
    states = [
        _review(3, -2),  # overdue: backlog
        _review(3, -2, buried_until="2026-03-31"),  # overdue, buried until tomorrow
        _review(30, 0.1, buried_until="2026-04-02"),  # due today, buried until the day after next
        _review(5, 4, buried_until="2026-03-31"),  # due in 4 days, buried until tomorrow
    ]
    f = compute_figures([], states, now=NOW, today=TODAY, day_starts=DAY_STARTS, days=30).forecast
    assert (f["backlog"], f["backlog_young"], f["backlog_mature"]) == (1, 1, 0)
    days = f["days"]
    assert isinstance(days, list)
    assert days[0] == {"date": "2026-03-31", "young": 1, "mature": 0}
    assert days[2] == {"date": "2026-04-02", "young": 0, "mature": 1}
    assert days[3] == {"date": "2026-04-03", "young": 1, "mature": 0}
    assert sum(d["young"] + d["mature"] for d in days) == 3
