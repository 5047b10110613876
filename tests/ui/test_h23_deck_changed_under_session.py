"""A deck file changed on disk while a session of it runs: its `id` changed (the same deck to the
learner: the session follows it), the file moved away (its cards leave), a syntax error mid-edit
(its cards stay), or its `name` changed (the card shows the new one)."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.pilot import Pilot

from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .conftest import OpenApp
from .screen import screen_text

CARDS = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}"\nback = "Answer {i}"\n' for i in (1, 2, 3))
HEAD = 'format = 1\n[deck]\nid = "t"\nname = "Old name"\n'


@pytest.fixture
def deck_t(retain_home: Path) -> Path:
    path = retain_home / "decks" / "t.toml"
    path.write_text(HEAD + CARDS, encoding="utf-8")
    return path


async def _reload(app: RetainApp, pilot: Pilot[None]) -> StudyScreen:
    assert app.live_reload is not None
    app.live_reload.check(settled=False)
    for _ in range(3):
        await pilot.pause()
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen


def _last_rated(app: RetainApp) -> str:
    return [e.key for e in app.collection.history() if e.kind == "review"][-1]


async def test_a_deck_whose_id_changed_is_studied_under_its_new_id(deck_t: Path, open_app: OpenApp) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "3")  # t/c1 Good: Question 2 is up
        deck_t.write_text(HEAD.replace('id = "t"', 'id = "t2"') + CARDS, encoding="utf-8")
        screen = await _reload(app, pilot)
        session = screen.session
        assert all(not key.startswith("t/") for key in session.units_by_key)
        current = session.current
        assert current is not None and current.key.startswith("t2/"), current
        await pilot.press("space", "4")
        assert _last_rated(app).startswith("t2/")
        assert not any(k.startswith("t/") and k in session.queue for k in ("t/c1", "t/c2", "t/c3"))


async def test_a_deck_file_moved_away_takes_its_cards_out_of_the_session(
    deck_t: Path, open_app: OpenApp, tmp_path_factory: pytest.TempPathFactory
) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "3")
        study = app.screen
        assert isinstance(study, StudyScreen)
        deck_t.rename(tmp_path_factory.mktemp("away") / "t.toml")
        assert app.live_reload is not None
        app.live_reload.check(settled=False)
        for _ in range(3):
            await pilot.pause()
        session = study.session
        assert session.current is None
        assert not any(key in session.queue for key in ("t/c1", "t/c2", "t/c3"))
        assert isinstance(app.screen, SummaryScreen)  # nothing left: the one card studied
        assert app.screen.summary.studied == 1
        await pilot.press("space", "4")
        assert _last_rated(app) == "t/c1"  # the one rating made before, nothing after


async def test_a_deck_file_with_a_syntax_error_mid_edit_keeps_its_cards(
    deck_t: Path, open_app: OpenApp
) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "3")
        deck_t.write_text(HEAD + CARDS + "\n[[cards]\n", encoding="utf-8")  # half typed
        screen = await _reload(app, pilot)
        current = screen.session.current
        assert current is not None and current.key == "t/c2"
        assert "Old name" in screen_text(app)  # (its name too, while the file does not load)
        deck_t.write_text(HEAD + CARDS, encoding="utf-8")  # saved right
        await _reload(app, pilot)
        await pilot.press("space", "4")
        assert _last_rated(app) == "t/c2"


async def test_a_deck_renamed_on_disk_shows_its_new_name(deck_t: Path, open_app: OpenApp) -> None:
    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "Old name" in screen_text(app)
        deck_t.write_text(HEAD.replace("Old name", "New name") + CARDS, encoding="utf-8")
        await _reload(app, pilot)
        assert "New name" in screen_text(app) and "Old name" not in screen_text(app)
        await pilot.press("space")
        assert "New name" in screen_text(app) and "Old name" not in screen_text(app)
        await pilot.press("3")
        assert "Question 2" in screen_text(app)
        assert "New name" in screen_text(app) and "Old name" not in screen_text(app)


async def test_a_deck_id_changed_while_the_browser_is_open_is_followed_on_the_way_back(
    deck_t: Path, open_app: OpenApp
) -> None:
    from retain.ui.authoring import open_browser
    from retain.ui.screens.browser import BrowserScreen

    app = open_app(["t"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "3")
        study = app.screen
        assert isinstance(study, StudyScreen)
        open_browser(app)
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        deck_t.write_text(HEAD.replace('id = "t"', 'id = "t2"') + CARDS, encoding="utf-8")
        assert app.live_reload is not None
        app.live_reload.check(settled=False)  # (the browser is on top: it hears of the reload)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        back: object = app.screen  # (mypy keeps the browser's narrowing of `app.screen`)
        assert back is study
        current = study.session.current
        assert current is not None and current.key.startswith("t2/"), current
        assert "Question 1" in screen_text(app)
