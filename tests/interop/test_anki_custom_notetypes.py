"""Anki note types of the user's own making: the card asks with the field their question shows.

A custom type's fields can be in any order: the front is the field the first question template
shows (a cloze type's `{{cloze:X}}` field), not the note's first field, and an edited card goes
back into the same fields.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

from .conftest import run_cli

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def _read(path: Path) -> Deck:
    stage = path.parent / f"stage-{path.stem}"
    stage.mkdir()
    bundle = read_file(path, stage)
    assert len(bundle.decks) == 1, bundle.decks
    return bundle.decks[0]


def _customise(apkg: Path, out: Path, name: str, fields: list[str], qfmt: str, values: list[str]) -> None:
    """retain's one-note export turned into a package of a custom note type (`fields`, one template)."""
    with zipfile.ZipFile(apkg) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    db_path = out.parent / f"{out.stem}.anki2"
    db_path.write_bytes(entries["collection.anki2"])
    con = sqlite3.connect(db_path)
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    (m,) = models.values()
    m["name"] = name
    m["flds"] = [dict(m["flds"][0], name=f, ord=i) for i, f in enumerate(fields)]
    m["tmpls"] = [dict(m["tmpls"][0], qfmt=qfmt, afmt="{{FrontSide}}<hr id=answer>answer")]
    con.execute("UPDATE col SET models = ?", (json.dumps(models),))
    con.execute("UPDATE notes SET flds = ?, guid = 'customnote'", ("\x1f".join(values),))
    con.commit()
    con.close()
    entries["collection.anki2"] = db_path.read_bytes()
    with zipfile.ZipFile(out, "w") as zf:
        for n, data in entries.items():
            zf.writestr(n, data)


def test_a_cloze_type_whose_cloze_field_is_not_first_imports(tmp_path: Path) -> None:
    plain = tmp_path / "plain.apkg"
    deck = Deck(id="geo", name="Geo", cards=(Card(id="c", kind="cloze", text="{{c1::x}}"),))
    export_decks([deck], plain, now=NOW)
    custom = tmp_path / "custom.apkg"
    _customise(
        plain,
        custom,
        "MyCloze",
        ["Context", "Text", "Extra"],
        "{{Context}}<br>{{cloze:Text}}",
        ["Geography", "{{c1::Paris}} is in {{c2::France}}", "x"],
    )
    (card,) = _read(custom).cards
    assert card.kind == "cloze"
    # the context its question shows is asked with, before the cloze text (h4: as Anki asks)
    assert card.text == "Geography\n\n{{c1::Paris}} is in {{c2::France}}"
    assert card.extra == "x"


def test_the_field_a_custom_type_asks_with_is_the_front(tmp_path: Path) -> None:
    plain = tmp_path / "plain.apkg"
    deck = Deck(id="es", name="Es", cards=(Card(id="c", front="f", back="b"),))
    export_decks([deck], plain, now=NOW)
    custom = tmp_path / "custom.apkg"
    _customise(
        plain, custom, "Vocab", ["Word", "Meaning", "Example"], "{{Meaning}}", ["gato", "cat", "el gato"]
    )
    (card,) = _read(custom).cards
    assert card.front == "cat"
    assert "gato" in card.back and "el gato" in card.back


def test_an_edited_card_goes_back_into_the_fields_it_came_from(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain = tmp_path / "plain.apkg"
    export_decks([Deck(id="es", name="Es", cards=(Card(id="c", front="f", back="b"),))], plain, now=NOW)
    custom = tmp_path / "custom.apkg"
    _customise(
        plain, custom, "Vocab", ["Word", "Meaning", "Example"], "{{Meaning}}", ["gato", "cat", "el gato"]
    )
    assert run_cli(capsys, "import", str(custom))[0] == 0
    (deck_file,) = (home / "decks").glob("*.toml")
    deck_file.write_text(deck_file.read_text(encoding="utf-8").replace('"cat"', '"kitten"'), encoding="utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck_file.stem, "-o", str(out))[0] == 0
    with zipfile.ZipFile(out) as zf:
        db = tmp_path / "back.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(db)
    (flds,) = con.execute("SELECT flds FROM notes").fetchone()
    con.close()
    word, meaning, _ = flds.split("\x1f")
    assert meaning.startswith("kitten")  # the front goes back into the field Anki asks with
    assert "gato" in word and "kitten" not in word


def test_an_optional_field_shown_first_in_a_conditional_does_not_become_the_front(tmp_path: Path) -> None:
    """78ba8d4 (apkg_read.py:front_field) takes the first field the question template shows as the
    front. A common custom type shows an optional picture first, in a conditional:
    `{{#Image}}{{Image}}<br>{{/Image}}{{Front}}`. A note without a picture then gets the empty Image
    field as its front (before today: `Front`, "gato"), so its card is lost or asks nothing."""
    from retain.core.model import Card, Deck
    from retain.interop.exporter import export_decks

    plain = tmp_path / "plain.apkg"
    export_decks([Deck(id="es", name="Es", cards=(Card(id="c", front="f", back="b"),))], plain, now=NOW)
    custom = tmp_path / "custom.apkg"
    _customise(
        plain,
        custom,
        "Vocab",
        ["Front", "Back", "Image"],
        "{{#Image}}{{Image}}<br>{{/Image}}{{Front}}",
        ["gato", "cat", ""],
    )
    cards = _read(custom).cards
    assert [(c.front, c.back) for c in cards] == [("gato", "cat")]
