"""`import --with-history` makes an Anki log's events a group of cards at a time
(`apkg_history.AnkiHistory.chunks`): a log of a million rows held all its events at once (~850
bytes each: 1.1 GB peak). Whatever the group size, the import must record exactly what one
group of every card records: the same journal events, states, stats and due counts."""

from __future__ import annotations

import json
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

from .anki_fixture import read_history
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
