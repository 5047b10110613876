"""Export a deck in the TUI, the format taken from the file name, with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Select, Static

from retain.core.model import Deck
from retain.interop.errors import InteropError
from retain.interop.exporter import EXPORT_SUFFIXES, export_decks, export_paths
from retain.interop.progress_io import collection_deck_progress
from retain.store.collection import Collection
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.share_dialog import ShareDialog
from retain.ui.text import line

__all__ = ["ExportScreen"]


class ExportScreen(ShareDialog):
    """Dismisses with the files written, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(self, collection: Collection, deck_id: str | None = None) -> None:
        super().__init__()
        self.collection = collection
        self.deck_id = deck_id

    def compose(self) -> ComposeResult:
        decks = sorted(self.collection.library.decks, key=lambda d: d.name.lower())
        options = [(line(f"{d.name} ({d.id})").plain, d.id) for d in decks]
        first = self.deck_id if any(d.id == self.deck_id for d in decks) else (decks[0].id if decks else None)
        with Vertical(id="share-dialog"):
            yield Label(f"Export a deck ({' '.join(EXPORT_SUFFIXES)})", id="share-title")
            yield Select(
                options, value=first if first else Select.BLANK, allow_blank=first is None, id="share-deck"
            )
            yield Input(value=str(Path.home() / f"{first or 'deck'}.apkg"), id="share-path")
            yield Checkbox("Include my review progress", id="share-progress-flag")
            yield ProgressBar(total=1, show_eta=False, id="share-progress")
            yield Static("", id="share-diff")
            with Horizontal(id="share-buttons"):
                yield Button("Export", id="share-apply", variant="primary")
                yield Button("Cancel", id="share-cancel")

    def on_select_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#share-path", Input)
        current = Path(path_input.value).expanduser()
        if isinstance(event.value, str):
            path_input.value = str(current.with_name(f"{event.value}{current.suffix or '.apkg'}"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "share-apply":
            self.export()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.export()

    def export(self) -> None:
        """Read the form (here, on the UI thread), ask before replacing a file, then export in a worker."""
        deck_id = self.query_one(Select).value
        raw = self.query_one(Input).value.strip()
        with_progress = self.query_one(Checkbox).value
        deck = self.collection.library.get(deck_id) if isinstance(deck_id, str) else None
        if deck is None or not raw:
            self._show("Choose a deck and a file name.", True)
            return
        out = Path(raw).expanduser()
        existing = [p for p in export_paths(out, with_progress=with_progress) if p.exists()]
        if not existing:
            self._export(deck, out, with_progress)
            return
        names = ", ".join(str(p) for p in existing)

        def answered(yes: bool | None) -> None:
            if yes:
                self._export(deck, out, with_progress)

        message = Content.assemble(line(names, "bold"), " already exists. Replace it?")
        self.app.push_screen(ConfirmScreen("Replace the file?", message, yes="Replace"), answered)

    @work(thread=True, exclusive=True)
    def _export(self, deck: Deck, out: Path, with_progress: bool) -> None:
        now = datetime.now(UTC)
        try:
            states, reviews = (
                collection_deck_progress(self.collection, deck.id, now) if with_progress else (None, None)
            )
            written = export_decks(
                [deck],
                out,
                now=now,
                decks_dir=Path(deck.path).parent if deck.path else None,
                states=states,
                reviews=reviews,
                progress=self._progress,
            )
        except (InteropError, OSError) as exc:
            self.app.call_from_thread(self._show, line(f"Export failed: {exc}").plain, True)
            return
        self.app.call_from_thread(self._done, written)

    def _done(self, written: list[Path]) -> None:
        self.app.notify(
            line(f"Exported to {', '.join(map(str, written))}").plain, title="Export", markup=False
        )
        self.dismiss(written)

    def action_cancel(self) -> None:
        self.dismiss(None)
