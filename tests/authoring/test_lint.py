"""Author lint rules reported by `retain check` as warnings."""

from __future__ import annotations

import pytest

from retain.core.deckfile import parse_deck
from retain.core.lint import lint_deck, lint_library
from retain.core.model import Deck

HEAD = 'format = 1\n[deck]\nid = "{id}"\nname = "x"\n'


def deck(body: str, deck_id: str = "d") -> Deck:
    result = parse_deck(HEAD.format(id=deck_id) + body, f"{deck_id}.toml")
    assert result.deck is not None
    return result.deck


def messages(d: Deck) -> list[str]:
    return [p.message for p in lint_deck(d)]


def test_answer_leaking_into_question() -> None:
    d = deck('[[cards]]\nid = "a"\nfront = "Consul uses Raft. Which algorithm?"\nback = "Raft"\n')
    assert messages(d) == ["'a': the answer appears in the question"]
    ok = deck('[[cards]]\nid = "a"\nfront = "Which algorithm does Consul use?"\nback = "Raft"\n')
    assert messages(ok) == []


def test_cloze_revealing_another_cloze() -> None:
    d = deck(
        '[[cards]]\nid = "c"\nkind = "cloze"\ntext = "{{c1::Raft}} elects leaders; {{c2::Raft}} is CP."\n'
    )
    assert len(messages(d)) == 2
    ok = deck('[[cards]]\nid = "c"\nkind = "cloze"\ntext = "{{c1::Raft}} keeps {{c2::consistency}}."\n')
    assert messages(ok) == []


def test_back_with_several_facts() -> None:
    d = deck('[[cards]]\nid = "a"\nfront = "Q?"\nback = "One fact here. Two facts there. Three facts now."\n')
    assert messages(d) == ["'a': the back states several facts; split it into atomic cards"]
    long = deck(f'[[cards]]\nid = "a"\nfront = "Q?"\nback = "{"word " * 50}"\n')
    assert messages(long)


def test_duplicates_across_decks() -> None:
    one = deck('[[cards]]\nid = "a"\nfront = "What is Raft?"\nback = "x"\n', "one")
    two = deck('[[cards]]\nid = "b"\nfront = "what is raft"\nback = "y"\n', "two")
    [problem] = lint_library([one, two])
    assert problem.path == "two.toml" and "duplicates card one/a" in problem.message
    assert lint_library([one]) == []


def test_reversed_card_whose_back_shows_its_front_is_warned() -> None:
    text = (
        HEAD.format(id="d") + '[[cards]]\nid = "r"\nkind = "reversed"\nfront = "Quorum"\n'
        'back = "Quorum: a majority of the servers"\n'
    )
    deck = parse_deck(text, "d.toml").deck
    assert deck is not None
    assert any("reverse" in p.message for p in lint_deck(deck)), lint_deck(deck)


def _typed(back: str, accept: str = "") -> Deck:
    keys = f'back = "{back}"\n' + (f"accept = [{accept}]\n" if accept else "")
    return deck('[[cards]]\nid = "t"\nkind = "typed"\nfront = "Q?"\n' + keys)


@pytest.mark.parametrize(
    ("accept", "shown"),
    [
        ('"# of partitions"', "'of partitions'"),  # a heading
        ('"> 5 ms"', "'5 ms'"),  # a quote
        ('"- fault tolerance"', "'fault tolerance'"),  # a bullet
        ('"1) leader"', "'1. leader'"),  # the display numbers it `1.`
    ],
)
def test_an_answer_markdown_shows_otherwise_is_warned(accept: str, shown: str) -> None:
    """`accept = ["# of partitions"]` is read as a heading: typing it as written was only close."""
    [message] = messages(_typed("x", accept))
    assert accept.strip('"') in message and f"shows as {shown}" in message, message
    [message] = messages(_typed(accept.strip('"')))
    assert message.startswith("'t': the back"), message


@pytest.mark.parametrize(
    "accept",
    [
        '"\\\\# of partitions"',
        '"**Raft**"',
        '"`kubectl get pods`"',
        '"C#"',
        '"1. leader"',
        '"AT&amp;T"',
        '"-"',
    ],
)
def test_inline_markdown_and_escapes_in_an_answer_are_not_warned(accept: str) -> None:
    assert messages(_typed("x", accept)) == []
