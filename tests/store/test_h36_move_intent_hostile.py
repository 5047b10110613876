"""h36 (attacker 53): a `state/moving.toml` the next start finds is only ever acted on as a move of
this library's deck files, never hangs a start, and is never overwritten by a later move.

Found: a record naming a FIFO hung every start, `retain stats` too (`/dev/zero`: a MemoryError
traceback); a planted or stale record made a writer's start remove a card from a deck file
outside the library; a move whose journal write failed kept its record for the next start, but
the next move of that session overwrote it, and the first card came back new."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import tomli_w

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection, CollectionError
from retain.store.decks import card_edits
from retain.store.decks.deckedit import DeckEditError
from retain.store.home import open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def _deck(deck_id: str, cards: list[str]) -> str:
    body = "".join(f'[[cards]]\nid = "{c}"\nfront = "f {c}"\nback = "b {c}"\n\n' for c in cards)
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\n\n{body}'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "alpha.toml").write_text(_deck("alpha", ["a0", "a1", "a2"]), encoding="utf-8")
    (root / "decks" / "beta.toml").write_text(_deck("beta", ["b0"]), encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(root))
    return root


def _plant(home: Path, path: str, before: str = "0" * 64, removed: list[list[object]] | None = None) -> None:
    (home / "state").mkdir(exist_ok=True)
    data = {
        "format": 1,
        "time": NOW,
        "what": "1 card to deck beta",
        "moves": {"alpha/a0": "beta/a0"},
        "files": [{"path": path, "before": before, "after": "1" * 64, "removed": removed or []}],
    }
    (home / "state" / "moving.toml").write_text(tomli_w.dumps(data), encoding="utf-8")


def _open_within(seconds: float, **kw: object) -> list[str]:
    said: list[str] = []

    def run() -> None:
        col = Collection.open(open_home(), NOW, tz=UTC, **kw)  # type: ignore[arg-type]
        said.extend(col.messages)
        col.close(NOW)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), "the start hung on a file the record names"
    return said


@pytest.mark.parametrize("read_only", [True, False], ids=["reader", "writer"])
@pytest.mark.parametrize("kind", ["fifo", "dev-zero"])
def test_a_record_naming_a_fifo_or_a_device_never_holds_a_start(
    home: Path, tmp_path: Path, kind: str, read_only: bool
) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe.toml"
        os.mkfifo(target)
        _plant(home, str(target))
    else:
        _plant(home, "/dev/zero")
    _open_within(20, read_only=read_only)


def test_a_record_naming_a_file_outside_the_library_never_changes_it(home: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside" / "victim.toml"
    outside.parent.mkdir()
    text = _deck("victim", ["v0", "v1"])
    outside.write_text(text, encoding="utf-8")
    import hashlib

    _plant(home, str(outside), hashlib.sha256(text.encode()).hexdigest(), [["v0", False]])
    said = _open_within(20)
    assert outside.read_text(encoding="utf-8") == text
    assert any("left as they are" in m for m in said), said
    assert not (home / "state" / "moving.toml").exists()


def _reviewed(col: Collection, key: str, at: datetime) -> CardState:
    state = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 2, 0)
    col.record(Event(col.new_event_id(at), "review", key, at, state, col.states.get(key), 3, 1234))
    return state


def test_a_move_left_unfinished_is_never_overwritten_by_the_next(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    col = Collection.open(open_home(), NOW, tz=UTC)
    first = _reviewed(col, "alpha/a0", NOW)
    later = NOW + timedelta(hours=1)

    def full(*args: object, **kwargs: object) -> object:
        raise CollectionError("cannot write the journal: No space left on device")

    real = col.record_many
    col.record_many = full  # type: ignore[method-assign,assignment]
    with pytest.raises(CollectionError):
        card_edits.move_card(col, "alpha", "a0", "beta", later)
    assert (home / "state" / "moving.toml").exists()
    col.record_many = real  # type: ignore[method-assign]
    with pytest.raises(DeckEditError, match="not finished yet"):
        card_edits.move_card(col, "alpha", "a1", "beta", later + timedelta(minutes=1))
    col.close(later + timedelta(minutes=2))
    col = Collection.open(open_home(), later + timedelta(minutes=3), tz=UTC)
    try:
        assert col.states.get("beta/a0") == first
        assert any("the move is finished, its progress kept" in m for m in col.messages), col.messages
        card_edits.move_card(col, "alpha", "a1", "beta", later + timedelta(minutes=4))  # (now it can)
    finally:
        col.close(later + timedelta(minutes=5))
