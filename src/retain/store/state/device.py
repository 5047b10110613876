"""This machine's device id, and the per-device journal folders.

Each machine writes only to its own folder `state/devices/<device-id>/`, so two
machines syncing the data folder (git, Syncthing) never write the same file.
The folder holds `device.toml` (`format`, `id`, the host name and a host key).
A machine finds its folder again by the host key, a hash of the host name and
`/etc/machine-id`, so the id needs no file outside the synced folder.
"""

from __future__ import annotations

import re
import tomllib
from datetime import datetime
from pathlib import Path

from retain.store.files import atomic_write
from retain.store.state.statecodec import format_time, toml_str

__all__ = ["DEVICE_FORMAT", "copied_folders", "device_folders", "find_device", "host_key", "make_device"]

DEVICE_FORMAT = 1
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}\Z")


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


def _named(folder: Path) -> str | None:
    """The id the folder's device.toml gives (None: none readable yet, e.g. still syncing)."""
    try:
        data = tomllib.loads((folder / "device.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    named = data.get("id")
    return named if isinstance(named, str) else None


def device_folders(state_dir: Path) -> list[Path]:
    """Every device folder (this machine's and synced ones), sorted by id; copies left out.

    A folder whose device.toml names another device is a copy of that device's
    folder (`cp -r devices/<id> devices/<id>-backup`): its events carry the same
    ids, so reading it would count every review twice (`copied_folders`).
    """
    return [p for p in _folders(state_dir) if _named(p) in (None, p.name)]


def copied_folders(state_dir: Path) -> list[tuple[str, str]]:
    """(folder name, the device it names) of the folders `device_folders` leaves out."""
    return [(p.name, named) for p in _folders(state_dir) if (named := _named(p)) not in (None, p.name)]


def _read_key(folder: Path) -> str | None:
    try:
        data = tomllib.loads((folder / "device.toml").read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    key = data.get("host_key")
    return key if isinstance(key, str) else None


def find_device(state_dir: Path) -> str | None:
    """The id of this machine's device folder, if it has one."""
    mine = host_key()
    for folder in device_folders(state_dir):
        if _read_key(folder) == mine:
            return folder.name
    return None


def make_device(state_dir: Path, now: datetime) -> str:
    """Create this machine's device folder and return its new id."""
    import secrets

    device = secrets.token_hex(6)
    folder = state_dir / "devices" / device
    folder.mkdir(parents=True, exist_ok=True)
    try:
        _write_device_file(folder, device, now)
    except BaseException:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)  # nothing half-made is left behind
        raise
    return device


def _write_device_file(folder: Path, device: str, now: datetime) -> None:
    import socket

    text = (
        f"format = {DEVICE_FORMAT}\nid = {toml_str(device)}\n"
        f"host = {toml_str(socket.gethostname()[:100])}\nhost_key = {toml_str(host_key())}\n"
        f"created = {format_time(now)}\n"
    )
    atomic_write(folder / "device.toml", text)
