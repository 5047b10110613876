"""Where retain keeps things. `RETAIN_HOME` moves everything, for tests and scripts."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

from retain.store.config_error import ConfigError

__all__ = ["Paths", "bundled_decks_dir", "get_paths", "resolved", "same_file", "user_path"]


@dataclass(frozen=True, slots=True)
class Paths:
    config_dir: Path
    data_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def decks_dir(self) -> Path:
        return self.data_dir / "decks"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"


def user_path(text: str, what: str) -> Path:
    """`text` as a path, its leading `~` or `~user` expanded; a ConfigError naming `what` when
    there is no such user, or no home folder to be found (pathlib raised a RuntimeError)."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        head = text.split("/", 1)[0]
        raise ConfigError(
            f"{what} {text!r}: cannot tell where {head} is (no such user, or no home folder); "
            "write the folder out in full"
        ) from None


def resolved(path: Path) -> Path:
    """`path.resolve()` (absolute, every symbolic link followed as far as it leads), but a symbolic
    link loop on the way is an OSError (ELOOP, naming `path`), as from Python 3.13 on. Python 3.11
    raises RuntimeError there, which the `except OSError` around a file operation does not catch:
    `retain export -o loop.d/x.toml` ended in a traceback."""
    try:
        return path.resolve()
    except RuntimeError:  # ("Symlink loop from ...": the only RuntimeError it raises)
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), os.fspath(path)) from None


def same_file(a: Path, b: Path) -> bool:
    """Whether `a` and `b` name the same file once symbolic links are followed (there or not yet).
    False when either cannot be followed (a link loop, no permission): no file is reached
    through it, so it is not the other's; the very same path is always the same."""
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        return resolved(a) == resolved(b)
    except OSError:
        return False


def get_paths(env: dict[str, str] | None = None) -> Paths:
    """Where things are. A ConfigError when that cannot be told: RETAIN_HOME names a file, or a
    `~user` with no home, or there is no RETAIN_HOME and no home folder (no HOME, and a user id
    with no passwd entry, as in some containers)."""
    env = dict(os.environ) if env is None else env
    home = env.get("RETAIN_HOME")
    if home:
        root = user_path(home, "RETAIN_HOME")
        if root.exists() and not root.is_dir():  # every command ran as on an empty home
            from retain.store.oserror import quoted_name

            raise ConfigError(f"RETAIN_HOME {quoted_name(root)} is not a folder; point it at a folder")
        return Paths(root, root, root / "cache")
    import platformdirs

    try:
        return Paths(
            Path(platformdirs.user_config_dir("retain", appauthor=False)),
            Path(platformdirs.user_data_dir("retain", appauthor=False)),
            Path(platformdirs.user_cache_dir("retain", appauthor=False)),
        )
    except RuntimeError:  # platformdirs: "could not determine the home directory"
        raise ConfigError(
            "cannot tell where your home folder is (HOME is not set, and this user has none); "
            "set HOME, or RETAIN_HOME to the folder retain keeps its files in"
        ) from None


def bundled_decks_dir() -> Path | None:
    """Decks shipped inside the package; in a source checkout, the top-level `decks/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "bundled_decks"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "decks"
    return checkout if checkout.is_dir() else None
