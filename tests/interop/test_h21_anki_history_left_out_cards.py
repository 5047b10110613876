"""h21: `import --with-history` records no history for an Anki card the import leaves out.

Found: a nested cloze (`{{c1::Mt {{c2::Fuji}} is 3776 m}} high`) imports as one retain card with
c1 only (its c2 is kept as text, and the import says card c2 is left out), yet c2's review-log rows
were recorded under `deck/card:c2`, a key no deck holds: right after the import `retain check`
warned that a studied card "no longer exists" and told the user to undo a change they never made,
and `stats` counted the reviews. The same for any Anki card with no retain review unit: a cloze
card whose number the note's text no longer has (Anki keeps it until "Empty Cards"). Image
Occlusion notes and the templates retain does not keep were already left out with their rows."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card
from retain.core.units import card_unit_keys
from retain.interop.anki.ankidb import AnkiCard
from retain.interop.anki.apkg_history import card_reviews

from .anki_fixture import LogOnly, changed_package, read_history
from .conftest import run_cli

START = 1_700_000_000_000 + 5 * 3_600_000
DAY = 86_400_000
CLOZE_NOTE = 1_795_857_295_151  # the fixture's cloze note: cards ord 1 (c2) and ord 0 (c1)
BASIC_NOTE = 1_795_857_295_140  # the fixture's basic note (one template)


@settings(max_examples=80, deadline=None)
@given(
    numbers=st.sets(st.integers(min_value=1, max_value=8), min_size=1, max_size=4),
    ords=st.sets(st.integers(min_value=0, max_value=9), min_size=1, max_size=5),
)
def test_only_cards_with_a_review_unit_get_history(numbers: set[int], ords: set[int]) -> None:
    """Whatever cloze numbers the note's text has and whatever cards Anki holds for it, every event
    is of one of the retain card's units: an Anki card whose number the text lacks has none."""
    text = " ".join(f"{{{{c{n}::w{n}}}}}" for n in sorted(numbers))
    card = Card("z", kind="cloze", text=text)
    notes = {1: ("deck", card)}
    anki_cards = [AnkiCard(100 + o, 1, 1, o, 2, 2, 100, 30, 2500, 1, 0, "") for o in sorted(ords)]
    rows = [(START + o * 1000, 100 + o, 3, 30, 2500, 4000, 1) for o in sorted(ords)]
    warnings: list[str] = []
    reviews = card_reviews(LogOnly(rows), anki_cards, notes, warnings)  # type: ignore[arg-type]
    units = set(card_unit_keys("deck", card))
    assert {r.key for r in reviews} <= units
    assert {r.key for r in reviews} == {f"deck/z:c{o + 1}" for o in ords if o + 1 in numbers}
    assert warnings == []


def _nested(tmp_path: Path) -> Path:
    """The fixture package with its cloze note made nested (c2 inside c1) and both of its cards
    reviewed, plus a second template's card of the basic note (retain keeps only the first), reviewed."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE notes SET flds = ? WHERE id = ?",
            ("{{c1::Mt {{c2::Fuji}} is 3776 m}} high\x1f", CLOZE_NOTE),
        )
        conn.execute(
            "INSERT INTO cards SELECT id + 1000, nid, did, 1, mod, usn, type, queue, due, ivl, factor, reps,"
            " lapses, left, odue, odid, flags, data FROM cards WHERE id = ?",
            (BASIC_NOTE,),
        )
        cards = dict(conn.execute("SELECT ord, id FROM cards WHERE nid = ?", (CLOZE_NOTE,)).fetchall())
        for n, cid in enumerate([cards[0], cards[1], BASIC_NOTE + 1000]):
            conn.execute(
                "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                " VALUES (?, ?, -1, 4, 4, 0, 2500, 5000, 0)",
                (1_795_857_295_300 + n, cid),
            )
            conn.execute("UPDATE cards SET type = 2, queue = 2, ivl = 4, due = 5 WHERE id = ?", (cid,))

    return changed_package(tmp_path, change)


def test_a_nested_cloze_card_left_out_has_no_history(tmp_path: Path) -> None:
    bundle = read_history(tmp_path, _nested(tmp_path))
    assert any("nested cloze c2" in w for w in bundle.warnings), bundle.warnings
    units = {key for deck in bundle.decks for card in deck.cards for key in card_unit_keys(deck.id, card)}
    orphans = sorted({r.key for r in bundle.reviews} - units)
    assert orphans == [], orphans
    cloze = next(c for d in bundle.decks for c in d.cards if c.kind == "cloze")
    assert any(r.key.endswith(f"/{cloze.id}:c1") for r in bundle.reviews)  # c1's history is kept


def test_check_after_the_import_blames_no_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attacker's scenario end to end: `retain check` right after `import --with-history` has
    nothing to say about a studied card that "no longer exists", and `stats` counts only the
    reviews of cards that were imported (not c2's, nor the second template's)."""
    package = _nested(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    decks = sorted((tmp_path / "home" / "decks").glob("*.toml"))
    code, out, err = run_cli(capsys, "check", *map(str, decks))
    assert "no longer exists" not in out + err, out + err
    code, out, err = run_cli(capsys, "stats", "--json", "--days", "all")
    assert code == 0, err
    reviews = json.loads(out)["reviews"]
    assert reviews["total"] == 3, reviews  # the fixture's own 2 rows and c1's
