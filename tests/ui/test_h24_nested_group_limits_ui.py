"""`[groups.Lang]` in the TUI holds `Lang::Spanish`'s decks (attacker 22, finding 3): the home
rows and a study of everything serve the tree's limit once, the "daily limit reached" line names
Lang, and the settings screen lists Lang (only above others) with the decks its limit holds."""

from __future__ import annotations

import shutil
from pathlib import Path

from retain.core.queue import StudyQueue
from retain.ui.app import RetainApp
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.group_limits import GroupLimits

from .conftest import FIXED_NOW, OpenApp
from .test_settings import open_settings, settle, tab


def _deck(deck_id: str, group: str) -> str:
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} {i}?"\nback = "{i}"\n' for i in range(6))
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\ngroup = "{group}"\n{cards}'


def _home(retain_home: Path, decks: dict[str, str]) -> None:
    """Decks of 6 new cards (own limit 5 a day) under `[groups.Lang] new_per_day = 3`."""
    shutil.rmtree(retain_home / "decks")
    (retain_home / "decks").mkdir()
    for deck_id, group in decks.items():
        (retain_home / "decks" / f"{deck_id}.toml").write_text(_deck(deck_id, group), encoding="utf-8")
    (retain_home / "config.toml").write_text(
        "[study]\nfuzz = false\nnew_per_day = 5\nlearning_steps = []\n\n[groups.Lang]\nnew_per_day = 3\n",
        encoding="utf-8",
    )


def _rows(app: RetainApp) -> dict[str, tuple[int, int]]:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    return {r.key: (r.new, r.review) for r in screen.data.rows}


async def test_studying_everything_serves_the_lang_trees_limit_once(
    retain_home: Path, open_app: OpenApp
) -> None:
    _home(retain_home, {"basics": "Lang", "verbs": "Lang::Spanish", "nouns": "Lang::Spanish"})
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        rows = _rows(app)
        assert rows["group:Lang"] == (3, 0) and rows["group:Lang::Spanish"] == (3, 0)  # each: the tree's 3
        assert [rows[f"deck:{d}"][0] for d in ("basics", "verbs", "nouns")] == [3, 3, 3]
        await pilot.press("a")  # study everything
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.session.counts(FIXED_NOW).new == 3  # not 5 + 3 + 3
        served = 0
        while screen.session.current is not None and served < 20:
            await pilot.press("space", "3")
            served += 1
        assert served == 3
        queue = screen.session.queue
        assert isinstance(queue, StudyQueue)
        assert queue.limit_reached() == "Lang's daily limit reached (3 new)"
        await pilot.press("escape")
        await pilot.pause()
        rows = _rows(app)
        assert rows["group:Lang"] == (0, 0) and rows["group:Lang::Spanish"] == (0, 0)


async def test_the_settings_screen_lists_a_group_only_above_others_with_its_decks(
    retain_home: Path, open_app: OpenApp
) -> None:
    """It said `[groups.Lang]` was "not in the library" while its limit held both decks."""
    _home(retain_home, {"verbs": "Lang::Spanish", "nouns": "Lang::Spanish"})
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-decks")
        panel = screen.query_one(GroupLimits)
        assert [(r.label, r.table, r.decks) for r in panel.rows] == [
            ("Lang", "Lang", 2),
            ("Lang::Spanish", "Lang::Spanish", 2),
        ]
