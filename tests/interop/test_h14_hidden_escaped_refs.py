"""h14: a reference whose target holds CommonMark's backslash escapes (`![v](vid.media/a\\)b.mov)`,
the file `a)b.mov`) is one reference to that file for every reader: a `.toml` and a `.md` import
bring the file in, and an `.apkg` round trip gives the card back as written.

Before: `core.mediaref.REF_RE` ended the target at the escaped `)`; the imports warned that
`a\\` was not found and left the reference pointing at no file."""

from __future__ import annotations

import hashlib
from pathlib import Path

from retain.core.model import Card, Deck
from retain.interop.importer import read_file

from .test_h14_hidden_text import FILES, _assert_exact, _decks_dir, _roundtrip

MOV = FILES["H.mov"]
HASHED = f"{hashlib.sha256(MOV).hexdigest()}.mov"


def _stage(tmp: Path) -> Path:
    stage = tmp / "stage"
    stage.mkdir()
    return stage


def test_a_toml_deck_brings_in_the_file_an_escaped_name_names(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "vid.media").mkdir(parents=True)
    (src / "vid.media" / "a)b.mov").write_bytes(MOV)
    (src / "vid.toml").write_text(
        'format = 1\n[deck]\nid = "vid"\nname = "V"\n\n[[cards]]\nid = "c"\n'
        "front = '''Watch ![a clip](vid.media/a\\)b.mov) now'''\nback = \"b\"\n",
        encoding="utf-8",
    )
    bundle = read_file(src / "vid.toml", _stage(tmp_path))
    assert bundle.warnings == []
    assert bundle.decks[0].cards[0].front == f"Watch ![a clip](vid.media/{HASHED}) now"
    assert bundle.media[HASHED].read_bytes() == MOV


def test_a_markdown_deck_brings_in_the_file_an_escaped_name_names(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a)b.mov").write_bytes(MOV)
    (src / "vid.md").write_text("Q: Watch ![a clip](a\\)b.mov) now\nA: b\n", encoding="utf-8")
    bundle = read_file(src / "vid.md", _stage(tmp_path))
    assert bundle.warnings == []
    (deck,) = bundle.decks
    assert deck.cards[0].front == f"Watch ![a clip]({deck.id}.media/{HASHED}) now"


def test_an_escaped_name_round_trips_through_a_package(tmp_path: Path) -> None:
    decks_dir = _decks_dir(tmp_path, {"a)b.mov": MOV, "p(1).png": FILES["pic.png"]})
    cards = (
        Card(id="c", front="Watch ![a clip](vid.media/a\\)b.mov)\n\n* now", back="__b__"),
        Card(id="d", front='See ![a pic](vid.media/p\\(1\\).png "t")\n\n- x', back="b"),
    )
    deck = Deck(id="vid", name="Vid", cards=cards)
    bundle = _roundtrip(tmp_path, [deck], decks_dir)
    assert bundle.warnings == []
    _assert_exact(deck, bundle.decks[0], decks_dir / "vid.media")
