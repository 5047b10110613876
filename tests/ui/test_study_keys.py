"""Pilot tests for the study screen: every binding, as a person presses it."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Input

from retain.core.model import Unit
from retain.core.state import NEW
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp
from .screen import screen_text


def reviews(app) -> list[tuple[str, int]]:  # type: ignore[no-untyped-def]
    """(key, rating) of every review on disk, oldest first."""
    return [(e.key, e.rating) for e in app.collection.history() if e.kind == "review"]


def study(app) -> StudyScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen


def current_unit(screen: StudyScreen) -> Unit | None:
    """The session's card now (read afresh, not narrowed by an earlier assert)."""
    return screen.session.current


async def test_space_reveals_then_space_rates_good(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        first = study(app).session.current
        assert first is not None and first.key == "kafka/partitions"
        assert not app.screen.query_one(RatingBar).shown
        await pilot.press("space")
        assert study(app).session.phase == "back"
        assert app.screen.query_one(RatingBar).shown
        await pilot.press("space")
        assert reviews(app) == [("kafka/partitions", 3)]
        current = study(app).session.current
        assert current is not None and current.key != "kafka/partitions"


async def test_enter_reveals_then_enter_rates_good(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        assert study(app).session.phase == "back"
        await pilot.press("enter")
        assert reviews(app) == [("kafka/partitions", 3)]


async def test_keys_one_to_four_rate(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        keys = []
        for rating in ("1", "2", "3", "4"):
            keys.append(study(app).session.current.key)  # type: ignore[union-attr]
            await pilot.press(rating)  # ignored on the front
            assert study(app).session.phase == "front"
            await pilot.press("space", rating)
        assert [r for _k, r in reviews(app)] == [1, 2, 3, 4]
        assert [k for k, _r in reviews(app)] == keys


async def test_undo_with_u_and_ctrl_z_restores_the_card(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "3", "space", "1")
        second = reviews(app)[-1][0]
        await pilot.press("u")
        assert study(app).session.current.key == second  # type: ignore[union-attr]
        assert study(app).session.phase == "front"
        assert second not in app.collection.states
        await pilot.press("ctrl+z")
        assert study(app).session.current.key == "kafka/partitions"  # type: ignore[union-attr]
        assert "kafka/partitions" not in app.collection.states
        kinds = [e.kind for e in app.collection.history()]
        assert kinds == ["review", "review", "undo", "undo"]


async def test_suspend_and_bury(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("s")
        assert app.collection.states["kafka/partitions"].suspended
        buried = study(app).session.current.key  # type: ignore[union-attr]
        await pilot.press("b")
        assert app.collection.states[buried].buried_until == "2025-03-11"
        assert study(app).session.current.key not in ("kafka/partitions", buried)  # type: ignore[union-attr]
        await pilot.press("u")
        assert study(app).session.current.key == buried  # type: ignore[union-attr]
        assert buried not in app.collection.states or app.collection.states[buried].state == NEW


async def test_edit_key_opens_the_editor_and_comes_back(open_app: OpenApp) -> None:
    from retain.ui.screens.editor import EditorScreen

    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, EditorScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, StudyScreen)
        assert reviews(app) == []


async def test_escape_without_reviews_goes_home(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("escape")
        assert isinstance(app.screen, HomeScreen)


async def test_escape_after_reviews_shows_summary_then_home(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "1", "space", "3", "escape")
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.summary.studied == 2 and app.screen.summary.again == 1
        await pilot.press("enter")
        assert isinstance(app.screen, HomeScreen)


async def test_a_failed_write_keeps_the_card_and_says_so(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        app.collection.close()  # the journal can no longer be written
        await pilot.press("space", "3")
        assert study(app).session.current.key == "kafka/partitions"  # type: ignore[union-attr]
        assert study(app).session.phase == "back"
        assert any("Not saved" in str(n.message) for n in app._notifications)
        await pilot.press("s")
        assert study(app).session.current.key == "kafka/partitions"  # type: ignore[union-attr]
    assert reviews(app) == []


async def test_cards_still_queued_show_their_edited_text(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        study = app.screen
        assert isinstance(study, StudyScreen) and study.session.current is not None
        first = study.session.current.key
        path = retain_home / "decks" / "kafka.toml"
        text = path.read_text("utf-8")
        text = re.sub(r'front = ("""|")', r"front = \1EDITED ", text)
        path.write_text(text, "utf-8")
        assert app.live_reload is not None
        app.live_reload.check(settled=False)
        await pilot.pause()
        fronts: dict[str, str] = {}
        for _ in range(10):  # every card of the deck, once
            current = current_unit(study)
            if current is None:
                break
            fronts[current.key] = current.front
            await pilot.press("space", "4")  # Easy: out of today's queue
            await pilot.pause()
        assert first in fronts and len(fronts) >= 2, fronts
        assert all(front.startswith("EDITED") for front in fronts.values()), fronts


async def test_key_bar_follows_the_phase_and_the_width(open_app: OpenApp) -> None:
    from retain.ui.widgets.key_bar import KeyBar

    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 24)) as pilot:

        def bar() -> str:
            return str(app.screen.query_one(KeyBar).render())

        assert "Show answer" in bar() and "Again" not in bar()
        await pilot.press("space")
        assert "Again" in bar() and "Show answer" not in bar()
        await pilot.press("3")
        assert "Show answer" in bar() and "Undo" in bar()
        wide = bar()
        await pilot.resize_terminal(40, 24)
        await pilot.pause()
        assert len(bar()) < len(wide)  # keys dropped to fit, built again for the new width


def _drop_cards(path: Path, *ids: str) -> None:
    """Delete cards from a deck file, as an author (or the browser's `d`) does."""
    blocks = path.read_text("utf-8").split("\n[[cards]]\n")
    kept = [b for b in blocks if not any(b.startswith(f'id = "{i}"\n') for i in ids)]
    path.write_text("\n[[cards]]\n".join(kept), "utf-8")


async def test_a_card_deleted_while_studying_leaves_the_session_at_once(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The card shown and one still queued are deleted from the deck file: the session went on
    showing both and recorded ratings for cards that no longer exist."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = study(app)
        assert current_unit(screen) is not None and current_unit(screen).key == "kafka/partitions"  # type: ignore[union-attr]
        await pilot.press("space")  # the answer is shown when the deletion comes
        _drop_cards(retain_home / "decks" / "kafka.toml", "partitions", "acks")
        assert app.live_reload is not None
        app.live_reload.check(settled=False)
        await pilot.pause()
        shown = current_unit(screen)
        assert shown is not None and shown.key == "kafka/isr" and screen.session.phase == "front"
        assert not screen.query_one(RatingBar).shown  # its front, not the deleted card's back
        seen = []
        for _ in range(10):
            current = current_unit(screen)
            if current is None:
                break
            seen.append(current.key)
            await pilot.press("space", "4")
            await pilot.pause()
        assert seen == ["kafka/isr", "kafka/offsets", "kafka/retention"]
    assert {key for key, _rating in reviews(app)} == {"kafka/isr", "kafka/offsets", "kafka/retention"}


async def test_typed_answer_survives_an_outside_edit_of_its_card(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Typing the answer to a typed card, the author fixes its front on disk: the typed text was wiped."""
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"Raf")
        path = retain_home / "decks" / "consul.toml"
        path.write_text(path.read_text("utf-8").replace("Which consensus", "Which CONSENSUS"), "utf-8")
        assert app.live_reload is not None
        app.live_reload.check(settled=False)
        await pilot.pause()
        assert "CONSENSUS" in screen_text(app)
        answer = app.screen.query_one(Input)
        assert answer.value == "Raf" and answer.has_focus


async def test_revealed_typed_check_survives_an_edit_of_its_card(
    retain_home: Path, open_app: OpenApp
) -> None:
    """A wrong typed answer revealed (Again suggested); the card's text is edited on disk: the diff
    and the suggestion vanished, and Space then recorded Good for a miss."""
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"Paxos", "enter")
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen.query_one(RatingBar).suggested == 1
        path = retain_home / "decks" / "consul.toml"
        path.write_text(path.read_text("utf-8").replace("Which consensus", "Which CONSENSUS"), "utf-8")
        assert app.live_reload is not None
        app.live_reload.check(settled=False)
        await pilot.pause()
        assert "CONSENSUS" in screen_text(app)
        assert "You typed  Paxos" in screen_text(app)
        await pilot.press("space")
        assert [e.rating for e in app.collection.history()] == [1]
