"""Deck edits that keep the author's file: `cards = []` decks and cards with sub-tables."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck
from retain.core.model import Card, Deck
from retain.store.decks.deckedit import DeckFile

HEAD = 'format = 1\n\n[deck]\nid = "d"\nname = "D"\n'


def _write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def _deck(path: Path) -> Deck:
    result = parse_deck(path.read_bytes().decode("utf-8-sig"), str(path))
    assert result.deck is not None and not result.errors, result.problems
    return result.deck


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            'format = 1\ncards = []\n\n[deck]\nid = "d"\nname = "D"\n',
            'format = 1\n\n[deck]\nid = "d"\nname = "D"\n',
        ),
        (
            'format = 1\ncards = []  # none yet\n[deck]\nid = "d"\n',
            'format = 1\n# none yet\n[deck]\nid = "d"\n',
        ),
        (
            'format = 1\ncards = [\n  # to do\n]\n[deck]\nid = "d"\n',
            'format = 1\n# to do\n[deck]\nid = "d"\n',
        ),
        (
            'format = 1\ndeck = { id = "d", name = "D" }\ncards = []',
            'format = 1\ndeck = { id = "d", name = "D" }\n',
        ),
        (
            'format = 1\r\ncards = []\r\n\r\n[deck]\r\nid = "d"\r\n',
            'format = 1\r\n\r\n[deck]\r\nid = "d"\r\n',
        ),
    ],
    ids=["plain", "comment", "over-lines", "inline-deck-no-eol", "crlf"],
)
def test_the_first_card_of_an_empty_inline_array_is_a_cards_table(
    tmp_path: Path, before: str, after: str
) -> None:
    """`cards = []` took the new cards as inline tables on its one line (a CRLF file got LF line
    breaks inside them); it goes, its comments kept, and the cards are `[[cards]]` tables."""
    path = _write(tmp_path / "d.toml", before)
    deck_file = DeckFile.load(path)
    deck_file.upsert(Card("a", front="QA\nsecond line", back="BA"))
    deck_file.upsert(Card("b", front="QB", back="BB"))
    deck_file.save()
    nl = "\r\n" if "\r\n" in before else "\n"
    table_a = '[[cards]]\nid = "a"\nfront = """\nQA\nsecond line"""\nback = "BA"\n'
    table_b = '[[cards]]\nid = "b"\nfront = "QB"\nback = "BB"\n'
    expected = after.rstrip("\r\n") + nl * 2 + (table_a + "\n" + table_b).replace("\n", nl)
    assert path.read_bytes().decode("utf-8") == expected
    assert [c.id for c in _deck(path).cards] == ["a", "b"]


def test_retain_add_to_a_cards_empty_array_deck(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    path = _write(home / "decks" / "d.toml", 'format = 1\ncards = []\n\n[deck]\nid = "d"\nname = "D"\n')
    retain = Path(sys.executable).with_name("retain")
    env = {**os.environ, "RETAIN_HOME": str(home)}
    for front in ("Q1", "Q2"):
        done = subprocess.run(
            [str(retain), "add", "--deck", "d", "--front", front, "--back", "A"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
    text = path.read_text("utf-8")
    assert "cards = [" not in text and text.count("[[cards]]\n") == 2
    assert [c.front for c in _deck(path).cards] == ["Q1", "Q2"]


def test_a_card_moved_into_an_inline_array_leaves_its_comment_in_the_source(tmp_path: Path) -> None:
    """The move said the card's table text (its comment) went along when it went into an inline
    `cards = [...]` array, which holds no comment: the comment was deleted from the source too."""
    source = _write(tmp_path / "s.toml", HEAD + '\n# why a\n[[cards]]\nid = "a"\nfront = "QA"\nback = "BA"\n')
    target = _write(
        tmp_path / "t.toml", 'format = 1\ncards = [{ id = "o", front = "O", back = "o" }]\n[deck]\nid = "t"\n'
    )
    src, dst = DeckFile.load(source), DeckFile.load(target)
    card = src.deck().cards[0]
    went_along = dst.upsert(card, src.table_text("a"))
    dst.save()
    src.remove("a", comment=went_along)
    src.save()
    assert not went_along
    assert "# why a" in source.read_text("utf-8")
    assert [c.id for c in _deck(target).cards] == ["o", "a"]


SUB = (
    '[[cards]]\nid = "s"\nkind = "typed"\nfront = "flag?"\nback = "-n"\nmatch = "set"\n'
    '\n  [cards.aliases]\n  "--namespace" = "-n"\n'
)
A = '[[ cards ]]  # first\nid = "a"\nfront = "QA"\nback = "BA"\n'
C = '[["cards"]]\nid = "c"\nfront = "QC"\nback = "BC"\n'


@pytest.mark.parametrize("change", ["edit-a", "edit-c", "remove-a", "remove-c", "move-a", "move-c", "append"])
def test_a_card_with_a_sub_table_stays_as_written_when_a_neighbour_changes(
    tmp_path: Path, change: str
) -> None:
    """A file with a `[cards.aliases]` sub-table went through tomlkit whole: deleting the first
    card respelled the next card's header as the first one's (`[[ cards ]]`), and a key added to
    the last card went below the file's last comment."""
    sep = "\n# about the next\n\n"
    original = HEAD + "\n" + A + "\n" + SUB + sep + C + "\n# the end\n"
    path = _write(tmp_path / "d.toml", original)
    other = _write(tmp_path / "o.toml", HEAD.replace('"d"', '"o"'))
    deck_file = DeckFile.load(path)
    what, _, cid = change.partition("-")
    if what == "edit":
        card = next(c for c in deck_file.deck().cards if c.id == cid)
        deck_file.upsert(replace(card, tags=("t",)))
    elif what == "move":
        target = DeckFile.load(other)
        went = target.upsert(
            next(c for c in deck_file.deck().cards if c.id == cid), deck_file.table_text(cid)
        )
        target.save()
        deck_file.remove(cid, comment=went)
    elif what == "remove":
        deck_file.remove(cid)
    else:
        deck_file.upsert(Card("n", front="QN", back="BN"))
    deck_file.save()
    text = path.read_text("utf-8")
    assert SUB + sep in text  # the sub-table, the blank line above it and the comment below, as written
    expected = {
        "edit-a": original.replace('back = "BA"\n', 'back = "BA"\ntags = ["t"]\n'),
        "edit-c": original.replace('back = "BC"\n', 'back = "BC"\ntags = ["t"]\n'),
        "remove-a": HEAD + "\n" + SUB + sep + C + "\n# the end\n",
        "remove-c": HEAD + "\n" + A + "\n" + SUB + sep + "# the end\n",
        "append": original + '\n[[cards]]\nid = "n"\nfront = "QN"\nback = "BN"\n',
    }
    expected["move-a"], expected["move-c"] = expected["remove-a"], expected["remove-c"]
    assert text == expected[change]


def test_a_sub_table_card_moves_with_its_sub_table(tmp_path: Path) -> None:
    path = _write(tmp_path / "d.toml", HEAD + "\n# the s card\n" + SUB + "\n" + C)
    other = _write(tmp_path / "o.toml", HEAD.replace('"d"', '"o"'))
    deck_file, target = DeckFile.load(path), DeckFile.load(other)
    card = deck_file.deck().cards[0]
    assert target.upsert(card, deck_file.table_text("s"))
    target.save()
    deck_file.remove("s")
    deck_file.save()
    assert other.read_text("utf-8") == HEAD.replace('"d"', '"o"') + "\n# the s card\n" + SUB
    assert path.read_text("utf-8") == HEAD + "\n" + C


@pytest.mark.parametrize(
    ("aliases", "written"),
    [
        ((("--ns", "-n"),), 'aliases = {--ns = "-n"}\n'),
        ((("--namespace", "-n"), ("-N", "-n")), 'aliases = {--namespace = "-n", -N = "-n"}\n'),
        ((), ""),
    ],
    ids=["changed", "added", "cleared"],
)
def test_aliases_edited_leave_no_blank_line_where_their_sub_table_was(
    tmp_path: Path, aliases: tuple[tuple[str, str], ...], written: str
) -> None:
    """The `[cards.aliases]` sub-table changed or cleared: the blank line above it stayed, below
    the card's keys (two blank lines before the next card)."""
    path = _write(tmp_path / "d.toml", HEAD + "\n" + SUB + "\n" + C)
    deck_file = DeckFile.load(path)
    card = deck_file.deck().cards[0]
    deck_file.upsert(replace(card, aliases=aliases))
    deck_file.save()
    head = SUB.split("\n\n")[0] + "\n"
    assert path.read_text("utf-8") == HEAD + "\n" + head + written + "\n" + C
    assert _deck(path).cards[0].aliases == aliases


@pytest.mark.parametrize("extra", ["\n", "two\nlines"])
def test_a_multi_line_value_added_above_a_sub_table_ends_its_line(tmp_path: Path, extra: str) -> None:
    """A multi-line string added to a card with a sub-table was written with no line break after its
    closing quotes (`extra = \"\"\"…\"\"\"[cards.notes]`): the file no longer parsed, the save refused."""
    path = _write(tmp_path / "d.toml", HEAD + "\n" + A + "[cards.notes]\nseen = 1\n")
    deck_file = DeckFile.load(path)
    deck_file.upsert(replace(deck_file.deck().cards[0], extra=extra))
    deck_file.save()
    assert _deck(path).cards[0].extra == extra
    assert path.read_text("utf-8").endswith('"""\n[cards.notes]\nseen = 1\n')
