"""h9: Anki's Image Occlusion notes in `retain import`, and Anki's stock note types through a round trip.

Found here: an Image Occlusion note came in as a cloze card whose text was the raw shape markup
(`[...]` over `image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=.05:oi=1` lines, the image below),
which asks nothing: retain cannot draw the masks. Such notes are now left out, their image too, with
one warning line; a package of nothing else is refused in one line saying why; and an export back to
Anki leaves them in the collection they came from as they are."""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.occlusion import is_occlusion_note
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli, tree

NOW = datetime(2025, 1, 1, tzinfo=UTC)
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d4944415478da6364f8cf00000003010100c9fe92ef0000000049454e44ae426082"
)
IO_FIELDS = ["Occlusion", "Image", "Header", "Back Extra", "Comments"]
IO_QFMT = (
    "{{#Header}}<div>{{Header}}</div>{{/Header}}\n"
    '<div style="display: none">{{cloze:Occlusion}}</div>\n'
    '<div id="image-occlusion-container">{{Image}}<canvas id="image-occlusion-canvas"></canvas></div>'
)
HIDE_ALL = (  # "hide all, guess one": every shape `oi=1`; rect, ellipse, polygon and a text label (c0)
    "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}<br>"
    "{{c2::image-occlusion:ellipse:left=.5:top=.5:rx=.1:ry=.05:oi=1}}<br>"
    "{{c3::image-occlusion:polygon:points=.1,.1 .2,.3 .3,.1:oi=1}}<br>"
    "{{c0::image-occlusion:text:left=.6:top=.1:text=Scaphoid:scale=1:fs=.05:oi=1}}<br>"
)
HIDE_ONE = (  # "hide one, guess one": no `oi`
    "{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1}}<br>"
    "{{c2::image-occlusion:rect:left=.4:top=.2:width=.3:height=.1}}<br>"
)


def _io_note(occlusion: str, header: str = "Bones of the hand", extra: str = "carpals") -> list[str]:
    return [occlusion, '<img src="hand bones.png">', header, extra, ""]


def _package(
    tmp_path: Path,
    io_notes: list[list[str]],
    *,
    others: bool = True,
    type_name: str = "Image Occlusion",
    history: bool = False,
) -> Path:
    """retain's export of a deck with a basic and a cloze card (with `others`), and `io_notes` (their
    fields) added as notes of a cloze note type shaped like Anki's stock Image Occlusion, one card per
    c1.. deletion, with the image in the package; with `history`, each IO card has a review."""
    plain = tmp_path / "plain.apkg"
    cards = (
        Card(id="basic", front="How many carpal bones?", back="8"),
        Card(id="cz", kind="cloze", text="The {{c1::scaphoid}} is a carpal bone"),
    )
    export_decks([Deck(id="hand", name="Hand", group="Anatomy", cards=cards)], plain, now=NOW)
    with zipfile.ZipFile(plain) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    db_path = tmp_path / "edit.anki2"
    db_path.write_bytes(entries["collection.anki2"])
    con = sqlite3.connect(db_path)
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    cloze = next(m for m in models.values() if m["type"] == 1)
    io = dict(cloze, id=1_700_000_000_006, name=type_name)
    io["flds"] = [dict(cloze["flds"][0], name=f, ord=i) for i, f in enumerate(IO_FIELDS)]
    io["tmpls"] = [dict(cloze["tmpls"][0], qfmt=IO_QFMT, afmt=IO_QFMT + "<hr id=answer>{{Back Extra}}")]
    models[str(io["id"])] = io
    con.execute("UPDATE col SET models = ?", (json.dumps(models),))
    note = con.execute("SELECT * FROM notes").fetchone()
    card = con.execute("SELECT * FROM cards").fetchone()
    for n, fields in enumerate(io_notes):
        nid = 1_800_000_000_000 + n * 100
        flds = "\x1f".join(fields)
        con.execute(
            "INSERT INTO notes VALUES (" + ",".join("?" * len(note)) + ")",
            (nid, f"io{n}", io["id"], *note[3:6], flds, fields[0][:20], *note[8:]),
        )
        numbers = sorted({int(m) for m in re.findall(r"\{\{c(\d+)::", fields[0])} - {0})
        for k, number in enumerate(numbers):
            cid = nid + k + 1
            con.execute(
                "INSERT INTO cards VALUES (" + ",".join("?" * len(card)) + ")",
                (cid, nid, card[2], number - 1, *card[4:]),
            )
            if history:
                con.execute(
                    "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
                    " VALUES (?, ?, -1, 3, 1, 0, 2500, 5000, 0)",
                    (1_735_000_000_000 + cid % 1000, cid),
                )
    if not others:
        con.execute("DELETE FROM cards WHERE nid NOT IN (SELECT id FROM notes WHERE mid = ?)", (io["id"],))
        con.execute("DELETE FROM notes WHERE mid != ?", (io["id"],))
    con.commit()
    con.close()
    entries["collection.anki2"] = db_path.read_bytes()
    entries["media"] = json.dumps({"0": "hand bones.png"}).encode()
    entries["0"] = PNG
    out = tmp_path / "io.apkg"
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return out


def _read(path: Path, *, with_history: bool = False) -> Any:
    stage = path.parent / "stage"
    stage.mkdir()
    return read_file(path, stage, with_history=with_history)


LINE = "2 Image Occlusion note(s) (5 cards) left out: retain cannot draw their masks"


def test_occlusion_notes_are_left_out_with_one_line_and_no_markup_on_any_card(tmp_path: Path) -> None:
    bundle = _read(_package(tmp_path, [_io_note(HIDE_ALL), _io_note(HIDE_ONE, "Fingers", "")]))
    (deck,) = bundle.decks
    assert sorted(c.id for c in deck.cards) == ["basic", "cz"]  # the other notes come in as before
    for c in deck.cards:
        assert "image-occlusion" not in c.front + c.back + c.text + c.extra
    assert [w for w in bundle.warnings if "Occlusion" in w] == [LINE]
    assert bundle.media == {}  # their image is not stored either: no card shows it
    assert "image-occlusion" not in json.dumps(bundle.keeps)  # nor kept for an export back to Anki


@pytest.mark.parametrize("name", ["Image Occlusion+", "Bildverdeckung", "My IO-1a2b3"])
def test_a_renamed_or_translated_occlusion_type_is_left_out_too(name: str, tmp_path: Path) -> None:
    bundle = _read(_package(tmp_path, [_io_note(HIDE_ALL), _io_note(HIDE_ONE)], type_name=name))
    assert sorted(c.id for d in bundle.decks for c in d.cards) == ["basic", "cz"]
    assert LINE in bundle.warnings


def test_a_cloze_note_that_only_mentions_the_markup_is_kept(tmp_path: Path) -> None:
    text = "Anki writes a mask as {{c1::a deletion}}: image-occlusion:rect:left=.1"
    bundle = _read(_package(tmp_path, [_io_note(text)]))
    assert len(bundle.decks[0].cards) == 3
    assert not any("Occlusion note" in w for w in bundle.warnings)


def test_their_review_history_is_left_out_quietly(tmp_path: Path) -> None:
    bundle = _read(
        _package(tmp_path, [_io_note(HIDE_ALL), _io_note(HIDE_ONE)], history=True), with_history=True
    )
    assert bundle.reviews == []
    assert [w for w in bundle.warnings if "left out" in w] == [LINE]


def test_cli_import_names_them_in_one_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _package(tmp_path, [_io_note(HIDE_ALL), _io_note(HIDE_ONE)])
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert (out + err).count("Image Occlusion") == 1 and LINE in out + err
    assert "imported deck hand: 2 notes, 2 cards" in out
    deck_text = (home / "decks" / "hand.toml").read_text()
    assert "image-occlusion" not in deck_text
    assert not (home / "decks" / "hand.media").exists()


def test_a_package_of_occlusion_notes_only_is_refused_saying_why(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _package(tmp_path, [_io_note(HIDE_ALL), _io_note(HIDE_ONE)], others=False)
    code, out, err = run_cli(capsys, "import", str(path))
    assert code != 0
    assert f"nothing to import: {LINE}" in err
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    assert tree(home / "decks") == []


def _text_file(tmp_path: Path, *, others: bool = True) -> Path:
    """Anki's "Notes in Plain Text" export of the two occlusion notes (and a basic note): Anki 26.09's
    own output for them, names its copies of the note types get ("Image Occlusion+")."""
    rows = [
        f'io-1\tImage Occlusion+\tAnatomy::Hand\t{HIDE_ALL}\t"<img src=""hand bones.png"">"\t'
        "Bones of the hand\tcarpals\t\tanatomy",
        f'io-2\tImage Occlusion+\tAnatomy::Hand\t{HIDE_ONE}\t"<img src=""hand bones.png"">"\tFingers\t\t\t',
    ]
    if others:
        rows.append("basic-1\tBasic+\tAnatomy::Hand\tHow many carpal bones?\t8\t\t\t\t")
    header = (
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:9\n"
    )
    path = tmp_path / "hand.txt"
    path.write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_occlusion_notes_in_an_anki_text_file_are_left_out_too(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = _read(_text_file(tmp_path))
    assert [c.id for d in bundle.decks for c in d.cards] == ["basic-1"]
    assert [w for w in bundle.warnings if "Occlusion" in w] == [LINE]
    code, _out, err = run_cli(capsys, "import", str(_text_file(tmp_path, others=False)))
    assert code != 0 and f"nothing to import: {LINE}" in err
    assert tree(home / "decks") == []


_SHAPES = st.sampled_from(
    [
        "rect:left=.1:top=.2:width=.3:height=.1",
        "ellipse:left=.5:top=.5:rx=.1:ry=.05",
        "polygon:points=.1,.1 .2,.3 .3,.1",
        "text:left=.6:top=.1:text=Label\\: x:scale=1:fs=.05",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    shapes=st.lists(st.tuples(st.integers(0, 30), _SHAPES, st.booleans()), min_size=1, max_size=6),
    words=st.lists(
        st.sampled_from(["a", "{{c1::b}}", "image-occlusion:", "<br>", "}}", "{{c2::"]), max_size=6
    ),
    field=st.integers(0, 4),
    cloze_field=st.sampled_from(["Occlusion", "Text"]),
)
def test_a_note_is_an_occlusion_note_exactly_when_its_cloze_field_has_a_shape(
    shapes: list[tuple[int, str, bool]], words: list[str], field: int, cloze_field: str
) -> None:
    """Anki's rule: a deletion whose text starts with `image-occlusion:` is a shape, in the field the
    templates show as cloze text; text anywhere else (or the mark outside a deletion) is not."""
    names = [cloze_field, "Image", "Header", "Back Extra", "Comments"]
    nt = NoteType(name="x", is_cloze=True, fields=names, qfmts=[f"{{{{cloze:{cloze_field}}}}}{{{{Image}}}}"])
    markup = "".join(f"{{{{c{n}::image-occlusion:{s}{':oi=1' if oi else ''}}}}}<br>" for n, s, oi in shapes)
    fields = [" ".join(words)] + [""] * 4
    fields[field] += markup
    assert is_occlusion_note(nt, fields) == (field == 0)
    assert not is_occlusion_note(NoteType(name="x", is_cloze=False, fields=names, qfmts=nt.qfmts), fields)


# Real Anki: every stock note type Anki 26.09 ships, through retain and back.
STOCK = r"""
import json, os, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageRequest, ImportAnkiPackageOptions
mode, col_path, pkg = sys.argv[1], sys.argv[2], sys.argv[3]
col = Collection(col_path)
opts = ExportAnkiPackageOptions(with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False)
if mode == "make":
    folder = os.path.dirname(col_path)
    png = os.path.join(folder, "hand bones.png")
    with open(png, "wb") as fh:
        fh.write(bytes.fromhex(sys.argv[4]))
    col.add_image_occlusion_notetype()
    io = col.models.by_name("Image Occlusion")
    did = col.decks.id("Anatomy::Hand")
    col.decks.select(did)
    for kind, fields in [
        ("Basic", ["How many <b>carpal</b> bones?", "8"]),
        ("Basic (and reversed card)", ["hueso", "bone"]),
        ("Basic (optional reversed card)", ["radius", "forearm bone", "y"]),
        ("Basic (optional reversed card)", ["ulna", "other forearm bone", ""]),
        ("Basic (type in the answer)", ["Bones in the wrist?", "carpals"]),
        ("Cloze", ["The {{c1::scaphoid}} is a {{c2::carpal}} bone", "<i>wrist</i>"]),
    ]:
        note = col.new_note(col.models.by_name(kind))
        for i, value in enumerate(fields):
            note.fields[i] = value
        col.add_note(note, did)
    for occlusions, header, extra in json.loads(sys.argv[5]):
        col.add_image_occlusion_note(notetype_id=io["id"], image_path=png, occlusions=occlusions,
            header=header, back_extra=extra, tags=["anatomy"])
    col.export_anki_package(out_path=pkg, options=opts, limit=None)
elif mode == "import":
    col.import_anki_package(ImportAnkiPackageRequest(package_path=pkg, options=ImportAnkiPackageOptions()))
notes = [col.get_note(n) for n in sorted(col.find_notes(""))]
print(json.dumps({
    "notes": {n.guid: {"type": n.note_type()["name"], "fields": list(n.fields), "cards": len(n.cards()),
              "stock": n.note_type().get("originalStockKind", 0)} for n in notes},
    "types": sorted(m["name"] for m in col.models.all()),
    "media": sorted(os.listdir(col.media.dir())),
}))
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_anki_stock_note_types_round_trip_and_occlusion_notes_stay_as_they_were(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    col, fresh = str(tmp_path / "a" / "col.anki2"), str(tmp_path / "b" / "col.anki2")
    from_anki, from_retain = tmp_path / "from-anki.apkg", tmp_path / "from-retain.apkg"
    occlusions = json.dumps([[HIDE_ALL, "Bones of the hand", "carpals"], [HIDE_ONE, "Fingers", ""]])
    before = json.loads(run_anki(tmp_path, STOCK, "make", col, str(from_anki), PNG.hex(), occlusions))
    assert sorted(n["cards"] for n in before["notes"].values()) == [1, 1, 1, 2, 2, 2, 2, 3]
    io = {g: n for g, n in before["notes"].items() if n["type"] == "Image Occlusion"}
    assert len(io) == 2
    code, out, err = run_cli(capsys, "import", str(from_anki))
    assert code == 0, err
    assert "2 Image Occlusion note(s) (5 cards) left out: retain cannot draw their masks" in out + err
    assert "imported deck anatomy-hand: 6 notes, 9 cards" in out
    code, out, err = run_cli(capsys, "export", "anatomy-hand", "-o", str(from_retain))
    assert code == 0, err
    # back into the collection it came from: every note as it was, the occlusion notes untouched
    after = json.loads(run_anki(tmp_path, STOCK, "import", col, str(from_retain)))
    assert after["notes"] == before["notes"]
    assert after["types"] == before["types"]  # stock note types kept: no "Basic+", no "Image Occlusion+"
    assert after["media"] == before["media"]
    # into a new collection: the same notes (but the occlusion ones), fields and cards (their note
    # types beside the new collection's own stock ones, as "Basic+" and so on: Anki's rule)
    elsewhere = json.loads(run_anki(tmp_path, STOCK, "import", fresh, str(from_retain)))

    def shown(notes: dict[str, Any]) -> dict[str, tuple[str, list[str], int]]:
        return {g: (n["type"].rstrip("+"), n["fields"], n["cards"]) for g, n in notes.items() if g not in io}

    assert shown(elsewhere["notes"]) == shown(before["notes"])
    assert len(elsewhere["notes"]) == 6
