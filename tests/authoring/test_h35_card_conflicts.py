"""A card edited in the app whose id is now written twice on disk (a pasted copy) was said to be
"deleted on disk", and "Use mine" then failed with a duplicate-id error. A card still written in
the file but left out of the deck (its id on two cards, or an error in it) is told as such, and no
resolution writes anything: the file must be mended first. A deleted card is told as deleted, and
"mine" writes it back."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardConflict, CardEdit, read_card, save_card
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

DECK = """format = 1
[deck]
id = "d"

[[cards]]
id = "one"
front = "Question one"
back = "Answer one"

[[cards]]
id = "two"
front = "Question two"
back = "Answer two"
"""

PASTED = '\n[[cards]]\nid = "one"\nfront = "Pasted copy"\nback = "x"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "d.toml").write_text(DECK, "utf-8")
    return open_home()


@pytest.fixture
def col(home: Home) -> Iterator[Collection]:
    collection = Collection.open(home, NOW, tz=UTC)
    yield collection
    collection.close()


def _edit(col: Collection) -> CardEdit:
    origin, card = read_card(col, "d", "one")
    return CardEdit("d", replace(card, front="Question one, mine"), origin, "d", card)


@pytest.mark.parametrize("resolution", [None, "both", "mine", "theirs"])
def test_a_duplicated_id_is_told_as_such_and_nothing_is_written(
    home: Home, col: Collection, resolution: str | None
) -> None:
    path = home.paths.decks_dir / "d.toml"
    edit = _edit(col)
    path.write_text(DECK + PASTED, "utf-8")
    with pytest.raises(CardConflict) as info:
        save_card(col, edit, NOW, resolution)  # type: ignore[arg-type]
    conflict = info.value
    assert conflict.kind == "duplicated"
    assert "deleted" not in str(conflict)
    assert str(conflict) == (
        "d.toml: the id 'one' is now on 2 cards (lines 5 and 15), so this card cannot be saved "
        "until one of them is renamed or removed there"
    )
    assert "\n" not in str(conflict)
    assert path.read_text("utf-8") == DECK + PASTED  # nothing written


def test_three_copies_are_counted(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "d.toml"
    edit = _edit(col)
    path.write_text(DECK + PASTED + PASTED, "utf-8")
    with pytest.raises(CardConflict, match=r"on 3 cards \(lines 5, 15 and 20\).*all but one of them are"):
        save_card(col, edit, NOW, "mine")


def test_once_the_copy_is_renamed_the_edit_saves(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "d.toml"
    edit = _edit(col)
    path.write_text(DECK + PASTED, "utf-8")
    with pytest.raises(CardConflict):
        save_card(col, edit, NOW)
    path.write_text(DECK + PASTED.replace('"one"', '"one-copy"'), "utf-8")
    result = save_card(col, edit, NOW)  # their change is elsewhere: merged
    assert result.merged
    deck = col.library.get("d")
    assert deck is not None
    assert [(c.id, c.front) for c in deck.cards] == [
        ("one", "Question one, mine"),
        ("two", "Question two"),
        ("one-copy", "Pasted copy"),
    ]


def test_a_card_with_an_error_on_disk_is_told_as_such(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "d.toml"
    edit = _edit(col)
    broken = DECK.replace('front = "Question one"', 'front = "Question one"\nkind = "bogus"')
    path.write_text(broken, "utf-8")
    with pytest.raises(CardConflict) as info:
        save_card(col, edit, NOW, "mine")
    assert info.value.kind == "broken"
    assert str(info.value) == (
        "d.toml: this card now has an error on disk, so it cannot be saved until that is fixed "
        "there: line 8: unknown kind 'bogus'; use one of basic, reversed, cloze, typed"
    )
    assert path.read_text("utf-8") == broken


def test_a_deleted_card_is_told_as_deleted_and_mine_writes_it_back(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "d.toml"
    edit = _edit(col)
    path.write_text(DECK.split('[[cards]]\nid = "two"')[0].replace('id = "one"', 'id = "zero"'), "utf-8")
    with pytest.raises(CardConflict, match="was deleted on disk") as info:
        save_card(col, edit, NOW)
    assert info.value.kind == "deleted" and info.value.theirs is None
    save_card(col, edit, NOW, "mine")
    deck = col.library.get("d")
    assert deck is not None and [c.id for c in deck.cards] == ["zero", "one"]
