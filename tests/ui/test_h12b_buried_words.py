"""What bury says for a card buried until a study day in another calendar year: the year too
("Mon 6 Dec 2027 04:00"), never a weekday and date that read as this year's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from retain.core.studyday import StudyDay
from retain.ui.screens.study import buried_until_words

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 12, 5, 10, tzinfo=UTC)


def test_a_bury_into_next_year_names_the_year() -> None:
    day = StudyDay(4, BERLIN)
    assert buried_until_words("2027-12-06", NOW, day, BERLIN) == "Mon 6 Dec 2027 04:00"
    assert buried_until_words("9999-12-31", NOW, day, BERLIN) == "Fri 31 Dec 9999 04:00"
    assert buried_until_words("2026-12-09", NOW, day, BERLIN) == "Wed 9 Dec 04:00"  # this year: none
    assert buried_until_words("2026-12-06", NOW, day, BERLIN) == "tomorrow 04:00"


@given(
    ahead=st.integers(min_value=2, max_value=4000),
    hour=st.integers(min_value=0, max_value=23),
)
def test_a_later_day_is_said_with_its_year_unless_this_years(ahead: int, hour: int) -> None:
    day = StudyDay(hour, BERLIN)
    until = day.today(NOW) + timedelta(days=ahead)
    words = buried_until_words(until.isoformat(), NOW, day, BERLIN)
    assert words is not None
    back = day.start_of(until).astimezone(BERLIN)
    if back.year != NOW.astimezone(BERLIN).year:
        assert f" {back.year} " in words
    else:
        assert str(back.year) not in words
