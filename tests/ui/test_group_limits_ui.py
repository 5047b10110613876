"""A group's daily limit in the TUI: the home row shows it, a group session serves exactly it."""

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


async def test_a_group_session_serves_exactly_the_group_limit(retain_home: Path, open_app: OpenApp) -> None:
    shutil.rmtree(retain_home / "decks")
    (retain_home / "decks").mkdir()
    for deck_id in ("ia", "ib", "ic"):
        (retain_home / "decks" / f"{deck_id}.toml").write_text(_deck(deck_id), encoding="utf-8")
    (retain_home / "config.toml").write_text(
        "[study]\nfuzz = false\nnew_per_day = 5\nlearning_steps = []\n\n[groups.Interview]\nnew_per_day = 7\n",
        encoding="utf-8",
    )
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        assert rows["group:Interview"] == (7, 0)  # not 3 x 5
        assert [rows[f"deck:{d}"][0] for d in ("ia", "ib", "ic")] == [3, 2, 2]
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
        assert (
            isinstance(queue, StudyQueue) and queue.limit_reached()
        )  # the group's limit holds the rest back
        await pilot.press("escape")
        await pilot.pause()
        assert _rows(app)["group:Interview"] == (0, 0)
        await pilot.press("u")  # undo on the home screen: the slot comes back
        await pilot.pause()
        assert _rows(app)["group:Interview"] == (1, 0)
