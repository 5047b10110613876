"""Snapshots of the authoring screens at 100x30 with a fixed clock, fixed decks and fixed progress.

Regenerate with `pytest tests/authoring/test_ui_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from typing import Any

from authoring_data import SIZE, OpenApp
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, Select, TextArea

from retain.ui.screens.new_deck import NewDeckScreen

SnapCompare = Any


async def _browse(pilot: Pilot[None], query: str = "") -> None:
    await pilot.press("b")
    await pilot.pause()
    pilot.app.screen.query_one(Input).value = query
    await pilot.press("enter")  # the search box has the focus on open
    await pilot.pause()


def test_browser(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(), run_before=_browse, terminal_size=SIZE)


def test_browser_search_leech_sorted(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _browse(pilot, "-is:new OR kind:cloze")
        await pilot.press(*["o"] * 8, "i", "down")  # by lapses, most first; the second row
        await pilot.pause()

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


def test_browser_sorted_by_recall(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _browse(pilot, "-is:new")
        await pilot.press(*["o"] * 7)  # by current recall, lowest first
        await pilot.pause()

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


def test_browser_bad_query(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _browse(pilot, 'deck: "unclosed')

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


def test_delete_confirmation(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _browse(pilot, "deck:redis")
        await pilot.press("d")
        await pilot.pause()

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


def test_editor_edit_card(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await _browse(pilot)
        await pilot.press("e")
        await pilot.pause(0.3)

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


def test_editor_new_cloze_preview(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press("down", "down", "c")
        await pilot.pause()
        pilot.app.screen.query_one("#form-kind", Select).value = "cloze"
        await pilot.pause()
        text = pilot.app.screen.query_one("#form-text", TextArea)
        text.focus()
        text.insert("The {{c1::leader}} handles writes; {{c2::followers::who?}} copy them.")
        pilot.app.screen.query_one("#form-tags", Input).value = "replication, basics"
        await pilot.pause(0.3)

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


def test_editor_inline_errors(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press("c")
        await pilot.pause()
        back = pilot.app.screen.query_one("#form-back", TextArea)
        back.focus()
        back.insert("An answer without a question")
        await pilot.pause(0.3)

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)


class NewDeckHost(App[None]):
    """The new-deck modal on its own (the home screen behind it is the review TUI's to snapshot)."""

    def on_mount(self) -> None:
        self.push_screen(NewDeckScreen(lambda deck: None, {"kafka"}, ["Distributed Systems"]))


def test_new_deck(snap_compare: SnapCompare) -> None:
    assert snap_compare(NewDeckHost(), press=[*"Go basics", "tab", "tab", "D"], terminal_size=SIZE)


def test_editor_typed_card_answer_check(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    async def run(pilot: Pilot[None]) -> None:
        await pilot.press("c")
        await pilot.pause()
        screen = pilot.app.screen
        screen.query_one("#form-kind", Select).value = "typed"
        await pilot.pause()
        front = screen.query_one("#form-front", TextArea)
        front.focus()
        front.insert("Follow the logs of pod `web` in namespace `prod`")
        screen.query_one("#form-back", TextArea).insert("kubectl logs -f -n prod web")
        screen.query_one("#form-match", Select).value = "command"
        await pilot.pause()
        screen.query_one("#form-aliases", Input).value = "-n = --namespace, -f = --follow"
        await pilot.pause(0.3)

    assert snap_compare(open_app(), run_before=run, terminal_size=SIZE)
