"""`export --with-progress`: a card moved to another deck takes its review history with it."""

from __future__ import annotations

import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop.native import deck_file_text
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_card
from retain.store.home import open_home
from retain.store.state.progress_edits import move_progress

from .conftest import run_cli

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RT = Deck(
    id="rt",
    name="Round trip",
    group="G",
    cards=(Card(id="a", front="q", back="b"), Card(id="c", front="q3", back="b3")),
)
OTHER = Deck(id="other", name="Other", group="G", cards=(Card(id="z", front="q9", back="b9"),))


def _review(col: Collection, key: str, at: datetime, rating: int) -> None:
    after = CardState(REVIEW, None, 5.0, 6.0, at + timedelta(days=3), at, 1)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), rating, 1000))


def _ratings(path: Path) -> list[tuple[str, int]]:
    data = tomllib.loads(path.read_text("utf-8"))
    return [(r["key"], r["rating"]) for r in data.get("review", []) if r["kind"] == "review"]


@pytest.fixture
def moved(home: Path) -> Path:
    """`rt/a` rated twice, moved to `other` (the browser's `m`), rated there once; `rt/c` rated once
    and moved there too."""
    (home / "decks").mkdir(parents=True)
    for made in (RT, OTHER):
        (home / "decks" / f"{made.id}.toml").write_text(deck_file_text(made), "utf-8")
    with Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, tz=UTC) as col:
        _review(col, "rt/a", NOW - timedelta(days=3), 2)
        _review(col, "rt/a", NOW - timedelta(days=2), 4)
        _review(col, "rt/c", NOW - timedelta(days=2, hours=1), 1)
        assert move_card(col, "rt", "a", "other", NOW - timedelta(days=1)).deck_id == "other"
        assert move_card(col, "rt", "c", "other", NOW - timedelta(days=1)).deck_id == "other"
        _review(col, "other/a", NOW - timedelta(hours=3), 3)
    return home


def test_a_moved_cards_history_goes_with_the_deck_it_is_in_now(
    moved: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The history went with the deck the reviews were made in: `other` was exported without
    the moved card's past reviews, and `rt` with them (under a key no card of it has)."""
    for deck in ("other", "rt"):
        assert (
            run_cli(capsys, "export", deck, "-o", str(tmp_path / f"{deck}.toml"), "--with-progress")[0] == 0
        )
    assert _ratings(tmp_path / "other.progress.toml") == [
        ("other/a", 2),
        ("other/c", 1),
        ("other/a", 4),
        ("other/a", 3),
    ]
    assert _ratings(tmp_path / "rt.progress.toml") == []
    code, out, _ = run_cli(capsys, "export", "G", "-o", f"{tmp_path / 'g'}/", "--with-progress")
    assert code == 0 and "4 review(s)" in out
    assert _ratings(tmp_path / "g" / "other.progress.toml") == _ratings(tmp_path / "other.progress.toml")
    assert _ratings(tmp_path / "g" / "rt.progress.toml") == []


@pytest.mark.parametrize("suffix", [".toml", ".apkg"])
def test_the_moved_history_imports_into_the_card(
    moved: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    suffix: str,
) -> None:
    out = str(tmp_path / f"other{suffix}")
    assert run_cli(capsys, "export", "other", "-o", out, "--with-progress")[0] == 0
    with Collection.open(open_home({"RETAIN_HOME": str(moved)}), NOW, tz=UTC) as col:
        want = col.states["other/a"]
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "dst"))
    assert run_cli(capsys, "import", out, "--with-history")[0] == 0
    with Collection.open(open_home({"RETAIN_HOME": str(tmp_path / "dst")}), NOW, tz=UTC) as col:
        assert col.states["other/a"].due == want.due
        assert [r.rating for r in col.history_index.card_reviews(NOW, "other/a")] == [2, 4, 3]


def test_a_card_moved_away_and_back_keeps_all_its_history_in_its_deck(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "decks").mkdir(parents=True)
    for made in (RT, OTHER):
        (home / "decks" / f"{made.id}.toml").write_text(deck_file_text(made), "utf-8")
    with Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, tz=UTC) as col:
        _review(col, "rt/a", NOW - timedelta(days=5), 2)
        move_progress(col, {"rt/a": "other/a"}, NOW - timedelta(days=4))
        _review(col, "other/a", NOW - timedelta(days=3), 4)
        move_progress(col, {"other/a": "rt/a"}, NOW - timedelta(days=2))
        _review(col, "rt/a", NOW - timedelta(days=1), 3)
    for deck in ("other", "rt"):
        assert (
            run_cli(capsys, "export", deck, "-o", str(tmp_path / f"{deck}.toml"), "--with-progress")[0] == 0
        )
    assert _ratings(tmp_path / "rt.progress.toml") == [("rt/a", 2), ("rt/a", 4), ("rt/a", 3)]
    assert _ratings(tmp_path / "other.progress.toml") == []
