"""The home screen's group row of `Lang` counts and studies what `retain review Lang` does
(attacker 23, finding 3): every deck of the tree (`core.model.decks_in_group`), under the
`[groups]` limits; `Lang::Spanish` keeps its row and its decks, the parent deck its deck row.
docs/settings.md, "Nested example"."""

from __future__ import annotations

import shutil
import threading
from datetime import UTC
from pathlib import Path

from retain.core.model import decks_named
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.stats import StatsScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.deck_table import DeckTable

from .conftest import FIXED_NOW, OpenApp
from .test_launch_summary import _gated_app, _until_ready

DECKS = {  # id -> (group, name)
    "basics": ("Lang", "Basics"),
    "verbs": ("Lang::Spanish", "Verbs"),
    "nouns": ("Lang::Spanish", "Nouns"),
}
CONFIG = (
    "[study]\nfuzz = false\nnew_per_day = 4\nlearning_steps = []\n\n"
    '[groups.Lang]\nnew_per_day = 5\n\n[groups."Lang::Spanish"]\nnew_per_day = 2\n'
)


def _deck(deck_id: str, group: str, name: str) -> str:
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} {i}?"\nback = "{i}"\n' for i in range(6))
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{name}"\ngroup = "{group}"\n{cards}'


def _home(retain_home: Path, decks: dict[str, tuple[str, str]] = DECKS) -> None:
    shutil.rmtree(retain_home / "decks")
    (retain_home / "decks").mkdir()
    for deck_id, (group, name) in decks.items():
        (retain_home / "decks" / f"{deck_id}.toml").write_text(_deck(deck_id, group, name), encoding="utf-8")
    (retain_home / "config.toml").write_text(CONFIG, encoding="utf-8")


def _counts(app: RetainApp) -> dict[str, int]:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    return {r.label: r.new for r in screen.data.rows}


async def _select(app: RetainApp, label: str) -> None:
    table = app.screen.query_one(DeckTable)
    table.cursor_row = next(i for i, r in enumerate(table._rows) if r.label == label)
    row = table.selected_row()
    assert row is not None and row.label == label


def _review_serves(group: str) -> int:
    """What `retain review GROUP` serves now: a session over the decks it names."""
    col = Collection.open(open_home(), FIXED_NOW, tz=UTC, read_only=True)
    try:
        ids = [d.id for d in decks_named(list(col.library.decks), group)]
        return col.start_session(ids, FIXED_NOW).counts(FIXED_NOW).new
    finally:
        col.close()


async def test_the_nested_example_lang_row_counts_and_serves_what_review_lang_does(
    retain_home: Path, open_app: OpenApp
) -> None:
    _home(retain_home)
    assert _review_serves("Lang") == 5 and _review_serves("Lang::Spanish") == 2
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert _counts(app) == {"Lang": 5, "Basics": 4, "Lang::Spanish": 2, "Verbs": 2, "Nouns": 2}
        await _select(app, "Lang")
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        assert screen.session.counts(FIXED_NOW).new == 5
        served: dict[str, int] = {}
        while screen.session.current is not None and sum(served.values()) < 20:
            deck = screen.session.current.deck_id
            served[deck] = served.get(deck, 0) + 1
            await pilot.press("space", "3")
        assert sum(served.values()) == 5  # the row's 5: Lang's room
        assert served.get("verbs", 0) + served.get("nouns", 0) == 2  # Lang::Spanish's room
        await pilot.press("escape")
        await pilot.pause()
        # Basics has 1 of its own 4 left, but none of Lang's room
        assert _counts(app) == {"Lang": 0, "Basics": 0, "Lang::Spanish": 0, "Verbs": 0, "Nouns": 0}


async def test_the_lang_row_s_stats_cover_the_tree_and_add_goes_to_its_own_deck(
    retain_home: Path, open_app: OpenApp
) -> None:
    _home(retain_home, {**DECKS, "spanish": ("Lang", "Spanish")})  # the parent deck in Anki
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        rows = {r.label: r for r in screen.data.rows}
        assert rows["Lang"].deck_ids == ("basics", "spanish", "nouns", "verbs")  # own decks first
        assert rows["Lang::Spanish"].deck_ids == ("nouns", "verbs", "spanish")
        assert [r.label for r in screen.data.rows] == [
            "Lang",
            "Basics",
            "Spanish",
            "Lang::Spanish",
            "Nouns",
            "Verbs",
        ]
        # Lang::Spanish's room (2) holds nouns and verbs; Spanish (the parent deck) only Lang's
        assert _counts(app)["Lang"] == 5 and _counts(app)["Lang::Spanish"] == 2
        await _select(app, "Lang")
        await pilot.press("t")
        for _ in range(50):
            await pilot.pause()
            if isinstance(app.screen, StatsScreen):
                break
        stats = app.screen
        assert isinstance(stats, StatsScreen)
        assert stats.scope.deck_ids is not None
        assert set(stats.scope.deck_ids) == {"basics", "spanish", "nouns", "verbs"}  # `retain stats Lang`


async def test_the_nested_rows_from_the_launch_summary_are_the_collections(
    retain_home: Path, open_app: OpenApp
) -> None:
    _home(retain_home, {**DECKS, "spanish": ("Lang", "Spanish")})
    expected = open_app()
    async with expected.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = expected.screen
        assert isinstance(screen, HomeScreen)
        rows = screen.data.rows
    expected.collection.close()
    gate = threading.Event()
    app, loader = _gated_app(open_home(), gate)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HomeScreen) and not app.ready
            assert screen.data.rows == rows  # painted from the summary
            lang = next(r for r in rows if r.label == "Lang")
            assert (lang.new, lang.cards) == (5, 24) and len(lang.deck_ids) == 4  # the tree
            gate.set()
            await _until_ready(app)
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HomeScreen)
            assert screen.data.rows == rows
    finally:
        gate.set()
        collection = loader.wait()
        assert collection is not None
        collection.close()
