"""Saving the settings screen's document: validate, write, apply; ask when config.toml changed on disk.

`SettingsSaving` is mixed into `SettingsScreen` (screens/settings.py), which
provides `edit` (the `ConfigDocument`), `refresh_all` and `_show_problem`.
A save that worked says, besides "saved", every warning a start would then give
about config.toml (`start_warnings`: a deck folder that does not exist, a
`[decks.ID]` naming no deck, ...), from the same functions the start calls.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.content import Content
from textual.screen import Screen

from retain.store.config import Config, ConfigError
from retain.store.config_edit import ConfigChangedOnDisk, ConfigDocument, ConfigEditError
from retain.ui.access import retain_app
from retain.ui.text import line

__all__ = ["SettingsSaving", "start_warnings"]

if TYPE_CHECKING:
    from retain.ui.app import RetainApp

    _Base = Screen[None]
else:
    _Base = object


def start_warnings(app: RetainApp, path: Path, config: Config) -> list[str]:
    """The lines about config.toml (at `path`, holding `config`, which the app has applied) that
    retain would give at start: the loader's own (a preset no deck uses), a sync tool's conflict
    copy beside it, a `deck_folders` entry that is no folder, config tables naming nothing in the
    library, exams whose date has passed or whose group two entries name. The same functions as
    `Collection.messages` and `retain check` call, over the library as the app has it now."""
    from retain.store.config import conflict_copies, missing_folders

    collection = app.collection
    today = collection.today(app.clock())
    return [
        *config.warnings,
        *conflict_copies(path),
        *missing_folders(config),
        *collection.unknown_in_config(config, today),
        *collection.exam_lines(config, today),
    ]


class SettingsSaving(_Base):
    edit: ConfigDocument
    _problem: str
    _new_presets: list[str]
    _refused: dict[tuple[str, ...], str]  # keys whose edit the document refused -> why

    def refresh_all(self) -> None:
        raise NotImplementedError

    def _show_problem(self, message: str) -> None:
        raise NotImplementedError

    def _validate(self) -> str:
        raise NotImplementedError

    def _presets(self) -> list[str]:
        raise NotImplementedError

    def action_save(self) -> None:
        self._save(force=False)

    def _save(self, *, force: bool) -> bool:
        if self._refused:  # an edit the file could not take: saving the rest would say "saved"
            self._show_problem(f"{next(iter(self._refused.values()))} (nothing saved)")
            self.app.bell()
            return False
        try:
            config = self.edit.save(force=force)
        except ConfigChangedOnDisk:
            self._ask_changed_on_disk()
            return False
        except (ConfigError, ConfigEditError) as exc:
            self._show_problem(str(exc))
            self.app.bell()
            return False
        self._saved(config)
        return True

    def _saved(self, config: Config) -> None:
        from retain.ui.settings_apply import apply_config, keymap_warnings

        app = retain_app(self)
        keymap_said = config.keymap != app.config.keymap  # (apply_config says its warnings then)
        apply_config(app, config)
        self._new_presets = [n for n in self._new_presets if n not in self._presets()]
        self._validate()
        self.notify("Settings saved to config.toml and applied.", markup=False)
        warnings = start_warnings(app, self.edit.path, config)  # what `retain` will say at every start
        if not keymap_said:
            warnings += keymap_warnings(config.keymap)
        if warnings:
            said = "\n".join(line(w).plain for w in warnings)
            self.notify(said, title="Saved, but", severity="warning", markup=False)
            self._show_saved_but(warnings)

    def _show_saved_but(self, warnings: list[str]) -> None:
        """The warnings on the screen's status line too, a line each, until the next edit (a toast
        goes in seconds, and wraps a long line where a word breaks)."""
        from textual.widgets import Static

        parts: list[str | Content | tuple[str, str]] = [("⚠ Saved, but:", "bold $warning")]
        for warning in warnings:
            parts += ["\n", line(warning)]
        self.query_one("#settings-problem", Static).update(Content.assemble(*parts))

    def _ask_changed_on_disk(self) -> None:
        from retain.ui.screens.confirm import ChoiceScreen

        message = line(
            f"{self.edit.path.name} was changed on disk (another editor?) since the settings were opened."
        )
        choices = [
            ("merge", "Apply mine to theirs"),
            ("mine", "Overwrite with mine"),
            ("theirs", "Use theirs"),
            ("edit", "Keep editing"),
        ]
        self.app.push_screen(ChoiceScreen("config.toml changed on disk", message, choices), self._resolve)

    def _resolve(self, choice: str | None) -> None:
        if choice == "mine":
            self._save(force=True)
        elif choice == "merge":
            try:
                self.edit = self.edit.merged()
            except ConfigEditError as exc:
                self._show_problem(str(exc))
                return
            self.refresh_all()
            if not self._problem:
                self._save(force=False)
        elif choice == "theirs":
            self._reload()

    def _reload(self) -> None:
        """Drop the edits and show the file as it is now; the app takes it on if it loads."""
        try:
            self.edit = ConfigDocument.open(self.edit.path)
        except ConfigEditError as exc:
            self._show_problem(str(exc))
            return
        self.refresh_all()
        if not self._problem:
            from retain.ui.settings_apply import apply_config

            apply_config(retain_app(self), self.edit.validate())

    def action_close(self) -> None:
        if not self.edit.dirty:
            self.dismiss()
            return
        from retain.ui.screens.confirm import ChoiceScreen

        choices = [("save", "Save"), ("discard", "Discard"), ("edit", "Keep editing")]
        message = Content("The settings have unsaved changes.")
        self.app.push_screen(ChoiceScreen("Save the settings?", message, choices), self._close_choice)

    def _close_choice(self, choice: str | None) -> None:
        if choice == "discard" or (choice == "save" and self._save(force=False)):
            self.dismiss()
