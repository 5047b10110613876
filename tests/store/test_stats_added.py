"""The statistics' `added`: each card once, on the day of its first rating as a new card (Anki's "introduced")."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.state import Event
from retain.core.statsfigures import Figures
from retain.store.state.journal import JournalWriter
from retain.store.state.progress_edits import move_progress, reset_progress
from retain.store.statsdata import gather_figures


def test_a_card_forgotten_and_studied_again_is_added_once(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    rate(col, KEYS[0], NOW - timedelta(days=3))
    reset_progress(col, [KEYS[0]], NOW - timedelta(days=2))
    rate(col, KEYS[0], NOW - timedelta(days=1))
    rate(col, KEYS[1], NOW - timedelta(days=1))
    fig = gather_figures(col, NOW, ["tiny"], 30)
    col.close()
    assert sum(int(str(a["cards"])) for a in fig.added) == 2, fig.added
    days = fig.reviews["days"]
    assert isinstance(days, list) and days[-1]["new"] == 2  # (two ratings of a new card, by state)


def test_a_card_studied_new_on_two_devices_is_added_once(tmp_path: Path) -> None:
    """Both devices rated the card while it was new, before they synced: one card added, on the
    first day; its ratings as a new card still both count under reviews -> new."""
    home = make_home(tmp_path)
    col = open_col(home, NOW)
    first = NOW - timedelta(days=5)
    mine = rate(col, KEYS[0], first)
    theirs = Event(
        "bbbbbbbbbbbb-0000000000000000001-1",
        "review",
        KEYS[0],
        first + timedelta(days=1),
        mine.after,
        None,
        3,
        1,
    )
    writer = JournalWriter(tmp_path / "state" / "devices" / "bbbbbbbbbbbb", fsync=False)
    writer.append(theirs)
    writer.close()
    col.close()
    col = open_col(home, NOW)
    fig = gather_figures(col, NOW, None, 30)
    col.close()
    assert fig.added == [{"date": first.date().isoformat(), "cards": 1}], fig.added
    days = fig.reviews["days"]
    assert isinstance(days, list) and sum(d["new"] for d in days) == 2


OTHER_DECK = """format = 1

[deck]
id = "other"
name = "Other deck"
group = "Tests"

[[cards]]
id = "one"
front = "One?"
back = "1"
"""


def _added(fig: Figures) -> int:
    return sum(int(str(a["cards"])) for a in fig.added)


def test_a_card_moved_then_forgotten_and_studied_again_is_added_once(tmp_path: Path) -> None:
    """tiny/one studied new, moved to `other`, forgotten and studied new again: one card, but
    its first new rating (under the old key) and the second (under the new) were each taken
    for a first."""
    home = make_home(tmp_path)
    (tmp_path / "decks" / "other.toml").write_text(OTHER_DECK, "utf-8")
    col = open_col(home, NOW)
    rate(col, "tiny/one", NOW - timedelta(days=5))
    move_progress(col, {"tiny/one": "other/one"}, NOW - timedelta(days=4))
    reset_progress(col, ["other/one"], NOW - timedelta(days=3))
    rate(col, "other/one", NOW - timedelta(days=2))
    by_deck = gather_figures(col, NOW, ["other"], 30)
    every = gather_figures(col, NOW, None, 30)
    col.close()
    assert (_added(by_deck), _added(every)) == (1, 1), (by_deck.added, every.added)
    assert by_deck.added[0]["date"] == every.added[0]["date"] == str((NOW - timedelta(days=5)).date())


def test_a_new_card_given_a_moved_cards_old_id_is_added(tmp_path: Path) -> None:
    """tiny/one studied new and moved to `other`; a new card then takes the id `one` in `tiny`
    and is studied new: two cards added (the new one's first rating was taken for a repeat of
    the moved card's, the key being the same)."""
    home = make_home(tmp_path)
    (tmp_path / "decks" / "other.toml").write_text(OTHER_DECK, "utf-8")
    col = open_col(home, NOW)
    rate(col, "tiny/one", NOW - timedelta(days=5))
    move_progress(col, {"tiny/one": "other/one"}, NOW - timedelta(days=4))
    rate(col, "tiny/one", NOW - timedelta(days=2))
    tiny = gather_figures(col, NOW, ["tiny"], 30)
    other = gather_figures(col, NOW, ["other"], 30)
    every = gather_figures(col, NOW, None, 30)
    col.close()
    assert (_added(tiny), _added(other), _added(every)) == (1, 1, 2), (tiny.added, other.added, every.added)
