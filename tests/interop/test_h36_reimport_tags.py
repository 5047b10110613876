"""Re-importing a deck compares each card's tags as the learner has them (attacker 51).

An import makes the tags every note of a deck carries deck tags (`assemble.make_deck`). When a
new version adds one note without that tag (or a note moves in from another subdeck), the tag
goes back onto each card, and `diff_decks` compared each card's own tags: every old card was
"changed" (on a 20k-card deck, "2000 changed" for one note added) and the deck's tags too. A card
is compared now with the tags it ends up with (the deck's and its own), and the deck's tags are a
change only where every card kept in both versions gains or loses one (where some do,
those cards are the change).
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.model import Card, Deck
from retain.core.state import CardState
from retain.interop.importer import apply_import, plan_import, read_file
from retain.interop.progress_io import collection_record_history, record_moves
from retain.interop.upgrade import diff_decks
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON, LEGACY, changed_package, run_anki
from .conftest import run_cli

GK = 1795857295047  # the fixture's deck "General Knowledge" (two notes, both tagged `geo`)
OTHER_CARD = 1795857295155  # a note of Languages::Spanish tagged `es` only
GK_MEDIA_NOTE = 1795857295143  # a General Knowledge note tagged `geo media`
STUDIED = "wcaxx-fs-w-15eb95ae"  # the fixture's one reviewed card, in General Knowledge


def effective_tags(deck: Deck, card: Card) -> tuple[str, ...]:
    """The tags a card has in its deck (docs/deck-format.md, Tags), sorted."""
    return tuple(sorted({*deck.tags, *card.tags}))


def _cards(*tags: tuple[str, ...]) -> tuple[Card, ...]:
    return tuple(Card(id=f"c{i}", front=f"q{i}", back=f"a{i}", tags=t) for i, t in enumerate(tags))


def test_a_tag_moved_from_the_deck_onto_its_cards_changes_no_card() -> None:
    old = Deck("core-vocab", "Vocab", cards=_cards((), (), ()), tags=("core",))
    new = Deck(
        "core-vocab", "Vocab", cards=(*_cards(("core",), ("core",), ("core",)), Card("new", front="q"))
    )
    diff = diff_decks(old, new)
    assert (diff.added, diff.changed, diff.unchanged, diff.meta_changed) == (["new"], [], 3, [])
    assert diff.lines()[0] == "deck core-vocab: 1 added, 0 changed, 0 removed, 3 unchanged"


def test_a_tag_moved_from_the_cards_onto_the_deck_changes_no_card() -> None:
    old = Deck("d", "D", cards=_cards(("x", "a"), ("x",)))
    new = Deck("d", "D", cards=_cards(("a",), ()), tags=("x",))
    diff = diff_decks(old, new)
    assert (diff.changed, diff.unchanged, diff.meta_changed) == ([], 2, [])


def test_a_tag_a_card_really_gains_or_loses_is_a_change() -> None:
    old = Deck("d", "D", cards=_cards((), ()), tags=("core",))
    lost = diff_decks(old, Deck("d", "D", cards=_cards(("core",), ())))
    assert (lost.changed, lost.unchanged, lost.meta_changed) == (["c1"], 1, [])  # (c1's change)
    all_lost = diff_decks(old, Deck("d", "D", cards=_cards((), ())))
    assert (all_lost.changed, all_lost.meta_changed) == (["c0", "c1"], ["tags"])
    gained = diff_decks(old, Deck("d", "D", cards=_cards((), ()), tags=("core", "new")))
    assert (gained.changed, gained.meta_changed) == (["c0", "c1"], ["tags"])
    own = diff_decks(old, Deck("d", "D", cards=_cards(("x",), ()), tags=("core",)))
    assert (own.changed, own.meta_changed) == (["c0"], [])


def test_deck_tags_of_a_deck_with_no_card_in_common_are_compared_as_written() -> None:
    old = Deck("d", "D", cards=_cards(()), tags=("a",))
    new = Deck("d", "D", cards=(Card("other", front="q"),), tags=("b",))
    assert diff_decks(old, new).meta_changed == ["tags"]


_TAG = st.sampled_from(["a", "b", "core", "geo", "x::y"])


@settings(max_examples=100, deadline=None)
@given(
    owned=st.lists(st.frozensets(_TAG), min_size=1, max_size=5),
    deck_old=st.frozensets(_TAG),
    deck_new=st.frozensets(_TAG),
    order=st.randoms(use_true_random=False),
)
def test_where_a_tag_is_written_is_no_change(
    owned: list[frozenset[str]], deck_old: frozenset[str], deck_new: frozenset[str], order: object
) -> None:
    """Any spelling of the same tags per card (on the deck, on the card, in any order) is the
    same deck: nothing changed, the deck's tags included."""
    full = [tags | deck_old | deck_new for tags in owned]

    def spelled(deck_tags: frozenset[str]) -> Deck:
        cards = []
        for i, tags in enumerate(full):
            own = sorted(tags - deck_tags)
            order.shuffle(own)  # type: ignore[attr-defined]
            cards.append(Card(id=f"c{i}", front=f"q{i}", tags=tuple(own)))
        return Deck("d", "D", cards=tuple(cards), tags=tuple(sorted(deck_tags)))

    old, new = spelled(deck_old), spelled(deck_new)
    assert [effective_tags(old, c) for c in old.cards] == [effective_tags(new, c) for c in new.cards]
    diff = diff_decks(old, new)
    assert diff.empty and diff.unchanged == len(full), diff.lines()


def _import(path: Path, *, history: bool = False, dry_run: bool = False) -> list[str]:
    """`path` imported as `retain import` imports it: its preview lines."""
    home = open_home()
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(path, Path(stage), with_history=history)
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        lines = [line for planned in plan.decks for line in planned.lines()]
        if dry_run:
            return lines
        apply_import(plan, home.paths.decks_dir, cache_dir=home.paths.cache_dir)
        now = datetime.now(UTC)
        coll = Collection.open(home, now, cards=False)
        try:
            if bundle.reviews:
                collection_record_history(coll, bundle.reviews, now)
            record_moves(coll, plan.moves, now)
        finally:
            coll.close(now)
    return lines


def _state(key: str) -> CardState | None:
    now = datetime.now(UTC)
    coll = Collection.open(open_home(), now, read_only=True, cards=False)
    try:
        return coll.states.get(key)
    finally:
        coll.close(now)


def _deck_file(home: Path, deck_id: str) -> Deck:
    path = home / "decks" / f"{deck_id}.toml"
    parsed = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert parsed.deck is not None, parsed.errors
    return parsed.deck


def _tags_by_card(deck: Deck) -> dict[str, tuple[str, ...]]:
    return {c.id: effective_tags(deck, c) for c in deck.cards}


def test_a_note_moved_in_without_the_decks_common_tag(home: Path, tmp_path: Path) -> None:
    """Both General Knowledge notes carry `geo` (a deck tag here); a Spanish note moved in lacks
    it: the two cards are unchanged, the moved one unedited, and the studied card keeps its
    progress; the file written still gives each card its tags."""
    _import(LEGACY, history=True)
    before = _state(f"general-knowledge/{STUDIED}")
    assert before is not None and not before.is_new
    assert _deck_file(home, "general-knowledge").tags == ("geo",)

    def move(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE cards SET did = ? WHERE id = ?", (GK, OTHER_CARD))

    package = changed_package(tmp_path, move)
    preview = _import(package, dry_run=True)
    assert "deck general-knowledge: 0 added, 0 changed, 0 removed, 2 unchanged, 1 moved in" in preview, (
        preview
    )
    assert not any(line.startswith("  ~ ") for line in preview), preview
    assert any(line.startswith("  > ") and "changed" not in line for line in preview), preview
    _import(package, history=True)
    written = _deck_file(home, "general-knowledge")
    assert written.tags == ()
    assert sorted(_tags_by_card(written).values()) == [("es",), ("geo",), ("geo", "media")]
    assert _state(f"general-knowledge/{STUDIED}") == before


def test_a_tag_taken_off_one_note_changes_that_card_only(home: Path, tmp_path: Path) -> None:
    _import(LEGACY)

    def untag(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE notes SET tags = ' media ' WHERE id = ?", (GK_MEDIA_NOTE,))

    preview = _import(changed_package(tmp_path, untag), dry_run=True)
    assert "deck general-knowledge: 0 added, 1 changed, 0 removed, 1 unchanged" in preview, preview
    assert "  ~ deck fields: tags" not in preview


_ANKI_DECKS = r"""
import os, sys
from anki.collection import Collection, ExportAnkiPackageOptions
w = sys.argv[1]
col = Collection(os.path.join(w, "c.anki2"))
basic, deck = col.models.by_name("Basic"), col.decks.id("Core::Vocab")
opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=False, legacy=False)
for i in range(5):
    n = col.new_note(basic); n["Front"] = f"word {i}"; n["Back"] = f"meaning {i}"; n.tags = ["core"]
    col.add_note(n, deck)
col.export_anki_package(out_path=os.path.join(w, "v1.apkg"), options=opts, limit=None)
n = col.new_note(basic); n["Front"] = "word 5"; n["Back"] = "meaning 5"; col.add_note(n, deck)
col.export_anki_package(out_path=os.path.join(w, "v2.apkg"), options=opts, limit=None)
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="needs real Anki (RETAIN_ANKI_PYTHON)")
def test_real_anki_one_note_added_without_the_common_tag(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_anki(tmp_path, _ANKI_DECKS, str(tmp_path), cwd=tmp_path)
    assert run_cli(capsys, "import", str(tmp_path / "v1.apkg"))[0] == 0
    code, out, err = run_cli(capsys, "import", "--dry-run", str(tmp_path / "v2.apkg"))
    assert code == 0, err
    assert "deck core-vocab: 1 added, 0 changed, 0 removed, 5 unchanged" in out, out
    assert "  ~ " not in out, out
    assert run_cli(capsys, "import", str(tmp_path / "v2.apkg"))[0] == 0
    written = _deck_file(home, "core-vocab")
    tags = _tags_by_card(written)
    assert len(tags) == 6 and sorted(tags.values()).count(("core",)) == 5, tags
