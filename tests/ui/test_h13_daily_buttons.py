"""The rating buttons of a review card never offer Hard and Good with the same interval, and
the interval a button shows is the one its rating stores (h13)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import interval_label
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import FIXED_NOW, OpenApp

SOLO = 'format = 1\n\n[deck]\nid = "solo"\nname = "Solo"\n\n[[cards]]\nid = "q"\nfront = "Q?"\nback = "A."\n'
KEY = "solo/q"
# py-fsrs alone fuzzes Hard and Good of this card both to 3 days (Easy 5)
STATE = CardState(
    state=REVIEW,
    stability=2.5,
    difficulty=8.0,
    due=FIXED_NOW,
    last_review=FIXED_NOW - timedelta(days=1),
    reps=3,
)


@pytest.fixture
def solo(retain_home: Path) -> Path:
    (retain_home / "decks" / "solo.toml").write_text(SOLO, encoding="utf-8")
    (retain_home / "config.toml").write_text("[study]\nfuzz = true\n", encoding="utf-8")
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC)
    try:
        at = STATE.last_review
        assert at is not None
        col.record(Event(col.new_event_id(at), "review", KEY, at, STATE, None, 3, 1000))
    finally:
        col.close(FIXED_NOW)
    return retain_home


@pytest.mark.parametrize("rating", [2, 3, 4])
async def test_hard_good_easy_differ_and_each_stores_what_it_showed(
    solo: Path, open_app: OpenApp, rating: int
) -> None:
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen.session.current is not None
        assert screen.session.current.key == KEY
        await pilot.press("space")
        await pilot.pause()
        shown = dict(screen.query_one(RatingBar).intervals)
        assert (shown[2], shown[3], shown[4]) == ("3d", "4d", "5d")
        await pilot.press(str(rating))
        await pilot.pause()
        after = app.collection.states[KEY]
        assert after.state == REVIEW and after.due is not None
        assert interval_label(FIXED_NOW, after.due) == shown[rating]
        assert after.due - FIXED_NOW == timedelta(days=int(shown[rating][:-1]))


def test_the_fixture_state_is_the_one_py_fsrs_alone_gives_equal_intervals() -> None:
    """Guard for the test above: py-fsrs's own fuzzed Hard and Good of this card are equal."""
    import random

    import fsrs

    from retain.core.scheduler import _Fsrs, card_int_id, fuzz_seed

    sched = _Fsrs(maximum_interval=36500)
    card = fsrs.Card(
        card_id=card_int_id(KEY),
        state=fsrs.State.Review,
        stability=STATE.stability,
        difficulty=STATE.difficulty,
        due=FIXED_NOW,
        last_review=STATE.last_review,
    )
    days = []
    for rating in (fsrs.Rating.Hard, fsrs.Rating.Good):
        sched.rng = random.Random(fuzz_seed(KEY, STATE.reps))
        result, _log = sched.review_card(card, rating, review_datetime=datetime(2025, 3, 10, 12, tzinfo=UTC))
        assert result.due is not None
        days.append((result.due - FIXED_NOW).days)
    assert days == [3, 3]
