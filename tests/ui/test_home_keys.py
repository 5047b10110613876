"""Pilot tests for the home screen, help, palette, quitting, keymap, theme and read-only mode."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Static

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.paths import bundled_decks_dir
from retain.ui.screens.help import HelpScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.deck_table import DeckTable

from .conftest import FIXED_NOW, OpenApp
from .decks import write_decks
from .screen import screen_text


def rows(app) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.key for r in app.screen.data.rows]


async def test_home_groups_decks_with_counts(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)):
        assert isinstance(app.screen, HomeScreen)
        assert rows(app) == [
            "group:Distributed Systems Interview",
            "deck:kafka",
            "deck:consul",
            "deck:redis",
            "deck:spanish",
        ]
        group = app.screen.data.rows[0]
        assert (group.new, group.learning, group.review, group.cards) == (7, 0, 0, 8)
        assert app.screen.data.rows[1].new == 5


async def test_enter_and_s_study_the_selected_row(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("down", "enter")  # Apache Kafka
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.session.current.deck_id == "kafka"  # type: ignore[union-attr]
        await pilot.press("escape")
        await pilot.press("up", "s")  # the whole group
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.session.counts(FIXED_NOW).new == 7


async def test_a_studies_everything_due(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("a")
        assert isinstance(app.screen, StudyScreen)
        counts = app.screen.session.counts(FIXED_NOW)
        assert counts.new == 8  # 5 kafka + 1 consul + 1 redis + 1 spanish (siblings wait a day)


async def test_counts_refresh_after_a_session(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "3", "escape", "enter")
        assert isinstance(app.screen, HomeScreen)
        assert app.screen.data.rows[1].new == 4
        for _ in range(100):  # counted in a background thread
            if app.screen.progress is not None:
                break
            await pilot.pause(0.02)
        assert app.screen.progress == (1, 1)
        assert "Today 1 review  ·  streak 1 day" in screen_text(app)


async def test_help_opens_with_question_mark_and_f1(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("question_mark", "f1"):
            await pilot.press(key)
            assert isinstance(app.screen, HelpScreen)
            body = str(app.screen.query_one("#help-body", Static).render())
            assert "review.reveal" in body and "Show answer" in body
            await pilot.press("escape")
            assert isinstance(app.screen, HomeScreen)
        await pilot.press("f1", "q")
        assert isinstance(app.screen, HomeScreen)
        assert app.is_running


async def test_command_palette_offers_main_actions(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        titles = [c.title for c in app.get_system_commands(app.screen_stack[-2])]
        assert "Study all due" in titles and "Help" in titles and "Quit" in titles
        await pilot.press(*"study all", "enter")
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)


async def test_q_quits(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")
        assert not app.is_running


async def test_ctrl_c_quits_even_while_typing(open_app: OpenApp) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("q")  # typed into the answer field
        assert app.is_running
        await pilot.press("ctrl+c")
        assert not app.is_running


async def test_keymap_from_config_remaps_bindings(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text('[keymap]\n"review.reveal" = "r"\n"review.good" = "g"\n')
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        assert app.screen.session.phase == "front"  # type: ignore[attr-defined]
        await pilot.press("r")
        assert app.screen.session.phase == "back"  # type: ignore[attr-defined]
        await pilot.press("3")
        assert app.screen.session.phase == "back"  # type: ignore[attr-defined]
        await pilot.press("g")
        assert [e.rating for e in app.collection.history()] == [3]


async def test_unknown_keymap_id_is_reported(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text('[keymap]\n"review.nope" = "x"\n')
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()  # checked after the first paint
        assert any("review.nope" in str(n.message) for n in app._notifications)


async def test_theme_comes_from_config(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text('theme = "nord"\n')
    app = open_app()
    async with app.run_test(size=(80, 24)):
        assert app.theme == "nord"


async def test_unknown_theme_falls_back_with_a_message(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text('theme = "no-such-theme"\n')
    app = open_app()
    async with app.run_test(size=(80, 24)):
        assert app.theme == "textual-dark"
        assert any("no-such-theme" in str(n.message) for n in app._notifications)


async def test_second_instance_is_read_only_with_a_message(retain_home: Path, open_app: OpenApp) -> None:
    first = Collection.open(open_home(), FIXED_NOW)
    try:
        app = open_app()
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.collection.read_only
            messages = str(app.screen.query_one("#home-messages", Static).render())
            assert "read-only" in messages
            await pilot.press("a")
            assert isinstance(app.screen, HomeScreen)
            assert any("Read-only" in str(n.message) for n in app._notifications)
    finally:
        first.close()


async def test_broken_deck_is_listed_with_its_error(retain_home: Path, open_app: OpenApp) -> None:
    write_decks(retain_home / "decks", broken=True)
    app = open_app()
    async with app.run_test(size=(80, 24)):
        text = str(app.screen.query_one("#home-broken", Static).render())
        assert "broken.toml:" in text and "Broken decks (1)" in text
        assert "deck:kafka" in rows(app)


async def test_empty_library_explains_how_to_add_decks(retain_home: Path, open_app: OpenApp) -> None:
    for path in (retain_home / "decks").iterdir():
        path.unlink()
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        text = str(app.screen.query_one("#home-empty", Static).render())
        assert "retain add" in text and "retain import" in text and str(retain_home / "decks") in text
        assert not app.screen.query_one(DeckTable).display
        await pilot.press("a")
        assert isinstance(app.screen, HomeScreen)


async def test_bundled_decks_sit_under_their_group(
    retain_home: Path, open_app: OpenApp, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.undo()
    monkeypatch.setenv("RETAIN_HOME", str(retain_home))
    assert bundled_decks_dir() is not None
    app = open_app()
    async with app.run_test(size=(80, 24)):
        data = app.screen.data  # type: ignore[attr-defined]
        group = next(r for r in data.rows if r.key == "group:Distributed Systems Interview")
        bundled = [r for r in data.rows if r.depth == 1]
        assert len(bundled) >= 10
        assert group.cards == sum(r.cards for r in bundled)


async def test_deck_list_cursor_keys_and_mouse(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        table = app.screen.query_one(DeckTable)
        assert table.selected_row().key == "group:Distributed Systems Interview"  # type: ignore[union-attr]
        await pilot.press("end")
        assert table.selected_row().key == "deck:spanish"  # type: ignore[union-attr]
        await pilot.press("home", "down", "down")
        assert table.selected_row().key == "deck:consul"  # type: ignore[union-attr]
        await pilot.press("pagedown")
        assert table.selected_row().key == "deck:spanish"  # type: ignore[union-attr]
        await pilot.press("pageup", "up")
        assert table.selected_row().key == "group:Distributed Systems Interview"  # type: ignore[union-attr]
        await pilot.click(DeckTable, offset=(4, 2))  # header is line 0: line 2 is the second row
        assert table.selected_row().key == "deck:kafka"  # type: ignore[union-attr]
        assert isinstance(app.screen, HomeScreen)
        await pilot.click(DeckTable, offset=(4, 2))  # a click on the highlighted row studies it
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        assert app.screen.session.current.deck_id == "kafka"  # type: ignore[union-attr]


async def test_deck_list_keeps_the_cursor_in_view(retain_home: Path) -> None:
    for n in range(40):
        (retain_home / "decks" / f"extra-{n:02d}.toml").write_text(
            f'format = 1\n[deck]\nid = "extra-{n:02d}"\nname = "Extra {n:02d}"\n\n'
            f'[[cards]]\nid = "a"\nfront = "Q{n}?"\nback = "A"\n',
            encoding="utf-8",
        )
    home = open_home()
    collection = Collection.open(home, FIXED_NOW)
    from retain.ui.app import make_app

    app = make_app(collection, lambda: FIXED_NOW, config=home.config, decks_dir=home.paths.decks_dir)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            table = app.screen.query_one(DeckTable)
            await pilot.press(*["down"] * 33)  # past the group, its three decks and Extra 00..28
            assert table.selected_row().key == "deck:extra-29"  # type: ignore[union-attr]
            assert "Extra 29" in screen_text(app)
            assert "Extra 00" not in screen_text(app)  # scrolled
            assert "Deck" in screen_text(app)  # the header stays
    finally:
        collection.close()
