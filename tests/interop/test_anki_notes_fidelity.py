"""What Anki does with retain's notes, and what comes back: extras, optional reverse cards, tags, type names."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.interop.anki.ankinote import card_to_note, kind_from_name, note_to_card
from retain.interop.exporter import export_decks
from retain.interop.importer import plan_import, read_file
from retain.store.home import open_home

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
OPTIONAL_REVERSE = "{{#Add Reverse}}{{Back}}{{/Add Reverse}}"


def _deck(*cards: Card, tags: tuple[str, ...] = ()) -> Deck:
    return Deck(id="fx", name="Fidelity", cards=cards, tags=tags)


def _roundtrip(deck: Deck, path: Path) -> Deck:
    export_decks([deck], path, now=NOW)
    return _read(path)


def _read(path: Path) -> Deck:
    stage = path.parent / f"stage-{path.name}"
    stage.mkdir()
    bundle = read_file(path, stage)
    assert len(bundle.decks) == 1
    return bundle.decks[0]


def test_a_typed_cards_extra_is_not_part_of_the_answer_anki_checks(tmp_path: Path) -> None:
    card = Card(id="port", kind="typed", front="Kafka port?", back="9092", extra="Brokers listen on 9092.")
    note = card_to_note(_deck(card), card)
    assert note.fields[1] == "9092"
    back = _roundtrip(_deck(card), tmp_path / "t.apkg").cards[0]
    assert (back.back, back.extra) == ("9092", "Brokers listen on 9092.")


def test_a_reversed_cards_extra_is_not_on_the_reverse_question(tmp_path: Path) -> None:
    card = Card(id="perro", kind="reversed", front="perro", back="dog", extra="*perro* means dog.")
    assert "retain-extra" not in card_to_note(_deck(card), card).fields[1]
    for suffix in (".apkg", ".csv"):
        back = _roundtrip(_deck(card), tmp_path / f"r{suffix}").cards[0]
        assert (back.kind, back.back, back.extra) == ("reversed", "dog", "*perro* means dog."), suffix


def test_a_basic_cards_extra_is_still_shown_under_the_back(tmp_path: Path) -> None:
    card = Card(id="b", front="q", back="a", extra="more")
    assert 'class="retain-extra">' in card_to_note(_deck(card), card).fields[1]
    back = _roundtrip(_deck(card), tmp_path / "b.apkg").cards[0]
    assert (back.back, back.extra) == ("a", "more")


def test_an_older_export_with_the_extra_under_a_typed_back_still_reads(tmp_path: Path) -> None:
    first = 'Kafka port?<!--retain {"extra":true}-->'
    second = '9092<br><br><div class="retain-extra">Brokers listen on 9092.</div>'
    card = note_to_card("port", "typed", [first, second], (), None)
    assert (card.back, card.extra) == ("9092", "Brokers listen on 9092.")


def _make_optional_reverse(apkg: Path, out: Path, flags: dict[str, str]) -> None:
    """retain's reversed export turned into Anki's "Basic (optional reversed card)": card 2 only where flagged."""
    with zipfile.ZipFile(apkg) as zf:
        names = {n: zf.read(n) for n in zf.namelist()}
    db_path = out.parent / "collection.anki2"
    db_path.write_bytes(names["collection.anki2"])
    con = sqlite3.connect(db_path)
    models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    for m in models.values():
        if len(m["tmpls"]) == 2:
            m["name"] = "Basic (optional reversed card)"
            m["flds"].append(dict(m["flds"][1], name="Add Reverse", ord=2))
            m["tmpls"][1]["qfmt"] = OPTIONAL_REVERSE
    con.execute("UPDATE col SET models = ?", (json.dumps(models),))
    for nid, guid, flds in con.execute("SELECT id, guid, flds FROM notes").fetchall():
        flag = flags[guid.split("/")[1]]
        con.execute("UPDATE notes SET flds = ? WHERE id = ?", (flds + "\x1f" + flag, nid))
        if not flag:
            con.execute("DELETE FROM cards WHERE nid = ? AND ord = 1", (nid,))
    con.commit()
    con.close()
    names["collection.anki2"] = db_path.read_bytes()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in names.items():
            zf.writestr(name, data)


def test_an_optional_reverse_note_has_the_cards_anki_gave_it(tmp_path: Path) -> None:
    cards = (
        Card(id="one", kind="reversed", front="f1", back="b1"),
        Card(id="two", kind="reversed", front="f2", back="b2"),
    )
    plain = tmp_path / "plain.apkg"
    export_decks([_deck(*cards)], plain, now=NOW)
    optional = tmp_path / "optional.apkg"
    _make_optional_reverse(plain, optional, {"one": "", "two": "y"})
    got = {c.id: (c.kind, c.back) for c in _read(optional).cards}
    assert got == {"one": ("basic", "b1"), "two": ("reversed", "b2")}


def test_tags_with_spaces_come_back_as_they_were(tmp_path: Path) -> None:
    deck = _deck(
        Card(id="a", front="q1", back="a1", tags=("own tag", "plain")),
        Card(id="b", front="q2", back="a2"),
        tags=("two words",),
    )
    for suffix in (".apkg", ".csv", ".tsv"):
        back = _roundtrip(deck, tmp_path / f"tg{suffix}")
        assert back.tags == ("two words",), suffix
        assert [c.tags for c in back.cards] == [("own tag", "plain"), ()], suffix


def test_ankis_renamed_copies_of_stock_types_keep_their_kind(tmp_path: Path) -> None:
    assert kind_from_name("Basic+") == "basic"
    assert kind_from_name("Basic (and reversed card)++") == "reversed"
    assert kind_from_name("Cloze-1a2b3") == "cloze"
    assert kind_from_name("Basic Plus") is None
    txt = tmp_path / "br.txt"
    txt.write_text(
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:6\n"
        "br/jinja\tBasic+\tBraces\tWhat does {{c1::x}} mean?\tA cloze deletion.\t\n",
        encoding="utf-8",
    )
    card = _read(txt).cards[0]
    assert (card.kind, card.front, card.back) == ("basic", "What does {{c1::x}} mean?", "A cloze deletion.")


EXTRA_BLOCK = '{{#Extra}}<br><br><div class="retain-extra">{{Extra}}</div>{{/Extra}}'
KIND_CARDS = (
    Card(id="b-x", front="q", back="a", extra="more *detail*"),
    Card(id="b-0", front="q0", back="a0"),
    Card(id="r-x", kind="reversed", front="perro", back="dog", extra="Spanish for dog."),
    Card(id="r-0", kind="reversed", front="gato", back="cat"),
    Card(id="t-x", kind="typed", front="Kafka port?", back="9092", extra="Brokers listen on **9092**."),
    Card(id="t-0", kind="typed", front="Redis port?", back="6379"),
    Card(id="c-x", kind="cloze", text="{{c1::Madrid}} is in Spain.", extra="Since 1561."),
    Card(id="c-0", kind="cloze", text="{{c1::Paris}} is in France."),
)


def _package(apkg: Path) -> tuple[dict[str, Any], dict[str, tuple[int, list[str]]]]:
    """(note types by name, guid -> (note type id, fields)) of a package retain wrote."""
    with zipfile.ZipFile(apkg) as zf:
        raw = zf.read("collection.anki2")
    db_path = apkg.parent / f"{apkg.stem}.anki2"
    db_path.write_bytes(raw)
    con = sqlite3.connect(db_path)
    models = {m["name"]: m for m in json.loads(con.execute("SELECT models FROM col").fetchone()[0]).values()}
    notes = {g: (mid, f.split("\x1f")) for g, mid, f in con.execute("SELECT guid, mid, flds FROM notes")}
    con.close()
    return models, notes


def test_retains_note_types_show_the_extra_after_the_answer_only(tmp_path: Path) -> None:
    out = tmp_path / "k.apkg"
    export_decks([_deck(*KIND_CARDS)], out, now=NOW)
    models, notes = _package(out)
    for m in models.values():
        if m["type"] == 1:  # cloze keeps Anki's Cloze: Text, Back Extra
            assert [f["name"] for f in m["flds"]] == ["Text", "Back Extra"]
            continue
        assert [f["name"] for f in m["flds"]] == ["Front", "Back", "Extra"], m["name"]
        for t in m["tmpls"]:
            assert "Extra" not in t["qfmt"], m["name"]
            assert t["afmt"].endswith(EXTRA_BLOCK), m["name"]
    assert notes["fx/t-x"][1][1:] == ["9092", "Brokers listen on <strong>9092</strong>."]
    assert notes["fx/r-x"][1][1:] == ["dog", "Spanish for dog."]
    assert notes["fx/b-x"][1][1:] == ["a", "more <em>detail</em>"]  # the look: a<br><br><div ...>
    assert notes["fx/t-0"][1][1:] == ["6379", ""]
    shown_fronts = [notes[g][1][0].split("<!--retain ")[0] for g in ("fx/t-x", "fx/r-x")]
    assert shown_fronts == ["Kafka port?", "perro"]


def test_retains_own_export_imports_back_unchanged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    decks_dir = open_home().paths.decks_dir
    decks_dir.mkdir(parents=True, exist_ok=True)
    (decks_dir / "fx.toml").write_text(deck_to_toml(_deck(*KIND_CARDS)), encoding="utf-8")
    installed = open_home().library().get("fx")
    assert installed is not None
    out = tmp_path / "k.apkg"
    export_decks([installed], out, now=NOW)
    stage = tmp_path / "stage"
    stage.mkdir()
    plan = plan_import(read_file(out, stage), open_home().library(), decks_dir)
    (diff,) = plan.diffs
    assert (diff.added, diff.changed, diff.removed, diff.unchanged) == ([], [], [], len(KIND_CARDS))
    assert [(c.back, c.extra) for c in plan.decks[0].deck.cards] == [
        (c.back, c.extra) for c in installed.cards
    ]


def test_older_exports_keep_their_extra(tmp_path: Path) -> None:
    """Before the Extra field: the extra under Back (basic; typed and reversed until 1d269c5) or only
    in the hidden comment (typed and reversed since); also such a note that Anki moved into retain's
    newer note type (its Extra field empty)."""
    under = '<!--retain {"extra":true}-->'
    hidden = '<!--retain {"extra":"Spanish for dog."}-->'
    shown = 'dog<br><br><div class="retain-extra">Spanish for dog.</div>'
    for kind in ("basic", "reversed", "typed"):
        for extra_field in (None, ""):
            for first, second in ((f"perro{under}", shown), (f"perro{hidden}", "dog")):
                card = note_to_card("p", kind, [first, second], (), None, extra=extra_field)
                assert (card.front, card.back, card.extra) == ("perro", "dog", "Spanish for dog."), kind


def test_an_anki_edit_of_the_extra_field_is_read(tmp_path: Path) -> None:
    card = note_to_card("p", "typed", ["perro", "dog"], (), None, extra="Now <b>edited</b>")
    assert (card.back, card.extra) == ("dog", "Now **edited**")
    cleared = card_to_note(_deck(KIND_CARDS[4]), KIND_CARDS[4], extra_field=True)
    again = note_to_card("t-x", "typed", list(cleared.fields[:2]), (), None, extra="")
    assert (again.back, again.extra) == ("9092", "")  # emptied in Anki: no extra, not the old one


def test_retains_note_type_names_map_to_their_kind() -> None:
    assert kind_from_name("retain Basic") == "basic"
    assert kind_from_name("retain Basic (and reversed card)+") == "reversed"
    assert kind_from_name("retain Basic (type in the answer)") == "typed"
