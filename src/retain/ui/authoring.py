"""Open the authoring screens from anywhere in the app: browser, card editor, new deck, edit while studying.

The app (`RetainApp`) provides `collection`, `clock` and `live_reload`; these
helpers build the screens over them, so home.py, study.py and app.py need only
one call each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.screen import Screen

from retain.core.model import Deck
from retain.store.decks.card_edits import create_deck
from retain.store.decks.deckedit import DeckEditError
from retain.ui.access import retain_app
from retain.ui.text import line

if TYPE_CHECKING:
    from retain.ui.app import RetainApp
    from retain.ui.screens.study import StudyScreen

__all__ = [
    "authoring_binding_sections",
    "authoring_commands",
    "edit_in_session",
    "open_browser",
    "open_editor",
    "open_new_deck",
    "refresh_session_card",
]

Done = Callable[[Any], None]


def _host(app: App[Any]) -> RetainApp:
    """The app's collection, clock and live reload, through the typed accessor."""
    return retain_app(app)


def _read_only(app: App[Any]) -> bool:
    return _host(app).refuse_read_only("edit")


def open_browser(app: App[Any], query: str = "") -> None:
    from retain.ui.screens.browser import BrowserScreen

    host = _host(app)
    host.collection.reread_states(host.clock())  # read-only: the states the other retain wrote

    def editor(deck_id: str, card_id: str | None, done: Done) -> None:
        open_editor(app, deck_id, card_id, done)

    app.push_screen(
        BrowserScreen(host.collection, host.clock, query=query, live=host.live_reload, open_editor=editor)
    )


def open_editor(
    app: App[Any], deck_id: str | None, card_id: str | None = None, done: Done | None = None
) -> None:
    """Edit `deck_id/card_id`, or add a card (card_id None) to `deck_id` (None: the first deck)."""
    from retain.ui.screens.editor import EditorScreen

    if _read_only(app):
        return
    host = _host(app)
    decks = host.collection.library.decks
    if not decks:
        app.notify("Create a deck first (n on the deck list).", markup=False)
        return
    if deck_id is not None and card_id is not None and host.collection.library.get(deck_id) is None:
        # Never another deck's card of the same id: the deck's file changed and no longer loads.
        broken = next((e for e in host.collection.library.entries if e.path.stem == deck_id), None)
        why = f": {broken.error}" if broken is not None and broken.error else " (its file is missing)"
        app.notify(f"deck {deck_id} is not loaded{why}", title="Cannot edit", severity="error", markup=False)
        return
    if deck_id is None or host.collection.library.get(deck_id) is None:
        deck_id = decks[0].id
    try:
        screen = EditorScreen(host.collection, host.clock, deck_id, card_id, live=host.live_reload)
    except DeckEditError as exc:
        app.notify(line(str(exc)).plain, title="Cannot edit", severity="error", markup=False)
        return
    app.push_screen(screen, done)


def open_new_deck(app: App[Any], done: Done | None = None) -> None:
    from retain.ui.screens.new_deck import NewDeckScreen

    if _read_only(app):
        return
    host = _host(app)
    library = host.collection.library
    taken = {d.id for d in library.decks}
    groups = [d.group for d in library.decks if d.group]

    def create(deck: Deck) -> None:
        live = host.live_reload
        create_deck(host.collection, deck, on_written=live.acknowledge if live is not None else None)

    def created(deck_id: str | None) -> None:
        if deck_id is not None:
            app.notify(f"Created deck {line(deck_id).plain}", markup=False)
        if done is not None:
            done(deck_id)

    app.push_screen(NewDeckScreen(create, taken, groups), created)


def edit_in_session(screen: StudyScreen) -> None:
    """`e` while studying: edit the current card, then show it again with its new text."""
    session = screen.session
    unit = session.current
    if unit is None:
        return
    open_editor(screen.app, unit.deck_id, unit.card_id, lambda _result: refresh_session_card(screen))


def refresh_session_card(screen: StudyScreen) -> None:
    """Show the current card, and the ones still queued, as the deck file has them now (after an edit
    or a reload)."""
    if screen.reload_decks():  # (a deck gone leaves, a renamed one is followed: one path)
        screen.refresh_card()  # a new text, or the next card (the one shown was deleted)


def authoring_commands(app: App[Any], screen: Screen[Any]) -> Iterable[SystemCommand]:
    """Command palette entries: browse, add a card, new deck."""
    from retain.ui.screens.browser import BrowserScreen
    from retain.ui.screens.editor import EditorScreen

    if not isinstance(screen, BrowserScreen | EditorScreen):
        yield SystemCommand("Browse cards", "Search, preview and edit every card", lambda: open_browser(app))
    if not _host(app).collection.read_only and not isinstance(screen, EditorScreen):
        yield SystemCommand("Add card", "Write a new card", lambda: open_editor(app, _deck_of(screen)))
        yield SystemCommand("New deck", "Create a deck in your deck folder", lambda: open_new_deck(app))


def _deck_of(screen: Screen[Any]) -> str | None:
    from retain.ui.screens.browser import BrowserScreen

    if isinstance(screen, BrowserScreen):
        unit = screen.selected_unit()
        return unit.deck_id if unit is not None else None
    return None


def authoring_binding_sections() -> list[tuple[str, list[BindingType]]]:
    """The authoring screens' bindings, for the help screen and `[keymap]` checks."""
    from retain.ui.screens.browser import BrowserScreen
    from retain.ui.screens.confirm import ChoiceScreen, ConfirmScreen
    from retain.ui.screens.deck_picker import DeckPickerScreen
    from retain.ui.screens.editor import EditorScreen
    from retain.ui.screens.new_deck import NewDeckScreen

    return [
        ("Browse", list(BrowserScreen.BINDINGS)),
        ("Edit card", list(EditorScreen.BINDINGS)),
        ("New deck", list(NewDeckScreen.BINDINGS)),
        ("Questions", [*ConfirmScreen.BINDINGS, *ChoiceScreen.BINDINGS, *DeckPickerScreen.BINDINGS]),
    ]
