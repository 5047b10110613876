"""Writes in place into a file with other hard links, and their recovery after a kill.

A file a person hard-linked elsewhere (a deck kept in a git checkout, config.toml) is written
in place so that every name of it sees the change (`files.atomic_output` with
`keep_hard_links`). That write is not atomic: a kill between its write and its truncate leaves
the new text with the old file's tail. `copy_in_place` makes a recovery record first, and
`finish_in_place_write` (at every load of a deck file and of config.toml) puts the file right.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from retain.store.files import (
    _DIRECTORY,
    _LINK_ERRNOS,
    _NOFOLLOW,
    _NONBLOCK,
    MAX_DECK_BYTES,
    atomic_output,
    file_kind,
    fsync_dir,
)

__all__ = ["IN_PLACE_SUFFIX", "copy_in_place", "finish_in_place_write", "in_place_record"]


def _write_all(fd: int, data: bytes) -> None:
    """`data` written at the start of the open file `fd` (each short write continued)."""
    os.lseek(fd, 0, os.SEEK_SET)
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _overwrite(target: Path, data: bytes, durable: bool, *, grow_first: bool) -> None:
    """`data` over `target`'s bytes, in place; with `grow_first` the room for a longer text is
    taken before a byte changes (`posix_fallocate`: a full disk refuses it then, not half way)."""
    with open(target, "r+b") as dst:
        fd = dst.fileno()
        if grow_first and hasattr(os, "posix_fallocate"):
            try:
                os.posix_fallocate(fd, 0, max(len(data), 1))
            except OSError as exc:
                if exc.errno not in (errno.EOPNOTSUPP, errno.EINVAL, errno.ENOSYS):
                    raise  # (ENOSPC, EFBIG, ...: nothing was changed yet)
        _write_all(fd, data)
        os.ftruncate(fd, len(data))
        if durable:
            os.fsync(fd)


# A write in place (`_copy_in_place`) is not atomic: a kill between its write and its truncate
# leaves the new text with the old file's tail. Before a byte of the file changes, its recovery
# record is made beside it, `.<name>.inplace`: the new text, the old text, and a last line with
# the file's inode, both lengths and both SHA-256s; written, fsynced, and only then given that
# name (a second hard link of the finished temp file), so a record by that name is complete.
# `finish_in_place_write` (at every load of a deck file and of config.toml) puts the new text in
# place from it when the file is the old text, the new one or a mix of the two a cut-short write
# leaves; a file changed since (another inode, other bytes) is left alone and the new text is
# kept as `<name>.unsaved`.
IN_PLACE_SUFFIX = ".inplace"
_FINISHED = "a save into it was cut short (the program was stopped); finished now: it holds the new text"
_FOOTER = b"\n#retain in-place write 1 "  # (a line of its own after the texts, whatever their end)
_MAX_RECORD = 8 * MAX_DECK_BYTES  # a record is read whole: a bigger one is no record of ours
_DIR_FDS = _NOFOLLOW != 0 and _DIRECTORY != 0 and os.open in os.supports_dir_fd


def in_place_record(target: Path) -> Path:
    """The recovery record of a write in place into `target` (`.<name>.inplace` beside it)."""
    return target.with_name(f".{target.name}{IN_PLACE_SUFFIX}")


def _lock(fd: int, *, wait: bool) -> bool:
    """An exclusive `flock` on `fd`: whether it was had (without `wait`, False while another
    process holds it). Where there are no such locks, True."""
    try:
        import fcntl
    except ImportError:  # (Windows)
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    except OSError:  # (a file system without locks)
        return True
    return True


def _footer(ino: int, new: bytes, old: bytes) -> bytes:
    import hashlib  # (only when a record is made or found: `retain due` never loads it)

    sums = f"{hashlib.sha256(new).hexdigest()} {hashlib.sha256(old).hexdigest()}"
    return _FOOTER + f"{ino} {len(new)} {len(old)} {sums}\n".encode()


def _parse_record(raw: bytes) -> tuple[int, bytes, bytes] | None:
    """(inode, new text, old text) of a whole record; None for anything else."""
    start = raw.rfind(_FOOTER)  # (the footer's own digits hold no such text: the last is it)
    footer = raw[start:]
    if start < 0 or not footer.endswith(b"\n"):
        return None
    try:
        ino_s, new_s, old_s, _new_sum, _old_sum = footer[len(_FOOTER) :].decode("ascii").split()
        ino, n_new, n_old = int(ino_s), int(new_s), int(old_s)
    except (UnicodeDecodeError, ValueError):
        return None
    if n_new < 0 or n_old < 0 or n_new + n_old != start:
        return None
    new, old = raw[:n_new], raw[n_new:start]
    return (ino, new, old) if _footer(ino, new, old) == footer else None


def _make_record(tmp: str, record: Path, ino: int, new: bytes, old: bytes) -> int:
    """Turn the finished temp file (holding `new`) into the record of a write in place: `old`
    and the footer appended, fsynced, then linked as `record` (EEXIST: another save's record is
    there; nothing is overwritten). The descriptor returned holds the record's lock (a load that
    finds it locked leaves it: the save is in progress); close it once the record is removed."""
    fd = os.open(tmp, os.O_WRONLY | os.O_APPEND)
    try:
        _lock(fd, wait=True)
        for part in (old, _footer(ino, new, old)):
            view = memoryview(part)
            while view:
                view = view[os.write(fd, view) :]
        os.fsync(fd)
        os.link(tmp, record)  # the second name marks it complete
        os.unlink(tmp)
        fsync_dir(record.parent)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _unlink_record(record: Path) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(record)
    fsync_dir(record.parent)


def copy_in_place(tmp: str, target: Path, durable: bool) -> None:
    """Write the finished temp file's bytes over `target` in place (its inode, so every hard link
    to it, kept). A recovery record is made first (`_make_record`): a kill at any moment leaves
    what the next load puts right (`finish_in_place_write`). The room is taken first; should the
    write fail all the same, the old bytes are written back (the file is as it was), and only
    when that fails too is the new text kept as `<name>.unsaved` beside `target`, which the
    OSError names (the record stays, so the next load finishes the write)."""
    record = in_place_record(target)
    try:
        if os.path.lexists(record):  # an earlier save cut short: finished (or set aside) first
            finish_in_place_write(target)
        with open(tmp, "rb") as src:
            data = src.read()
        with open(target, "rb") as fh:
            ino = os.fstat(fh.fileno()).st_ino
            old = fh.read()
        lock = _make_record(tmp, record, ino, data, old)
    except FileExistsError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OSError(
            errno.EBUSY,
            f"another save of this file is under way ({record.name}); nothing written",
            os.fspath(target),
        ) from None
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OSError(exc.errno, exc.strerror, os.fspath(target)) from None
    try:
        _put_in_place(record, target, data, old, durable)
    finally:
        os.close(lock)


def _put_in_place(record: Path, target: Path, data: bytes, old: bytes, durable: bool) -> None:
    try:
        _overwrite(target, data, durable, grow_first=True)
    except OSError as exc:
        try:
            _overwrite(target, old, durable, grow_first=False)
        except OSError:
            pass
        else:
            _unlink_record(record)
            raise OSError(exc.errno, exc.strerror, os.fspath(target)) from None
        kept = target.with_name(target.name + ".unsaved")
        try:
            with atomic_output(kept, through_links=False) as out, open(out, "wb") as fh:
                fh.write(data)
        except OSError:
            raise exc from None
        with contextlib.suppress(OSError):
            if target.read_bytes() == old:  # not changed after all: nothing to finish
                _unlink_record(record)
        raise OSError(
            exc.errno,
            f"{exc.strerror or exc}; the file could not be put back as it was: the new text is kept"
            f" in {kept.name}",
            os.fspath(target),
        ) from None
    _unlink_record(record)


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many first bytes `a` and `b` share."""
    n, step = min(len(a), len(b)), 1 << 16
    i = 0
    while i < n and a[i : i + step] == b[i : i + step]:
        i += step
    while i < n and a[i] == b[i]:
        i += 1
    return min(i, n)


def _cut_short(cur: bytes, new: bytes, old: bytes) -> bool:
    """Whether `cur` is what a write in place of `new` over `old` leaves at some moment before
    its end: `new`'s first bytes, then the old bytes (or the zeros of the room taken for a longer
    text) after them, from the old length up to the new one (a file system that takes no room
    beforehand grows as it is written). A byte anyone else changed fails it."""
    grown = old + bytes(max(0, len(new) - len(old)))
    if not len(old) <= len(cur) <= len(grown):
        return False
    k = _common_prefix(cur, new)
    return cur[k:] == grown[k : len(cur)]


class _Folder:
    """A folder's entries opened by name, never following a symbolic link (a descriptor of the
    folder where the system has `dir_fd`, so a link swapped in for the folder is not followed
    either)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd = os.open(path, os.O_RDONLY | _DIRECTORY) if _DIR_FDS else -1

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        if self.fd >= 0:
            return os.open(name, flags | _NOFOLLOW | _NONBLOCK, mode, dir_fd=self.fd)
        if os.path.islink(self.path / name):
            raise OSError(errno.ELOOP, "a symbolic link", os.fspath(self.path / name))
        return os.open(self.path / name, flags | getattr(os, "O_BINARY", 0), mode)

    def lstat(self, name: str) -> os.stat_result:
        if self.fd >= 0:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        return os.lstat(self.path / name)

    def unlink(self, name: str) -> None:
        if self.fd >= 0 and os.unlink in os.supports_dir_fd:
            os.unlink(name, dir_fd=self.fd)
        else:
            os.unlink(self.path / name)
        if self.fd >= 0:
            with contextlib.suppress(OSError):
                os.fsync(self.fd)


def _read_fd(fd: int, limit: int) -> bytes | None:
    """The bytes of the open regular file `fd` from its start; None when over `limit`."""
    if os.fstat(fd).st_size > limit:
        return None
    os.lseek(fd, 0, os.SEEK_SET)
    chunks: list[bytes] = []
    size = 0
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
    return b"".join(chunks)


def finish_in_place_write(path: Path) -> str | None:
    """Put right a write in place into the file at `path` (or, for a symbolic link, its final
    target) that a kill cut short, from its recovery record (`_make_record`); the one line that
    says what was done, or None when there was nothing to say (no record: one `lstat`).

    Only a complete record is used (by its name, its footer and both checksums), only while no
    save holds it (its lock), and only on the regular file of its folder it names, never through
    a symbolic link, and only when that file is still the one the save wrote (its inode) and
    holds the old text, the new text or a mix of the two a cut-short write leaves: the new text
    is put in place, fsynced, and the record removed. A file changed since is left as it is:
    the new text is kept as `<name>.unsaved` and the record removed. Errors are said, never
    raised: the file is then loaded as it is."""
    try:
        target = Path(os.path.realpath(path)) if os.path.islink(path) else path
        record = in_place_record(target)
        os.lstat(record)
    except (OSError, ValueError):  # (no record; a name no file can have)
        return None
    try:
        folder = _Folder(target.parent)
    except OSError as exc:
        return _not_finished(target, exc)
    try:
        return _finish(folder, target.name, record.name)
    except OSError as exc:
        return _not_finished(target, exc)
    finally:
        folder.close()


def _not_finished(target: Path, exc: OSError) -> str:
    from retain.store.oserror import os_error_text  # (it imports this module)

    return (
        f"{target}: a save into it was cut short, and it could not be finished: "
        f"{os_error_text(exc, name=False)} (the new text is in {in_place_record(target).name})"
    )


def _finish(folder: _Folder, name: str, record_name: str) -> str | None:
    try:
        rec_fd = folder.open(record_name, os.O_RDONLY)
    except OSError as exc:
        if exc.errno in _LINK_ERRNOS:
            return f"{folder.path / record_name}: a symbolic link, not a record of a save; left as it is"
        raise
    try:
        st = os.fstat(rec_fd)
        if not stat.S_ISREG(st.st_mode):
            return (
                f"{folder.path / record_name}: {file_kind(st.st_mode)}, not a record of a save; left as it is"
            )
        if not _lock(rec_fd, wait=False):
            return None  # a save under way in another process: its own
        now = folder.lstat(record_name)
        if (now.st_dev, now.st_ino) != (st.st_dev, st.st_ino):
            return None  # that save finished meanwhile (and perhaps another began)
        raw = _read_fd(rec_fd, _MAX_RECORD)
        parsed = _parse_record(raw) if raw is not None else None
        if parsed is None:
            return (
                f"{folder.path / record_name}: not a whole record of a cut-short save; left as it is "
                f"({name} is not changed)"
            )
        ino, new, old = parsed
        said = _finish_target(folder, name, ino, new, old)
        folder.unlink(record_name)
        return said
    finally:
        os.close(rec_fd)


def _finish_target(folder: _Folder, name: str, ino: int, new: bytes, old: bytes) -> str | None:
    """Put `new` in place in the file `name` when it is still as the save left it (the line said),
    else keep `new` as `<name>.unsaved` (the line said)."""
    target = folder.path / name
    try:
        fd = folder.open(name, os.O_RDWR)
    except OSError as exc:
        if exc.errno not in (errno.ENOENT, *_LINK_ERRNOS):
            raise
        fd = -1
    try:
        cur = None
        if fd >= 0:
            st = os.fstat(fd)
            if stat.S_ISREG(st.st_mode) and st.st_ino == ino:
                cur = _read_fd(fd, max(len(new), len(old)))
        if cur == new:
            os.fsync(fd)
            return None  # the save had ended: only its record was left
        if cur is not None and _cut_short(cur, new, old):
            _write_all(fd, new)
            os.ftruncate(fd, len(new))
            os.fsync(fd)
            return f"{target}: {_FINISHED}"
    finally:
        if fd >= 0:
            os.close(fd)
    kept = _keep_unsaved(folder, name, new)
    return (
        f"{target}: a save into it was cut short, and the file was changed since: it is left as it "
        f"is; the text that save was writing is kept in {kept}"
    )


def _keep_unsaved(folder: _Folder, name: str, data: bytes) -> str:
    """`data` in a new file `<name>.unsaved` (`.unsaved-2`, ... when taken): its name."""
    for n in range(1, 100):
        kept = f"{name}.unsaved" if n == 1 else f"{name}.unsaved-{n}"
        try:
            fd = folder.open(kept, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
        except FileExistsError:
            continue
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
        return kept
    raise OSError(errno.EEXIST, f"{name}.unsaved-99 and every name before it exist", os.fspath(folder.path))
