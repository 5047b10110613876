"""Untrusted card text in the real app: shown inertly, never run as markup or actions."""

from __future__ import annotations

from pathlib import Path

from retain.ui.screens.study import StudyScreen

from .conftest import OpenApp
from .decks import write_decks
from .screen import screen_text


async def test_hostile_card_is_shown_literally_and_runs_nothing(retain_home: Path, open_app: OpenApp) -> None:
    write_decks(retain_home / "decks", hostile=True)
    app = open_app(["hostile"], start_in_review=True)
    async with app.run_test(size=(120, 30)) as pilot:
        unit = app.screen.session.current  # type: ignore[attr-defined]
        assert unit is not None and "\x1b]52;c;" in unit.front  # the raw sequence really is in the card
        text = screen_text(app)
        assert "[@click=app.quit]click me[/]" in text and "[/bold]" in text
        assert "␛]52;c;aGVsbG8=␇" in text and "␛]0;pwned␇" in text
        assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
        # Clicking on the "[@click=...]" text and on the link runs nothing.
        row = next(i for i, line in enumerate(text.splitlines()) if "[@click=app.quit]" in line)
        col = text.splitlines()[row].index("[@click=app.quit]")
        await pilot.click(offset=(col + 3, row))
        assert app.is_running and isinstance(app.screen, StudyScreen)
        await pilot.press("space")
        back = screen_text(app)
        assert "link (http://evil.example/)" in back and "[@click=app.screenshot()]shot[/]" in back
        row = next(i for i, line in enumerate(back.splitlines()) if "link (http" in line)
        await pilot.click(offset=(back.splitlines()[row].index("link") + 1, row))
        await pilot.click(offset=(back.splitlines()[row].index("shot") + 1, row))
        assert app.is_running and isinstance(app.screen, StudyScreen)
        assert not list(retain_home.glob("*.svg")) and not list(Path.cwd().glob("*.svg"))
        # The deck name with a title-change sequence is inert on the home screen too.
        await pilot.press("escape")
        home = screen_text(app)
        assert "Hostile ␛]0;deck-title␇ deck" in home
