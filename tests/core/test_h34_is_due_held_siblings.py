"""`is:due` leaves out the review cards a session holds back, as `retain due` and the home screen do.

A review card due today whose sibling (another cloze of the note, its reverse) is in a learning
step due later today, or was rated today, waits for another study day: the queue does not serve
it and `count_due` does not count it. The browser's `is:due` still found it (21 cards where
`retain due` said 19). `held_notes` gives those notes, and `is:due` leaves their review cards out.

The property: on any states, `is:due` finds as many learning steps as `retain due`'s Learn and as
many notes with a due review as its Due (a note's cards due together count once there: a session
shows one of them a day), deck by deck.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.due import DayLog, count_due, held_notes, last_moment, note_of
from retain.core.model import Unit
from retain.core.search import compile_query, haystack
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.store.collection import Collection
from retain.store.home import open_home

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
DAY = StudyDay(4, UTC)
UNLIMITED = StudySettings(new_per_day=10**6, reviews_per_day=10**6)


def _unit(key: str) -> Unit:
    deck, _, card = key.partition("/")
    return Unit(key, deck, card.partition(":")[0], card.partition(":")[2], "cloze", "q", "a")


def _review(due: datetime) -> CardState:
    return CardState(REVIEW, None, 10.0, 5.0, due, due - timedelta(days=10), 3, 0)


def _step(due: datetime, kind: int = RELEARNING) -> CardState:
    return CardState(kind, 0, 1.0, 5.0, due, due - timedelta(minutes=10), 4, 1)


def _is_due(
    units: list[Unit],
    states: dict[str, CardState],
    now: datetime,
    day: StudyDay,
    ahead: timedelta,
    seen: frozenset[str] = frozenset(),
) -> list[Unit]:
    """`is:due` as the browser asks it (`BrowseIndex.search`): the study day, the learn-ahead cut-off
    and the notes held back at `now`."""
    query = compile_query(
        "is:due",
        day_of=day.of,
        learn_until=lambda at: day.learn_until(at, ahead),
        held=lambda at: held_notes(units, states, day.today(at), last_moment(day.span(at)), seen),
    )
    today = day.today(now)
    return [u for u in units if query.matches(u, states.get(u.key), now, today, haystack(u))]


def _counted(
    units: list[Unit],
    states: dict[str, CardState],
    now: datetime,
    day: StudyDay,
    ahead: timedelta,
    log: DayLog,
) -> dict[str, tuple[int, int]]:
    """`retain due`'s (Learn, Due) per deck, as `Collection.due_counts` asks `count_due`."""
    span = day.span(now)
    counts = count_due(
        units,
        states,
        log,
        lambda _d: UNLIMITED,
        now,
        day.today(now),
        day_end=last_moment(span),
        learn_ahead=ahead,
        day_span=span,
    )
    return {deck: (c.learning, c.review) for deck, c in counts.items()}


def _found(units: list[Unit], found: list[Unit], states: dict[str, CardState]) -> dict[str, tuple[int, int]]:
    """(learning steps, notes with a due review) per deck among `found`."""
    out: dict[str, tuple[int, int]] = {}
    for deck in dict.fromkeys(u.deck_id for u in units):
        mine = [u for u in found if u.deck_id == deck]
        steps = sum(1 for u in mine if states[u.key].state in (LEARNING, RELEARNING))
        reviews = {note_of(u.key) for u in mine if states[u.key].state == REVIEW}
        out[deck] = (steps, len(reviews))
    return out


def test_a_review_whose_sibling_is_in_a_step_due_later_today_is_not_due() -> None:
    """The attacker's cards: c1 due today, c2 forgotten this morning and due again this evening
    (after the learn-ahead): a session shows neither now, and `retain due` counts neither."""
    units = [_unit("kafka/partitions:c1"), _unit("kafka/partitions:c2")]
    states = {
        "kafka/partitions:c1": _review(NOW - timedelta(hours=1)),
        "kafka/partitions:c2": _step(NOW + timedelta(hours=6)),
    }
    ahead = timedelta(minutes=20)
    assert _counted(units, states, NOW, DAY, ahead, DayLog()) == {"kafka": (0, 0)}
    assert _is_due(units, states, NOW, DAY, ahead) == []
    # the step is due now: it is found, and its sibling still waits
    assert _is_due(units, states, NOW + timedelta(hours=6), DAY, ahead) == [units[1]]
    # tomorrow's step holds nothing back today
    states["kafka/partitions:c2"] = _step(DAY.span(NOW)[1] + timedelta(hours=1))
    assert _is_due(units, states, NOW, DAY, ahead) == [units[0]]
    assert _counted(units, states, NOW, DAY, ahead, DayLog()) == {"kafka": (0, 1)}


def test_a_suspended_or_buried_step_holds_nothing_back() -> None:
    units = [_unit("d/n:c1"), _unit("d/n:c2")]
    for aside in ({"suspended": True}, {"buried_until": (DAY.today(NOW) + timedelta(days=1)).isoformat()}):
        states = {"d/n:c1": _review(NOW), "d/n:c2": _step(NOW + timedelta(hours=2)).with_flags(**aside)}
        assert _is_due(units, states, NOW, DAY, timedelta(0)) == [units[0]]


def test_a_review_whose_sibling_was_rated_today_is_not_due() -> None:
    units = [_unit("d/n:c1"), _unit("d/n:c2"), _unit("d/m:c1")]
    states = {key: _review(NOW - timedelta(hours=1)) for key in ("d/n:c2", "d/m:c1")}
    states["d/n:c1"] = _review(NOW + timedelta(days=5))  # rated this morning
    log = DayLog(notes_seen={"d/n"})
    assert _counted(units, states, NOW, DAY, timedelta(0), log) == {"d": (0, 1)}
    assert _is_due(units, states, NOW, DAY, timedelta(0), frozenset(log.notes_seen)) == [units[2]]


def test_held_notes_reads_no_card_never_studied() -> None:
    assert held_notes([_unit("d/n:c1")], {}, date(2026, 12, 7), NOW) == frozenset()


ZONES = [UTC, timezone(timedelta(hours=5, minutes=45)), ZoneInfo("America/New_York")]
_STATE = st.sampled_from(["none", "new", "learning", "relearning", "review"])


@st.composite
def _library(draw: st.DrawFn) -> tuple[list[Unit], dict[str, CardState], frozenset[str], datetime, StudyDay]:
    day = StudyDay(draw(st.integers(0, 23)), draw(st.sampled_from(ZONES)))
    now = NOW + timedelta(minutes=draw(st.integers(0, 60 * 24 * 3)))
    today = day.today(now)
    units: list[Unit] = []
    states: dict[str, CardState] = {}
    notes: list[str] = []
    for n in range(draw(st.integers(1, 8))):
        note = f"{draw(st.sampled_from(['a', 'b']))}/n{n}"
        notes.append(note)
        for c in range(1, draw(st.integers(1, 3)) + 1):
            key = f"{note}:c{c}"
            units.append(_unit(key))
            kind = draw(_STATE)
            if kind == "none":
                continue
            # within three days either way: today, the study days around it, their rollovers
            offset = timedelta(hours=draw(st.integers(-72, 72)), minutes=draw(st.integers(0, 59)))
            if kind == "new":
                state = CardState()
            elif kind == "review":
                state = _review(now + offset)
            else:
                state = _step(now + offset, LEARNING if kind == "learning" else RELEARNING)
            aside = draw(st.sampled_from(["", "", "", "suspended", "buried", "buried-past"]))
            if aside == "suspended":
                state = state.with_flags(suspended=True)
            elif aside:
                back = today + timedelta(days=1 if aside == "buried" else 0)
                state = state.with_flags(buried_until=back.isoformat())
            states[key] = state
    units.sort(key=lambda u: u.deck_id)  # (a deck's units together, as a library lists them)
    seen = frozenset(draw(st.lists(st.sampled_from(notes), max_size=3)))
    return units, states, seen, now, day


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_library(), st.sampled_from([0, 20, 240]))
def test_is_due_counts_as_retain_due(
    library: tuple[list[Unit], dict[str, CardState], frozenset[str], datetime, StudyDay], minutes: int
) -> None:
    units, states, seen, now, day = library
    ahead = timedelta(minutes=minutes)
    found = _is_due(units, states, now, day, ahead, seen)
    assert _found(units, found, states) == _counted(
        units, states, now, day, ahead, DayLog(notes_seen=set(seen))
    )


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(0, 10**6))
def test_is_due_counts_as_retain_due_on_studied_histories(tmp_path: Path, seed: int) -> None:
    """Real histories: two mornings of a session over the bundled decks with random ratings, then
    a few ratings today; `is:due` over the collection's own states, study day and day log."""
    home_dir = tmp_path / f"h{seed}"
    rng = random.Random(seed)
    home = open_home({"RETAIN_HOME": str(home_dir)})
    start = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
    for day, ratings in ((0, 40), (1, 40), (2, rng.randint(0, 12))):
        now = start + timedelta(days=day)
        with Collection.open(home, now, tz=UTC) as col:
            session = col.start_session(None, now)
            for _ in range(ratings):
                if session.current is None or session.phase == "done":
                    break
                session.reveal()
                session.rate(rng.choices([1, 2, 3, 4], [15, 10, 60, 15])[0], now, 4000)
                now += timedelta(seconds=20)
    now = start + timedelta(days=2, hours=rng.randint(1, 14))
    with Collection.open(home, now, tz=UTC) as col:
        ahead = timedelta(minutes=col.home.config.learn_ahead_minutes)
        states = dict(col.capped_view([u.key for u in col.units], now))
        seen = frozenset(col.day_log(now).notes_seen)
        found = _is_due(list(col.units), states, now, col.studyday, ahead, seen)
        counts = col.due_counts(now)
        learn = sum(c.learning for c in counts.values())
        due = sum(c.review for c in counts.values())
        # (the bundled decks' daily limits are not reached in these mornings)
        steps = sum(1 for u in found if states[u.key].state in (LEARNING, RELEARNING))
        notes = len({note_of(u.key) for u in found if states[u.key].state == REVIEW})
        assert (steps, notes) == (learn, due)
        assert not any(states[u.key].state == NEW for u in found)
