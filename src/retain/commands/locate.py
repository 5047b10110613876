"""`retain locate`: print where config, data and decks live."""

from __future__ import annotations

import argparse

from retain.store.home import library_folders, open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


def run(args: argparse.Namespace) -> int:
    home = open_home()
    p = home.paths
    print(f"config:  {p.config_file}")
    print(f"data:    {p.data_dir}")
    print(f"state:   {p.state_dir}")
    print(f"cache:   {p.cache_dir}")
    for folder, origin in library_folders(p, home.config):
        print(f"decks:   {folder}  ({origin})")
    return 0
