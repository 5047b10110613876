"""What happens between a key and the next card's paint on the study screen, and what waits until after.

The garbage collector runs after the paint, not inside a key's handling
(`ui.gc_defer`); the back of the shown card is rendered ahead, and is exactly
what the reveal would have rendered; the rating bar is blank, not invisible,
before the reveal (no new layout of the screen).
"""

from __future__ import annotations

import gc
from typing import Any

from rich.console import Group
from textual.app import App
from textual.screen import Screen
from textual.visual import RenderOptions, RichVisual
from textual.widgets import Static

from retain.core.mediaref import MediaRef
from retain.ui.gc_defer import DeferredGC
from retain.ui.screens.help import HelpScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.card_view import CardView
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp


def study(app: App[None]) -> StudyScreen:
    screen = app.screen
    assert isinstance(screen, StudyScreen)
    return screen


def collector_on() -> bool:
    return gc.isenabled()


def is_held(deferred: DeferredGC) -> bool:
    return deferred.held


def is_shown(bar: RatingBar) -> bool:
    return bar.shown


def test_deferred_gc_takes_only_what_it_was_given() -> None:
    was_on = gc.isenabled()
    try:
        gc.enable()
        held = DeferredGC()
        held.hold()
        assert not collector_on()
        assert held.held
        held.release()
        assert collector_on()
        assert not is_held(held)
        gc.disable()  # someone else turned it off (start-up does): hold and release leave it off
        other = DeferredGC()
        other.hold()
        other.release()
        assert not gc.isenabled()
        assert other.collect_due() is None  # not held: the automatic collector's business
    finally:
        (gc.enable if was_on else gc.disable)()


def test_collect_due_collects_the_generation_over_its_threshold() -> None:
    was_on = gc.isenabled()
    held = DeferredGC()
    try:
        gc.enable()
        gc.collect()
        held.hold()
        junk: list[list[object]] = [
            [] for _ in range(gc.get_threshold()[0] * 2)
        ]  # tracked objects: generation 0 fills
        assert gc.get_count()[0] > gc.get_threshold()[0]
        assert held.collect_due() is not None
        assert gc.get_count()[0] < gc.get_threshold()[0]
        del junk
    finally:
        held.release()
        (gc.enable if was_on else gc.disable)()


async def test_no_collection_between_a_key_and_its_paint(open_app: OpenApp, monkeypatch: Any) -> None:
    """Many objects made while rating (as a big session does): collections happen only after the paint."""
    app = open_app(["kafka", "consul"], start_in_review=True)
    kept: list[object] = []
    inside_key = [False]
    collections: list[bool] = []  # for each collection: was it inside a key's handling?
    rate = StudyScreen.action_rate

    def busy_rate(self: StudyScreen, rating: int) -> None:
        inside_key[0] = True
        kept.extend([] for _ in range(3000))  # past generation 0's threshold, every key
        rate(self, rating)

    display = App._display

    def painted(self: App[None], screen: Screen[object], update: Any) -> None:
        display(self, screen, update)
        inside_key[0] = False

    def seen(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(inside_key[0])

    monkeypatch.setattr(StudyScreen, "action_rate", busy_rate)
    monkeypatch.setattr(App, "_display", painted)
    gc.callbacks.append(seen)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(4):
                await pilot.press("enter", "3")  # Enter reveals a basic card and checks a typed one
                await pilot.pause()
            assert not gc.isenabled()  # the study screen is up: collections wait for paints
            assert len(kept) == 4 * 3000
            await pilot.press("question_mark")
            assert isinstance(app.screen, HelpScreen)
            assert gc.isenabled()  # another screen on top: the automatic collector again
            await pilot.press("escape")
            assert isinstance(app.screen, StudyScreen) and not gc.isenabled()
    finally:
        gc.callbacks.remove(seen)
        gc.enable()
    assert collections, "the objects made must have been collected at some point"
    assert not any(collections), "a collection ran between a key and the next card's paint"


async def test_the_back_rendered_ahead_is_the_back_the_reveal_shows(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        view = app.screen.query_one(CardView)
        unit = study(app).session.current
        assert unit is not None
        prepared = [r for key, r in view._renders.items() if key[0] == "back"]
        assert len(prepared) == 1, "the back is rendered once the front is painted"
        await pilot.press("space")
        card = view.query_one("#card", Static)
        assert card.visual is prepared[0], "the reveal drew the lines rendered ahead"
        width = card.content_size.width
        deck = study(app)._deck_names.get(unit.deck_id, unit.deck_id)
        parts = [p for p in view._back_parts(unit, deck, None) if not isinstance(p, MediaRef)]
        options = RenderOptions(card._get_style, card.styles)  # type: ignore[arg-type]
        fresh = RichVisual(card, Group(*parts)).render_strips(width, None, card.visual_style, options)
        ahead = prepared[0].lines(width, card.visual_style)
        assert [list(s) for s in ahead] == [list(s) for s in fresh]  # the lines Textual would draw
        assert "Ordering holds only within one partition." in "\n".join(s.text for s in ahead)


async def test_rating_bar_is_blank_before_the_reveal_without_a_new_layout(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one(RatingBar)
        assert not is_shown(bar) and bar.visible and bar.display
        assert bar.render().plain.strip() == ""
        await pilot.press("space")
        assert is_shown(bar) and "Again" in bar.render().plain
        await bar.run_action("pick(3)")  # a click on Good after the reveal rates
        await pilot.pause()
        assert study(app).session.summary().studied == 1
        assert not is_shown(bar)
        await bar.run_action("pick(3)")  # a click on the blank bar does nothing
        await pilot.pause()
        assert study(app).session.summary().studied == 1


async def test_key_bar_draws_each_of_its_bars_once(open_app: OpenApp, monkeypatch: Any) -> None:
    """The study screen alternates two key bars (question, answer): after the first card neither is drawn again."""
    from textual.content import Content

    from retain.ui.widgets.key_bar import KeyBar

    drawn: list[str] = []
    render_strips = Content.render_strips

    def counting(self: Content, *args: Any, **kwargs: Any) -> Any:
        if any(self is built.content for built in bar._built.values()):
            drawn.append(self.plain)
        return render_strips(self, *args, **kwargs)

    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        bar = app.screen.query_one(KeyBar)
        monkeypatch.setattr(Content, "render_strips", counting)
        for _ in range(2):  # each bar drawn once (after the first rating the answer's bar has Undo)
            await pilot.press("space", "3")
            await pilot.pause()
        first = len(drawn)
        assert first >= 1
        for _ in range(2):
            await pilot.press("space")
            await pilot.pause()
            assert "Again" in str(bar.render())
            await pilot.press("3")
            await pilot.pause()
            assert "Show answer" in str(bar.render())
        assert len(drawn) == first
