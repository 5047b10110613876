"""Import a deck file, or every deck file in a folder, in the TUI: preview the diff, confirm, then import
with a progress bar. The path completes as you type (`retain.ui.widgets.path_complete`)."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, ProgressBar, Static
from textual.worker import NoActiveWorker, Worker, get_current_worker

from retain.interop.bundle import Review, history_size
from retain.interop.errors import InteropError
from retain.interop.folder_import import deck_files, import_summary, linked_files, links_line
from retain.interop.importer import (
    IMPORT_SUFFIXES,
    ImportPlan,
    apply_import,
    count_line,
    let_go,
    plan_import,
    read_file,
)
from retain.interop.lost_progress import note_lost_progress
from retain.interop.progress_io import collection_record_history
from retain.interop.typed_path import typed_path
from retain.store.collection import Collection, CollectionError
from retain.store.move_intent import MOVED_BY_IMPORT, begin_moves
from retain.store.oserror import os_error_text
from retain.ui.access import read_only_line, retain_app
from retain.ui.live_reload import LiveReload
from retain.ui.screens.share_dialog import ShareDialog, ShareText
from retain.ui.text import line
from retain.ui.widgets.ordered_keys import SettledInput
from retain.ui.widgets.path_complete import PathComplete

if TYPE_CHECKING:
    from retain.interop.deck_options_apply import SettingsSaved
    from retain.store.config import Config

__all__ = ["ImportScreen"]


class _Stopped(Exception):
    """A preview no longer wanted (the app stopped, the dialog closed, a newer preview began)."""


READ_ONLY = read_only_line("import")  # (`refuse_read_only`'s words)
CHANGED = "changed since the preview; nothing of it was written: preview again to see what it would do"
WRITE_GROUP = "import-write"  # the import's worker: a preview (exclusive in its own group) never cancels it


@dataclass(frozen=True, slots=True)
class _Seen:
    """A folder's file as its preview read it: its size and modification time (ns) just before,
    and the size and modification time of each deck file its plan would write (None: absent)."""

    stat: tuple[int, int] | None
    found: dict[Path, tuple[int, int] | None]


class ImportScreen(ShareDialog):
    """Dismisses with the deck files written, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="import.cancel")]

    def __init__(
        self,
        collection: Collection,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        live: LiveReload | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self._clock = clock
        self._live = live
        self.plan: ImportPlan | None = None
        self.reviews: Sequence[Review] = []  # (an Anki log's: made a group of cards at a time)
        self.files: list[Path] = []  # a folder's deck files (the plan is made per file at Import)
        self.files_history = False  # the folder's preview asked for review history too
        self.files_seen: dict[Path, _Seen] = {}  # each of them as the preview read it
        self.stage = Path(tempfile.mkdtemp(prefix="retain-import-"))
        self._reading: Worker[None] | None = None  # the preview reading the form's path now
        self._previewed: tuple[str, bool] | None = None  # the form as the last preview read it

    def compose(self) -> ComposeResult:
        with Vertical(id="share-dialog"):
            yield Label(f"Import a deck ({' '.join(IMPORT_SUFFIXES)}) or a folder of them", id="share-title")
            path_input = SettledInput(
                placeholder="path to the file, e.g. ~/Downloads/Spanish.apkg", id="share-path"
            )
            yield path_input
            yield PathComplete(path_input, IMPORT_SUFFIXES, id="share-complete")
            yield Checkbox("Import review history (.apkg, .toml sidecar)", id="share-history-flag")
            yield ProgressBar(total=1, show_eta=False, id="share-progress")
            with ShareText(id="share-diff-box"):
                yield Static("", id="share-diff")
            with Horizontal(id="share-buttons"):
                yield Button("Preview", id="share-preview", variant="primary")
                yield Button("Import", id="share-apply", variant="success", disabled=True)
                yield Button("Cancel", id="share-cancel")

    def on_input_submitted(self) -> None:
        self.preview()

    def on_input_changed(self) -> None:
        self._form_changed()

    def on_checkbox_changed(self) -> None:
        self._form_changed()

    def _form_changed(self) -> None:
        """The path or the history box changed since the preview: Import waits for a new one.
        It wrote what the last preview read (another file, or no history), not what the form
        said; a preview still reading the old path is stopped."""
        if self.writing or self._form() == self._previewed:  # (its own change, arriving late)
            return
        self._previewed = None
        reading, self._reading = self._reading, None
        if reading is not None and not reading.is_finished:
            reading.cancel()
            self.query_one(ProgressBar).update(total=1, progress=0)
        if self.plan is None and not self.files and reading is None:
            return
        self.plan, self.files, self.reviews = None, [], []
        self.query_one("#share-apply", Button).disabled = True
        self._show("Changed since the preview: press Preview (or Enter) to read it again.")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "share-preview":
            self.preview()
        elif event.button.id == "share-apply":
            self.apply()
        else:
            self.action_cancel()

    def preview(self) -> None:
        """Read the form here, on the UI thread; read and plan the file in a worker. Never while an
        import is being written (Enter in the path box, Preview, a key): a preview empties the
        staging folder the import reads its media from, and would offer Import again."""
        if self.writing:
            self.app.notify(
                "Still importing: a new preview waits until the import has ended.",
                title="Please wait",
                severity="warning",
                markup=False,
            )
            return
        self.query_one("#share-apply", Button).disabled = True
        self.plan, self.files, self.reviews, self.files_seen = None, [], [], {}
        self._previewed = self._form()
        self._reading = self._preview(*self._previewed)

    def _form(self) -> tuple[str, bool]:
        """(the path typed, the history box): what a preview reads."""
        return self.query_one(Input).value.strip(), self.query_one("#share-history-flag", Checkbox).value

    def apply(self) -> None:
        # A read-only retain writes no deck (as it edits none): the decks without their history,
        # studied in the other retain, would keep that progress over the history imported later
        # (`retain import` refuses so too). Once the other one has closed, this one takes over.
        if not self.writing and retain_app(self).refuse_read_only("import", after=" Nothing was written."):
            return
        if self._start_writing():
            if self._live is not None:  # the decks are re-read once, at the end (`_finish`)
                self._live.hold()
            self._apply(self._clock())

    # A preview's worker stops once it is no longer wanted: Textual cancels it (a flag) when the app
    # stops (a closed terminal: retain ran on headless, holding writer.toml, until a big folder was
    # read to its end), when the dialog closes, and when a newer preview begins; and its result
    # (what is shown, and what Import writes) is taken on the UI thread only while it is wanted,
    # so an older preview never puts its result over a newer one's.

    @work(thread=True, exclusive=True)
    def _preview(self, raw: str, history: bool) -> None:
        worker = _current_worker()
        with contextlib.suppress(_Stopped):  # no longer wanted: nothing is shown
            self._preview_in(worker, raw, history)

    def _preview_in(self, worker: Worker[None] | None, raw: str, history: bool) -> None:
        if not raw:
            self._said(worker, self._show, "Type the path of a file to import.", True)
            return
        self._busy()
        try:
            path = typed_path(raw)
        except InteropError as exc:  # a `~user` with no home folder
            self._said(worker, self._show, line(f"Import refused: {exc}").plain, True)
            return
        if path.is_dir():
            self._preview_folder(path, history)
            return
        skipped: list[str] = []  # the file's warnings: shown above a refusal too (why no cards)
        try:
            self._clear_stage()
            bundle = read_file(
                path,
                self.stage,
                with_history=history,
                progress=self._preview_progress,
                rollover_hour=self.collection.home.config.rollover_hour,
            )
            skipped = [f"warning: {w}" for w in bundle.warnings[:5]]
            plan = plan_import(bundle, self.collection.library, self.collection.home.paths.decks_dir)
        except _Stopped:
            raise
        except (InteropError, OSError) as exc:
            text = "\n".join([line(f"Import refused: {exc}").plain, *(line(w).plain for w in skipped)])
            self._said(worker, self._show, text, True)
            return
        except Exception as exc:  # a stranger's file: no error it provokes may end the app
            self._said(worker, self._show, line(f"Import refused: {_unexpected(exc)}").plain, True)
            return
        note_lost_progress(plan, self.collection.states)  # (the studied units it leaves out: named)
        lines = [text for planned in plan.decks for text in planned.lines()]
        if history:
            lines.append(f"review history: {history_size(bundle.reviews)} in the file")
        lines += self._settings_preview(plan)
        lines += [f"warning: {w}" for w in bundle.warnings[:5]]
        lines.append(self._press("Press Import to apply these changes (progress of kept cards stays)."))
        self._said(worker, self._offer, "\n".join(lines), True, plan, bundle.reviews)

    def _press(self, text: str) -> str:
        """A preview's last line: `text`, or why Import waits (this retain is read-only)."""
        return READ_ONLY if self.collection.read_only else text

    def _wanted(self) -> None:
        """In a preview's worker: raise `_Stopped` once the worker is cancelled."""
        worker = _current_worker()
        if worker is not None and worker.is_cancelled:
            raise _Stopped

    def _preview_progress(self, stage: str, done: int, total: int) -> None:
        """A preview's `ProgressFn`: stops reading a big file once the preview is no longer wanted."""
        self._wanted()
        self._progress(stage, done, total)

    def _said(self, worker: Worker[None] | None, fn: Callable[..., object], *args: object) -> None:
        """A preview's last call (`_end`), run on the UI thread only while the preview is wanted."""
        self._end(self._if_wanted, worker, fn, *args)

    def _if_wanted(self, worker: Worker[None] | None, fn: Callable[..., object], *args: object) -> None:
        # (a worker is cancelled on this thread: none is begun between this look and `fn`)
        if worker is None or not worker.is_cancelled:
            fn(*args)

    def _offer(
        self,
        text: str,
        good: bool = True,
        plan: ImportPlan | None = None,
        reviews: Sequence[Review] | None = None,
        files: list[Path] | None = None,
        history: bool = False,
        seen: dict[Path, _Seen] | None = None,
    ) -> None:
        """A preview's result (on the UI thread): the diff, what Import is to write (a file's plan
        and review history, or a folder's files as the preview read them), and Import when there
        is something to import."""
        self.plan, self.reviews = plan, reviews or []
        self.files, self.files_history, self.files_seen = files or [], history, seen or {}
        self._show(text, not good)
        if good:
            self.query_one("#share-apply", Button).disabled = False

    def _clear_stage(self) -> None:
        """Empty the staging folder for the next file. The folder itself stays (mkdtemp made it
        private; made anew it would not be, and could be another user's in a shared temp folder);
        once the dialog has cleaned it up, it is not made again (OSError)."""
        for child in self.stage.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child, ignore_errors=True)
            else:
                child.unlink(missing_ok=True)

    def _read_plan(
        self, path: Path, history: bool, progress: Callable[[str, int, int], None] | None = None
    ) -> tuple[ImportPlan, Sequence[Review]]:
        """Read and plan one file against the deck folder as it is now (in the worker)."""
        self._clear_stage()
        bundle = read_file(
            path,
            self.stage,
            with_history=history,
            progress=progress or self._progress,
            rollover_hour=self.collection.home.config.rollover_hour,
        )
        library = self.collection.home.library()  # fresh: an earlier file of the folder may be in it
        return plan_import(bundle, library, self.collection.home.paths.decks_dir), bundle.reviews

    def _settings_preview(self, plan: ImportPlan, earlier: list[str] | None = None) -> list[str]:
        """The line saying which Anki options the plan would set in config.toml (read with the
        history only: the learner's own), or why they would not be written; [] for none.
        `earlier`: config.toml's text as a folder's earlier files would leave it (none yet: [];
        this plan's changes replace it)."""
        if not plan.bundle.has_settings:
            return []
        from retain.interop.deck_options_apply import plan_settings

        path = self.collection.home.paths.config_file
        change = plan_settings(plan, path, earlier[0] if earlier else None)
        if change.problem:
            return [f"warning: settings would not be written: {change.problem}"]
        if earlier is not None and change.edit is not None:
            earlier[:] = [change.edit.text()]
        said = change.line(dry_run=True)
        return [said] if said else []

    def _preview_folder(self, folder: Path, history: bool) -> None:
        worker = _current_worker()
        files = deck_files(folder)
        links = links_line(linked_files(folder))  # a stranger's folder: links are never followed
        if not files:
            text = f"Import refused: {folder}: no deck files here ({' '.join(IMPORT_SUFFIXES)})"
            text = "\n".join(line(t).plain for t in [text, f"warning: {links}" if links else ""] if t)
            self._said(worker, self._show, text, True)
            return
        lines: list[str] = []
        good = 0
        decks: list[str] = []  # each file's deck ids: a deck two files hold is one deck
        refused: list[str] = []
        config: list[str] = []  # config.toml as the files so far would leave it
        seen: dict[Path, _Seen] = {}
        for file in files:
            self._wanted()  # (a big folder: the app may have stopped meanwhile)
            stat = _stat(file)
            try:
                plan, _ = self._read_plan(file, history, self._preview_progress)
            except _Stopped:
                raise
            except Exception as exc:  # a stranger's file: named in the summary, the others still go in
                lines.append(line(f"{file.name}: refused: {_reason(exc)}").plain)
                refused.append(file.name)
                continue
            good += 1
            seen[file] = _Seen(stat, {p.target: p.found for p in plan.decks})
            decks += [p.deck.id for p in plan.decks]
            note_lost_progress(plan, self.collection.states)
            lines += [f"{file.name}: {text}" for planned in plan.decks for text in planned.lines()]
            lines += [f"{file.name}: {text}" for text in self._settings_preview(plan, config)]
        head = [import_summary(good, decks, refused, dry_run=True)]  # first: a long list is cut below
        if links:
            head.append(line(f"warning: {links}").plain)
        if good:
            head.append(self._press("Press Import to import them (progress of kept cards stays)."))
        lines = head + lines
        chosen = [f for f in files if f.name not in refused]
        self._said(worker, self._offer, "\n".join(lines), bool(good), None, None, chosen, history, seen)

    @work(thread=True, exclusive=True, group=WRITE_GROUP)
    def _apply(self, now: datetime) -> None:
        try:
            self._apply_in(now)
        finally:  # the app stopped while it wrote: the stage's media were read; nobody else cleans up
            worker = _current_worker()
            if worker is not None and worker.is_cancelled:
                self._cleanup()

    def _apply_in(self, now: datetime) -> None:
        if self.collection.read_only:  # (`apply` refused it; never written by a read-only retain)
            self._end(self._show, line(f"Import refused: {READ_ONLY} Nothing was written.").plain, True)
            return
        self._busy()
        if self.files:
            self._apply_folder(now, self.files)
            return
        plan = self.plan
        if plan is None:
            self._end(self._stop_writing)
            return
        decks_dir = self.collection.home.paths.decks_dir
        try:
            if plan.moves:  # (a kill before the journal holds them: the next start finishes them)
                begin_moves(self.collection, plan.moves, now, MOVED_BY_IMPORT)
            apply_import(plan, decks_dir, self._progress, self.collection.home.paths.cache_dir)
        except (InteropError, OSError) as exc:
            self._end(self._show, line(f"Import failed: {os_error_text(exc)}").plain, True)
            return
        except Exception as exc:
            self._end(self._show, line(f"Import failed: {_unexpected(exc)}").plain, True)
            return
        saved = self._settings(plan)
        let_go(plan)  # what only planning and writing needed: less memory while the history goes in
        note = ""
        if self.reviews:  # the modal dialog is the only writer meanwhile
            try:
                history = collection_record_history(self.collection, self.reviews, now, self._progress)
            except (InteropError, CollectionError, OSError) as exc:
                note = f"; the review history was not recorded: {os_error_text(exc)}"
            except Exception as exc:
                note = f"; the review history was not recorded: {_unexpected(exc)}"
            else:
                note = f"; recorded {history.recorded} event(s) of review history{history.note()}"
                note += f" ({history.kept} card(s) kept their progress here)" if history.kept else ""
        note += self._move(plan.moves, now)  # (after the history: what it added moves too)
        if self.reviews:
            note += self._compact(now)
        if saved is not None and (saved.line or saved.warning):
            note += f"; {saved.line or saved.warning}"
        config = saved.config if saved is not None else None
        written = [Path(p.target) for p in plan.decks]
        names = "; ".join(f"{p.deck.id} ({count_line(p.deck)})" for p in plan.decks)
        # imported: the plan and the history (tens of MB for a long Anki log) go before the
        # library is read again (`_finish`)
        self.plan, self.reviews = None, []
        del plan
        self._end(self._finish, written, names, note, "", config)

    def _settings(self, plan: ImportPlan) -> SettingsSaved | None:
        """The Anki deck options the plan's history import brings, set in config.toml (None: the
        package brought none; it was read without its history)."""
        if not plan.bundle.has_settings:
            return None
        from retain.interop.deck_options_apply import save_settings

        try:
            return save_settings(plan, self.collection.home.paths.config_file)
        except Exception as exc:  # (the decks are in: a settings failure is said, never the end)
            from retain.interop.deck_options_apply import SettingsSaved

            return SettingsSaved(warning=f"settings not written: {_unexpected(exc)}")

    def _apply_folder(self, now: datetime, files: list[Path]) -> None:
        decks_dir = self.collection.home.paths.decks_dir
        history = self.files_history
        written: list[Path] = []
        refused: list[str] = []
        recorded = 0
        good = 0
        config: Config | None = None
        settings: list[str] = []  # what each file's Anki options set in config.toml
        for file in files:
            try:
                plan, reviews = self._read_as_previewed(file, history, set(written))
                if plan.moves:
                    begin_moves(self.collection, plan.moves, now, MOVED_BY_IMPORT)
                apply_import(plan, decks_dir, self._progress, self.collection.home.paths.cache_dir)
            except Exception as exc:  # this file stays out, said with its reason; the others go in
                refused.append(f"{file.name}: {_reason(exc)}")
                continue
            good += 1
            written += [Path(p.target) for p in plan.decks]
            saved = self._settings(plan)
            if saved is not None and saved.warning:
                refused.append(f"{file.name}'s deck options: {saved.warning}")
            elif saved is not None and saved.config is not None:
                config = saved.config
                settings.append(f"{file.name}: {saved.line}")
            if reviews:
                try:
                    recorded += collection_record_history(self.collection, reviews, now, self._progress)[0]
                except Exception as exc:
                    refused.append(f"{file.name}'s review history: {_reason(exc)}")
            if said := self._move(plan.moves, now):
                refused.append(f"{file.name}: {said.removeprefix('; ')}")
        note = f"; recorded {recorded} event(s) of review history" if history else ""
        if recorded:
            note += self._compact(now)
        note += "".join(f"; {said}" for said in settings)
        summary = import_summary(good, [str(p) for p in written], []) + _refused_clause(refused)
        self._end(self._finish, written, "", note, summary, config)

    def _read_as_previewed(
        self, file: Path, history: bool, written: set[Path]
    ) -> tuple[ImportPlan, Sequence[Review]]:
        """Read and plan a folder's file again (in the import's worker), as its preview did: an
        `InteropError` when the file changed since the preview (a synced folder: cards the preview
        never showed would go), or a deck file its plan writes did (an edit), as a single file's
        import refuses it (`apply_import`). A deck file an earlier file of the folder wrote counts
        as unchanged."""
        seen = self.files_seen.get(file)
        stat = _stat(file)
        if seen is not None and stat is not None and stat != seen.stat:
            raise InteropError(CHANGED)
        plan, reviews = self._read_plan(file, history)
        if seen is None:
            return plan, reviews
        if _stat(file) != seen.stat:  # (changed while it was read again)
            raise InteropError(CHANGED)
        for planned in plan.decks:
            target = planned.target
            if target not in written and target in seen.found and planned.found != seen.found[target]:
                raise InteropError(
                    f"{target} changed since the preview (an edit?); nothing of this file was "
                    "written: preview again to compare with it"
                )
        return plan, reviews

    def _compact(self, now: datetime) -> str:
        """Snapshots of the decks the history went into, written now as `retain import` writes
        them when it closes: until the app quit, every `retain due` or `retain stats` meanwhile
        read the whole imported history again (12 s and 300 MB for a 117k-row log). "" or a
        clause for the note when a snapshot could not be written (the quit tries again)."""
        try:
            failed = self.collection.compact(now)
        except (CollectionError, OSError) as exc:
            return f"; the snapshots were not written yet: {os_error_text(exc)}"
        return f"; the snapshots were not written yet: {failed[0]}" if failed else ""

    def _move(self, moves: dict[str, str], now: datetime) -> str:
        """Carry the progress of the cards the import moved between its decks (as `m` in the
        browser does); "" or a clause for the note when it could not."""
        if not moves:
            return ""
        from retain.interop.progress_io import record_moves

        try:
            record_moves(self.collection, moves, now)
        except (InteropError, CollectionError, OSError) as exc:
            return f"; the progress of the cards moved to another deck was not carried: {os_error_text(exc)}"
        return ""

    def _start_writing(self) -> bool:
        if not super()._start_writing():
            return False
        self._form_enabled(False)  # (what a preview reads: nothing to type while the import writes)
        return True

    def _stop_writing(self) -> None:
        super()._stop_writing()
        self._form_enabled(True)
        if self._live is not None:  # it failed: a deck file it did write is reloaded as changed
            self._live.release()

    def _form_enabled(self, enabled: bool) -> None:
        self.query_one(Input).disabled = not enabled
        self.query_one("#share-history-flag", Checkbox).disabled = not enabled

    def _finish(
        self,
        written: list[Path],
        names: str = "",
        note: str = "",
        summary: str = "",
        config: Config | None = None,
    ) -> None:
        """The import has ended: the decks re-read, one line said (a warning when a folder's file,
        or part of one, stayed out), the dialog closed."""
        if config is not None:  # the Anki options set in config.toml apply at once
            from retain.ui.settings_apply import apply_config

            apply_config(retain_app(self), config)
        if self._live is None or not self._live.release(written):  # (else it read them again)
            self.collection.reload_library()
        names = names or ", ".join(p.stem for p in written)
        message = f"{summary[:1].upper()}{summary[1:]}{note}" if summary else f"Imported {names}{note}"
        partly = " refused: " in summary
        self.app.notify(
            line(message).plain,
            title="Import",
            severity="warning" if partly else "information",
            timeout=20 if partly else None,  # (a reason per file: time to read them)
            markup=False,
        )
        self._cleanup()
        self.dismiss(written)

    def _cleanup(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)

    def on_unmount(self) -> None:
        """Closed, or the app stopped with the dialog open: the staging folder goes (an import being
        written still reads its media from it: `_apply` removes it then)."""
        if not self.writing:
            self._cleanup()

    def action_cancel(self) -> None:
        if self._refuse_cancel():
            return
        self._cleanup()
        self.dismiss(None)


def _current_worker() -> Worker[None] | None:
    """The worker this thread runs (None: a worker's body called directly, never cancelled)."""
    try:
        return get_current_worker()
    except NoActiveWorker:
        return None


def _stat(path: Path) -> tuple[int, int] | None:
    """A file's size and modification time (ns); None when it cannot be looked at (the read then
    says why)."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


SHOWN_REFUSED = 3  # a folder import's toast names this many refused files with their reasons


def _refused_clause(refused: list[str]) -> str:
    """`; 2 refused: a.apkg: why; b.toml: why` (the first few, then how many more); "" for none."""
    if not refused:
        return ""
    more = len(refused) - SHOWN_REFUSED
    return (
        f"; {len(refused)} refused: "
        + "; ".join(refused[:SHOWN_REFUSED])
        + (f"; and {more} more" if more > 0 else "")
    )


def _reason(exc: Exception) -> str:
    """Why a folder's file stayed out, in one clause."""
    return os_error_text(exc) if isinstance(exc, InteropError | OSError) else _unexpected(exc)


def _unexpected(exc: Exception) -> str:
    """One line for an error no reader expected (a bug, or a file that found one)."""
    first = (str(exc).splitlines() or [""])[0][:160]
    return f"unexpected {type(exc).__name__}: {first}" if first else f"unexpected {type(exc).__name__}"
