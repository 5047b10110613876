"""The session summary's figures as the learner reads them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text

SOLO = 'format = 1\n\n[deck]\nid = "solo"\nname = "Solo"\n\n[[cards]]\nid = "only"\nfront = "Q"\nback = "A"\n'


async def test_summary_next_due_is_the_cards_state_now_not_a_step_it_left(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Again, Good, Good on one new card (graduated, due in a day): "Next due in 16h", the start of
    the study day it is due on (04:00: a review is due all its day), not the "<1m" of the first
    rating's learning step (a deck of one card: no daily limit holds any back)."""
    (retain_home / "decks" / "solo.toml").write_text(SOLO, encoding="utf-8")
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "1", "space", "3", "space", "3")
        await pilot.pause()
        state = app.collection.states["solo/only"]
        assert state.due is not None and state.due - FIXED_NOW >= timedelta(days=1)
        text = screen_text(app)
        assert "Session summary" in text
        assert "Next due  in 16h" in text, text


async def test_summary_next_due_counts_the_cards_a_daily_limit_held_back(
    retain_home: Path, open_app: OpenApp
) -> None:
    """new_per_day = 1 over a deck of five new cards: one rated Easy ends the session, and the
    other four come at the next study day (04:00, 16 h away). The summary said "Next due in
    8d", the Easy card's interval, as if nothing came before it."""
    (retain_home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 1\n", encoding="utf-8")
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "4")
        await pilot.pause()
        text = screen_text(app)
        assert "Session summary" in text
        assert "Next due  in 16h" in text, text
        assert "Limit     daily limit reached" in text, text


async def test_summary_next_due_counts_a_cloze_sibling_that_waits_for_tomorrow(open_app: OpenApp) -> None:
    """Redis c1 rated Easy (due in days) ends the session: c2 waits for the next study day as its
    sibling, so the next card comes at the rollover (04:00, 16 h away), not with c1's interval
    ("Next due in 8d" before)."""
    app = open_app(["redis"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4")
        await pilot.pause()
        text = screen_text(app)
        assert "Session summary" in text
        assert "Next due  in 16h" in text, text
        assert "daily limit" not in text, text


async def test_summary_after_esc_with_cards_still_due_says_now(open_app: OpenApp) -> None:
    """Kafka: five new cards, no limit reached. One rated Easy, then Esc: four new cards are still
    due, yet the summary said the next cards come at the rollover ("in 16h"; before that, the
    Easy card's "in 8d"). Found by the review."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4")
        await pilot.pause()
        assert app.collection.due_counts(FIXED_NOW)["kafka"].new > 0
        await pilot.press("escape")
        await pilot.pause()
        text = screen_text(app)
        assert "Session summary" in text and "Next due  now" in text, text


async def test_u_on_the_summary_undoes_the_last_rating_and_shows_its_card_again(
    retain_home: Path, open_app: OpenApp
) -> None:
    """`u` on the summary did nothing and said nothing. It undoes as on the study screen: an
    undone rating of another deck's card (newer) leaves the summary up with its figures; the
    session's own last rating brings its card back, and the session goes on."""
    from retain.store.state.progress_edits import set_suspended
    from retain.ui.screens.study import StudyScreen
    from retain.ui.screens.summary import SummaryScreen

    (retain_home / "decks" / "solo.toml").write_text(SOLO, encoding="utf-8")
    app = open_app(["solo"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "4")  # Easy: due in days, the session ends
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "u Undo" in screen_text(app)
        other = next(u.key for u in app.collection.units if u.deck_id == "kafka")
        set_suspended(app.collection, [other], True, FIXED_NOW + timedelta(seconds=1))
        await pilot.press("u")  # the newest: the suspend, of a card this session does not serve
        await pilot.pause()
        assert app.collection.states.get(other) is None  # new, not suspended
        assert isinstance(app.screen, SummaryScreen)
        assert "Studied   1 card" in screen_text(app)
        await pilot.press("u")  # the session's Easy: its card comes back
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert said[-2:] == [f"Undid suspend of {other}", "Undid Easy on solo/only"], said
        assert isinstance(app.screen, StudyScreen)
        assert app.collection.states.get("solo/only") is None  # new again
        assert "Q" in screen_text(app)
        await pilot.press("space", "3")  # the session goes on, to its summary
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)  # (its learning step, due in 10 min)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert "Studied   1 card" in screen_text(app)  # the undone Easy is not counted
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, SummaryScreen | StudyScreen)
