"""Property: writing a deck and parsing it back gives the same deck."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml, toml_string
from retain.core.model import KINDS, Card, Deck

ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)
nonblank = text.filter(lambda s: s.strip() != "")
strs = st.lists(text, max_size=3).map(tuple)


@st.composite
def cards(draw: st.DrawFn, card_id: str) -> Card:
    kind = draw(st.sampled_from(KINDS))
    if kind == "cloze":
        body = draw(text).replace("{", "(").replace("}", ")")
        answer = draw(nonblank).replace("}", ")").replace("{", "(").replace(":", ";")
        return Card(id=card_id, kind="cloze", text=body + " {{c1::" + answer + "}}")
    return Card(
        id=card_id,
        kind=kind,
        front=draw(nonblank),
        back=draw(nonblank),
        extra=draw(text),
        accept=draw(strs) if kind == "typed" else (),
        tags=draw(strs),
        source=draw(text),
    )


@st.composite
def decks(draw: st.DrawFn) -> Deck:
    card_ids = draw(st.lists(ids, unique=True, max_size=6))
    return Deck(
        id=draw(ids),
        name=draw(nonblank),
        group=draw(text),
        description=draw(text),
        version=draw(st.sampled_from(["", "1.0.0", "2.1.3"])),
        authors=draw(strs),
        license=draw(st.sampled_from(["", "CC-BY-4.0", "MIT"])),
        tags=draw(strs),
        cards=tuple(draw(cards(i)) for i in card_ids),
    )


def _strip(deck: Deck) -> Deck:
    return Deck(
        id=deck.id,
        name=deck.name,
        group=deck.group,
        description=deck.description,
        version=deck.version,
        authors=deck.authors,
        license=deck.license,
        tags=deck.tags,
        cards=tuple(
            Card(c.id, c.kind, c.front, c.back, c.text, c.extra, c.accept, c.tags, c.source)
            for c in deck.cards
        ),
    )


@settings(max_examples=150, deadline=None)
@given(decks())
def test_write_then_parse_is_identity(deck: Deck) -> None:
    result = parse_deck(deck_to_toml(deck), "rt.toml")
    assert result.errors == []
    assert result.deck is not None
    assert _strip(result.deck) == _strip(deck)


@given(st.text())
def test_toml_string_round_trips_any_text(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return
    assert tomllib.loads(f"v = {toml_string(value)}")["v"] == value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parser_never_raises_on_arbitrary_text(value: str) -> None:
    result = parse_deck(value, "fuzz.toml")
    assert result.deck is not None or result.errors
