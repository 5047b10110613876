"""Two decks of one group with the same name stay two decks through an Anki package or text file.

Anki holds one deck per name: decks `voc1` and `voc2`, both "Vocabulary" in group
"G", became the one Anki deck `G::Vocabulary`, and came back as one deck (`voc1`
holding both cards; from a `.csv`, a new deck `g-vocabulary`).
"""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.anki.ankinote import anki_deck_names
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _decks() -> list[Deck]:
    return [
        Deck(
            id=f"voc{i}", name="Vocabulary", group="G", cards=(Card(id=f"w{i}", front=f"word {i}", back="m"),)
        )
        for i in (1, 2)
    ] + [Deck(id="voc3", name="vocabulary", group="g", cards=(Card(id="w3", front="word 3", back="m"),))]


def test_the_names_are_made_unique_as_anki_compares_them() -> None:
    names = anki_deck_names(_decks())
    assert names == {"voc1": "G::Vocabulary", "voc2": "G::Vocabulary (voc2)", "voc3": "g::vocabulary (voc3)"}
    one = [Deck(id="a", name="A", group="G")]
    assert anki_deck_names(one) == {"a": "G::A"}


@pytest.mark.parametrize("suffix", [".apkg", ".csv", ".tsv"])
def test_same_name_decks_come_back_apart(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"g{suffix}"
    export_decks(_decks(), out, now=NOW)
    stage = tmp_path / "stage"
    stage.mkdir()
    back = sorted(read_file(out, stage).decks, key=lambda d: d.id)
    assert [(d.id, d.group, d.name, [c.id for c in d.cards]) for d in back] == [
        ("voc1", "G", "Vocabulary", ["w1"]),
        ("voc2", "G", "Vocabulary", ["w2"]),
        ("voc3", "g", "vocabulary", ["w3"]),
    ]


def test_anki_gets_one_deck_per_retain_deck(tmp_path: Path) -> None:
    out = tmp_path / "g.apkg"
    export_decks(_decks(), out, now=NOW)
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "c.anki2")
    rows = con.execute("SELECT COUNT(DISTINCT did) FROM cards").fetchone()
    con.close()
    assert rows == (3,)
