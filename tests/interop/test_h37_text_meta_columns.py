"""Anki text files: no header line of an export gives a spreadsheet a formula cell (the
`#retain deck:` line held raw JSON with commas, so a `.csv` split it into cells and a deck
description `x,=cmd|...` made a live formula); and a `#columns:` header or a first row naming the
columns maps the columns named like the note's fields to those fields, whatever their order."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.anki.ankinote import deck_meta_json, parse_deck_meta_json
from retain.interop.anki.ankitext import read_anki_text, write_anki_text
from retain.interop.limits import Limits

from .anki_fixture import ANKI_PYTHON, run_anki

_DANGER = "=+-@\t\r"
_HOSTILE = st.sampled_from(
    [
        "Irregular verbs,=cmd|' /C calc'!A0,see notes",
        ',"=1+1",',
        ";=HYPERLINK(1)",
        "\t=1",
        "a\r=1",
        "x\n=1\n+2",
        '"',
        '",=1',
        '\\",=1',
        "=",
        "@SUM(1)",
        "-2+3",
        "+1",
        "|=1",
        "Café, 東京 = ü",
        "a\u2028=1",
        "a\x85=1",
        "'=1",
        '{"a":"b"}',
        "::",
    ]
)
_TEXT = st.one_of(
    _HOSTILE,
    st.text(st.characters(codec="utf-8"), max_size=20),
    st.lists(_HOSTILE, min_size=1, max_size=3).map("".join),
)
_NAME = _TEXT.map(str.strip).filter(lambda s: s != "" and "::" not in s and "\n" not in s and "\r" not in s)


def _deck(name: str, description: str, authors: list[str], license_: str, tags: list[str]) -> Deck:
    card = Card(id="c1", kind="basic", front="ser", back="to be")
    return Deck(
        id="verbs",
        name=name,
        cards=(card,),
        description=description,
        authors=tuple(authors),
        license=license_,
        tags=tuple(dict.fromkeys(tags)),
    )


def _formula_cells(text: str, sep: str) -> list[tuple[int, str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    return [(n, c) for n, row in enumerate(reader, 1) for c in row if c and c[0] in _DANGER]


def _header_lines(text: str) -> list[str]:
    return [line for line in text.split("\n") if line.startswith("#")]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=_NAME,
    description=_TEXT,
    authors=st.lists(_TEXT, max_size=3),
    license_=_TEXT,
    tags=st.lists(_TEXT.filter(lambda t: t.strip() == t and t != "" and " " not in t), max_size=3),
    suffix=st.sampled_from([".csv", ".tsv", ".txt"]),
)
def test_no_export_line_makes_a_formula_cell_and_the_deck_fields_round_trip(
    tmp_path: Path,
    name: str,
    description: str,
    authors: list[str],
    license_: str,
    tags: list[str],
    suffix: str,
) -> None:
    deck = _deck(name, description, authors, license_, tags)
    sep = "," if suffix == ".csv" else "\t"
    text = write_anki_text([deck], sep)
    # read as a spreadsheet reads it: no cell starts as a formula, in any line
    assert _formula_cells(text, sep) == []
    # nor in a header line split at another separator (`;` in many locales): one cell but at
    # a comma (the JSON's own, between its fields), and then no cell starts as a formula
    for line in _header_lines(text):
        for split in ";\t|":
            assert len(next(csv.reader([line], delimiter=split))) == 1, (split, line)
        assert _formula_cells(line, ",") == []
    path = tmp_path / f"verbs{suffix}"
    path.write_text(text, encoding="utf-8", newline="")
    (back,) = read_anki_text(path, Limits()).decks
    assert (back.name, back.description, back.authors, back.license, back.tags) == (
        deck.name,
        deck.description,
        deck.authors,
        deck.license,
        deck.tags,
    )


@given(description=_TEXT, authors=st.lists(_TEXT, max_size=3))
def test_the_meta_line_is_json_any_reader_takes(description: str, authors: list[str]) -> None:
    """The `#retain deck:` value is still plain JSON: older retains (and `json.loads`) read it."""
    deck = _deck("Verbs", description, authors, "", [])
    raw = deck_meta_json(deck)
    assert json.loads(raw) == parse_deck_meta_json(raw)
    assert parse_deck_meta_json(raw).get("description", "") == description
    assert parse_deck_meta_json(raw).get("authors", []) == authors


def test_a_meta_line_written_by_an_older_version_still_reads(tmp_path: Path) -> None:
    old = (
        "#separator:Comma\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        '#retain deck:{"authors":["Ann, B."],"description":"Irregular, verbs","full":"Verbs",'
        '"id":"verbs","name":"Verbs","tags":["es"]}\n'
        "verbs/ser,Basic,Verbs,ser,to be,es\n"
    )
    path = tmp_path / "verbs.csv"
    path.write_text(old, encoding="utf-8")
    (deck,) = read_anki_text(path, Limits()).decks
    assert (deck.description, deck.authors, deck.tags) == ("Irregular, verbs", ("Ann, B.",), ("es",))


def test_the_attack_description_gives_no_formula_cell() -> None:
    deck = _deck("Verbs", "Irregular verbs,=cmd|' /C calc'!A0,see notes", [], "", [])
    assert _formula_cells(write_anki_text([deck], ","), ",") == []


# --- columns named like the note's fields ----------------------------------------------------


def _cards(tmp_path: Path, name: str, text: str) -> list[tuple[str, str, tuple[str, ...]]]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    bundle = read_anki_text(path, Limits())
    return [
        (c.text if c.kind == "cloze" else c.front, c.extra if c.kind == "cloze" else c.back, d.tags + c.tags)
        for d in bundle.decks
        for c in d.cards
    ]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        (
            "#separator:Tab\n#columns:Back\tFront\nParis\tCapital of France?\n",
            ("Capital of France?", "Paris", ()),
        ),
        ("#separator:Tab\n#columns:back\tFRONT\nParis\tCapital?\n", ("Capital?", "Paris", ())),
        ("#separator:Tab\n#columns:Answer\tQuestion\nParis\tCapital?\n", ("Capital?", "Paris", ())),
        ("#separator:Tab\n#columns:Tags\tBack\tFront\nt1\tParis\tCapital?\n", ("Capital?", "Paris", ("t1",))),
        ("#separator:Tab\n#columns:Back\tX\tFront\nParis\tmore\tCap\n", ("Cap", "Paris\n\nmore", ())),
        ("#separator:Tab\n#columns:Back\tX\nParis\tx\n", ("x", "Paris", ())),
        ("#separator:Tab\n#columns:Front\tBack\tTags\nhola\thello\tes\n", ("hola", "hello", ("es",))),
        ("#separator:Tab\n#columns:X\tY\nhola\thello\n", ("hola", "hello", ())),
        (
            "#separator:Tab\n#notetype:Cloze\n#columns:Back Extra\tText\nextra\t{{c1::Paris}} is it\n",
            ("{{c1::Paris}} is it", "extra", ()),
        ),
        (
            "#separator:Tab\n#notetype:Cloze\n#columns:Extra\tText\nextra\t{{c1::Paris}} is it\n",
            ("{{c1::Paris}} is it", "extra", ()),
        ),
        ("Answer,Question\nParis,Capital?\n", ("Capital?", "Paris", ())),
        ("Back\tFront\tTags\nParis\tCapital?\tgeo\n", ("Capital?", "Paris", ("geo",))),
    ],
)
def test_columns_named_like_fields_are_those_fields(
    tmp_path: Path, text: str, want: tuple[str, str, tuple[str, ...]]
) -> None:
    name = "capitals.csv" if "," in text.split("\n")[0] else "capitals.tsv"
    assert _cards(tmp_path, name, text) == [want]


_LABELS = {"front": "Front", "back": "Back", "tags": "Tags", "x": "Notes"}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(["front", "back", "tags", "x"]),
    upper=st.lists(st.booleans(), min_size=4, max_size=4),
    header_row=st.booleans(),
)
def test_any_order_of_named_columns_reads_the_same_card(
    tmp_path: Path, order: list[str], upper: list[bool], header_row: bool
) -> None:
    values = {"front": "hola", "back": "hello", "tags": "es", "x": "more"}
    labels = [_LABELS[k].upper() if up else _LABELS[k].lower() for k, up in zip(order, upper, strict=True)]
    labels = ["Notes" if k == "x" else label for k, label in zip(order, labels, strict=True)]
    row = "\t".join(values[k] for k in order)
    head = "\t".join(labels)
    text = f"{head}\n{row}\n" if header_row else f"#separator:Tab\n#columns:{head}\n{row}\n"
    ((front, back, tags),) = _cards(tmp_path, "words.tsv", text)
    assert (front, back.split("\n\n")[0], tags) == ("hola", "hello", ("es",))


_ANKI = r"""
import json, os, sys, tempfile
from anki.collection import Collection
from anki.import_export_pb2 import ImportCsvRequest
out = []
for path in sys.argv[1:]:
    col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
    col.import_csv(ImportCsvRequest(path=path, metadata=col.get_csv_metadata(path, None)))
    (nid,) = col.find_notes("")
    note = col.get_note(nid)
    out.append([note.fields[0], note.fields[1], note.tags])
    col.close()
print(json.dumps(out))
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_named_columns_read_as_real_anki_reads_them(tmp_path: Path) -> None:
    texts = [
        "#separator:Tab\n#columns:Back\tFront\nParis\tCapital?\n",
        "#separator:Tab\n#columns:Tags\tBack\tFront\nt1\tParis\tCapital?\n",
        "#separator:Tab\n#tags column:1\n#columns:Tags\tBack\tFront\nt1\tParis\tCapital?\n",
        "#separator:Tab\n#columns:Front\tTags\tBack\nCapital?\tgeo\tParis\n",
    ]
    paths = []
    for i, text in enumerate(texts):
        path = tmp_path / f"f{i}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    anki = json.loads(run_anki(tmp_path, _ANKI, *map(str, paths)))
    ours = [list(_cards(tmp_path, p.name, p.read_text("utf-8"))[0]) for p in paths]
    for (front, back, tags), (a_front, a_back, a_tags) in zip(ours, anki, strict=True):
        assert (front, back) == (a_front, a_back)
        # Anki takes a column labelled `Tags` as the tags only with a `#tags column:` header
        assert set(a_tags) <= set(tags)


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_real_anki_imports_an_export_with_a_hostile_deck_description(tmp_path: Path) -> None:
    deck = _deck("Verbs", "Irregular verbs,=cmd|' /C calc'!A0,\"see\" notes", ["A, B"], "", ["x,y"])
    path = tmp_path / "verbs.csv"
    path.write_text(write_anki_text([deck], ","), encoding="utf-8", newline="")
    ((front, back, _),) = json.loads(run_anki(tmp_path, _ANKI, str(path)))
    assert (front, back) == ("ser", "to be")
