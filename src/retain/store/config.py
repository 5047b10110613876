"""`config.toml`: study settings, presets, per-deck overrides, extra deck folders, theme, keymap.

Scheduling settings resolve in layers: `[study]` (global defaults), then the
deck's preset `[presets.NAME]` (`default` for decks that name none), then the
deck's own `[decks.ID]` keys. A preset may hold `parameters`, the 21 FSRS-6
weights `retain optimize` writes. `[groups."NAME"]` caps what a group's decks
introduce and review together in a day (`Config.group_limits`, `core.due.capped_by_groups`). A deck naming a missing preset, or a preset no
deck uses, is a warning (`Config.warnings`), never an error: the default is used.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from retain.core.deckwrite import toml_key
from retain.core.settings import DEFAULT_PRESET, GroupLimit, StudySettings, parameters_problem
from retain.core.tomlsafe import TomlFailure, loads_safe
from retain.store.config_error import ConfigError
from retain.store.files import (
    MAX_CONFIG_BYTES,
    ReadError,
    conflict_copy_of,
    conflict_marker_line,
    read_text_limited,
)
from retain.store.files import read_only as files_read_only
from retain.store.inplace import finish_in_place_write
from retain.store.paths import user_path

if TYPE_CHECKING:
    from retain.core.exam import ExamSetting

__all__ = [
    "TOP_LEVEL_KEYS",
    "Config",
    "ConfigError",
    "StudySettings",
    "conflict_copies",
    "load_config",
    "marker_problem",
    "parse_duration",
    "read_only",
    "table_name",
]

_DUR_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_STEP_RANGE = (1.0, 30 * 86400.0)  # seconds: what the steps' message promises ("from 1s to 30d")
_MAX_STEPS = 20  # learning or relearning steps in one list
_SHOWN = 60  # characters of a bad value in a message (a 4000-digit integer is still one short line)
# The keys and tables config.toml may hold at its top level (docs/settings.md shows each one).
TOP_LEVEL_KEYS = (
    "rollover_hour",
    "learn_ahead_minutes",
    "theme",
    "deck_folders",
    "study",
    "presets",
    "decks",
    "keymap",
    "exam",
    "groups",
)
_GROUP_KEYS = ("new_per_day", "reviews_per_day")


def _seconds(value: str) -> float:
    """Seconds of a duration like "10m" (inf when too large for a float); ValueError(value) if malformed."""
    m = _DUR_RE.match(value)
    if not m:
        raise ValueError(value)
    return float(m[1]) * _UNITS[m[2]]


def parse_duration(value: str) -> timedelta:
    """A duration like "10m"; ValueError(value) when malformed or too large for a timedelta."""
    try:
        return timedelta(seconds=_seconds(value))
    except OverflowError:
        raise ValueError(value) from None


def _shown(value: Any) -> str:
    """A bad value for a message: short, and never the repr of a huge integer (slow, or refused)."""
    text = repr(value) if not isinstance(value, int) or abs(value) < 10**_SHOWN else "a huge number"
    return text if len(text) <= _SHOWN else f"{text[:_SHOWN]}..."


@dataclass(frozen=True, slots=True)
class Config:
    study: StudySettings = field(default_factory=StudySettings)
    deck_overrides: dict[str, StudySettings] = field(default_factory=dict)
    rollover_hour: int = 4
    deck_folders: tuple[Path, ...] = ()
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)
    learn_ahead_minutes: int = 20
    exams: dict[str, ExamSetting] = field(default_factory=dict)  # [exam.<deck or group>] (exam_config)
    presets: dict[str, StudySettings] = field(default_factory=dict)  # name -> settings ("default" too)
    warnings: tuple[str, ...] = ()  # one line each: missing or unused presets
    groups: dict[str, GroupLimit] = field(default_factory=dict)  # [groups."NAME"], by `group_key`

    @property
    def scheduling(self) -> tuple[object, ...]:
        """What an open study session is built from (settings, day, exams): equal for two
        configs that schedule alike, so a theme or keymap saved mid-session rebuilds nothing."""
        return (
            self.study,
            self.presets,
            self.deck_overrides,
            self.rollover_hour,
            self.learn_ahead_minutes,
            self.exams,
            self.groups,
        )

    def for_deck(self, deck_id: str) -> StudySettings:
        found = self.deck_overrides.get(deck_id)
        if found is not None:
            return found
        return self.presets.get(DEFAULT_PRESET, self.study)

    def group_limits(self, decks: Iterable[tuple[str, ...]]) -> dict[str, GroupLimit]:
        """Deck id -> the `[groups]` limits of its nearest group that has them, given the
        library's (deck id, group[, deck name]) triples; decks under no group with limits are
        left out. A group holds the groups under it, as Anki nests decks (`[groups.Lang]` holds
        `Lang::Spanish`'s decks, and the deck "Spanish" of group "Lang", Anki's parent deck
        `Lang::Spanish` with cards of its own, when a name is given: `store.group_tree`); a
        limit inside another's is a `core.due.NestedLimit` whose `parent` is the enclosing
        one's. Each limit is named as the deck list names its group (`[groups.interview]` for
        group "Interview": "Interview's daily limit reached"), else as its subgroups spell it,
        one object per group."""
        if not self.groups:
            return {}
        from retain.store.group_tree import limit_owners

        return limit_owners(self.groups, decks)

    def preset(self, name: str) -> StudySettings:
        """A preset's settings (the default preset for an unknown name)."""
        return self.presets.get(name) or self.presets.get(DEFAULT_PRESET, self.study)


def _num(key: str, value: Any, lo: float, hi: float, *, integer: bool) -> Any:
    ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
    if isinstance(value, bool) or not ok_type or not (lo <= value <= hi):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"config: `{key}` must be {kind} from {lo:g} to {hi:g}, got {_shown(value)}")
    return value


def _steps(key: str, value: Any) -> tuple[timedelta, ...]:
    if not isinstance(value, list):
        raise ConfigError(f'config: `{key}` must be a list of durations like ["1m", "10m"]')
    if len(value) > _MAX_STEPS:
        raise ConfigError(f"config: `{key}` holds {len(value)} steps; at most {_MAX_STEPS}")
    try:
        seconds = [_seconds(v) for v in value if isinstance(v, str)]
    except ValueError as exc:
        raise ConfigError(
            f'config: `{key}` has {_shown(exc.args[0])}; use s, m, h or d, like "10m"'
        ) from None
    lo, hi = _STEP_RANGE
    # checked as numbers before any timedelta is made: a huge step would overflow timedelta
    if len(seconds) != len(value) or not all(lo <= s <= hi for s in seconds):
        raise ConfigError(f'config: `{key}` must hold durations from 1s to 30d, like ["1m", "10m"]')
    return tuple(timedelta(seconds=s) for s in seconds)


def _parameters(key: str, value: Any) -> tuple[float, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"config: `{key}` must be a list of 21 numbers (written by `retain optimize`)")
    problem = parameters_problem(value)
    if problem is not None:
        raise ConfigError(f"config: `{key}` {problem}")
    return tuple(float(v) for v in value)


def _study(prefix: str, raw: dict[str, Any], base: StudySettings) -> StudySettings:
    changes: dict[str, Any] = {}
    for key, value in raw.items():
        name = f"{prefix}{key}"
        if key == "desired_retention":
            changes[key] = float(_num(name, value, 0.7, 0.99, integer=False))
        elif key in ("new_per_day", "reviews_per_day"):
            changes[key] = _num(name, value, 0, 9999, integer=True)
        elif key in ("learning_steps", "relearning_steps"):
            changes[key] = _steps(name, value)
        elif key == "maximum_interval":
            changes[key] = _num(name, value, 1, 36500, integer=True)
        elif key == "leech_threshold":
            changes[key] = _num(name, value, 0, 99, integer=True)  # 0: leeches off
        elif key == "fuzz":
            if not isinstance(value, bool):
                raise ConfigError(f"config: `{name}` must be true or false")
            changes[key] = value
        elif key == "parameters":
            changes[key] = _parameters(name, value)
        elif key == "leech_action":
            if value not in ("tag", "suspend"):
                raise ConfigError(f'config: `{name}` must be "tag" or "suspend", got {_shown(value)}')
            changes[key] = value
        else:
            raise ConfigError(f"config: unknown setting `{name}`")
    return dataclasses.replace(base, **changes)


def parse_config(text: str, *, base: Path | None = None) -> Config:
    """The config `text` holds; ConfigError (one line) when it is invalid. A relative
    `deck_folders` entry is taken from `base`, the folder config.toml is in (None: the home's,
    `get_paths().config_dir`, which is where the text is read from and saved to), never from
    the folder retain was started in."""
    try:
        return _parse_config(text, base)
    except OverflowError as exc:  # a number no check above foresaw: still one line, not a traceback
        raise ConfigError(f"config: a number is too large ({exc})") from None


def marker_problem(text: str) -> str:
    """`config.toml:N:1: unresolved merge conflict ...` when a merge left its markers in `text`
    (before any TOML error, which would only say "Invalid statement"), else ""."""
    line = conflict_marker_line(text)
    if line is None:
        return ""
    return (
        f"config.toml:{line}:1: unresolved merge conflict (a `<<<<<<<` marker at line {line}); "
        "keep one side of each conflict and delete the marker lines"
    )


def _parse_config(text: str, base: Path | None) -> Config:
    said = marker_problem(text)
    if said:
        raise ConfigError(said)
    data = loads_safe(text)
    if isinstance(data, TomlFailure):
        raise ConfigError(f"config.toml:{data.line}:{data.col}: {data.message}")
    study_raw = data.get("study", {})
    if not isinstance(study_raw, dict):
        raise ConfigError("config: [study] must be a table")
    study = _study("study.", study_raw, StudySettings())
    presets = _presets(data.get("presets", {}), study)
    overrides: dict[str, StudySettings] = {}
    warnings: list[str] = []
    decks_raw = data.get("decks", {})
    if not isinstance(decks_raw, dict):
        raise ConfigError("config: [decks] must be a table of per-deck settings")
    used: set[str] = set()
    undefined: dict[str, list[str]] = {}  # preset name -> the decks that name it
    for deck_id, raw in decks_raw.items():
        if not isinstance(raw, dict):
            raise ConfigError(f"config: [decks.{deck_id}] must be a table")
        raw = dict(raw)
        name = raw.pop("preset", DEFAULT_PRESET)
        if not isinstance(name, str):
            raise ConfigError(f'config: `decks.{deck_id}.preset` must be a preset name, like "default"')
        used.add(name)
        if name not in presets:
            undefined.setdefault(name, []).append(deck_id)
            name = DEFAULT_PRESET
        overrides[deck_id] = _study(f"decks.{deck_id}.", raw, presets[name])
    warnings += [_undefined_preset(name, decks) for name, decks in undefined.items()]
    for name in presets:
        if name != DEFAULT_PRESET and name not in used:
            warnings.append(f"config: preset {name!r} is not used by any deck")
    hour = _num("rollover_hour", data.get("rollover_hour", 4), 0, 23, integer=True)
    ahead = _num("learn_ahead_minutes", data.get("learn_ahead_minutes", 20), 0, 1440, integer=True)
    folders = data.get("deck_folders", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) for f in folders):
        raise ConfigError('config: `deck_folders` must be a list of paths, like ["~/decks"]')
    if not all(f.strip() for f in folders):  # "" would be the folder retain was started in
        raise ConfigError('config: `deck_folders` holds an empty path; name a folder, like "~/decks"')
    theme = data.get("theme", "textual-dark")
    if not isinstance(theme, str):
        raise ConfigError("config: `theme` must be a theme name string")
    keymap = data.get("keymap", {})
    if not isinstance(keymap, dict):
        raise ConfigError('config: [keymap] maps binding ids to keys, like "review.reveal" = "space"')
    for binding_id, keys in keymap.items():
        if isinstance(keys, dict):  # `review.reveal = "space"`: TOML reads the dots as tables
            raise ConfigError(
                f'config: [keymap] binding ids hold a dot, so quote them: "{binding_id}.'
                f'{next(iter(keys), "reveal")}" = "space", not {binding_id}.{next(iter(keys), "reveal")} = ...'
            )
        if not isinstance(keys, str):
            raise ConfigError(
                f'config: [keymap] {binding_id} must be its keys in one string, like "space,enter", '
                f"got {_shown(keys)}"
            )
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            raise ConfigError(f"config: unknown setting `{key}`")
    from retain.store.exam_config import parse_exams

    try:
        exams = parse_exams(data.get("exam", {}))
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    groups = _groups(data.get("groups", {}))
    return Config(
        groups=groups,
        exams=exams,
        study=study,
        deck_overrides=overrides,
        rollover_hour=hour,
        deck_folders=_deck_folders(folders, base),
        theme=theme,
        keymap=dict(keymap),
        learn_ahead_minutes=ahead,
        presets=presets,
        warnings=tuple(warnings),
    )


def _deck_folders(entries: list[str], base: Path | None) -> tuple[Path, ...]:
    """The `deck_folders` entries as folders: `~` expanded, a relative one taken from `base` (as
    git and ssh read a relative path in their config files), in full, without `.` or `..`
    (`_without_dots`). An entry that no path can be (a NUL character) is a ConfigError naming
    it; one the system refuses to look at (a name too long) is a warning, as a missing folder
    is (`missing_folders`)."""
    out: list[Path] = []
    for entry in entries:
        if "\x00" in entry:
            from retain.store.oserror import quoted_name

            shown = entry if len(entry) <= _SHOWN else f"{entry[:_SHOWN]}..."
            raise ConfigError(
                f"config: `deck_folders` entry {quoted_name(shown)} holds a NUL character (\\u0000), "
                "which no path can hold; remove it"
            )
        path = user_path(entry, "config: `deck_folders` entry")
        if not path.is_absolute():
            if base is None:
                from retain.store.paths import get_paths

                base = get_paths().config_dir
            base = Path(os.path.abspath(base))  # (a relative RETAIN_HOME: fixed once, here)
            path = base / path
        out.append(_without_dots(path))
    return tuple(out)


def _without_dots(path: Path) -> Path:
    """The absolute `path` without `..` (pathlib drops `.`), as the system reads it: `..` is the
    parent of the real folder before it, so after a link it is the folder holding the link's
    target (`~/retain/..`, `~/retain` a link to `~/sync/retain-data`: `~/sync`, where config.toml
    is; the same folder the path led to before it was written out). The path keeps its
    spelling, links and all, wherever that names the same folder."""
    if ".." not in path.parts:
        return path
    at = Path(path.anchor)
    for part in path.parts[1:]:
        if part != "..":
            at = at / part
            continue
        try:
            real = Path(os.path.realpath(at)).parent
        except (OSError, ValueError):
            real = at.parent
        at = at.parent if _same_folder(at.parent, real) else real
    return at


def _same_folder(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False


def _presets(raw: Any, study: StudySettings) -> dict[str, StudySettings]:
    """Each `[presets.NAME]` over `[study]`; "default" is always there."""
    if not isinstance(raw, dict):
        raise ConfigError("config: [presets] must be a table of named presets, like [presets.default]")
    out = {DEFAULT_PRESET: dataclasses.replace(study, preset=DEFAULT_PRESET)}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ConfigError(f"config: [presets.{toml_key(name)}] must be a table")
        if "preset" in table:
            raise ConfigError(f"config: unknown setting `presets.{toml_key(name)}.preset`")
        out[name] = _study(f"presets.{toml_key(name)}.", table, dataclasses.replace(study, preset=name))
    return out


def _groups(raw: Any) -> dict[str, GroupLimit]:
    """`[groups."NAME"]` tables -> the group's limits, by the group's name as compared."""
    from retain.core.model import group_key, group_label

    if not isinstance(raw, dict):
        raise ConfigError('config: [groups] must hold tables like [groups."Interview"] with new_per_day = 30')
    out: dict[str, GroupLimit] = {}
    for name, table in raw.items():
        where = f"groups.{table_name(name)}"
        if not isinstance(table, dict):
            raise ConfigError(f"config: [{where}] must be a table, like new_per_day = 30")
        values: dict[str, int] = {}
        for key, value in table.items():
            if key not in _GROUP_KEYS:
                raise ConfigError(
                    f"config: unknown setting `{where}.{_shown(key)[1:-1]}`; use new_per_day and reviews_per_day"
                )
            values[key] = _num(f"{where}.{key}", value, 0, 9999, integer=True)
        key = group_key(name)
        if key in out:
            raise ConfigError(
                f"config: [groups.{table_name(out[key].name)}] and [{where}] name one group "
                f"({group_label(name)!r}: names match in any case and spacing); keep one"
            )
        out[key] = GroupLimit(key, name, values.get("new_per_day"), values.get("reviews_per_day"))
    return out


def table_name(name: str) -> str:
    """A group's name as a TOML table key: bare when it can be, else quoted (`"Distributed Systems"`)."""
    if name and re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return name
    import json  # (only for a message: not on the launch path)

    text = name if len(name) <= _SHOWN else f"{name[:_SHOWN]}..."
    return json.dumps(text, ensure_ascii=False)  # (a TOML basic string: control characters escaped)


def _undefined_preset(name: str, decks: list[str]) -> str:
    """One line for every deck naming the undefined preset `name` (40,000 decks: still one)."""
    if len(decks) == 1:
        return f"config: deck {decks[0]!r} uses preset {name!r}, which is not defined; using default"
    shown = ", ".join(repr(d) for d in decks[:3])
    more = f" and {len(decks) - 3} more" if len(decks) > 3 else ""
    return f"config: decks {shown}{more} use preset {name!r}, which is not defined; using default"


def unknown_decks(
    config: Config, decks: Sequence[tuple[str, str]], *, passed: date | None = None
) -> list[str]:
    """Lines for config tables naming nothing in the library, given its (deck id, group) pairs:
    `[decks.ID]` naming no deck (a typo, or a deck since removed: its settings apply to nothing,
    so a limit set there seems ignored), `[groups.NAME]` naming no group (in any case and
    spacing), and `[exam.NAME]` naming no deck id or group (with
    `passed`, today: not an exam whose date has passed, which is said as such). A group is
    also one that holds only groups (`Lang` of `Lang::Spanish`), as Anki nests decks."""
    import difflib  # (to suggest a name: not imported on every start)

    from retain.core.model import group_key
    from retain.store.exam_config import exam_table

    ids = {deck_id for deck_id, _group in decks}
    lines: list[str] = []
    missing = sorted(set(config.deck_overrides) - ids)
    if len(missing) == 1:
        close = difflib.get_close_matches(missing[0], sorted(ids), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        lines.append(
            f"config: [decks.{missing[0]}] names no deck in the library{hint}; its settings apply to nothing"
        )
    elif missing:
        shown = ", ".join(f"[decks.{d}]" for d in missing[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        lines.append(f"config: {shown}{more} name no deck in the library; their settings apply to nothing")
    from retain.core.grouptree import GroupTree

    tree = GroupTree(decks)
    for key, limit in config.groups.items():
        if key not in tree.keys:
            close = difflib.get_close_matches(key, sorted(tree.keys), n=1)
            hint = f" (did you mean {tree.spelled[close[0]]!r}?)" if close else ""
            lines.append(
                f"config: [groups.{table_name(limit.name)}] names no group in the library{hint}; "
                "its limits apply to nothing"
            )
    for name, exam in config.exams.items():
        if passed is not None and exam.day < passed:
            continue
        if name not in ids and group_key(name) not in tree.keys:
            lines.append(f"config: {exam_table(name)} names no deck id or group in the library")
    return lines


def missing_folders(config: Config) -> list[str]:
    """One line per `deck_folders` entry that is no folder (a typo made its decks vanish without
    a word)."""
    lines: list[str] = []
    for folder in config.deck_folders:
        try:
            if folder.is_dir():
                continue
            what = "is not a folder" if folder.exists() else "does not exist"
        except OSError as exc:  # (a name too long for the system)
            from retain.store.oserror import os_error_text

            what = f"cannot be looked at ({os_error_text(exc, name=False)})"
        from retain.store.oserror import quoted_name

        lines.append(f"config: `deck_folders` entry {quoted_name(folder)} {what}; no decks are read from it")
    return lines


def conflict_copies(path: Path) -> list[str]:
    """One line per sync tool's conflict copy beside config.toml (`config.sync-conflict-….toml`,
    `config (conflicted copy ….).toml`): retain reads only config.toml, so the settings in a copy
    are not used until someone puts them there."""
    try:
        names = sorted(
            p.name
            for p in path.parent.iterdir()
            if p.suffix == path.suffix and conflict_copy_of(p) == path.name and p.name.isprintable()
        )
    except OSError:
        return []
    return [
        f"config: {name} is a sync tool's conflict copy of {path.name}; its settings are not used "
        f"(copy what you want into {path.name}, then delete it)"
        for name in names
    ]


def load_config(path: Path) -> Config:
    """Defaults when the file is missing; ConfigError when it is unreadable or invalid. A conflict
    copy beside it is a warning (`conflict_copies`), and so is a save into it that a kill cut
    short, put right first (`inplace.finish_in_place_write`)."""
    finished = finish_in_place_write(path)
    copies = [*([f"config: {finished}"] if finished else []), *conflict_copies(path)]
    if not path.exists():
        return Config(warnings=(*_dangling(path), *copies))
    config = _load_config(path)
    return dataclasses.replace(config, warnings=config.warnings + tuple(copies)) if copies else config


def _dangling(path: Path) -> tuple[str, ...]:
    """A config.toml that is a symbolic link to nothing (a dotfiles checkout not there): said, since
    the defaults are used instead of the settings the user keeps there."""
    try:
        target = os.readlink(path)
    except OSError:
        return ()
    try:
        os.path.realpath(path, strict=True)
    except FileNotFoundError:
        pass
    except OSError:  # (ELOOP: a link back to itself, through any chain)
        return (f"config: {path} is a symbolic link loop (through {target}); using the default settings",)
    else:
        return ()  # (it resolves: not dangling, whatever the first link says)
    last = os.path.realpath(path)  # the chain followed as far as it goes: the missing name at its end
    return (f"config: {path} is a symbolic link to {last}, which does not exist; using the default settings",)


def read_only(path: Path) -> str:
    """Why config.toml at `path` must not be rewritten: "" when it may be (`files.read_only`, which
    every write of a file a person keeps checks); checked before every write of it."""
    return files_read_only(path, to="to save settings", unsaved="settings are not saved")


def _load_config(path: Path) -> Config:
    try:
        text = read_text_limited(path, MAX_CONFIG_BYTES)
    except ReadError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        return parse_config(text, base=path.parent)
    except ConfigError as exc:
        said = str(exc)
        if said.startswith("config.toml:"):  # a place in the file: `<path>:line:col: ...`, once
            raise ConfigError(f"{path}{said.removeprefix('config.toml')}") from None
        raise ConfigError(f"{path}: {said}") from None
