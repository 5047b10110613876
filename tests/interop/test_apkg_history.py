"""`import --with-history` of Anki packages as Anki writes them (filtered decks) and as they
should never be (duplicated log rows, out-of-range values): each card keeps what can be kept."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.cli import main
from retain.core.fsrsfit import card_histories
from retain.core.model import Card
from retain.core.state import REVIEW, validate_state
from retain.interop.anki.ankidb import AnkiCard
from retain.interop.anki.apkg_history import card_reviews, card_state
from retain.store.collection import Collection
from retain.store.fsrs_presets import history_rows
from retain.store.home import open_home

from .anki_fixture import LogOnly, changed_package, read_history
from .conftest import FIXTURES

CRT = 1_795_838_400  # the fixture collection's creation time (its day 0)
REVIEWED = 1_795_857_295_140  # the fixture's one review card: due on day 1, two log rows
NEW_SIBLING = 1_795_857_295_143  # a new card in the same deck ("General Knowledge")
DAY_MS = 86_400_000
T0 = 1_700_000_000_000 + 5 * 3_600_000


def _to_filtered_deck(conn: sqlite3.Connection) -> None:
    """What Anki does when it builds a filtered deck "Cram" from both cards of "General Knowledge"."""
    decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
    decks["42"] = {"id": 42, "name": "Cram", "dyn": 1, "desc": "", "terms": [["deck:General*", 100, 0]]}
    conn.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
    conn.execute(
        "UPDATE cards SET odid = did, did = 42, odue = 5, due = -100000 + ord WHERE id IN (?, ?)",
        (REVIEWED, NEW_SIBLING),
    )


def test_a_card_in_a_filtered_deck_goes_to_its_home_deck_with_its_real_due_date(tmp_path: Path) -> None:
    """Anki keeps such a card in the filtered deck (`did`) with a placeholder `due`; its home deck
    is `odid` and its real due date `odue`. It used to make a deck "Cram" and be due in 1753."""
    plain = read_history(tmp_path, FIXTURES / "layout-anki21.apkg")
    filtered = read_history(tmp_path, changed_package(tmp_path, _to_filtered_deck))
    assert [(d.id, [c.id for c in d.cards]) for d in filtered.decks] == [
        (d.id, [c.id for c in d.cards]) for d in plain.decks
    ]
    assert [r.key for r in filtered.reviews] == [r.key for r in plain.reviews]
    last = filtered.reviews[-1].after
    assert last is not None and last.due == datetime.fromtimestamp(CRT, UTC) + timedelta(days=5)


def _without_primary_key(conn: sqlite3.Connection) -> None:
    conn.executescript(
        """CREATE TABLE r2 AS SELECT * FROM revlog; DROP TABLE revlog;
        CREATE TABLE revlog (id integer, cid integer, usn integer, ease integer, ivl integer,
          lastIvl integer, factor integer, time integer, type integer);
        INSERT INTO revlog SELECT * FROM r2; INSERT INTO revlog SELECT * FROM r2; DROP TABLE r2;"""
    )


def test_duplicated_log_rows_count_once_and_the_card_keeps_its_state(tmp_path: Path) -> None:
    """A revlog without its primary key holds each row twice: the duplicate of the last row used
    to carry the card's real state, and the import's same-time dedup dropped exactly it."""
    plain = read_history(tmp_path, FIXTURES / "layout-anki21.apkg")
    doubled = read_history(tmp_path, changed_package(tmp_path, _without_primary_key))
    assert doubled.reviews == plain.reviews
    last = doubled.reviews[-1].after
    assert last is not None and last.due is not None and last.last_review is not None
    day_1 = datetime.fromtimestamp(CRT, UTC) + timedelta(days=1)  # the card's due day (its study day)
    assert day_1 <= last.due < day_1 + timedelta(days=1)
    assert last.due == last.last_review + timedelta(days=1)  # at the time its log gives: a 1-day interval


def test_an_out_of_range_row_is_left_out_alone_and_reported_once(tmp_path: Path) -> None:
    """One absurd interval used to drop the card's whole history, with no word."""

    def absurd(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE revlog SET ivl = 3000000 WHERE id = (SELECT max(id) FROM revlog)")

    plain = read_history(tmp_path, FIXTURES / "layout-anki21.apkg")
    bad = read_history(tmp_path, changed_package(tmp_path, absurd))
    assert [r.time for r in bad.reviews] == [r.time for r in plain.reviews[:-1]]
    last = bad.reviews[-1].after
    assert last is not None and last.due == datetime.fromtimestamp(CRT, UTC) + timedelta(days=1)
    assert bad.warnings == [
        "review history: 1 review-log row(s) left out: their dates or intervals are out of range"
    ]
    assert plain.warnings == []


def _card(cid: int, due: int = 100, ivl: int = 30, type_: int = 2) -> AnkiCard:
    return AnkiCard(cid, cid, 1, 0, type_, type_, due, ivl, 2500, 3, 0, "")


def test_each_out_of_range_row_and_due_date_is_counted_and_the_rest_kept() -> None:
    notes = {n: ("deck", Card(f"c{n}", front=f"Q{n}", back="A")) for n in (1, 2, 3)}
    cards = [_card(1), _card(2, due=10**12), _card(3, due=10**15, type_=1)]
    past_9999 = 253_402_300_800_000  # 10000-01-01 in ms
    rows = [
        (-5 * DAY_MS, 1, 3, -600, 2500, 5000, 0),  # before 1970: not a review
        (0, 1, 3, -600, 2500, 5000, 0),  # id 0: not a review either
        (T0, 1, 3, -600, 2500, 5000, 0),
        (T0 + DAY_MS, 1, 3, 3_000_000, 2500, 5000, 1),  # its due date is past year 9999
        (T0 + 2 * DAY_MS, 1, 3, 3, 2500, 5000, 1),
        (past_9999, 1, 3, 3, 2500, 5000, 1),
        (T0, 2, 3, -600, 2500, 5000, 0),
        (T0 + DAY_MS, 2, 3, -(10**15), 2500, 5000, 2),  # a learning step of 30 million years
        (T0, 3, 3, -600, 2500, 5000, 0),
    ]
    warnings: list[str] = []
    reviews = card_reviews(LogOnly(rows), cards, notes, warnings)  # type: ignore[arg-type]
    t0, t2 = (datetime.fromtimestamp(ms / 1000, UTC) for ms in (T0, T0 + 2 * DAY_MS))
    kept = [("deck/c1", t0), ("deck/c1", t2), ("deck/c2", t0), ("deck/c3", t0)]
    assert sorted((r.key, r.time) for r in reviews) == kept
    assert warnings == [
        "review history: 5 review-log row(s) and 2 card due date(s) left out:"
        " their dates or intervals are out of range"
    ]
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for r in reviews:
        assert r.after is not None
        validate_state(r.after, now)
    by_key = {r.key: r.after for r in reviews}
    # a due date out of range falls back to the last review's, as other unusable values do
    assert by_key["deck/c2"] is not None and by_key["deck/c2"].due == t0 + timedelta(minutes=10)


def test_the_cards_state_is_always_one_the_store_accepts() -> None:
    """Hostile values in `cards` (dates, intervals, FSRS memory, counts) never make a state the
    store refuses: the card would lose its current state."""
    now = datetime(2026, 1, 1, tzinfo=UTC)
    for card in (
        AnkiCard(1, 1, 1, 0, 2, 2, 10**12, 10**12, 2500, 3, 0, ""),
        AnkiCard(1, 1, 1, 0, 2, 2, -(10**12), 30, 2500, 3, 0, ""),
        AnkiCard(1, 1, 1, 0, 1, 1, 10**15, 0, 2500, 3, 0, ""),
        AnkiCard(1, 1, 1, 0, 2, 2, 100, 30, 2500, -3, -1, '{"s": 1e308, "d": 5}'),
    ):
        state = card_state(card, 1_600_000_000, None, now)
        assert state is not None
        validate_state(state, now)


def _log_without_its_learning_row(conn: sqlite3.Connection) -> None:
    """The review card's log as a trimmed one (or a card given a due date by hand): review rows only."""
    start = CRT * 1000 - 80 * DAY_MS
    conn.execute("DELETE FROM revlog WHERE cid = ?", (REVIEWED,))
    for n, (ivl, last) in enumerate(((30, 12), (70, 30))):
        conn.execute(
            "INSERT INTO revlog VALUES (?, ?, 0, 3, ?, ?, 2500, 8000, 1)",
            (start + n * 30 * DAY_MS, REVIEWED, ivl, last),
        )


def test_a_log_that_starts_with_a_review_starts_from_a_learned_card_not_from_new(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its first review was recorded as made from new: the optimizer trained on the card as if
    learned from scratch (Anki's leaves such a card out) and stats counted it as added."""
    trimmed = changed_package(tmp_path, _log_without_its_learning_row)
    first = read_history(tmp_path, trimmed).reviews[0]
    assert first.before is not None and not first.before.is_new and first.before.state == REVIEW
    assert first.after is not None and first.after.reps == 1 and first.after.state == REVIEW
    root = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(root))
    assert main(["import", str(trimmed), "--with-history"]) == 0, capsys.readouterr()
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, cards=False, read_only=True)
    try:
        decks = [d.id for d in col.library.decks if (root / "decks" / f"{d.id}.toml").exists()]
        assert len([e for e in col.history_index.events(now) if e.kind == "review"]) == 2
        trained = [key for key, _days, _ratings in card_histories(history_rows(col, decks, now))]
        states = dict(col.states)
    finally:
        col.close(now)
    assert trained == []  # (before: the card, its two reviews taken as learned from new)
    shutil.rmtree(root / "state" / "snapshots")
    (root / "state" / "snapshots.toml").unlink(missing_ok=True)
    shutil.rmtree(root / "cache")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, cards=False, read_only=True)
    try:
        assert dict(col.states) == states  # a replay of the journals alone gives the same cards
    finally:
        col.close(now)
