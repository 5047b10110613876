"""Add or edit a card: the fields on the left, validation and a live preview on the right.

The preview shows every review unit the card makes (one per cloze number, both
sides of a reversed card) as it will appear in a review. Problems appear inline
as you type: errors (the card cannot be saved) and warnings (`retain check`'s
author lint, and its media check: a file the card names that its deck's media
folder does not hold, or a reference it refuses; `ui.card_media`; said again
once saved). Ctrl+S saves through `store.card_edits`, which re-reads the deck
file under the deck-edit lock (`retain add` waits, and the save waits for it a
moment, else says so and keeps the form) and never overwrites an edit made on
disk meanwhile: a change elsewhere in the file is merged, a change to this very
card opens a choice (keep both, use mine, use theirs), and so does its deletion
(save mine again, discard mine). A card the file now holds in a form its deck
leaves out (its id on two cards, an error in it) is said so: no choice saves it
until the file is mended, so the dialog offers Keep editing only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Static

from retain.core.answer.spec import to_meta
from retain.core.cardcheck import CardCheck, check_card
from retain.core.model import Card, Deck
from retain.core.typed import answer_spec
from retain.interop.ankikeep_moves import carry_kept
from retain.store.collection import Collection
from retain.store.decks.card_edits import (
    CardConflict,
    CardEdit,
    ConflictKind,
    Resolution,
    SaveResult,
    read_card,
    save_card,
)
from retain.store.decks.deckedit import DeckEditError, DeckFile
from retain.store.decks.library import real_path
from retain.ui.access import retain_app
from retain.ui.card_media import card_media_warnings
from retain.ui.live_reload import DecksReloaded, LiveReload
from retain.ui.screens.confirm import ChoiceScreen, ConfirmScreen
from retain.ui.text import line
from retain.ui.widgets.card_form import CardForm
from retain.ui.widgets.card_preview import CardPreview
from retain.ui.widgets.key_bar import KeyBar

__all__ = ["EditorScreen"]

Clock = Callable[[], datetime]


class EditorScreen(Screen[SaveResult | None]):
    """Dismisses with the `SaveResult` after a save, or None when cancelled."""

    # Loaded when the screen is first shown, not parsed at launch (app.tcss holds what the
    # home and study screens need); unscoped, as when it lived in app.tcss.
    SCOPED_CSS = False
    CSS = """
    #editor-title {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    #editor-notice {
        height: auto;
        padding: 0 1;
        color: $warning;
        background: $warning 10%;
    }
    #editor-body {
        height: 1fr;
    }
    #editor-form, #editor-side {
        width: 1fr;
    }
    #editor-side {
        border-left: vkey $boost;
    }
    #editor-problems {
        height: auto;
        padding: 0 1;
        margin-bottom: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "Save", id="editor.save"),
        Binding("ctrl+n", "save_and_add", "Save & add another", id="editor.save_and_add"),
        Binding("escape", "cancel", "Cancel", id="editor.cancel"),
    ]
    CHECK_DELAY: ClassVar[float] = 0.15  # seconds after the last keystroke before the card is checked

    def __init__(
        self,
        collection: Collection,
        clock: Clock,
        deck_id: str,
        card_id: str | None = None,
        *,
        live: LiveReload | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self._clock = clock
        self._live = live
        self._origin: DeckFile | None = None
        self._base: Card | None = None
        self._origin_deck = deck_id
        if card_id is not None:
            self._origin, self._base = read_card(collection, deck_id, card_id)  # raises DeckEditError
        self._start = self._base or Card(id="")  # what the form held when shown: Esc asks only after a change
        self._start_deck = deck_id
        self._timer: Timer | None = None
        self.check: CardCheck | None = None
        self.saved: list[SaveResult] = []  # cards saved with "save and add another"
        self._touched = False  # a field was changed: problems are shown from then on
        self._media: list[str] = []  # the media warnings of the last check (said again once saved)

    @property
    def is_new(self) -> bool:
        return self._base is None

    def compose(self) -> ComposeResult:
        decks = self.collection.library.decks
        title = "New card" if self.is_new else f"Edit card {self._origin_deck}/{self._start.id}"
        yield Static(line(title, "bold"), id="editor-title")
        yield Static(id="editor-notice")
        with Horizontal(id="editor-body"):
            yield CardForm(decks, self._origin_deck, self._start, id="editor-form")
            with Vertical(id="editor-side"):
                yield Static(id="editor-problems")
                yield CardPreview(id="editor-preview")
        yield KeyBar()  # (one line that drops whole keys when narrow; Footer overflowed at 80 columns)

    def on_mount(self) -> None:
        self.query_one("#editor-notice", Static).display = False
        self.query_one(CardForm).focus_first()
        self._refresh()

    # ---- checking and preview -------------------------------------------------

    def _deck(self, deck_id: str) -> Deck:
        return self.collection.library.get(deck_id) or Deck(id=deck_id, name=deck_id)

    def _refresh(self) -> CardCheck:
        deck_id, card = self.query_one(CardForm).value()
        deck = self._deck(deck_id)
        taken = frozenset(c.id for c in deck.cards)
        if not self.is_new and deck_id == self._origin_deck:
            taken -= {card.id}
        # (a moved card's media go along with it: checked where they are now, as the move reads them)
        media = card_media_warnings(self.collection, deck_id if self.is_new else self._origin_deck, card)
        if self.is_new or deck_id != self._origin_deck:
            card = replace(card, id="")  # an id is made when saving
        check = check_card(deck, card, taken)
        found = self.query_one(CardForm).answer_findings()
        if found:  # the answer-check fields' own types, worded as `retain check` words them
            who = f"card {card.id!r}" if card.id else "the card"
            errors = [f"{who}: {m}" for _k, m, severity in found if severity == "error"]
            warnings = [f"{who}: {m}" for _k, m, severity in found if severity != "error"]
            check = CardCheck(check.errors + errors, check.warnings + warnings, [] if errors else check.units)
        if media:  # the files it names, as `retain check` words them
            check = CardCheck(check.errors, check.warnings + media, check.units)
        self._media = media
        self.check = check
        widget = self.query_one("#editor-problems", Static)
        preview = self.query_one(CardPreview)
        if self.is_new and not self._touched:  # an empty form is not a mistake yet
            widget.display = False
            preview.show_message(_EMPTY_HINT)
            return check
        problems = [line(f"✗ {_plain_words(m)}", "$error") for m in check.errors]
        problems += [line(f"⚠ {_plain_words(m)}", "$warning") for m in check.warnings]
        widget.update(Content("\n").join(problems))
        widget.display = bool(problems)
        if check.units:
            preview.show_units(check.units)
        else:
            preview.show_message("Fix the errors to see the preview.")
        return check

    @on(CardForm.Changed)
    def _changed(self, event: CardForm.Changed) -> None:
        event.stop()
        self._touched = self._touched or self._dirty()  # mounting posts changes too: not the user's
        if self._timer is not None:
            self._timer.stop()
        if self.CHECK_DELAY <= 0:  # tests: check at once
            self._refresh()
        else:
            self._timer = self.set_timer(self.CHECK_DELAY, self._refresh)

    @on(DecksReloaded)
    def _reloaded(self, event: DecksReloaded) -> None:
        if self._origin is None or real_path(self._origin.path) not in event.paths:
            return
        notice = self.query_one("#editor-notice", Static)
        notice.update(
            line(
                "The deck file changed on disk. Saving keeps both edits; if this card changed too, you choose."
            )
        )
        notice.display = True

    def _dirty(self) -> bool:
        deck_id, card = self.query_one(CardForm).value()
        return deck_id != self._start_deck or _fields(card) != _fields(self._start)

    # ---- actions ---------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save_and_add":
            return self.is_new  # editing a card: Save closes, as there is nothing to add
        return True

    def action_save_and_add(self) -> None:
        """Save, then keep the screen open on an empty card of the same deck and kind (as Anki's Add)."""
        self.action_save(add_another=True)

    def action_save(self, resolution: Resolution | None = None, *, add_another: bool = False) -> None:
        if retain_app(self).refuse_read_only("edit"):
            return
        self._touched = True
        check = self._refresh()
        if not check.ok:  # (a card that gives no review unit too: `check_card` says why, as `retain add`)
            self.app.bell()
            more = len(check.errors) - 1
            shown = _plain_words(check.errors[0]) + (f" (and {more} more shown)" if more else "")
            self.notify(line(shown).plain, title="Not saved", severity="error", markup=False, timeout=8)
            return
        deck_id, card = self.query_one(CardForm).value()
        edit = CardEdit(deck_id, card, self._origin, self._origin_deck, self._base)
        # (the app's own write is taken as seen while the deck-edit lock is held: a `retain add`
        # right after it is still an outside edit, reloaded)
        seen = self._live.acknowledge if self._live is not None else None
        try:
            result = save_card(self.collection, edit, self._clock(), resolution, on_written=seen)
        except CardConflict as conflict:
            self._ask(conflict)
            return
        except DeckEditError as exc:
            self.notify(line(str(exc)).plain, title="Not saved", severity="error", markup=False, timeout=8)
            return
        self.notify(_saved_message(result, resolution), markup=False)
        if self._media and resolution != "theirs":  # (a save right after typing: said before it was shown)
            shown = "\n".join(_plain_words(m) for m in self._media)
            self.notify(line(shown).plain, title="Media", severity="warning", markup=False, timeout=8)
        stayed = carry_kept(self.collection.library, [result])  # (moved: its Anki identity goes along)
        if stayed is not None:
            self.notify(line(stayed).plain, severity="warning", markup=False, timeout=8)
        if add_another:
            self.saved.append(result)
            form = self.query_one(CardForm)
            form.clear(result.deck_id)
            # The next card starts from the cleared form (its kind, tags and deck kept): Esc
            # on it, untouched, closes without asking to discard anything.
            self._start_deck, self._start = form.value()
            self._touched = False
            self._refresh()
            return
        self.dismiss(result)

    def _ask(self, conflict: CardConflict) -> None:
        """The choices the conflict leaves, each explained: a card changed on disk (keep both, mine,
        theirs), deleted (save mine again, or drop it), or held in a form the deck leaves out (its
        id on two cards: no choice saves it until the file is mended, so only Keep editing)."""
        theirs = conflict.theirs
        shown = " ".join((theirs.text or f"{theirs.front} → {theirs.back}").split()) if theirs else ""
        choices, default = _CHOICES[conflict.kind]
        message = Content.assemble(
            line(str(conflict)),
            *(("\n", line(f"Theirs now: {shown[:160]}", "$text-muted")) if theirs is not None else ()),
            "\n\n",
            "\n".join(help_ for _value, _label, help_ in choices if help_),
        )

        def chosen(value: str | None) -> None:
            if value in ("both", "mine", "theirs"):
                self.action_save(value)  # type: ignore[arg-type]
            elif value == "discard":  # (the card stays deleted: nothing to write)
                self.dismiss(self.saved[-1] if self.saved else None)

        buttons = [(value, label) for value, label, _help in choices]
        self.app.push_screen(ChoiceScreen("Changed on disk", message, buttons, default=default), chosen)

    def action_cancel(self) -> None:
        done = self.saved[-1] if self.saved else None  # cards saved with "add another" are saved
        if not self._dirty():
            self.dismiss(done)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(done)

        message = Content("Your changes to this card are not saved.")
        self.app.push_screen(
            ConfirmScreen("Discard changes?", message, yes="Discard", no="Keep editing"), answered
        )


# The buttons each kind of conflict offers (only those that act, each doing its own thing), what
# each does as the dialog explains it ("" for none), and the one focused first (nothing is lost).
_Choice = tuple[str, str, str]  # (value, label, help)
_KEEP_EDITING: _Choice = ("cancel", "Keep editing", "")
_MEND: _Choice = (
    "cancel",
    "Keep editing",
    "Keep editing: your edit stays here; fix the file, then save again.",
)
_CHOICES: dict[ConflictKind, tuple[list[_Choice], str]] = {
    "changed": (
        [
            ("both", "Keep both", "Keep both: your version is saved as a new card next to theirs."),
            ("mine", "Use mine", "Use mine: your version replaces theirs."),
            ("theirs", "Use theirs", "Use theirs: your edit is dropped."),
            _KEEP_EDITING,
        ],
        "both",
    ),
    "deleted": (
        [
            ("mine", "Save mine", "Save mine: your version is written back to the file."),
            ("discard", "Discard mine", "Discard mine: your edit is dropped; the card stays deleted."),
            _KEEP_EDITING,
        ],
        "mine",
    ),
    "duplicated": ([_MEND], "cancel"),
    "broken": ([_MEND], "cancel"),
}

_EMPTY_HINT = "Type the card; its preview appears here. Ctrl+S saves, Ctrl+N saves and adds another."


def _plain_words(message: str) -> str:
    """`retain check`'s messages quote field names in backticks, which the screen shows as they are."""
    return message.replace("`", "")


def _fields(card: Card) -> dict[str, object]:
    return {
        "id": card.id,
        "kind": card.kind,
        "front": card.front,
        "back": card.back,
        "text": card.text,
        "extra": card.extra,
        "accept": card.accept,
        "tags": card.tags,
        "source": card.source,
        **to_meta(answer_spec(card)),
    }


def _saved_message(result: SaveResult, resolution: Resolution | None) -> str:
    key = f"{result.deck_id}/{result.card.id}"
    if resolution == "theirs":
        return line(f"Kept the version on disk of {key}").plain
    parts = [f"Saved {key}"]
    if result.merged:
        parts.append("merged with the changes made on disk")
    if result.moves:
        parts.append(f"progress kept for {len(result.moves)} moved review unit(s)")
    if result.ids_given:
        parts.append(result.ids_given_note())
    if result.dropped:
        shown = ", ".join(result.dropped[:3]) + (
            f" and {len(result.dropped) - 3} more" if len(result.dropped) > 3 else ""
        )
        parts.append(
            f"no longer studied: {shown} (its reviews stay in the journal)"
            if len(result.dropped) == 1
            else f"no longer studied: {shown} (their reviews stay in the journal)"
        )
    return line("; ".join(parts)).plain
