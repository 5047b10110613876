"""retain's `$...$` / `$$...$$` math reaches Anki as MathJax, which Anki renders, and comes back."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.anki.ankinote import card_to_note, note_to_card
from retain.interop.exporter import export_decks
from retain.interop.html import html_to_text, markdown_to_html
from retain.interop.importer import read_file

NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("markdown", "html"),
    [
        ("What is $a_1 * b_2 * c$?", r"What is \(a_1 * b_2 * c\)?"),  # no emphasis inside math
        ("x $$a<b \\& c$$ y", r"x \[a&lt;b \&amp; c\] y"),
        ("**bold** $x^2$ and `$HOME$`", r"<strong>bold</strong> \(x^2\) and <code>$HOME$</code>"),
        ("$5 or $10", "$5 or $10"),  # prices are not math
        ("Euler: $e^{i\\pi} = {{c1::-1}}$", r"Euler: \(e^{i\pi} = {{c1::-1}}\)"),  # Anki clozes in MathJax
    ],
)
def test_math_is_mathjax_in_anki(markdown: str, html: str) -> None:
    assert markdown_to_html(markdown) == html
    assert html_to_text(html) == markdown  # an Anki user's edit reads back as retain's math


def _fields(pkg: Path) -> list[str]:
    with zipfile.ZipFile(pkg) as zf:
        (pkg.parent / "x.anki2").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(pkg.parent / "x.anki2")
    rows = [str(r[0]) for r in con.execute("SELECT flds FROM notes ORDER BY id")]
    con.close()
    return rows


def test_math_card_round_trips_through_a_package(tmp_path: Path) -> None:
    cards = (
        Card(id="m", front="What is $a_1 * b_2 * c$?", back="$$\n\\int_0^1 x\\,dx = \\frac{1}{2}\n$$"),
        Card(id="z", kind="cloze", text="$e^{i\\pi} = {{c1::-1}}$", extra="Euler, $\\pi$"),
    )
    out = tmp_path / "m.apkg"
    export_decks([Deck(id="m", name="Math", cards=cards)], out, now=NOW)
    first, second = (f.split("\x1f") for f in _fields(out))
    assert first[0].startswith(r"What is \(a_1 * b_2 * c\)?<!--retain ")
    assert first[1] == r"\[\int_0^1 x\,dx = \frac{1}{2}\]"
    assert second[0].startswith(r"\(e^{i\pi} = {{c1::-1}}\)") and second[1] == r"Euler, \(\pi\)"
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(out, stage).decks
    assert deck.cards == cards


def test_math_edited_in_anki_still_reads_as_math() -> None:
    card = Card(id="m", front="Solve $x^2 = 4$", back="$x = \\pm 2$")
    note = card_to_note(Deck(id="d", name="D"), card, extra_field=True)
    edited = [note.fields[0].replace("Solve", "Now solve"), note.fields[1]]
    back = note_to_card("m", "basic", edited, (), None, extra=note.fields[2])
    assert (back.front, back.back) == ("Now solve $x^2 = 4$", "$x = \\pm 2$")
