"""Builders shared by the store tests: a real RETAIN_HOME with a small deck, events, clocks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

DECK = """format = 1

[deck]
id = "tiny"
name = "Tiny deck"
group = "Tests"

[[cards]]
id = "one"
front = "One?"
back = "1"

[[cards]]
id = "two"
kind = "reversed"
front = "Two?"
back = "2"

[[cards]]
id = "three"
kind = "cloze"
text = "{{c1::Three}} and {{c2::four}}"
"""
KEYS = ("tiny/one", "tiny/two", "tiny/two:reverse", "tiny/three:c1", "tiny/three:c2")


def make_home(root: Path, deck: str = DECK) -> Home:
    """A RETAIN_HOME at `root` with the tiny deck in its deck folder (plus the bundled decks)."""
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "tiny.toml").write_text(deck, encoding="utf-8")
    return open_home({"RETAIN_HOME": str(root)})


def review_state(at: datetime, days: float = 3.0, stability: float = 3.0) -> CardState:
    return CardState(
        state=REVIEW,
        stability=stability,
        difficulty=5.0,
        due=at + timedelta(days=days),
        last_review=at,
        reps=2,
        lapses=0,
    )


def rate(col: Collection, key: str, at: datetime, rating: int = 3) -> Event:
    """Record one review of `key` at `at` through the collection (a plain, valid state)."""
    before = col.states.get(key)
    after = review_state(at, days=rating)
    event = Event(col.new_event_id(at), "review", key, at, after, before, rating, 1234)
    col.record(event)
    return event


def open_col(home: Home, now: datetime = NOW, **kw: object) -> Collection:
    return Collection.open(home, now, tz=UTC, **kw)  # type: ignore[arg-type]


def journal_paths(root: Path) -> list[Path]:
    return sorted((root / "state" / "devices").glob("*/journal-*.toml"))


def delete_snapshots(root: Path, *, cache: bool = False) -> None:
    """Snapshots and manifest gone (and `cache/`): the next start replays every journal, the
    reference every merge must agree with."""
    import shutil

    for path in (root / "state").glob("snapshots*"):
        path.unlink() if path.is_file() else shutil.rmtree(path)
    if cache:
        shutil.rmtree(root / "cache", ignore_errors=True)


def states_at(root: Path, at: datetime) -> dict[str, CardState]:
    """The card states a start of the home at `root` gives at `at` (then closed, compacting)."""
    col = open_col(make_home(root), at)
    try:
        return dict(col.states)
    finally:
        col.close(at)
