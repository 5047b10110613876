"""`retain locate`: print where config, data and decks live."""

from __future__ import annotations

import argparse

from retain.commands.output import out
from retain.store.home import library_folders, open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    home = open_home()
    p = home.paths
    out(f"config:  {p.config_file}")
    out(f"data:    {p.data_dir}")
    out(f"state:   {p.state_dir}")
    out(f"cache:   {p.cache_dir}")
    for folder, origin in library_folders(p, home.config):
        out(f"decks:   {folder}  ({origin})")
    return 0
