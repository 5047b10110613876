"""A card the learner moved out of an imported deck stays where they put it on a re-import (h23).

Importing an Anki package, moving one of its cards to a deck of one's own with `m` (the card
keeps its id, its `DECK.anki.json` entries go along), then importing the same package again
added the card back to the deck it left (`+ id`): two cards, one of them new. The re-import now
leaves it where the learner put it and says so in one line, for `.apkg`, `.toml` and Anki text;
a note its author moved to another deck of the package still moves (`test_h22_cards_moved_...`).

The moves are made as the browser's `m` makes them: `move_cards`, then `carry_kept`.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.state import CardState
from retain.interop.ankikeep import AnkiKeep, KeptCard, KeptNote, load_keep
from retain.interop.moved_away import without_notes
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import CARD, LEGACY, changed_package
from .conftest import FIXTURES, run_cli
from .moves import move_like_m

LATEST = FIXTURES / "layout-latest.apkg"
STUDIED = "wcaxx-fs-w-15eb95ae"  # CARD's id (general-knowledge): the fixture's one studied card
SPANISH_CARD = "kubcsexm-a-bf924633"  # a reversed card of languages-spanish, with audio


def _mine(home: Path, *cards: tuple[str, str, str]) -> None:
    """The learner's own deck `mine`, with `cards` (id, front, back)."""
    body = "".join(f'\n[[cards]]\nid = "{i}"\nfront = "{f}"\nback = "{b}"\n' for i, f, b in cards)
    (home / "decks").mkdir(parents=True, exist_ok=True)
    (home / "decks" / "mine.toml").write_text(f'format = 1\n\n[deck]\nid = "mine"\nname = "Mine"\n{body}')


def _holders(home: Path, card_id: str) -> list[str]:
    """The deck files holding `card_id`."""
    found = []
    for path in sorted((home / "decks").glob("*.toml")):
        parsed = parse_deck(path.read_text(encoding="utf-8"), str(path))
        assert parsed.deck is not None, parsed.errors
        if any(c.id == card_id for c in parsed.deck.cards):
            found.append(path.stem)
    return found


def _import(capsys: pytest.CaptureFixture[str], path: Path, *more: str) -> str:
    code, out, err = run_cli(capsys, "import", str(path), *more)
    assert code == 0, err
    return out


def _state(key: str) -> CardState | None:
    now = datetime.now(UTC)
    col = Collection.open(open_home(), now, read_only=True, cards=False)
    try:
        return col.states.get(key)
    finally:
        col.close(now)


def test_an_apkg_card_moved_to_your_deck_stays_there(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, LATEST)
    _mine(home, ("m1", "q", "a"))
    move_like_m("languages-spanish", SPANISH_CARD, "mine")
    guid = load_keep(home / "decks" / "mine.anki.json").notes[SPANISH_CARD].guid  # type: ignore[union-attr]

    out = _import(capsys, LATEST)
    assert f"+ {SPANISH_CARD}" not in out, out
    assert "deck languages-spanish: 0 added, 0 changed, 0 removed, 2 unchanged\n" in out, out
    assert "  kept in 'mine', where you moved it: 1 card\n" in out, out
    assert _holders(home, SPANISH_CARD) == ["mine"]
    spanish = load_keep(home / "decks" / "languages-spanish.anki.json")
    assert spanish is not None and SPANISH_CARD not in spanish.notes
    mine = load_keep(home / "decks" / "mine.anki.json")
    assert mine is not None and mine.notes[SPANISH_CARD].guid == guid  # the next export updates it

    again = _import(capsys, LATEST)  # the memo's answer says the same
    assert again == out
    assert _holders(home, SPANISH_CARD) == ["mine"]


def test_the_one_deck_package_of_the_report(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--dry-run` says it too, and a deck the learner keeps in a folder of theirs counts."""
    _import(capsys, LEGACY)
    _mine(home)
    move_like_m("general-knowledge", STUDIED, "mine")
    out = _import(capsys, LEGACY, "--dry-run")
    assert "deck general-knowledge: 0 added, 0 changed, 0 removed, 1 unchanged\n" in out, out
    assert "  kept in 'mine', where you moved it: 1 card\n" in out, out
    assert _holders(home, STUDIED) == ["mine"]


def test_edited_in_anki_since_it_is_known_by_its_guid(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(capsys, LEGACY)
    _mine(home)
    move_like_m("general-knowledge", STUDIED, "mine")

    def edit(conn: sqlite3.Connection) -> None:
        nid, flds = conn.execute(
            "SELECT n.id, n.flds FROM notes n JOIN cards c ON c.nid = n.id WHERE c.id = ?", (CARD,)
        ).fetchone()
        fields = ["What is the capital of France, today?", *flds.split("\x1f")[1:]]
        conn.execute("UPDATE notes SET flds = ? WHERE id = ?", ("\x1f".join(fields), nid))

    (tmp_path / "v2").mkdir()
    v2 = changed_package(tmp_path / "v2", edit)
    out = _import(capsys, v2)
    assert "  kept in 'mine', where you moved it: 1 card (1 changed in this file, not updated there)\n" in out
    assert _holders(home, STUDIED) == ["mine"]
    assert _import(capsys, v2) == out  # (the memo's answer)

    (home / "decks" / "mine.anki.json").unlink()  # nothing tells it is the file's card any more:
    out = _import(capsys, v2)  # not the memo's answer, which depended on it
    assert f"  + {STUDIED}\n" in out and "kept in" not in out, out


def test_its_history_counts_where_it_is(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With `--with-history` the package's reviews of it are its reviews there: those it had
    before the move are held already (they moved with it), one made in Anki since is recorded for
    it where it is, and the deck it left gets no progress of it."""
    _import(capsys, LEGACY, "--with-history")
    before = _state(f"general-knowledge/{STUDIED}")
    assert before is not None and not before.is_new
    _mine(home)
    move_like_m("general-knowledge", STUDIED, "mine")
    assert _state(f"mine/{STUDIED}") == before

    def studied_again(conn: sqlite3.Connection) -> None:  # in Anki, after the move here
        row = conn.execute("SELECT * FROM revlog WHERE cid = ? ORDER BY id DESC LIMIT 1", (CARD,)).fetchone()
        later = int(datetime.now(UTC).timestamp() * 1000) + 60_000
        conn.execute("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", (later, *row[1:]))
        conn.execute("UPDATE cards SET reps = reps + 1 WHERE id = ?", (CARD,))

    (tmp_path / "v2").mkdir()
    out = _import(capsys, changed_package(tmp_path / "v2", studied_again), "--with-history")
    assert "  kept in 'mine', where you moved it: 1 card\n" in out, out
    assert "recorded 1 event(s) of review history" in out, out
    assert _holders(home, STUDIED) == ["mine"]
    after = _state(f"mine/{STUDIED}")
    assert after is not None and before.last_review is not None and after.last_review is not None
    assert after.last_review > before.last_review
    gone = _state(f"general-knowledge/{STUDIED}")
    assert gone is None or gone.is_new


def test_a_card_moved_between_two_decks_of_the_package_follows_the_package(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Such a move looks, in the files, exactly like a note its author moved to another subdeck
    (which moves: `test_h22_cards_moved_between_decks`): it is moved as the file has it, said in
    the preview, never a second card."""
    _import(capsys, LATEST)
    move_like_m("general-knowledge", STUDIED, "languages-spanish")
    out = _import(capsys, LATEST)
    assert f"  > {STUDIED} (from languages-spanish" in out, out
    assert _holders(home, STUDIED) == ["general-knowledge"]


def _brokers(path: Path, *cards: tuple[str, str, str]) -> Path:
    body = "".join(f'\n[[cards]]\nid = "{i}"\nfront = "{f}"\nback = "{b}"\n' for i, f, b in cards)
    path.write_text(f'format = 1\n\n[deck]\nid = "brokers"\nname = "Brokers"\nversion = "1.0.0"\n{body}')
    return path


def test_a_toml_deck(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    deck = _brokers(tmp_path / "brokers.toml", ("c1", "What is a topic?", "A log"), ("c2", "ISR?", "In sync"))
    _import(capsys, deck)
    _mine(home, ("m1", "q", "a"))
    move_like_m("brokers", "c2", "mine")
    out = _import(capsys, deck)
    assert "deck brokers: 1.0.0 -> 1.0.0: 0 added, 0 changed, 0 removed, 1 unchanged\n" in out, out
    assert "  kept in 'mine', where you moved it: 1 card\n" in out, out
    assert _holders(home, "c2") == ["mine"]


def test_a_toml_card_of_yours_with_the_same_id_is_not_it(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ids written by hand (`c1`) are often the same in two decks: only the same card counts.
    A new card of the file is added, and so is one the learner's deck holds while the file's
    deck was not installed yet (its first import)."""
    _mine(home, ("c2", "my own question", "mine"), ("c3", "What is a topic?", "A log"))
    v1 = _brokers(tmp_path / "brokers.toml", ("c1", "What is a topic?", "A log"))
    _import(capsys, v1)
    v2 = _brokers(tmp_path / "brokers.toml", ("c1", "What is a topic?", "A log"), ("c2", "ISR?", "In sync"))
    out = _import(capsys, v2)
    assert "  + c2\n" in out and "kept in" not in out, out
    assert _holders(home, "c2") == ["brokers", "mine"]


def test_a_card_in_two_of_your_decks_is_not_guessed_at(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = _brokers(tmp_path / "brokers.toml", ("c1", "What is a topic?", "A log"), ("c2", "ISR?", "In sync"))
    _import(capsys, deck)
    _mine(home, ("m1", "q", "a"))
    move_like_m("brokers", "c2", "mine")
    other = home / "decks" / "other.toml"
    other.write_text(
        'format = 1\n\n[deck]\nid = "other"\nname = "Other"\n\n[[cards]]\nid = "c2"\nfront = "ISR?"\nback = "In sync"\n'
    )
    out = _import(capsys, deck)
    assert "  + c2\n" in out and "kept in" not in out, out


def test_an_anki_text_file(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    words = tmp_path / "words.csv"
    words.write_text("hola,hello\ngato,cat\nperro,dog\n", encoding="utf-8")
    _import(capsys, words)
    parsed = parse_deck((home / "decks" / "words.toml").read_text(encoding="utf-8"), "words.toml")
    assert parsed.deck is not None
    cat = next(c.id for c in parsed.deck.cards if c.front == "gato")
    _mine(home, ("m1", "q", "a"))
    move_like_m("words", cat, "mine")
    out = _import(capsys, words)
    assert "  kept in 'mine', where you moved it: 1 card\n" in out, out
    assert f"+ {cat}" not in out
    assert _holders(home, cat) == ["mine"]


_IDS = st.lists(st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True), unique=True, max_size=6)


@given(_IDS, st.data())
def test_without_notes_drops_exactly_those_cards(ids: list[str], data: st.DataObject) -> None:
    gone = set(data.draw(st.lists(st.sampled_from(ids), unique=True) if ids else st.just([])))
    keep = AnkiKeep(
        notetypes={
            7: {"name": "Basic", "kind": "basic", "flds": ["Front"], "tmpls": [], "css": "", "mod": 0}
        },
        notes={i: KeptNote(f"g{i}", 7, [i], "s") for i in ids},
        cards={k: KeptCard(2500, 1, 0, 5) for i in ids for k in (i, f"{i}:reverse")},
    )
    out = json.loads(without_notes(keep.to_json(), gone))
    assert set(out["notes"]) == set(ids) - gone
    assert set(out.get("cards", {})) == {k for i in ids if i not in gone for k in (i, f"{i}:reverse")}
    assert out["notetypes"] == json.loads(keep.to_json())["notetypes"]
