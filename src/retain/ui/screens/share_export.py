"""Export a deck or a whole group in the TUI, the format taken from the file name, with a progress bar.

A group goes into one file (.apkg keeps its hierarchy) or, when the path is a
folder (ends in `/`), into one `.toml` file per deck. The path completes as
you type (`retain.ui.widgets.path_complete`).
"""

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

from retain.core.ids import slugify
from retain.core.model import Deck
from retain.core.statstext import plural
from retain.interop.errors import InteropError
from retain.interop.exporter import EXPORT_SUFFIXES, unknown_type_refused
from retain.interop.group_export import (
    ExportJob,
    bare_name_refused,
    decks_in_group,
    group_names,
    is_folder_target,
    job_paths,
    plan_export,
    progress_refused,
    run_export,
    second_deck_refused,
)
from retain.interop.progress_io import collection_decks_progress
from retain.interop.typed_path import typed_path
from retain.store.collection import Collection
from retain.store.home import library_folders
from retain.store.oserror import os_error_text
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.screens.share_dialog import ShareDialog, ShareText
from retain.ui.text import line
from retain.ui.widgets.ordered_keys import SettledInput
from retain.ui.widgets.path_complete import PathComplete

__all__ = ["ExportScreen"]


class ExportScreen(ShareDialog):
    """Dismisses with the files written, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="export.cancel")]

    def __init__(
        self, collection: Collection, deck_id: str | None = None, *, group: str | None = None
    ) -> None:
        super().__init__()
        self.collection = collection
        self.deck_id = deck_id
        self.group = group  # `x` on a group row: the whole group is offered first

    def compose(self) -> ComposeResult:
        all_decks = list(self.collection.library.decks)
        decks = sorted(all_decks, key=lambda d: d.name.lower())
        groups = group_names(all_decks)
        options = [
            (
                line(f"{g}: the whole group ({plural(len(decks_in_group(all_decks, g)), 'deck')})"),
                f"{GROUP}{g}",
            )
            for g in groups
        ]
        options += [(line(f"{d.name} ({d.id})"), d.id) for d in decks]  # Content: never read as markup
        values = [value for _, value in options]
        wanted = f"{GROUP}{self.group}" if self.group else self.deck_id
        first = wanted if wanted in values else (decks[0].id if decks else None)
        with Vertical(id="share-dialog"):
            yield Label(
                f"Export a deck or a group ({' '.join(EXPORT_SUFFIXES)}, or a folder/)", id="share-title"
            )
            yield Select(
                options, value=first if first else Select.BLANK, allow_blank=first is None, id="share-deck"
            )
            path_input = SettledInput(
                value=str(Path.home() / f"{_file_stem(first or 'deck')}.apkg"), id="share-path"
            )
            yield path_input
            yield PathComplete(path_input, EXPORT_SUFFIXES, id="share-complete")
            yield Checkbox("Include my review progress", id="share-progress-flag")
            yield ProgressBar(total=1, show_eta=False, id="share-progress")
            with ShareText(id="share-diff-box"):
                yield Static("", id="share-diff")
            with Horizontal(id="share-buttons"):
                yield Button("Export", id="share-apply", variant="primary")
                yield Button("Cancel", id="share-cancel")

    def on_select_changed(self, event: Select.Changed) -> None:
        path_input = self.query_one("#share-path", Input)
        if not isinstance(event.value, str) or is_folder_target(path_input.value):
            return  # a folder takes any deck or group as it is
        try:
            current = typed_path(path_input.value)
        except InteropError:  # a `~user` with no home folder: renamed as typed (Export says why)
            current = Path(path_input.value)
        path_input.value = str(current.with_name(f"{_file_stem(event.value)}{current.suffix or '.apkg'}"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "share-apply":
            self.export()
        else:
            self.action_cancel()

    def on_input_submitted(self) -> None:
        self.export()

    def _chosen(self) -> list[Deck]:
        value = self.query_one(Select).value
        if not isinstance(value, str):
            return []
        if value.startswith(GROUP):
            return decks_in_group(list(self.collection.library.decks), value.removeprefix(GROUP))
        deck = self.collection.library.get(value)
        return [deck] if deck is not None else []

    def export(self) -> None:
        """Read the form (here, on the UI thread), ask before replacing a file, then export in a worker.
        A name it cannot write (no extension, a type it does not write, a folder where a file goes)
        is refused first, before an existing file is asked about."""
        decks = self._chosen()
        raw = self.query_one(Input).value.strip()
        with_progress = self.query_one(Checkbox).value
        if not decks or not raw:
            self._show("Choose a deck and a file name.", True)
            return
        if bare_name_refused(raw):
            self._show(
                f"{raw} has no extension: add one ({' '.join(EXPORT_SUFFIXES)}) for a file, "
                f"or end it with / for a folder of .toml files.",
                True,
            )
            return
        if why := unknown_type_refused(raw, folder=is_folder_target(raw)):  # (the CLI's words)
            self._show(line(why).plain, True)
            return
        if with_progress and (why := progress_refused(raw)):
            self._show(why.replace("--with-progress needs", "Review progress needs", 1), True)
            return
        try:
            jobs = plan_export(decks, raw)
        except InteropError as exc:
            self._show(line(str(exc)).plain, True)
            return
        home = self.collection.home
        library = self.collection.library
        if twice := second_deck_refused(jobs, library.entries, library_folders(home.paths, home.config)):
            self._show(line(twice[0].upper() + twice[1:] + ".").plain, True)
            return
        try:
            paths = job_paths(jobs, with_progress=with_progress)
        except InteropError as exc:  # (a media link beside the file: refused before "Replace?")
            self._show(line(f"Export failed: {exc}").plain, True)
            return
        existing = [p for p in paths if p.exists() or p.is_symlink()]
        if folders := [p for p in existing if p.is_dir() and not p.is_symlink()]:  # (never replaced)
            why = f"{folders[0]} is a folder, not a file; remove it, or export to another name (nothing written)"
            self._show(line(why).plain, True)
            return
        if not existing:
            if self._start_writing():
                self._export(decks, jobs, with_progress)
            return
        names = ", ".join(str(p) for p in existing[:3]) + (
            f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        )

        def answered(yes: bool | None) -> None:
            if yes and self._start_writing():
                self._export(decks, jobs, with_progress)

        verb = "already exists" if len(existing) == 1 else "already exist"
        message = Content.assemble(line(names, "bold"), f" {verb}. Replace?")
        self.app.push_screen(ConfirmScreen("Replace the file?", message, yes="Replace"), answered)

    @work(thread=True, exclusive=True)
    def _export(self, decks: list[Deck], jobs: list[ExportJob], with_progress: bool) -> None:
        now = datetime.now(UTC)
        self._busy()  # reading the history of a big library takes seconds before the first count
        warnings: list[str] = []  # media files the cards name but that are missing
        try:
            collection = self.collection
            written = run_export(
                jobs,
                now=now,
                progress_of=(lambda ids: collection_decks_progress(collection, ids, now))
                if with_progress
                else None,
                progress=self._progress,
                warnings=warnings,
                settings_of=collection.home.config.for_deck,
                rollover_hour=collection.home.config.rollover_hour,
            )
        except (InteropError, OSError) as exc:
            self._end(self._show, line(f"Export failed: {os_error_text(exc)}").plain, True)
            return
        self._end(self._done, written, warnings)

    def _done(self, written: list[Path], warnings: list[str] | None = None) -> None:
        where = (
            ", ".join(map(str, written))
            if len(written) <= 3
            else f"{len(written)} files in {written[0].parent}"
        )
        self.app.notify(line(f"Exported to {where}").plain, title="Export", markup=False)
        for warning in (warnings or [])[:5]:
            self.app.notify(line(warning).plain, title="Export", severity="warning", markup=False)
        self.dismiss(written)

    def action_cancel(self) -> None:
        if not self._refuse_cancel():
            self.dismiss(None)


GROUP = "group:"  # the Select value of a whole group: "group:<name>"


def _file_stem(value: str) -> str:
    """The default file name for a deck id or a group value."""
    return slugify(value.removeprefix(GROUP), max_words=8) if value.startswith(GROUP) else value
