"""Pilot tests for custom study (each mode from home, the palette and the browser) and exam dates."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input

from retain.core.custom_study import CustomStudy
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import make_app
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.custom_study import CustomStudyScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen
from retain.ui.widgets.browse_table import BrowseTable
from retain.ui.widgets.progress_header import ProgressHeader

from .conftest import FIXED_NOW, OpenApp, fixed_clock
from .screen import screen_text


def study(app) -> StudyScreen:  # type: ignore[no-untyped-def]
    assert isinstance(app.screen, StudyScreen), type(app.screen)
    return app.screen


def events(app) -> list[tuple[str, str, int]]:  # type: ignore[no-untyped-def]
    return [(e.kind, e.key, e.rating) for e in app.collection.history(FIXED_NOW) if e.kind != "undo"]


async def fail_first_kafka_card(app, pilot) -> str:  # type: ignore[no-untyped-def]
    """From home: study Apache Kafka, rate its first card Again, go back home."""
    await pilot.press("down", "enter")
    current = study(app).session.current
    assert current is not None
    key = current.key
    await pilot.press("space", "1", "escape")
    if not isinstance(app.screen, HomeScreen):  # the summary screen
        await pilot.press("escape")
    assert isinstance(app.screen, HomeScreen)
    return key


async def test_C_then_f_studies_todays_forgotten_cards(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(90, 28)) as pilot:
        failed = await fail_first_kafka_card(app, pilot)
        await pilot.press("C")
        assert isinstance(app.screen, CustomStudyScreen)
        assert "Today's forgotten cards (1)" in screen_text(app)
        await pilot.press("f")
        screen = study(app)
        assert screen.session.mode == "Custom study · today's forgotten cards"
        assert "Custom study · today's forgotten cards" in screen_text(app)
        assert screen.query_one(ProgressHeader).mode == screen.session.mode
        assert screen.session.current is not None and screen.session.current.key == failed
        await pilot.press("space", "3")
        assert events(app)[-1] == ("review", failed, 3)


async def test_C_then_a_studies_ahead_n_days(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(90, 28)) as pilot:
        await pilot.press("down", "enter", "space", "4", "escape")  # Easy: due in days, not today
        if not isinstance(app.screen, HomeScreen):
            await pilot.press("escape")
        easy = events(app)[-1][1]
        await pilot.press("C", "a")
        assert isinstance(app.screen, CustomStudyScreen)
        await pilot.press("backspace", *"x", "enter")
        assert "a number of days from 1 to 365" in screen_text(app)
        await pilot.press("backspace", *"30", "enter")
        screen = study(app)
        assert "ahead: due in the next 30 days" in screen_text(app)
        assert screen.session.current is not None and screen.session.current.key == easy
        await pilot.press("space", "3")
        assert events(app)[-1] == ("review", easy, 3)


async def test_C_then_c_crams_the_selected_deck_without_touching_it(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(90, 28)) as pilot:
        await pilot.press("down", "C", "c")  # Apache Kafka selected
        screen = study(app)
        assert "Cram · Apache Kafka · schedule untouched" in screen_text(app)
        before = dict(app.collection.states)
        first = screen.session.current.key  # type: ignore[union-attr]
        await pilot.press("space")
        assert "repeat" in screen_text(app)  # Again brings it back in this cram; no intervals
        await pilot.press("1", "space", "3")
        assert [e[0] for e in events(app)] == ["cram", "cram"]
        assert events(app)[0] == ("cram", first, 1)
        assert dict(app.collection.states) == before  # no FSRS state changed
        await pilot.press("u")  # undo the second cram rating
        assert [e[0] for e in events(app)] == ["cram", "cram"]
        undone = [e for e in app.collection.history(FIXED_NOW) if e.kind == "undo"]
        assert len(undone) == 1
        assert dict(app.collection.states) == before


async def test_browser_S_studies_the_search_results(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("b")
        for _ in range(50):
            if isinstance(app.screen, BrowserScreen):
                break
            await pilot.pause(0.02)
        browser = app.screen
        assert isinstance(browser, BrowserScreen)
        browser.query_one("#browser-search").value = "deck:redis"  # type: ignore[attr-defined]
        browser.run_search()
        await pilot.press("down", "S")
        screen = study(app)
        assert screen.session.mode == "Custom study · search: deck:redis"
        keys = set()
        while screen.session.current is not None:
            keys.add(screen.session.current.key)
            await pilot.press("space", "4")
        assert keys == {"redis/persistence:c1", "redis/persistence:c2"}  # siblings too: it is a search


async def _browse(app, pilot, query: str) -> BrowserScreen:  # type: ignore[no-untyped-def]
    """The browser from the deck list, searched for `query`, the cursor in its table."""
    await pilot.press("b")
    for _ in range(50):
        if isinstance(app.screen, BrowserScreen):
            break
        await pilot.pause(0.02)
    browser = app.screen
    assert isinstance(browser, BrowserScreen)
    browser.query_one(Input).value = query
    await pilot.press("enter")  # the search box has the focus: search, then the table
    return browser


async def _study_all_easy(app, pilot) -> str:  # type: ignore[no-untyped-def]
    """Rate every card of the session Easy; the session summary's key bar."""
    while isinstance(app.screen, StudyScreen) and app.screen.session.current is not None:
        await pilot.press("space", "4")
    await pilot.pause()
    assert isinstance(app.screen, SummaryScreen)
    return screen_text(app).splitlines()[-1]


async def test_browser_rows_follow_the_cards_studied_with_S(open_app: OpenApp) -> None:
    """Back from `S` on `is:new`, the rows still said "new" (and `is:new` still matched the cards
    just studied) until something else refreshed the table; the summary said "Back to decks" and
    went back to the browser."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        browser = await _browse(app, pilot, "deck:redis is:new")
        assert len(browser.matches) == 2
        await pilot.press("S")
        footer = await _study_all_easy(app, pilot)
        assert "Back" in footer and "decks" not in footer, footer
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is browser
        table = browser.query_one(BrowseTable)
        assert table.row_count == 0 and browser.matches == [], "is:new still matches the cards just studied"


async def test_browser_shows_the_new_states_on_the_same_card_after_S(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        browser = await _browse(app, pilot, "deck:redis")
        await pilot.press("down")
        table = browser.query_one(BrowseTable)
        kept = table.selected_key()
        assert kept == "redis/persistence:c2"
        await pilot.press("S")
        await _study_all_easy(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is browser
        shown = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert len(shown) == 2 and not any(" new" in r for r in shown), shown
        assert table.selected_key() == kept


async def test_browser_follows_a_deck_reloaded_while_a_session_was_on_top(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The deck file changed during the session (live reload tells only the screen on top):
    back in the browser, the rows show the new text."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        browser = await _browse(app, pilot, "deck:redis")
        await pilot.press("S")
        study(app)  # the session is on top
        path = retain_home / "decks" / "redis.toml"
        path.write_text(path.read_text("utf-8").replace("Redis keeps data", "Redis holds data"), "utf-8")
        app.collection.reload_library()
        await pilot.press("escape")  # end the session
        await pilot.pause()
        if app.screen is not browser:
            await pilot.press("enter")  # the summary
            await pilot.pause()
        assert app.screen is browser
        table = browser.query_one(BrowseTable)
        shown = [" ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]
        assert len(shown) == 2 and all("Redis holds data" in r for r in shown), shown


async def test_palette_offers_each_mode(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(90, 28)) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        titles = [c.title for c in app.get_system_commands(app.screen_stack[-2])]
        for title in ("Custom study…", "Study ahead", "Study today's forgotten cards", "Cram selected deck"):
            assert title in titles
        await pilot.press(*"cram selected", "enter")
        await pilot.pause()
        assert "Cram · Distributed Systems Interview" in study(app).session.mode  # the group row


async def test_retain_review_query_opens_straight_into_the_search(retain_home: Path) -> None:
    home = open_home()
    collection = Collection.open(home, FIXED_NOW)
    try:
        app = make_app(
            collection,
            fixed_clock,
            config=home.config,
            start_in_review=True,
            custom=CustomStudy("search", query="kind:typed"),
        )
        async with app.run_test(size=(90, 28)):
            screen = study(app)
            assert screen.session.current is not None and screen.session.current.key == "consul/consensus"
            assert "Custom study · search: kind:typed" in screen_text(app)
    finally:
        collection.close()


async def test_an_empty_custom_study_says_so_and_stays_home(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(90, 28)) as pilot:
        await pilot.press("C", "f")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        assert any("no cards to study" in str(n.message) for n in app._notifications)


async def test_home_shows_the_exam_forecast(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text(
        '[study]\nfuzz = false\n\n[exam."Distributed Systems Interview"]\ndate = 2025-03-24\nrecall = 0.9\n'
    )
    app = open_app()
    async with app.run_test(size=(100, 28)):
        text = screen_text(app)
        assert "Distributed Systems Interview: exam in 14 days · predicted recall 0.00 → 0.90 if you" in text


async def test_the_forgotten_count_leaves_out_a_card_suspended_since(open_app: OpenApp) -> None:
    """The chooser said "Today's forgotten cards (1)" for a card suspended after it was failed,
    then the session had nothing to show."""
    from retain.store.state.progress_edits import set_suspended

    app = open_app()
    async with app.run_test(size=(90, 28)) as pilot:
        failed = await fail_first_kafka_card(app, pilot)
        set_suspended(app.collection, [failed], True, FIXED_NOW)
        await pilot.press("C")
        assert isinstance(app.screen, CustomStudyScreen)
        assert "Today's forgotten cards (0)" in screen_text(app)


async def test_a_bad_search_in_the_chooser_is_said_under_the_box_and_kept(open_app: OpenApp) -> None:
    """A search that cannot be read closed the dialog (a notification), and what was typed was
    gone; it is said under the box, as a bad number of days is, with the search kept to mend."""
    from textual.widgets import Static

    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("C", "s")
        app.screen.query_one(Input).value = 'tag:x is:bogus "a phrase"'
        await pilot.press("enter")
        assert isinstance(app.screen, CustomStudyScreen)
        assert app.screen.query_one(Input).value == 'tag:x is:bogus "a phrase"'
        assert "✗ is:bogus is unknown" in str(app.screen.query_one("#custom-error", Static).render())
        app.screen.query_one(Input).value = "is:new"
        await pilot.press("enter")
        assert study(app).session.mode == "Custom study · search: is:new"
