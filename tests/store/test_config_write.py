"""`retain optimize` saving weights (store/config_write.py) writes config.toml as every config write does."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from retain.store.config import ConfigError, load_config
from retain.store.config_write import save_parameters

WEIGHTS = (
    0.3, 1.3, 2.3, 8.3, 6.4, 0.83, 3.0, 0.01, 1.8, 0.17, 1.0, 1.5, 0.06, 0.26, 1.6, 0.6, 1.9, 0.54, 0.09,
    0.07, 0.15,
)  # fmt: skip
MINE = "# mine\n[study]\nfuzz = true  # keep\n"


def _saved(path: Path) -> tuple[float, ...] | None:
    return load_config(path).for_deck("any").parameters


def test_saving_weights_keeps_a_private_config_private(tmp_path: Path) -> None:
    """A 0600 config.toml used to come back 0644: the optimizer wrote its own temp file."""
    path = tmp_path / "config.toml"
    path.write_text(MINE, encoding="utf-8")
    path.chmod(0o600)
    save_parameters(path, "default", WEIGHTS)
    assert _saved(path) == WEIGHTS
    assert path.read_text(encoding="utf-8").startswith(MINE)  # comments and layout kept
    assert oct(stat.S_IMODE(path.stat().st_mode)) == oct(0o600)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]  # no temp file left


def test_saving_weights_writes_through_a_symlinked_config(tmp_path: Path) -> None:
    """A config.toml linked into a dotfiles checkout stays a link; the real file gets the weights."""
    real = tmp_path / "dotfiles" / "retain.toml"
    real.parent.mkdir()
    real.write_text(MINE, encoding="utf-8")
    link = tmp_path / "home" / "config.toml"
    link.parent.mkdir()
    link.symlink_to(real)
    save_parameters(link, "default", WEIGHTS)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert _saved(real) == WEIGHTS


def test_saving_weights_creates_a_missing_config(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    save_parameters(path, "hard", WEIGHTS)
    assert load_config(path).preset("hard").parameters == WEIGHTS
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~umask  # as open() makes it, not mkstemp's 0600


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="FIFOs")
def test_a_config_that_cannot_be_read_is_one_line_and_left_alone(tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)  # read as the loader reads: never waits for a writer
    with pytest.raises(ConfigError, match="cannot be read to save the weights") as info:
        save_parameters(fifo, "default", WEIGHTS)
    assert "\n" not in str(info.value)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    bad = tmp_path / "bad.toml"
    bad.write_text("[study\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="cannot be read to save the weights") as info:
        save_parameters(bad, "default", WEIGHTS)
    assert "\n" not in str(info.value) and bad.read_text(encoding="utf-8") == "[study\n"


def test_a_broken_symlink_is_neither_replaced_nor_written_through(tmp_path: Path) -> None:
    link = tmp_path / "config.toml"
    link.symlink_to(tmp_path / "gone.toml")
    with pytest.raises(ConfigError) as info:
        save_parameters(link, "default", WEIGHTS)
    assert "\n" not in str(info.value)
    assert link.is_symlink() and not (tmp_path / "gone.toml").exists()


def test_a_read_only_config_gets_no_weights(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(MINE, encoding="utf-8")
    path.chmod(0o444)
    with pytest.raises(ConfigError, match=r"read-only.*the weights were not saved"):
        save_parameters(path, "default", WEIGHTS)
    assert path.read_text(encoding="utf-8") == MINE
