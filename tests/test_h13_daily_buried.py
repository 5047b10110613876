"""A buried or suspended card is not available today, wherever cards are counted (h13).

As Anki's deck list: the new count (and the due count) leaves out a card buried until a
later study day and a suspended one, within the daily new-card limit; the stats table counts
such a card only as buried (or suspended), as its card counts panel does. Through the real
commands (`retain stats`, `retain due` with and without the launch summary) and the home
screen (Pilot).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import Home, open_home

DECK = 'format = 1\n[deck]\nid = "tiny"\nname = "Tiny"\n' + "".join(
    f'\n[[cards]]\nid = "{c}"\nfront = "{c.upper()}?"\nback = "{c}"\n' for c in "abcdefg"
)
# a: new, buried until tomorrow   b: new, suspended        c: review due, buried until tomorrow
# d: review due (available)       e, f: new (available)    g: new, buried until today (over: available)
AVAILABLE_NEW = 3  # e, f, g


def _record(col: Collection, kind: str, key: str, after: CardState, at: datetime) -> None:
    rating = 3 if kind == "review" else 0
    col.record(Event(col.new_event_id(at), kind, key, at, after, col.states.get(key), rating, 1000))  # type: ignore[arg-type]


def _home(root: Path, new_per_day: int) -> tuple[Home, date]:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    (root / "config.toml").write_text(f"[study]\nnew_per_day = {new_per_day}\n", encoding="utf-8")
    home = open_home({"RETAIN_HOME": str(root)})
    now = datetime.now(UTC)
    col = Collection.open(home, now)
    try:
        today = col.today(now)
        tomorrow = (today + timedelta(days=1)).isoformat()
        at = now - timedelta(days=3)
        due = CardState(
            state=REVIEW, stability=2.0, difficulty=5.0, due=now - timedelta(days=1), last_review=at, reps=2
        )
        _record(col, "review", "tiny/c", due, at)
        _record(col, "review", "tiny/d", due, at)
        _record(col, "bury", "tiny/a", CardState(buried_until=tomorrow), now)
        _record(col, "suspend", "tiny/b", CardState(suspended=True), now)
        _record(col, "bury", "tiny/c", due.with_flags(buried_until=tomorrow), now)
        _record(col, "bury", "tiny/g", CardState(buried_until=today.isoformat()), at)
    finally:
        col.close(now, save_summary=True)
    return home, today


def _run(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(root)}
    result = subprocess.run(
        [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result


def _tiny(rows: list[dict[str, object]], key: str) -> dict[str, object]:
    return next(r for r in rows if r[key] == "tiny")


def test_stats_table_counts_a_buried_card_only_as_buried(tmp_path: Path) -> None:
    _home(tmp_path, 20)
    data = json.loads(_run(tmp_path, "stats", "--json", "--deck", "tiny").stdout)
    row = _tiny(data["decks"], "deck_id")
    assert (row["cards"], row["new"], row["review"], row["suspended"], row["buried"]) == (7, 3, 1, 1, 2)
    assert row["learning"] == row["relearning"] == 0
    # the per-deck table and the card counts panel count by the same rule
    counts = data["counts"]
    assert (row["new"], row["suspended"], row["buried"]) == (
        counts["new"],
        counts["suspended"],
        counts["buried"],
    )
    assert row["review"] == counts["young"] + counts["mature"]
    assert data["total"]["buried"] == 2  # (over every deck: the bundled ones have none)
    text = _run(tmp_path, "stats", "--deck", "tiny").stdout.splitlines()
    head = text[0].split()
    line = next(t for t in text if t.startswith("Tiny")).split()
    cells = dict(zip(head[1:], line[1:], strict=False))
    assert {k: cells.get(k) for k in ("Cards", "New", "Review", "Susp", "Buried")} == {
        "Cards": "7",
        "New": "3",
        "Review": "1",
        "Susp": "1",
        "Buried": "2",
    }


@pytest.mark.parametrize("new_per_day", [2, 4])
@pytest.mark.parametrize("summary", [True, False], ids=["launch-summary", "collection"])
def test_due_leaves_buried_and_suspended_cards_out_within_the_limit(
    tmp_path: Path, new_per_day: int, summary: bool
) -> None:
    _home(tmp_path, new_per_day)
    if not summary:
        shutil.rmtree(tmp_path / "cache")
    data = json.loads(_run(tmp_path, "due", "--json").stdout)
    row = _tiny(data["decks"], "id")
    assert (row["new"], row["learning"], row["review"]) == (min(new_per_day, AVAILABLE_NEW), 0, 1)


@pytest.mark.parametrize("new_per_day", [2, 4])
def test_home_screen_leaves_buried_and_suspended_cards_out(tmp_path: Path, new_per_day: int) -> None:
    from retain.ui.app import make_app
    from retain.ui.screens.home import HomeScreen

    home, _today = _home(tmp_path, new_per_day)
    col = Collection.open(home, datetime.now(UTC))
    app = make_app(col, lambda: datetime.now(UTC), config=home.config, decks_dir=home.paths.decks_dir)

    async def run() -> tuple[int, int, int]:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, HomeScreen)
            row = next(r for r in screen.data.rows if r.key == "deck:tiny")
            return row.new, row.learning, row.review

    try:
        assert asyncio.run(run()) == (min(new_per_day, AVAILABLE_NEW), 0, 1)
    finally:
        col.close()
