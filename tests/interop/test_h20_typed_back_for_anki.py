"""A typed card's Back, as exported for Anki, holds the answer retain checks against.

Anki checks a typed answer against the Back field's text (line breaks as spaces,
tags stripped). A back that is a lone Markdown block marker (`>`, `-`, `#`) was
rendered as an empty quote, list or heading, and `1. first` as a list whose
number is no text: the Anki user was told the right answer was wrong.
"""

from __future__ import annotations

import csv
import html
import io
import re
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.answer.textmode import plain_answer
from retain.core.model import Card, Deck
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

NOW = datetime(2025, 1, 1, tzinfo=UTC)
BACKS = [">", "-", "+", "#", "1. first", "2) second", "***", "**Raft**", "- a\n- b", "> quoted", "a < b & c"]
_BREAKS = re.compile(r"(?:\n|<br\s*/?>|</?div>)+", re.IGNORECASE)


def anki_expects(field: str) -> str:
    """What Anki's reviewer compares a typed answer with (`col.compare_answer`'s expected side)."""
    return " ".join(html.unescape(re.sub(r"<[^>]*>", "", _BREAKS.sub(" ", field))).split())


def _deck() -> Deck:
    cards = tuple(
        Card(id=f"t{i}", kind="typed", front=f"Question {i}?", back=back) for i, back in enumerate(BACKS)
    )
    return Deck(id="typed", name="Typed", cards=cards)


def _package_backs(pkg: Path) -> list[str]:
    with zipfile.ZipFile(pkg) as zf:
        (pkg.parent / "x.anki2").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(pkg.parent / "x.anki2")
    rows = [str(r[0]).split("\x1f")[1] for r in con.execute("SELECT flds FROM notes ORDER BY id")]
    con.close()
    return rows


def test_a_packaged_typed_back_is_the_answer_retain_checks(tmp_path: Path) -> None:
    out = tmp_path / "t.apkg"
    export_decks([_deck()], out, now=NOW)
    backs = _package_backs(out)
    assert [anki_expects(b) for b in backs] == [" ".join(plain_answer(b).split()) for b in BACKS]
    assert backs[BACKS.index("**Raft**")] == "<strong>Raft</strong>"  # formatting kept where it holds
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(out, stage).decks
    assert deck.cards == _deck().cards  # and retain reads back what was written


@pytest.mark.parametrize("suffix", [".csv", ".tsv"])
def test_a_typed_back_in_a_text_export_is_the_answer_retain_checks(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"t{suffix}"
    export_decks([_deck()], out, now=NOW)
    text = "".join(
        line for line in out.read_text("utf-8").splitlines(keepends=True) if not line.startswith("#")
    )
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ","))
    backs = [row[4] for row in rows]
    assert len(backs) == len(BACKS)
    assert [anki_expects(b) for b in backs] == [" ".join(plain_answer(b).split()) for b in BACKS]


def test_a_typed_card_in_its_own_anki_note_type_gets_the_answer_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deck imported from Anki goes back in its own note types (the `.anki.json` beside it)."""
    from retain.cli import main

    from .conftest import FIXTURES

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    assert main(["import", str(FIXTURES / "layout-latest.apkg")]) == 0
    deck_file = tmp_path / "home" / "decks" / "languages-spanish.toml"
    text = deck_file.read_text("utf-8")
    assert text.count('back = "gato"') == 1
    deck_file.write_text(text.replace('back = "gato"', 'back = "1. gato"'), "utf-8")
    out = tmp_path / "s.apkg"
    assert main(["export", "languages-spanish", "-o", str(out)]) == 0
    capsys.readouterr()
    fields = [b for b in _package_backs(out) if "gato" in b]
    assert [anki_expects(f) for f in fields] == ["1. gato"]
