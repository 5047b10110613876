"""`import DECK.toml --with-history` whose `DECK.progress.toml` is there but no regular file (a
FIFO, a folder, a symbolic link loop or to nothing) said the sidecar "is not beside" the deck,
which was false; it says what is there, and that it was not read (nor waited on)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.interop.limits import Limits
from retain.interop.native import read_native

DECK = 'format = 1\n[deck]\nid = "sca"\n[[cards]]\nid = "c"\nfront = "q"\nback = "a"\n'


def _fifo(side: Path) -> None:
    os.mkfifo(side)


def _folder(side: Path) -> None:
    side.mkdir()


def _loop(side: Path) -> None:
    side.symlink_to(side.name)


def _dangling(side: Path) -> None:
    side.symlink_to("gone.toml")


@pytest.mark.parametrize(
    "make, what",
    [
        (_fifo, "a FIFO"),
        (_folder, "a folder"),
        (_loop, "a symbolic link loop"),
        (_dangling, "a broken symbolic link"),
    ],
)
def test_a_sidecar_there_but_no_regular_file_is_said_as_what_it_is(
    tmp_path: Path, make: Callable[[Path], None], what: str
) -> None:
    deck = tmp_path / "sca.toml"
    deck.write_text(DECK, encoding="utf-8")
    make(tmp_path / "sca.progress.toml")
    bundle = read_native(deck, Limits(), with_history=True)
    assert bundle.reviews == []
    assert bundle.warnings == [
        f"no review history: sca.progress.toml beside sca.toml is not a regular file ({what}); not read"
    ]


def test_a_sidecar_not_there_is_not_beside(tmp_path: Path) -> None:
    deck = tmp_path / "sca.toml"
    deck.write_text(DECK, encoding="utf-8")
    bundle = read_native(deck, Limits(), with_history=True)
    assert bundle.warnings == [
        "no review history: sca.progress.toml is not beside sca.toml (`retain export --with-progress` writes it)"
    ]
    assert read_native(deck, Limits()).warnings == []  # (without --with-history: not looked for)
