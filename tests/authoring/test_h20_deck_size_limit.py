"""No writer makes a deck file the library then refuses to read (over `MAX_DECK_BYTES`).

`retain add` appended a card that took a deck file past the 10 MiB limit: it said
"added", and from then on the whole deck was a "broken deck", gone from `due`,
and every later add said the file "exists but is broken". An import already
refused to write such a file; every deck writer now does, and writes nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.store.decks.deckedit import DeckEditError, DeckFile, create_deck_file
from retain.store.files import MAX_DECK_BYTES

CARD_BYTES = 170_000


def _near_limit(path: Path, *, ids: bool = True) -> bytes:
    """A valid deck file a little under the limit."""
    parts = ['format = 1\n\n[deck]\nid = "big"\nname = "Big"\n']
    count = (MAX_DECK_BYTES - 2_000) // (CARD_BYTES + 60)
    for i in range(count):
        head = f'id = "c{i}"\n' if ids else ""
        parts.append(f'\n[[cards]]\n{head}front = "question {i}"\nback = "{"x" * CARD_BYTES}"\n')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")
    data = path.read_bytes()
    assert MAX_DECK_BYTES - 200_000 < len(data) <= MAX_DECK_BYTES
    return data


def test_add_refuses_a_card_that_takes_the_deck_past_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    deck = tmp_path / "decks" / "big.toml"
    before = _near_limit(deck)
    assert main(["add", "--deck", "big", "--front", "one more", "--back", "y" * 120_000]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert "over the 10 MiB deck-file size limit" in line and "nothing was written" in line, line
    assert deck.read_bytes() == before
    assert main(["add", "--deck", "big", "--front", "a small one", "--back", "fits"]) == 0
    capsys.readouterr()
    assert main(["check", str(deck)]) == 0


def test_a_deck_edit_past_the_limit_is_refused_and_the_file_kept(tmp_path: Path) -> None:
    """The TUI's editor and the browser save through `DeckFile.save`."""
    path = tmp_path / "big.toml"
    before = _near_limit(path)
    deck = DeckFile.load(path)
    deck.upsert(Card(id="more", front="q", back="z" * 300_000))
    with pytest.raises(DeckEditError, match="over the 10 MiB deck-file size limit"):
        deck.save()
    assert path.read_bytes() == before


def test_a_new_deck_file_past_the_limit_is_not_made(tmp_path: Path) -> None:
    cards = tuple(Card(id=f"c{i}", front=f"q{i}", back="x" * CARD_BYTES) for i in range(70))
    deck = Deck(id="huge", name="Huge", cards=cards)
    assert len(deck_to_toml(deck).encode()) > MAX_DECK_BYTES
    path = tmp_path / "huge.toml"
    with pytest.raises(DeckEditError, match="over the 10 MiB deck-file size limit"):
        create_deck_file(path, deck)
    assert not path.exists()


def test_check_fix_does_not_push_a_deck_past_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--fix adds an id line to each card without one: on a file at the limit, that is too much."""
    path = tmp_path / "big.toml"
    body = 'format = 1\n\n[deck]\nid = "big"\nname = "Big"\n'
    count = 200_000
    filler = (MAX_DECK_BYTES - len(body) - 1_000) // count - len('\n[[cards]]\nfront = "q"\nback = ""\n')
    cards = "".join(
        f'\n[[cards]]\nfront = "q{i}"\nback = "{"x" * (filler - len(str(i)))}"\n' for i in range(count)
    )
    path.write_text(body + cards, encoding="utf-8")
    before = path.read_bytes()
    assert len(before) <= MAX_DECK_BYTES
    main(["check", "--fix", str(path)])
    said = capsys.readouterr().out
    assert "over the 10 MiB deck-file size limit" in said
    line = next(x for x in said.splitlines() if "size limit" in x)
    assert line.count(str(path)) == 1, f"the line names the file once: {line}"
    assert path.read_bytes() == before
