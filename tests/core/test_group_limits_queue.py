"""Group daily limits in the study queue and in `count_due`: a group's decks share one counter,
its room; a deck takes min(its own room, the group's), whether the group, one of its decks or
everything is studied, and a session over several serves at most the room (docs/settings.md)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import example, given, settings
from hypothesis import strategies as st
from queue_helpers import NOW, TODAY, basic, review

from retain.core.due import Counts, DayLog, count_due
from retain.core.model import Unit
from retain.core.queue import StudyQueue, build_queue
from retain.core.settings import GroupLimit, StudySettings
from retain.core.state import REVIEW, CardState

DECKS = ("a", "b", "c")


def library(new: dict[str, int], due: dict[str, int]) -> tuple[list[Unit], dict[str, CardState]]:
    units: list[Unit] = []
    states: dict[str, CardState] = {}
    for deck in DECKS:
        for i in range(due.get(deck, 0)):
            unit = basic(deck, f"r{i}")
            units.append(unit)
            states[unit.key] = review(-timedelta(days=1 + i), stability=5.0 + i)
        units += [basic(deck, f"n{i}") for i in range(new.get(deck, 0))]
    return units, states


def learnt(before: CardState | None) -> CardState:
    """A rating's result: a review card due in a month, one rep more."""
    reps = before.reps if before is not None else 0
    return CardState(
        state=REVIEW,
        stability=30.0,
        difficulty=5.0,
        due=NOW + timedelta(days=30),
        last_review=NOW,
        reps=reps + 1,
    )


def serve_all(queue: StudyQueue, states: dict[str, CardState]) -> dict[str, Counts]:
    """Rate every card the queue serves: (new, review) served per deck."""
    new: dict[str, int] = {}
    rev: dict[str, int] = {}
    for _ in range(1000):
        unit = queue.next(NOW)
        if unit is None:
            break
        before = states.get(unit.key)
        tally = rev if before is not None else new
        tally[unit.deck_id] = tally.get(unit.deck_id, 0) + 1
        states[unit.key] = after = learnt(before)
        queue.apply(unit.key, after, NOW)
    return {d: Counts(new=new.get(d, 0), review=rev.get(d, 0)) for d in DECKS}


def interview(new: int | None = None, reviews: int | None = None) -> GroupLimit:
    return GroupLimit("interview", "Interview", new, reviews)


def test_a_group_session_serves_the_group_room_new_cards_in_turn() -> None:
    units, states = library({"a": 6, "b": 6, "c": 6}, {})
    groups = dict.fromkeys(DECKS, interview(new=7))
    settings_for = lambda _d: StudySettings(new_per_day=5)  # noqa: E731
    counts = count_due(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert [counts[d].new for d in DECKS] == [5, 5, 5]  # each alone: min(own 5, room 7)
    assert counts.served().new == 7  # together: the group's room
    queue = build_queue(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert queue.counts(NOW).new == 7
    assert serve_all(queue, states) == {"a": Counts(new=3), "b": Counts(new=2), "c": Counts(new=2)}
    assert queue.limit_reached() == "Interview's daily limit reached (7 new)"


def test_one_deck_studied_alone_takes_the_group_room_up_to_its_own_limit() -> None:
    """The review's case: 7 new over decks of own limit 5; a deck alone takes 5 (not a share of 3),
    and what any deck of the group took today uses the group's room."""
    units, states = library({"a": 6, "b": 6, "c": 6}, {})
    groups = dict.fromkeys(DECKS, interview(new=7))
    settings_for = lambda _d: StudySettings(new_per_day=5)  # noqa: E731
    alone = build_queue(
        [u for u in units if u.deck_id == "a"], states, DayLog(), settings_for, NOW, TODAY, groups=groups
    )
    assert alone.counts(NOW).new == 5
    assert serve_all(alone, dict(states))["a"].new == 5
    assert alone.limit_reached() == "daily limit reached"  # its own limit holds, not the group's
    log = DayLog(new_seen={"a": 4})  # a took 4 new cards earlier today: the group has 3 left
    counts = count_due(units, states, log, settings_for, NOW, TODAY, groups=groups)
    assert [counts[d].new for d in DECKS] == [1, 3, 3]  # a: own 5 - 4; b, c: the group's 3
    queue = build_queue(
        [u for u in units if u.deck_id == "b"], states, log, settings_for, NOW, TODAY, groups=groups
    )
    assert queue.counts(NOW).new == 3
    assert serve_all(queue, states)["b"].new == 3
    assert queue.limit_reached() == "Interview's daily limit reached (7 new)"  # b took 3 of its 5


def test_undo_gives_the_group_slot_back() -> None:
    units, states = library({"a": 3, "b": 3}, {})
    groups = {"a": interview(new=2), "b": interview(new=2)}
    settings_for = lambda _d: StudySettings(new_per_day=5)  # noqa: E731
    queue = build_queue(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    served = []
    for _ in range(2):
        unit = queue.next(NOW)
        assert unit is not None
        served.append(unit.key)
        states[unit.key] = learnt(None)
        queue.apply(unit.key, states[unit.key], NOW)
    assert queue.next(NOW) is None and queue.counts(NOW).new == 0
    queue.apply(served[-1], None, NOW)  # undo: the card is new again
    del states[served[-1]]
    assert queue.counts(NOW).new == 1
    again = queue.next(NOW)
    assert again is not None and again.key == served[-1]


def test_a_capped_group_takes_its_reviews_most_overdue_first_across_its_decks() -> None:
    units, states = library({}, {"a": 5, "b": 1, "c": 5})  # the later a card, the more overdue
    groups = dict.fromkeys(DECKS, interview(reviews=6))
    settings_for = lambda _d: StudySettings()  # noqa: E731
    counts = count_due(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert [counts[d].review for d in DECKS] == [5, 1, 5]
    assert counts.served().review == 6
    queue = build_queue(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    order = []
    for _ in range(10):
        unit = queue.next(NOW)
        if unit is None:
            break
        order.append(unit.key)
        states[unit.key] = learnt(states[unit.key])
        queue.apply(unit.key, states[unit.key], NOW)
    # a/r4 and c/r4 are the most overdue, b's one card the least: it waits for tomorrow
    assert order == ["a/r4", "c/r4", "a/r3", "c/r3", "a/r2", "c/r2"]
    assert queue.limit_reached() == "Interview's daily limit reached (6 reviews)"


limits = st.integers(0, 6)
per_deck = st.fixed_dictionaries({d: limits for d in DECKS})
taken = st.fixed_dictionaries({d: st.integers(0, 2) for d in DECKS})  # small: the group keeps room
everywhere = dict.fromkeys(DECKS, 6)


@settings(max_examples=200, deadline=None)
@given(
    new=per_deck,
    due=per_deck,
    own_new=per_deck,
    own_rev=per_deck,
    used_new=taken,
    used_rev=taken,
    grouped=st.fixed_dictionaries({d: st.booleans() for d in DECKS}),
    group_new=st.none() | st.integers(0, 10),
    group_rev=st.none() | st.integers(0, 10),
    study=st.sampled_from(["everything", "group", ("a",), ("b",), ("a", "c")]),
)
@example(  # the review's case: 7 new over decks of own 5, studied together
    new=everywhere,
    due=everywhere,
    own_new=dict.fromkeys(DECKS, 5),
    own_rev=dict.fromkeys(DECKS, 5),
    used_new=dict.fromkeys(DECKS, 0),
    used_rev=dict.fromkeys(DECKS, 0),
    grouped=dict.fromkeys(DECKS, True),
    group_new=7,
    group_rev=8,
    study="everything",
)
def test_count_due_and_the_queue_agree_over_random_deck_and_group_limits(
    new: dict[str, int],
    due: dict[str, int],
    own_new: dict[str, int],
    own_rev: dict[str, int],
    used_new: dict[str, int],
    used_rev: dict[str, int],
    grouped: dict[str, bool],
    group_new: int | None,
    group_rev: int | None,
    study: str | tuple[str, ...],
) -> None:
    units, states = library(new, due)
    limit = interview(group_new, group_rev)
    groups = {d: limit for d in DECKS if grouped[d]}
    own = {d: StudySettings(new_per_day=own_new[d], reviews_per_day=own_rev[d]) for d in DECKS}
    log = DayLog(new_seen=dict(used_new), reviews_done=dict(used_rev))
    counts = count_due(units, states, log, own.__getitem__, NOW, TODAY, groups=groups)
    chosen = DECKS if study == "everything" else tuple(groups) if study == "group" else tuple(study)
    queue = build_queue(
        [u for u in units if u.deck_id in chosen], states, log, own.__getitem__, NOW, TODAY, groups=groups
    )
    shown = queue.counts(NOW)
    served = serve_all(queue, dict(states))
    expected = counts.served(chosen)  # what the home screen's group row, or the total, shows
    assert (shown.new, shown.review) == (expected.new, expected.review)
    assert sum(served[d].new for d in chosen) == expected.new
    assert sum(served[d].review for d in chosen) == expected.review
    for d in chosen:
        row = counts.get(d, Counts())
        assert served[d].new <= row.new and served[d].review <= row.review, d
        if len(chosen) == 1 or d not in groups:  # alone (or uncapped): its row is what it serves
            assert (served[d].new, served[d].review) == (row.new, row.review), d
    for key, cap in (("new", group_new), ("review", group_rev)):
        used = used_new if key == "new" else used_rev
        if cap is not None and groups:
            taken = sum(getattr(served[d], key) for d in groups if d in chosen)
            assert taken <= max(0, cap - sum(used[d] for d in groups))  # the group's room, never more
