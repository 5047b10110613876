"""Group daily limits in the study queue and in `count_due`: each deck takes its share of its
group's room, whether the group, one of its decks or everything is studied (docs/settings.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from queue_helpers import NOW, TODAY, basic, review

from retain.core.due import Counts, DayLog, count_due, shares
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


def test_shares_fill_the_room_evenly_and_keep_each_deck_in_its_own_limit() -> None:
    assert shares(7, [0, 0, 0], [5, 5, 5]) == [3, 2, 2]  # the odd one to the first deck
    assert shares(7, [0, 0, 0], [1, 5, 5]) == [1, 3, 3]  # a deck with little to give leaves its room
    assert shares(10, [6, 0, 0], [9, 5, 5]) == [0, 2, 2]  # taken today counts: 6 already used
    assert shares(5, [6, 0], [6, 5]) == [0, 0]  # over the limit already (a deck moved in)
    assert shares(30, [0, 0], [4, 5]) == [4, 5]  # room for all


def test_a_group_session_serves_the_group_limit_shared_among_its_decks() -> None:
    units, states = library({"a": 6, "b": 6, "c": 6}, {})
    groups = dict.fromkeys(DECKS, interview(new=7))
    settings_for = lambda _d: StudySettings(new_per_day=5)  # noqa: E731
    counts = count_due(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert [counts[d].new for d in DECKS] == [3, 2, 2]
    queue = build_queue(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert queue.counts(NOW).new == 7
    assert serve_all(queue, states) == {d: Counts(new=counts[d].new) for d in DECKS}
    assert queue.limit_reached()


def test_one_deck_studied_alone_takes_its_share_and_today_counts_across_the_group() -> None:
    units, states = library({"a": 6, "b": 6, "c": 6}, {})
    groups = dict.fromkeys(DECKS, interview(new=7))
    settings_for = lambda _d: StudySettings(new_per_day=5)  # noqa: E731
    log = DayLog(new_seen={"a": 3})  # a took 3 new cards earlier today
    rest = [u for u in units if u.deck_id != "b"]
    outside = count_due(rest, states, log, settings_for, NOW, TODAY)
    only_b = [u for u in units if u.deck_id == "b"]
    queue = build_queue(only_b, states, log, settings_for, NOW, TODAY, groups=groups, outside=outside)
    counts = count_due(units, states, log, settings_for, NOW, TODAY, groups=groups)
    assert [counts[d].new for d in DECKS] == [0, 2, 2]  # 7 - 3 left: shared by b and c
    assert queue.counts(NOW).new == 2
    assert serve_all(queue, states)["b"].new == 2


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


def test_the_review_limit_of_a_group_caps_due_reviews_too() -> None:
    units, states = library({}, {"a": 5, "b": 1, "c": 5})
    groups = dict.fromkeys(DECKS, interview(reviews=6))
    settings_for = lambda _d: StudySettings()  # noqa: E731
    counts = count_due(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert [counts[d].review for d in DECKS] == [3, 1, 2]
    queue = build_queue(units, states, DayLog(), settings_for, NOW, TODAY, groups=groups)
    assert serve_all(queue, states) == {d: Counts(review=counts[d].review) for d in DECKS}


limits = st.integers(0, 6)
per_deck = st.fixed_dictionaries({d: limits for d in DECKS})


@settings(max_examples=150, deadline=None)
@given(
    new=per_deck,
    due=per_deck,
    own_new=per_deck,
    own_rev=per_deck,
    used_new=per_deck,
    used_rev=per_deck,
    grouped=st.fixed_dictionaries({d: st.booleans() for d in DECKS}),
    group_new=st.none() | st.integers(0, 20),
    group_rev=st.none() | st.integers(0, 20),
    study=st.sampled_from([None, ("a",), ("b",), ("a", "c"), DECKS]),
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
    study: tuple[str, ...] | None,
) -> None:
    units, states = library(new, due)
    limit = interview(group_new, group_rev)
    groups = {d: limit for d in DECKS if grouped[d]}
    own = {d: StudySettings(new_per_day=own_new[d], reviews_per_day=own_rev[d]) for d in DECKS}
    log = DayLog(new_seen=dict(used_new), reviews_done=dict(used_rev))
    counts = count_due(units, states, log, own.__getitem__, NOW, TODAY, groups=groups)
    picked = [u for u in units if study is None or u.deck_id in study]
    rest = [u for u in units if study is not None and u.deck_id not in study and u.deck_id in groups]
    outside = count_due(rest, states, log, own.__getitem__, NOW, TODAY)
    queue = build_queue(picked, states, log, own.__getitem__, NOW, TODAY, groups=groups, outside=outside)
    shown = queue.counts(NOW)
    served = serve_all(queue, dict(states))
    wanted = [d for d in DECKS if (study is None or d in study) and d in counts]
    for d in wanted:
        assert served[d] == replace(counts[d], learning=0), d
    assert shown.new == sum(counts[d].new for d in wanted)
    assert shown.review == sum(counts[d].review for d in wanted)
    for key, cap in (("new", group_new), ("review", group_rev)):
        used = used_new if key == "new" else used_rev
        if cap is not None and groups:
            taken = sum(getattr(counts[d], key) for d in groups if d in counts)
            assert taken <= max(0, cap - sum(used[d] for d in groups))  # the group's room, never more
