"""A deck file retain writes holds no raw C1 control or bidi override: they are written escaped.

C0 controls were escaped (`\\u001b`), but C1 controls (U+0080-U+009F: an 8-bit CSI or OSC),
bidi embeddings, overrides and isolates (a "Trojan Source" reordering) and the line and
paragraph separators went in raw: an `.apkg` import or an editor save of a stranger's text put
them in files the user reads, diffs and keeps in git, and `cat` sent them to the terminal.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckwrite import card_toml, deck_to_toml, toml_multiline, toml_string, toml_text
from retain.core.model import Card, Deck
from retain.store.decks.deckedit import DeckFile

DANGER = "\x85\x9b\x9d\u200b\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029"


def _raw(text: str) -> set[str]:
    return {ch for ch in text if ch in DANGER or 0x80 <= ord(ch) <= 0x9F}


def test_a_written_deck_holds_none_raw_and_reads_back_the_same() -> None:
    hostile = f"a{DANGER}b"
    card = Card(id="c", front=hostile, back=f"line 1\n{hostile}\nline 3", extra=hostile, tags=(hostile,))
    deck = Deck(id="d", name=hostile, group=hostile, description=hostile, cards=(card,))
    text = deck_to_toml(deck)
    assert _raw(text) == set()
    back = tomllib.loads(text)
    assert back["deck"]["name"] == hostile and back["cards"][0]["back"] == card.back
    assert _raw(card_toml(card)) == set()


@given(st.text(alphabet=st.characters(codec="utf-8") | st.sampled_from(DANGER + "\u200d\u200e\u200f\u061c")))
def test_every_string_form_escapes_them_and_round_trips(value: str) -> None:
    for write in (toml_string, toml_multiline, toml_text):
        text = write(value)
        assert _raw(text) == set()
        assert tomllib.loads(f"v = {text}")["v"] == value
        for keep in "\u200d\u200e\u200f\u061c":  # joiners and right-to-left marks: as written
            assert text.count(keep) == value.count(keep)


def test_an_edit_of_a_deck_file_writes_them_escaped(tmp_path: Path) -> None:
    """The editor's save goes through tomlkit, which wrote them raw (also into a `'''` string)."""
    path = tmp_path / "d.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "d"\nname = "D"\n\n# keep\n[[cards]]\nid = "c"\nfront = "q"\n'
        "back = '''\nplain\n'''\ntags = [\"a\"]\n",
        encoding="utf-8",
    )
    deck = DeckFile.load(path)
    hostile = f"x{DANGER}y"
    edited = Card(id="c", front=hostile, back=f"two\n{hostile}", tags=("a", hostile))
    deck.upsert(edited)
    deck.upsert(Card(id="n", front=hostile, back="z", tags=(hostile,)))
    deck.save()
    text = path.read_text("utf-8")
    assert _raw(text) == set() and "# keep" in text
    cards = {c.id: c for c in DeckFile.load(path).deck().cards}
    assert (cards["c"].front, cards["c"].back, cards["c"].tags) == (edited.front, edited.back, edited.tags)
    assert cards["n"].front == hostile


def test_a_group_limit_saved_in_settings_writes_the_name_escaped(tmp_path: Path) -> None:
    """Settings wrote `[groups."…\\x9b…\\u202e…"]` raw into config.toml (a shared deck's group)."""
    from retain.store.config_edit import ConfigDocument

    path = tmp_path / "config.toml"
    path.write_text("# mine\n[study]\nnew_per_day = 10\n", encoding="utf-8")
    group = f"G{DANGER}"
    doc = ConfigDocument.open(path)
    doc.set(("groups", group, "new_per_day"), 5)
    doc.save()
    text = path.read_text("utf-8")
    assert _raw(text) == set() and "# mine" in text
    assert tomllib.loads(text)["groups"][group]["new_per_day"] == 5
    again = ConfigDocument.open(path)
    again.set(("groups", group, "reviews_per_day"), 50)
    again.save()
    assert tomllib.loads(path.read_text("utf-8"))["groups"][group] == {
        "new_per_day": 5,
        "reviews_per_day": 50,
    }
    assert _raw(path.read_text("utf-8")) == set()
