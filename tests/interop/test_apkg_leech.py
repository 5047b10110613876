"""retain's leech mark and Anki's ("leech", a note tag) through an `.apkg`, both ways."""

from __future__ import annotations

import sqlite3
import tempfile
import zipfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop import progress_io
from retain.interop.bundle import Bundle
from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.interop.native import deck_file_text
from retain.store.collection import Collection
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DECK = Deck(
    id="rt",
    name="Round trip",
    cards=(Card(id="a", front="q", back="b"), Card(id="b", front="q2", back="b2", tags=("leech", "verbs"))),
)


def _source(root: Path) -> Home:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "rt.toml").write_text(deck_file_text(DECK), "utf-8")
    home = open_home({"RETAIN_HOME": str(root)})
    with Collection.open(home, NOW, tz=UTC) as col:
        for key, leech in (("rt/a", True), ("rt/b", False)):
            at = NOW - timedelta(days=2)
            after = CardState(REVIEW, None, 5.0, 6.0, at + timedelta(days=3), at, 9, 8, leech=leech)
            col.record(Event(col.new_event_id(at), "review", key, at, after, None, 1, 1000))
    return home


def _import(root: Path, package: Path, with_history: bool = True) -> tuple[Bundle, dict[str, CardState]]:
    home = open_home({"RETAIN_HOME": str(root)})
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(package, Path(stage), with_history=with_history)
        apply_import(plan_import(bundle, home.library(), home.paths.decks_dir), home.paths.decks_dir)
        progress_io.record_history(home, bundle.reviews, NOW)
    return bundle, progress_io.deck_progress(home, "rt", NOW)[0]


def _note_tags(package: Path, tmp: Path, set_tags: dict[str, str] | None = None) -> dict[str, list[str]]:
    """The package's note tags by GUID (after setting those of `set_tags`, GUID -> tags)."""
    db_path = tmp / "collection.anki2"
    with zipfile.ZipFile(package) as zf:
        db_path.write_bytes(zf.read("collection.anki2"))
        others = {n: zf.read(n) for n in zf.namelist() if n != "collection.anki2"}
    db = sqlite3.connect(db_path)
    with db:
        for guid, tags in (set_tags or {}).items():
            db.execute("UPDATE notes SET tags = ? WHERE guid = ?", (tags, guid))
    found = {str(g): str(t).split() for g, t in db.execute("SELECT guid, tags FROM notes")}
    db.close()
    if set_tags:
        with zipfile.ZipFile(package, "w") as zf:
            zf.write(db_path, "collection.anki2")
            for name, data in others.items():
                zf.writestr(name, data)
    return found


def test_a_leech_goes_to_anki_tagged_leech_and_comes_back_a_leech(tmp_path: Path) -> None:
    """The leech mark was lost through an .apkg: Anki's mark, the note tag "leech", was not written,
    and a package's "leech" tag came back as a card tag, never as the mark. A card's own "leech"
    tag stays a tag, and marks nothing."""
    src = _source(tmp_path / "src")
    states, reviews = progress_io.deck_progress(src, "rt", NOW)
    out = tmp_path / "rt.apkg"
    export_decks([DECK], out, now=NOW, states=states, reviews=reviews, decks_dir=src.paths.decks_dir)
    tags = _note_tags(out, tmp_path)
    assert tags["rt/a"] == ["leech"] and tags["rt/b"] == ["leech", "verbs"]
    bundle, got = _import(tmp_path / "dst", out)
    assert [c.tags for c in bundle.decks[0].cards] == [(), ("leech", "verbs")]  # the mark is no card tag
    assert got["rt/a"].leech and not got["rt/b"].leech
    assert got["rt/a"].lapses == 8


def test_an_anki_note_tagged_leech_marks_its_cards_with_the_history(tmp_path: Path) -> None:
    src = _source(tmp_path / "src")
    states, reviews = progress_io.deck_progress(src, "rt", NOW)
    states = {k: replace(s, leech=False) for k, s in states.items()}
    deck = replace(DECK, cards=(DECK.cards[0], replace(DECK.cards[1], tags=())))
    out = tmp_path / "anki.apkg"
    export_decks([deck], out, now=NOW, states=states, reviews=reviews, decks_dir=src.paths.decks_dir)
    assert _note_tags(out, tmp_path) == {"rt/a": [], "rt/b": []}
    _note_tags(out, tmp_path, {"rt/b": " Leech marked "})  # as Anki tags a leech (in any case)
    bundle, got = _import(tmp_path / "dst", out)
    assert [c.tags for c in bundle.decks[0].cards] == [(), ("marked",)]
    assert got["rt/b"].leech and not got["rt/a"].leech
    bundle, got = _import(tmp_path / "plain", out, with_history=False)  # no progress: no mark, no tag
    assert [c.tags for c in bundle.decks[0].cards] == [(), ("marked",)] and got == {}
