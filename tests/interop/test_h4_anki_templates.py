"""Anki note types whose templates put several fields on the question side, built with real Anki.

The card is what Anki's templates show: every field the first question template shows is on the
front, in template order (an empty one left out); a two-template type's reverse card asks with what
its second template asks (the other fields come after the answer, as the extra); a field shown
through `{{furigana:}}`, `{{kana:}}` or `{{kanji:}}` reads as Anki shows it. What retain's card
cannot hold is one warning line, and the export back to Anki gives the same notes.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON
from .conftest import run_cli

needs_anki = pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki not available")

PNG = (
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c636000"
    "0002000154a24f5d0000000049454e44ae426082"
)

# make SPEC COL PKG: build a collection from a JSON spec and export it; import COL PKG: import a
# package into the collection; both print every note's guid, type and fields. render: filters.
ANKI = r"""
import json, os, sys, tempfile
from anki.collection import (Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions,
    ImportAnkiPackageRequest)
mode = sys.argv[1]
if mode == "render":
    col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
    m = col.models.new("F")
    col.models.add_field(m, col.models.new_field("A"))
    t = col.models.new_template("t")
    t["qfmt"] = "{{furigana:A}}\x01{{kana:A}}\x01{{kanji:A}}"
    t["afmt"] = "x"
    col.models.add_template(m, t)
    col.models.add(m)
    m = col.models.by_name("F")
    out = []
    for value in json.loads(open(sys.argv[2], encoding="utf-8").read()):
        note = col.new_note(m)
        note["A"] = value
        col.add_note(note, 1)
        out.append(note.cards()[0].question().split("</style>", 1)[-1].split("\x01"))
    print(json.dumps(out))
    sys.exit(0)
col = Collection(sys.argv[3])
if mode == "make":
    spec = json.loads(open(sys.argv[2], encoding="utf-8").read())
    for name, data in spec.get("media", {}).items():
        col.media.write_data(name, bytes.fromhex(data))
    mm = col.models
    for nt in spec["notetypes"]:
        m = mm.new(nt["name"])
        if nt.get("cloze"):
            m["type"] = 1
        for f in nt["fields"]:
            mm.add_field(m, mm.new_field(f))
        for tname, q, a in nt["templates"]:
            t = mm.new_template(tname)
            t["qfmt"], t["afmt"] = q, a
            mm.add_template(m, t)
        mm.add(m)
    for n in spec["notes"]:
        note = col.new_note(mm.by_name(n["type"]))
        for k, v in n["fields"].items():
            note[k] = v
        note.tags = n.get("tags", [])
        col.add_note(note, col.decks.id(n.get("deck", "Vocab")))
    col.export_anki_package(out_path=sys.argv[4], options=ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=spec.get("legacy", False)),
        limit=None)
    col.db.execute("UPDATE notes SET mod = mod - 86400")  # made yesterday: an edit since is newer
elif mode == "import":
    col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[4],
        options=ImportAnkiPackageOptions()))
notes = [col.get_note(n) for n in sorted(col.find_notes(""))]
print(json.dumps({
    "notes": len(notes), "cards": col.card_count(),
    "types": sorted({n.note_type()["name"] for n in notes}),
    "fields": {n.guid: dict(n.items()) for n in notes},
}))
col.close()
"""


def _anki(tmp_path: Path, *args: str) -> Any:
    script = tmp_path / "anki_h4.py"
    script.write_text(ANKI, encoding="utf-8")
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), *args], capture_output=True, text=True, timeout=180, check=False
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


VOCAB = {
    "name": "Japanese Vocab",
    "fields": ["Expression", "Reading", "Meaning", "Example", "Notes", "Audio", "Picture"],
    "templates": [
        [
            "Recognition",
            '<div class="big">{{Expression}}</div>{{#Picture}}<div>{{Picture}}</div>{{/Picture}}',
            "{{FrontSide}}<hr id=answer>{{furigana:Reading}}<br>{{Meaning}}"
            "{{#Example}}<div class=ex>{{Example}}</div>{{/Example}}{{hint:Notes}}{{Audio}}",
        ],
        [
            "Production",
            "{{Meaning}}",
            "{{FrontSide}}<hr id=answer>{{Expression}}<br>{{furigana:Reading}}{{Audio}}",
        ],
    ],
}
KANJI = {
    "Expression": "漢字",
    "Reading": "漢字[かんじ]",
    "Meaning": "kanji; Chinese characters",
    "Example": "この<b>漢字</b>は難[むずか]しい。",
    "Notes": "Grade&nbsp;1",
    "Audio": "[sound:kanji.mp3]",
    "Picture": '<img src="kanji.png">',
}
EXAMPLE = "この**漢字**は難[むずか]しい。"
NIHONGO = {"Expression": "日本語", "Reading": "日本語[にほんご]", "Meaning": "Japanese language"}


def _spec(notetypes: list[dict[str, Any]], notes: list[dict[str, Any]]) -> dict[str, Any]:
    media = {"kanji.png": PNG, "kanji.mp3": b"ID3fake".hex()}
    return {"notetypes": notetypes, "notes": notes, "media": media}


def _build(tmp_path: Path, spec: dict[str, Any], name: str = "made") -> tuple[Path, Path, dict[str, Any]]:
    """(the collection, the package it exported, its notes)."""
    path = tmp_path / f"{name}.json"
    path.write_text(json.dumps(spec), encoding="utf-8")
    col, pkg = tmp_path / f"{name}.anki2", tmp_path / f"{name}.apkg"
    return col, pkg, _anki(tmp_path, "make", str(path), str(col), str(pkg))


def _read(tmp_path: Path, pkg: Path) -> tuple[list[Card], list[str]]:
    stage = tmp_path / f"stage-{pkg.stem}"
    stage.mkdir()
    bundle = read_file(pkg, stage)
    return [c for d in bundle.decks for c in d.cards], bundle.warnings


def _vocab(tmp_path: Path) -> tuple[dict[str, Card], list[str]]:
    spec = _spec([VOCAB], [{"type": "Japanese Vocab", "fields": f} for f in (KANJI, NIHONGO)])
    _, pkg, _ = _build(tmp_path, spec)
    cards, warnings = _read(tmp_path, pkg)
    return {c.front.split("\n")[0]: c for c in cards}, warnings


IMAGE = re.compile(r"!\[image\]\([a-z0-9-]+\.media/[0-9a-f]{64}\.png\)")
AUDIO = re.compile(r"!\[audio\]\([a-z0-9-]+\.media/[0-9a-f]{64}\.mp3\)")


@needs_anki
def test_every_field_the_question_shows_is_on_the_front_and_only_those(tmp_path: Path) -> None:
    cards, _ = _vocab(tmp_path)
    kanji = cards["漢字"]
    first, picture = kanji.front.split("\n\n")
    assert first == "漢字" and IMAGE.fullmatch(picture)  # the picture is a cue, asked with
    assert not IMAGE.search(kanji.back + kanji.extra)
    assert cards["日本語"].front == "日本語"  # an empty conditional field is left out


@needs_anki
def test_the_reverse_card_asks_with_what_its_template_asks(tmp_path: Path) -> None:
    cards, _ = _vocab(tmp_path)
    kanji = cards["漢字"]
    assert kanji.kind == "reversed"
    assert kanji.back == "kanji; Chinese characters"  # Production asks with {{Meaning}} only
    # the rest comes after the answer of both cards, in the order the answer template shows it
    parts = kanji.extra.split("\n\n")
    assert parts[:3] == ["漢字(かんじ)", EXAMPLE, "Grade 1"]  # Example shown as typed, as Anki does
    assert AUDIO.fullmatch(parts[3]) and len(parts) == 4
    assert cards["日本語"].back == "Japanese language" and cards["日本語"].extra == "日本語(にほんご)"


@needs_anki
def test_fields_shown_through_furigana_filters_read_as_anki_shows_them(tmp_path: Path) -> None:
    nt = {
        "name": "Readings",
        "fields": ["Word", "Furi", "Kana", "Kanji", "Raw"],
        "templates": [["Card 1", "{{Word}}", "{{furigana:Furi}} {{kana:Kana}} {{kanji:Kanji}} {{Raw}}"]],
    }
    value = "今日[きょう]は 良[よ]い天気[てんき]"
    fields = {"Word": "w", "Furi": value, "Kana": value, "Kanji": value, "Raw": value}
    _, pkg, _ = _build(tmp_path, _spec([nt], [{"type": "Readings", "fields": fields}]))
    (card,), _ = _read(tmp_path, pkg)
    furi, kana, kanji, raw = card.back.split("\n\n")
    assert furi == "今日(きょう)は良(よ)い天気(てんき)"
    assert kana == "きょうはよてんき"
    assert kanji == "今日は良い天気"
    assert "[きょう]" in raw  # shown as typed, Anki shows it as typed


@needs_anki
def test_the_furigana_filters_give_what_real_anki_gives(tmp_path: Path) -> None:
    rng = random.Random(4)
    alphabet = [*"漢字かんじ [[]]>x\n", "<b>", "</b>", "&nbsp;", "[sound:a.mp3]"]
    values = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 14))) for _ in range(1500)]
    values += ["漢字[かんじ]", "この 漢字[かんじ]は難[むずか]しい。", "<b>漢字</b>[かんじ]", "a [b] c[d]"]
    from retain.interop.anki import apkg_read

    path = tmp_path / "values.json"
    path.write_text(json.dumps(values), encoding="utf-8")
    rendered = _anki(tmp_path, "render", str(path))
    compared = 0
    for value, parts in zip(values, rendered, strict=True):
        if "[sound:" in value or len(parts) != 3 or "card is blank" in parts[-1]:  # play tags; blank card
            continue
        furi, kana, kanji = parts
        compared += 1
        assert apkg_read.anki_filter(value, ("furigana",)) == furi, value
        assert apkg_read.anki_filter(value, ("kana",)) == kana, value
        assert apkg_read.anki_filter(value, ("kanji",)) == kanji, value
    assert compared > 700


@needs_anki
def test_fields_are_on_the_front_in_template_order_whatever_the_note_order(tmp_path: Path) -> None:
    nt = {
        "name": "Ordered",
        "fields": ["Answer", "Context", "Question", "Notes"],
        "templates": [
            ["Card 1", "{{Question}}<br>{{Context}}", "{{FrontSide}}<hr id=answer>{{Notes}}<br>{{Answer}}"]
        ],
    }
    fields = {"Answer": "42", "Context": "(Hitchhiker's Guide)", "Question": "The answer?", "Notes": "n"}
    _, pkg, _ = _build(tmp_path, _spec([nt], [{"type": "Ordered", "fields": fields}]))
    (card,), warnings = _read(tmp_path, pkg)
    assert card.kind == "basic"
    assert card.front == "The answer?\n\n(Hitchhiker's Guide)"
    assert card.back == "n\n\n42"  # the answer template's order
    assert not warnings


@needs_anki
def test_a_second_template_that_asks_with_the_same_fields_is_no_reverse(tmp_path: Path) -> None:
    """Two templates asking with the same field (two questions about it) cannot be a retain
    reverse card, which would ask with the answer: the note is basic, the template left out."""
    nt = {
        "name": "Two questions",
        "fields": ["Country", "Capital", "Flag"],
        "templates": [
            ["Capital", "Capital of {{Country}}?", "{{FrontSide}}<hr id=answer>{{Capital}}"],
            ["Flag", "Flag of {{Country}}?", "{{FrontSide}}<hr id=answer>{{Flag}}"],
        ],
    }
    fields = {"Country": "France", "Capital": "Paris", "Flag": "blue white red"}
    _, pkg, _ = _build(tmp_path, _spec([nt], [{"type": "Two questions", "fields": fields}]))
    (card,), warnings = _read(tmp_path, pkg)
    assert (card.kind, card.front) == ("basic", "France")
    assert card.back == "Paris\n\nblue white red"
    assert any("'Two questions'" in w and "'Flag'" in w and "left out" in w for w in warnings), warnings


@needs_anki
def test_a_reverse_template_sharing_a_cue_with_the_front_is_one_warning_line(tmp_path: Path) -> None:
    nt = {
        "name": "Picture vocab",
        "fields": ["Word", "Meaning", "Picture"],
        "templates": [
            ["Forward", "{{Word}}{{Picture}}", "{{FrontSide}}<hr id=answer>{{Meaning}}"],
            ["Reverse", "{{Meaning}}{{Picture}}", "{{FrontSide}}<hr id=answer>{{Word}}"],
        ],
    }
    notes = [
        {"type": "Picture vocab", "fields": {"Word": w, "Meaning": m, "Picture": '<img src="kanji.png">'}}
        for w, m in (("gato", "cat"), ("perro", "dog"))
    ]
    _, pkg, _ = _build(tmp_path, _spec([nt], notes))
    cards, warnings = _read(tmp_path, pkg)
    assert {(c.kind, c.back) for c in cards} == {("reversed", "cat"), ("reversed", "dog")}
    lines = [w for w in warnings if "Picture vocab" in w]
    assert len(lines) == 1 and "'Reverse'" in lines[0] and "Picture" in lines[0], warnings


@needs_anki
def test_a_typed_answer_is_checked_against_the_field_the_template_types(tmp_path: Path) -> None:
    nt = {
        "name": "Spelling",
        "fields": ["Prompt", "Answer", "Notes"],
        "templates": [["Card 1", "{{Prompt}}<br>{{type:Answer}}", "{{FrontSide}}<hr id=answer>{{Notes}}"]],
    }
    fields = {"Prompt": "Spanish for cat", "Answer": "gato", "Notes": "masculine"}
    _, pkg, _ = _build(tmp_path, _spec([nt], [{"type": "Spelling", "fields": fields}]))
    (card,), _ = _read(tmp_path, pkg)
    assert (card.kind, card.front, card.back, card.extra) == ("typed", "Spanish for cat", "gato", "masculine")


@needs_anki
def test_a_cloze_type_asks_with_the_fields_its_question_shows(tmp_path: Path) -> None:
    nt = {
        "name": "Context cloze",
        "cloze": True,
        "fields": ["Text", "Context", "Source"],
        "templates": [["Cloze", "{{Context}}<br>{{cloze:Text}}", "{{cloze:Text}}<br>{{Source}}"]],
    }
    fields = {"Text": "{{c1::Paris}} is in {{c2::France}}", "Context": "Geography", "Source": "atlas"}
    _, pkg, _ = _build(tmp_path, _spec([nt], [{"type": "Context cloze", "fields": fields}]))
    (card,), _ = _read(tmp_path, pkg)
    assert (card.kind, card.text, card.extra) == (
        "cloze",
        "Geography\n\n{{c1::Paris}} is in {{c2::France}}",
        "atlas",
    )


def _deck_file(home: Path) -> Path:
    (path,) = (home / "decks").glob("*.toml")
    return path


@needs_anki
def test_import_export_and_real_anki_give_the_same_notes(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec([VOCAB], [{"type": "Japanese Vocab", "fields": f, "tags": ["jp"]} for f in (KANJI, NIHONGO)])
    col, pkg, before = _build(tmp_path, spec)
    assert run_cli(capsys, "import", str(pkg))[0] == 0
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", _deck_file(home).stem, "-o", str(out))[0] == 0
    after = _anki(tmp_path, "import", "-", str(col), str(out))
    assert (after["notes"], after["cards"], after["types"]) == (
        before["notes"],
        before["cards"],
        before["types"],
    )
    assert after["fields"] == before["fields"]


@needs_anki
def test_an_edited_field_goes_back_into_its_own_field_and_the_others_stay_as_anki_had_them(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    spec = _spec([VOCAB], [{"type": "Japanese Vocab", "fields": f} for f in (KANJI, NIHONGO)])
    col, pkg, before = _build(tmp_path, spec)
    assert run_cli(capsys, "import", str(pkg))[0] == 0
    deck_file = _deck_file(home)
    text = deck_file.read_text(encoding="utf-8")
    edits = {
        'front = """\n漢字\n': 'front = """\n漢字 (kanji)\n',
        '"kanji; Chinese characters"': '"Chinese characters"',
    }
    for old, new in edits.items():
        assert old in text, (old, text)
        text = text.replace(old, new)
    deck_file.write_text(text, encoding="utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck_file.stem, "-o", str(out))[0] == 0
    after = _anki(tmp_path, "import", "-", str(col), str(out))
    assert after["notes"] == before["notes"] and after["types"] == before["types"]
    (guid,) = [g for g, f in before["fields"].items() if f["Expression"] == "漢字"]
    old, new = before["fields"][guid], after["fields"][guid]
    assert re.sub(r"<!--retain .*?-->", "", new["Expression"]) == "漢字 (kanji)"
    assert new["Meaning"] == "Chinese characters"
    for name in ("Reading", "Example", "Notes", "Audio", "Picture"):  # untouched: as Anki had them
        assert new[name] == old[name], name
    others = [g for g in before["fields"] if g != guid]
    assert all(after["fields"][g] == before["fields"][g] for g in others)


@needs_anki
def test_the_deck_file_reads_as_the_cards_anki_shows(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The imported deck passes `retain check` and studies as two units per note."""
    spec = _spec([VOCAB], [{"type": "Japanese Vocab", "fields": f} for f in (KANJI, NIHONGO)])
    _, pkg, _ = _build(tmp_path, spec)
    code, out, err = run_cli(capsys, "import", str(pkg))
    assert code == 0, err
    assert "2 notes, 4 cards" in out
    assert run_cli(capsys, "check")[0] == 0


_TEXT = st.text(alphabet="ab *\n", min_size=1, max_size=6).map(lambda t: t.strip("\n")).filter(bool)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.one_of(st.just(""), _TEXT.filter(lambda t: "\n\n" not in t)), min_size=1, max_size=5),
    st.integers(min_value=0, max_value=4),
    st.sampled_from(["replace", "delete", "insert", "all"]),
    _TEXT.filter(lambda t: "\n\n" not in t),
)
def test_an_edited_side_goes_back_into_its_fields_and_changes_only_the_one_edited(
    old: list[str], at: int, op: str, value: str
) -> None:
    """`_fit` (the export of an edited card into its note's fields): the fields it gives show the
    side's new text, and replacing, deleting or adding one field's text changes one field."""
    from retain.interop.anki.apkg_write import _fit

    shown = [t for t in old if t]
    k = min(at, len(shown))
    new_parts = {
        "replace": [*shown[:k], value, *shown[k + 1 :]],
        "delete": shown[:k] + shown[k + 1 :],
        "insert": [*shown[:k], value, *shown[k:]],
        "all": [value],
    }[op]
    new = "\n\n".join(new_parts)
    indices = tuple(range(len(old)))
    changed, left = _fit(indices, old, new)
    assert left == ""
    result = [changed.get(i, t) for i, t in enumerate(old)]
    assert "\n\n".join(t for t in result if t) == new
    if op != "all":
        assert len(changed) <= 1, changed


@needs_anki
def test_an_edited_card_of_a_custom_type_comes_back_the_same(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Edits that need retain's hidden comment (accepted answers, an extra the type has no field
    for) come back from the export as they were written."""
    spelling = {
        "name": "Spelling",
        "fields": ["Prompt", "Answer", "Notes"],
        "templates": [["Card 1", "{{Prompt}}<br>{{type:Answer}}", "{{FrontSide}}<hr id=answer>{{Notes}}"]],
    }
    basic = {
        "name": "Plain",
        "fields": ["Q", "A"],
        "templates": [["Card 1", "{{Q}}", "{{FrontSide}}<hr>{{A}}"]],
    }
    notes = [
        {"type": "Spelling", "fields": {"Prompt": "Spanish for cat", "Answer": "gato", "Notes": "m."}},
        {"type": "Plain", "fields": {"Q": "2+2", "A": "4"}},
    ]
    _, pkg, _ = _build(tmp_path, _spec([spelling, basic], notes))
    assert run_cli(capsys, "import", str(pkg))[0] == 0
    deck_file = _deck_file(home)
    text = deck_file.read_text(encoding="utf-8")
    text = text.replace('back = "gato"', 'back = "el gato"\naccept = ["gato"]')
    text = text.replace('back = "4"', 'back = "4"\nextra = "*four*"')
    assert text.count("gato") == 2 and "four" in text
    deck_file.write_text(text, encoding="utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck_file.stem, "-o", str(out))[0] == 0
    cards, _ = _read(tmp_path, out)
    got = {c.front: (c.kind, c.back, c.accept, c.extra) for c in cards}
    assert got == {
        "Spanish for cat": ("typed", "el gato", ("gato",), "m."),
        "2+2": ("basic", "4", (), "*four*"),
    }


@pytest.mark.parametrize(
    "line", ["a" * 200_000, "a[" * 100_000, "[x" * 100_000, "a[b" + "\n" * 100_000 + "]"]
)
def test_a_long_field_through_a_furigana_filter_takes_linear_time(line: str) -> None:
    """Anki's furigana pattern backtracks in Python's regex engine (quadratic on a long line): a
    crafted deck's 200,000-character field would take minutes."""
    import time

    from retain.interop.anki.apkg_read import anki_filter

    began = time.perf_counter()
    for name in ("furigana", "kana", "kanji"):
        anki_filter(line, (name,))
    assert time.perf_counter() - began < 3.0


@needs_anki
def test_a_card_imported_by_an_earlier_version_goes_back_into_the_fields_it_came_from(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deck imported before this change holds the card as the earlier layout made it (the front
    one field, the back all the others): editing it must not move or empty the note's fields."""
    import sqlite3
    import zipfile
    from dataclasses import replace
    from datetime import UTC, datetime

    from retain.core.model import Deck
    from retain.interop.anki.ankidb import NoteType
    from retain.interop.anki.ankinote import note_to_card
    from retain.interop.anki.apkg_read import card_fields, legacy_layout
    from retain.interop.ankikeep import card_fingerprint
    from retain.interop.exporter import export_decks
    from retain.interop.media import placeholder

    spec = _spec([VOCAB], [{"type": "Japanese Vocab", "fields": KANJI}])
    _, pkg, before = _build(tmp_path, spec)
    assert run_cli(capsys, "import", str(pkg))[0] == 0
    keep_file = next((home / "decks").glob("*.anki.json"))
    keep = json.loads(keep_file.read_text(encoding="utf-8"))
    ((card_id, (_guid, mid, fields, _)),) = keep["notes"].items()
    nt = keep["notetypes"][str(mid)]
    shape = NoteType(nt["name"], False, nt["flds"], [t[1] for t in nt["tmpls"]], [t[2] for t in nt["tmpls"]])
    deck_id = keep_file.name.removesuffix(".anki.json")

    def lookup(name: str) -> str | None:
        return placeholder(deck_id, keep["media"][name]) if name in keep["media"] else None

    parts, count, rest, extra = card_fields(fields, legacy_layout(shape, len(fields)))
    old = note_to_card(
        card_id, "reversed", parts, (), lookup, extra=extra, front_count=count, extra_parts=rest
    )
    assert old.front == "漢字" and "kanji; Chinese characters" in old.back and "![image]" in old.back
    keep["notes"][card_id][3] = card_fingerprint(old)  # as the earlier import wrote it
    keep_file.write_text(json.dumps(keep), encoding="utf-8")
    out = tmp_path / "back.apkg"
    deck = Deck(id=deck_id, name="Vocab", cards=(replace(old, front="漢字 (kanji)"),))
    export_decks([deck], out, now=datetime(2025, 1, 1, tzinfo=UTC), decks_dir=home / "decks")
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "back.anki2").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "back.anki2")
    ((flds,),) = con.execute("SELECT flds FROM notes").fetchall()
    con.close()
    new = dict(zip(VOCAB["fields"], flds.split("\x1f"), strict=True))
    assert re.sub(r"<!--retain .*?-->", "", new["Expression"]) == "漢字 (kanji)"
    (was,) = before["fields"].values()
    assert {k: v for k, v in new.items() if k != "Expression"} == {
        k: v for k, v in was.items() if k != "Expression"
    }
