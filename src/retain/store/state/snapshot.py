"""Per-deck state snapshots, compacted from the journal: `state/snapshots/<deck-id>.toml`.

    format = 1
    card_count = 1      # how many [cards] it was written with (`_check_whole`)
    deck = "kafka"
    written = 2024-05-01T10:00:00Z

    [journal]           # the journal events this snapshot already includes, per device
    a1b2c3d4e5f6 = { file = "journal-2024-05.toml", offset = 48213, check = "7ca4dad9" }

    [cards]             # one inline table per review unit (see statecodec)
    "kafka/isr:c1" = { state = 2, stability = 12.5, difficulty = 5.1, due = ..., reps = 4, lapses = 0 }

    [changed]           # units whose last event is later than their last review (a suspend, a reset)
    "kafka/isr:c1" = { at = 2024-05-01T09:58:00Z, by = "a1b2c3d4e5f6" }

    [end]               # the last table: a file cut short has none (or the counts differ)
    card_count = 1
    digest = "9f2c..."  # of every line above `[end]` (`sealed`): a file not as written is not trusted

A snapshot is written whole with `atomic_write` at session end or when idle,
never per rating. Start-up reads the snapshots and replays the journal after
their positions. A record that fails validation is left out with a message
(the caller keeps a copy of the file); a file that cannot be parsed raises
`SnapshotDamaged`, and so does one cut short or missing cards (`_check_whole`); a
newer format raises `migrate.FormatError`. A snapshot whose content does not match
its `[end]` digest (a git merge that took hunks of two versions, an edit by hand)
reads as `Snapshot.trusted` False: start-up rebuilds its deck from the journals
(`stateload`); as a backup to recover from it is damaged. The manifest has the
same digest; one that does not match it reads as `Manifest.trusted` False.

Only a `.toml` file whose name is a deck id is a snapshot (`snapshot_files`);
any other there (a folder sync's conflict copy) is left alone and named in one
line (`ignored_snapshot_files`). The manifest `state/snapshots.toml` follows the
same rules as a snapshot: damaged raises `SnapshotDamaged`, newer `FormatError`.

`load_snapshot` keeps a derived `marshal` cache of each parsed snapshot in
columns, so a 50k-card start-up does not re-parse TOML (see
docs/state-format.md for the figures).
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from retain.core.ids import is_valid_id
from retain.core.state import CardState, StateError
from retain.store.fastbuild import build_many, columns_of, field_names
from retain.store.files import (
    ReadError,
    atomic_write,
    conflict_copy_of,
    conflict_marker_line,
    read_text_limited,
)
from retain.store.index import derivedcache
from retain.store.state.journal import Position, parse_toml
from retain.store.state.journal_format import JOURNAL_NAME_RE
from retain.store.state.migrate import FormatError, upgrade
from retain.store.state.statebulk import decode_states
from retain.store.state.statecodec import (
    ABSURD_AHEAD,
    FUTURE_SKEW,
    KEY_RE,
    decode_state,
    sig_text,
    state_table,
)

__all__ = [
    "MAX_SNAPSHOT_BYTES",
    "NOT_AS_WRITTEN",
    "Change",
    "Files",
    "Holes",
    "Manifest",
    "Snapshot",
    "SnapshotDamaged",
    "ahead",
    "encode_snapshot",
    "ignored_snapshot_files",
    "last_changes",
    "load_snapshot",
    "parse_snapshot",
    "read_manifest",
    "sealed",
    "snapshot_files",
    "write_manifest",
    "write_snapshot",
]

MAX_SNAPSHOT_BYTES = 512 * 1024 * 1024
_DEVICE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")
_CHECK_RE = re.compile(r"^(?:[0-9a-f]{8})?\Z")
_FIELDS = field_names(CardState)
_TIME_FIELDS = ("due", "last_review")
_FLOAT_FIELDS = ("stability", "difficulty")  # rounded to 6 significant digits in the files
MANIFEST_FORMAT = 1


Change = tuple[datetime, str]  # a unit's last event: its time, and the device that wrote it ("": unknown)


class SnapshotDamaged(Exception):
    """A snapshot file cannot be read as a snapshot; the message is one line for the user."""


@dataclass(slots=True)
class Snapshot:
    deck_id: str
    path: Path
    positions: dict[str, Position] = field(default_factory=dict)
    states: dict[str, CardState] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    migrated_from: int | None = None
    changed: dict[str, Change] = field(default_factory=dict)  # see `last_changes`
    written: datetime | None = None  # its `written` time: which compaction wrote it (`Manifest.written`)
    trusted: bool = True  # False: its content does not match its digest (`sealed`); not to be used
    newest: datetime | None = None  # the latest `last_review` or `[changed]` time it holds


def _is_deck_id(name: str) -> bool:
    return is_valid_id(name) and not name.endswith("\n")  # `$` in ID_RE matches before a final newline


def _toml_files(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == ".toml" and not p.name.startswith("."))
    except OSError:
        return []


def snapshot_files(folder: Path) -> list[Path]:
    """The snapshots in `folder`: `<deck-id>.toml` files (see `ignored_snapshot_files` for the rest)."""
    return [p for p in _toml_files(folder) if _is_deck_id(p.stem)]


def ignored_snapshot_files(folder: Path) -> list[str]:
    """One line for each other `.toml` file in `folder`: its name is no deck id, so it is no
    snapshot; it is left alone (a folder sync's conflict copy holds nothing the journals lack)."""
    out: list[str] = []
    for path in _toml_files(folder):
        if _is_deck_id(path.stem):
            continue
        name = repr(path.name) if not path.name.isprintable() else path.name
        original = conflict_copy_of(path)
        if original is not None and path.name.isprintable():
            out.append(
                f"snapshots/{name} is a sync-conflict copy of snapshots/{original} made by a folder sync; "
                "it is ignored and can be deleted (every review is in the journals)"
            )
        else:
            out.append(f"snapshots/{name} is ignored: its name is not a deck id, so it is no progress file")
    return out


_SNAPSHOT_HEAD = (
    "# retain progress snapshot: compacted from the review journal; do not edit while retain runs\n"
)


def encode_snapshot(
    deck_id: str,
    states: Mapping[str, CardState],
    positions: Mapping[str, Position],
    now: datetime,
    changed: Mapping[str, Change] | None = None,
) -> str:
    """The snapshot file's text (tomli-w writes the TOML; one comment line above it)."""
    doc: dict[str, Any] = {
        "format": 1,
        "card_count": len(states),  # first after `format`: a file cut before it holds no position
        "deck": deck_id,
        "written": now.astimezone(UTC),
        "journal": {device: _position_table(pos) for device, pos in sorted(positions.items())},
        "cards": {key: state_table(states[key]) for key in sorted(states)},
    }
    if changed:
        doc["changed"] = {key: _change_table(changed[key]) for key in sorted(changed)}
    import tomli_w  # (writers only: a read-only start never imports it)

    # the last table, `[end]`: the count again (`_check_whole`) and the digest (`sealed`)
    return _seal(_SNAPSHOT_HEAD + tomli_w.dumps(doc), "card_count", len(states))


_END = "\n[end]\n"  # the line before the last table, `[end]`, and its header (`_seal`)


def _digest(body: str) -> str:
    import hashlib  # (`retain due` from the caches reads no snapshot text: not loaded there)

    return hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _seal(body: str, count_name: str, count: int) -> str:
    """`body` (a TOML document, without `[end]`) followed by its `[end]` table: `count_name`
    (how many records it holds) and `digest`, of `body` (every line above the blank line
    before `[end]`)."""
    return f'{body}{_END}{count_name} = {count}\ndigest = "{_digest(body)}"\n'


def sealed(text: str, data: Mapping[str, Any], count_name: str) -> bool | None:
    """Whether `text` (a snapshot or the manifest, parsed as `data`) is exactly as retain wrote
    it: its content up to `[end]` matches the digest there, and `[end]` is its last table as
    written. None when it has no digest (written by a retain from before it: trusted as before).

    Any other text is not what one retain wrote in one go: a `git merge -X theirs` (or `-X
    ours`, a merge tool) that took some hunks of each computer's version (this computer's
    positions with the other's card records), a hand edit, a sync that mixed two versions. Only
    line ends (CRLF, git's autocrlf) and a byte order mark may differ. Hashing the text costs
    ~1 ms per MB (sha256); the TOML parse itself ~50 ms per MB.
    """
    end = data.get("end")
    if not isinstance(end, dict) or "digest" not in end:
        return None
    digest = end["digest"]
    text = text.removeprefix("\ufeff")
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    at = text.rfind(_END)
    if at < 0 or not isinstance(digest, str):
        return False
    body = text[:at]
    return text[at:] == f'{_END}{count_name} = {end.get(count_name)!r}\ndigest = "{digest}"\n' and (
        _digest(body) == digest
    )


def _change_table(change: Change) -> dict[str, Any]:
    at, by = change
    return {"at": at.astimezone(UTC), "by": by} if by else {"at": at.astimezone(UTC)}


def last_changes(states: Mapping[str, CardState], latest: Mapping[str, Change]) -> dict[str, Change]:
    """The `[changed]` table: the time (and device) of each unit's last event, where it is later
    than the review its state holds (a suspend, bury or undo after it) or the unit has no state (a reset).

    Start-up needs it to merge another device's older review (see `stateload`): in time order
    that review comes before such a change, so the change stays.
    """
    out: dict[str, Change] = {}
    for key, change in latest.items():
        state = states.get(key)
        if state is None or state.last_review is None or change[0] > state.last_review:
            out[key] = change
    return out


def write_snapshot(
    folder: Path,
    deck_id: str,
    states: Mapping[str, CardState],
    positions: Mapping[str, Position],
    now: datetime,
    cache_dir: Path | None = None,
    changed: Mapping[str, Change] | None = None,
) -> Path:
    path = folder / f"{deck_id}.toml"
    atomic_write(path, encode_snapshot(deck_id, states, positions, now, changed))
    if cache_dir is not None:
        snap = Snapshot(deck_id, path, dict(positions), dict(states))
        snap.changed = {k: (at.astimezone(UTC), by) for k, (at, by) in (changed or {}).items()}
        snap.written = now.astimezone(UTC)
        snap.newest = _newest(snap)
        _save_cache(path, cache_dir, snap, now, rounded=False)
    return path


def _position_table(pos: Position, *, named: bool = True, holes: Sequence[int] = ()) -> dict[str, Any]:
    """A journal position as a table (`file` left out for the manifest's `[files]`, keyed by it;
    `holes` before the position, see `Holes`)."""
    table: dict[str, Any] = {"file": pos.file} if named else {}
    table["offset"] = pos.offset
    if pos.check:
        table["check"] = pos.check
    if holes:
        table["holes"] = sorted(set(holes))
    return table


def _positions(raw: Any, where: str, *, names: bool = False) -> dict[str, Position]:
    """Positions by device (by journal file name with `names`); SnapshotDamaged when one is bad."""
    if not isinstance(raw, dict):
        raise SnapshotDamaged(f"{where}: [journal] must be a table")
    out: dict[str, Position] = {}
    for device, pos in raw.items():
        if (
            not (JOURNAL_NAME_RE.match(device) if names else _DEVICE_RE.match(device))
            or not isinstance(pos, dict)
            or not isinstance(pos.get("file"), str)
            or not isinstance(pos.get("offset"), int)
            or isinstance(pos.get("offset"), bool)
            or pos["offset"] < 0
            or not isinstance(pos.get("check", ""), str)
            or not _CHECK_RE.match(pos.get("check", ""))
        ):
            what = "journal file" if names else "device"
            raise SnapshotDamaged(f"{where}: bad journal position for {what} {device[:80]!r}")
        out[device] = Position(pos["file"], pos["offset"], pos.get("check", ""))
    return out


def _not_toml(path: Path, text: str, exc: BaseException) -> SnapshotDamaged:
    """The one line for a state file that is not TOML; an unresolved merge (git) is named as such."""
    line = conflict_marker_line(text)
    if line is not None:
        return SnapshotDamaged(f"{path.name}: unresolved merge conflict (a `<<<<<<<` marker at line {line})")
    first = str(exc).splitlines()[0][:120] if str(exc) else "invalid TOML"
    return SnapshotDamaged(f"{path.name}: not valid TOML ({first})")


def parse_snapshot(path: Path, text: str, now: datetime, *, whole: bool = False) -> Snapshot:
    """One snapshot's text; `whole`: checked to be whole even when a record is refused (a backup
    to recover from, see `_check_whole`)."""
    try:
        data = parse_toml(text)
    except (ValueError, RecursionError) as exc:
        raise _not_toml(path, text, exc) from None
    data, original = upgrade("snapshot", data, path.name)
    deck_id = data.get("deck", path.stem)
    if not isinstance(deck_id, str) or deck_id != path.stem:
        raise SnapshotDamaged(f"{path.name}: `deck` does not match the file name")
    cards = data.get("cards", {})
    if not isinstance(cards, dict):
        raise SnapshotDamaged(f"{path.name}: [cards] must be a table")
    snap = Snapshot(deck_id, path, _positions(data.get("journal", {}), path.name))
    snap.migrated_from = original if original != data["format"] else None
    written = data.get("written")
    if isinstance(written, datetime) and written.utcoffset() is not None:
        snap.written = written.astimezone(UTC)
    bad: list[str] = []
    prefix = f"{deck_id}/"
    snap.changed = _changed(data.get("changed", {}), prefix, now, bad)
    if not bad and all(map(KEY_RE.match, cards)) and all(k.startswith(prefix) for k in cards):
        states = decode_states(list(cards.values()), now)  # the usual case: in columns
        if states is not None:
            _check_whole(path, data, len(cards))
            snap.states = dict(zip(cards, states, strict=True))
            return _sealed(snap, text, data, whole)
    for key, raw in cards.items():
        try:
            if not KEY_RE.match(key) or not key.startswith(prefix):
                raise StateError("not a card key of this deck")
            snap.states[key] = decode_state(raw, now)
        except StateError as exc:
            bad.append(f"{key[:80]} ({exc})")
    if not bad or whole:  # (refused records count too: a backup cut short is damaged)
        _check_whole(path, data, len(cards))
    if bad:
        more = f" and {len(bad) - 1} more" if len(bad) > 1 else ""
        snap.problems.append(
            f"{path.name}: {len(bad)} invalid record(s) set aside, not scheduled: {bad[0]}{more}"
        )
        snap.newest = _newest(snap)
        return snap  # (its positions are not used: the deck's whole journal is replayed over it)
    return _sealed(snap, text, data, whole)


def _sealed(snap: Snapshot, text: str, data: dict[str, Any], whole: bool) -> Snapshot:
    """`snap`, read whole and without a refused record, checked against its digest (`sealed`):
    one not as retain wrote it is an empty `Snapshot` with `trusted` False, or with `whole` (a
    backup to recover from) damaged, so an older one is tried."""
    if sealed(text, data, "card_count") is False:
        if whole:
            raise SnapshotDamaged(f"{snap.path.name}: {NOT_AS_WRITTEN}")
        return Snapshot(snap.deck_id, snap.path, trusted=False)
    snap.newest = _newest(snap)
    return snap


NOT_AS_WRITTEN = (
    "not as retain wrote it (the content does not match the digest in the [end] table: "
    "a merge that took lines of two versions, such as `git pull -X theirs`, or an edit by hand)"
)


def _newest(snap: Snapshot) -> datetime | None:
    """The latest time of a review or change `snap` holds (`Snapshot.newest`)."""
    times = [s.last_review for s in snap.states.values() if s.last_review is not None]
    times += [at for at, _by in snap.changed.values()]
    return max(times, default=None)


def ahead(snap: Snapshot, limit: datetime) -> int:
    """How many units of `snap` hold a review or change dated after `limit`."""
    if snap.newest is None or snap.newest <= limit:
        return 0
    late = {k for k, s in snap.states.items() if s.last_review is not None and s.last_review > limit}
    return len(late | {k for k, (at, _by) in snap.changed.items() if at > limit})


def _check_whole(path: Path, data: dict[str, Any], cards: int) -> None:
    """SnapshotDamaged unless the file is whole: its header's `card_count`, the number of
    `[cards]` it holds and its last table's (`[end]`) agree.

    A snapshot cut short at a line boundary (a sync tool's half copy, a backup restored onto a
    full disk) is still TOML: without this, the cards after the cut (or a card's flags, its
    `[changed]` entry) were gone without a word, and the journal, its positions intact, was
    never replayed for them. (A file with a digest is checked for more by `sealed`: whether
    it is exactly as written; this check stays for files from before the digest, and says
    "cut short" where that is what happened.) A file with neither field was written
    by a retain from before them and reads as before; one cut before `card_count` holds no
    position and no `written` time, so the whole journal is replayed over it. (Not checked
    when a record was refused, unless `whole`: the deck's whole journal is replayed then, and
    that is said. A backup to recover from is always checked, refused records counted: one cut
    short is passed over for an older backup, never taken as whole.)
    """
    head, end = data.get("card_count"), data.get("end")
    if head is None and end is None:
        return
    if not isinstance(head, int) or isinstance(head, bool) or head < 0:
        raise SnapshotDamaged(f"{path.name}: `card_count` must be a whole number, got {head!r:.40}")
    if not isinstance(end, dict) or end.get("card_count") != head:
        raise SnapshotDamaged(
            f"{path.name}: cut short (it ends before its closing [end] table; "
            f"it holds {cards} of the {head} cards it was written with)"
        )
    if cards != head:
        raise SnapshotDamaged(f"{path.name}: it holds {cards} of the {head} cards it was written with")


def _changed(raw: Any, prefix: str, now: datetime, bad: list[str]) -> dict[str, Change]:
    """The `[changed]` table (absent in snapshots from before it: {}); a bad entry goes to `bad`."""
    if not isinstance(raw, dict):
        bad.append("[changed] (not a table)")
        return {}
    out: dict[str, Change] = {}
    limit = now + ABSURD_AHEAD
    for key, value in raw.items():
        at, by = (value.get("at"), value.get("by", "")) if isinstance(value, dict) else (value, "")
        if not KEY_RE.match(key) or not key.startswith(prefix):
            bad.append(f"[changed] {key[:80]} (not a card key of this deck)")
        elif not isinstance(at, datetime) or at.utcoffset() is None or at.astimezone(UTC) > limit:
            bad.append(f"[changed] {key[:80]} (not a date-time with a zone)")
        elif not isinstance(by, str) or (by and not _DEVICE_RE.match(by)):
            bad.append(f"[changed] {key[:80]} (`by` is not a device id)")
        else:
            out[key] = (at.astimezone(UTC), by)
    return out


def _save_cache(path: Path, cache_dir: Path, snap: Snapshot, now: datetime, *, rounded: bool = True) -> None:
    """Keep `snap` as the file gives it back; `rounded` False: its states' floats are rounded here
    as the file writes them (`canonical_state`'s values, without building each state again)."""
    ident = derivedcache.file_id(path)
    if ident is None:
        return
    keys = list(snap.states)
    objs = [snap.states[k] for k in keys]
    cols = columns_of(objs, _FIELDS)
    if not rounded:
        for name in _FLOAT_FIELDS:
            i = _FIELDS.index(name)
            cols[i] = [None if v is None else float(sig_text(v)) for v in cols[i]]
    for name in _TIME_FIELDS:
        i = _FIELDS.index(name)
        cols[i] = [None if t is None else t.isoformat() for t in cols[i]]
    payload = (
        snap.deck_id,
        [(d, p.file, p.offset, p.check) for d, p in snap.positions.items()],
        keys,
        list(_FIELDS),
        cols,
        snap.problems,
        snap.migrated_from,
        now.astimezone(UTC).isoformat(),
        [(k, t.isoformat(), by) for k, (t, by) in snap.changed.items()],
        snap.written.isoformat() if snap.written is not None else None,
        snap.trusted,
        snap.newest.isoformat() if snap.newest is not None else None,
    )
    derivedcache.save(derivedcache.cache_path(cache_dir, "snapshots", path), "snapshot", ident, payload)


def _iso(values: list[str | None]) -> list[datetime | None]:
    if None in values:
        return [None if v is None else datetime.fromisoformat(v) for v in values]
    return list(map(datetime.fromisoformat, values))  # type: ignore[arg-type]


def _from_cache(path: Path, cache_dir: Path, now: datetime) -> Snapshot | None:
    ident = derivedcache.file_id(path)
    payload = derivedcache.load(derivedcache.cache_path(cache_dir, "snapshots", path), "snapshot", ident)
    if payload is None:
        return None
    try:
        (
            deck_id,
            positions,
            keys,
            names,
            cols,
            problems,
            migrated,
            validated,
            changed,
            written,
            trusted,
            newest,
        ) = payload
        if datetime.fromisoformat(validated) > now + FUTURE_SKEW:
            return None  # the clock moved backwards since: validate again
        cols = list(cols)
        for name in _TIME_FIELDS:
            i = names.index(name)
            cols[i] = _iso(cols[i])
        objs = build_many(CardState, names, cols, len(keys))
        snap = Snapshot(deck_id, path, {d: Position(*p) for d, *p in positions})
        snap.states = dict(zip(keys, objs, strict=True))
        snap.problems, snap.migrated_from = list(problems), migrated
        snap.changed = {k: (datetime.fromisoformat(t), by) for k, t, by in changed}
        snap.written = datetime.fromisoformat(written) if written is not None else None
        snap.trusted = trusted is True
        snap.newest = datetime.fromisoformat(newest) if newest is not None else None
        return snap
    except (ValueError, TypeError, AttributeError):
        return None


def load_snapshot(
    path: Path, now: datetime, cache_dir: Path | None = None, *, whole: bool = False
) -> Snapshot:
    """Read one snapshot (through the derived cache when given); `whole`: see `parse_snapshot`."""
    if cache_dir is not None:
        snap = _from_cache(path, cache_dir, now)
        if snap is not None:
            return snap
    try:
        text = read_text_limited(path, MAX_SNAPSHOT_BYTES)
    except ReadError as exc:
        raise SnapshotDamaged(f"{path.name}: {exc}") from None
    try:
        snap = parse_snapshot(path, text, now, whole=whole)
    except FormatError:
        raise
    except (tomllib.TOMLDecodeError, RecursionError) as exc:  # pragma: no cover - parse_snapshot maps these
        raise SnapshotDamaged(f"{path.name}: {exc}") from None
    if cache_dir is not None:
        _save_cache(path, cache_dir, snap, now)
    return snap


Files = dict[str, dict[str, Position]]  # device -> journal file name -> how far it was applied
# device -> journal file name -> where its records set aside start (damaged, or a sync writing the
# file in place): the file's position is past them, so each is checked again at every start
Holes = dict[str, dict[str, list[int]]]
_MAX_HOLES = 100_000  # per file: more is not a manifest retain wrote (a hostile or damaged one)


def write_manifest(
    state_dir: Path,
    deck_ids: list[str],
    positions: Mapping[str, Position],
    now: datetime,
    files: Mapping[str, Mapping[str, Position]] | None = None,
    written: Mapping[str, datetime] | None = None,
    holes: Mapping[str, Mapping[str, Sequence[int]]] | None = None,
) -> None:
    """`state/snapshots.toml`, written after a compaction's snapshots.

    `decks`: the decks that have a snapshot, so a missing one is noticed.
    `[journal]`: the journal positions every listed snapshot is complete up to.
    A compaction rewrites only the decks that changed; the others had no event
    since their own position, so they are complete up to these positions too.
    `[files.<device>]`: every journal file of the device and how far its events
    are applied, so an older month file that arrives (or grows) after a newer one
    was read is noticed: positions alone compare by file name.
    `[snapshots]`: the `written` time of each listed snapshot the positions hold for
    (`written`), so a snapshot that is not that one (a git merge or a folder sync took
    it from another computer, a compaction was cut off before the manifest) is not
    taken to be complete up to them.
    A file's `holes`: where the records it holds that were set aside start (`Holes`); an older
    retain ignores them (and reads on past those records, as it always did).
    """
    doc: dict[str, Any] = {
        "format": MANIFEST_FORMAT,
        "deck_count": len(deck_ids),  # and again in the closing `[end]`: `_check_manifest_whole`
        "written": now.astimezone(UTC),
        "decks": sorted(deck_ids),
        "journal": {device: _position_table(pos) for device, pos in sorted(positions.items())},
    }
    if written is not None:
        doc["snapshots"] = {d: written[d].astimezone(UTC) for d in sorted(deck_ids) if d in written}
    if files:
        gaps = holes or {}
        doc["files"] = {
            device: {
                name: _position_table(pos, named=False, holes=gaps.get(device, {}).get(name, ()))
                for name, pos in sorted(known.items())
            }
            for device, known in sorted(files.items())
        }
    import tomli_w

    # the last table, `[end]`: the count again (`_check_manifest_whole`) and the digest (`sealed`)
    atomic_write(state_dir / "snapshots.toml", _seal(tomli_w.dumps(doc), "deck_count", len(deck_ids)))


def _check_manifest_whole(data: dict[str, Any]) -> None:
    """SnapshotDamaged unless the manifest is whole: its header's `deck_count` and its last
    table's (`[end]`) agree. A manifest cut short at a line boundary is still TOML, and one cut
    inside `[files]` made the journal files it no longer listed look as if they had arrived
    late. A manifest with neither field is from a retain before them and reads as before."""
    head, end = data.get("deck_count"), data.get("end")
    if head is None and end is None:
        return
    if not isinstance(end, dict) or end.get("deck_count") != head:
        raise SnapshotDamaged("snapshots.toml: cut short (it ends before its closing [end] table)")


def _files(raw: Any) -> Files:
    """The `[files]` table (absent in a manifest from before it existed: {}); SnapshotDamaged
    when it is not as `write_manifest` writes it."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise SnapshotDamaged("snapshots.toml: [files] must be a table")
    out: Files = {}
    for device, known in raw.items():
        if not _DEVICE_RE.match(device) or not isinstance(known, dict):
            raise SnapshotDamaged(f"snapshots.toml: bad [files] entry for device {device[:80]!r}")
        out[device] = _positions(
            {name: {"file": name, **pos} if isinstance(pos, dict) else pos for name, pos in known.items()},
            "snapshots.toml",
            names=True,
        )
    return out


def _holes(raw: Any) -> Holes:
    """The `holes` of the `[files]` table's entries (`_files` checked the rest); SnapshotDamaged
    when one is not a list of byte offsets."""
    out: Holes = {}
    for device, known in (raw or {}).items():
        for name, pos in known.items():
            found = pos.get("holes") if isinstance(pos, dict) else None
            if found is None:
                continue
            if (
                not isinstance(found, list)
                or len(found) > _MAX_HOLES
                or not all(isinstance(o, int) and not isinstance(o, bool) and o >= 0 for o in found)
            ):
                raise SnapshotDamaged(f"snapshots.toml: bad holes for {device[:80]}/{name[:80]}")
            if found:
                out.setdefault(device, {})[name] = sorted(set(found))
    return out


class Manifest(NamedTuple):
    """What `snapshots.toml` says: the decks with a snapshot, the positions they are complete up
    to, the journal files applied, and which snapshot of each deck that holds for (its `written`
    time; None: a manifest from before the table, which holds for any)."""

    decks: set[str]
    positions: dict[str, Position]
    files: Files
    written: dict[str, datetime] | None = None
    holes: Holes | None = None  # (None: none recorded)
    trusted: bool = True  # False: not as retain wrote it (`sealed`), and read as no manifest

    def covers(self, snap: Snapshot) -> bool:
        """Whether the manifest's positions hold for this snapshot (it was written with it)."""
        if snap.deck_id not in self.decks:
            return False
        return self.written is None or (
            snap.written is not None and self.written.get(snap.deck_id) == snap.written
        )


def read_manifest(state_dir: Path) -> Manifest:
    """(decks, positions, files, written) of the last compaction; empty when there is no manifest.

    A manifest that cannot be read as one raises `SnapshotDamaged` (the caller keeps a
    copy and starts as without it: each snapshot's own positions); one from a newer
    retain raises `FormatError`, so it is refused, never rewritten by this one. One that is
    not as retain wrote it (`sealed`: a hunk-merged one) is an empty one, `trusted` False.
    """
    path = state_dir / "snapshots.toml"
    if not path.exists() and not path.is_symlink():
        return Manifest(set(), {}, {})
    text = ""
    try:
        text = read_text_limited(path, MAX_SNAPSHOT_BYTES)
        data = parse_toml(text)
    except ReadError as exc:
        raise SnapshotDamaged(f"{path.name}: {exc}") from None
    except (ValueError, RecursionError) as exc:
        raise _not_toml(path, text, exc) from None
    fmt = data.get("format")
    if isinstance(fmt, int) and not isinstance(fmt, bool) and fmt > MANIFEST_FORMAT:
        raise FormatError(
            f"{path.name} has manifest format {fmt}, written by a newer retain "
            f"(this one reads up to {MANIFEST_FORMAT}); upgrade retain to open it"
        )
    if fmt != MANIFEST_FORMAT or isinstance(fmt, bool):
        raise SnapshotDamaged(f"{path.name}: `format` must be {MANIFEST_FORMAT}, got {fmt!r}")
    _check_manifest_whole(data)
    decks = data.get("decks", [])
    if not isinstance(decks, list) or not all(isinstance(d, str) for d in decks):
        raise SnapshotDamaged(f"{path.name}: `decks` must be a list of deck ids")
    positions = _positions(data.get("journal", {}), path.name)
    # a name that is no deck id was listed by a retain that took any .toml file for a snapshot
    files = _files(data.get("files"))
    written, holes = _written(data), _holes(data.get("files"))
    if sealed(text, data, "deck_count") is False:  # (a hunk-merged one: see `sealed`)
        return Manifest(set(), {}, {}, trusted=False)
    return Manifest({d for d in decks if _is_deck_id(d)}, positions, files, written, holes)


def _written(data: dict[str, Any]) -> dict[str, datetime] | None:
    """The `[snapshots]` table (None when absent: a manifest from before it); SnapshotDamaged
    when it is not as `write_manifest` writes it."""
    raw = data.get("snapshots")
    if raw is None:
        return None
    if not isinstance(raw, dict) or not all(
        isinstance(at, datetime) and at.utcoffset() is not None for at in raw.values()
    ):
        raise SnapshotDamaged("snapshots.toml: [snapshots] must map deck ids to date-times with a zone")
    return {deck: at.astimezone(UTC) for deck, at in raw.items()}
