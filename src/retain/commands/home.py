"""`retain` with no command: the TUI home screen (deck list)."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse  # bare `retain` parses no arguments: argparse is not imported (launch time)

__all__ = ["run"]


def run(args: argparse.Namespace) -> int:
    # No cyclic GC until the home screen is painted: importing Textual and building the
    # screen makes ~200k objects, and the collector's passes over them cost ~20 ms of the
    # launch. The app turns it back on after the first paint (`RetainApp._start_loading`),
    # the synchronous path right after opening the collection (`review.launch`).
    gc.disable()
    from retain.commands.review import launch

    return launch(None, start_in_review=False)
