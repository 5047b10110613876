"""h39: the history index judges a (re)learning rating by the deck's steps, as the reference does.

After Hard on the first step a card waits longer than that step but is still on it, and Anki
logs the rating that ends the wait with the step's own length (`core.stats.first_step_after_hard`):
steps `10m 1d`, Hard at 14:16 waits 12h05m, Good at 02:30 is left out of true retention. The
index stores each step's days at the feed (`events.bdays`), derived without the decks' steps
(in worker processes on a cold build), then given them (`daily.restep`); a change of the steps
restamps every event, so an index fed under other steps has the figures of one built anew.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import make_home, open_col

from retain.commands.stats import stats_report
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import CardState, Event
from retain.core.stats import StepRule, Steps, activity_from_events
from retain.core.studyday import StudyDay
from retain.store.config import parse_config
from retain.store.index.db import connect
from retain.store.index.ingest import ingest
from retain.store.state.journal import JournalWriter

DAY = StudyDay(4, UTC)
NOW = datetime(2025, 3, 30, 12, tzinfo=UTC)
_M = timedelta(minutes=1)


def _steps(*minutes: float) -> tuple[timedelta, ...]:
    return tuple(m * _M for m in minutes)


# three decks on their own steps; "gone" has no settings of its own (the default's)
RULE = StepRule(
    Steps(_steps(1, 10), _steps(10)),
    (("alpha", Steps(_steps(10, 1440), _steps(10))), ("beta", Steps(_steps(1, 10, 60), _steps(10, 1440)))),
)
OTHER = StepRule(RULE.default, (("alpha", Steps(_steps(30, 1440), _steps(10))), RULE.decks[1]))


def _events(plan: list[tuple[str, list[tuple[int, int]]]]) -> list[Event]:
    """Each card's ratings ((minutes after the one before, rating)) through retain's scheduler
    with its deck's steps (under `RULE`), from 1 March on: what a learner's journal holds."""
    out: list[Event] = []
    for n, (key, ratings) in enumerate(plan):
        steps = RULE.for_deck(key.partition("/")[0])
        scheduler = Scheduler(
            StudySettings(learning_steps=steps.learning, relearning_steps=steps.relearning), DAY
        )
        at = datetime(2025, 3, 1, 8, tzinfo=UTC) + timedelta(minutes=7 * n, microseconds=331 + n)
        state: CardState | None = None
        for m, (gap, rating) in enumerate(ratings):
            at += gap * _M
            after = scheduler.preview(key, state, at)[rating]
            out.append(
                Event(f"aaaaaaaaaaaa-{n:09d}{m:010d}-{n}", "review", key, at, after, state, rating, 900)
            )
            state = after
    return out


def _write(root: Path, events: list[Event]) -> None:
    writer = JournalWriter(root / "state" / "devices" / "aaaaaaaaaaaa", fsync=False)
    writer.append_many(events)
    writer.close()


def _feed(root: Path, steps: StepRule | None) -> dict[str, tuple[int, int]]:
    """Feed the index at `root` (under `steps`), then its (passed, judged) per deck and "" over
    the last 30 study days, as `History.activity` sums the daily rows."""
    db, _fresh, _message = connect(root / "cache")
    try:
        ingest(db, root / "state", NOW, DAY, steps=steps)
        today = DAY.today(NOW).toordinal()
        out: dict[str, list[int]] = {"": [0, 0]}
        for deck, passed, failed in db.execute(
            "SELECT deck, young_pass + mature_pass, young_fail + mature_fail FROM daily WHERE day BETWEEN ? AND ?",
            (today - 29, today),
        ):
            for sums in (out[""], out.setdefault(deck, [0, 0])):
                sums[0] += passed
                sums[1] += passed + failed
    finally:
        db.close()
    return {deck: (p, j) for deck, (p, j) in out.items() if j or deck == ""}


def _reference(events: list[Event], steps: StepRule) -> dict[str, tuple[int, int]]:
    found = activity_from_events(events, NOW, DAY, steps=steps)
    return {deck: (a.passed, a.judged) for deck, a in found.items() if a.judged or deck == ""}


_CARDS = st.lists(
    st.tuples(
        st.sampled_from(["alpha/a", "alpha/b", "beta/a", "gone/a"]),
        st.lists(
            st.tuples(st.integers(1, 60 * 40), st.sampled_from([1, 2, 2, 3, 4])), min_size=1, max_size=10
        ),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=_CARDS)
def test_fed_restamped_and_rebuilt_the_index_counts_as_the_reference(
    tmp_path_factory: pytest.TempPathFactory, plan: list[tuple[str, list[tuple[int, int]]]]
) -> None:
    root = tmp_path_factory.mktemp("h")
    events = sorted(_events(plan), key=lambda e: e.time)
    _write(root, events[: len(events) // 2])
    _feed(root, RULE)
    _write(root, events[len(events) // 2 :])
    assert _feed(root, RULE) == _reference(events, RULE)  # fed in two parts
    assert _feed(root, OTHER) == _reference(events, OTHER)  # the steps changed: every step again
    restepped = _steps_days(root)
    shutil.rmtree(root / "cache")
    assert _feed(root, OTHER) == _reference(events, OTHER)  # built anew
    assert _steps_days(root) == restepped


def _steps_days(root: Path) -> dict[str, int | None]:
    """Each rating's days before it (`events.bdays`), by event id."""
    db, _fresh, _message = connect(root / "cache")
    try:
        return dict(db.execute("SELECT eid, bdays FROM events").fetchall())
    finally:
        db.close()


def test_hard_on_the_first_step_then_good_before_the_rollover(tmp_path: Path) -> None:
    """The repro's card (`10m 1d`: Hard 14:16, Good 02:30) is left out; with the default `1m 10m`
    Good 3 minutes before the rollover (Hard waited 5.5 minutes) too; without the steps, both
    counted, as before."""
    plan = [("alpha/a", [(376, 2), (734, 3)]), ("gone/a", [(360, 2), (830, 3)])]
    events = _events(plan)
    assert [e.time.strftime("%d %H:%M") for e in events] == ["01 14:16", "02 02:30", "01 14:07", "02 03:57"]
    _write(tmp_path, events)
    reference = _reference(events, RULE)
    assert reference[""] == (0, 0)
    assert _feed(tmp_path, None) == {"": (2, 2), "alpha": (1, 1), "gone": (1, 1)}  # (not told apart)
    assert _feed(tmp_path, RULE) == reference


def test_a_cold_build_in_workers_gets_the_steps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers derive the rows without the steps; the build gives them theirs before summing."""
    from retain.store.index import parallel

    plan = [
        (key, [(376 + n, 2), (734, 3), (30, 1), (13 * 60 + 45, 3)])
        for n in range(300)
        for key in ("alpha/a", "beta/a", "gone/a")
    ]
    events = _events(plan)
    _write(tmp_path, events)
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 8 << 10)
    monkeypatch.setattr(parallel, "workers", lambda: 1)
    assert _feed(tmp_path, RULE) == _reference(events, RULE)


# -- retain's own reviews, through the collection (the decks' settings from config.toml) ---------

_CONFIG = """[study]
learning_steps = ["10m", "1d"]
"""


def _young(root: Path, now: datetime) -> list[tuple[int, int]]:
    """Yesterday's young (pass, fail), on the index as fed, then on one rebuilt from the journals."""
    out = []
    for rebuilt in (False, True):
        if rebuilt:
            shutil.rmtree(root / "cache")
        col = open_col(make_home(root), now, read_only=True)
        try:
            spans = {s["span"]: s["young"] for s in stats_report(col, now)["retention"]["spans"]}
        finally:
            col.close(now)
        out.append((spans["yesterday"]["pass"], spans["yesterday"]["fail"]))
    return out


def test_retains_own_hard_then_good_is_left_out_fed_and_rebuilt(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(_CONFIG, encoding="utf-8")
    hard, good = (
        datetime(2025, 3, 1, 14, 16, 0, 250_000, tzinfo=UTC),
        datetime(2025, 3, 2, 2, 30, 0, 500, tzinfo=UTC),
    )
    col = open_col(make_home(tmp_path), hard)
    try:
        scheduler = Scheduler(col.settings_for("tiny"), col.studyday)
        before = scheduler.preview("tiny/one", None, hard)[2]
        assert before.due == hard + timedelta(hours=12, minutes=5)
        col.record(Event(col.new_event_id(hard), "review", "tiny/one", hard, before, None, 2, 1000))
        after = scheduler.preview("tiny/one", before, good)[3]
        col.record(Event(col.new_event_id(good), "review", "tiny/one", good, after, before, 3, 1000))
    finally:
        col.close(good)
    assert _young(tmp_path, datetime(2025, 3, 2, 12, tzinfo=UTC)) == [(0, 0), (0, 0)]


def test_new_steps_in_the_app_count_the_history_again(tmp_path: Path) -> None:
    """Steps `10m 1d` leave the Good out; saved as `5m 1d` (Hard's wait no longer theirs), the
    index counts it by its wait, as a rebuild does, at once in the open collection."""
    (tmp_path / "config.toml").write_text(_CONFIG, encoding="utf-8")
    hard, good = (
        datetime(2025, 3, 1, 14, 16, 0, 250_000, tzinfo=UTC),
        datetime(2025, 3, 2, 2, 30, 0, 500, tzinfo=UTC),
    )
    now = datetime(2025, 3, 2, 12, tzinfo=UTC)
    col = open_col(make_home(tmp_path), hard)
    try:
        scheduler = Scheduler(col.settings_for("tiny"), col.studyday)
        before = scheduler.preview("tiny/one", None, hard)[2]
        col.record(Event(col.new_event_id(hard), "review", "tiny/one", hard, before, None, 2, 1000))
        after = scheduler.preview("tiny/one", before, good)[3]
        col.record(Event(col.new_event_id(good), "review", "tiny/one", good, after, before, 3, 1000))
        assert col.history_index.activity(now)["tiny"].judged == 0
        col.use_config(parse_config('[study]\nlearning_steps = ["5m", "1d"]\n'))
        assert col.history_index.activity(now)["tiny"].judged == 1
    finally:
        col.close(good)
