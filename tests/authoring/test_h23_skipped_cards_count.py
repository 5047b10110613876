"""The home screen's "N cards skipped in FILE" counts the cards left out, not the error lines.

A card with three errors was "3 cards skipped"; three cards sharing one id (two error lines, all
three left out) were "2 cards skipped"; a deck whose only error is in `[deck]` (every card loaded)
was "1 card skipped".
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.store.decks.library import load_library
from retain.ui.app import skipped_lines

THREE_ERRORS = (
    'format = 1\n[deck]\nid = "three-errs"\nname="T"\n[[cards]]\nid="g"\nfront=1\nback="x"\ntags="a"\n'
    'source=3\n[[cards]]\nid="ok"\nfront="fine"\nback="y"\n'
)
DUPS = (
    'format = 1\n[deck]\nid = "dups"\nname="D"\n'
    + "".join(f'[[cards]]\nid="a"\nfront="q{i}"\nback="x"\n' for i in range(3))
    + '[[cards]]\nid="ok"\nfront="fine"\nback="y"\n'
)
DECK_ERROR = 'format = 1\n[deck]\nid = "named"\nname = 3\n[[cards]]\nid="a"\nfront="q"\nback="x"\n'
NO_ID = 'format = 1\n[deck]\nid = "noid"\n[[cards]]\nfront="q"\nback="x"\n[[cards]]\nfront="r"\nback="y"\n'


def _lines(tmp_path: Path, files: dict[str, str], *, cards: bool = True) -> list[str]:
    decks = tmp_path / "decks"
    decks.mkdir(exist_ok=True)
    for name, text in files.items():
        (decks / name).write_text(text, "utf-8")
    library = load_library([(decks, "user")], tmp_path / "cache", cards=cards)
    return skipped_lines(library.entries, str(decks))


@pytest.mark.parametrize("cards", [True, False])
def test_the_count_is_of_cards_left_out(tmp_path: Path, cards: bool) -> None:
    files = {"three-errs.toml": THREE_ERRORS, "dups.toml": DUPS, "noid.toml": NO_ID}
    for _ in range(2):  # parsed, then rebuilt from the deck cache
        assert sorted(_lines(tmp_path, files, cards=cards)) == [
            "1 card skipped in three-errs.toml · run retain check to see why",
            "2 cards skipped in noid.toml · run retain check to see why",
            "3 cards skipped in dups.toml · run retain check to see why",
        ]


def test_a_deck_error_that_leaves_every_card_in_skips_none(tmp_path: Path) -> None:
    assert _lines(tmp_path, {"named.toml": DECK_ERROR}) == [
        "1 error in named.toml · run retain check to see why"
    ]


def test_the_count_follows_the_file_as_it_is_now(tmp_path: Path) -> None:
    assert _lines(tmp_path, {"dups.toml": DUPS}) == [
        "3 cards skipped in dups.toml · run retain check to see why"
    ]
    fixed = DUPS.replace('id="a"\nfront="q2"', 'id="c2"\nfront="q2"')  # (a new size: a new version)
    assert _lines(tmp_path, {"dups.toml": fixed}) == [
        "2 cards skipped in dups.toml · run retain check to see why"
    ]
