"""Apply a changed config to the running app at once, and save the theme chosen from the palette.

`apply_config` is what "changes apply to the open session" means: the app's
`config`, the collection's (scheduling reads it on each question; a new
rollover hour re-dates the history; new deck folders are loaded and watched),
the theme and the keymap (with its conflicts said again).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from retain.store.config import Config, ConfigError
from retain.store.config_edit import ConfigEditError, save_value

if TYPE_CHECKING:
    from retain.ui.app import RetainApp

__all__ = ["apply_config", "keymap_warnings", "save_theme"]


def apply_config(app: RetainApp, config: Config) -> None:
    old = app.config
    app.config = config  # first: the theme watcher compares against it (no second save)
    if app.ready:
        folders_changed = config.deck_folders != app.collection.home.config.deck_folders
        app.collection.use_config(config)
        if folders_changed:
            if app.live_reload is not None:
                app.live_reload.stop()
            from retain.ui.live_reload import LiveReload

            app.live_reload = LiveReload(app.collection)
            app.live_reload.start(app)
    if config.theme != app.theme and config.theme in app.available_themes:
        app.theme = config.theme
    if config.keymap != old.keymap:
        app.set_keymap(dict(config.keymap))
        for warning in keymap_warnings(config.keymap):
            app.notify(warning, severity="warning", timeout=10, markup=False)


_SHOWN = 3  # unknown ids named in their line; lines said of bad keys, of conflicts
_LONG = 160  # characters of a line said of one binding at most (a value 100,000 characters long)
_ID = 60  # characters of an unknown id named


def keymap_warnings(keymap: dict[str, str]) -> list[str]:
    """One line for the unknown binding ids, one per key that is no key and per key taken twice
    on one screen; each kind capped, the rest counted ("and N more", as the other config
    warnings): a pasted [keymap] of 20,000 bogus ids filled the screen for 10 s."""
    if not keymap:
        return []
    from retain.ui.app import binding_sections
    from retain.ui.keymap_check import bad_key_lines, keymap_conflicts, unknown_ids

    sections = binding_sections()
    out: list[str] = []
    unknown = unknown_ids(sections, keymap)
    if unknown:
        named = ", ".join(_cut(i, _ID) for i in unknown[:_SHOWN])
        more = f" and {len(unknown) - _SHOWN} more" if len(unknown) > _SHOWN else ""
        out.append(f"config: [keymap] has unknown binding ids: {named}{more}")
    out += _capped(bad_key_lines(keymap), "keys that are not keys")
    out += _capped([f"conflict: {c.message()}" for c in keymap_conflicts(sections, keymap)], "conflicts")
    return out


def _capped(lines: list[str], what: str) -> list[str]:
    """`lines` as `config: [keymap] ...` warnings: the first few, then one counting the rest."""
    shown = [f"config: [keymap] {_cut(line)}" for line in lines[:_SHOWN]]
    if len(lines) > _SHOWN:
        shown.append(f"config: [keymap] and {len(lines) - _SHOWN} more {what}")
    return shown


def _cut(text: str, most: int = _LONG) -> str:
    return text if len(text) <= most else f"{text[:most]}..."


def save_theme(app: RetainApp, theme: str) -> None:
    """The theme picked from the command palette is written to config.toml (comments kept)."""
    path = app.collection.home.paths.config_file
    try:
        save_value(path, ("theme",), theme)
    except (ConfigError, ConfigEditError) as exc:
        app.notify(f"Theme not saved: {exc}", severity="warning", markup=False)
        return
    apply_config(app, dataclasses.replace(app.config, theme=theme))
