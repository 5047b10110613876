"""A group's `export --with-progress` to one `.apkg` reads the history a deck at a time.

It held every event of every deck at once: 290k events of a 50k-card group took ~480 MB (the
issue's ceiling for any command at 50k cards is 200 MB). Now `DecksHistory` hands the writer
one deck's events at a time; the package must be exactly the one the whole history made,
with cards moved between the group's decks, an undo, and an Anki-style kept ease among them.
"""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.due import deck_of
from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop.exporter import export_decks
from retain.interop.native import deck_file_text
from retain.interop.progress_moves import DecksHistory, decks_history
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_card
from retain.store.home import open_home

from .conftest import run_cli

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DECKS = (
    Deck(
        id="rt",
        name="Round trip",
        group="G",
        cards=tuple(Card(id=f"r{i}", front=f"q{i}", back="b") for i in range(6)),
    ),
    Deck(id="other", name="Other", group="G", cards=(Card(id="z", front="q9", back="b9"),)),
    Deck(
        id="third",
        name="Third",
        group="G",
        cards=tuple(Card(id=f"t{i}", front=f"w{i}", back="b") for i in range(4)),
    ),
)


def _review(col: Collection, key: str, at: datetime, rating: int) -> Event:
    before = col.states.get(key)
    n = before.reps + 1 if before is not None else 1
    after = CardState(REVIEW, None, 2.0 + n, 5.0, at + timedelta(days=n * rating), at, n)
    event = Event(col.new_event_id(at), "review", key, at, after, before, rating, 1000 * n)
    col.record(event)
    return event


@pytest.fixture
def studied(home: Path) -> Path:
    (home / "decks").mkdir(parents=True)
    for made in DECKS:
        (home / "decks" / f"{made.id}.toml").write_text(deck_file_text(made), "utf-8")
    with Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, tz=UTC) as col:
        at = NOW - timedelta(days=20)
        for n in range(3):  # interleaved across decks, as a learner studies a group
            for deck in DECKS:
                for card in deck.cards:
                    at += timedelta(minutes=7)
                    _review(col, f"{deck.id}/{card.id}", at, 1 + (n + len(card.id)) % 4)
        slip = _review(col, "third/t1", at + timedelta(minutes=1), 1)
        col.record(
            Event(
                col.new_event_id(at + timedelta(minutes=2)),
                "undo",
                "third/t1",
                at + timedelta(minutes=2),
                slip.before,
                slip.after,
                undoes=slip.id,
            )
        )
        assert move_card(col, "rt", "r2", "other", NOW - timedelta(days=2)).deck_id == "other"
        assert move_card(col, "third", "t3", "rt", NOW - timedelta(days=2)).deck_id == "rt"
        _review(col, "other/r2", NOW - timedelta(hours=5), 3)
        _review(col, "rt/t3", NOW - timedelta(hours=4), 4)
    return home


def _tables(package: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """(revlog rows, card rows), each card named by its note's sort field and template."""
    db_path = package.with_suffix(".anki2")
    db_path.write_bytes(zipfile.ZipFile(package).read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        name = dict(
            db.execute("SELECT c.id, n.sfld || ':' || c.ord FROM cards c JOIN notes n ON n.id = c.nid")
        )
        revlog = sorted(
            (name[cid], rid, *rest)
            for rid, cid, *rest in db.execute(
                "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog"
            )
        )
        cards = sorted(
            (name[cid], *rest)
            for cid, *rest in db.execute(
                "SELECT id, type, queue, due, ivl, factor, reps, lapses, left FROM cards"
            )
        )
    finally:
        db.close()
    return revlog, cards


def test_the_group_package_is_the_one_the_whole_history_makes(
    studied: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "g.apkg"
    code, said, _ = run_cli(capsys, "export", "G", "-o", str(out), "--with-progress")
    home = open_home({"RETAIN_HOME": str(studied)})
    library = home.library()
    decks = [d for d in library.decks if d.group == "G"]
    ids = [d.id for d in decks]
    with Collection.open(home, NOW, read_only=True, tz=UTC) as col:
        whole = decks_history(col.history_index, ids, NOW)
        states = {k: v for k, v in col.states.items() if k.split("/", 1)[0] in ids}
        export_decks(
            decks,
            tmp_path / "whole.apkg",
            now=NOW,
            states=states,
            reviews=whole,
            decks_dir=home.paths.decks_dir,
        )
        by_deck = [r for r in DecksHistory(col.history_index, ids, NOW)]
    ratings = sum(1 for r in whole if r.kind == "review")
    assert code == 0 and f"and {ratings} review(s)" in said
    assert sorted(by_deck, key=lambda r: (r.key, r.time)) == sorted(whole, key=lambda r: (r.key, r.time))
    assert any(r.key == "other/r2" for r in by_deck) and any(r.key == "rt/t3" for r in by_deck)
    assert not any(
        r.key == "third/t1" and r.rating == 1 and r.time > NOW - timedelta(days=3) for r in by_deck
    )
    got, want = _tables(out), _tables(tmp_path / "whole.apkg")
    assert len(got[0]) == ratings
    assert [row[:1] + row[2:] for row in got[0]] == [row[:1] + row[2:] for row in want[0]]
    assert [row[:3] + row[4:] for row in got[1]] == [row[:3] + row[4:] for row in want[1]]


def test_the_history_is_read_a_deck_at_a_time(studied: Path) -> None:
    """Each deck's events are read when the writer asks for that deck (a deck's own, and those a
    card moved into it had in another), never the group's at once; asking whether there is any
    history reads up to the first deck that has some, once."""
    home = open_home({"RETAIN_HOME": str(studied)})
    with Collection.open(home, NOW, read_only=True, tz=UTC) as col:
        history = col.history_index
        asked: list[list[str]] = []
        events = history.events

        def counting(
            now: datetime, *, decks: Sequence[str] | None = None, since: datetime | None = None
        ) -> list[Event]:
            asked.append(list(decks or []))
            return events(now, decks=decks, since=since)

        history.events = counting  # type: ignore[method-assign]
        reviews = DecksHistory(history, ["rt", "other", "third"], NOW)
        assert reviews and asked[0] == ["rt"] and ["other"] not in asked
        read = len(asked)  # (rt's, and the events rt/t3 had in `third` before it moved in)
        assert {deck_of(r.key) for r in reviews.of("rt")} == {"rt"}
        assert len(asked) == read  # (the deck read to answer `bool` is handed out, not read again)
        for deck in ("other", "third"):
            assert {deck_of(r.key) for r in reviews.of(deck)} == {deck}
        assert asked.count(["other"]) == 1  # (no card moved out of it: read for itself only)
        assert all(len(call) == 1 for call in asked)
        assert reviews.ratings == sum(
            1 for r in decks_history(history, ["rt", "other", "third"], NOW) if r.kind == "review"
        )
