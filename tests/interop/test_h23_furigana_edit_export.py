"""A field Anki shows through `{{furigana:X}}`, `{{kana:X}}` or `{{kanji:X}}` goes back in Anki's form.

The import reads such a field as Anki shows it (`猫[ねこ]` as `猫(ねこ)`, `ねこ` or `猫`). An
edited card's field went back as that display text: `猫(ねこ) (noun)` in the Reading field, which
Anki shows as plain text (no reading drawn over the word), and a kanji-only front lost every
reading of its field. Now the readings the field had go back as they were (`猫[ねこ] (noun)`), a
reading the edit wrote in a furigana field (kana in parentheses right after kanji) becomes one,
other parentheses stay, and a `[` Anki would read as a reading is `&#91;`: the import reads the
exported field back as the card it came from.
"""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.interop.anki.apkg_read import _furigana_spans, anki_filter
from retain.interop.anki.readings import reading_field_html
from retain.interop.exporter import export_decks
from retain.interop.html import html_to_text, markdown_to_html
from retain.interop.importer import read_file

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

NOW = datetime(2025, 1, 1, tzinfo=UTC)
FURIGANA_BACK = "{{FrontSide}}<hr id=answer>{{furigana:Reading}}<br>{{Meaning}}"


def _package(tmp_path: Path, fields: list[str], qfmt: str, afmt: str, values: list[str]) -> Path:
    """A package of one note of a note type of the user's own (`fields`, one template), made from
    retain's one-card export by SQL."""
    plain = tmp_path / "plain.apkg"
    export_decks([Deck(id="jp", name="Jp", cards=(Card(id="c", front="f", back="b"),))], plain, now=NOW)
    with zipfile.ZipFile(plain) as zf:
        entries = {n: zf.read(n) for n in zf.namelist()}
    db_path = tmp_path / "made.anki2"
    db_path.write_bytes(entries["collection.anki2"])
    con = sqlite3.connect(db_path)
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    (m,) = models.values()
    m["name"] = "Vocab JP"
    m["flds"] = [dict(m["flds"][0], name=f, ord=i) for i, f in enumerate(fields)]
    m["tmpls"] = [dict(m["tmpls"][0], qfmt=qfmt, afmt=afmt)]
    con.execute("UPDATE col SET models = ?", (json.dumps(models),))
    con.execute("UPDATE notes SET flds = ?, guid = 'jpnote'", ("\x1f".join(values),))
    con.commit()
    con.close()
    entries["collection.anki2"] = db_path.read_bytes()
    out = tmp_path / "jp.apkg"
    with zipfile.ZipFile(out, "w") as zf:
        for n, data in entries.items():
            zf.writestr(n, data)
    return out


def _note_fields(package: Path, tmp_path: Path) -> list[str]:
    with zipfile.ZipFile(package) as zf:
        db = tmp_path / f"{package.stem}-out.anki2"
        db.write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(db)
    (flds,) = con.execute("SELECT flds FROM notes").fetchone()
    con.close()
    return [f.split("<!--retain", 1)[0] for f in flds.split("\x1f")]


def _card(package: Path) -> Card:
    stage = package.parent / f"stage-{package.stem}"
    stage.mkdir()
    (deck,) = read_file(package, stage).decks
    (card,) = deck.cards
    return card


def _edit_and_export(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], package: Path, old: str, new: str
) -> Path:
    """Import `package`, change `old` to `new` in its deck file, export it; the exported package."""
    assert run_cli(capsys, "import", str(package))[0] == 0
    (deck_file,) = (home / "decks").glob("*.toml")
    text = deck_file.read_text(encoding="utf-8")
    assert old in text, text
    deck_file.write_text(text.replace(old, new), encoding="utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck_file.stem, "-o", str(out))[0] == 0
    return out


def test_an_edited_furigana_field_goes_back_with_its_reading_in_brackets(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(
        tmp_path, ["Word", "Reading", "Meaning"], "{{Word}}", FURIGANA_BACK, ["猫", "猫[ねこ]", "cat"]
    )
    assert _card(package).back == "猫(ねこ)\n\ncat"  # read as Anki shows it (documented)
    out = _edit_and_export(home, tmp_path, capsys, package, "猫(ねこ)", "猫(ねこ) (noun)")
    assert _note_fields(out, tmp_path) == ["猫", "猫[ねこ] (noun)", "cat"]  # the user's "(noun)" stays
    assert _card(out).back == "猫(ねこ) (noun)\n\ncat"  # and it reads back as the edited card


def test_a_reading_typed_in_retain_is_a_reading_and_other_parentheses_and_brackets_are_text(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(
        tmp_path, ["Word", "Reading", "Meaning"], "{{Word}}", FURIGANA_BACK, ["猫", "猫[ねこ]", "cat"]
    )
    edited = "これは猫(ねこ)と犬(いぬ)です 犬(dog) a[b]"
    out = _edit_and_export(home, tmp_path, capsys, package, "猫(ねこ)", edited)
    # a space before a base that Anki's rule would run back further (it eats the space)
    assert _note_fields(out, tmp_path)[1] == "これは 猫[ねこ]と 犬[いぬ]です 犬(dog) a&#91;b]"
    assert _card(out).back == f"{edited}\n\ncat"


def test_kanji_and_kana_fields_keep_the_readings_they_do_not_show(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    value = "今日[きょう]は 良[よ]い天気[てんき]"
    package = _package(
        tmp_path,
        ["Expression", "Kana", "Meaning"],
        "{{kanji:Expression}}",
        "{{FrontSide}}<hr id=answer>{{kana:Kana}}<br>{{Meaning}}",
        [value, value, "nice weather"],
    )
    card = _card(package)
    assert (card.front, card.back) == ("今日は良い天気", "きょうはよてんき\n\nnice weather")
    assert run_cli(capsys, "import", str(package))[0] == 0
    (deck_file,) = (home / "decks").glob("*.toml")
    text = deck_file.read_text(encoding="utf-8")
    text = text.replace("今日は良い天気", "今日は良い天気だ").replace(
        "きょうはよてんき", "きょうはよてんきだ!"
    )
    deck_file.write_text(text, encoding="utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck_file.stem, "-o", str(out))[0] == 0
    assert _note_fields(out, tmp_path) == [f"{value}だ", f"{value}だ!", "nice weather"]
    card = _card(out)
    assert (card.front, card.back) == ("今日は良い天気だ", "きょうはよてんきだ!\n\nnice weather")


def test_the_hidden_text_of_a_furigana_field_reads_back_whole(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """retain's hidden comment (accepted answers, tags Anki cannot spell) goes into the field Anki
    asks with; shown through `{{furigana:}}`, its `"accept":[` was read as a reading and the
    import lost it all."""
    package = _package(
        tmp_path,
        ["Expression", "Meaning"],
        "{{furigana:Expression}}",
        "{{FrontSide}}<hr>{{Meaning}}",
        ["猫[ねこ]", "cat"],
    )
    assert run_cli(capsys, "import", str(package))[0] == 0
    (deck_file,) = (home / "decks").glob("*.toml")
    text = deck_file.read_text(encoding="utf-8")
    extra = 'tags = ["my tag", "x[1]"]\naccept = ["ねこ", "neko[2]"]'
    deck_file.write_text(
        text.replace('front = "猫(ねこ)"', f'front = "猫(ねこ) だ"\n{extra}'), encoding="utf-8"
    )
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck_file.stem, "-o", str(out))[0] == 0
    card = _card(out)
    assert (card.tags, card.accept) == (("my tag", "x[1]"), ("ねこ", "neko[2]"))


@pytest.mark.parametrize(
    ("text", "filters", "kept", "stored"),
    [
        ("猫(ねこ) (noun)", ("furigana",), "猫[ねこ]", "猫[ねこ] (noun)"),
        ("猫 (noun)", ("furigana",), "猫[ねこ]", "猫 (noun)"),  # the reading deleted: none
        ("猫(cat)", ("furigana",), "", "猫(cat)"),  # not kana: the user's own parentheses
        ("(ねこ)", ("furigana",), "", "(ねこ)"),  # no kanji before it: no base
        ("a 猫(ねこ)", ("furigana",), "", "a  猫[ねこ]"),  # Anki eats one space, the other shows
        ("中文(zhōngwén) 2", ("furigana",), "中文[zhōngwén] 1", "中文[zhōngwén] 2"),  # an old reading
        (
            "今日は良い天気 x",
            ("kanji",),
            "今日[きょう]は 良[よ]い天気[てんき]",
            "今日[きょう]は 良[よ]い天気[てんき] x",
        ),
        # text that looks like a sound is no reading, and no sound either (h36: Anki's markup escaped)
        ("x[sound:a.mp3] y[z]", ("furigana",), "", "x&#91;sound:a.mp3] y&#91;z]"),
        ("猫(ねこ) [x]", ("text",), "猫[ねこ]", "猫(ねこ) [x]"),  # no reading filter: as rendered
        ("$$x$$", ("kana",), "", "\\&#91;x\\]"),  # MathJax's bracket is not read as a reading
    ],
)
def test_the_anki_form_of_a_field(text: str, filters: tuple[str, ...], kept: str, stored: str) -> None:
    assert reading_field_html(text, filters, kept) == stored


def _shown(stored: str, filters: tuple[str, ...]) -> str:
    """The text the import reads from a field Anki shows through `filters`."""
    return html_to_text(anki_filter(stored, filters))


def _readings(stored: str) -> list[tuple[str, str]]:
    return [
        (b, r)
        for _s, _e, b, r in _furigana_spans(stored.replace("&nbsp;", " "))
        if not r.startswith("sound:")
    ]


_PIECES = st.sampled_from(
    [
        "猫",
        "日本",
        "語",
        "今日",
        "は",
        "ねこ",
        "カタ",
        "a",
        "x1",
        " ",
        "  ",
        "(",
        ")",
        "[",
        "]",
        "。",
        "<b>",
        "</b>",
    ]
)
_READING = st.builds(
    lambda space, base, reading: f"{space}{base}[{reading}]",
    st.sampled_from(["", " "]),
    st.sampled_from(["猫", "日本", "今日", "a", "良い"]),
    st.sampled_from(["ねこ", "にほん", "きょう", "x", "よ"]),
)
_STORED = st.lists(st.one_of(_PIECES, _READING), max_size=12).map("".join)
_EDIT = st.sampled_from(["", " (noun)", "だ", "犬(いぬ)", " 犬(いぬ)", "(dog)", " a[b]", "[x]", "\n\nmore"])


@settings(max_examples=400, deadline=None)
@given(_STORED, st.sampled_from(["furigana", "kana", "kanji"]), _EDIT, _EDIT, st.booleans())
def test_an_edited_field_reads_back_as_the_card_it_came_from(
    kept: str, name: str, before: str, after: str, cut: bool
) -> None:
    """import (display form) -> edit -> export (Anki's form) -> import again: the same card; the
    readings of the text the edit left alone stay in Anki's form."""
    filters = (name,)
    shown = _shown(kept, filters)
    edited = f"{before}{shown[: len(shown) // 2] if cut else shown}{after}"
    stored = reading_field_html(edited, filters, kept)
    assert _shown(stored, filters) == html_to_text(markdown_to_html(edited))
    if html_to_text(markdown_to_html(edited)) == edited:  # (text the import can give)
        assert _shown(stored, filters) == edited
    if edited == shown:  # nothing changed: every reading as it was
        assert _readings(stored) == _readings(kept)
    elif not cut and not before and after.startswith((" ", "\n")):  # an addition at the end
        assert _readings(stored)[: len(_readings(kept))] == _readings(kept)


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="猫犬日本ねこいぬab ()[]<>&*\\\n$", max_size=30),
    st.sampled_from(["furigana", "kana", "kanji"]),
)
def test_any_text_shows_in_anki_as_in_retain(text: str, name: str) -> None:
    stored = reading_field_html(text, (name,), "")
    assert _shown(stored, (name,)) == html_to_text(markdown_to_html(text))


SCRIPT = r"""
import sys
from anki.collection import (Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions,
    ImportAnkiPackageRequest)
col = Collection(sys.argv[2]); mm = col.models
if sys.argv[1] == "make":
    m = mm.new("Vocab JP")
    for f in ["Word", "Reading", "Meaning"]:
        mm.add_field(m, mm.new_field(f))
    t = mm.new_template("Recognition"); t["qfmt"] = "{{Word}}"
    t["afmt"] = "{{FrontSide}}<hr id=answer>{{furigana:Reading}}<br>{{Meaning}}"
    mm.add_template(m, t); mm.add(m)
    n = col.new_note(mm.by_name("Vocab JP")); n["Word"] = "猫"; n["Reading"] = "猫[ねこ]"; n["Meaning"] = "cat"
    col.add_note(n, col.decks.id("Japanese"))
    col.export_anki_package(out_path=sys.argv[3], options=ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False), limit=None)
else:
    col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[3],
        options=ImportAnkiPackageOptions()))
    card = col.get_note(col.find_notes("")[0]).cards()[0]
    print(card.answer().split("<hr id=answer>")[-1])
col.close()
"""


@pytest.mark.slow
@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki not available")
def test_anki_draws_the_reading_of_an_edited_field(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = tmp_path / "jp.apkg"
    run_anki(tmp_path, SCRIPT, "make", str(tmp_path / "made.anki2"), str(package))
    out = _edit_and_export(home, tmp_path, capsys, package, "猫(ねこ)", "猫(ねこ) (noun)")
    shown = run_anki(tmp_path, SCRIPT, "import", str(tmp_path / "fresh.anki2"), str(out))
    assert "<ruby><rb>猫</rb><rt>ねこ</rt></ruby> (noun)" in shown, shown
