"""A save writes the list the user asked for, next to comments too, and never another card.

The editor's save (ctrl+s) said "Saved" but wrote `tags = [ "one",  # first "three",`: tomlkit
put the new tag after the comment, so the card's tags were ["one"]; with an `accept` list it
wrote TOML that does not parse, and the save was refused at a line that was fine on disk.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardEdit, read_card, save_card
from retain.store.decks.deckedit import DeckFile
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
HEAD = 'format = 1\n[deck]\nid = "w"\nname = "W"\n'
OTHER = '\n[[cards]]\nid = "z"\nfront = "Other"\nback = "card"  # kept\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    return open_home()


@pytest.fixture
def col(home: Home) -> Iterator[Collection]:
    collection = Collection.open(home, NOW, tz=UTC)
    yield collection
    collection.close()


def _save(col: Collection, card_id: str, **changes: object) -> None:
    origin, card = read_card(col, "w", card_id)
    save_card(col, CardEdit("w", replace(card, **changes), origin, "w", card), NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("table", "key", "value"),
    [
        (
            'front = "Question a"\nback = "answer"\ntags = [ "one",  # first\n  "two" ]\n',
            "tags",
            ("one", "three"),
        ),
        (
            'kind = "typed"\nfront = "Which algorithm?"\nback = "raft"\n'
            'accept = ["raft consensus", # common\n"the raft algorithm"]\n',
            "accept",
            ("raft consensus", "raft protocol"),
        ),
        (
            'front = "Q"\nback = "A"\ntags = [\n  "one",  # first\n  "two"  # second\n  , "x",\n]\n',
            "tags",
            ("one", "two", "new"),
        ),
    ],
)
def test_an_edited_list_next_to_a_comment_is_saved_as_asked(
    home: Home, col: Collection, table: str, key: str, value: tuple[str, ...]
) -> None:
    path = home.paths.decks_dir / "w.toml"
    path.write_text(HEAD + '\n[[cards]]\nid = "a"\n' + table + OTHER, "utf-8")
    col.reload_library()
    _save(col, "a", **{key: value})
    text = path.read_text("utf-8")
    cards = tomllib.loads(text)["cards"]
    assert tuple(cards[0][key]) == value, text
    assert "# first" in text or "# common" in text  # the comment of an item kept stays
    assert text.endswith(OTHER)


def test_a_commented_list_keeps_its_comments_when_a_tag_is_added_or_removed(tmp_path: Path) -> None:
    """docs/authoring.md: a list written over several lines keeps its comments and layout."""
    path = tmp_path / "d.toml"
    table = '\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\ntags = [\n  "x",  # why x\n  "y",  # why y\n]\n'
    path.write_text(HEAD + table, "utf-8")
    deck_file = DeckFile.load(path)
    [card] = deck_file.deck().cards
    deck_file.upsert(replace(card, tags=("x", "z")))
    deck_file.save()
    assert path.read_text("utf-8") == HEAD + table.replace('  "y",  # why y\n', '  "z",\n')


# Random lists: the items, and between them blanks, line breaks, comment lines and commas
# in any order TOML allows (a comment runs to its line's end; a comma may follow one).
_WORDS = ["one", "two", "three", "four", "raft", "a b", "x"]
_PIECES = st.lists(st.sampled_from([" ", "\n", "\n  ", "  # note", "\t"]), max_size=3)


def _gap(pieces: list[str], comma: bool, at: int) -> str:
    """`pieces` with a comma at `at` (if `comma`), a line break after each comment."""
    parts = list(pieces)
    if comma:
        parts.insert(min(at, len(parts)), ",")
    out = ""
    for i, part in enumerate(parts):
        out += part
        if "#" in part and not (i + 1 < len(parts) and parts[i + 1].startswith("\n")):
            out += "\n"
    return out


@st.composite
def commented_lists(draw: st.DrawFn) -> tuple[str, list[str]]:
    """A TOML array's text and the strings it holds."""
    items = draw(st.lists(st.sampled_from(_WORDS), unique=True, max_size=5))
    out = "[" + _gap(draw(_PIECES), False, 0)
    for i, item in enumerate(items):
        quote = draw(st.sampled_from(['"', "'"]))
        last = i == len(items) - 1
        out += (
            quote
            + item
            + quote
            + _gap(draw(_PIECES), not last or draw(st.booleans()), draw(st.integers(0, 3)))
        )
    return out + "]", items


@st.composite
def list_edits(draw: st.DrawFn, old: list[str]) -> tuple[str, ...]:
    """What the editor may ask for: items kept (in order, or not), new ones anywhere."""
    kept = [item for item in old if draw(st.booleans())]
    new = draw(st.lists(st.sampled_from([*_WORDS, "new", "new two", 'q"uote']), unique=True, max_size=3))
    values = kept + [v for v in new if v not in kept]
    if draw(st.booleans()):
        values = draw(st.permutations(values))
    return tuple(values)


def _written(tmp_path: Path, array: str, values: tuple[str, ...], inline: bool) -> str:
    if inline:  # (cards in an inline array: the whole file goes through tomlkit)
        inline_card = '{ id = "a", front = "Q", back = "A", tags = ' + array + " }"
        text = (
            f'format = 1\ncards = [\n  {inline_card},\n  {{ id = "z", front = "Other", back = "card" }},\n]\n'
        )
        text += '[deck]\nid = "w"\nname = "W"\n'
    else:
        text = (
            HEAD + '\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\ntags = ' + array + "  # after\n" + OTHER
        )
    path = tmp_path / "d.toml"
    path.write_text(text, "utf-8")
    deck_file = DeckFile.load(path)
    card = deck_file.deck().cards[0]
    deck_file.upsert(replace(card, tags=values))
    deck_file.save()
    return path.read_text("utf-8")


@pytest.mark.slow  # (a few seconds: the whole save, hundreds of times)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), inline=st.booleans())
def test_random_list_edits_read_back_as_asked(tmp_path: Path, data: st.DataObject, inline: bool) -> None:
    array, old = data.draw(commented_lists())
    values = data.draw(list_edits(old))
    text = _written(tmp_path, array, values, inline)
    deck = parse_deck(text).deck
    assert deck is not None, text
    assert [(c.id, c.tags) for c in deck.cards] == [("a", values), ("z", ())], text
    if not inline:
        assert text.endswith(OTHER) and ("  # after\n" in text or not values)


@pytest.mark.slow  # (a few seconds: the whole save, hundreds of times)
@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_adding_and_removing_items_keeps_the_comments_of_the_lines_kept(
    tmp_path: Path, data: st.DataObject
) -> None:
    """Items removed and added at the end (no item kept moves): the list is edited in place, so
    a comment on a line of its own, or on a line whose items all stay, is still there."""
    array, old = data.draw(commented_lists())
    kept = [item for item in old if data.draw(st.booleans())]
    new = data.draw(st.lists(st.sampled_from(["new", "new two", "x y"]), unique=True, max_size=2))
    values = tuple(kept + [v for v in new if v not in kept])
    text = _written(tmp_path, array, values, False)
    assert tomllib.loads(text)["cards"][0].get("tags", []) == list(values), text
    if not values:
        return
    gone = [item for item in old if item not in values]
    comments = 0
    for line in array.splitlines():
        words = re.findall(r"[\"']([^\"']*)[\"']", line)
        if "#" in line and not set(words) & set(gone):
            comments += 1
    assert text.count("# note") >= comments, (array, text)
