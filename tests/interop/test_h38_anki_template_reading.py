"""h38: how `import X.apkg` reads a note type's card templates.

Found (attack 64):
1. A `{{type:Word}}` box in any template made the whole note a typed card of the first template,
   whose expected answer was whatever that template's answer showed (a "Recognise" `{{Word}}` ->
   `{{Definition}}` card plus a "Spell" `{{Definition}}{{type:Word}}` card became one typed card
   asking to type the definition). Only the first template, the one retain keeps of a typed note,
   makes it typed now, and only when its box is for a field its question does not show; the
   left-out-template warning is worded by the note's kind, not by the template's place.
2. A field that the question holds where Anki shows nothing (an HTML comment, a `display:none` or
   `hidden` element, a script) was put on the front: the answer was shown with the question.
3. A note without a card of its first template (a conditional first template its fields leave
   empty) was skipped ("empty front") while its reviews were recorded under a card no deck holds.
   It is read from the first template it has a card of, and history is recorded only for cards a
   deck holds.

The packages are the legacy fixture with its note types' templates and its notes changed by SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card
from retain.core.units import card_unit_keys
from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.apkg_templates import field_layout, kind_of
from retain.interop.bundle import Bundle

from .anki_fixture import changed_package, read_history

BASIC = 1_795_857_294_862  # "Basic": Front, Back
REVERSED = 1_795_857_294_863  # "Basic (and reversed card)": Front, Back
CLOZE = 1_795_857_294_866  # "Cloze": Text, Back Extra
CAPITAL = 1_795_857_295_140  # a Basic note ("What is the capital of France?"), its card reviewed
HOLA = 1_795_857_295_147  # the reversed note: cards HOLA (ord 0) and HOLA + 1 (ord 1)
DOT = 1_795_857_295_143  # a Basic note ("Which dot is this?"), its card new
REVIEWED = 1_795_857_295_500  # the review-log row ids these tests add


def _templates(conn: sqlite3.Connection, mid: int, templates: list[tuple[str, str, str]]) -> None:
    """Give the note type `mid` these (name, question, answer) templates."""
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    model = models[str(mid)]
    model["tmpls"] = [
        dict(model["tmpls"][0], name=name, qfmt=q, afmt=a, ord=i) for i, (name, q, a) in enumerate(templates)
    ]
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))


def _fields(conn: sqlite3.Connection, mid: int, names: list[str]) -> None:
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    model = models[str(mid)]
    model["flds"] = [dict(model["flds"][0], name=name, ord=i) for i, name in enumerate(names)]
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))


def _review(conn: sqlite3.Connection, cid: int, n: int = 0) -> None:
    """One Good answer of the card `cid` (a review card now)."""
    conn.execute(
        "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
        " VALUES (?, ?, -1, 3, 4, 0, 2500, 5000, 0)",
        (REVIEWED + n, cid),
    )
    conn.execute("UPDATE cards SET type = 2, queue = 2, ivl = 4, due = 5 WHERE id = ?", (cid,))


def _read(tmp_path: Path, change: Callable[[sqlite3.Connection], object]) -> Bundle:
    return read_history(tmp_path, changed_package(tmp_path, change))


def _card(bundle: Bundle, start: str) -> tuple[str, Card]:
    """(its deck's id, the card) whose front (a cloze's text) begins with `start`."""
    (found,) = [(d.id, c) for d in bundle.decks for c in d.cards if (c.text or c.front).startswith(start)]
    return found


# 1. typed only from the first template ---------------------------------------------------------


def test_a_type_box_in_the_second_template_makes_no_typed_card(tmp_path: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _templates(
            conn,
            REVERSED,
            [
                ("Recognise", "{{Front}}", "{{FrontSide}}<hr id=answer>{{Back}}"),
                ("Spell", "{{Back}}<br>{{type:Front}}", "{{Back}}<hr id=answer>{{type:Front}}"),
            ],
        )

    bundle = _read(tmp_path, change)
    _, hola = _card(bundle, "hola ![audio")
    # Anki asks hola -> hello, and hello -> (type) hola: a reversed note, never "type hello"
    assert hola.kind == "reversed" and hola.back == "hello"
    assert not any("left out" in w and "Spell" in w for w in bundle.warnings), bundle.warnings
    assert any("'Spell' asks to type Front" in w for w in bundle.warnings), bundle.warnings


def test_a_type_box_for_a_field_the_question_shows_makes_no_typed_card(tmp_path: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _templates(conn, BASIC, [("Copy", "{{Front}}<br>{{type:Front}}", "{{Front}}<hr id=answer>{{Back}}")])

    _, capital = _card(_read(tmp_path, change), "What is the ")
    assert capital.kind == "basic"  # (typed, it checked the typed word against the Back)


def test_the_first_templates_type_box_still_makes_a_typed_card(tmp_path: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _templates(
            conn, BASIC, [("Card 1", "{{Front}}<br>{{type:nc:Back}}", "{{Front}}<hr id=answer>{{type:Back}}")]
        )

    _, capital = _card(_read(tmp_path, change), "What is the ")
    assert capital.kind == "typed" and capital.back.startswith("Paris")


def test_the_left_out_template_warning_is_worded_by_the_notes_kind(tmp_path: Path) -> None:
    """A one-card note of a three-template type: every template after its first is left out, and
    the line says retain keeps one template, for the third as for the second."""

    def change(conn: sqlite3.Connection) -> None:
        _templates(
            conn,
            BASIC,
            [
                ("One", "{{Front}}", "{{Back}}"),
                ("Two", "{{Front}}!", "{{Back}}"),
                ("Three", "{{Back}}", "{{Front}}"),
            ],
        )
        for ord_ in (1, 2):
            conn.execute(
                "INSERT INTO cards SELECT id + ?, nid, did, ?, mod, usn, 0, 0, due, 0, 0, 0, 0, 0, 0, 0, 0, ''"
                " FROM cards WHERE id = ?",
                (1000 * ord_, ord_, CAPITAL),
            )

    bundle = _read(tmp_path, change)
    _, capital = _card(bundle, "What is the ")
    assert capital.kind == "basic"  # (no reverse: the second template asks with no other field)
    lines = [w for w in bundle.warnings if w.startswith("note type 'Basic'")]
    assert lines == [
        "note type 'Basic': 1 card(s) of its template 'Two' left out (retain keeps the first template of a note)",
        "note type 'Basic': 1 card(s) of its template 'Three' left out (retain keeps the first template of a note)",
    ]


# 2. what the question hides is not asked with --------------------------------------------------

HIDING = [
    "{{Front}}<!-- {{Back}} -->",
    "{{Front}}<!--{{Back}}",  # (a comment never closed runs to the end)
    '{{Front}}<div style="display:none" id="ans">{{Back}}</div>',
    '{{Front}}<div style="color: red; DISPLAY : None"><b>{{Back}}</b></div>',
    "{{Front}}<span hidden>{{Back}}</span>",
    '{{Front}}<script>var answer = "{{Back}}";</script>',
    '{{Front}}<input type="hidden" value="{{Back}}">',
    '<div style="display:none"><p>{{Back}}</div>{{Front}}',  # (its end tag ends what it holds)
]


@pytest.mark.parametrize("question", HIDING)
def test_a_field_the_question_hides_is_not_on_the_front(tmp_path: Path, question: str) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _templates(conn, BASIC, [("Card 1", question, "{{FrontSide}}<hr id=answer>{{Back}}")])

    _, capital = _card(_read(tmp_path, change), "What is the ")
    assert "Paris" not in capital.front and capital.back.startswith("Paris")


@pytest.mark.parametrize(
    "question", ['{{Front}}<div style="display:block">{{Back}}</div>', "{{Front}}<!-- x -->{{Back}}"]
)
def test_a_field_the_question_shows_is_on_the_front(tmp_path: Path, question: str) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _templates(conn, BASIC, [("Card 1", question, "{{FrontSide}}<hr id=answer>{{Back}}")])

    _, capital = _card(_read(tmp_path, change), "What is the ")
    assert "Paris" in capital.front


def test_a_cloze_questions_commented_field_is_its_extra(tmp_path: Path) -> None:
    def change(conn: sqlite3.Connection) -> None:
        _templates(
            conn,
            CLOZE,
            [("Cloze", "{{cloze:Text}}<!--{{Back Extra}}-->", "{{cloze:Text}}<br>{{Back Extra}}")],
        )

    _, madrid = _card(_read(tmp_path, change), "{{c1::Madri")
    assert "1561" not in madrid.text and madrid.extra == "Since 1561."


def test_a_cloze_field_in_a_hidden_element_is_still_the_text(tmp_path: Path) -> None:
    """A cloze's text is its deletions wherever the question puts it (Image Occlusion's script
    draws them from a `display: none` element)."""

    def change(conn: sqlite3.Connection) -> None:
        hidden = '<div style="display: none">{{cloze:Text}}</div><canvas></canvas>'
        _templates(conn, CLOZE, [("Cloze", hidden, "{{cloze:Text}}<br>{{Back Extra}}")])

    _, madrid = _card(_read(tmp_path, change), "{{c1::Madri")
    assert madrid.kind == "cloze" and madrid.extra == "Since 1561."


def test_a_section_in_a_comment_decides_nothing(tmp_path: Path) -> None:
    """Anki reads a comment in a template as text: `{{^Back}}` in one opens no section, so the
    question shows the front, then the back (real Anki 26.9: "FRONT ... BACK")."""

    def change(conn: sqlite3.Connection) -> None:
        question = "<!--{{^Back}}-->{{Front}}<!--{{/Back}}-->{{#Back}}{{Back}}{{/Back}}"
        _templates(conn, BASIC, [("Card 1", question, "{{Front}}")])

    _, capital = _card(_read(tmp_path, change), "What is the ")  # (the front first, then Back)
    assert capital.front.index("capital") < capital.front.index("Paris") and capital.back == ""


# 3. a note without its first template's card --------------------------------------------------


def _listen_read(conn: sqlite3.Connection) -> None:
    """A listening card only for notes with audio, a reading card always; "adiós" has no audio,
    so Anki made only its reading card (ord 1), which was reviewed."""
    _fields(conn, REVERSED, ["Word", "Meaning", "Audio"])
    _templates(
        conn,
        REVERSED,
        [
            ("Listen", "{{#Audio}}{{Audio}}{{/Audio}}", "{{FrontSide}}<hr id=answer>{{Word}}<br>{{Meaning}}"),
            ("Read", "{{Word}}", "{{FrontSide}}<hr id=answer>{{Meaning}}"),
        ],
    )
    conn.execute("UPDATE notes SET flds = ? WHERE id = ?", ("adiós\x1fgoodbye\x1f", HOLA))
    conn.execute("DELETE FROM cards WHERE id = ?", (HOLA,))
    _review(conn, HOLA + 1)


def test_a_note_without_its_first_templates_card_is_read_from_the_card_it_has(tmp_path: Path) -> None:
    bundle = _read(tmp_path, _listen_read)
    deck_id, adios = _card(bundle, "adiós")
    assert (adios.kind, adios.front, adios.back) == ("basic", "adiós", "goodbye")
    assert not any("skipped" in w or "left out" in w for w in bundle.warnings), bundle.warnings
    # its Anki card's review is the card's history
    keys = {r.key for r in bundle.reviews}
    assert f"{deck_id}/{adios.id}" in keys
    assert keys <= {k for d in bundle.decks for c in d.cards for k in card_unit_keys(d.id, c)}


def test_no_history_for_a_note_the_import_skips(tmp_path: Path) -> None:
    """A note `make_deck` skips (its front is empty in every template) records no review."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE notes SET flds = ? WHERE id = ?", ("\x1fParis", CAPITAL))  # (its card reviewed)
        _review(conn, DOT)  # (and a card the import keeps)

    bundle = _read(tmp_path, change)
    assert any(w == f"note {CAPITAL} skipped: empty front" for w in bundle.warnings), bundle.warnings
    held = {k for d in bundle.decks for c in d.cards for k in card_unit_keys(d.id, c)}
    _, dot = _card(bundle, "Which dot")
    assert {r.key for r in bundle.reviews} == {k for k in held if k.endswith(f"/{dot.id}")}


def test_a_reversed_note_without_its_second_card_is_basic(tmp_path: Path) -> None:
    """A three-template reversed type, a note with cards of templates 1 and 3: its card is basic
    (retain makes no reverse card Anki has not), and the third template's is left out."""

    def change(conn: sqlite3.Connection) -> None:
        _templates(
            conn,
            REVERSED,
            [
                ("Card 1", "{{Front}}", "{{Back}}"),
                ("Card 2", "{{Back}}", "{{Front}}"),
                ("Card 3", "{{Back}}?", "{{Front}}"),
            ],
        )
        conn.execute("UPDATE cards SET ord = 2 WHERE id = ?", (HOLA + 1,))
        _review(conn, HOLA + 1)

    bundle = _read(tmp_path, change)
    _, hola = _card(bundle, "hola ![audio")
    assert hola.kind == "basic"
    assert any("template 'Card 3' left out (retain keeps the first template" in w for w in bundle.warnings)
    assert not any(r.key.endswith(":reverse") for r in bundle.reviews)


# the class: what the first question shows, as a browser shows it --------------------------------

# (what the piece shows on the question, the piece): `@` is the field's name
WRAPS = [
    (True, "{{@}}"),
    (True, "<b>{{@}}</b>"),
    (True, '<div style="display: block">{{@}}</div>'),
    (False, "<!-- {{@}} -->"),
    (False, '<div style="display:none">{{@}}</div>'),
    (False, "<p hidden>x {{@}}</p>"),
    (False, "<script>{{@}}</script>"),
    (False, "<style>/* {{@}} */</style>"),
    (False, '<span style="display:none"><i>{{@}}</i></span>'),
]
FIELDS = ["A", "B", "C"]
pieces = st.tuples(st.sampled_from(range(len(WRAPS))), st.sampled_from(FIELDS), st.booleans())


@settings(max_examples=200, deadline=None)
@given(first=st.lists(pieces, min_size=1, max_size=5), second=st.lists(pieces, max_size=4))
def test_the_card_asks_what_the_first_question_shows(
    first: list[tuple[int, str, bool]], second: list[tuple[int, str, bool]]
) -> None:
    """Whatever the pieces, visible or hidden, plain or type-in boxes: the front is what the first
    question shows (in order), and the note is typed exactly when that question shows a type-in box
    for a field it does not show, its back being that field."""

    def template(parts: list[tuple[int, str, bool]]) -> str:
        return "".join(WRAPS[w][1].replace("@", ("type:" if typed else "") + f) for w, f, typed in parts)

    q1 = template(first)
    nt = NoteType("T", False, FIELDS, [q1, template(second)] if second else [q1], ["x", "x"])
    shown = [FIELDS.index(f) for w, f, typed in first if WRAPS[w][0] and not typed]
    boxes = [
        FIELDS.index(f) for w, f, typed in first if WRAPS[w][0] and typed and FIELDS.index(f) not in shown
    ]
    kind = kind_of(nt)
    layout = field_layout(nt, len(FIELDS), kind)
    if shown:
        assert list(layout.front) == list(dict.fromkeys(shown))
    assert (kind == "typed") == bool(boxes)
    if kind == "typed":
        assert layout.back == (boxes[0],)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(["<", ">", "!--", "-->", "div", " hidden", "/", "{{A}}", '"', "'", "script", "="])
    )
)
def test_any_template_reads_without_error(parts: list[str]) -> None:
    nt = NoteType("T", False, FIELDS, ["".join(parts)], ["{{B}}"])
    kind_of(nt)
    field_layout(nt, len(FIELDS))
