"""`retain locate`: print where config, data and decks live."""

from __future__ import annotations

import argparse

from retain.commands.output import err, out
from retain.store.config import Config, ConfigError, load_config
from retain.store.home import library_folders
from retain.store.paths import get_paths

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    """The folders, also when config.toml cannot be read: that is when its path is wanted most
    (the error is said on stderr, exit 1, and the folders it would add are left out)."""
    p = get_paths()
    problem = ""
    try:
        config = load_config(p.config_file)
    except ConfigError as exc:
        config, problem = Config(), str(exc)
    out(f"config:  {p.config_file}")
    out(f"data:    {p.data_dir}")
    out(f"state:   {p.state_dir}")
    out(f"cache:   {p.cache_dir}")
    for folder, origin in library_folders(p, config):
        out(f"decks:   {folder}  ({origin})")
    if problem:
        err(f"retain: {problem}; deck folders it lists are not shown")
        return 1
    return 0
