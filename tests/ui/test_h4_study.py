"""A daily learner's session: keys in a burst, undo at the end of a session, the summary."""

from __future__ import annotations

from pathlib import Path

from textual import events

from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .screen import screen_text


def _key(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


async def _burst(app: RetainApp, pilot: object, *keys: str) -> None:
    """Keys that arrive together (typed fast): each waits in the queue behind the one before."""
    for key in keys:
        app.post_message(_key(key))
    for _ in range(6):
        await pilot.pause()  # type: ignore[attr-defined]


def _one_new_card(home: Path) -> None:
    (home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 1\n", encoding="utf-8")


async def test_undo_typed_right_after_the_last_rating_shows_the_card_again(
    retain_home: Path, open_app: OpenApp
) -> None:
    """`4` then `u` at once on the last card: the undo brings the card back, and the session goes
    on with it (the summary, queued by the rating, no longer applies)."""
    _one_new_card(retain_home)
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await _burst(app, pilot, "4", "u")
        assert isinstance(app.screen, StudyScreen), type(app.screen).__name__
        current = app.screen.session.current
        assert current is not None and current.key == "kafka/partitions"
        assert app.screen.session.phase == "front"


async def test_a_key_behind_the_last_rating_that_brings_no_card_back_still_ends_in_the_summary(
    retain_home: Path, open_app: OpenApp
) -> None:
    """`4` then `j` (scroll) at once: nothing came back, so the summary follows the last rating."""
    _one_new_card(retain_home)
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        await _burst(app, pilot, "4", "j")
        assert isinstance(app.screen, SummaryScreen), type(app.screen).__name__
        assert app.screen.summary.studied == 1


NEW_CARD = '\n[[cards]]\nid = "added"\nfront = "Added while studying"\nback = "Yes"\n'


async def _reload(app: RetainApp, pilot: object) -> None:
    assert app.live_reload is not None
    app.live_reload.check(settled=False)
    for _ in range(3):
        await pilot.pause()  # type: ignore[attr-defined]


async def test_a_card_added_on_disk_to_an_empty_deck_comes_into_the_open_session(
    retain_home: Path, open_app: OpenApp
) -> None:
    """ "Nothing due — there are no cards here yet"; the learner writes a card into the deck file
    in an editor: the reload brings it into the session, not the same words again."""
    path = retain_home / "decks" / "empty.toml"
    path.write_text('format = 1\n[deck]\nid = "empty"\nname = "Empty"\n', encoding="utf-8")
    app = open_app(["empty"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "there are no cards here yet" in screen_text(app)
        path.write_text(path.read_text("utf-8") + NEW_CARD, encoding="utf-8")
        await _reload(app, pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        current = screen.session.current
        assert current is not None and current.key == "empty/added"
        assert "Added while studying" in screen_text(app)
        assert "New 1" in screen_text(app)
        await pilot.press("space", "4")
        assert [e.key for e in app.collection.history()] == ["empty/added"]


async def test_a_card_added_on_disk_joins_a_session_that_had_run_out(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Every new card of the deck studied (Nothing due, none held back by a limit), a card added to
    the file joins the session: the home screen counts it as new, and so does the session."""
    app = open_app(["redis"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("b")  # c1 buried, its sibling c2 waits: nothing studied, nothing left
        assert "Nothing due" in screen_text(app)
        path = retain_home / "decks" / "redis.toml"
        path.write_text(path.read_text("utf-8") + NEW_CARD, encoding="utf-8")
        await _reload(app, pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        current = screen.session.current
        assert current is not None and current.key == "redis/added"
        assert "Added while studying" in screen_text(app)


async def test_a_card_added_on_disk_while_a_card_is_shown_comes_after_it(
    retain_home: Path, open_app: OpenApp
) -> None:
    """A card added to the deck while another is on the screen: that one stays (its answer shown),
    the header counts the new one, and it comes up in turn."""
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"Raft", "enter")  # the answer shown
        path = retain_home / "decks" / "consul.toml"
        path.write_text(path.read_text("utf-8") + NEW_CARD, encoding="utf-8")
        await _reload(app, pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        session = screen.session
        assert session.current is not None and session.current.key == "consul/consensus"
        assert session.phase == "back"
        assert "New 2" in screen_text(app), screen_text(app)  # it, and the one added
        await pilot.press("4")
        assert session.current is not None and session.current.key == "consul/added"


async def test_nothing_due_says_it_again_when_a_card_added_on_disk_is_held_back(
    retain_home: Path, open_app: OpenApp
) -> None:
    """An empty deck with no new cards a day: a card written into it does not come today, and the
    screen no longer says there are no cards here."""
    (retain_home / "config.toml").write_text("[study]\nfuzz = false\nnew_per_day = 0\n", encoding="utf-8")
    path = retain_home / "decks" / "empty.toml"
    path.write_text('format = 1\n[deck]\nid = "empty"\nname = "Empty"\n', encoding="utf-8")
    app = open_app(["empty"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "there are no cards here yet" in screen_text(app)
        path.write_text(path.read_text("utf-8") + NEW_CARD, encoding="utf-8")
        await _reload(app, pilot)
        text = screen_text(app)
        assert "Nothing due" in text and "there are no cards here yet" not in text, text
