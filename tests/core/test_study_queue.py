"""Study queue: order, daily limits, siblings, learn-ahead, suspended/buried, groups, due counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import NOW, TODAY, at, basic, cloze, learning, reversed_pair, review, settings_map

from retain.core.due import count_rows, due_rows
from retain.core.model import Unit
from retain.core.queue import Counts, DayLog, StudyQueue, build_queue, count_due
from retain.core.settings import StudySettings
from retain.core.state import NEW, REVIEW, CardState, Event

DAY = timedelta(days=1)


def drain(
    queue: StudyQueue, states: dict[str, CardState], rating_state: CardState | None = None
) -> list[str]:
    """Show every card once, "rating" it into a far-future review state."""
    shown: list[str] = []
    while (unit := queue.next(NOW)) is not None:
        shown.append(unit.key)
        old = states.get(unit.key)
        after = rating_state or review(timedelta(days=30))
        after = replace(after, reps=(old.reps if old else 0) + 1)
        states[unit.key] = after
        queue.apply(unit.key, after, NOW)
        assert len(shown) < 10_000
    return shown


def test_count_due_basic_rules() -> None:
    units = [basic("d", f"n{i}") for i in range(30)] + [basic("d", f"r{i}") for i in range(6)]
    states = {
        "d/r0": review(-DAY),
        "d/r1": review(-timedelta(minutes=1)),
        "d/r2": review(DAY),  # not due
        "d/r3": review(-DAY, suspended=True),
        "d/r4": review(-DAY, buried_until=(TODAY + DAY).isoformat()),
        "d/r5": review(-DAY, buried_until=TODAY.isoformat()),  # burial ended today
        "d/n0": learning(-timedelta(minutes=2)),
        "d/n1": learning(timedelta(minutes=5)),  # step not due yet
        "d/n2": CardState(suspended=True),  # suspended new card
    }
    counts = count_due(units, states, DayLog(), settings_map(), NOW, TODAY)
    assert counts == {"d": Counts(new=20, learning=1, review=3)}
    assert counts["d"].total == 24


def test_count_due_respects_day_log_and_limits() -> None:
    units = [basic("a", f"n{i}") for i in range(10)] + [basic("a", f"r{i}") for i in range(10)]
    states = {f"a/r{i}": review(-DAY) for i in range(10)}
    tight = StudySettings(new_per_day=5, reviews_per_day=8)
    log = DayLog(new_seen={"a": 3}, reviews_done={"a": 6}, notes_seen={"a/n9", "a/r9"})
    counts = count_due(units, states, log, settings_map(tight), NOW, TODAY)
    assert counts["a"] == Counts(new=2, learning=0, review=2)
    over = DayLog(new_seen={"a": 50}, reviews_done={"a": 50})
    assert count_due(units, states, over, settings_map(tight), NOW, TODAY)["a"] == Counts(0, 0, 0)


def test_count_due_counts_a_note_once() -> None:
    units = reversed_pair("d", "pair") + cloze("d", "cz", 3) + reversed_pair("d", "mixed")
    states = {"d/mixed": review(-DAY)}  # its reverse is new: the review wins, the new sibling waits
    counts = count_due(units, states, DayLog(), settings_map(), NOW, TODAY)
    assert counts["d"] == Counts(new=2, learning=0, review=1)


def test_count_due_day_end_includes_reviews_due_later_today() -> None:
    units = [basic("d", "x")]
    states = {"d/x": review(timedelta(hours=3))}
    assert count_due(units, states, DayLog(), settings_map(), NOW, TODAY)["d"].review == 0
    later = count_due(units, states, DayLog(), settings_map(), NOW, TODAY, day_end=NOW + timedelta(hours=6))
    assert later["d"].review == 1
    queue = build_queue(units, states, DayLog(), settings_map(), NOW, TODAY, day_end=NOW + timedelta(hours=6))
    assert queue.next(NOW) == units[0]


def ev(
    eid: str, key: str, before: CardState | None, minutes: float = 0, kind: str = "review", undoes: str = ""
) -> Event:
    return Event(eid, kind, key, at(minutes), after=review(DAY), before=before, rating=3, undoes=undoes)  # type: ignore[arg-type]


def test_day_log_from_events() -> None:
    events = [
        ev("0", "a/old", None, minutes=-24 * 60),  # yesterday
        ev("1", "a/x", None),
        ev("2", "a/x", learning(timedelta(0))),  # learning step: neither new nor review
        ev("3", "a/y:reverse", None),
        ev("4", "b/z", review(-DAY)),
        ev("5", "b/w", review(-DAY)),
        ev("6", "b/w", None, kind="undo", undoes="5"),
        ev("7", "a/q", CardState(state=NEW)),
    ]
    log = DayLog.from_events(events, day_start=at(-60))
    assert log.new_seen == {"a": 3}
    assert log.reviews_done == {"b": 1}
    assert log.notes_seen == {"a/x", "a/y", "b/z", "a/q"}


def test_reviews_lowest_retrievability_first() -> None:
    units = [basic("d", c) for c in ("fresh", "overdue", "weak", "notdue")]
    states = {
        "d/fresh": review(-timedelta(hours=1), stability=50),
        "d/overdue": review(-timedelta(days=40), stability=50),
        "d/weak": review(-timedelta(days=3), stability=2),
        "d/notdue": review(DAY),
    }
    shown = drain(build_queue(units, states, DayLog(), settings_map(), NOW, TODAY), states)
    assert shown == ["d/weak", "d/overdue", "d/fresh"]


def test_learning_due_comes_first_and_learn_ahead_last() -> None:
    units = [basic("d", c) for c in ("rev", "step-due", "step-soon", "step-later")]
    states = {
        "d/rev": review(-DAY),
        "d/step-due": learning(-timedelta(seconds=1)),
        "d/step-soon": learning(timedelta(minutes=15)),
        "d/step-later": learning(timedelta(minutes=45)),
    }
    queue = build_queue(units, states, DayLog(), settings_map(), NOW, TODAY, timedelta(minutes=20))
    assert queue.counts(NOW) == Counts(new=0, learning=2, review=1)
    shown = drain(queue, states)
    assert shown == ["d/step-due", "d/rev", "d/step-soon"]  # 45 min is beyond learn-ahead
    assert queue.next(NOW) is None
    assert queue.next_due_after(NOW) == NOW + timedelta(minutes=45)
    assert queue.next(NOW + timedelta(minutes=30)) == units[3]


def test_learn_ahead_avoids_repeating_the_card_just_rated() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states = {"d/a": learning(timedelta(minutes=3)), "d/b": learning(timedelta(minutes=4))}
    queue = build_queue(units, states, DayLog(), settings_map(), NOW, TODAY)
    first = queue.next(NOW)
    assert first is not None and first.key == "d/a"
    again = learning(timedelta(minutes=1))
    states["d/a"] = replace(again, reps=states["d/a"].reps + 1)
    queue.apply("d/a", states["d/a"], NOW)
    nxt = queue.next(NOW)
    assert nxt is not None and nxt.key == "d/b"


def test_new_cards_interleaved_and_limited() -> None:
    units = [basic("d", f"r{i:02d}") for i in range(12)] + [basic("d", f"n{i:02d}") for i in range(10)]
    states = {f"d/r{i:02d}": review(-DAY) for i in range(12)}
    limits = StudySettings(new_per_day=3)
    queue = build_queue(units, states, DayLog(), settings_map(limits), NOW, TODAY)
    assert queue.counts(NOW) == Counts(new=3, learning=0, review=12)
    shown = drain(queue, states)
    new_positions = [i for i, k in enumerate(shown) if "/n" in k]
    assert len(shown) == 15 and len(new_positions) == 3
    assert shown[0].startswith("d/r")  # due reviews first
    assert max(new_positions) < 14 and min(new_positions) < 5  # spread out, not bunched at the end
    assert [k for k in shown if "/n" in k] == ["d/n00", "d/n01", "d/n02"]  # deck order


def test_review_limit_and_day_log() -> None:
    units = [basic("d", f"r{i}") for i in range(10)]
    states = {f"d/r{i}": review(-DAY) for i in range(10)}
    log = DayLog(reviews_done={"d": 196})
    queue = build_queue(units, states, log, settings_map(), NOW, TODAY)
    assert len(drain(queue, states)) == 4


def test_siblings_never_on_the_same_day() -> None:
    units = reversed_pair("d", "p") + cloze("d", "c", 3) + reversed_pair("d", "seen")
    states: dict[str, CardState] = {}
    log = DayLog(notes_seen={"d/seen"})
    shown = drain(build_queue(units, states, log, settings_map(), NOW, TODAY), states)
    assert shown == ["d/p", "d/c:c1"]


def test_sibling_of_a_learning_card_still_studies_the_learning_card() -> None:
    units = reversed_pair("d", "p")
    states = {"d/p": learning(-timedelta(minutes=1)), "d/p:reverse": review(-DAY)}
    log = DayLog(notes_seen={"d/p"})  # d/p was rated earlier today
    shown = drain(build_queue(units, states, log, settings_map(), NOW, TODAY), states)
    assert shown == ["d/p"]


def test_suspended_and_buried_left_out() -> None:
    units = [basic("d", c) for c in ("s", "b", "ok", "ls")]
    states = {
        "d/s": review(-DAY, suspended=True),
        "d/b": CardState(buried_until=(TODAY + DAY).isoformat()),
        "d/ls": learning(-DAY, suspended=True),
    }
    queue = build_queue(units, states, DayLog(), settings_map(), NOW, TODAY)
    assert drain(queue, states) == ["d/ok"]


def test_group_studies_every_deck_with_its_own_settings() -> None:
    units = [basic("alpha", f"n{i}") for i in range(5)] + [basic("beta", f"n{i}") for i in range(5)]
    settings_for = settings_map(StudySettings(new_per_day=1), beta=StudySettings(new_per_day=3))
    shown = drain(build_queue(units, {}, DayLog(), settings_for, NOW, TODAY), {})
    assert sorted(shown) == ["alpha/n0", "beta/n0", "beta/n1", "beta/n2"]
    assert shown[:2] in (["alpha/n0", "beta/n0"], ["beta/n0", "alpha/n0"])  # decks take turns


def test_undo_puts_a_card_back_and_restores_the_limit() -> None:
    units = [basic("d", "a"), basic("d", "b")]
    states: dict[str, CardState] = {}
    queue = build_queue(units, states, DayLog(), settings_map(StudySettings(new_per_day=1)), NOW, TODAY)
    first = queue.next(NOW)
    assert first is not None and first.key == "d/a"
    states["d/a"] = review(timedelta(days=4), reps=1)
    queue.apply("d/a", states["d/a"], NOW)
    assert queue.next(NOW) is None and queue.counts(NOW).total == 0
    del states["d/a"]
    queue.apply("d/a", None, NOW)  # undo back to new
    assert queue.counts(NOW) == Counts(new=1, learning=0, review=0)
    back = queue.next(NOW)
    assert back is not None and back.key == "d/a"


def test_suspend_in_session_removes_card_and_count() -> None:
    units = reversed_pair("d", "p")
    queue = build_queue(units, {}, DayLog(), settings_map(), NOW, TODAY)
    assert queue.counts(NOW).new == 1
    queue.apply("d/p", CardState(suspended=True), NOW)
    assert queue.counts(NOW).new == 0 and queue.next(NOW) is None  # the sibling waits, as after a rating


def test_bury_in_session_keeps_the_siblings_apart_and_undo_brings_it_back() -> None:
    units = [*reversed_pair("d", "p"), basic("d", "q")]
    queue = build_queue(units, {}, DayLog(), settings_map(), NOW, TODAY)
    queue.apply("d/p", CardState(buried_until=(TODAY + timedelta(days=1)).isoformat()), NOW)
    assert queue.next(NOW) == units[2]  # not d/p:reverse
    queue.apply("d/p", None, NOW)  # undone
    assert queue.next(NOW) == units[0]


# -- property: the queue shows exactly what count_due promised --------------------------------

STATE_KINDS = ["new", "review-due", "review-later", "learning-due", "learning-later", "suspended", "buried"]


def make_state(kind: str, n: int) -> CardState | None:
    lag = timedelta(minutes=n + 1)
    return {
        "new": None,
        "review-due": review(-lag, stability=1.0 + n),
        "review-later": review(lag),
        "learning-due": learning(-lag),
        "learning-later": learning(timedelta(hours=2) + lag),
        "suspended": review(-lag, suspended=True),
        "buried": CardState(buried_until=(TODAY + DAY).isoformat()),
    }[kind]


@st.composite
def libraries(draw: st.DrawFn) -> tuple[list[Unit], dict[str, CardState], DayLog, dict[str, StudySettings]]:
    units: list[Unit] = []
    states: dict[str, CardState] = {}
    limits: dict[str, StudySettings] = {}
    seen: set[str] = set()
    for d in range(draw(st.integers(1, 3))):
        deck = f"deck{d}"
        limits[deck] = StudySettings(
            new_per_day=draw(st.integers(0, 4)), reviews_per_day=draw(st.integers(0, 6))
        )
        for c in range(draw(st.integers(0, 8))):
            shape = draw(st.sampled_from(["basic", "reversed", "cloze"]))
            group = (
                [basic(deck, f"c{c}")]
                if shape == "basic"
                else reversed_pair(deck, f"c{c}")
                if shape == "reversed"
                else cloze(deck, f"c{c}", draw(st.integers(1, 3)))
            )
            for u in group:
                state = make_state(draw(st.sampled_from(STATE_KINDS)), len(units))
                if state is not None:
                    states[u.key] = state
                units.append(u)
            if draw(st.booleans()) and draw(st.booleans()):
                seen.add(group[0].note_key)
    log = DayLog(new_seen={}, reviews_done={}, notes_seen=seen)
    return units, states, log, limits


@settings(max_examples=150, deadline=None)
@given(lib=libraries())
def test_queue_shows_exactly_the_due_counts(
    lib: tuple[list[Unit], dict[str, CardState], DayLog, dict[str, StudySettings]],
) -> None:
    units, states, log, limits = lib
    by_key = {u.key: u for u in units}
    original = dict(states)
    counts = count_due(units, states, log, limits.__getitem__, NOW, TODAY)
    queue = build_queue(units, states, log, limits.__getitem__, NOW, TODAY, timedelta(0))
    total = Counts(*(sum(getattr(c, f) for c in counts.values()) for f in ("new", "learning", "review")))
    assert queue.counts(NOW) == total
    shown = drain(queue, states)
    assert len(shown) == total.total
    assert len(set(shown)) == len(shown)
    notes = [
        by_key[k].note_key for k in shown if not (original.get(k) and original[k].state not in (NEW, REVIEW))
    ]
    assert len(notes) == len(set(notes))  # no two new/review siblings
    assert not set(notes) & log.notes_seen
    for key in shown:
        st = original.get(key)
        assert st is None or (not st.suspended and st.buried_until is None)
        assert st is None or st.state != REVIEW or st.due is None or st.due <= NOW
    assert queue.counts(NOW).total == 0


@settings(max_examples=150, deadline=None)
@given(lib=libraries(), later=st.integers(0, 3 * 24 * 60))
def test_count_rows_with_posix_dues_equals_count_due(
    lib: tuple[list[Unit], dict[str, CardState], DayLog, dict[str, StudySettings]], later: int
) -> None:
    """The launch summary stores dues as POSIX seconds; counting them gives the same figures."""
    units, states, log, limits = lib
    now = NOW + timedelta(minutes=later)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    rows = [
        (d, k, kind, None if due is None else (due - epoch).total_seconds(), s, b)
        for d, k, kind, due, s, b in due_rows(units, states)
    ]
    at = (now - epoch).total_seconds()
    assert count_rows(rows, log, limits.__getitem__, at, at, TODAY) == count_due(
        units, states, log, limits.__getitem__, now, TODAY
    )
