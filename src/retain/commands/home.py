"""`retain` with no command: the TUI home screen (deck list)."""

from __future__ import annotations

import argparse

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    from retain.commands.review import launch

    return launch(None, start_in_review=False)
