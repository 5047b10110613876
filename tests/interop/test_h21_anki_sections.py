"""h21: Anki's template sections are decided per note, by that note's fields, as Anki decides them.
`{{^Picture}}{{Description}}{{/Picture}}` shows the description only when Picture is empty; before
the fix retain took every section as shown, so a note with a picture asked with its description
too (here: the answer itself). Checked against real Anki's own question for each note; and
`note_filled` against Anki's rule for an empty field (only whitespace, `<br>`, `<div>`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.apkg_read import field_layout, note_filled
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, package_rows, run_anki
from .conftest import run_cli

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

FIELDS = ["Picture", "Description", "Hint", "Answer"]
QFMT = (
    "{{#Picture}}{{Picture}}{{/Picture}}{{^Picture}}{{Description}}{{/Picture}}"
    "{{ #Hint }}{{^Picture}}<i>{{Hint}}</i>{{/Picture}}{{/Hint}}"
)
AFMT = "{{FrontSide}}<hr id=answer>{{Answer}}{{^Hint}}<br>no hint{{/Hint}}"
# Each note's fields; every word a marker ("p1", "d2" ...) that shows where its field went.
NOTES = [
    ["p1 picture", "d1 description", "h1 hint", "a1 answer"],  # a picture: its description hidden
    ["", "d2 description", "h2 hint", "a2 answer"],  # none: the description and the hint
    ["<br>", "d3 description", "", "a3 answer"],  # `<br>` is empty to Anki; no hint
    ["<div><br /></div> ", "d4 description", "h4 hint", "a4 answer"],  # empty too
    ["&nbsp;p5", "d5 description", "h5 hint", "a5 answer"],  # a picture
]

ANKI = r"""
import json, re, sys
from anki.collection import Collection, ExportAnkiPackageOptions
qfmt, afmt, fields, notes = json.loads(sys.argv[3])
col = Collection(sys.argv[1])
mm = col.models
m = mm.new("Picture or description")
for f in fields:
    mm.add_field(m, mm.new_field(f))
t = mm.new_template("Card 1"); t["qfmt"] = qfmt; t["afmt"] = afmt
mm.add_template(m, t); mm.add(m); m = mm.by_name("Picture or description")
did = col.decks.id("Sections")
shown = []
for values in notes:
    n = col.new_note(m)
    for name, value in zip(fields, values):
        n[name] = value
    col.add_note(n, did)
    q = n.cards()[0].question()
    shown.append(re.sub(r"<style>.*?</style>|<[^>]+>", " ", q, flags=re.S))
col.export_anki_package(out_path=sys.argv[2],
    options=ExportAnkiPackageOptions(with_scheduling=False, with_media=False, legacy=False), limit=None)
print(json.dumps(shown))
"""

_MARK = re.compile(r"\b[pdha]\d\b")


@needs_anki
def test_each_note_asks_what_anki_asks_with(tmp_path: Path) -> None:
    package = tmp_path / "sections.apkg"
    spec = json.dumps([QFMT, AFMT, FIELDS, NOTES])
    out = run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(package), spec)
    anki_questions = json.loads(out.strip().splitlines()[-1])
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(package, stage).decks
    fronts = {re.findall(r"\ba(\d)\b", c.back)[0]: c for c in deck.cards}  # by the answer's number
    assert len(fronts) == len(NOTES)
    for n, question in enumerate(anki_questions, 1):
        card = fronts[str(n)]
        assert sorted(_MARK.findall(card.front)) == sorted(_MARK.findall(question)), (n, question, card)
        # nothing is lost: what the question does not show is in the answer
        everything = {m for value in NOTES[n - 1] for m in _MARK.findall(value)}
        assert set(_MARK.findall(card.front + "\n" + card.back)) == everything


def test_the_first_note_no_longer_gives_its_answer_away() -> None:
    nt = NoteType("Picture or description", False, FIELDS, [QFMT], [AFMT])
    layout = field_layout(nt, 4, "basic", note_filled(nt, NOTES[0]))
    assert layout.front == (0,)  # the picture only
    bare = field_layout(nt, 4, "basic", note_filled(nt, NOTES[1]))
    assert bare.front == (1, 2)  # the description, then the hint
    assert field_layout(nt, 4, "basic").front == (0, 1, 2)  # (the type: every section shown)


@pytest.mark.parametrize(
    ("qfmt", "filled", "front"),
    [
        ("{{#A}}{{^B}}{{C}}{{/B}}{{/A}}{{D}}", {"A"}, (2, 3)),
        ("{{#A}}{{^B}}{{C}}{{/B}}{{/A}}{{D}}", {"A", "B"}, (3,)),
        ("{{#A}}{{^B}}{{C}}{{/B}}{{/A}}{{D}}", {"B"}, (3,)),
        ("{{^A}}{{#A}}{{C}}{{/A}}{{/A}}{{D}}", {"A"}, (3,)),  # never both
        ("{{^A}}{{#A}}{{C}}{{/A}}{{/A}}{{D}}", set(), (3,)),
        ("{{#A}}{{#A}}{{C}}{{/A}}{{B}}{{/A}}", {"A"}, (2, 1)),  # a key nested in itself
        ("{{#A}}{{#A}}{{C}}{{/A}}{{B}}{{/A}}", set(), (2, 1)),  # nothing shown: asked as the type asks
        ("{{#Tags}}{{C}}{{/Tags}}{{D}}", set(), (2, 3)),  # no field: taken as shown
        ("{{/A}}{{^A}}{{C}}{{/A}}{{D}}", {"A"}, (3,)),  # a stray closing tag changes nothing
    ],
)
def test_nested_sections_are_decided_together(qfmt: str, filled: set[str], front: tuple[int, ...]) -> None:
    names = ["A", "B", "C", "D"]
    nt = NoteType("t", False, names, [qfmt], [""])
    values = ["x" if name in filled else "" for name in names]
    assert field_layout(nt, 4, "basic", note_filled(nt, values)).front == front


_PIECES = st.sampled_from(
    ["", " ", "\t", "\n", "\r", "\v", "\f", "<br>", "<BR>", "<br/>", "<br />", "<div>", "</div>", "<DIV >"]
)
_FILLING = st.sampled_from(
    [
        "x",
        "&nbsp;",
        "\xa0",
        "<span></span>",
        "<p></p>",
        "<b></b>",
        "<div class=x>",
        "<br  >",
        "\u3000",
        "<!---->",
    ]
)


@given(st.lists(_PIECES, max_size=8), st.one_of(st.none(), _FILLING), st.integers(0, 8))
def test_a_field_is_empty_by_ankis_rule(pieces: list[str], filling: str | None, at: int) -> None:
    """Only ASCII whitespace and `<br>`/`<div>`/`</div>` tags (a space before `/>` at most) leave
    a field empty (Anki's rslib `field_is_empty`); anything else fills it."""
    if filling is not None:
        pieces.insert(min(at, len(pieces)), filling)
    nt = NoteType("t", False, ["A", "B"], ["{{#A}}{{B}}{{/A}}"], [""])
    assert (note_filled(nt, ["".join(pieces), "b"]) == frozenset({0})) == (filling is not None)


@needs_anki
def test_an_edited_card_goes_back_into_its_own_fields(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The export of an edited card puts each side back into the fields the import read it from:
    with the sections decided per note, a hidden description is part of the back, and stays in
    its own field (it went into Answer, and Description was emptied)."""
    package = tmp_path / "sections.apkg"
    run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(package), json.dumps([QFMT, AFMT, FIELDS, NOTES]))
    assert run_cli(capsys, "import", str(package))[0] == 0
    deck_file = home / "decks" / "sections.toml"
    text = deck_file.read_text(encoding="utf-8")
    assert text.count("a1 answer") == 1
    deck_file.write_text(text.replace("a1 answer", "a1 answer, edited"), encoding="utf-8")
    out = tmp_path / "out.apkg"
    assert run_cli(capsys, "export", "sections", "-o", str(out))[0] == 0
    rows = package_rows(out, tmp_path, "SELECT flds FROM notes")
    (edited,) = [str(r[0]).split("\x1f") for r in rows if str(r[0]).startswith("p1 picture")]
    assert edited[1:3] == NOTES[0][1:3]  # the description and the hint, as they were
    assert "a1 answer, edited" in edited[3] and "d1" not in edited[3]
