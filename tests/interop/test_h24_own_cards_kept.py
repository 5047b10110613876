"""A card the learner added to an imported Anki deck stays in it on a re-import (h24).

A learner imports an Anki package and adds a card of their own to one of its decks (`retain add`,
the editor), or moves one in with `m` from another deck. Importing the package again, or a newer
version of it, removed that card (`1 removed`, `- my-own-q-...`): its text gone, no copy anywhere.
Anki never deletes a note a package does not hold. Now a card the package never gave the deck (its
`DECK.anki.json` says which it gave) stays, with its text, id and progress, and the preview says
so; a card the package gave and no longer holds is still removed (its author deleted it).
"""

from __future__ import annotations

import json
import re
import sqlite3
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop.ankikeep import AnkiKeep, KeptCard, KeptNote, keep_path, load_keep
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON, LEGACY, changed_package, run_anki
from .conftest import FIXTURES, run_cli
from .moves import move_like_m

LATEST = FIXTURES / "layout-latest.apkg"
IMAGE = "tn-lmuh-r-7191cc72"  # general-knowledge: "Which dot is this? <img src="tiny dot.png">"
IMAGE_NOTE = 1_795_857_295_143
OTHER_IMAGE = "tn-lmuh-r-o-2cca8492"  # the same note in `_other`'s deck `trivia`, another GUID
OTHER_STUDIED = "wcaxx-fs-wo-21e46e48"  # `_other`'s studied card (its Anki ease kept with the history)
KEPT = "  kept, added by you here: 1 card\n"


def _import(capsys: pytest.CaptureFixture[str], path: Path, *more: str) -> str:
    code, out, err = run_cli(capsys, "import", str(path), *more)
    assert code == 0, err
    return out


def _add(capsys: pytest.CaptureFixture[str], deck: str, front: str, back: str) -> str:
    """`retain add`: the new card's id."""
    code, out, err = run_cli(capsys, "add", "--deck", deck, "--front", front, "--back", back)
    assert code == 0, err
    found = re.search(rf"added {deck}/(\S+) to ", out)
    assert found is not None, out
    return found[1]


def _cards(home: Path, deck_id: str) -> dict[str, Card]:
    path = home / "decks" / f"{deck_id}.toml"
    parsed = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert parsed.deck is not None, parsed.errors
    return {c.id: c for c in parsed.deck.cards}


def _other(tmp_path: Path) -> Path:
    """Another package: the fixture's collection with its decks renamed (`trivia`,
    `words-spanish`) and every note's GUID another."""

    def change(conn: sqlite3.Connection) -> None:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for deck in decks.values():
            deck["name"] = deck["name"].replace("General Knowledge", "Trivia").replace("Languages", "Words")
        conn.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
        conn.execute("UPDATE notes SET guid = guid || 'o'")

    (tmp_path / "other").mkdir()
    return changed_package(tmp_path / "other", change)


def _without_image(tmp_path: Path) -> Path:
    """The fixture package whose author deleted the image note."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM cards WHERE nid = ?", (IMAGE_NOTE,))
        conn.execute("DELETE FROM notes WHERE id = ?", (IMAGE_NOTE,))

    (tmp_path / "v2").mkdir()
    return changed_package(tmp_path / "v2", change)


def _notes(apkg: Path, tmp_path: Path) -> dict[str, list[str]]:
    """guid -> fields of a package retain wrote."""
    with zipfile.ZipFile(apkg) as zf:
        (tmp_path / "pkg.anki2").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "pkg.anki2")
    try:
        return {g: f.split("\x1f") for g, f in con.execute("SELECT guid, flds FROM notes")}
    finally:
        con.close()


def test_the_report_a_card_you_added_stays(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, LATEST)
    mine = _add(capsys, "general-knowledge", "my own q", "my a")

    out = _import(capsys, LATEST)
    assert "deck general-knowledge: 0 added, 0 changed, 0 removed, 3 unchanged\n" + KEPT in out, out
    assert f"- {mine}" not in out
    card = _cards(home, "general-knowledge")[mine]
    assert (card.front, card.back) == ("my own q", "my a")
    assert "kept, added" not in out.split("deck languages-spanish")[1]  # (that deck's lines: none)

    assert KEPT in _import(capsys, LATEST, "--dry-run")
    assert _import(capsys, LATEST) == out  # the memo's answer says the same
    assert mine in _cards(home, "general-knowledge")


def test_a_card_the_author_deleted_is_still_removed(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(capsys, LEGACY)
    mine = _add(capsys, "general-knowledge", "my own q", "my a")
    out = _import(capsys, _without_image(tmp_path))
    assert "deck general-knowledge: 0 added, 0 changed, 1 removed, 2 unchanged\n" in out, out
    assert f"  - {IMAGE}\n" in out and KEPT in out, out
    assert set(_cards(home, "general-knowledge")) == {"wcaxx-fs-w-15eb95ae", mine}
    kept = load_keep(keep_path(home / "decks", "general-knowledge"))
    assert kept is not None and IMAGE not in kept.notes and kept.given == {"wcaxx-fs-w-15eb95ae"}


def test_its_progress_stays_and_the_package_history_is_not_its(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _import(capsys, LEGACY, "--with-history")
    mine = _add(capsys, "general-knowledge", "my own q", "my a")
    now = datetime.now(UTC)
    at = now - timedelta(days=1)
    after = CardState(REVIEW, None, 5.0, 5.0, now + timedelta(days=4), at, 3, 0)
    key = f"general-knowledge/{mine}"
    with Collection.open(open_home(), now) as col:
        col.record(Event(col.new_event_id(at), "review", key, at, after, None, 3))

    out = _import(capsys, LEGACY, "--with-history")
    assert KEPT in out, out
    col = Collection.open(open_home(), now, read_only=True, cards=False, history=True)
    try:
        assert col.states.get(key) == after
        assert [e.kind for e in col.history() if e.key == key] == ["review"]
    finally:
        col.close(now)


def test_a_card_moved_in_from_another_package_keeps_its_anki_identity(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = _other(tmp_path)
    _import(capsys, LATEST)
    _import(capsys, other)
    note = load_keep(keep_path(home / "decks", "trivia")).notes[OTHER_IMAGE]  # type: ignore[union-attr]
    move_like_m("trivia", OTHER_IMAGE, "general-knowledge")
    moved = load_keep(keep_path(home / "decks", "general-knowledge"))
    assert moved is not None and moved.moved_in == {OTHER_IMAGE}
    assert moved.notes[OTHER_IMAGE].guid == note.guid
    note = moved.notes[OTHER_IMAGE]  # (its fingerprint the moved card's: its image in this deck's folder)

    out = _import(capsys, LATEST)
    assert KEPT in out and f"- {OTHER_IMAGE}" not in out, out
    assert OTHER_IMAGE in _cards(home, "general-knowledge")
    kept = load_keep(keep_path(home / "decks", "general-knowledge"))
    assert kept is not None and kept.notes[OTHER_IMAGE] == note and kept.moved_in == {OTHER_IMAGE}
    assert note.mid in kept.notetypes and kept.media["tiny dot.png"]

    exported = tmp_path / "gk.apkg"
    code, _out, err = run_cli(capsys, "export", "general-knowledge", "-o", str(exported))
    assert code == 0, err
    assert _notes(exported, tmp_path)[note.guid] == note.fields  # the same note, as Anki had it

    back = _import(capsys, other)  # and the package it came from leaves it where it is
    assert "  kept in 'general-knowledge', where you moved it: 1 card\n" in back, back
    assert OTHER_IMAGE in _cards(home, "general-knowledge")


def test_a_moved_in_cards_anki_ease_and_progress_stay(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With `--with-history` the sidecar written is the package's alone (no factors of the old
    one merged): the moved-in card's Anki ease goes into it all the same."""
    other = _other(tmp_path)
    _import(capsys, LATEST, "--with-history")
    _import(capsys, other, "--with-history")
    move_like_m("trivia", OTHER_STUDIED, "general-knowledge")
    before = load_keep(keep_path(home / "decks", "general-knowledge"))
    assert before is not None and OTHER_STUDIED in before.cards
    now = datetime.now(UTC)
    key = f"general-knowledge/{OTHER_STUDIED}"
    with Collection.open(open_home(), now, read_only=True, cards=False) as col:
        progress = col.states.get(key)
    assert progress is not None and not progress.is_new

    out = _import(capsys, LATEST, "--with-history")
    assert KEPT in out, out
    after = load_keep(keep_path(home / "decks", "general-knowledge"))
    assert after is not None and after.cards[OTHER_STUDIED] == before.cards[OTHER_STUDIED]
    assert after.notes[OTHER_STUDIED] == before.notes[OTHER_STUDIED]
    with Collection.open(open_home(), now, read_only=True, cards=False) as col:
        assert col.states.get(key) == progress


CHECK = """
import json, sys
from anki.collection import Collection, ImportAnkiPackageRequest
from anki.import_export_pb2 import ImportAnkiPackageOptions
col = Collection(sys.argv[3])
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1], options=ImportAnkiPackageOptions()))
before = len(col.find_notes(""))
log = col.import_anki_package(
    ImportAnkiPackageRequest(package_path=sys.argv[2], options=ImportAnkiPackageOptions())
).log
same = len(log.duplicate) + len(log.updated)  # (the package's notes Anki holds already)
print(json.dumps({"before": before, "after": len(col.find_notes("")), "new": len(log.new), "same": same}))
col.close()
"""


@pytest.mark.slow
@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_anki_updates_the_moved_in_note_after_a_reimport(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Anki, holding the other package, takes the exported deck's moved-in card as its note."""
    other = _other(tmp_path)
    _import(capsys, LATEST)
    _import(capsys, other)
    move_like_m("trivia", OTHER_IMAGE, "general-knowledge")
    _import(capsys, LATEST)
    exported = tmp_path / "gk.apkg"
    code, _out, err = run_cli(capsys, "export", "general-knowledge", "-o", str(exported))
    assert code == 0, err
    stdout = run_anki(tmp_path, CHECK, str(other), str(exported), str(tmp_path / "anki.anki2"))
    assert json.loads(stdout.strip().splitlines()[-1]) == {"before": 5, "after": 7, "new": 2, "same": 1}


def test_a_card_moved_in_from_a_deck_of_yours(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, LATEST)
    (home / "decks" / "mine.toml").write_text(
        'format = 1\n\n[deck]\nid = "mine"\nname = "Mine"\n\n[[cards]]\nid = "m1"\nfront = "q"\nback = "a"\n'
    )
    move_like_m("mine", "m1", "general-knowledge")
    out = _import(capsys, LATEST)
    assert KEPT in out, out
    assert _cards(home, "general-knowledge")["m1"].front == "q"


def test_a_card_moved_between_decks_of_the_package_then_deleted_upstream_stays(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moved into another deck of the package, it is the learner's there: the package's new
    version not holding it anywhere does not remove it. One the package still holds moves back
    (`test_h23_moved_out_reimport`)."""
    _import(capsys, LEGACY)
    move_like_m("general-knowledge", IMAGE, "languages-spanish")
    out = _import(capsys, _without_image(tmp_path))
    assert "deck languages-spanish: 0 added, 0 changed, 0 removed, 4 unchanged\n" + KEPT in out, out
    assert IMAGE in _cards(home, "languages-spanish")


def test_moving_a_card_back_home_is_no_move_in(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _import(capsys, LATEST)
    move_like_m("general-knowledge", IMAGE, "languages-spanish")
    spanish = load_keep(keep_path(home / "decks", "languages-spanish"))
    assert spanish is not None and spanish.moved_in == {IMAGE}
    move_like_m("languages-spanish", IMAGE, "general-knowledge")
    home_keep = load_keep(keep_path(home / "decks", "general-knowledge"))
    spanish = load_keep(keep_path(home / "decks", "languages-spanish"))
    assert home_keep is not None and spanish is not None
    assert home_keep.moved_in == set() and spanish.moved_in == set()


def test_a_sidecar_written_before_it_said_which_cards_the_package_gave(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without `given` the package's cards are those with an entry; with neither new key the
    file still reads."""
    _import(capsys, LATEST)
    mine = _add(capsys, "general-knowledge", "my own q", "my a")
    path = keep_path(home / "decks", "general-knowledge")
    data = json.loads(path.read_text("utf-8"))
    del data["given"]
    path.write_text(json.dumps(data), "utf-8")
    old = load_keep(path)
    assert old is not None and old.given is None and old.moved_in == set() and IMAGE in old.notes
    out = _import(capsys, LATEST)
    assert KEPT in out and mine in _cards(home, "general-knowledge"), out


def test_a_package_retain_wrote(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its notes have no entries (retain's own GUIDs): what the package gave is kept all the same,
    so a card the sharer deleted is removed and the learner's own stays."""
    deck = tmp_path / "brokers.toml"
    body = 'format = 1\n\n[deck]\nid = "brokers"\nname = "Brokers"\nversion = "1.0.0"\n'
    cards = '\n[[cards]]\nid = "c1"\nfront = "topic?"\nback = "log"\n\n[[cards]]\nid = "c2"\nfront = "ISR?"\nback = "in sync"\n'
    deck.write_text(body + cards, "utf-8")
    _import(capsys, deck)
    v1, v2 = tmp_path / "v1.apkg", tmp_path / "v2.apkg"
    assert run_cli(capsys, "export", "brokers", "-o", str(v1))[0] == 0
    (home / "decks" / "brokers.toml").write_text(body + cards.split("\n\n[[cards]]")[0] + "\n", "utf-8")
    assert run_cli(capsys, "export", "brokers", "-o", str(v2))[0] == 0

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "learner"))
    _import(capsys, v1)
    mine = _add(capsys, "brokers", "my own q", "my a")
    out = _import(capsys, v2)
    assert "  - c2\n" in out and KEPT in out, out
    assert set(_cards(tmp_path / "learner", "brokers")) == {"c1", mine}


def test_other_formats_are_as_before(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A `.toml` (Anki text, Markdown) keeps no record of the cards it gave: a re-import
    removes a card the file does not hold, as `docs/sharing.md` says."""
    deck = tmp_path / "brokers.toml"
    deck.write_text(
        'format = 1\n\n[deck]\nid = "brokers"\nname = "B"\n\n[[cards]]\nid = "c1"\nfront = "q"\nback = "a"\n'
    )
    _import(capsys, deck)
    mine = _add(capsys, "brokers", "my own q", "my a")
    out = _import(capsys, deck)
    assert f"  - {mine}\n" in out and "kept, added" not in out, out


_ID = st.from_regex(r"[a-z0-9]{1,6}", fullmatch=True)


@given(st.lists(_ID, unique=True, max_size=5), st.data())
def test_the_new_keys_round_trip(ids: list[str], data: st.DataObject) -> None:
    given_ids = data.draw(st.none() | st.sets(st.sampled_from(ids)) if ids else st.none() | st.just(set()))
    moved = data.draw(st.sets(st.sampled_from(ids)) if ids else st.just(set()))
    keep = AnkiKeep(
        notetypes={7: {"name": "Basic", "kind": "basic", "flds": ["F"], "tmpls": [], "css": "", "mod": 0}},
        notes={i: KeptNote(f"g{i}", 7, [i], "s") for i in ids},
        cards={i: KeptCard(2500, 1, 0, 5) for i in ids},
        given=given_ids,
        moved_in=moved,
    )
    raw = json.loads(keep.to_json())
    assert ("given" in raw) == (given_ids is not None) and ("moved_in" in raw) == bool(moved)


@given(
    st.one_of(st.integers(), st.text(), st.none(), st.lists(st.one_of(st.integers(), st.text(), st.none()))),
    st.one_of(
        st.integers(), st.text(), st.dictionaries(st.text(), st.text()), st.lists(st.text() | st.integers())
    ),
)
def test_hostile_new_keys_are_left_out(
    tmp_path_factory: pytest.TempPathFactory, gave: object, moved: object
) -> None:
    path = tmp_path_factory.mktemp("keep") / "d.anki.json"
    path.write_text(json.dumps({"format": 1, "notetypes": {}, "notes": {}, "given": gave, "moved_in": moved}))
    keep = load_keep(path)
    assert keep is not None
    assert keep.given == ({x for x in gave if isinstance(x, str)} if isinstance(gave, list) else None)
    assert keep.moved_in == ({x for x in moved if isinstance(x, str)} if isinstance(moved, list) else set())


def _deck(ids: list[str]) -> Deck:
    return Deck(id="d", name="D", cards=tuple(Card(id=i, kind="basic", front=i, back=i) for i in ids))


@given(st.lists(_ID, unique=True, max_size=8), st.lists(_ID, unique=True, max_size=8), st.data())
def test_your_cards_keep_their_place(old_ids: list[str], new_ids: list[str], data: st.DataObject) -> None:
    from retain.interop.own_cards import with_own

    free = [i for i in old_ids if i not in new_ids]
    own = data.draw(st.lists(st.sampled_from(free), unique=True) if free else st.just([]))
    own = [i for i in old_ids if i in own]  # (in the deck's order)
    old, new = _deck(old_ids), _deck(new_ids)
    out = [c.id for c in with_own(new, old, [c for c in old.cards if c.id in own]).cards]
    assert [i for i in out if i not in own] == new_ids and [i for i in out if i in own] == own
    for i in own:  # right after the card it followed (its own cards aside), or first
        before = [j for j in old_ids[: old_ids.index(i)] if j in new_ids]
        placed = [j for j in out[: out.index(i)] if j not in own]
        assert placed == (new_ids[: new_ids.index(before[-1]) + 1] if before else [])
