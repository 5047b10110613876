"""The editor refuses a card that gives no review unit, as `retain add` does.

A cloze card with no closed `{{c1::...}}` expands into no review unit: saved, it was in the deck
file but never listed in the browser nor shown in a session. The editor rated its "no
deletions" a warning and saved it; `retain add` refused the same card ("not added"). Now the
editor says why as an error (✗), keeps the form and writes nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from authoring_data import KAFKA, REDIS, SIZE, OpenApp
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input, Select, Static, TextArea

from retain.core.cardcheck import check_card
from retain.core.model import Card, Deck
from retain.core.units import expand_card
from retain.ui.screens.browser import BrowserScreen
from retain.ui.screens.editor import EditorScreen
from retain.ui.screens.home import HomeScreen

NO_DELETIONS = "the cloze card has no {{c1::...}} deletions"


def screen_text(app: object) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())  # type: ignore[attr-defined]


def area(app: object, name: str) -> TextArea:
    return app.screen.query_one(f"#form-{name}", TextArea)  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(
    "text",
    [
        "Plain sentence without deletions",
        "Never closed {{c1::answer",
        "Number zero {{c0::answer}}",
        "Capital {{C1::answer}}",
    ],
)
async def test_new_cloze_card_without_a_deletion_is_not_saved(
    retain_home: Path, open_app: OpenApp, text: str
) -> None:
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("c")  # a new card in the selected deck (kafka)
        await pilot.pause()
        editor = app.screen
        assert isinstance(editor, EditorScreen)
        editor.query_one("#form-kind", Select).value = "cloze"
        await pilot.pause()
        area(app, "text").focus()
        area(app, "text").insert(text)
        await pilot.pause()
        shown = screen_text(app)
        assert f"✗ {NO_DELETIONS}" in shown  # an error, not a warning
        assert f"⚠ {NO_DELETIONS}" not in shown
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)  # kept, to fix
        assert [n.message for n in app._notifications][-1].startswith(NO_DELETIONS)
        assert not any(n.message.startswith("Saved ") for n in app._notifications)
        area(app, "text").insert("{{c1::Fixed}} ", (0, 0))  # with a deletion it saves
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    saved = (retain_home / "decks" / "kafka.toml").read_text("utf-8")
    assert saved.startswith(KAFKA) and saved.count("[[cards]]") == KAFKA.count("[[cards]]") + 1
    assert "{{c1::Fixed}}" in saved


async def test_editing_a_cloze_card_to_lose_its_deletions_is_not_saved(
    retain_home: Path, open_app: OpenApp
) -> None:
    """An existing card (with progress) edited so that it gives no unit would lose every unit."""
    path = retain_home / "decks" / "redis.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, BrowserScreen)
        app.screen.query_one(Input).value = "deck:redis"
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen) and not app.screen.is_new
        text = area(app, "text")
        text.focus()
        text.select_all()
        text.replace("Redis keeps data in memory.", *text.selection)
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)
        problems = str(app.screen.query_one("#editor-problems", Static).render())
        assert problems == "✗ " + NO_DELETIONS.replace("the cloze card", "cloze card 'persistence'")
    assert path.read_text("utf-8") == REDIS


# Cloze texts built of pieces that make, or nearly make, a deletion.
_PIECES = st.sampled_from(["{{c1::", "{{c2::", "{{c0::", "{{C1::", "}}", "::", "a", " ", "`", "{{", "x}"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, min_size=1, max_size=10).map("".join))
def test_the_editor_saves_a_cloze_card_only_when_it_gives_a_review_unit(text: str) -> None:
    deck = Deck(id="kafka", name="Kafka")
    check = check_card(deck, Card(id="", kind="cloze", text=text))
    if check.ok:
        assert check.units and check.units == expand_card(deck, Card(id="new-card", kind="cloze", text=text))
    else:
        assert check.errors and not check.units


@pytest.mark.parametrize("kind", ["basic", "reversed", "typed"])
def test_other_kinds_always_give_a_unit_when_they_check_ok(kind: str) -> None:
    check = check_card(Deck(id="d", name="d"), Card(id="", kind=kind, front="Q", back="A"))  # type: ignore[arg-type]
    assert check.ok and check.units


def _add(home: Path, text: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    args = ["add", "--deck", "d", "--new-deck", "--kind", "cloze", "--front", text]
    return subprocess.run([sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize(
    "text",
    ["Plain sentence", "Never closed {{c1::x", "Zero {{c0::x}}", "Good {{c1::x}}", "One {{c1::x}} {{c2::y"],
)
def test_the_editor_and_retain_add_refuse_the_same_cards(tmp_path: Path, text: str) -> None:
    check = check_card(Deck(id="d", name="d"), Card(id="", kind="cloze", text=text))
    added = _add(tmp_path, text)
    assert check.ok == (added.returncode == 0), added.stderr
    for message in check.errors:  # the same reason, said of the card by its id there
        assert message.removeprefix("the cloze card").split(":")[-1].strip() in added.stderr
