"""Put the imported decks' options presets (`Bundle.presets`) into config.toml.

Only the learner's own progress brings them (`retain import --with-history`). For each deck of
the plan whose preset would change what it studies with, `[presets."<name>"]` gets the keys
that differ from `[study]` (a named preset inherits `[study]`; a key of `[presets.default]`
the preset does not set is carried over, so the deck loses nothing it had), and
`[decks.<id>] preset = "<name>"` points the deck at it. A preset that changes nothing for the
deck (Anki's defaults are retain's) writes nothing. A deck's own Anki options (`Bundle.deck_limits`,
"This deck": limits and desired retention) go into its `[decks.<id>]` table, where they differ from what its preset gives. A deck with a `[decks.<id>]` table of its
own is never changed; an existing `[presets.X]` of that name with other settings is never
overwritten: the preset takes the next free name (`Anki: Default (2)`); one with the same
settings is used as it is. So importing the same package again writes nothing.

The edit goes through `store.config_edit.ConfigDocument` (comments, CRLF and a BOM kept; the
text is checked by the config loader before it replaces the file, atomically). What is set is
said in one line: `settings: preset "Anki: Default" for 3 decks (config.toml)`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomli_w

from retain.core.settings import DEFAULT_PRESET, StudySettings
from retain.interop.bundle import DeckPreset
from retain.interop.importer import ImportPlan
from retain.store.config import Config, ConfigError, parse_config
from retain.store.config_edit import ConfigChangedOnDisk, ConfigDocument, ConfigEditError, Keys

__all__ = ["SettingsChange", "SettingsSaved", "plan_settings", "save_settings"]

_TRIES = 50  # names tried for one preset: `Anki: X`, `Anki: X (2)`, ...


@dataclass(slots=True)
class SettingsChange:
    """What the import sets in config.toml (`edit` holds it, not saved yet)."""

    path: Path
    edit: ConfigDocument | None = None
    decks: dict[str, list[str]] = field(default_factory=dict)  # preset name -> deck ids set to it
    kept: list[str] = field(default_factory=list)  # decks whose own `[decks.ID]` stays as it is
    limits: list[str] = field(default_factory=list)  # decks given options of their own (`[decks.ID]`)
    problem: str = ""  # why config.toml cannot be changed ('' when it can)

    def line(self, *, dry_run: bool = False) -> str:
        """`settings: preset "Anki: Default" for 3 decks (config.toml)` (a dry run: `would set
        preset ...`); '' when there is nothing to say."""
        parts = [f'preset "{name}" for {_decks(len(ids))}' for name, ids in self.decks.items()]
        if self.limits:
            parts.append(f"options of its own for {_listed(self.limits)}")
        if self.kept:
            verb = "would keep" if dry_run else "kept"
            whose = "its" if len(self.kept) == 1 else "their"
            parts.append(f"{_decks(len(self.kept))} {verb} {whose} own settings ({_names(self.kept)})")
        if not parts:
            return ""
        head = "would set" if dry_run and (self.decks or self.limits) else "settings:"
        return f"{head} {', '.join(parts)} ({self.path.name})"


def _decks(n: int) -> str:
    return f"{n} deck{'s' * (n != 1)}"


def _names(ids: list[str]) -> str:
    """`a, b, c and 2 more`."""
    return ", ".join(ids[:3]) + (f" and {len(ids) - 3} more" if len(ids) > 3 else "")


def _listed(ids: list[str]) -> str:
    """`1 deck (spanish)`, `5 decks (a, b, c and 2 more)`."""
    return f"{_decks(len(ids))} ({_names(ids)})"


def plan_settings(plan: ImportPlan, path: Path, text: str | None = None) -> SettingsChange:
    """The change the plan's presets make to config.toml at `path` (`problem` when it cannot);
    `text`: the file as a folder's earlier files would leave it (a dry run's), instead of as it is."""
    change = SettingsChange(path)
    presets, limits = plan.bundle.presets, plan.bundle.deck_limits
    if not plan.bundle.has_settings:
        return change
    try:
        edit = ConfigDocument.open(path) if text is None else ConfigDocument(path, text)
        config = edit.validate()
    except (ConfigEditError, ConfigError) as exc:
        change.problem = str(exc)
        return change
    names: dict[str, str] = {}  # preset key -> the name it is written (or found) under
    tables: dict[str, dict[str, object]] = {}  # preset key -> its `[presets.NAME]` keys
    made: dict[str, StudySettings | None] = {}  # preset key -> what it schedules with
    edits: list[tuple[Keys, object]] = []  # (place, value) for `ConfigDocument.set`
    for read, planned in zip(plan.bundle.decks, plan.decks, strict=False):
        preset, own = presets.get(read.id), limits.get(read.id, {})
        if preset is None and not own:
            continue
        deck_id = planned.deck.id
        if preset is not None and preset.key not in tables:
            tables[preset.key] = _table(preset, config, edit)
            made[preset.key] = _settings(edit, tables[preset.key])
        table = tables[preset.key] if preset is not None else {}
        settings = made[preset.key] if preset is not None else _settings(edit, {})
        wanted = _settings(edit, table, own) if own else settings
        if settings is None or wanted is None:
            continue  # (retain's loader refused the whole: never the case for checked values)
        now = config.for_deck(deck_id)
        if _same(wanted, now):
            continue  # the deck studies so already (retain's defaults, or set by an import before)
        if isinstance(edit.get(("decks", deck_id)), dict) and edit.get(("decks", deck_id)):
            change.kept.append(deck_id)
            continue
        use_preset = preset is not None and not _same(settings, now)
        if use_preset:
            assert preset is not None
            name = names.get(preset.key) or _name(preset, settings, config, set(names.values()))
            if name is None:
                continue
            if preset.key not in names:
                names[preset.key] = name
                if name not in config.presets:
                    edits += [(("presets", name, k), v) for k, v in table.items()] or [
                        (("presets", name), {})
                    ]
            edits.append((("decks", deck_id, "preset"), name))
            change.decks.setdefault(name, []).append(deck_id)
        base = settings if use_preset else now
        mine = [(k, v) for k, v in own.items() if getattr(base, k) != v]  # (as its preset has it: left)
        edits += [(("decks", deck_id, k), v) for k, v in mine]
        if mine:
            change.limits.append(deck_id)
    if edits:
        try:
            edit.set_many(edits)
        except ConfigEditError as exc:
            change.problem = str(exc)
            return change
        change.edit = edit
    return change


@dataclass(frozen=True, slots=True)
class SettingsSaved:
    """What `save_settings` did: `line` says what was set ('' for nothing), `warning` why nothing
    could be written ('' when it could), `config` the file as saved (None: unchanged), for a
    running app to apply (`ui.settings_apply.apply_config`)."""

    line: str = ""
    warning: str = ""
    config: Config | None = None


def save_settings(plan: ImportPlan, path: Path) -> SettingsSaved:
    """Set the plan's presets in config.toml. A file changed while it was read is read again."""
    for _attempt in range(2):
        change = plan_settings(plan, path)
        if change.problem:
            return SettingsSaved(warning=f"settings not written: {change.problem}")
        if change.edit is None:
            return SettingsSaved(change.line())
        try:
            config = change.edit.save()
        except ConfigChangedOnDisk:
            continue
        except (ConfigEditError, ConfigError) as exc:
            return SettingsSaved(warning=f"settings not written: {exc}")
        return SettingsSaved(change.line(), "", config)
    return SettingsSaved(warning=f"settings not written: {path.name} kept changing while it was written")


def _table(preset: DeckPreset, config: Config, edit: ConfigDocument) -> dict[str, object]:
    """The `[presets.NAME]` keys: the preset's values that differ from `[study]`, and the keys of
    `[presets.default]` it does not set (the deck had them)."""
    table: dict[str, object] = {}
    default = edit.get(("presets", DEFAULT_PRESET))
    if isinstance(default, dict):
        table.update({k: v for k, v in default.items() if k not in preset.values})
    for key, value in preset.values.items():
        alone = _settings(edit, {key: value})
        if alone is None or getattr(alone, key) != getattr(config.study, key):
            table[key] = value
    return table


def _settings(
    edit: ConfigDocument, table: dict[str, object], own: dict[str, object] | None = None
) -> StudySettings | None:
    """What a deck with a preset of `table` over this file's `[study]`, and `own` settings of its
    own (`[decks.ID]`), schedules with (None: refused)."""
    study = edit.get(("study",))
    data: dict[str, Any] = {"presets": {"x": table}, "decks": {"d": {"preset": "x", **(own or {})}}}
    if isinstance(study, dict):
        data["study"] = study
    try:
        return parse_config(tomli_w.dumps(data)).for_deck("d")
    except (ConfigError, TypeError, ValueError):
        return None


def _same(a: StudySettings, b: StudySettings) -> bool:
    return dataclasses.replace(a, preset="") == dataclasses.replace(b, preset="")


def _name(preset: DeckPreset, settings: StudySettings, config: Config, taken: set[str]) -> str | None:
    """The preset's name in config.toml: its own, or the first `NAME (n)` that is free; a preset
    there already with the same settings is used as it is."""
    for n in range(1, _TRIES + 1):
        name = preset.name if n == 1 else f"{preset.name} ({n})"
        if name in taken:
            continue
        found = config.presets.get(name)
        if found is None or _same(found, settings):
            return name
    return None
