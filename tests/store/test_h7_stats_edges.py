"""`retain stats` on the small histories where a count is easiest to get wrong: one review, a
day whose only reviews were undone, and two devices whose reviews arrive out of time order
(the figures after the second device's journal is read equal those of a cold rebuild)."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path
from typing import Any

from store_helpers import KEYS, NOW, make_home, open_col, rate, review_state

from retain.commands.stats import stats_report
from retain.core.state import Event
from retain.store.home import open_home
from retain.store.state.journal import JournalWriter


def _report(root: Path) -> dict[str, Any]:
    col = open_col(open_home({"RETAIN_HOME": str(root)}), NOW)
    try:
        return stats_report(col, NOW, "tiny", None)
    finally:
        col.close()


def _days(rep: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    return [(d["date"], d["new"], d["review"], d["reviews"]) for d in rep["reviews"]["days"]]


def _spans(rep: dict[str, Any]) -> dict[str, tuple[int, int]]:
    return {s["span"]: (s["total"]["pass"], s["total"]["fail"]) for s in rep["retention"]["spans"]}


def test_one_review(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    rate(col, KEYS[0], NOW - timedelta(hours=1))
    col.close()
    rep = _report(tmp_path)
    today = NOW.date().isoformat()
    row = rep["decks"][0]
    assert (row["reviews_today"], row["streak"], row["retention"], row["retention_reviews"]) == (
        1,
        1,
        None,
        0,
    )
    assert rep["calendar"]["days"] == [{"date": today, "reviews": 1}]
    assert (rep["calendar"]["streak"], rep["calendar"]["longest_streak"]) == (1, 1)
    assert _days(rep) == [(today, 1, 0, 1)]
    assert rep["added"] == [{"date": today, "cards": 1}]
    assert rep["buttons"]["learning"] == [0, 0, 1, 0]  # a new card's rating: no retention
    assert set(_spans(rep).values()) == {(0, 0)}
    assert (rep["counts"]["new"], rep["counts"]["young"]) == (4, 1)


def test_a_day_with_only_undone_reviews_is_no_study_day(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    rate(col, KEYS[0], NOW - timedelta(days=3))
    rate(col, KEYS[1], NOW - timedelta(days=1))
    for key, at in ((KEYS[0], NOW - timedelta(days=2)), (KEYS[3], NOW - timedelta(minutes=5))):
        taken = rate(col, key, at, 1)
        back = at + timedelta(minutes=1)
        col.record(
            Event(col.new_event_id(back), "undo", key, back, taken.before, taken.after, undoes=taken.id)
        )
    col.close()
    for rebuilt in (False, True):
        if rebuilt:
            shutil.rmtree(tmp_path / "cache", ignore_errors=True)
        rep = _report(tmp_path)
        dates = [d["date"] for d in rep["calendar"]["days"]]
        assert dates == [(NOW - timedelta(days=n)).date().isoformat() for n in (3, 1)], rebuilt
        assert rep["calendar"]["streak"] == 1 and rep["decks"][0]["reviews_today"] == 0
        assert sum(h["reviews"] for h in rep["hours"]) == 2
        assert [a["cards"] for a in rep["added"]] == [1, 1]  # the undone new card is not added
        assert rep["counts"]["new"] == 3
        assert rep["forecast"]["backlog"] == 1  # KEYS[0] is back to its state of three days ago


def test_two_devices_out_of_time_order_agree_with_a_rebuild(tmp_path: Path) -> None:
    col = open_col(make_home(tmp_path), NOW)
    first = rate(col, KEYS[0], NOW - timedelta(days=4))
    rate(col, KEYS[0], NOW - timedelta(days=1))
    rate(col, KEYS[1], NOW - timedelta(days=1))
    col.close()
    before_sync = _report(tmp_path)
    assert before_sync["calendar"]["streak"] == 1
    # the other device, synced later: reviews older than this device's last ones, in reverse order
    other = JournalWriter(tmp_path / "state" / "devices" / "bbbbbbbbbbbb", fsync=False)
    day3, day2 = NOW - timedelta(days=3), NOW - timedelta(days=2)
    other.append(
        Event(
            "bbbbbbbbbbbb-0000000000000000002-1",
            "review",
            KEYS[2],
            day3,
            review_state(day3, 2),
            None,
            3,
            1000,
        )
    )
    other.append(
        Event(
            "bbbbbbbbbbbb-0000000000000000001-1",
            "review",
            KEYS[0],
            day2,
            review_state(day2, 5),
            first.after,
            1,
            1000,
        )
    )
    other.close()
    synced = _report(tmp_path)
    shutil.rmtree(tmp_path / "cache")
    rebuilt = _report(tmp_path)
    assert synced == rebuilt
    assert [d["date"] for d in synced["calendar"]["days"]] == [
        (NOW - timedelta(days=n)).date().isoformat() for n in (4, 3, 2, 1)
    ]
    assert synced["calendar"]["streak"] == 4
    assert _spans(synced)["week"] == (1, 1)  # the other device's Again, and this one's Good
    assert len(synced["added"]) == 3  # KEYS[0] once (day 4), KEYS[2] (day 3), KEYS[1] (day 1)
    assert (synced["counts"]["new"], synced["counts"]["young"]) == (2, 3)
    assert synced["forecast"]["backlog"] == 1  # KEYS[2], due yesterday
