"""The editor's "Changed on disk" dialog tells what happened to the card and explains only the
buttons it shows. A card whose id was pasted onto a second card on disk was said to be "deleted
on disk", the dialog explained a "Use theirs" it did not offer, and "Use mine" failed with a
duplicate-id error."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual.widgets import Button, Static, TextArea

from retain.ui.screens.confirm import ChoiceScreen
from retain.ui.screens.editor import EditorScreen
from retain.ui.screens.home import HomeScreen

from .conftest import OpenApp, fixed_clock
from .decks import KAFKA

pytestmark = pytest.mark.slow  # (Pilot sessions of over half a second each: not in tests/slow.txt)

SIZE = (120, 40)
PASTED = '\n[[cards]]\nid = "isr"\nfront = "Pasted copy"\nback = "x"\n'
WITHOUT_ISR = KAFKA.replace(
    '[[cards]]\nid = "isr"\nfront = "What is an in-sync replica (ISR)?"\n'
    'back = "A follower that has caught up with the partition leader."\n\n',
    "",
)


@pytest.fixture(autouse=True)
def check_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EditorScreen, "CHECK_DELAY", 0)


async def _edit_then_save(app, pilot, path: Path, on_disk: str) -> ChoiceScreen:  # type: ignore[no-untyped-def]
    """Edit kafka/isr, write `on_disk` to its file meanwhile, then ctrl+s: the dialog asked."""
    app.push_screen(EditorScreen(app.collection, fixed_clock, "kafka", "isr"))
    await pilot.pause()
    editor = app.screen
    assert isinstance(editor, EditorScreen)
    editor.query_one("#form-back", TextArea).load_text("Mine.")
    await pilot.pause()
    path.write_text(on_disk, "utf-8")
    await pilot.press("ctrl+s")
    await pilot.pause()
    dialog = app.screen
    assert isinstance(dialog, ChoiceScreen)
    return dialog


def _said(dialog: ChoiceScreen) -> tuple[str, list[str], list[str]]:
    """The dialog's message, its buttons' labels, and the labels its message explains (`X: ...`)."""
    message = str(dialog.query_one("#choice-message", Static).render())
    labels = [str(b.label) for b in dialog.query(Button)]
    found = re.findall(r"^([A-Z][a-z]+(?: [a-z]+)*): ", message, re.MULTILINE)
    explained = [x for x in found if x != "Theirs now"]  # (their version, shown: not a button)
    return message, labels, explained


async def test_a_duplicated_id_is_told_and_only_keep_editing_is_offered(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _edit_then_save(app, pilot, path, KAFKA + PASTED)
        message, labels, explained = _said(dialog)
        assert "deleted" not in message
        assert "the id 'isr' is now on 2 cards" in message
        assert "renamed or removed" in message
        assert labels == ["Keep editing"]
        assert set(explained) <= set(labels)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, EditorScreen)  # the edit is kept in the form
        assert app.screen.query_one("#form-back", TextArea).text == "Mine."
    assert path.read_text("utf-8") == KAFKA + PASTED  # nothing written


async def test_a_deleted_card_offers_distinct_choices_each_explained(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await _edit_then_save(app, pilot, path, WITHOUT_ISR)
        message, labels, explained = _said(dialog)
        assert "was deleted on disk" in message
        assert "Use theirs" not in message and "Keep both" not in message
        assert labels == ["Save mine", "Discard mine", "Keep editing"]
        assert explained == ["Save mine", "Discard mine"]
        await pilot.press("enter")  # "Save mine" is the default: written back
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    text = path.read_text("utf-8")
    assert text.startswith(WITHOUT_ISR.rstrip("\n")) and 'id = "isr"' in text and "Mine." in text


async def test_discard_mine_leaves_the_card_deleted(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await _edit_then_save(app, pilot, path, WITHOUT_ISR)
        await pilot.press("right", "enter")  # Discard mine
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
    assert path.read_text("utf-8") == WITHOUT_ISR


async def test_a_changed_card_explains_each_of_its_buttons(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "decks" / "kafka.toml"
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        theirs = KAFKA.replace("A follower that has caught up", "A follower (vim) caught up")
        dialog = await _edit_then_save(app, pilot, path, theirs)
        message, labels, explained = _said(dialog)
        assert "was changed on disk" in message
        assert labels == ["Keep both", "Use mine", "Use theirs", "Keep editing"]
        assert explained == ["Keep both", "Use mine", "Use theirs"]
