"""The deck options presets of a retain `.apkg`: each deck's own settings, marked as retain's.

Anki reads a (re)learning card's `left` (its steps still to go) against its deck's preset, and so
does the import back into retain (`deck_options.deck_steps`); the exporter counts it against the
deck's retain settings. So the package gives each deck a preset of those settings
(`apkg_schema.settings_conf`): Anki's import with "Import deck presets" adds it, named
`retain: PRESET` (Anki adds a preset it does not have and never changes one it has: the id comes
from the settings, so changed settings are a preset of their own, and the same settings the same
one), and the deck studies there as in retain. Each preset carries `deck_options.made_mark` of its
values (`MADE_KEY`), which Anki keeps: an import of the package with `--with-history`, straight or
after a round through Anki that left the preset as it was, takes no "Anki:" preset from it. The
parent decks Anki makes of a group, which hold no cards, keep Anki's Default (id 1).
"""

from __future__ import annotations

import hashlib
from typing import Any

from retain.core.settings import StudySettings
from retain.interop.anki.apkg_schema import deck_conf, settings_conf
from retain.interop.anki.deck_options import MADE_KEY, made_mark, options_from_json

__all__ = ["DeckConfs"]

_FIRST_ID = 1_000_000_000_000  # ids below every Anki preset's own (a creation time in ms, 2006 on)
_ID_SPAN = 10**11


class DeckConfs:
    """The package's presets: Anki's stock Default (id 1) and one per set of deck settings."""

    def __init__(self, now_s: int) -> None:
        self.now_s = now_s
        self.confs: dict[int, dict[str, Any]] = {1: deck_conf(now_s)}
        self.ids: dict[StudySettings, int] = {}  # (a group's decks mostly share their settings)

    def conf_id(self, settings: StudySettings) -> int:
        """The id of the preset of `settings` (added on first use)."""
        if settings in self.ids:
            return self.ids[settings]
        name = f"retain: {settings.preset}"
        conf = settings_conf(0, name, settings, self.now_s)
        mark = made_mark(options_from_json(conf))
        digest = hashlib.sha1(f"{name}\0{mark}".encode()).hexdigest()
        conf_id = _FIRST_ID + int(digest[:15], 16) % _ID_SPAN
        self.confs.setdefault(conf_id, conf | {"id": conf_id, MADE_KEY: mark})
        self.ids[settings] = conf_id
        return conf_id

    def dconf(self) -> dict[str, dict[str, Any]]:
        """The collection's `dconf` column: the presets by id."""
        return {str(conf_id): conf for conf_id, conf in self.confs.items()}
