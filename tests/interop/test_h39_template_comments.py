"""h39: a `{{#F}}`/`{{^F}}` section inside an HTML comment of an Anki template decided what the
import read.

Anki reads everything from `<!--` to the next `-->` in a template as plain text (its card
generation, `made_templates`, already did), so a section tag in a comment decides nothing: the
question `<!--{{^Back}}-->{{Front}}<!--{{/Back}}-->{{#Back}}{{Back}}{{/Back}}` shows the front and
then the back, but the import took the commented `{{^Back}}` as a section and asked with the back
alone. The import now reads a template's tags as Anki's parser does (one reader for both sides),
and what the browser hides is found in the template as Anki renders it for the note (a shut
section takes the `<!--` or the hidden element it holds with it).

The expected readings below are real Anki's (26.9): its rendered question, what a browser shows of it.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

import pytest

from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.apkg_templates import _asked_fields, made_templates, note_filled
from retain.interop.anki.template_hiding import hidden_spans

from .anki_fixture import ANKI_PYTHON, changed_package, read_history, run_anki

needs_anki = pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")

BASIC = 1_795_857_294_862  # the fixture's "Basic" type: Front, Back


def _basic_question(conn: sqlite3.Connection, question: str, answer: str) -> None:
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    model = models[str(BASIC)]
    model["tmpls"] = [dict(model["tmpls"][0], qfmt=question, afmt=answer, ord=0)]
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))


def test_a_commented_section_decides_nothing_on_import(tmp_path: Path) -> None:
    """The brief's template: Anki shows "FRONT ... BACK", so the card asks with both fields."""

    def change(conn: sqlite3.Connection) -> None:
        question = "<!--{{^Back}}-->{{Front}}<!--{{/Back}}-->{{#Back}}{{Back}}{{/Back}}"
        _basic_question(conn, question, "{{FrontSide}}<hr id=answer>{{Back}}")

    bundle = read_history(tmp_path, changed_package(tmp_path, change))
    (capital,) = [c for d in bundle.decks for c in d.cards if c.front.startswith("What is the ")]
    assert capital.front.index("capital") < capital.front.index("Paris")  # (it asked with Back alone)


FB = ["Front", "Back"]
FILLS = [("FRONT", "BACK"), ("FRONT", ""), ("", "BACK")]
# (question, what Anki's question shows of (Front, Back) for each of FILLS), from real Anki
LAYOUTS: list[tuple[str, list[list[str]]]] = [
    ("<!--{{^Back}}-->{{Front}}<!--{{/Back}}-->{{#Back}}{{Back}}{{/Back}}", [FB, ["Front"], ["Back"]]),
    ("<!--{{#Back}}-->{{Front}}<!--{{/Back}}-->", [["Front"], ["Front"], []]),
    ("<!--{{^Back}}-->{{Front}}<!--{{/Back}}-->", [["Front"], ["Front"], []]),
    ("{{#Back}}<!--{{/Back}}-->{{Front}}{{/Back}}", [["Front"], [], []]),
    ("<!--{{#Back}}{{Front}}{{/Back}}-->{{Back}}", [["Back"], [], ["Back"]]),
    ("{{Front}}<!--{{^Back}}{{Back}}{{/Back}}", [["Front"], ["Front"], []]),  # (unclosed: Anki's text)
    (
        "<!-->{{#Back}}-->{{Front}}<!--{{/Back}}-->",
        [["Front"], ["Front"], []],
    ),  # (Anki's comment ends at -->)
    ("<!--->{{#Back}}-->{{Front}}", [["Front"], ["Front"], []]),
    ("<!-- {{#Back}} --> {{Front}} <!-- {{/Back}} -->", [["Front"], ["Front"], []]),
    ("{{#Back}}<!--{{Front}}-->{{/Back}}", [[], [], []]),
    ("{{^Back}}{{Front}}<!--{{/Back}}-->{{/Back}}", [[], ["Front"], []]),
    # an unclosed `<!--` in a shut section is not rendered: it hides nothing
    ("{{^Back}}<!--{{/Back}}{{Front}}", [["Front"], [], []]),
    ("{{#Back}}<!--{{/Back}}{{Front}}", [[], ["Front"], []]),
    ("{{#Back}}<div hidden>{{/Back}}{{Front}}{{#Back}}</div>{{/Back}}", [[], ["Front"], []]),
]


@pytest.mark.parametrize(("question", "shown"), LAYOUTS)
def test_the_question_asks_what_anki_shows(question: str, shown: list[list[str]]) -> None:
    nt = NoteType("T", False, FB, [question], ["{{Front}}"])
    for fields, expected in zip(FILLS, shown, strict=True):
        asked = _asked_fields(nt, question, note_filled(nt, list(fields)))
        assert [FB[i] for i in asked if fields[i]] == expected, fields


def test_made_templates_and_the_import_read_comments_alike() -> None:
    """A question the import reads as showing a filled field is one Anki makes a card of."""
    nt = NoteType("T", False, FB, [q for q, _ in LAYOUTS], ["{{Front}}"] * len(LAYOUTS))
    for fields in FILLS:
        made = set(made_templates(nt, list(fields)))
        filled = note_filled(nt, list(fields))
        for i, (question, _) in enumerate(LAYOUTS):
            if [f for f in _asked_fields(nt, question, filled) if fields[f]]:
                assert i in made, (question, fields)


# the class: random templates of sections, comments and hidden elements, against real Anki -------

FIELDS = ["A", "B", "C"]
MARKS = {"A": "qqa", "B": "qqb", "C": "qqc"}  # each field's text: found in Anki's rendered HTML
LOOSE = ["<!--", "-->", "<!-->", "<!--->", "--!>", "<div hidden>", "</div>", " x "]


def _template(rng: random.Random, depth: int = 0) -> str:
    """Sections that nest (Anki refuses others), references, and loose comment and element parts
    that may fall anywhere, around a section tag too."""
    out: list[str] = []
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        if roll < 0.35:
            out.append("{{" + rng.choice(FIELDS) + "}}")
        elif roll < 0.6 and depth < 2:
            key = rng.choice(FIELDS)
            out.append("{{" + rng.choice("#^") + key + "}}" + _template(rng, depth + 1) + "{{/" + key + "}}")
        else:
            out.append(rng.choice(LOOSE))
    return "".join(out)


RENDER = r"""
import sys, os, json
from anki.collection import Collection
w, questions, notes = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
os.makedirs(w + "/render", exist_ok=True)
col = Collection(w + "/render/col.anki2")
mm = col.models
nt = mm.new("T")
for name in "ABC":
    mm.add_field(nt, mm.new_field(name))
t = mm.new_template("t"); t["qfmt"] = "{{A}}"; t["afmt"] = "{{A}}"
mm.add_template(nt, t)
mm.add(nt)
nt = mm.by_name("T")
out = []
for fields in notes:
    n = col.new_note(nt)
    n["A"], n["B"], n["C"] = fields
    row = []
    for q in questions:
        t = dict(nt["tmpls"][0], qfmt=q)
        html = n.ephemeral_card(0, custom_note_type=nt, custom_template=t).question()
        row.append(None if "template-syntax-error" in html else html)
    out.append(row)
print(json.dumps(out))
col.close()
"""


def _shown(html: str) -> list[str]:
    """The fields whose text a browser shows in Anki's rendered question, in order of first sight."""
    spans = hidden_spans(html)
    seen: list[tuple[int, str]] = []
    for name, mark in MARKS.items():
        at = html.find(mark)
        while at >= 0 and any(s <= at < e for s, e in spans):
            at = html.find(mark, at + 1)
        if at >= 0:
            seen.append((at, name))
    return [name for _, name in sorted(seen)]


@needs_anki
def test_the_import_reads_any_template_as_anki_renders_it(tmp_path: Path) -> None:
    rng = random.Random(39)
    questions = list(dict.fromkeys(_template(rng) for _ in range(400)))
    notes = [[MARKS[f] if mask >> i & 1 else "" for i, f in enumerate(FIELDS)] for mask in range(8)]
    rendered = json.loads(run_anki(tmp_path, RENDER, str(tmp_path), json.dumps(questions), json.dumps(notes)))
    nt = NoteType("T", False, FIELDS, questions, ["{{A}}"] * len(questions))
    wrong = []
    checked = 0
    for fields, row in zip(notes, rendered, strict=True):
        filled = note_filled(nt, fields)
        for question, html in zip(questions, row, strict=True):
            if html is None:  # (a template Anki refuses)
                continue
            checked += 1
            ours = [FIELDS[i] for i in _asked_fields(nt, question, filled) if fields[i]]
            if ours != _shown(html):
                wrong.append((question, fields, ours, _shown(html)))
    assert checked > 1000
    assert not wrong, wrong[:5]
