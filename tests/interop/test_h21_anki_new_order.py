"""h21: the new cards of an imported Anki deck come in Anki's new-card order. Anki keeps a new
card's place in its queue in `cards.due`; "Reposition" (how shared frequency decks put common
words first) makes it differ from the order the notes were made in. Before the fix retain listed
the notes by note id, so its first new card was not Anki's ("word 0" where Anki shows "word 9")."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from retain.interop.anki.ankinote import ids_from_guid
from retain.interop.importer import read_file
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON, LEGACY, changed_package, run_anki
from .conftest import run_cli

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

# argv: collection, package, with_scheduling ("1"/"0"). Ten words, made in order, then
# repositioned backwards (word 9 first); word 4 is studied; "word 7" is suspended (still new);
# a reversed note's second card is placed first of all.
ANKI = r"""
import json, sys
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
basic = col.models.by_name("Basic"); did = col.decks.id("Order")
firsts = []
guids = []
for i in range(10):
    n = col.new_note(basic); n["Front"] = f"word {i}"; n["Back"] = f"meaning {i}"; col.add_note(n, did)
    firsts.append(n.cards()[0].id)
    guids.append(n.guid)
col.sched.reposition_new_cards(list(reversed(firsts)), starting_from=1, step_size=1, randomize=False, shift_existing=False)
card = col.get_card(firsts[4]); card.start_timer(); col.sched.answerCard(card, 3)
col.sched.suspend_cards([firsts[7]])
rev = col.models.by_name("Basic (and reversed card)")
n = col.new_note(rev); n["Front"] = "two-way"; n["Back"] = "both"; col.add_note(n, did)
col.sched.reposition_new_cards([n.cards()[1].id], starting_from=0, step_size=1, randomize=False, shift_existing=False)
guids.append(n.guid)
col.export_anki_package(out_path=sys.argv[2],
    options=ExportAnkiPackageOptions(with_scheduling=sys.argv[3] == "1", with_media=False, legacy=False), limit=None)
print(json.dumps(guids))
"""


def _package(tmp_path: Path, with_scheduling: bool) -> tuple[Path, list[str]]:
    package = tmp_path / f"order-{int(with_scheduling)}.apkg"
    out = run_anki(tmp_path, ANKI, str(tmp_path / "c.anki2"), str(package), "1" if with_scheduling else "0")
    return package, json.loads(out.strip().splitlines()[-1])


def _fronts(path: Path, tmp_path: Path) -> list[str]:
    stage = tmp_path / f"stage-{path.stem}"
    stage.mkdir()
    (deck,) = read_file(path, stage).decks
    return [c.front for c in deck.cards]


def test_new_cards_come_in_ankis_order_and_a_studied_note_keeps_its_place(tmp_path: Path) -> None:
    package, guids = _package(tmp_path, with_scheduling=True)
    stage = tmp_path / "stage"
    stage.mkdir()
    (deck,) = read_file(package, stage).decks
    fronts = [c.front for c in deck.cards]
    # The reversed note's new card is at position 0, then word 9 ... word 0; word 4 (studied)
    # stays fifth, where note order puts it; word 7 is suspended but new: its position counts.
    assert fronts == [
        "two-way", "word 9", "word 8", "word 7", "word 4", "word 6", "word 5", "word 3", "word 2",
        "word 1", "word 0",
    ]  # fmt: skip
    # Card ids come from the GUIDs, as before: progress made before stays with its card.
    by_front = {c.front: c.id for c in deck.cards}
    names = [f"word {i}" for i in range(10)] + ["two-way"]
    assert [by_front[name] for name in names] == [ids_from_guid(g)[1] for g in guids]


def test_a_package_without_scheduling_keeps_ankis_new_order(tmp_path: Path) -> None:
    """Without scheduling Anki still writes each new card's position (a studied card becomes new
    again, with a position of its own)."""
    package, _guids = _package(tmp_path, with_scheduling=False)
    fronts = _fronts(package, tmp_path)
    assert fronts[:4] == ["two-way", "word 9", "word 8", "word 7"]
    assert fronts.index("word 5") < fronts.index("word 3") < fronts.index("word 0")
    assert sorted(fronts) == sorted(["two-way"] + [f"word {i}" for i in range(10)])


def test_reimporting_the_same_package_changes_nothing(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package, _guids = _package(tmp_path, with_scheduling=True)
    assert run_cli(capsys, "import", str(package))[0] == 0
    deck_file = home / "decks" / "order.toml"
    written = deck_file.read_bytes()
    copy = tmp_path / "again.apkg"  # (another path: the import memo does not answer for it)
    copy.write_bytes(package.read_bytes())
    code, out, err = run_cli(capsys, "import", str(copy))
    assert code == 0, err
    assert "0 added, 0 changed, 0 removed, 11 unchanged" in out
    assert deck_file.read_bytes() == written
    installed = open_home().library().get("order")
    assert installed is not None
    assert installed.cards[1].front == "word 9"


def test_a_deck_in_note_order_is_listed_as_before_and_a_repositioned_one_is_not(tmp_path: Path) -> None:
    """The legacy fixture's new positions follow note order: its decks list their notes in note
    order, as earlier imports wrote them. With the positions reversed, its three-note deck is
    reversed and the other (one studied note, one new) is as it was."""
    db_path = tmp_path / "legacy.anki21"
    with zipfile.ZipFile(LEGACY) as zf:
        db_path.write_bytes(zf.read("collection.anki21"))
    with closing(sqlite3.connect(db_path)) as conn:
        rows = conn.execute("SELECT guid FROM notes ORDER BY id").fetchall()
    note_order = [ids_from_guid(str(row[0]))[1] for row in rows]
    stage = tmp_path / "s"
    stage.mkdir()
    before = {d.name: [c.id for c in d.cards] for d in read_file(LEGACY, stage).decks}
    for ids in before.values():
        assert ids == sorted(ids, key=note_order.index)

    def reverse_positions(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE cards SET due = 1000 - due WHERE type = 0")

    stage2 = tmp_path / "s2"
    stage2.mkdir()
    moved = read_file(changed_package(tmp_path, reverse_positions), stage2)
    after = {d.name: [c.id for c in d.cards] for d in moved.decks}
    (three,) = [name for name, ids in before.items() if len(ids) == 3]
    assert after[three] == before[three][::-1]
    assert {n: i for n, i in after.items() if n != three} == {n: i for n, i in before.items() if n != three}
