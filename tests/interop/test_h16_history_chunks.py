"""`import --with-history` makes an Anki log's events a group of cards at a time
(`apkg_history.AnkiHistory.chunks`): a log of a million rows held all its events at once (~850
bytes each: 1.1 GB peak). Whatever the group size, the import must record exactly what one
group of every card records: the same journal events, states, stats and due counts."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from retain.cli import main
from retain.core.model import Card, Deck
from retain.interop import progress_io
from retain.interop.anki import apkg_history
from retain.interop.anki.apkg_history import AnkiHistory
from retain.interop.exporter import export_decks
from retain.interop.native import deck_file_text
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import changed_package, read_history
from .test_apkg_history import REVIEWED
from .test_h9_progress_anki import _study

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DECK = Deck(
    id="h9",
    name="H9",
    cards=(
        *(Card(id=f"c{i}", front=f"q{i}", back=f"a{i}") for i in range(9)),
        Card(id="r", kind="reversed", front="rq", back="ra"),
    ),
)


def _package(tmp_path: Path) -> Path:
    root = tmp_path / "source"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "h9.toml").write_text(deck_file_text(DECK), "utf-8")
    home = open_home({"RETAIN_HOME": str(root)})
    _study(home, seed=16, days=120)
    states, reviews = progress_io.deck_progress(home, "h9", NOW)
    out = tmp_path / "h9.apkg"
    export_decks([DECK], out, now=NOW, states=states, reviews=reviews, decks_dir=home.paths.decks_dir)
    return out


def _imported(
    root: Path, package: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[str, dict[str, Any], list[Any], list[Any]]:
    monkeypatch.setenv("RETAIN_HOME", str(root))
    assert main(["import", str(package), "--with-history"]) == 0
    said = capsys.readouterr().out.replace(str(root), "HOME")
    with Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW + timedelta(days=1), tz=UTC) as col:
        states = dict(col.states)
        events = sorted(
            (e.key, e.time, e.kind, e.rating, e.after, e.before)
            for e in col.history_index.events(NOW + timedelta(days=1))
        )
    outputs = []
    for command in ("due", "stats"):
        assert main([command, "--json"]) == 0
        outputs.append(json.loads(capsys.readouterr().out))
    return said, states, events, outputs


def test_any_group_size_records_what_one_group_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path)
    whole = _imported(tmp_path / "whole", package, monkeypatch, capsys)
    assert len(whole[2]) > 40  # (a real log: many events of many cards)
    monkeypatch.setattr(apkg_history, "_CHUNK_CARDS", 3)  # 11 cards: 4 groups
    grouped = _imported(tmp_path / "grouped", package, monkeypatch, capsys)
    assert grouped == whole


def test_the_history_is_made_in_groups_and_as_a_sequence_is_every_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = _package(tmp_path)
    monkeypatch.setattr(apkg_history, "_CHUNK_CARDS", 3)
    history = read_history(tmp_path, package).reviews
    assert isinstance(history, AnkiHistory)
    chunks = list(history.chunks())
    assert len(chunks) >= 4
    for chunk in chunks:  # each group in time order, each card in one group only
        assert [r.time for r in chunk] == sorted(r.time for r in chunk)
    keys = [{r.key for r in chunk} for chunk in chunks]
    assert sum(len(k) for k in keys) == len(set().union(*keys)) == len(history.unit_keys())
    every = [r for chunk in chunks for r in chunk]
    assert sorted(every, key=lambda r: r.time) == list(history)
    assert history.estimate() <= len(history)  # rows (+ set-aside events): resets add events
    renamed = history.renamed(lambda key: key.replace("h9/", "other/"))
    assert renamed.unit_keys() == {k.replace("h9/", "other/") for k in history.unit_keys()}
    assert [r.key for r in renamed] == [r.key.replace("h9/", "other/") for r in history]


def _two_card_rows_for_one_note(conn: sqlite3.Connection) -> None:
    """A second `cards` row for the fixture's reviewed card's note and template (one retain card),
    reviewed before and after the first row's reviews; and more cards, so groups of one split it."""
    (cid, first) = conn.execute("SELECT cid, min(id) FROM revlog WHERE cid = ?", (REVIEWED,)).fetchone()
    conn.execute(
        "INSERT INTO cards SELECT id + 1000, nid, did, ord, mod, usn, type, queue, due, ivl, factor,"
        " reps, lapses, left, odue, odid, flags, data FROM cards WHERE id = ?",
        (cid,),
    )
    day = 86_400_000
    conn.execute("INSERT INTO revlog VALUES (?, ?, -1, 3, 1, 0, 2500, 1000, 0)", (first - day, cid + 1000))
    conn.execute(
        "INSERT INTO revlog VALUES (?, ?, -1, 3, 9, 1, 2500, 1000, 1)", (first + 5 * day, cid + 1000)
    )


def _history_lines(root: Path, args: list[str], capsys: pytest.CaptureFixture[str]) -> list[str]:
    import os

    os.environ["RETAIN_HOME"] = str(root)
    assert main(args) == 0
    return [line for line in capsys.readouterr().out.splitlines() if "review history" in line]


def test_two_anki_cards_of_one_retain_card_stay_in_one_group(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Groups were made of Anki card ids: when two `cards` rows of one note and template (one
    retain card) fell into two groups, the second group found the card's progress from the first
    and said "1 card(s) already had progress here and kept it" on a first import."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "unused"))
    package = changed_package(tmp_path, _two_card_rows_for_one_note)
    said = {}
    for size in (apkg_history._CHUNK_CARDS, 1):
        monkeypatch.setattr(apkg_history, "_CHUNK_CARDS", size)
        home = tmp_path / f"home{size}"
        args = ["import", str(package), "--with-history"]
        said[size] = [
            _history_lines(home, [*args, "--dry-run"], capsys),
            _history_lines(home, args, capsys),
            _history_lines(home, args, capsys),
        ]
    first, one = said.values()
    assert one == first
    assert "kept" not in first[1][0]


def test_a_reimport_of_reviews_made_at_one_moment_records_nothing_in_any_group_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """retain's .apkg gives reviews of one moment (a time with microseconds) the revlog ids ms,
    ms+1, ms+2; whether each is held here is decided over the run of milliseconds the whole import
    uses. With groups of one card, cards 2 and 3 saw only their own millisecond: imported back,
    2 reviews were recorded a second time."""
    from retain.core.state import REVIEW, CardState, Event

    root = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(root))
    moment = datetime(2026, 11, 1, 10, 0, 0, 123456, tzinfo=UTC)
    with Collection.open(open_home(), moment) as col:
        keys = sorted(u.key for u in col.units if u.key.startswith("redis/"))[:3]
        for key in keys:
            after = CardState(REVIEW, None, 5.0, 5.0, moment + timedelta(days=5), moment, 1, 0)
            col.record(Event(col.new_event_id(moment), "review", key, moment, after, None, 3, 1000))
    package = tmp_path / "redis.apkg"
    assert main(["export", "redis", "-o", str(package), "--with-progress"]) == 0
    capsys.readouterr()
    monkeypatch.setattr(apkg_history, "_CHUNK_CARDS", 1)
    lines = _history_lines(root, ["import", str(package), "--with-history", "--force"], capsys)
    assert lines and lines[0].startswith("recorded 0 event(s)"), lines
    assert "3 card(s) already had progress here" in lines[0], lines


def test_a_home_holding_some_of_the_history_still_takes_it_a_group_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second import of a log (`--force`, or after the first was cut short) compared it as one
    group: every event of a long log at once (251 MB for 117,706 rows, against 156 MB the first
    time). Groups stay groups; what is held is still decided over the whole import."""
    package = _package(tmp_path)
    monkeypatch.setattr(apkg_history, "_CHUNK_CARDS", 3)  # 11 cards: 4 groups
    root = tmp_path / "home"
    first = _imported(root, package, monkeypatch, capsys)
    history = read_history(tmp_path, package).reviews
    assert isinstance(history, AnkiHistory)
    with Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=UTC) as col:
        held, groups = progress_io.import_groups(col, history, NOW)
        sizes = [len({r.key for r in group}) for group in groups]
        assert held and len(sizes) >= 4 and max(sizes) <= 3, sizes
        for group in history.chunks():  # every event of the log is held, in every group
            assert progress_io.history_to_record(col, group, NOW, held)[0] == []
    lines = _history_lines(root, ["import", str(package), "--with-history", "--force"], capsys)
    assert lines and lines[0].startswith("recorded 0 event(s)"), lines
    assert _imported(root, package, monkeypatch, capsys)[1:] == first[1:]
