"""The home screen's deck list rows: groups and their decks."""

from __future__ import annotations

from retain.core.deckrows import deck_rows
from retain.core.model import Deck


def test_groups_that_differ_in_case_or_spaces_are_one_row() -> None:
    decks = [
        Deck(id="a", name="A", group="Distributed Systems"),
        Deck(id="b", name="B", group="distributed systems"),
        Deck(id="c", name="C", group=" Distributed  Systems "),
    ]
    groups = [r for r in deck_rows(decks, {}, {}) if r.is_group]
    assert [(r.label, r.deck_ids) for r in groups] == [("Distributed Systems", ("a", "b", "c"))]


def test_a_group_name_finds_its_decks_in_any_case_and_spacing() -> None:
    """`export " Ops "` / `--deck "OPS"` found no deck of group "Ops  " (spaces compared as written)."""
    from retain.core.model import Deck, decks_in_group, group_names

    decks = [Deck("a", "A", group="Ops  "), Deck("b", "B", group=" ops"), Deck("c", "C", group="Dev")]
    for name in ("Ops", " OPS ", "ops"):
        assert [d.id for d in decks_in_group(decks, name)] == ["a", "b"]
    assert group_names(decks) == ["Dev", "Ops"]
