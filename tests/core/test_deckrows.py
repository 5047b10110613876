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


def test_a_group_that_only_encloses_others_has_its_row_before_them() -> None:
    """Anki's `Lang` over `Lang::French` and `Lang::Spanish::Verbs`, with no deck of its own:
    it had no row, so the whole tree could not be studied, exported or counted from home."""
    from retain.core.due import Counts

    decks = [
        Deck(id="fr", name="French", group="Lang::French"),
        Deck(id="vb", name="Verbs", group="Lang::Spanish::Verbs"),
        Deck(id="k", name="Kafka", group="Ops"),
    ]
    counts = {"fr": Counts(1, 0, 2), "vb": Counts(3, 1, 0), "k": Counts(5, 0, 0)}
    rows = deck_rows(decks, counts, {"fr": 4, "vb": 6, "k": 1})
    shown = [(r.label, r.depth, r.deck_ids, r.due, r.cards) for r in rows]
    assert shown == [
        ("Lang", 0, ("fr", "vb"), 7, 10),
        ("Lang::French", 0, ("fr",), 3, 4),
        ("French", 1, ("fr",), 3, 4),
        ("Lang::Spanish", 0, ("vb",), 4, 6),
        ("Lang::Spanish::Verbs", 0, ("vb",), 4, 6),
        ("Verbs", 1, ("vb",), 4, 6),
        ("Ops", 0, ("k",), 5, 1),
        ("Kafka", 1, ("k",), 5, 1),
    ]
    assert all(r.is_group for r in rows if r.depth == 0)


def test_group_names_hold_the_enclosing_groups_as_the_subgroups_spell_them() -> None:
    from retain.core.model import decks_in_group, group_names

    decks = [Deck("a", "A", group="LANG::Spanish"), Deck("b", "B", group="lang::French")]
    names = group_names(decks)
    assert names == ["LANG", "lang::French", "LANG::Spanish"]
    assert [d.id for d in decks_in_group(decks, names[0])] == ["b", "a"]
