"""Safe reads of untrusted files and atomic writes."""

from __future__ import annotations

import contextlib
import errno
import fnmatch
import functools
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "MAX_DECK_BYTES",
    "ChangedWhileWrittenError",
    "NotRegularFileError",
    "ReadError",
    "ReadOnlyFileError",
    "atomic_output",
    "atomic_write",
    "conflict_copy_of",
    "conflict_marker_line",
    "copy_regular",
    "copy_tree_regular",
    "file_kind",
    "fsync_dir",
    "name_text",
    "open_regular",
    "over_deck_limit",
    "over_deck_limit_reason",
    "read_only",
    "read_text_limited",
    "remove_tree",
]

MAX_DECK_BYTES = 10 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024  # config.toml: larger is refused at start (`store.config`)
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


# The copies sync tools leave beside a file both sides changed: Syncthing `<stem>.sync-conflict-<date>-
# <time>-<by>`, Dropbox and Nextcloud `<stem> (… conflicted copy …)`, and `git mergetool`'s
# `<stem>_BASE_<pid>` (also LOCAL, REMOTE, BACKUP).
_CONFLICT_COPY_RE = re.compile(
    r"\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}(?=\.|\Z)"
    r"|\s*\([^()]*\b(?i:conflicted copy)\b[^()]*\)"
    r"|_(?:BASE|LOCAL|REMOTE|BACKUP)_\d+\Z"
)
_MARKER_RE = re.compile(r"^(?:<{7}|={7}|>{7})(?:[ \t].*)?\r?$", re.MULTILINE)
_OPEN_MARKER_RE = re.compile(r"^<{7}(?:[ \t].*)?\r?$", re.MULTILINE)
_CLOSE_MARKER_RE = re.compile(r"^>{7}(?:[ \t].*)?\r?$", re.MULTILINE)


def conflict_copy_of(path: Path, *, beside: bool = False) -> str | None:
    """The name of the file `path` is a sync tool's conflict copy of (`tiny.toml` for
    `tiny.sync-conflict-20260328-120000-ABCDEFG.toml`), or None when it is no such copy. With
    `beside`, only when that file is there too: a deck may have any name (`german_base_1.toml`
    with no `german.toml` beside it is a deck)."""
    m = _CONFLICT_COPY_RE.search(path.stem)
    if m is None or m.start() == 0:
        return None
    original = path.stem[: m.start()] + path.stem[m.end() :] + path.suffix
    if beside and not os.path.lexists(path.with_name(original)):
        return None
    return original


def conflict_marker_line(text: str) -> int | None:
    """The line (1-based) of the first merge conflict marker (`<<<<<<<`, `=======`, `>>>>>>>` at the
    start of a line) in a text holding a `<<<<<<<` one and a `>>>>>>>` one, else None: an
    unresolved `git merge` (or `git stash pop`, `git rebase`) left them there."""
    if "<<<<<<<" not in text or ">>>>>>>" not in text:
        return None
    if _OPEN_MARKER_RE.search(text) is None or _CLOSE_MARKER_RE.search(text) is None:
        return None  # (three searches that stop at their first find: no list of every marker line)
    first = _MARKER_RE.search(text)
    assert first is not None
    return text.count("\n", 0, first.start()) + 1


def name_text(name: str) -> str:
    """A file name made text that can be written: each undecodable byte (a lone surrogate) becomes U+FFFD.

    Python hands a name that is not UTF-8 (`caf\\xe9.tsv` from a Latin-1 system) over
    with surrogates, which no UTF-8 file can hold: a deck named after it would fail
    when written.
    """
    return _SURROGATE_RE.sub("\ufffd", name)


class ReadError(Exception):
    """A file could not be read as text; the message is one line for the user.

    `line` and `col` (1-based) say where in the file, when the fault is at a place in it.
    """

    def __init__(self, message: str, line: int = 1, col: int = 1) -> None:
        super().__init__(message)
        self.line = line
        self.col = col


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def file_kind(mode: int) -> str:
    """What a file of `mode` is, for a message: "a FIFO", "a socket", ... ("a special file")."""
    return next((name for test, name in _KINDS if test(mode)), "a special file")


class NotRegularFileError(OSError):
    """A path that was to be read names no regular file (a FIFO, a socket, a device, a folder, a
    symbolic link where none may be); `strerror` is the phrase for the user:
    "not a regular file (a FIFO)"; `kind` is what it is instead ("a FIFO")."""

    kind: str = "a special file"


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_LINK_ERRNOS = (errno.ELOOP, errno.EMLINK, errno.ENOTDIR)


def _not_regular(path: Path, what: str) -> NotRegularFileError:
    exc = NotRegularFileError(errno.EINVAL, f"not a regular file ({what})", os.fspath(path))
    exc.kind = what
    return exc


def _open_beneath(under: Path, path: Path, flags: int) -> int:
    """A descriptor of `path`, a file below the folder `under`, opened one component at a time
    without following a symbolic link below `under` (`under` itself may be one): a link swapped
    in after a check is refused, never followed out of the folder."""
    parts = path.relative_to(under).parts
    if not parts or ".." in parts:
        raise ValueError(f"{path} is not a file below {under}")
    if not (_NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd):  # (Windows) by name
        for above in (path, *path.parents):
            if above == under:
                break
            if above.is_symlink():
                raise _not_regular(path, "a symbolic link")
        return os.open(path, flags)
    dir_fd = os.open(under, os.O_RDONLY | _DIRECTORY)
    try:
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            try:
                fd = os.open(
                    part,
                    (flags if last else os.O_RDONLY | _DIRECTORY | _NONBLOCK) | _NOFOLLOW,
                    dir_fd=dir_fd,
                )
            except OSError as exc:
                if exc.errno in _LINK_ERRNOS and os.path.islink(os.path.join(under, *parts[: i + 1])):
                    raise _not_regular(path, "a symbolic link") from None
                raise
            os.close(dir_fd)
            dir_fd = fd
        fd, dir_fd = dir_fd, -1
        return fd
    finally:
        if dir_fd >= 0:
            os.close(dir_fd)


def _open_regular_fd(path: Path, under: Path | None = None) -> tuple[int, os.stat_result]:
    """A read-only descriptor of the regular file `path`, and its fstat; NotRegularFileError
    when it is none.

    O_NONBLOCK: opening a FIFO with no writer would otherwise wait forever (a device
    may block too). The type is checked with fstat on the open file, so nothing can
    be swapped in between a check and the read. With `under`, no symbolic link
    below that folder is followed (`_open_beneath`).
    """
    flags = os.O_RDONLY | _NONBLOCK | getattr(os, "O_BINARY", 0)
    try:
        fd = _open_beneath(under, path, flags) if under is not None else os.open(path, flags)
    except NotRegularFileError:
        raise
    except OSError:  # a socket cannot be opened at all: say what it is rather than ENXIO
        mode = os.stat(path).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, file_kind(mode)) from None
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise _not_regular(path, file_kind(st.st_mode))
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads as usual from here
    except BaseException:
        os.close(fd)
        raise
    return fd, st


def open_regular(path: Path, *, under: Path | None = None) -> BinaryIO:
    """`path` opened for reading (binary) when it is a regular file (a symbolic link to one
    counts, except below `under`); NotRegularFileError when it is not, other OSErrors as `open`.
    Never blocks on a FIFO or a device, nor reads one swapped in after a check."""
    fd, _st = _open_regular_fd(path, under)
    return os.fdopen(fd, "rb")


def _read_regular(path: Path, limit: int) -> bytes:
    """Up to `limit + 1` bytes of `path`, which must be a regular file (`open_regular`)."""
    try:
        fd, st = _open_regular_fd(path)
    except NotRegularFileError as exc:
        raise ReadError(exc.strerror or "not a regular file") from None
    with os.fdopen(fd, "rb") as fh:
        if st.st_size > limit:
            raise ReadError(f"file is {_mib(st.st_size)}; the limit is {_mib(limit)}")
        return fh.read(limit + 1)


def copy_regular(src: Path, dst: Path, *, under: Path | None = None, durable: bool = False) -> None:
    """Copy the regular file `src` to the new file `dst`, with its mode and times (as
    `shutil.copy2`). The source is opened as `open_regular` opens it: NotRegularFileError, and
    nothing made, for a FIFO, a device, a socket or a folder (a symbolic link to a file is
    copied as that file). Errors of writing `dst` (a full disk) are OSErrors as usual."""
    _copy_fd(*_open_regular_fd(src, under), dst, durable)


def _copy_fd(fd: int, st: os.stat_result, dst: Path, durable: bool) -> None:
    """The open regular file `fd` (closed here) copied to the new file `dst`, with `st`'s mode and times."""
    import shutil  # (copies are rare: not imported on every start)

    with os.fdopen(fd, "rb") as fin, open(dst, "xb") as fout:
        shutil.copyfileobj(fin, fout, 1 << 20)
        fout.flush()
        if durable:
            os.fsync(fout.fileno())
    with contextlib.suppress(OSError):
        os.chmod(dst, stat.S_IMODE(st.st_mode))
        os.utime(dst, ns=(st.st_atime_ns, st.st_mtime_ns))


def _unreadable(path: Path, exc: OSError) -> str:
    """Why the file at `path` could not be opened, in a few words."""
    if exc.errno == errno.ELOOP:
        return "a symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "a broken symbolic link" if os.path.lexists(path) else "gone while it was copied"
    from retain.store.oserror import os_error_text  # (it imports this module)

    return f"cannot be read: {os_error_text(exc, name=False)}"


def copy_tree_regular(
    src: Path, dst: Path, *, durable: bool = False, match: str = "*", recurse: bool = True
) -> list[str]:
    """Copy the folder `src` to the new folder `dst`: its regular files (`copy_regular`) whose
    names `match` (a glob pattern) and, with `recurse`, its folders, never following a symbolic
    link to a folder. What is not copied (a FIFO, a socket, a device, a link loop, a folder that
    cannot be read, a file gone meanwhile) is left out and named in the list returned
    (`devices/x (a FIFO)`, relative to `src`'s parent): it never blocks the copy nor fails it.
    Errors of writing `dst` (a full disk) are raised. With `durable`, each file and folder is
    fsynced."""
    skipped: list[str] = []
    top = src.parent

    def left_out(path: Path, why: str) -> None:
        skipped.append(f"{name_text(path.relative_to(top).as_posix())} ({why})")

    def walk(folder: Path, into: Path) -> None:
        into.mkdir()
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            left_out(folder, _unreadable(folder, exc))
            return
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                is_dir = False
            if is_dir:
                if recurse:
                    walk(path, into / entry.name)
                continue
            if not fnmatch.fnmatchcase(entry.name, match):
                continue
            try:
                opened = _open_regular_fd(path)
            except NotRegularFileError as exc:
                left_out(path, exc.kind)
                continue
            except OSError as exc:
                left_out(path, _unreadable(path, exc))
                continue
            _copy_fd(*opened, into / entry.name, durable)  # a failed write (a full disk) fails the copy
        if durable:
            fsync_dir(into)

    walk(src, dst)
    return skipped


def remove_tree(path: Path) -> None:
    """Remove `path`: a folder with all in it, or anything else (a file, a FIFO, a link: never what
    it points to). Errors are ignored, as `shutil.rmtree(ignore_errors=True)`.

    `shutil.rmtree` opens the path it is given before it looks at what it is: a FIFO under a
    folder's name (or one swapped in after a check) blocked it forever. Here each folder is opened
    with O_DIRECTORY, O_NOFOLLOW and O_NONBLOCK, so nothing else is ever opened."""
    try:
        st = os.lstat(path)
    except OSError:
        return
    if not stat.S_ISDIR(st.st_mode):
        with contextlib.suppress(OSError):
            os.unlink(path)
        return
    if not (_NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd and os.unlink in os.supports_dir_fd):
        import shutil

        shutil.rmtree(path, ignore_errors=True)  # (Windows: no FIFOs to open)
        return
    _remove_in(None, os.fspath(path))


def _remove_in(dir_fd: int | None, name: str) -> None:
    """Remove the folder `name` (in the open folder `dir_fd`, else a path) and all in it."""
    try:
        fd = os.open(name, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _NONBLOCK, dir_fd=dir_fd)
    except OSError:  # no folder (any more): a file, a FIFO or a link swapped in
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        return
    try:
        with os.scandir(fd) as it:
            entries = [(e.name, e.is_dir(follow_symlinks=False)) for e in it]
        for child, is_dir in entries:
            if is_dir:
                _remove_in(fd, child)
            else:
                with contextlib.suppress(OSError):
                    os.unlink(child, dir_fd=fd)
    except OSError:
        pass
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        os.rmdir(name, dir_fd=dir_fd)


def _mib(n: int) -> str:
    """Bytes in MiB, the unit of the limits, rounded up: a file over a limit never shows as the limit."""
    tenths = -(-n * 10 // 2**20)
    return f"{tenths // 10}.{tenths % 10} MiB".replace(".0 MiB", " MiB")


def _bad_utf8(data: bytes, exc: UnicodeDecodeError) -> ReadError:
    """The error for a byte that is not UTF-8, at its line and column (in characters, as TOML's)."""
    line_start = data.rfind(b"\n", 0, exc.start) + 1
    line = data.count(b"\n", 0, exc.start) + 1
    col = len(data[line_start : exc.start].decode("utf-8", "replace")) + 1
    return ReadError(f"not UTF-8 text (bad byte at line {line}); save the file as UTF-8", line, col)


def over_deck_limit(path: Path, size: int) -> str | None:
    """The one-line refusal to write a deck file of `size` bytes over `MAX_DECK_BYTES` (the library
    would not read it: the whole deck would be gone), else None."""
    if size <= MAX_DECK_BYTES:
        return None
    return f"{path} {over_deck_limit_reason(size)}"


def over_deck_limit_reason(size: int) -> str:
    """`over_deck_limit`'s line without the path, for a line that names the file already."""
    return (
        f"would be {_mib(size)}, over the {_mib(MAX_DECK_BYTES)} deck-file size limit: "
        "split the deck; nothing was written"
    )


def read_text_limited(path: Path, limit: int = MAX_DECK_BYTES) -> str:
    """The UTF-8 text of a regular file of at most `limit` bytes, BOM dropped; ReadError otherwise."""
    try:
        data = _read_regular(path, limit)
    except OSError as exc:
        from retain.store.oserror import os_error_text  # (it imports this module)

        raise ReadError(f"cannot read file: {os_error_text(exc, name=False)}") from None
    if len(data) > limit:
        raise ReadError(f"file is over the {_mib(limit)} limit")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _bad_utf8(data, exc) from None
    return text.removeprefix("\ufeff")


class ReadOnlyFileError(PermissionError):
    """A file a person keeps that they made read-only (`read_only`): never replaced. `strerror` is
    the line for the user, the file named in it."""


class ChangedWhileWrittenError(OSError):
    """A file a person keeps changed on disk while its new text was being written (another
    editor saved it meanwhile): it was not replaced. `strerror` is the phrase for the user."""


def read_only(path: Path, *, to: str = "to change it", unsaved: str = "nothing was written") -> str:
    """Why `path` (through a symbolic link) must not be rewritten: "" when it may be. A file with
    no write permission is the user's "do not change this"; replacing it by a rename would still
    work (that needs only the folder's permission), so every write of a file a person keeps
    (a deck file, config.toml) checks it first. Read from the mode bits: root may write anything.
    `to` ends the line for the user's own read-only file ("... (chmod u+w) to change it"),
    `unsaved` the line for one they cannot write at all."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return ""  # missing: written new (or the write says why not)
    if mode & 0o222 and os.access(path, os.W_OK):
        return ""
    shown = f"{path} (a link to {os.path.realpath(path)})" if os.path.islink(path) else str(path)
    try:
        mine = not hasattr(os, "getuid") or path.stat().st_uid == os.getuid()
    except OSError:
        mine = False
    if not mode & 0o200 and mine:  # the user's own "do not change this"
        return f"{shown} is read-only; make it writable (chmod u+w) {to}"
    return f"{shown} cannot be written by you (another owner, or a read-only file system); {unsaved}"


def _content_digest(path: Path) -> str | None:
    """A digest of the file at `path` as it is now ("" when there is none); None when it cannot be
    read (nothing to compare: no guard)."""
    import hashlib  # (only a kept file's write reads it)

    try:
        fh = open(path, "rb")  # noqa: SIM115 (closed below; a missing file is a value, not an error)
    except FileNotFoundError:
        return ""
    except OSError:
        return None
    with fh:
        digest = hashlib.sha256()
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@functools.cache
def _umask() -> int:
    """The process umask (read once: setting it to read it is not thread-safe, so do it once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _take_mode(tmp: str, path: Path, *, follow: bool = True) -> None:
    """Give the temp file the mode (and, where allowed, owner and group) of the file it replaces.

    A new file gets the mode `open()` would give it (0666 less the umask): `mkstemp`'s 0600 would
    make a shared deck file private after its first edit. Without `follow`, what is not a regular
    file (a symbolic link, whose target is not what is replaced) counts as no file: a link a
    stranger placed never gives the new file the target's mode, nor the stranger's ownership.
    """
    try:
        st = os.stat(path) if follow else os.lstat(path)
        if not follow and not stat.S_ISREG(st.st_mode):
            raise FileNotFoundError(errno.ENOENT, "not a regular file", os.fspath(path))
    except OSError:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    if hasattr(os, "chown"):
        with contextlib.suppress(OSError):  # only root may give a file away; the group may be allowed
            os.chown(tmp, st.st_uid, st.st_gid)
    os.chmod(tmp, stat.S_IMODE(st.st_mode))


def _final_target(path: Path) -> Path:
    """`path`, or when it is a symbolic link the file its chain of links finally names.

    A link kept in the deck folder (or anywhere else) to a file in a git checkout is
    written through: replacing the link would leave the real file without the change.
    A broken link (its target missing, a disk not mounted) or a link loop is never
    written through nor replaced: OSError, with a phrase for the user as `strerror`.
    """
    if not os.path.islink(path):
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a symbolic link loop; nothing written", os.fspath(path)) from None
        try:
            to = os.readlink(path)
        except OSError:
            to = "?"
        raise OSError(
            exc.errno or errno.ENOENT,
            f"a broken symbolic link (to {to}, which does not exist); nothing written",
            os.fspath(path),
        ) from None


def _hard_linked(target: Path) -> bool:
    """Whether `target` is a regular file with other names (hard links) besides this one."""
    try:
        st = os.stat(target)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_nlink > 1


@contextlib.contextmanager
def atomic_output(
    path: Path, *, durable: bool = True, through_links: bool = True, keep_hard_links: bool = False
) -> Iterator[Path]:
    """Yield a temp path; once the block succeeds it replaces the file at `path` atomically.

    A symbolic link at `path` is written through and kept: the temp file is made
    beside the link's final target, which it replaces (a broken link or a link
    loop: OSError, nothing written). Without `through_links` (an export, a file
    for someone else) the link itself is replaced, never its target: the temp file
    is made beside `path`. The new file keeps the mode and owner of the regular
    file it replaces. On an error the temp file is removed and the file is
    untouched. With `durable`, the data and the folder entry are fsynced.

    With `keep_hard_links` (a file a person keeps, such as a deck, which they may have
    hard-linked into a git checkout), a file with other hard links is written in place once
    the whole new text is in the temp file: a rename would cut it from its other names,
    which would keep the old text. That write is not atomic, but a kill during it is put
    right at the next load (`inplace.copy_in_place`, `inplace.finish_in_place_write`).
    Such a file is also guarded: one the person made read-only is never replaced
    (ReadOnlyFileError, before anything is made), and one that changed on disk while the new
    text was written and fsynced (another editor's save on a slow disk) is not replaced either:
    its content is compared once more right before the rename (ChangedWhileWrittenError, the
    temp file removed). The caller's own "changed since I read it?" check comes before the slow
    part; this one leaves a window of microseconds, not of an fsync.
    """
    import tempfile  # (a read-only start writes nothing: not imported then)

    path.parent.mkdir(parents=True, exist_ok=True)
    target = _final_target(path) if through_links else path
    before: str | None = None
    if keep_hard_links:
        said = (
            read_only(path) if through_links or not os.path.islink(path) else ""
        )  # (a link replaced: no mode)
        if said:
            raise ReadOnlyFileError(errno.EACCES, said, os.fspath(path))
        before = _content_digest(target)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # (a read-only folder): name the file being written, not a temp name
        raise OSError(exc.errno, exc.strerror, os.fspath(target)) from None
    os.close(fd)
    try:
        _take_mode(tmp, target, follow=through_links)
        yield Path(tmp)
        if durable:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        if before is not None and _content_digest(target) != before:
            raise ChangedWhileWrittenError(
                errno.EAGAIN,
                "it changed on disk while it was being written; nothing was written",
                os.fspath(path),
            )
        if keep_hard_links and _hard_linked(target):
            in_place = True
        else:
            in_place = False
            os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if in_place:
        from retain.store.inplace import copy_in_place  # (only a file with other hard links)

        copy_in_place(tmp, target, durable)
    if durable:
        fsync_dir(target.parent)


def atomic_write(
    path: Path, data: bytes | str, *, durable: bool = True, keep_hard_links: bool = False
) -> None:
    """Write via a temp file in the same folder (fsync, os.replace, fsync the folder); keeps the mode.

    A symbolic link at `path` is written through to its target and kept (`atomic_output`), and
    with `keep_hard_links` so are a file's other hard links.
    """
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with atomic_output(path, durable=durable, keep_hard_links=keep_hard_links) as tmp, open(tmp, "wb") as fh:
        fh.write(raw)
