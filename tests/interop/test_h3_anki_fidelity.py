"""Real-world Anki content through retain and back: HTML tables stay tables.

An Anki field's `<table>` became lines of `a | b` text: shown as text in
retain, and written back to Anki (after any edit) as text lines, the table gone.
A table whose cells hold one line each now becomes a Markdown table, which the
study screen shows as a table and an export writes as `<table>` again.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Deck
from retain.interop.exporter import export_decks
from retain.interop.html import html_to_text, markdown_to_html
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON

NOW = datetime(2025, 1, 1, tzinfo=UTC)
_CELL = re.compile(r"<t[hd][^>]*>(.*?)</t[hd]>", re.DOTALL)


def _cells(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, re.DOTALL)
    return [[c.strip() for c in _CELL.findall(row)] for row in rows]


def test_an_anki_table_becomes_a_markdown_table() -> None:
    field = "<table><tr><th>n</th><th>p</th></tr><tr><td>1</td><td>2</td></tr><tr><td>2</td><td>3</td></tr></table>"
    assert html_to_text(field) == "| n | p |\n| --- | --- |\n| 1 | 2 |\n| 2 | 3 |"


def test_a_table_keeps_the_text_around_it_and_its_inline_markup() -> None:
    field = "Primes:<table><tbody><tr><td><b>1</b></td><td>a|b</td></tr></tbody></table>done"
    text = html_to_text(field)
    assert text == "Primes:\n\n| **1** | a\\|b |\n| --- | --- |\n\ndone"
    html = markdown_to_html(text)
    assert _cells(html) == [["<strong>1</strong>", "a|b"]]
    assert "Primes:" in html and "done" in html


def test_a_short_row_is_padded_so_no_cell_moves() -> None:
    text = html_to_text("<table><tr><td>a</td><td>b</td><td>c</td></tr><tr><td>1</td></tr></table>")
    assert _cells(markdown_to_html(text)) == [["a", "b", "c"], ["1", "", ""]]


@pytest.mark.parametrize(
    "field",
    [
        "<table><tr><td>a<br>b</td><td>c</td></tr></table>",  # a line break in a cell
        "<table><tr><td colspan=2>wide</td></tr><tr><td>1</td><td>2</td></tr></table>",
        "<table><tr><td><ul><li>x</li><li>y</li></ul></td><td>c</td></tr></table>",
        "<table><tr><td>out<table><tr><td>in</td></tr></table></td></tr></table>",
    ],
)
def test_a_table_markdown_cannot_hold_stays_as_lines_with_every_cell(field: str) -> None:
    text = html_to_text(field)
    assert "---" not in text
    for word in re.findall(r">([a-z0-9]+)<", field):
        assert word in text


_WORD = st.text(alphabet="abcxyz019 *_|&<", min_size=1, max_size=8).filter(lambda s: s.strip())


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_WORD, min_size=1, max_size=4), min_size=1, max_size=4))
def test_a_table_of_one_line_cells_comes_back_as_the_same_table(rows: list[list[str]]) -> None:
    """Anki table -> retain Markdown -> Anki HTML: the same cells, each showing the same text."""
    import html as htmllib

    field = (
        "<table>"
        + "".join(
            "<tr>" + "".join(f"<td>{htmllib.escape(c, quote=False)}</td>" for c in row) + "</tr>"
            for row in rows
        )
        + "</table>"
    )
    back = _cells(markdown_to_html(html_to_text(field)))
    width = max(len(r) for r in rows)

    def norm(cell: str) -> str:  # the text a cell shows, emphasis marks aside
        return " ".join(
            htmllib.unescape(re.sub("<[^>]+>", "", cell)).replace("*", "").replace("_", "").split()
        )

    expected = [[norm(htmllib.escape(c)) for c in row] + [""] * (width - len(row)) for row in rows]
    assert [[norm(c) for c in row] for row in back] == expected


BUILD = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
note = col.new_note(col.models.by_name("Basic"))
note["Front"] = "Primes"
note["Back"] = "<table><tr><th>n</th><th>p</th></tr><tr><td>1</td><td>2</td></tr></table>"
col.add_note(note, col.decks.id("Science::Math"))
col.export_anki_package(out_path=sys.argv[1], options=ExportAnkiPackageOptions(
    with_scheduling=False, with_deck_configs=False, with_media=False, legacy=sys.argv[2] == "legacy"), limit=None)
"""

READ = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions

col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1], options=ImportAnkiPackageOptions()))
print(json.dumps([col.get_note(n)["Back"] for n in col.find_notes("")]))
"""


def _anki(tmp_path: Path, script: str, *args: str) -> str:
    path = tmp_path / "script.py"
    path.write_text(script)
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(path), *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki not available")
@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_a_table_from_anki_edited_in_retain_is_a_table_in_anki_again(tmp_path: Path, layout: str) -> None:
    made = tmp_path / "made.apkg"
    _anki(tmp_path, BUILD, str(made), layout)
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(made, stage).decks
    (card,) = deck.cards
    assert card.back == "| n | p |\n| --- | --- |\n| 1 | 2 |"
    edited = replace(card, back=card.back + "\n| 2 | 3 |")
    out = tmp_path / "back.apkg"
    export_decks([Deck(id=deck.id, name=deck.name, group=deck.group, cards=(edited,))], out, now=NOW)
    (back,) = json.loads(_anki(tmp_path, READ, str(out)).strip().splitlines()[-1])
    assert _cells(back) == [["n", "p"], ["1", "2"], ["2", "3"]]
