"""A group's daily limit in the TUI: the home row shows it, a group session serves exactly it, a
deck alone takes the group's room up to its own limit, and the message says which limit holds."""

from __future__ import annotations

import shutil
from pathlib import Path

from retain.core.queue import StudyQueue
from retain.ui.app import RetainApp
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen

from .conftest import FIXED_NOW, OpenApp


def _deck(deck_id: str) -> str:
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} {i}?"\nback = "{i}"\n' for i in range(6))
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.upper()}"\ngroup = "Interview"\n{cards}'


def _rows(app: RetainApp) -> dict[str, tuple[int, int]]:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    return {r.key: (r.new, r.review) for r in screen.data.rows}


def _home(retain_home: Path) -> None:
    """Three decks of 6 new cards in group Interview: own limit 5 a day, the group's 7."""
    shutil.rmtree(retain_home / "decks")
    (retain_home / "decks").mkdir()
    for deck_id in ("ia", "ib", "ic"):
        (retain_home / "decks" / f"{deck_id}.toml").write_text(_deck(deck_id), encoding="utf-8")
    (retain_home / "config.toml").write_text(
        "[study]\nfuzz = false\nnew_per_day = 5\nlearning_steps = []\n\n[groups.Interview]\nnew_per_day = 7\n",
        encoding="utf-8",
    )


async def test_a_group_session_serves_exactly_the_group_limit(retain_home: Path, open_app: OpenApp) -> None:
    _home(retain_home)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        assert rows["group:Interview"] == (7, 0)  # not 3 x 5
        assert [rows[f"deck:{d}"][0] for d in ("ia", "ib", "ic")] == [5, 5, 5]  # each alone
        await pilot.press("enter")  # the group's row is the first: study the group
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.session.counts(FIXED_NOW).new == 7
        served = 0
        while screen.session.current is not None and served < 20:
            await pilot.press("space", "3")
            served += 1
        assert served == 7
        queue = screen.session.queue
        assert isinstance(queue, StudyQueue)
        assert queue.limit_reached() == "Interview's daily limit reached (7 new)"  # the group's holds
        await pilot.press("escape")
        await pilot.pause()
        assert _rows(app)["group:Interview"] == (0, 0)
        await pilot.press("u")  # undo on the home screen: the slot comes back
        await pilot.pause()
        assert _rows(app)["group:Interview"] == (1, 0)


async def test_a_deck_alone_takes_the_room_and_the_message_names_the_limit_that_holds(
    retain_home: Path, open_app: OpenApp
) -> None:
    """From the review of f67a744: IA alone served 3 (its share) and said 'daily limit reached'
    though neither IA's 5 nor the group's 7 was reached. Now IA alone serves its own 5 (its own
    limit is what stops it), then IB alone the group's 2 left, and the message names the group."""
    _home(retain_home)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        said = []
        for deck_id, label in (("ia", "IA"), ("ib", "IB")):
            app.start_study([deck_id], label)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StudyScreen)
            served = 0
            while screen.session.current is not None and served < 10:
                await pilot.press("space", "3")
                served += 1
            await pilot.pause()
            screen._held = screen._next_day()  # (drawn only before a rating: the summary shows after)
            said.append((served, str(screen._empty_text(app.clock()))))
            app.pop_screen()
            await pilot.pause()
        (ia, ia_text), (ib, ib_text) = said
        assert ia == 5 and "Nothing due — daily limit reached; more in" in ia_text, ia_text
        assert ib == 2, ib  # the group's 7 less IA's 5
        assert "Nothing due — Interview's daily limit reached (7 new); more in" in ib_text, ib_text
