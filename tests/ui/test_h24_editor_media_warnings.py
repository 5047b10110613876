"""The card editor says, as you type, what `retain check` says about the files a card names: one
its deck's media folder does not hold, or a reference the store refuses (another deck's folder,
a path out of the folder). Before, the card was saved with no word and `check` warned after."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from retain.store.media import media_problems
from retain.ui.app import RetainApp
from retain.ui.screens.editor import EditorScreen

from .conftest import OpenApp, fixed_clock


@pytest.fixture(autouse=True)
def check_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EditorScreen, "CHECK_DELAY", 0)


def _problems(editor: EditorScreen) -> str:
    widget = editor.query_one("#editor-problems", Static)
    return str(widget.render()) if widget.display else ""


async def _add_card(app: RetainApp, pilot) -> EditorScreen:  # type: ignore[no-untyped-def]
    await pilot.press("down", "c")  # add a card to Apache Kafka
    for _ in range(100):
        if isinstance(app.screen, EditorScreen):
            break
        await pilot.pause(0.02)
    assert isinstance(app.screen, EditorScreen)
    return app.screen


async def _type_into(pilot, editor: EditorScreen, field: str, text: str) -> None:  # type: ignore[no-untyped-def]
    editor.query_one(field, TextArea).focus()
    await pilot.press(*text)
    await pilot.pause()


async def test_a_missing_image_is_warned_of_as_you_type_and_goes_once_the_file_is_there(
    open_app: OpenApp, retain_home: Path
) -> None:
    folder = retain_home / "decks" / "kafka.media"
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await _add_card(app, pilot)
        await _type_into(pilot, editor, "#form-front", "![d](kafka.media/diagram.png)")
        await _type_into(pilot, editor, "#form-back", "Brokers")
        shown = _problems(editor)
        assert f"the card: media 'diagram.png' not found in {folder}" in shown
        folder.mkdir()
        (folder / "diagram.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        await _type_into(pilot, editor, "#form-back", " and partitions")
        assert "diagram.png" not in _problems(editor)


@pytest.mark.parametrize(
    ("ref", "said"),
    [
        ("redis.media/x.png", "media 'x.png' refused (not in this deck's media folder)"),
        ("kafka.media/../secret.png", "refused (not a plain file name)"),
    ],
)
async def test_a_reference_the_store_refuses_is_warned_of(open_app: OpenApp, ref: str, said: str) -> None:
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await _add_card(app, pilot)
        await _type_into(pilot, editor, "#form-front", f"![d]({ref})")
        await _type_into(pilot, editor, "#form-back", "A")
        assert said in _problems(editor)


async def test_an_edited_card_is_warned_of_in_checks_own_words(open_app: OpenApp) -> None:
    """Editing a card whose image is missing says, on opening, exactly the line `check` prints."""
    app = open_app()
    async with app.run_test(size=(120, 40)) as pilot:
        editor = await _add_card(app, pilot)
        await _type_into(pilot, editor, "#form-front", "![d](kafka.media/gone.png) where?")
        await _type_into(pilot, editor, "#form-back", "Nowhere")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert not isinstance(app.screen, EditorScreen)
        deck = app.collection.library.get("kafka")
        assert deck is not None
        check_says = [p.message for p in media_problems(deck)]
        assert len(check_says) == 1 and "gone.png" in check_says[0]
        card_id = next(c.id for c in deck.cards if "gone.png" in c.front)
        edit = EditorScreen(app.collection, fixed_clock, "kafka", card_id)
        app.push_screen(edit)
        await pilot.pause()
        assert check_says[0] in _problems(edit)


def test_a_bundled_deck_is_checked_where_its_first_save_puts_it(
    retain_home: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundled deck's first save copies its file (not its media) into the deck folder: the
    editor looks for the media there, as `retain check` will once the card is saved."""
    from datetime import UTC

    from retain.core.model import Card
    from retain.store import home as store_home
    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.card_media import card_media_warnings

    bundled = tmp_path_factory.mktemp("bundled")
    (bundled / "shipped.toml").write_text(
        'format = 1\n[deck]\nid = "shipped"\nname = "Shipped"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n',
        encoding="utf-8",
    )
    (bundled / "shipped.media").mkdir()
    (bundled / "shipped.media" / "x.png").write_bytes(b"png")
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: bundled)
    home = open_home()
    collection = Collection.open(home, fixed_clock(), tz=UTC)
    try:
        entry = collection.library.entry("shipped")
        assert entry is not None and entry.origin == "bundled"
        said = card_media_warnings(
            collection, "shipped", Card(id="", front="![i](shipped.media/x.png)", back="A")
        )
        assert said == [f"the card: media 'x.png' not found in {home.paths.decks_dir / 'shipped.media'}"]
    finally:
        collection.close()
