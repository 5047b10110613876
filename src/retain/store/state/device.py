"""This machine's device id, and the per-device journal folders.

Each machine writes only to its own folder `state/devices/<device-id>/`, so two
machines syncing the data folder (git, Syncthing) never write the same file.
The folder holds `device.toml` (`format`, `id`, the host name, a host key and the
state folder's `path`). A machine finds its folder again by the host key, a hash of
the host name and `/etc/machine-id`, so the id needs no file outside the synced
folder; a folder whose `path` is another state folder still there is the device of a
copy of this home on the same computer, never this home's (`find_device`).

The folder's name is the device id everywhere (journal positions, the history
index). A folder whose device.toml names another id is either a copy of that
device's folder (`cp -r devices/<id> devices/<id>-backup`: the folder it names
exists) and is not read, or that folder renamed (`mv devices/<id> devices/laptop`:
it does not) and is read as a device of its own name: its events keep their ids.
"""

from __future__ import annotations

import contextlib
import os
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

from retain.store.files import NotRegularFileError, atomic_write, fsync_dir, open_regular, remove_tree
from retain.store.oserror import os_error_text
from retain.store.state.journal_format import HEAD, journal_files, read_bytes

__all__ = [
    "DEVICE_FORMAT",
    "IMPORT_PREFIX",
    "MAKING_PREFIX",
    "Copy",
    "FolderScan",
    "copied_folders",
    "device_folders",
    "find_device",
    "folder_messages",
    "host_key",
    "import_id",
    "is_import_folder",
    "make_device",
    "make_import_folder",
    "repair_device",
    "scan_folders",
]

DEVICE_FORMAT = 1
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")
_HEADER_DEVICE_RE = re.compile(rb'^(?:\xef\xbb\xbf)?device = "([a-z0-9][a-z0-9-]{0,63})"\r?$', re.MULTILINE)
_TAKEN_RE = re.compile(r"-c[0-9a-f]{10}")  # the suffix of a folder a conflict copy was taken into
_MAX_DEVICE_TOML = 64 * 1024  # a device.toml is a few lines: a larger one is not read (damaged)


def host_key() -> str:
    import hashlib
    import socket

    parts = [socket.gethostname()]
    for source in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            parts.append(Path(source).read_text("ascii").strip()[:64])
            break
        except (OSError, UnicodeDecodeError):
            continue
    return hashlib.blake2b("\0".join(parts).encode(), digest_size=10).hexdigest()


def _folders(state_dir: Path) -> list[Path]:
    root = state_dir / "devices"
    try:
        return sorted(p for p in root.iterdir() if p.is_dir() and _ID_RE.match(p.name))
    except OSError:
        return []


@dataclass(frozen=True, slots=True)
class _DeviceFile:
    """What a folder's device.toml says. `damaged`: it is there but gives no id (not TOML, zeroed,
    emptied by a crash); absent (a sync still under way) it is neither damaged nor names anything."""

    named: str | None = None
    key: str | None = None
    damaged: str = ""  # why, when damaged
    path: str | None = None  # the state folder this device last wrote in (`_write_device_file`)
    copy_of: str | None = None  # the home this device's home is a copy of, when it was made


_TAKEN_IN = re.compile(r".+-c[0-9a-f]{10}\Z")  # `journal_copies._folder_name`: `<id>-c<hash>`


def _device_file(folder: Path) -> _DeviceFile:
    path = folder / "device.toml"
    try:
        with open_regular(path) as fh:  # a FIFO (put there, or swapped in since a check) never blocks
            raw = fh.read(_MAX_DEVICE_TOML + 1)
    except NotRegularFileError:
        return _DeviceFile(damaged="is not a file")  # a FIFO, a socket, a device, a folder
    except FileNotFoundError:
        return _DeviceFile()
    except OSError as exc:
        return _DeviceFile(damaged=f"cannot be read ({os_error_text(exc, name=False)})")
    if len(raw) > _MAX_DEVICE_TOML:
        return _DeviceFile(damaged="is too large to be one")
    try:
        data = tomllib.loads(raw.decode("utf-8-sig"))  # a BOM (a Windows editor, a sync filter) is no damage
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _DeviceFile(damaged="is not valid TOML" if raw.strip(b"\0") else "is empty or zeroed")
    named, key, there, copy_of = (data.get(k) for k in ("id", "host_key", "path", "copy_of"))
    if not isinstance(named, str):
        return _DeviceFile(damaged="is empty or zeroed" if not data else "has no device id")
    # Every retain writes a computer's folder with its host key (an import's folder has none, nor
    # one a sync tool's conflict copy was taken into, `journal_copies`: `<id>-c<hash>`, naming the
    # copy): without one it is a hand edit or damage, which `find_device` repairs as a zeroed file.
    taken_in = isinstance(data.get("taken_from"), str) and _TAKEN_IN.match(folder.name) is not None
    lost_key = not isinstance(key, str) and not is_import_folder(folder.name) and not taken_in
    return _DeviceFile(
        named,
        key if isinstance(key, str) else None,
        damaged="has no host key" if lost_key else "",
        path=there if isinstance(there, str) else None,
        copy_of=copy_of if isinstance(copy_of, str) else None,
    )


def _here(state_dir: Path) -> str:
    """The state folder as `device.toml` records it (`path`): absolute, links resolved."""
    return str(state_dir.resolve())


def _elsewhere(state_dir: Path, device: str, file: _DeviceFile) -> str | None:
    """The other state folder `device` (this machine's host key) writes in, when one does: the
    home was copied on this computer (`cp -a`, a backup restored beside it, a second user's synced
    folder) and that copy is there still. None when the device.toml names no path (written by an
    older retain), this folder, or a folder that is gone (the home was moved: it is this one's)."""
    there = file.path
    if there is None or there == _here(state_dir):
        return None
    if not os.path.isabs(there) or "\0" in there or len(there) > 4096:
        return None  # no path a home can have (a hand edit, damage): this home keeps its device
    other = Path(there) / "devices" / device / "device.toml"
    try:
        if os.path.samefile(there, state_dir):  # the same folder by another path (a bind mount)
            return None
        other.stat()
    except PermissionError:
        return there  # there but not ours to look into (another user's home): not this home's
    except (OSError, ValueError):
        return None  # not there (gone, not a folder, a name too long): the home was moved
    return there


def _header_devices(folder: Path) -> set[str]:
    """The device ids the folder's journal headers name (`device = "..."`)."""
    named: set[str] = set()
    for path in journal_files(folder):
        try:
            m = _HEADER_DEVICE_RE.search(read_bytes(path, 0, HEAD))
        except OSError:
            continue
        if m is not None:
            named.add(m[1].decode("ascii"))
    return named


def _named_by_journals(folder: Path, names: set[str]) -> str | None:
    """For a folder whose device.toml names nothing (not there yet: a sync copies files in any
    order; damaged): the one other device its journal headers all name, when that device's folder
    is there, so a copy of it (`cp -r` without device.toml, a rename a sync tool makes as a copy
    and a delete) is not read twice. A folder a conflict copy was taken into (`<id>-c<hash>`, its
    headers name `<id>`) holds only events `<id>`'s journals lack: it is read."""
    named = _header_devices(folder)
    if len(named) != 1:
        return None
    (other,) = named
    stem = other[:52]  # (`journal_copies` names such a folder from the id's first 52 characters)
    taken = folder.name.startswith(stem) and _TAKEN_RE.fullmatch(folder.name[len(stem) :]) is not None
    return None if other == folder.name or other not in names or taken else other


@dataclass(frozen=True, slots=True)
class Copy:
    """A folder left out as a copy: its name, the folder it copies, and the id both device.toml name."""

    name: str
    of: str
    named: str
    by_journals: bool = False  # named by its journals' headers (it has no readable device.toml)


def _held(folder: Path) -> tuple[int, float, str]:
    """Sort key among folders naming the same missing id: the one holding most journal bytes (the
    one written to since), then the oldest device.toml (the original: `cp -r` makes new files)."""
    size = 0
    for path in journal_files(folder):
        with contextlib.suppress(OSError):
            size += path.stat().st_size
    try:
        made = (folder / "device.toml").stat().st_mtime
    except OSError:
        made = float("inf")
    return -size, made, folder.name


class FolderScan(NamedTuple):
    """The device folders read (sorted by name), the copies left out, and each renamed folder
    read with the id its device.toml names (its snapshots' positions are under that id)."""

    read: list[Path]
    copies: list[Copy]
    renamed: dict[str, str]


def scan_folders(state_dir: Path) -> FolderScan:
    """Every device folder sorted out in one pass over their device.toml files.

    A folder whose device.toml names another id is a copy when the folder of that id exists;
    else that folder was renamed, and it is read. Of several folders naming the same missing id
    (renamed, then copied) one is read (`_held`) and the others are copies of it.
    """
    folders = _folders(state_dir)
    names = {p.name for p in folders}
    read: list[Path] = []
    copies: list[Copy] = []
    renamed: dict[str, list[Path]] = {}  # missing id -> the folders naming it
    for folder in folders:
        named = _device_file(folder).named
        by_journals = named is None
        if by_journals:
            named = _named_by_journals(folder, names)
        if named is None or named == folder.name:
            read.append(folder)
        elif named in names:
            copies.append(Copy(folder.name, named, named, by_journals))
        else:
            renamed.setdefault(named, []).append(folder)
    was: dict[str, str] = {}
    for named, group in renamed.items():
        first, *rest = sorted(group, key=_held) if len(group) > 1 else group
        read.append(first)
        was[first.name] = named
        copies += [Copy(folder.name, first.name, named) for folder in rest]
    return FolderScan(sorted(read), sorted(copies, key=lambda c: c.name), was)


def device_folders(state_dir: Path) -> list[Path]:
    """Every device folder (this machine's and synced ones), sorted by id; copies left out.

    A copy of a device's folder (`cp -r devices/<id> devices/<id>-backup`) holds events with
    the same ids, so reading it would count every review twice (`copied_folders`). A renamed
    folder is read under its new name: its events keep their ids, and no other folder has them.
    """
    return scan_folders(state_dir).read


def copied_folders(state_dir: Path) -> list[Copy]:
    """The folders `device_folders` leaves out as copies of another one."""
    return scan_folders(state_dir).copies


def folder_messages(
    state_dir: Path, own: str | None, now: datetime, scan: FolderScan | None = None
) -> list[str]:
    """One line per copied folder and per damaged device.toml; this machine's (`own`, when it
    may write) is repaired (`repair_device`). `scan`: the folders as already sorted out."""
    read, copies, _renamed = scan if scan is not None else scan_folders(state_dir)
    lines = [
        f"devices/{c.name} is a copy of device {c.named}'s folder (it has no readable device.toml and its "
        f"journals name device {c.named}); it is not read, so no review is counted twice"
        if c.by_journals
        else f"devices/{c.name} is a copy of device {c.named}'s folder (its device.toml says {c.named}); "
        "it is not read, so no review is counted twice"
        if c.of == c.named
        else f"devices/{c.name} is a copy of devices/{c.of} (the device.toml of both says {c.named}); "
        "it is not read, so no review is counted twice"
        for c in copies
    ]
    for folder in read:
        file = _device_file(folder)
        why = file.damaged
        if folder.name == own and not why:
            lines += _own_home(state_dir, folder, file, now)
        if not why:
            continue
        if folder.name == own:
            try:
                lines.append(repair_device(state_dir, own, now))
                continue
            except OSError as exc:
                why += f" and could not be written again ({os_error_text(exc, name=False)})"
        lines.append(f"devices/{folder.name}/device.toml {why}; the folder's journals are still read")
    return lines


def _own_home(state_dir: Path, folder: Path, file: _DeviceFile, now: datetime) -> list[str]:
    """This machine's device.toml made to name this state folder (the home was moved, or the file
    is from an older retain). Nothing is said: a copied home records as a device of its own
    (`find_device`), and every device's reviews are read in each home."""
    if file.path != _here(state_dir):
        try:
            with open_regular(folder / "device.toml") as fh:  # (read again: it may be a FIFO now)
                created = tomllib.loads(fh.read(_MAX_DEVICE_TOML).decode("utf-8-sig")).get("created")
            made = created if isinstance(created, datetime) else None
            _write_device_file(folder, folder.name, now, copy_of=file.copy_of, created=made)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            pass  # (only a hint for a copy of this home: the next start tries again)
    return []


def find_device(state_dir: Path) -> str | None:
    """The id of this machine's device folder, if it has one.

    It is the folder whose device.toml holds this machine's host key (also when the folder was
    renamed). When none does, a folder whose device.toml is damaged (zeroed by a crash) and whose
    journals name that folder is taken as this machine's, if it is the only one: the caller
    repairs it (`repair_device`) rather than start a second device. With several such folders
    nothing tells which one is this machine's: None (a new device is made, and said).
    """
    mine = host_key()
    files = [(folder, _device_file(folder)) for folder in device_folders(state_dir)]
    ours = [(folder, file) for folder, file in files if file.key == mine]
    # A copy of this home elsewhere on this computer finds the same folders by the host key: the
    # folder its device.toml says is written here is this home's (then one naming no folder,
    # then a moved one); one another home still writes is that home's, never this one's.
    for folder, file in sorted(ours, key=lambda f: (f[1].path != _here(state_dir), f[1].path is not None)):
        if _elsewhere(state_dir, folder.name, file) is None:
            return folder.name
    if ours:
        return None  # every folder of this computer is another home's: this one gets a new device
    lost = [
        folder
        for folder, file in files
        if file.damaged and not is_import_folder(folder.name) and _header_devices(folder) == {folder.name}
    ]
    return lost[0].name if len(lost) == 1 else None


def repair_device(state_dir: Path, device: str, now: datetime) -> str:
    """Rewrite this machine's damaged device.toml, keeping the damaged one; the line to show.

    The caller holds the writer lock and has found `device` as this machine's (`find_device`).
    Returns "" when the file is not damaged (nothing done).
    """
    folder = state_dir / "devices" / device
    why = _device_file(folder).damaged
    if not why:
        return ""
    path = folder / "device.toml"
    copy = path.with_name(f"{path.name}.damaged-{now.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}")
    # The damaged bytes are kept under a second name (a hard link: nothing to copy, so a full disk
    # allows it), then the file is written again. Should that fail (a full disk), the damaged file
    # stays where it was: moved aside, it left a folder with no device.toml, which the next start
    # took for no device of this computer's, and made a second one.
    try:
        os.link(path, copy, follow_symlinks=False)
        linked = True
    except OSError:  # (a file system without hard links)
        path.replace(copy)
        linked = False
    try:
        _write_device_file(folder, device, now)
    except BaseException:
        with contextlib.suppress(OSError):
            if linked:
                copy.unlink()
            else:
                copy.replace(path)
        raise
    return (
        f"devices/{device}/device.toml {why}; it was kept as {copy.name} and written again for this "
        f"computer (its journals name device {device}), so no review or undo is lost"
    )


def make_device(state_dir: Path, now: datetime) -> str:
    """Create this machine's device folder and return its new id."""
    import secrets

    device = secrets.token_hex(6)
    folder = state_dir / "devices" / device
    mine = host_key()
    copy_of = next(
        (
            there
            for there in (
                _elsewhere(state_dir, f.name, file)
                for f, file in ((f, _device_file(f)) for f in device_folders(state_dir))
                if file.key == mine
            )
            if there is not None
        ),
        None,
    )
    # Made whole under a name no reader takes (`_ID_RE`), then renamed into place: a kill between
    # the folder and its device.toml left an empty device folder, and the next start made a second.
    making = folder.with_name(f"{MAKING_PREFIX}{device}")
    making.mkdir(parents=True, exist_ok=True)
    try:
        _write_device_file(making, device, now, copy_of=copy_of, state_dir=state_dir)
        making.rename(folder)
        fsync_dir(folder.parent)
    except BaseException:
        remove_tree(making)  # nothing half-made is left behind (never a FIFO or a link swapped in)
        raise
    return device


MAKING_PREFIX = ".making-"  # a device folder being made (`make_device`); a leftover is removed
IMPORT_PREFIX = "import-"  # the device folders of history imports (`import_id`)


def is_import_folder(name: str) -> bool:
    """Whether a device folder is a history import's (written once; never any computer's own)."""
    return name.startswith(IMPORT_PREFIX)


def import_id(state_dir: Path, now: datetime) -> str:
    """A new id for the device folder of a history import (`make_import_folder`), not yet taken.

    An imported history is another computer's reviews: written into this machine's own
    journal, its events would apply in the order written, so one older than a review made
    here would set the card back. In a folder of its own (written once, by this import, in
    time order) its events merge with every other device's by time, as a synced journal's do.
    """
    import secrets

    stamp = now.astimezone(UTC).strftime("%Y%m%d")
    while True:
        device = f"{IMPORT_PREFIX}{stamp}-{secrets.token_hex(3)}"
        if not os.path.lexists(state_dir / "devices" / device):
            return device


def make_import_folder(state_dir: Path, device: str, own: str, now: datetime) -> None:
    """Create an import's device folder: its device.toml names it and the device that made it,
    with no host key, so no machine ever takes it for its own folder."""
    folder = state_dir / "devices" / device
    folder.mkdir(parents=True)
    try:
        made = {"format": DEVICE_FORMAT, "id": device, "imported_by": own, "created": now.astimezone(UTC)}
        import tomli_w  # (writes are rare: a read-only start makes none)

        atomic_write(folder / "device.toml", tomli_w.dumps(made))
    except BaseException:
        remove_tree(folder)  # nothing half-made is left behind (never a FIFO or a link swapped in)
        raise


def _write_device_file(
    folder: Path,
    device: str,
    now: datetime,
    *,
    copy_of: str | None = None,
    created: datetime | None = None,
    state_dir: Path | None = None,
) -> None:
    import socket

    import tomli_w

    made: dict[str, object] = {
        "format": DEVICE_FORMAT,
        "id": device,
        "host": socket.gethostname()[:100],
        "host_key": host_key(),
        "path": _here(state_dir or folder.parent.parent),
        "created": (created or now).astimezone(UTC),
    }
    if copy_of is not None:
        made["copy_of"] = copy_of
    atomic_write(folder / "device.toml", tomli_w.dumps(made))
