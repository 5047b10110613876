"""An Anki deck keeps its retain id across re-imports, whatever other decks come or go.

Names whose ids lose what tells them apart (`Japanese::語彙`, `Japanese::文法` and
`Japanese::漢字` all gave `japanese`; `Prog::C++`, `Prog::C#` and `Prog::C` all `prog-c`) were
numbered by their place in the package (`japanese`, `japanese-2`, `japanese-3`): with the first
deleted in Anki, the next import gave `漢字` the id `japanese-2`, held by the installed `文法`,
and imported it a second time as `japanese-2-2` (the same cards in two decks).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.ids import is_valid_id
from retain.core.model import Card, Deck
from retain.interop.anki.ankinote import deck_id_for_name, stable_deck_ids

from .anki_fixture import ANKI_PYTHON, changed_package, run_anki
from .conftest import run_cli

# Notes of the legacy fixture package (by note id) and the card id each one's GUID gives.
NOTES = {
    1795857295140: "wcaxx-fs-w-15eb95ae",
    1795857295147: "kubcsexm-a-bf924633",
    1795857295155: "l-u-hu-g-s-8375769d",
}
N1, N2, N3 = NOTES
JAPANESE = ["Japanese::語彙", "Japanese::文法", "Japanese::漢字"]
PROG = ["Prog::C", "Prog::C++", "Prog::C#"]


def _package(tmp_path: Path, tag: str, decks: dict[int, tuple[str, int]]) -> Path:
    """The legacy fixture package holding `decks` (Anki deck id -> (name, the one note in it))."""

    def change(conn: sqlite3.Connection) -> None:
        old = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        template = old["1795857295047"]
        new = {"1": old["1"]} | {
            str(did): {**template, "id": did, "name": name} for did, (name, _) in decks.items()
        }
        conn.execute("UPDATE col SET decks = ?", (json.dumps(new),))
        kept = [nid for _, nid in decks.values()]
        marks = ",".join("?" * len(kept))
        conn.execute(f"DELETE FROM cards WHERE nid NOT IN ({marks})", kept)
        conn.execute(f"DELETE FROM notes WHERE id NOT IN ({marks})", kept)
        for did, (_, nid) in decks.items():
            conn.execute("UPDATE cards SET did = ? WHERE nid = ?", (did, nid))

    where = tmp_path / tag
    where.mkdir()
    return changed_package(where, change)


def _decks(home: Path) -> dict[str, tuple[str, set[str]]]:
    """Each installed deck file's id: (its Anki name, its card ids)."""
    out: dict[str, tuple[str, set[str]]] = {}
    for path in sorted((home / "decks").glob("*.toml")):
        deck = parse_deck(path.read_text(encoding="utf-8"), str(path)).deck
        assert deck is not None
        out[deck.id] = (f"{deck.group}::{deck.name}", {c.id for c in deck.cards})
    return out


def _import(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    return out + err


def _holders(decks: dict[str, tuple[str, set[str]]]) -> dict[str, list[str]]:
    """Card id -> the decks holding it."""
    out: dict[str, list[str]] = {}
    for deck_id, (_, cards) in decks.items():
        for card in cards:
            out.setdefault(card, []).append(deck_id)
    return out


@pytest.mark.parametrize("names", [JAPANESE, PROG])
@pytest.mark.parametrize("gone", [0, 1])
def test_a_deck_keeps_its_id_when_a_deck_of_the_same_id_goes(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], names: list[str], gone: int
) -> None:
    decks = {10 * (i + 1): (name, nid) for i, (name, nid) in enumerate(zip(names, NOTES, strict=True))}
    _import(capsys, _package(tmp_path, "v1", decks))
    before = _decks(home)
    assert len(before) == 3
    del decks[10 * (gone + 1)]  # deleted (or emptied) in Anki
    out = _import(capsys, _package(tmp_path, "v2", decks))
    after = _decks(home)
    assert after == before, out  # no deck imported twice, each one where it was
    assert all(len(held) == 1 for held in _holders(after).values())
    assert "importing as" not in out


@pytest.mark.parametrize("gone", [0, 1])
def test_decks_an_earlier_version_numbered_are_updated_in_place(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], gone: int
) -> None:
    """Installed as earlier versions named them (`japanese`, `japanese-2`, `japanese-3`, by their
    place in the package): each is still the deck of its Anki name."""
    decks_dir = home / "decks"
    decks_dir.mkdir(parents=True)
    for n, (full, nid) in enumerate(zip(JAPANESE, NOTES, strict=True), 1):
        deck_id = "japanese" if n == 1 else f"japanese-{n}"
        group, name = full.split("::")
        card = Card(id=NOTES[nid], front=f"old {n}", back="x")
        deck = Deck(id=deck_id, name=name, group=group, cards=(card,))
        (decks_dir / f"{deck_id}.toml").write_text(deck_to_toml(deck), encoding="utf-8")
    decks = {10 * (i + 1): (name, nid) for i, (name, nid) in enumerate(zip(JAPANESE, NOTES, strict=True))}
    del decks[10 * (gone + 1)]
    out = _import(capsys, _package(tmp_path, "v2", decks))
    after = _decks(home)
    assert sorted(after) == ["japanese", "japanese-2", "japanese-3"], out
    assert all(len(held) == 1 for held in _holders(after).values())
    assert {deck_id for deck_id, (_, cards) in after.items() if cards} == {
        "japanese",
        "japanese-2",
        "japanese-3",
    }
    assert "importing as" not in out
    assert "updating 'japanese-3'" in out


def test_a_deck_alone_in_its_package_finds_its_deck_by_its_name(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only `漢字` left in the package: it is not a new `japanese` beside the installed one."""
    decks = {10 * (i + 1): (name, nid) for i, (name, nid) in enumerate(zip(JAPANESE, NOTES, strict=True))}
    _import(capsys, _package(tmp_path, "v1", decks))
    before = _decks(home)
    out = _import(capsys, _package(tmp_path, "v2", {30: decks[30]}))
    assert _decks(home) == before, out


def test_a_deck_renamed_in_retain_keeps_its_id(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its name no longer finds it, its id still does: the id is its Anki name's, not a place."""
    decks = {10 * (i + 1): (name, nid) for i, (name, nid) in enumerate(zip(JAPANESE, NOTES, strict=True))}
    _import(capsys, _package(tmp_path, "v1", decks))
    for path in (home / "decks").glob("*.toml"):
        deck = parse_deck(path.read_text(encoding="utf-8"), str(path)).deck
        assert deck is not None
        path.write_text(deck_to_toml(replace(deck, name=f"mine {deck.name}")), encoding="utf-8")
    before = _decks(home)
    del decks[10]
    out = _import(capsys, _package(tmp_path, "v2", decks))
    assert sorted(_decks(home)) == sorted(before), out


def test_a_csv_deck_finds_the_deck_of_its_anki_name(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An Anki text export of one of them updates the deck the package made, not one beside it."""
    decks = {10 * (i + 1): (name, nid) for i, (name, nid) in enumerate(zip(JAPANESE, NOTES, strict=True))}
    _import(capsys, _package(tmp_path, "v1", decks))
    before = _decks(home)
    (kanji,) = [deck_id for deck_id, (name, _) in before.items() if name == JAPANESE[2]]
    csv = tmp_path / "kanji.csv"
    csv.write_text(
        "#separator:Comma\n#html:true\n#guid column:1\n#deck column:2\n"
        f"L?u<hu!G&S,{JAPANESE[2]},Spanish for <i>cat</i>,gato\n",
        encoding="utf-8",
    )
    out = _import(capsys, csv)
    assert _decks(home) == before, out
    assert f"deck {kanji}: 0 added, 1 changed" in out  # (its id is the package's: no other deck's)


@given(
    st.lists(
        st.sampled_from(
            ["Japanese::語彙", "Japanese::文法", "Japanese", "日本語", "C", "C++", "C#", "c", "R&D", "R D"]
        )
        | st.text(min_size=1, max_size=12),
        min_size=1,
        max_size=8,
        unique=True,
    ),
    st.data(),
)
def test_an_id_is_valid_unique_and_its_own(names: list[str], data: st.DataObject) -> None:
    """Every name gets a valid id of its own; a name whose id drops what it holds (`語彙`, `++`)
    gets the same id whatever other names the package has."""
    ids = stable_deck_ids(names)
    assert all(is_valid_id(ids[n]) for n in names)
    assert len(set(ids.values())) == len(set(names))
    some = data.draw(st.lists(st.sampled_from(names), min_size=1, unique=True))
    fewer = stable_deck_ids(some)
    for name in some:
        if ids[name] != fewer[name]:  # it lost its suffix: a name whose id it gave too is gone
            assert fewer[name] == deck_id_for_name(name) == ids[name].rsplit("-", 1)[0], name
            gone = [n for n in names if n not in some and deck_id_for_name(n) == fewer[name]]
            assert gone, name


def test_ids_differ_only_where_names_clash() -> None:
    ids = stable_deck_ids(["Languages::Spanish", *JAPANESE, *PROG])
    assert ids["Languages::Spanish"] == "languages-spanish"
    assert len({ids[n] for n in JAPANESE}) == 3 and all(ids[n].startswith("japanese-") for n in JAPANESE)
    assert stable_deck_ids(["Prog::C"]) == {"Prog::C": "prog-c"}
    assert stable_deck_ids(["Prog::C++"])["Prog::C++"] == ids["Prog::C++"] != "prog-c"


ANKI = """
import sys
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
basic = col.models.by_name("Basic")
def export(out):
    col.export_anki_package(out_path=out, options=ExportAnkiPackageOptions(
        with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False), limit=None)
for deck, front in [("Japanese::語彙", "猫"), ("Japanese::文法", "は vs が"), ("Japanese::漢字", "山")]:
    n = col.new_note(basic); n["Front"] = front; n["Back"] = "x"
    col.add_note(n, col.decks.id(deck))
export(sys.argv[2])
col.decks.remove([col.decks.id_for_name("Japanese::語彙")])
export(sys.argv[3])
col.close()
"""


@pytest.mark.slow
@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="needs Anki (RETAIN_ANKI_PYTHON)")
def test_real_anki_subdeck_deleted_then_reimported(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(v1), str(v2), cwd=tmp_path)
    _import(capsys, v1)
    before = _decks(home)
    out = _import(capsys, v2)
    assert _decks(home) == before, out
    assert all(len(held) == 1 for held in _holders(before).values())


def test_an_anki_text_export_of_decks_whose_names_give_one_id_imports_them_all(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was refused ("the file holds deck id 'japanese' twice"): its ids are an .apkg's now."""
    csv = tmp_path / "japanese.csv"
    rows = "".join(f"g{n}x,{name},front {n},back {n}\n" for n, name in enumerate(JAPANESE))
    csv.write_text(f"#separator:Comma\n#html:true\n#guid column:1\n#deck column:2\n{rows}", encoding="utf-8")
    _import(capsys, csv)
    decks = _decks(home)
    assert sorted(name for name, _cards in decks.values()) == sorted(JAPANESE)
    assert set(decks) == set(stable_deck_ids(JAPANESE).values())
