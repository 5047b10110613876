"""A card's text in an Anki text export makes no formula cell for a spreadsheet that splits the
rows at another separator (h39; the rows' side of h37's header-line fix).

Many locales open a `.csv` splitting at `;`. A card front `Irregular verbs;=cmd|' /C calc'!A0`
was written as it is, so such a spreadsheet started a cell at the `=`: a live formula from a
stranger's deck. Every character that starts a formula is now written as an HTML entity
wherever a cell could start (after `, ; tab |` or a line break), which Anki shows unchanged and
retain reads back exactly."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.anki.ankitext import read_anki_text, write_anki_text
from retain.interop.limits import Limits

_FORMULA = "=+-@"  # (a cell the file's own tab starts, split at `;`, is no formula)
_PIECES = st.sampled_from(
    [
        "Irregular verbs;=cmd|' /C calc'!A0",
        ";",
        ",",
        "|",
        "\t",
        "\n",
        "\r",
        "=",
        "+1",
        "-2",
        "@S",
        "a",
        " ",
        '"',
        "&",
        "`",
    ]
)
_TEXT = st.lists(_PIECES, min_size=1, max_size=8).map("".join).filter(lambda t: t.strip() != "")


def _formula_cells(text: str, sep: str) -> list[str]:
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    return [c for row in rows for c in row if c and c[0] in _FORMULA]


def _rows(text: str) -> str:
    """The text after the header lines (they have their own test: h37)."""
    return "".join(line for line in text.splitlines(keepends=True) if not line.startswith("#"))


def test_the_reported_card() -> None:
    card = Card(id="c1", kind="basic", front="Irregular verbs;=cmd|' /C calc'!A0", back="to be")
    text = write_anki_text([Deck(id="verbs", name="Verbs", cards=(card,))], ",")
    assert _formula_cells(_rows(text), ";") == []
    assert "verbs;&#61;cmd" in text


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(front=_TEXT, back=_TEXT, suffix=st.sampled_from([".csv", ".tsv"]))
def test_no_split_makes_a_formula_cell_and_the_cards_read_back(
    tmp_path: Path, front: str, back: str, suffix: str
) -> None:
    card = Card(id="c1", kind="basic", front=front, back=back)
    deck = Deck(id="verbs", name="Verbs", cards=(card,))
    text = write_anki_text([deck], "," if suffix == ".csv" else "\t")
    for split in ",;\t|":
        assert _formula_cells(_rows(text), split) == [], (split, text)
    path = tmp_path / f"verbs{suffix}"
    path.write_text(text, encoding="utf-8", newline="")
    (back_deck,) = read_anki_text(path, Limits()).decks
    (card_back,) = back_deck.cards
    assert (card_back.front, card_back.back) == (front, back)
