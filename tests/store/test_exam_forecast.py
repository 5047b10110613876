"""The home screen's exam forecast over real collections: a group's decks on their own presets
and limits, the group's name, the new cards today already took (`store.exams.exam_lines`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import fsrs
import pytest

from retain.core.exam import ExamPlan
from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.exams import capped_states, exam_lines, exam_plans
from retain.store.home import open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def _deck(deck_id: str, n: int, group: str = "G") -> str:
    cards = "\n".join(f'[[cards]]\nid = "c{i}"\nfront = "Q {deck_id} {i}"\nback = "A{i}"\n' for i in range(n))
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "Deck {deck_id}"\ngroup = "{group}"\n\n{cards}'


def _collection(
    root: Path, monkeypatch: pytest.MonkeyPatch, decks: dict[str, int], config: str
) -> Collection:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (root / "decks").mkdir(parents=True)
    for deck_id, n in decks.items():
        (root / "decks" / f"{deck_id}.toml").write_text(_deck(deck_id, n), encoding="utf-8")
    (root / "config.toml").write_text(config, encoding="utf-8")
    return Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=UTC)


def _learnt(col: Collection, key: str, stability: float) -> None:
    at = NOW - timedelta(days=1)
    state = CardState(REVIEW, None, stability, 5.0, at + timedelta(days=stability), at, 2, 0)
    col.record(Event(col.new_event_id(at), "review", key, at, state, None, 3, 1000))


def test_group_forecast_uses_each_decks_own_forgetting_curve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    steep = list(fsrs.scheduler.DEFAULT_PARAMETERS)
    steep[20] = 0.8
    col = _collection(
        tmp_path,
        monkeypatch,
        {"a": 1, "b": 1},
        f'[presets.steep]\nparameters = {steep}\n[decks.b]\npreset = "steep"\n[exam.G]\ndate = 2026-04-27\n',
    )
    _learnt(col, "a/c0", 10.0)
    _learnt(col, "b/c0", 10.0)
    plans = exam_plans(col, NOW)
    assert plans["a"].decay != plans["b"].decay
    moment = plans["a"].moment
    expected = (
        sum(ExamPlan(moment, 0.9, plans[d].decay).retrievability(col.states[f"{d}/c0"]) for d in ("a", "b"))
        / 2
    )
    assert exam_lines(col, NOW) == [
        f"G: exam in 30 days · predicted recall {expected:.2f} → 0.90 if you keep up"
    ]
    col.close()


def test_group_forecast_learns_only_the_new_cards_each_decks_limit_allows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # deck a: 4 new cards and no new cards a day; deck b: 20 a day, every card learnt
    col = _collection(
        tmp_path,
        monkeypatch,
        {"a": 4, "b": 4},
        "[study]\nnew_per_day = 0\n[decks.b]\nnew_per_day = 20\n[exam.G]\ndate = 2026-04-07\n",
    )
    for i in range(4):
        _learnt(col, f"b/c{i}", 30.0)
    plan = exam_plans(col, NOW)["b"]
    b_recall = plan.retrievability(col.states["b/c0"])
    predicted = 4 * b_recall / 8  # a's new cards count 0, and cannot be learnt before the exam
    assert exam_lines(col, NOW) == [
        f"G: exam in 10 days · predicted recall {predicted:.2f} → {predicted:.2f} if you keep up"
    ]
    col.close()


def test_group_exam_line_names_the_group_as_the_home_screen_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = _collection(tmp_path, monkeypatch, {"a": 1}, '[exam." g "]\ndate = 2026-04-07\n')
    assert [line.split(":")[0] for line in exam_lines(col, NOW)] == ["G"]
    col.close()


def test_forecast_knows_todays_new_cards_are_already_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # exam tomorrow, 2 new cards a day, both taken today: the 2 cards left cannot be learnt before it
    col = _collection(
        tmp_path, monkeypatch, {"a": 4}, "[study]\nnew_per_day = 2\n[exam.a]\ndate = 2026-03-29\n"
    )
    at = NOW - timedelta(hours=1)
    for i in range(2):
        state = CardState(REVIEW, None, 30.0, 5.0, at + timedelta(days=30), at, 1, 0)
        col.record(Event(col.new_event_id(at), "review", f"a/c{i}", at, state, None, 3, 1000))
    plan = exam_plans(col, NOW)["a"]
    recall = plan.retrievability(col.states["a/c0"])
    assert recall > 0.9
    assert col.due_counts(NOW)["a"].new == 0  # the day's limit is used up
    mean = 2 * recall / 4
    assert exam_lines(col, NOW) == [
        f"Deck a: exam in 1 day · predicted recall {mean:.2f} → {mean:.2f} if you keep up"
    ]
    col.close()


@pytest.mark.parametrize("offset", [-12, 0, 14])
@pytest.mark.parametrize("rollover", [0, 23])
def test_an_exam_on_the_last_date_there_is_works_in_every_zone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, offset: int, rollover: int
) -> None:
    """`date = 9999-12-31` west of UTC with a late rollover hour: its study day starts past year
    9999 in UTC, and `retain due`, `stats` and the home screen stopped with an OverflowError."""
    from datetime import timezone

    from retain.core.custom_study import CustomStudy
    from retain.store.custom_session import custom_units

    config = f"rollover_hour = {rollover}\n[exam]\na = 9999-12-31\n"
    _collection(tmp_path, monkeypatch, {"a": 3}, config).close()
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    col = Collection.open(home, NOW, tz=timezone(timedelta(hours=offset)))
    try:
        _learnt(col, "a/c0", 2.0)
        assert col.due_counts(NOW)["a"].new == 2
        assert exam_plans(col, NOW)["a"].active(NOW)
        assert exam_lines(col, NOW)[0].startswith("Deck a: exam in ")
        assert [u.key for u in custom_units(col, CustomStudy("ahead", days=3), NOW)] == ["a/c0"]
    finally:
        col.close()


def test_a_deck_exam_that_has_passed_leaves_the_deck_to_its_groups_exam_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """[exam.a] was last week, [exam.G] (a's group) is in 30 days: a's cards are capped for the
    group's exam and counted in its home line (the passed entry shadowed the group's)."""
    col = _collection(
        tmp_path, monkeypatch, {"a": 1, "b": 1}, "[exam.a]\ndate = 2026-03-20\n[exam.G]\ndate = 2026-04-27\n"
    )
    _learnt(col, "a/c0", 3.0)
    _learnt(col, "b/c0", 3.0)
    plans = exam_plans(col, NOW)
    assert set(plans) == {"a", "b"}
    capped = capped_states(col.states, col.units, plans, NOW)
    a_due, b_due, uncapped = capped["a/c0"].due, capped["b/c0"].due, col.states["a/c0"].due
    assert a_due is not None and b_due is not None and uncapped is not None
    assert a_due == b_due < uncapped
    lines = exam_lines(col, NOW)
    assert len(lines) == 1 and lines[0].startswith("G: exam in 30 days"), lines
    col.close()


def test_the_home_line_on_the_exam_day_promises_nothing_more(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At noon on the exam day (it began at the 4:00 rollover) the line says the prediction only:
    no new card or capped review counts toward it any more."""
    col = _collection(tmp_path, monkeypatch, {"a": 4}, "[exam.a]\ndate = 2026-03-28\n")
    try:
        _learnt(col, "a/c0", 3.0)
        assert exam_plans(col, NOW) == {}
        [line] = exam_lines(col, NOW)
        assert line.startswith("Deck a: exam today · predicted recall 0.2") and "keep up" not in line, line
    finally:
        col.close()
