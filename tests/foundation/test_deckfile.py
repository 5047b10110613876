"""Deck format v1: parsing, positions, warnings, expansion into review units."""

from __future__ import annotations

from retain.core.deckfile import parse_deck
from retain.core.units import expand_deck

GOOD = """\
format = 1

[deck]
id = "kafka"
name = "Apache Kafka"
group = "Distributed Systems"
tags = ["ds"]

[[cards]]
id = "partitions"
front = "What lets Kafka scale?"
back = "Partitioning"
tags = ["throughput"]

[[cards]]
id = "isr"
kind = "cloze"
text = "One {{c1::leader}} and {{c2::in-sync replicas::ISRs}}; {{c1::leader}} again."

[[cards]]
id = "term"
kind = "reversed"
front = "ISR"
back = "In-sync replica"

[[cards]]
id = "consensus"
kind = "typed"
front = "Which consensus algorithm does Consul use?"
back = "Raft"
accept = ["the raft algorithm"]
"""


def test_parses_all_kinds_and_expands_units() -> None:
    result = parse_deck(GOOD, "kafka.toml")
    assert result.problems == []
    assert result.deck is not None
    keys = [u.key for u in expand_deck(result.deck)]
    assert keys == [
        "kafka/partitions",
        "kafka/isr:c1",
        "kafka/isr:c2",
        "kafka/term",
        "kafka/term:reverse",
        "kafka/consensus",
    ]


def test_cloze_fronts_hide_only_their_number_and_show_hints() -> None:
    deck = parse_deck(GOOD).deck
    assert deck is not None
    units = {u.key: u for u in expand_deck(deck)}
    assert units["kafka/isr:c1"].front == "One [...] and in-sync replicas; [...] again."
    assert units["kafka/isr:c2"].front == "One leader and [ISRs]; leader again."
    assert units["kafka/isr:c2"].back == "One leader and **in-sync replicas**; leader again."


def test_reverse_unit_swaps_sides_and_tags_are_inherited() -> None:
    deck = parse_deck(GOOD).deck
    assert deck is not None
    units = {u.key: u for u in expand_deck(deck)}
    rev = units["kafka/term:reverse"]
    assert (rev.front, rev.back) == ("In-sync replica", "ISR")
    assert units["kafka/partitions"].tags == ("ds", "throughput")
    assert units["kafka/consensus"].accept == ("the raft algorithm",)


def test_syntax_error_has_line_and_column() -> None:
    text = 'format = 1\n[deck]\nid = "x"\nname = "X\n'
    result = parse_deck(text, "bad.toml")
    assert result.deck is None
    [err] = result.errors
    assert (err.line, err.col) == (4, 10)
    assert str(err).startswith("bad.toml:4:10: error: TOML syntax")


def test_duplicate_card_id_points_at_second_id_line() -> None:
    text = GOOD + '\n[[cards]]\nid = "isr"\nfront = "again"\nback = "b"\n'
    result = parse_deck(text, "d.toml")
    [err] = result.errors
    assert "duplicate card id 'isr'" in err.message
    assert err.line == text.splitlines().index('id = "isr"', 20) + 1
    assert err.col == 1


def test_missing_and_invalid_ids_are_errors() -> None:
    text = 'format = 1\n[deck]\nid = "d"\nname = "D"\n[[cards]]\nfront = "a"\nback = "b"\n'
    text += '[[cards]]\n  id = "Bad Id"\n  front = "c"\n  back = "d"\n'
    result = parse_deck(text, "d.toml")
    msgs = [(p.line, p.col, p.message) for p in result.errors]
    assert msgs[0][:2] == (5, 1) and "retain check --fix" in msgs[0][2]
    assert msgs[1][:2] == (9, 3) and "invalid" in msgs[1][2]
    assert result.deck is not None and result.deck.cards == ()


def test_bad_deck_id_and_unknown_kind() -> None:
    bad_deck = parse_deck('format = 1\n[deck]\nid = "-no"\nname = "x"\n')
    assert bad_deck.deck is None and "deck id" in bad_deck.errors[0].message
    text = 'format = 1\n[deck]\nid = "d"\nname = "D"\n[[cards]]\nid = "a"\nkind = "essay"\nfront = "a"\n'
    result = parse_deck(text)
    assert result.errors[0].line == 7 and "unknown kind 'essay'" in result.errors[0].message


def test_warnings_do_not_fail() -> None:
    long_front = "x" * 301
    text = (
        'format = 1\n[deck]\nid = "d"\nname = "D"\n'
        '[[cards]]\nid = "a"\nfront = "Same?"\nback = ""\n'
        '[[cards]]\nid = "b"\nfront = "same?"\nback = "y"\n'
        '[[cards]]\nid = "c"\nkind = "cloze"\ntext = "no deletions here"\n'
        f'[[cards]]\nid = "e"\nfront = "{long_front}"\nback = "z"\n'
    )
    result = parse_deck(text, "w.toml")
    assert result.errors == []
    messages = " | ".join(p.message for p in result.warnings)
    assert "empty back" in messages
    assert "duplicate front" in messages
    assert "no {{c1::...}} deletions" in messages
    assert "301 characters" in messages
    assert result.deck is not None and len(result.deck.cards) == 4


def test_wrong_types_are_errors_with_positions() -> None:
    text = 'format = 1\n[deck]\nid = "d"\nname = "D"\n[[cards]]\nid = "a"\nfront = 3\nback = "b"\n'
    text += '[[cards]]\nid = "c"\nfront = "q"\nback = "b"\ntags = "x"\n'
    result = parse_deck(text)
    assert [(e.line, "must be") for e in result.errors] == [(7, "must be"), (13, "must be")]


def test_unsupported_format_version() -> None:
    result = parse_deck('format = 2\n[deck]\nid = "d"\nname = "D"\n')
    assert result.deck is None and "format 2" in result.errors[0].message
