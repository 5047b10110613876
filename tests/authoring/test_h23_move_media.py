"""A card moved to another deck (the browser's `m`, the editor's deck field) takes its media along.

A card names files in its own deck's media folder only (`DECK.media/NAME`): the move re-pointed
nothing and copied nothing, so a moved card's image showed as `refused: not in this deck's media
folder`, `retain check` warned, and an export went without the file.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC
from pathlib import Path

import pytest
from authoring_data import FIXED_NOW, SIZE, OpenApp
from test_ui_browser import open_browser

from retain.core.model import Deck
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardEdit, move_cards, read_card, save_card
from retain.store.decks.deckedit import DeckEditError
from retain.store.decks.library import load_deck_file
from retain.store.home import open_home
from retain.store.media import media_problems
from retain.ui.screens.deck_picker import DeckPickerScreen

PNG = b"\x89PNG\r\n\x1a\n" + b"dot" * 10


def _with_image(home: Path, name: str = "dot.png", *, angle: bool = False) -> Path:
    """kafka/isr's back names `kafka.media/NAME` (the file there)."""
    media = home / "decks" / "kafka.media"
    media.mkdir(exist_ok=True)
    (media / name).write_bytes(PNG)
    path = home / "decks" / "kafka.toml"
    target = f"<kafka.media/{name}>" if angle else f"kafka.media/{name}"
    text = path.read_text("utf-8").replace(
        'back = "A follower that has caught up with the leader."',
        f'back = "A follower that has caught up. ![image]({target} \\"ISR\\")"',
    )
    path.write_text(text, "utf-8")
    return media / name


def _deck(home: Path, deck_id: str) -> Deck:
    deck = load_deck_file(home / "decks" / f"{deck_id}.toml").deck
    assert deck is not None
    return deck


def _moved_back(home: Path) -> str:
    return next(c.back for c in _deck(home, "redis").cards if c.id == "isr")


def test_a_moved_cards_image_goes_along(retain_home: Path) -> None:
    source = _with_image(retain_home)
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        move_cards(col, [("kafka", "isr")], "redis", FIXED_NOW)
    assert _moved_back(retain_home) == 'A follower that has caught up. ![image](redis.media/dot.png "ISR")'
    assert (retain_home / "decks" / "redis.media" / "dot.png").read_bytes() == PNG
    assert source.read_bytes() == PNG  # copied, never moved: the old deck's other cards may use it
    assert media_problems(_deck(retain_home, "redis")) == []


def test_the_editors_deck_field_takes_the_image_along_too(retain_home: Path) -> None:
    _with_image(retain_home, "my dot.png", angle=True)
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        origin, card = read_card(col, "kafka", "isr")
        save_card(col, CardEdit("redis", card, origin=origin, origin_deck="kafka", base=card), FIXED_NOW)
    assert '![image](<redis.media/my dot.png> "ISR")' in _moved_back(retain_home)
    assert media_problems(_deck(retain_home, "redis")) == []


def test_a_name_the_new_deck_holds_with_other_bytes_gets_a_free_one(retain_home: Path) -> None:
    _with_image(retain_home)
    theirs = retain_home / "decks" / "redis.media"
    theirs.mkdir()
    (theirs / "dot.png").write_bytes(b"another picture")
    (theirs / "dot-2.png").write_bytes(b"yet another")
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        move_cards(col, [("kafka", "isr")], "redis", FIXED_NOW)
    assert "](redis.media/dot-3.png" in _moved_back(retain_home)
    assert (theirs / "dot-3.png").read_bytes() == PNG
    assert (theirs / "dot.png").read_bytes() == b"another picture"


def test_the_same_bytes_already_there_are_used_as_they_are(retain_home: Path) -> None:
    _with_image(retain_home)
    theirs = retain_home / "decks" / "redis.media"
    theirs.mkdir()
    (theirs / "dot.png").write_bytes(PNG)
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        move_cards(col, [("kafka", "isr")], "redis", FIXED_NOW)
    assert "](redis.media/dot.png" in _moved_back(retain_home)
    assert sorted(p.name for p in theirs.iterdir()) == ["dot.png"]


def test_a_missing_file_is_re_pointed_and_still_said_missing(retain_home: Path) -> None:
    _with_image(retain_home).unlink()
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        move_cards(col, [("kafka", "isr")], "redis", FIXED_NOW)
    assert "](redis.media/dot.png" in _moved_back(retain_home)
    assert not (retain_home / "decks" / "redis.media").exists()
    [problem] = media_problems(_deck(retain_home, "redis"))
    assert "not found" in problem.message


def test_a_copy_that_fails_moves_nothing(retain_home: Path) -> None:
    _with_image(retain_home)
    (retain_home / "decks" / "redis.media").write_text("a file where the folder goes", "utf-8")
    kafka_before = (retain_home / "decks" / "kafka.toml").read_text("utf-8")
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        before = col.states["kafka/isr"]
        with pytest.raises(DeckEditError, match=r"^media of card 'isr': .*; nothing was moved$"):
            move_cards(col, [("kafka", "isr")], "redis", FIXED_NOW)
        assert col.states["kafka/isr"] == before
    assert (retain_home / "decks" / "kafka.toml").read_text("utf-8") == kafka_before
    assert 'id = "isr"' not in (retain_home / "decks" / "redis.toml").read_text("utf-8")


def test_a_reference_inside_code_or_to_another_folder_is_left_alone(retain_home: Path) -> None:
    _with_image(retain_home)
    path = retain_home / "decks" / "kafka.toml"
    text = path.read_text("utf-8").replace(
        '"What is an in-sync replica (ISR)?"', '"`![x](kafka.media/dot.png)` ![y](spanish.media/a.png)"'
    )
    path.write_text(text, "utf-8")
    with Collection.open(open_home(), FIXED_NOW, tz=UTC) as col:
        [result] = move_cards(col, [("kafka", "isr")], "redis", FIXED_NOW)
    assert result.card.front == "`![x](kafka.media/dot.png)` ![y](spanish.media/a.png)"
    assert result.moved_from is not None and result.moved_from[0] == "kafka"
    assert replace(result.moved_from[1], back="") == replace(
        result.card, back="", line=result.moved_from[1].line
    )


async def test_m_in_the_browser_takes_the_image_along(retain_home: Path, open_app: OpenApp) -> None:
    _with_image(retain_home)
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "m")  # kafka/isr
        assert isinstance(app.screen, DeckPickerScreen)
        await pilot.press("down", "enter")  # Redis
        await pilot.pause()
        assert "redis/isr" in app.collection.states
    assert "](redis.media/dot.png" in _moved_back(retain_home)
    assert media_problems(_deck(retain_home, "redis")) == []


async def test_m_in_the_browser_takes_the_anki_identity_along(retain_home: Path, open_app: OpenApp) -> None:
    """The browser's `m` moves the card's `DECK.anki.json` entries too (`ankikeep_moves`)."""
    note_type = {
        "name": "Basic",
        "kind": "basic",
        "flds": ["Front", "Back"],
        "tmpls": [["Card 1", "{{Front}}", "{{Back}}"]],
    }
    kept = {
        "format": 1,
        "notetypes": {"1700000000000": note_type},
        "notes": {"isr": ["Gu1d!", 1700000000000, ["ISR?", "A follower"], "0" * 16]},
        "media": {},
        "cards": {"isr": [2500, 3, 0, 1_700_000_000_000]},
    }
    (retain_home / "decks" / "kafka.anki.json").write_text(json.dumps(kept), "utf-8")
    app = open_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_browser(pilot)
        await pilot.press("down", "m", "down", "enter")  # kafka/isr to Redis
        await pilot.pause()
        assert "redis/isr" in app.collection.states
    moved = json.loads((retain_home / "decks" / "redis.anki.json").read_text("utf-8"))
    assert moved["notes"]["isr"][0] == "Gu1d!" and moved["cards"]["isr"] == [2500, 3, 0, 1_700_000_000_000]
    left = json.loads((retain_home / "decks" / "kafka.anki.json").read_text("utf-8"))
    assert "isr" not in left["notes"] and "cards" not in left
