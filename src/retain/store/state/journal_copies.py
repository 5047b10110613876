"""A sync tool's conflict copy of a journal file: its reviews taken in, none of them twice.

Two computers writing as one device (the same host key: a cloned disk or VM; both
repairing one damaged device.toml) append to the same journal file. A folder sync
then keeps one version and leaves the other beside it as a conflict copy
(`journal-2026-03.sync-conflict-20260328-120000-ABCDEFG.toml`, `journal-2026-03
(conflicted copy 2026-03-28).toml`, iCloud Drive's `journal-2026-03 2.toml`, Google
Drive's `journal-2026-03 (1).toml`, OneDrive's `journal-2026-03-LAPTOP.toml`). The copy shares its beginning with the file
and holds reviews no file gives.

Event ids are unique per device, so the copy's events whose ids no journal of the
device holds are the ones it alone has. A retain that may write puts exactly those
in a device folder of their own, `devices/<id>-c<hash>/` (the hash of their ids:
two computers doing it at once write the same folder, byte for byte), with the
original ids, so every reader (states, history, statistics) sees each review once
and orders it by time among the others; the copy then goes to `quarantine/`. A
read-only start says what the copy holds and leaves it. A copy holding nothing new
is moved aside with a line.
"""

from __future__ import annotations

import errno
import re
from datetime import datetime
from pathlib import Path

from retain.core.state import Event
from retain.store.files import atomic_write, conflict_copy_of, open_regular
from retain.store.oserror import os_error_text
from retain.store.state.journal import scan_file
from retain.store.state.journal_format import JOURNAL_NAME_RE, journal_files, journal_header
from retain.store.state.statecodec import encode_event

__all__ = ["journal_copies", "take_in_copies"]

_MAX_ID = 64  # a device id's length (device._ID_RE)


def journal_copies(folder: Path) -> list[tuple[Path, str]]:
    """(each conflict copy of a journal file in `folder`, the name of the file it copies), by name."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    out: list[tuple[Path, str]] = []
    for path in entries:
        original = (conflict_copy_of(path) or _cloud_copy_of(path)) if path.suffix == ".toml" else None
        if original is not None and JOURNAL_NAME_RE.match(original) and path.is_file():
            out.append((path, original))
    return out


# The conflict copies cloud drives make, which name any file so (a deck's too, so they are taken
# for copies of journals only, whose names retain alone gives): iCloud Drive `journal-2026-03 2`,
# Google Drive and Windows `journal-2026-03 (1)`, OneDrive `journal-2026-03-LAPTOP` (the other
# computer's name).
_CLOUD_COPY_RE = re.compile(
    r"(journal-\d{4}-\d{2}(?:\.v2)?)(?: \d{1,4}| \(\d{1,4}\)|-[A-Za-z0-9][\w-]{0,62})"
)


def _cloud_copy_of(path: Path) -> str | None:
    """The journal file `path` is a cloud drive's conflict copy of, else None."""
    m = _CLOUD_COPY_RE.fullmatch(path.stem)
    return f"{m.group(1)}.toml" if m is not None else None


def _ids(folders: list[Path], now: datetime) -> set[str]:
    """The ids of every event the journals of `folders` hold."""
    ids: set[str] = set()
    for folder in folders:
        for path in journal_files(folder):
            ids.update(event.id for _pos, event in scan_file(path, 0, now).events)
    return ids


def _folder_name(device: str, events: list[Event]) -> str:
    import hashlib  # (a sync tool's copy is rare: not imported on every start)

    digest = hashlib.blake2b("\n".join(sorted(e.id for e in events)).encode(), digest_size=5).hexdigest()
    return f"{device[: _MAX_ID - 12]}-c{digest}"


def _write_journal(folder: Path, device: str, journal: str, events: list[Event]) -> None:
    """The events in `folder`/`journal`, under `device`'s header (their ids stay as they were)."""
    data = bytearray(journal_header(device))
    for event in events:
        data += encode_event(event, offset=len(data), device=device)
    path = folder / journal
    try:
        with open_regular(path) as fh:  # (never waits on a FIFO put there)
            same = fh.read() == data
    except OSError:  # none yet, or no regular file: written
        same = False
    if not same:
        atomic_write(path, bytes(data))


def _write_folder(
    folder: Path, device: str, journal: str, events: list[Event], copy: str, found_in: str | None = None
) -> None:
    """`_write_journal`, and the folder's device.toml naming the copy it was taken from (in the
    folder `found_in`, by default `device`'s)."""
    _write_journal(folder, device, journal, events)
    import tomli_w  # (a sync tool's copy is rare: not imported on every start)

    text = tomli_w.dumps({"format": 1, "id": folder.name, "taken_from": f"{found_in or device}/{copy}"})
    atomic_write(folder / "device.toml", text)


def _owner(device: str, folders: list[Path]) -> str:
    """The device whose ids a journal of `device`'s folder holds: a folder a copy was taken into
    (`<id>-c<hash>`) holds its device's."""
    return next(
        (f.name for f in folders if f.name != device and device.startswith(f"{f.name[: _MAX_ID - 12]}-c")),
        device,
    )


def _own_folder(folder: Path) -> None:
    """Make `folder` (a device folder to write) unless it is there; OSError when it is a symbolic
    link or not a folder: its name is known from the copy's ids, so a synced folder may hold a
    link by that name to anywhere, and nothing is written through it."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OSError(
            errno.EEXIST, f"devices/{folder.name} is a symbolic link or a file, not a folder; nothing written"
        )
    folder.mkdir(parents=True, exist_ok=True)


def _quarantine(state_dir: Path, device: str, copy: Path) -> str:
    target = state_dir / "quarantine" / f"{device}-{copy.name}"
    n = 1
    while target.exists():
        n += 1
        target = target.with_name(f"{device}-{n}-{copy.name}")
    target.parent.mkdir(parents=True, exist_ok=True)
    copy.replace(target)
    return f"quarantine/{target.name}"


def take_in_copies(state_dir: Path, folders: list[Path], now: datetime, writable: bool) -> list[str]:
    """Take in the conflict copies of the journals of `folders` (the device folders read); one
    line per copy. Read-only, nothing is written and the copy's new reviews are only counted."""
    lines: list[str] = []
    if writable:
        lines += _settle_taken(state_dir, folders, now)
    for folder in folders:
        copies = journal_copies(folder)
        if not copies:
            continue
        device = folder.name
        # The device whose ids the copy holds: a folder a copy was taken into (`<id>-c<hash>`,
        # synced too, so it may get a conflict copy of its own) holds `<id>`'s. Its events are
        # known when `<id>`'s journals or any folder taken in for `<id>` hold them, and new ones
        # go to a folder of `<id>`, never to a folder of a folder.
        owner = _owner(device, folders)
        family = [f for f in folders if f.name == owner or f.name.startswith(f"{owner[: _MAX_ID - 12]}-c")]
        known = _ids([folder, *(f for f in family if f != folder)], now)
        own = f"{owner}-"  # the prefix of every id the copy may hold
        for copy, original in copies:
            scan = scan_file(copy, 0, now)
            extra: list[Event] = []
            foreign = 0
            for _pos, event in scan.events:
                if not event.id.startswith(own):
                    foreign += 1  # another device's event: its own journal is the one to hold it
                elif event.id not in known:
                    known.add(event.id)
                    extra.append(event)
            what = f"devices/{device}/{copy.name} is a sync tool's conflict copy of {original}"
            if foreign:
                what += f" ({foreign} event(s) with another device's ids left out)"
            if not writable:
                more = f"{len(extra)} review(s) no journal holds" if extra else "no review the journal lacks"
                lines.append(f"{what}; it holds {more}, taken in when retain next opens to write")
                continue
            try:
                if extra:
                    into = state_dir / "devices" / _folder_name(owner, extra)
                    _own_folder(into)
                    _write_folder(into, owner, original, extra, copy.name, device)
                kept = _quarantine(state_dir, device, copy)
            except OSError as exc:
                lines.append(
                    f"{what}; it could not be taken in ({os_error_text(exc, name=False)}) and is not read"
                )
                continue
            if extra:
                lines.append(
                    f"{what} (two computers writing as one device?); its {len(extra)} review(s) no journal "
                    f"held were taken in as devices/{into.name}, each once, and the copy was moved to {kept}"
                )
            else:
                lines.append(f"{what}; it holds no review the journal lacks and was moved to {kept}")
    return lines


def _settle_taken(state_dir: Path, folders: list[Path], now: datetime) -> list[str]:
    """Events of a folder a copy was taken into that its device's own journal holds now (a later
    sync kept the copy's version of the file) leave that folder, so each is read once; a folder
    left empty goes to `quarantine/`. Only devices with such a folder pay for the check (one
    month file read per file of the folder)."""
    lines: list[str] = []
    by_name = {f.name: f for f in folders}
    for taken in folders:
        device = next(
            (d for d in by_name if taken.name != d and taken.name.startswith(f"{d[: _MAX_ID - 12]}-c")), None
        )
        if device is None:
            continue
        moved = 0
        if taken.is_symlink():  # never written through (`_own_folder`)
            continue
        for path in journal_files(taken):
            main = by_name[device] / path.name
            if not main.is_file():
                continue
            held = {event.id for _pos, event in scan_file(main, 0, now).events}
            events = [event for _pos, event in scan_file(path, 0, now).events]
            left = [e for e in events if e.id not in held]
            if len(left) == len(events):
                continue
            moved += len(events) - len(left)
            try:
                if left:
                    _write_journal(taken, device, path.name, left)
                else:
                    path.unlink()
            except OSError as exc:
                lines.append(
                    f"devices/{taken.name}/{path.name} could not be updated ({os_error_text(exc, name=False)})"
                )
        if moved:
            line = f"devices/{taken.name}: {moved} review(s) taken in from a conflict copy are in devices/{device} now"
            if not journal_files(taken):
                try:
                    line += f"; the folder was moved to {_quarantine(state_dir, device, taken)}"
                except OSError as exc:
                    line += f"; the folder could not be moved aside ({os_error_text(exc, name=False)})"
            lines.append(line + " (each review is read once)")
    return lines
