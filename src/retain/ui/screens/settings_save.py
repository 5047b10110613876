"""Saving the settings screen's document: validate, write, apply; ask when config.toml changed on disk.

`SettingsSaving` is mixed into `SettingsScreen` (screens/settings.py), which
provides `edit` (the `ConfigDocument`), `refresh_all` and `_show_problem`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.content import Content
from textual.screen import Screen

from retain.store.config import Config, ConfigError
from retain.store.config_edit import ConfigChangedOnDisk, ConfigDocument, ConfigEditError
from retain.ui.access import retain_app
from retain.ui.text import line

__all__ = ["SettingsSaving"]

if TYPE_CHECKING:
    _Base = Screen[None]
else:
    _Base = object


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
        from retain.ui.settings_apply import apply_config

        apply_config(retain_app(self), config)
        self._new_presets = [n for n in self._new_presets if n not in self._presets()]
        self._validate()
        self.notify("Settings saved to config.toml and applied.", markup=False)
        if config.warnings:  # what `retain` will say at every start (a preset no deck uses, ...)
            said = "\n".join(line(w).plain for w in config.warnings)
            self.notify(said, title="Saved, but", severity="warning", markup=False)

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
