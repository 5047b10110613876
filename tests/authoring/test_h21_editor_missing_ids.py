"""A card written by hand without an id no longer keeps every app edit of its deck out.

ARCHITECTURE.md: "`retain check --fix` and the authoring UI write missing ids back". Instead,
editing any other card of the deck said "Not saved … card has no `id`; run `retain check --fix`",
and `retain add` to the deck failed the same way. A save now writes the ids `check --fix` would.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.fixids import add_missing_ids
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import (
    CardEdit,
    SaveResult,
    delete_card,
    move_card,
    read_card,
    save_card,
)
from retain.store.decks.deckedit import DeckEditError, DeckFile
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
HEAD = 'format = 1\n[deck]\nid = "w"\nname = "W"\n'
KEPT = '\n[[cards]]\nid = "a"\nfront = "Question a"\nback = "answer"\n'
FRONT = "Fresh card written by hand"
BY_HAND = f'\n# written by hand\n[[cards]]\nfront = "{FRONT}"\nback = "b"\n'
TEXT = HEAD + KEPT + BY_HAND


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "w.toml").write_text(TEXT, "utf-8")
    (tmp_path / "decks" / "o.toml").write_text(HEAD.replace('"w"', '"o"'), "utf-8")
    return open_home()


@pytest.fixture
def col(home: Home) -> Iterator[Collection]:
    collection = Collection.open(home, NOW, tz=UTC)
    yield collection
    collection.close()


def _fixed() -> str:
    """The file as `retain check --fix` writes it."""
    text, count = add_missing_ids(TEXT)
    assert count == 1
    return text


def _ids(path: Path) -> list[str]:
    return [card["id"] for card in tomllib.loads(path.read_text("utf-8"))["cards"]]


def test_editing_another_card_writes_the_missing_id_too(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "w.toml"
    origin, card = read_card(col, "w", "a")
    result = save_card(col, CardEdit("w", replace(card, back="answer 2"), origin, "w", card), NOW)
    assert path.read_text("utf-8") == _fixed().replace('back = "answer"', 'back = "answer 2"')
    assert result.ids_given == 1
    assert result.ids_given_note() == "also gave 1 card without an id its id"
    deck = col.library.get("w")
    assert deck is not None and len(deck.cards) == 2  # (the card is in the deck now, for the browser)


def test_a_new_card_with_the_same_front_does_not_take_the_id_check_fix_gives(
    home: Home, col: Collection
) -> None:
    path = home.paths.decks_dir / "w.toml"
    new = save_card(col, CardEdit("w", replace(read_card(col, "w", "a")[1], id="", front=FRONT)), NOW)
    fixed_id = _ids_of(_fixed())[1]
    assert _ids(path) == ["a", fixed_id, new.card.id] and new.card.id != fixed_id
    assert new.ids_given == 1


def _ids_of(text: str) -> list[str]:
    return [card["id"] for card in tomllib.loads(text)["cards"]]


def test_deleting_and_moving_write_the_missing_id(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "w.toml"
    moved = move_card(col, "w", "a", "o", NOW)
    assert moved.ids_given == 1
    assert _ids(path) == [_ids_of(_fixed())[1]]
    path.write_text(TEXT, "utf-8")
    col.reload_library()
    delete_card(col, "w", "a")
    assert _ids(path) == [_ids_of(_fixed())[1]]


def test_retain_add_writes_the_missing_id(home: Home, capsys: pytest.CaptureFixture[str]) -> None:
    path = home.paths.decks_dir / "w.toml"
    assert main(["add", "--deck", "w", "--front", "Added", "--back", "from the command line"]) == 0, (
        capsys.readouterr().err
    )
    assert capsys.readouterr().out.rstrip().endswith("; also gave 1 card without an id its id")
    text = path.read_text("utf-8")
    assert text.startswith(_fixed())
    deck = parse_deck(text).deck
    assert deck is not None and [c.front for c in deck.cards][-1] == "Added"


def test_another_card_error_still_refuses_in_one_line(home: Home, col: Collection) -> None:
    """A card without an id and a card of an unknown kind: the save is refused, saying the
    other error first (the id alone would not let it save), and nothing is written."""
    path = home.paths.decks_dir / "w.toml"
    broken = TEXT + '\n[[cards]]\nid = "k"\nkind = "weird"\nfront = "F"\nback = "B"\n'
    path.write_text(broken, "utf-8")
    col.reload_library()
    origin, card = read_card(col, "w", "a")
    with pytest.raises(DeckEditError) as raised:
        save_card(col, CardEdit("w", replace(card, back="answer 2"), origin, "w", card), NOW)
    message = str(raised.value)
    assert "\n" not in message and "unknown kind" in message and ":18:" in message, (
        message
    )  # (its line on disk)
    assert path.read_text("utf-8") == broken


def test_a_file_only_read_is_not_written(home: Home) -> None:
    path = home.paths.decks_dir / "w.toml"
    deck_file = DeckFile.load(path)
    assert [c.id for c in deck_file.deck().cards] == _ids_of(_fixed())
    assert deck_file.ids_given == 1 and path.read_text("utf-8") == TEXT


def test_a_save_that_gave_no_id_adds_no_note(home: Home, col: Collection) -> None:
    (home.paths.decks_dir / "w.toml").write_text(HEAD + KEPT, "utf-8")
    col.reload_library()
    origin, card = read_card(col, "w", "a")
    result = save_card(col, CardEdit("w", replace(card, back="2"), origin, "w", card), NOW)
    assert result.ids_given == 0 and result.ids_given_note() == ""
    assert SaveResult("w", card, ids_given=2).ids_given_note() == "also gave 2 cards without an id their ids"


def test_the_editors_saved_line_says_the_ids_it_gave(home: Home, col: Collection) -> None:
    """ctrl+s in the app's editor: "Saved w/a" said nothing of the other cards' new ids."""
    from retain.ui.screens.editor import _saved_message

    origin, card = read_card(col, "w", "a")
    result = save_card(col, CardEdit("w", replace(card, back="changed"), origin, "w", card), NOW)
    assert _saved_message(result, None) == "Saved w/a; also gave 1 card without an id its id"
