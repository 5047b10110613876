"""A group holds the groups under it, as Anki nests decks: `Lang` holds `Lang::Spanish` and
`Lang::Spanish::Verbs` (an imported package's deeper decks), on the command line and in search."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Deck, Unit, decks_in_group, decks_named, group_title
from retain.core.search import compile_query

GROUPS = {"a": "Lang", "b": "Lang::Spanish", "c": "lang::spanish::Verbs", "d": "Language", "e": "Other"}


def _write_decks(folder: Path, groups: Iterable[tuple[str, str]]) -> None:
    """A deck file of one card for each (deck id, group)."""
    folder.mkdir(parents=True)
    for deck_id, group in groups:
        (folder / f"{deck_id}.toml").write_text(
            f'[deck]\nid = "{deck_id}"\ngroup = "{group}"\n\n[[cards]]\nid = "c1"\nfront = "q"\nback = "a"\n',
            encoding="utf-8",
        )


def _decks() -> list[Deck]:
    return [Deck(id=i, name=i, group=g, cards=()) for i, g in GROUPS.items()]


def test_a_group_holds_the_groups_under_it_and_no_group_merely_starting_alike() -> None:
    assert [d.id for d in decks_in_group(_decks(), "Lang")] == ["a", "b", "c"]
    assert [d.id for d in decks_in_group(_decks(), "lang::SPANISH")] == ["b", "c"]
    assert [d.id for d in decks_named(_decks(), "Lang::Spanish::Verbs")] == ["c"]
    assert [d.id for d in decks_in_group(_decks(), "")] == []


def test_the_browser_deck_search_finds_a_groups_nested_decks() -> None:
    query = compile_query('deck:"Lang"', group_of=GROUPS.__getitem__)
    now = datetime(2026, 12, 7, tzinfo=UTC)
    found = [
        deck
        for deck in GROUPS
        if query.matches(Unit(f"{deck}/c", deck, "c", "", "basic", "q", "a"), None, now, now.date())
    ]
    assert found == ["a", "b", "c"]


def test_export_of_a_group_takes_its_nested_decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retain.cli import main

    _write_decks(tmp_path / "home" / "decks", GROUPS.items())
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    assert main(["export", "Lang", "-o", str(tmp_path / "lang.apkg")]) == 0
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "other"))
    assert main(["import", str(tmp_path / "lang.apkg")]) == 0
    imported = sorted(p.stem for p in (tmp_path / "other" / "decks").glob("*.toml"))
    assert imported == ["a", "b", "c"]  # (not d: "Language" is no group under "Lang")


def test_stats_names_a_group_holding_only_groups_under_it_as_typed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from retain.cli import main

    _write_decks(tmp_path / "home" / "decks", [("b", "Lang::Spanish"), ("c", "Lang::French")])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    svg = tmp_path / "lang.svg"
    assert main(["stats", "--deck", "lang", "--svg", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert "lang" in text and "Lang::French" not in text and "Lang::Spanish" not in text


def test_an_anki_parent_deck_with_cards_of_its_own_is_part_of_its_group() -> None:
    """Anki's `Spanish` (cards of its own) and `Spanish::Verbs` import as the deck "Spanish" and
    the group "Spanish": the group named is Anki's deck, both decks (`Spanish` served Verbs only)."""
    decks = [
        Deck(id="spanish", name="Spanish", group="", cards=()),
        Deck(id="spanish-verbs", name="Verbs", group="Spanish", cards=()),
        Deck(id="lang-spanish", name="Spanish", group="Lang", cards=()),
        Deck(id="lang-spanish-verbs", name="Verbs", group="Lang::Spanish", cards=()),
        Deck(id="spanish-alone", name="Spanish Alone", group="", cards=()),
    ]
    assert [d.id for d in decks_named(decks, "SPANISH")] == ["spanish", "spanish-verbs"]
    assert [d.id for d in decks_named(decks, "lang::spanish")] == ["lang-spanish", "lang-spanish-verbs"]
    assert group_title(decks, "lang::spanish") == "Lang::Spanish"
    assert [d.id for d in decks_named(decks, "spanish")] == ["spanish"]  # (an id: that deck)
    assert [d.id for d in decks_named(decks, "Spanish Alone")] == ["spanish-alone"]  # a deck's name


def test_a_group_holding_only_groups_under_it_is_named_as_typed_by_export_and_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import json

    from retain.cli import main

    _write_decks(tmp_path / "home" / "decks", [("f", "Lang::French"), ("s", "Lang::Spanish")])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    capsys.readouterr()
    assert main(["stats", "--deck", "lang", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["scope"] == "lang"
    assert main(["export", "Lang", "-o", str(tmp_path / "l.apkg")]) == 0
    assert "exported 2 decks of 'Lang' " in capsys.readouterr().out
