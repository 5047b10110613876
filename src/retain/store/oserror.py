"""An operating-system error as plain words for a one-line message.

Python renders an `OSError` as `[Errno 17] File exists: '/home/me/.cache/retain'`: an errno
number, a capitalised C library phrase and the name in repr quotes (escapes doubled). A user
message says `/home/me/.cache/retain is a file, not a folder` instead; `os_error_text` makes
that text: a place that shows an OSError (or its `strerror`) to the user goes through it.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from pathlib import Path

from retain.store.files import file_kind, name_text

__all__ = ["os_error_text", "quoted_name", "shown_name"]

_ERRNO_PREFIX = re.compile(r"^\s*\[(?:Errno|WinError) -?\d+\]\s*")
# Phrases where the C library's is unclear or too technical; the rest is its own, lowercased.
_PHRASES = {
    errno.ELOOP: "a symbolic link loop",
    errno.ENOENT: "no such file or folder",
}


def shown_name(name: object) -> str | None:
    """A file name as the user would type it: no repr quotes, one line (a control character is
    shown as its escape, `\\n`), an undecodable byte as U+FFFD; None for no name (an fd, None)."""
    if isinstance(name, bytes | str | os.PathLike):
        try:
            text = os.fsdecode(name)
        except (TypeError, ValueError):
            return None
    else:
        return None
    return _printable(text)


def quoted_name(name: object) -> str:
    """`shown_name` in single quotes, for a path inside a message: `'C:\\Users\\me'` as typed,
    never a repr's doubled backslashes (`'C:\\\\Users'`)."""
    return f"'{shown_name(name) or ''}'"


def _printable(text: str) -> str:
    """`text` with an undecodable byte as U+FFFD and a control character as its escape (`\\x1b`):
    a name or a phrase never moves the cursor nor starts a new line."""
    text = name_text(text)
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _lower_first(text: str) -> str:
    """`No space left on device` -> `no space left on device`; `I/O error` stays."""
    if len(text) > 1 and text[0].isupper() and (text[1].islower() or text[1] == " "):
        return text[0].lower() + text[1:]
    return text


def _one_line(text: str) -> str:
    return _printable(" ".join(_ERRNO_PREFIX.sub("", text).split()))


def _kind(path: str) -> str | None:
    """What is at `path` when it is no folder ("a file", "a FIFO", ...); None for a folder or nothing."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError) as exc:
        if isinstance(exc, OSError) and exc.errno == errno.ELOOP:
            return "a symbolic link loop"
        try:
            return "a broken symbolic link" if os.path.islink(path) else None
        except ValueError:
            return None
    if stat.S_ISDIR(mode):
        return None
    return "a file" if stat.S_ISREG(mode) else file_kind(mode)


def _not_folder(raw: str) -> tuple[str, str] | None:
    """The file (and what it is) that stands where a folder on the way to `raw` is needed:
    `raw` itself or the nearest of its parents that is there and no folder."""
    try:
        path = Path(raw)
        candidates = [path, *path.parents]
    except (TypeError, ValueError):
        return None
    for above in candidates:
        kind = _kind(os.fspath(above))
        if kind is not None:
            return os.fspath(above), kind
    return None


def os_error_text(exc: BaseException, *, name: bool = True) -> str:
    """The one-line plain text of `exc` for a user message.

    An OSError: its reason with the file named as the user would type it (`shown_name`):
    `/x/cache: permission denied`, `/x/cache is a file, not a folder` (ENOTDIR, or EEXIST
    from making a folder where a file is), `/x/a.toml is a folder, not a file`, `no space
    left on device`, `read-only file system`. With `name=False` the reason alone, for a
    message that names the file itself (`cannot write a.toml: permission denied`) -- except
    when the file in the way is another one (a file where a folder is needed), which is named.
    A phrase retain put as `strerror` itself (`not a regular file (a FIFO)`) is kept.
    Anything else: its own message, on one line (its class name when it has none). Never
    a newline nor a control character: a hostile file name is shown with escapes.
    """
    if not isinstance(exc, OSError):
        return _one_line(str(exc)) or type(exc).__name__
    code = exc.errno if isinstance(exc.errno, int) else None
    given = _one_line(exc.strerror) if isinstance(exc.strerror, str) else ""
    filename = exc.filename
    shown = shown_name(filename)
    if code is not None and (not given or given == os.strerror(code)):
        special = _structural(exc, code, shown, name)
        if special is not None:
            return special
        reason = _PHRASES.get(code) or os.strerror(code)
    elif given:
        reason = given  # (a phrase of retain's own, or a library's)
    else:  # `OSError("text")`: no errno, no strerror
        reason = _one_line(str(exc))
        if shown is not None:  # (its name in repr quotes, if any, is said below)
            reason = reason.replace(f": {filename!r}", "").replace(repr(filename), shown)
    reason = _lower_first(reason) or "an error of the operating system"
    if name and shown is not None and shown not in reason:
        return f"{shown}: {reason}"
    return reason


def _structural(exc: OSError, code: int, shown: str | None, name: bool) -> str | None:
    """The wording for a file where a folder is needed, or a folder where a file is. The file in
    the way is always named: it need not be the one the message is about."""
    if code == errno.ENOTDIR:
        found = _not_folder(os.fsdecode(exc.filename)) if shown is not None else None
        if found is not None:
            return f"{shown_name(found[0])} is {found[1]}, not a folder"
        where = f"{shown}: " if shown is not None and name else ""
        return f"{where}a part of the path is a file, not a folder"
    if code == errno.EEXIST:
        # A creator that must not replace a file says "already exists" itself (it catches
        # FileExistsError); one that reaches a message made a folder where a file is in the way.
        if exc.filename2 is not None:  # a link or a rename onto a name that is taken
            taken = shown_name(exc.filename2)
            return f"{taken} already exists" if taken is not None and name else "it already exists"
        text = shown
        kind = _kind(os.fsdecode(exc.filename)) if text is not None else None
        if kind is not None:
            return f"{text} is {kind}, not a folder"
        if text is None or not name:
            return "it already exists"
        return f"{text} already exists"
    if code == errno.EISDIR:
        return (
            f"{shown} is a folder, not a file" if shown is not None and name else "it is a folder, not a file"
        )
    return None
