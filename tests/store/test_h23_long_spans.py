"""States that span decades are written and read back: a 97-year interval (`maximum_interval`
allows 36,500 days) and a last review a clock set to 1990 gave.

The journal's codec wrote any gap but read back only gaps under ~31.7 years (`l`, `du`) or
2**31 seconds (`d`), so recording such a rating raised StateError (the TUI died with a traceback,
and the card could never be rated again), and a record written with one was set aside as damaged.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from store_helpers import NOW, make_home, open_col, review_state, states_at

from retain.core.state import Event, StateError
from retain.store.state.statecodec import canonical_event, decode_record, encode_event

YEAR = timedelta(days=365)


def test_a_97_year_interval_is_recorded_and_read_back(tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = make_home(tmp_path)
    col = open_col(home)
    after = replace(review_state(NOW), due=NOW + 97 * YEAR, stability=90_000.0)
    event = col.record(Event(col.new_event_id(NOW), "review", "tiny/one", NOW, after, None, 4, 900))
    assert event.after is not None and event.after.due == NOW + 97 * YEAR
    col.close(NOW)
    assert states_at(tmp_path, NOW + timedelta(hours=1))["tiny/one"].due == NOW + 97 * YEAR


def test_a_rating_after_a_review_the_clock_dated_1990(tmp_path) -> None:  # type: ignore[no-untyped-def]
    home = make_home(tmp_path)
    then = datetime(1990, 1, 1, 9, tzinfo=UTC)
    col = open_col(home)
    first = review_state(then)
    col.record(Event(col.new_event_id(then), "review", "tiny/one", then, first, None, 3, 900))
    second = col.record(
        Event(
            col.new_event_id(NOW),
            "review",
            "tiny/one",
            NOW,
            review_state(NOW),
            col.states["tiny/one"],
            3,
            900,
        )
    )
    assert second.before is not None and second.before.last_review == then
    col.close(NOW)
    assert states_at(tmp_path, NOW + timedelta(hours=1))["tiny/one"] == review_state(NOW)
    reopened = open_col(home, NOW + timedelta(hours=1))
    try:
        assert reopened.history_index.count(NOW + timedelta(hours=1)) == 2
        assert reopened.messages == []  # no record set aside as damaged
    finally:
        reopened.close(NOW + timedelta(hours=1))


@given(
    last=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2225, 1, 1), timezones=st.just(UTC)),
    due=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2225, 1, 1), timezones=st.just(UTC)),
    at=st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
)
def test_any_dates_the_store_accepts_read_back(last: datetime, due: datetime, at: datetime) -> None:
    assume(max(last, due) <= at + 199 * YEAR)  # (beyond 200 years after its time a record is refused)
    after = replace(review_state(at), last_review=last, due=due)
    event = Event(f"x-{0:019d}-1", "review", "tiny/one", at, after, after, 3, 900)
    back = canonical_event(event)
    assert back.after is not None and (back.after.last_review, back.after.due) == (last, due)


@pytest.mark.parametrize(
    "state",
    [
        "{s=2,S=3.0,D=5.0,l=-999999999999999999999,d=1}",
        "{s=2,S=3.0,D=5.0,d=99999999999999}",
        "{s=2,S=3.0,D=5.0,l=-99999999999999999}",
    ],
)
def test_a_gap_no_date_can_hold_is_refused_in_one_line(state: str) -> None:
    good = encode_event(Event("x-1", "review", "tiny/one", NOW, review_state(NOW), None, 3, 900))
    body = good.split(b",a=")[0] + b",a=" + state.encode() + b","
    import zlib

    line = body + b'c="%08x"}\n' % zlib.crc32(body)
    with pytest.raises(StateError, match=r"^(l must be|due is out of range|l is out of range)"):
        decode_record(line, NOW, device="")


def test_a_rating_the_store_refuses_is_one_line_not_a_traceback(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A clock set before 1970: the study screen says `Not saved: ...` (it shows CollectionError),
    where a StateError ended the TUI with a traceback."""
    from retain.store.collection import CollectionError

    home = make_home(tmp_path)
    col = open_col(home)
    try:
        then = datetime(1969, 12, 31, 23, tzinfo=UTC)
        with pytest.raises(CollectionError, match=r"^event time 1969-12-31 is before 1970$"):
            col.record(
                Event(col.new_event_id(then), "review", "tiny/one", then, review_state(then), None, 3, 900)
            )
        assert "tiny/one" not in col.states
    finally:
        col.close(NOW)
