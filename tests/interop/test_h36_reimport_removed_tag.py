"""h36: a deck tag taken off one note in Anki stays off on re-import. The tags every imported note
carries are the deck's (retain's metadata in the Anki deck description tells which were, and how
they are spelled); one some notes lack is no longer the deck's and goes on the cards that have it.

Before: the deck's tags were taken from the metadata alone, so a tag removed from note B in Anki
came back on card b through the deck."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, run_anki
from .test_h14_hidden_text import NOW

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

ANKI = r"""
import json, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col_path, pkg, out, removals = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
col = Collection(col_path)
col.import_anki_package(ImportAnkiPackageRequest(package_path=pkg, options=ImportAnkiPackageOptions()))
for nid in col.find_notes(""):
    note = col.get_note(nid)
    gone = set(removals.get(note.guid, []))
    if gone:
        note.tags = [t for t in note.tags if t not in gone]
        col.update_note(note)
opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
col.export_anki_package(out_path=out, options=opts, limit=None)
col.close()
"""

DECK = Deck(
    id="tg",
    name="TG",
    tags=("shared", "two words", "all"),
    cards=(
        Card(id="a", front="A", back="a", tags=("own",)),
        Card(id="b", front="B", back="b"),
        Card(id="c", front="C", back="c", tags=("x y",)),
    ),
)


def _through_anki(tmp_path: Path, removals: dict[str, list[str]]) -> dict[str, set[str]]:
    """Each card's tags (the deck's and its own) after Anki took `removals` off notes (by guid)."""
    package = tmp_path / "x.apkg"
    export_decks([DECK], package, now=NOW, decks_dir=tmp_path / "decks")
    back = tmp_path / "back.apkg"
    run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(package), str(back), json.dumps(removals))
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(back, stage).decks
    return {c.id: set(deck.tags) | set(c.tags) for c in deck.cards}


@pytest.mark.parametrize(
    "removals",
    [
        {},
        {"tg/b": ["shared"]},
        {"tg/a": ["two_words"], "tg/c": ["all", "shared"]},
        {"tg/a": ["all"], "tg/b": ["all"], "tg/c": ["all"]},
    ],
)
def test_tags_removed_in_anki_stay_removed(tmp_path: Path, removals: dict[str, list[str]]) -> None:
    got = _through_anki(tmp_path, removals)
    spelled = {"two_words": "two words"}
    for card in DECK.cards:
        gone = {spelled.get(t, t) for t in removals.get(f"tg/{card.id}", [])}
        assert got[card.id] == (set(DECK.tags) | set(card.tags)) - gone, card.id
