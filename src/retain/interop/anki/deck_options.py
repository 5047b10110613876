"""Anki's deck options presets, read as retain study settings (`retain import --with-history`).

Each Anki deck names an options preset: in the legacy schema (11) the deck's `conf` is a key of
the JSON object `col.dconf`; in the current one (18) the deck's `kind` blob holds it (`Normal`,
field 1) and the `deck_config` table holds the preset, its `config` a protobuf
`DeckConfig.Config` (field numbers from Anki's `deck_config.proto`, read by `protowire`).

What both programs have is taken: new cards and reviews a day, learning and relearning steps,
desired retention, maximum interval, leech threshold and action, and the FSRS-6 weights (21 of
them: retain's `parameters` holds those; Anki's FSRS-4.5 and FSRS-5 weights are said and left
out). Each value goes through retain's own config loader before it is kept, so a value retain
would refuse (out of its range, the wrong type) is left out with one warning line naming the
preset and the key; the package is a stranger's file, so nothing in it stops the import.
Anki keeps "FSRS on" for the whole collection and leaves it out of `.apkg` exports: weights are
taken unless the package says FSRS is off (a preset has weights only once they were fitted).

A retain package's presets are its decks' own retain settings (`apkg_deckconf`), each marked with a
hash of its values (`MADE_KEY`, a key Anki keeps, in the legacy JSON and in the protobuf's `other`
JSON): no Anki preset, so never taken, straight or through Anki, while Anki has them unchanged; one
edited in Anki is Anki's. Earlier versions wrote Anki's stock Default (`apkg_schema.deck_conf`),
unmarked, recognised as it is. Whoever wrote it, a deck's preset in the package holds the steps its
(re)learning cards' `left` counts against (`deck_steps`).
"""

from __future__ import annotations

import hashlib
import json
import math
import struct
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import tomli_w

from retain.core.settings import PARAMETER_COUNT, StudySettings
from retain.interop.anki import jsontext
from retain.interop.anki.ankidb import AnkiDb
from retain.interop.anki.apkg_schema import deck_conf
from retain.interop.anki.protowire import read_fields
from retain.interop.bundle import DeckPreset
from retain.interop.errors import InteropError
from retain.store.config import ConfigError, parse_config

__all__ = [
    "MADE_KEY",
    "MAX_BLOB",
    "deck_limits",
    "deck_presets",
    "deck_steps",
    "made_mark",
    "options_from_blob",
    "options_from_json",
    "preset_name",
    "to_values",
]

MAX_BLOB = 64 * 1024  # one preset's protobuf (Anki's are ~300 bytes)
MAX_DCONF = 16 * 1024 * 1024  # the legacy JSON of every preset (~1 kB each)
_MAX_LIST = 1000  # numbers read of one list (retain takes at most 20 steps, 21 weights)
_NAME_CHARS = 50
_INT64 = 2**63

# Anki's DeckConfig.Config fields: number -> retain key (steps and weights are packed float32s)
_VARINTS = {9: "new_per_day", 10: "reviews_per_day", 16: "maximum_interval", 22: "leech_threshold"}
_VARINTS_ENUM = {21: "leech_action"}
_FLOAT_LISTS = {1: "learning_steps", 2: "relearning_steps", 6: "params6", 5: "params5", 3: "params4"}
_FLOATS = {37: "desired_retention"}
_WEIGHTS = (("params6", 6), ("params5", 5), ("params4", 4))  # newest first; FSRS-4.5 is "4"
_LEECH = {0: "suspend", 1: "tag"}  # Anki's LeechAction
_OTHER = 255  # DeckConfig.Config's `other`: the legacy JSON's keys Anki does not know, as JSON
MADE_KEY = "retainMade"  # in a preset retain wrote: `made_mark` of its values
_MARK_CHARS = 16

Presets = dict[int, tuple[str, dict[str, Any], bool]]  # id -> (name, values found, retain's own)


def deck_presets(db: AnkiDb, decks: dict[str, int], warnings: list[str]) -> dict[str, DeckPreset]:
    """Retain deck id -> its Anki deck's options preset, for `decks` (retain id -> Anki deck id).
    Anything that cannot be read is one warning line, never a refusal of the package."""
    raw = _read(db, decks.values(), warnings)
    if not raw:
        return {}
    try:
        fsrs = _fsrs_flag(db)
    except InteropError as exc:  # (a query past its deadline)
        warnings.append(f"Anki deck options left out: {exc}")
        return {}
    presets: dict[int, DeckPreset] = {}
    for cid, (name, found, own) in raw.items():
        if own:  # retain's settings, as the exporting home had them: no Anki preset
            continue
        safe = preset_name(name, cid)
        presets[cid] = DeckPreset(str(cid), safe, to_values(safe, found, fsrs, warnings))
    return {
        deck_id: presets[c] for deck_id, did in decks.items() if (c := db.deck_conf.get(did, -1)) in presets
    }


def deck_steps(db: AnkiDb, dids: Iterable[int]) -> dict[int, StudySettings]:
    """Anki deck id -> the learning and relearning steps of its preset in the package (retain's
    defaults for a list that cannot be read), for the decks of `dids` that have one: a
    (re)learning card's `left` (its steps still to go) counts against them, in Anki and in a
    retain package (its exporter's steps for the deck) alike. Nothing is said: `deck_presets` is."""
    dids = list(dids)
    raw = _read(db, dids, [])
    steps: dict[int, StudySettings] = {}
    for cid, (_name, found, _own) in raw.items():
        learning = _steps_of(found.get("learning_steps"))
        relearning = _steps_of(found.get("relearning_steps"))
        settings = StudySettings()
        steps[cid] = StudySettings(
            learning_steps=settings.learning_steps if learning is None else learning,
            relearning_steps=settings.relearning_steps if relearning is None else relearning,
        )
    return {did: steps[c] for did in dids if (c := db.deck_conf.get(did, -1)) in steps}


def _steps_of(raw: Any) -> tuple[timedelta, ...] | None:
    """Anki's steps (minutes) as retain's, or None when they are not steps retain can hold."""
    value, why = _convert("learning_steps", raw)
    if why or not isinstance(value, list):
        return None
    numbers = _numbers(raw) or []
    return tuple(timedelta(seconds=round(minutes * 60)) for minutes in numbers)


def made_mark(found: dict[str, Any]) -> str:
    """A hash of the settings a preset gives (`found`, by retain key), as retain takes them: a
    preset retain writes carries it (`MADE_KEY`), so that one Anki still has as it was written is
    told from one the learner edited in Anki (float32 steps and retention read back the same)."""
    values = to_values("", found, None, [])
    text = json.dumps(values, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(text.encode()).hexdigest()[:_MARK_CHARS]


def _read(db: AnkiDb, dids: Iterable[int], warnings: list[str]) -> Presets:
    """The presets the Anki decks `dids` use; what cannot be read is one line of `warnings`."""
    wanted = sorted({c for did in dids if 0 <= (c := db.deck_conf.get(did, -1)) < _INT64})
    if not wanted:
        return {}
    try:
        return _schema18(db, wanted, warnings) if db.ver >= 15 else _schema11(db, wanted, warnings)
    except InteropError as exc:  # (a damaged blob, a missing table, a query past its deadline)
        warnings.append(f"Anki deck options left out: {exc}")
        return {}


def _retains(found: dict[str, Any], mark: object) -> bool:
    """Whether a preset is retain's, unchanged: it carries the mark of the values it gives."""
    return isinstance(mark, str) and mark == made_mark(found)


def _stock(conf: dict[str, Any]) -> bool:
    """Whether a legacy preset is the stock Default an earlier retain wrote for every deck."""
    mod = conf.get("mod")
    return isinstance(mod, int) and not isinstance(mod, bool) and conf == deck_conf(mod)


def deck_limits(db: AnkiDb, decks: dict[str, int], warnings: list[str]) -> dict[str, dict[str, object]]:
    """Retain deck id -> its Anki deck's own "This deck" options (new cards and reviews a day, and
    desired retention, which replace its preset's for that deck alone), for `decks` (retain id ->
    Anki deck id). A value
    retain's loader would refuse is left out with one warning line naming the deck and key."""
    out: dict[str, dict[str, object]] = {}
    for deck_id, did in decks.items():
        values: dict[str, object] = {}
        for key, raw in db.deck_limits.get(did, {}).items():
            value, why = _checked(key, raw)
            if why:
                warnings.append(f'Anki deck "{deck_id}": its own {key} left out: {why}')
            else:
                values[key] = value
        if values:
            out[deck_id] = values
    return out


def preset_name(name: str, cid: int) -> str:
    """`Anki: NAME` for config.toml: printable characters only, without quotes, backslashes or
    brackets (a key a person can type and read), spaces collapsed, cut to 50 characters."""
    kept = "".join(c if c.isprintable() and c not in '"\\[]' else " " for c in name[: _NAME_CHARS * 4])
    clean = " ".join(kept.split())[:_NAME_CHARS].strip()
    return f"Anki: {clean or f'preset {cid}'}"


def _schema11(db: AnkiDb, wanted: list[int], warnings: list[str]) -> Presets:
    row = next(
        db.query(f"SELECT length(dconf), CASE WHEN length(dconf) <= {MAX_DCONF} THEN dconf END FROM col"),
        None,
    )
    if row is None or row[1] is None:
        if row is not None and row[0]:
            warnings.append("Anki deck options left out: `col.dconf` is too large")
        return {}
    try:
        data = jsontext.loads(row[1]) if isinstance(row[1], str | bytes) else None
    except (ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        warnings.append("Anki deck options left out: `col.dconf` is not a JSON object")
        return {}
    out: Presets = {}
    for cid in wanted:
        conf = data.get(str(cid))
        if isinstance(conf, dict):
            found = options_from_json(conf)
            out[cid] = (str(conf.get("name", "")), found, _stock(conf) or _retains(found, conf.get(MADE_KEY)))
    return out


def _schema18(db: AnkiDb, wanted: list[int], warnings: list[str]) -> Presets:
    ids = ", ".join(str(int(c)) for c in wanted)
    sql = (
        f"SELECT id, name, length(config), CASE WHEN length(config) <= {MAX_BLOB} THEN config END"
        f" FROM deck_config WHERE id IN ({ids})"
    )
    out: Presets = {}
    for cid, name, size, blob in db.query(sql):
        if not isinstance(cid, int) or cid in out:
            continue
        label = preset_name(str(name), cid)
        if not isinstance(blob, bytes):
            why = "its options are too large" if isinstance(size, int) and size > MAX_BLOB else "no options"
            warnings.append(f'Anki preset "{label}" left out: {why}')
            continue
        try:
            found = options_from_blob(blob)
            out[cid] = (str(name), found, _retains(found, _other(blob).get(MADE_KEY)))
        except InteropError as exc:
            warnings.append(f'Anki preset "{label}" left out: {exc}')
    return out


def _other(blob: bytes) -> dict[str, Any]:
    """The legacy JSON keys Anki keeps in a preset's `other` field (`{}` when none or unreadable)."""
    for number, value in read_fields(blob):
        if number == _OTHER and isinstance(value, bytes):
            try:
                data = jsontext.loads(value)
            except (ValueError, RecursionError):
                return {}
            return data if isinstance(data, dict) else {}
    return {}


def _fsrs_flag(db: AnkiDb) -> bool | None:
    """Anki's collection-wide "FSRS" switch when the package has it (a `.apkg` export leaves it out:
    None), from the `config` table (schema 18) or `col.conf` (schema 11)."""
    sql = (
        "SELECT val FROM config WHERE key = 'fsrs' LIMIT 1"
        if db.ver >= 15
        else f"SELECT CASE WHEN length(conf) <= {MAX_DCONF} THEN conf END FROM col LIMIT 1"
    )
    try:
        rows = [row[0] for row in db.query(sql)]
    except InteropError:
        return None
    for raw in rows:
        try:
            value = jsontext.loads(raw) if isinstance(raw, str | bytes) else None
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            value = value.get("fsrs")
        if isinstance(value, bool):
            return value
    return None


def options_from_json(conf: dict[str, Any]) -> dict[str, Any]:
    """The values a legacy preset (`col.dconf` entry) gives, by retain key, as Anki wrote them."""
    new, rev, lapse = (_table(conf.get(k)) for k in ("new", "rev", "lapse"))
    found: dict[str, Any] = {
        "new_per_day": new.get("perDay"),
        "reviews_per_day": rev.get("perDay"),
        "learning_steps": new.get("delays"),
        "relearning_steps": lapse.get("delays"),
        "maximum_interval": rev.get("maxIvl"),
        "leech_threshold": lapse.get("leechFails"),
        "leech_action": lapse.get("leechAction"),
        "desired_retention": conf.get("desiredRetention"),
        "params6": conf.get("fsrsParams6"),
        "params5": conf.get("fsrsParams5"),
        "params4": conf.get("fsrsWeights"),
    }
    return {k: v for k, v in found.items() if v is not None}


def _table(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def options_from_blob(blob: bytes) -> dict[str, Any]:
    """The values a `DeckConfig.Config` protobuf gives, by retain key. As proto3 has it, a limit or
    a list not written is 0 or empty (Anki writes no field for 0 new cards a day); retention,
    maximum interval and leech threshold, which Anki always writes, are then not set."""
    found: dict[str, Any] = {"new_per_day": 0, "reviews_per_day": 0, "leech_action": 0}
    lists: dict[str, list[float]] = {}
    for number, value in read_fields(blob):
        if number in _VARINTS or number in _VARINTS_ENUM:
            key = _VARINTS.get(number) or _VARINTS_ENUM[number]
            found[key] = value if isinstance(value, int) else _WrongType("not a number")
        elif number in _FLOAT_LISTS:
            key = _FLOAT_LISTS[number]
            if isinstance(value, bytes) and len(value) % 4 == 0:  # packed, or one fixed32 value
                got = lists.setdefault(key, [])
                if len(got) + len(value) // 4 <= _MAX_LIST:
                    got += [x for (x,) in struct.iter_unpack("<f", value)]
                else:
                    found[key] = _WrongType(f"more than {_MAX_LIST} numbers")
            else:
                found[key] = _WrongType("not a list of numbers")
        elif number in _FLOATS:
            ok = isinstance(value, bytes) and len(value) == 4
            found[_FLOATS[number]] = (
                struct.unpack("<f", value)[0]
                if isinstance(value, bytes) and ok
                else _WrongType("not a number")
            )
    for key, numbers in lists.items():
        found.setdefault(key, numbers)
    found.setdefault("learning_steps", [])
    found.setdefault("relearning_steps", [])
    return found


class _WrongType:
    """A value of a type the field cannot hold (a crafted blob): said as `why`."""

    def __init__(self, why: str) -> None:
        self.why = why


def to_values(name: str, found: dict[str, Any], fsrs: bool | None, warnings: list[str]) -> dict[str, object]:
    """`found` (Anki's values by retain key) as config.toml values retain's loader accepts; each
    value it would refuse is left out with one warning line naming the preset and key."""
    values: dict[str, object] = {}
    for key in (
        "new_per_day",
        "reviews_per_day",
        "learning_steps",
        "relearning_steps",
        "desired_retention",
        "maximum_interval",
        "leech_threshold",
        "leech_action",
    ):
        if key not in found:
            continue
        value, why = _checked(key, found[key])
        if why:
            warnings.append(f'Anki preset "{name}": {key} left out: {why}')
        else:
            values[key] = value
    if fsrs is not False:
        weights, why = _weights(found)
        if why:
            warnings.append(f'Anki preset "{name}": parameters left out: {why}')
        elif weights is not None:
            values["parameters"] = weights
    return values


def _weights(found: dict[str, Any]) -> tuple[list[float] | None, str]:
    """The preset's newest FSRS weights if retain takes them (FSRS-6's 21), else why not."""
    for key, version in _WEIGHTS:
        raw = found.get(key)
        if isinstance(raw, _WrongType):
            return None, raw.why
        if raw is None or (isinstance(raw, list) and not raw):
            continue  # none of that version: an older one may be there
        numbers = _numbers(raw)
        if numbers is None:
            return None, "not a list of numbers"
        if version != 6 or len(numbers) != PARAMETER_COUNT:
            return None, (
                f"{len(numbers)} FSRS-{version if version != 4 else '4.5'} weights; retain takes "
                f"FSRS-6's {PARAMETER_COUNT} (`retain optimize` fits them from the imported history)"
            )
        weights = [round(w, 4) for w in numbers]
        why = _refused("parameters", weights)
        return (None, why) if why else (weights, "")
    return None, ""


def _numbers(raw: Any) -> list[float] | None:
    if not isinstance(raw, list) or len(raw) > _MAX_LIST:
        return None
    if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw):
        return None
    try:
        numbers = [float(v) for v in raw]
    except OverflowError:  # (an integer of 400 digits)
        return None
    return numbers if all(math.isfinite(v) for v in numbers) else None


def _checked(key: str, raw: Any) -> tuple[object, str]:
    """(the config.toml value, '') or (None, why it is left out: Anki's value cannot be read as
    one, or retain's config loader refuses it)."""
    value, why = _convert(key, raw)
    return value, why or _refused(key, value)


def _convert(key: str, raw: Any) -> tuple[object, str]:
    """(the config.toml value, '') or (None, why it is left out)."""
    if isinstance(raw, _WrongType):
        return None, raw.why
    if key in ("learning_steps", "relearning_steps"):
        numbers = _numbers(raw)
        if numbers is None:
            return None, "not a list of numbers"
        steps = [_step(minutes) for minutes in numbers]
        if any(s is None for s in steps):
            return None, "must hold durations from 1s to 30d"
        return steps, ""
    if key == "leech_action":
        action = _LEECH.get(raw) if isinstance(raw, int) and not isinstance(raw, bool) else None
        return (action, "") if action else (None, f"unknown action {_shown(raw)}")
    if key == "desired_retention":
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            return None, f"not a number: {_shown(raw)}"
        return round(float(raw), 4), ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # (an old client wrote 20.0)
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None, f"not a whole number: {_shown(raw)}"
    return raw, ""


def _step(minutes: float) -> str | None:
    """Anki's step (minutes) as retain writes one (`10m`, `1d`, `30s`); None outside 1s..30d."""
    seconds = round(minutes * 60) if math.isfinite(minutes) and abs(minutes) < 1e9 else 0
    if not 1 <= seconds <= 30 * 86400:
        return None
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _refused(key: str, value: object) -> str:
    """Why retain's config loader refuses `key = value` in a preset ('' when it takes it)."""
    try:
        parse_config(tomli_w.dumps({"presets": {"x": {key: value}}, "decks": {"d": {"preset": "x"}}}))
    except ConfigError as exc:
        return str(exc).removeprefix("config: ").removeprefix(f"`presets.x.{key}` ")
    except (TypeError, ValueError, OverflowError) as exc:  # (tomli_w: a value it cannot write)
        return f"cannot be written: {type(exc).__name__}"
    return ""


def _shown(value: object) -> str:
    """A bad value for a warning line: short, printable (a stranger's text)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**20:
        return "a huge number"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if not isinstance(value, str | int | float):
        return "null" if value is None else type(value).__name__
    text = json.dumps(value, ensure_ascii=True)
    return text if len(text) <= 40 else f"{text[:40]}..."
