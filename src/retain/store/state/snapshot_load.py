"""Start-up's first part: the snapshots and their manifest, with damage handled and never hidden.

A snapshot that cannot be read is kept aside and replaced in memory by its newest good backup
(or nothing: its deck's whole journal is replayed); one not as retain wrote it is not used;
records that fail validation are left out and copied to `quarantine/`. What cannot be copied
aside (a full disk, a folder in the way) is never cut: `LoadedState.keep`. See `stateload`.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

from retain.store.files import open_regular
from retain.store.oserror import os_error_text
from retain.store.state.journal import Position
from retain.store.state.loaded_state import START, LoadedState, quarantine, stamp
from retain.store.state.snapshot import (
    NOT_AS_WRITTEN,
    Files,
    Manifest,
    Snapshot,
    SnapshotDamaged,
    ahead,
    load_snapshot,
    read_manifest,
    snapshot_files,
)
from retain.store.state.statecodec import FUTURE_SKEW

__all__ = ["ahead_note", "read_snapshots"]


def _recover(
    state_dir: Path, path: Path, reason: str, now: datetime, writable: bool, out: LoadedState
) -> tuple[Snapshot, str]:
    """The newest good backup of a damaged snapshot (else an empty one), and the line to say.

    The damaged file is renamed aside first; when it cannot be (a folder in the way), it stays
    where it is and is never rewritten this session (`LoadedState.keep`). A backup with invalid
    records has them left out and its positions dropped: the deck's whole journal is replayed
    over it, which restores their last good states (as for a live snapshot with one)."""
    from retain.store.state.backup import backup_candidates

    kept = ""
    if writable:
        copy = path.with_name(f"{path.name}.damaged-{stamp(now)}")
        try:
            path.replace(copy)
            kept = f"; the file was kept as {copy.name}"
        except OSError as exc:
            out.keep.add(path.stem)
            kept = (
                f"; the file could not be kept aside ({os_error_text(exc, name=False)}), so it is left "
                "as it is and not rewritten"
            )
    for cand in backup_candidates(state_dir, path.name, now.astimezone().date()):
        try:
            snap = load_snapshot(cand, now, whole=True)  # (one cut short: an older one is tried)
        except (SnapshotDamaged, ValueError):
            continue
        snap.path = path
        source = f"the backup of {cand.parent.name} plus the journal"
        if snap.problems:  # its records left out: the whole journal restores them
            snap.positions = {}
            bad = "; ".join(p.removeprefix(f"{path.name}: ") for p in snap.problems)
            source = f"the backup of {cand.parent.name} (in it, {bad}) plus the deck's whole journal"
            snap.problems = []
        return snap, f"{reason}{kept}; progress was rebuilt from {source}"
    return Snapshot(path.stem, path), f"{reason}{kept}; progress was rebuilt from the journal"


def read_snapshots(
    state_dir: Path, cache_dir: Path | None, now: datetime, writable: bool, out: LoadedState
) -> tuple[list[Snapshot], Files, dict[str, Position]]:
    """The snapshots (damaged ones recovered), the manifest's journal files, and `unlisted`: the
    positions up to which a deck with no snapshot, not listed by the manifest, has no event.

    A compaction writes the manifest only once every snapshot it wrote is in place, listing
    them all: a deck it does not list had no event before its positions. Without a manifest that
    reads (none yet, a kill or a full disk during the first compaction, deleted after a git
    merge, damaged) nothing is known of such a deck: `unlisted` is empty, so every journal is
    read from its start (before, only from the earliest snapshot's position: the reviews of a
    deck whose snapshot was never written, or was deleted with the manifest, were lost).
    """
    from retain.store.state.snapshot import ignored_snapshot_files

    # the manifest first: one from a newer retain refuses the open before anything is renamed
    manifest = state_dir / "snapshots.toml"
    untrusted: list[str] = []  # the files not as retain wrote them (`snapshot.sealed`): not used
    try:
        manifest_read = read_manifest(state_dir)
        unlisted = dict(manifest_read.positions) if os.path.lexists(manifest) else {}
        if not manifest_read.trusted:  # as if there were none; the next compaction writes it again
            untrusted.append(manifest.name)
            out.late = out.late or writable
    except SnapshotDamaged as exc:
        unlisted = {}
        manifest_read = Manifest(set(), {}, {})
        kept = ""
        if writable and manifest.is_file():  # not a folder in its place: the next compaction says so
            copy = manifest.with_name(f"{manifest.name}.damaged-{stamp(now)}")
            manifest.replace(copy)
            kept = f"; the file was kept as {copy.name}"
        out.late = writable  # the next compaction writes the manifest again
        out.messages.append(
            f"damaged state file {exc}{kept}; the journal was read from each snapshot's own position, "
            "so no progress is lost"
        )
    out.messages += ignored_snapshot_files(state_dir / "snapshots")
    snaps: list[Snapshot] = []
    for path in snapshot_files(state_dir / "snapshots"):
        try:
            snap = load_snapshot(path, now, cache_dir)
        except SnapshotDamaged as exc:
            snap, message = _recover(state_dir, path, f"damaged state file {exc}", now, writable, out)
            out.messages.append(message)
            out.dirty_decks.add(snap.deck_id)
        if not snap.trusted:  # (its states and positions may come from two versions: none is used)
            snap.states, snap.positions, snap.changed, snap.written = {}, {}, {}, None
            untrusted.append(f"snapshots/{path.name}")
            out.dirty_decks.add(snap.deck_id)
        if snap.problems:
            out.messages += snap.problems
            data = _read_or_none(path) if writable else None
            if data is not None:
                try:
                    copy = quarantine(state_dir, path.name, data, now)
                    out.messages.append(f"a copy of {path.name} is kept as quarantine/{copy.name}")
                except OSError as exc:  # (a full disk) the file stays as it is: no copy, no rewrite
                    out.keep.add(snap.deck_id)
                    out.messages.append(
                        f"a copy of {path.name} could not be kept in quarantine/ "
                        f"({os_error_text(exc, name=False)}), so the file is left as it is and not "
                        "rewritten until it can be"
                    )
            snap.positions = {}  # rebuild this deck from the whole journal
            out.dirty_decks.add(snap.deck_id)
        if snap.migrated_from is not None:
            out.dirty_decks.add(snap.deck_id)
        snaps.append(snap)
        if snap.written is not None and snap.deck_id not in out.dirty_decks:
            out.written[snap.deck_id] = snap.written
    listed, complete, files = manifest_read.decks, manifest_read.positions, manifest_read.files
    out.holes = manifest_read.holes or {}  # (`read_device` replaces each device's with what it finds)
    for snap in snaps:  # clean snapshots are complete up to the manifest's positions
        if snap.deck_id in out.dirty_decks:
            continue
        if manifest_read.covers(snap):
            for device, pos in complete.items():
                snap.positions[device] = max(snap.positions.get(device, START), pos)
        elif snap.deck_id in listed:
            # not the snapshot the manifest was written with (a git merge or a folder sync
            # brought one of the two from another computer): its own positions hold, and the
            # next compaction writes the manifest again
            out.late = out.late or writable
    if untrusted and writable:
        out.messages.append(_untrusted_note(untrusted))
    present = {s.deck_id for s in snaps}
    for deck_id in sorted(listed - present):
        out.messages.append(
            f"the progress file snapshots/{deck_id}.toml is missing; progress was rebuilt from the journal"
        )
        snaps.append(Snapshot(deck_id, state_dir / "snapshots" / f"{deck_id}.toml"))
        out.dirty_decks.add(deck_id)
    return snaps, files, unlisted


def _untrusted_note(names: list[str]) -> str:
    """The one line for the state files not used as they are not as retain wrote them.

    Said only by a start that may write, which writes them again (so it is said once): a
    read-only one (`due`, `stats`) gives the same progress, rebuilt from the journals, without
    a word (JSON output is not interleaved with warnings about files that lose nothing)."""
    listed = (
        names[0]
        if len(names) == 1
        else ", ".join(names[:-1][:3])
        + (f" and {names[-1]}" if len(names) <= 4 else f" and {len(names) - 3} more")
    )
    one = len(names) == 1
    return (
        f"{listed} {'is' if one else 'are'} {NOT_AS_WRITTEN}; {'it was' if one else 'they were'} not "
        "used: progress was rebuilt from the journals, so none is lost, and "
        f"{'it is' if one else 'they are'} written again (after a merge, take one side of "
        "state/snapshots/ and state/snapshots.toml whole, or delete them)"
    )


def ahead_note(snaps: list[Snapshot], now: datetime) -> list[str]:
    """The note on events dated ahead for what the snapshots hold (their cards' last reviews and
    changes), one line: a synced computer whose clock runs ahead, whose snapshot came along with
    its journal, has them there and not in the journal after the snapshot's position."""
    limit = now + FUTURE_SKEW
    counts = {snap.path.name: n for snap in snaps if (n := ahead(snap, limit))}
    if not counts:
        return []
    names = ", ".join(sorted(counts)[:3]) + (f" and {len(counts) - 3} more" if len(counts) > 3 else "")
    return [
        f"snapshots/ ({names}): {sum(counts.values())} card(s) reviewed or changed at a time dated more "
        "than a day after this computer's clock (a clock set wrong, or a synced computer's running "
        "ahead?); they were kept and applied in time order"
    ]


def _read_or_none(path: Path) -> bytes | None:
    """The bytes of the regular file `path`; None when it is gone or no regular file now (a FIFO
    swapped in since it was read is never waited on)."""
    try:
        with open_regular(path) as fh:
            return fh.read()
    except OSError:
        return None
