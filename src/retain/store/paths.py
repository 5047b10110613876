"""Where retain keeps things. `RETAIN_HOME` moves everything, for tests and scripts."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Paths", "bundled_decks_dir", "get_paths"]


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


def get_paths(env: dict[str, str] | None = None) -> Paths:
    env = dict(os.environ) if env is None else env
    home = env.get("RETAIN_HOME")
    if home:
        root = Path(home).expanduser()
        return Paths(root, root, root / "cache")
    import platformdirs

    return Paths(
        Path(platformdirs.user_config_dir("retain", appauthor=False)),
        Path(platformdirs.user_data_dir("retain", appauthor=False)),
        Path(platformdirs.user_cache_dir("retain", appauthor=False)),
    )


def bundled_decks_dir() -> Path | None:
    """Decks shipped inside the package; in a source checkout, the top-level `decks/`."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "bundled_decks"
    if packaged.is_dir():
        return packaged
    checkout = here.parent.parent / "decks"
    return checkout if checkout.is_dir() else None
