"""`retain stats --json` figures against a hand-written replay of a 400-day history (DST, rollover 4 am)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from retain.commands.stats import StatsInputError, parse_days, stats_report
from retain.store.collection import Collection
from retain.store.home import open_home

from .stats_fixture import BERLIN, NOW, TODAY, build_fixture, replay


@pytest.fixture(scope="module")
def fixture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Any]]:
    root = tmp_path_factory.mktemp("stats-fixture")
    _home, events = build_fixture(root)
    return root, events


def _report(root: Path, days: int | None, deck: str | None = "fix") -> dict[str, Any]:
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=BERLIN, read_only=True, cards=False)
    try:
        data: dict[str, Any] = json.loads(json.dumps(stats_report(col, NOW, deck, days)))
        return data
    finally:
        col.close()


def test_hand_computed_figures_around_the_spring_dst_change(fixture: tuple[Path, list[Any]]) -> None:
    data = _report(fixture[0], 30)
    per_day = {d["date"]: d["reviews"] for d in data["reviews"]["days"]}
    # 2026-03-29 02:30 UTC is 04:30 CEST: study day 03-29, although the same UTC time a day
    # earlier (03:30 CET) belongs to the day before. A fixed UTC+1 would say 4 and 1.
    assert per_day["2026-03-28"] == 3
    assert per_day["2026-03-29"] == 2
    assert per_day["2026-03-30"] == 1  # the undone rating of today does not count
    assert "2026-03-27" not in per_day  # k = 3: no ratings
    cal = data["calendar"]
    assert (cal["streak"], cal["longest_streak"]) == (3, 289)
    assert data["counts"] == {
        "new": 3,
        "learning": 0,
        "young": 5,
        "mature": 5,
        "suspended": 1,
        "buried": 0,
        "buried_new": 0,
        "leeches": 1,
        "total": 14,
    }
    assert data["retention"]["desired"] == 0.9
    today = data["retention"]["spans"][0]
    assert today["span"] == "today" and today["total"] == {"pass": 0, "fail": 0, "rate": None}  # k=0: new


@pytest.mark.parametrize("days", [30, 365, None])
def test_every_block_equals_the_replay(fixture: tuple[Path, list[Any]], days: int | None) -> None:
    root, events = fixture
    data = _report(root, days)
    span = data["days"]
    want = replay(events, span)
    if days is None:
        assert span == 400  # the first rating is 399 study days back
    assert {d["date"]: d["reviews"] for d in data["reviews"]["days"]} == want["per_day"]
    assert data["reviews"]["total"] == sum(want["per_day"].values())
    assert {d["date"]: d["reviews"] for d in data["calendar"]["days"]} == want["calendar"]
    for d in data["reviews"]["days"]:
        by = want["by_state"][d["date"]]
        assert (d["new"], d["review"], d["learning"], d["relearning"]) == (by["new"], by["review"], 0, 0)
        assert d["seconds"] == 6 * d["reviews"]
    assert data["added"] == want["added"]
    assert data["buttons"] == want["buttons"]
    assert data["hours"] == want["hours"]
    for span_row in data["retention"]["spans"]:
        hand = want["spans"][span_row["span"]]
        for group in ("young", "mature"):
            block = span_row[group]
            assert [block["pass"], block["fail"]] == hand[group]
            total = block["pass"] + block["fail"]
            assert block["rate"] == (block["pass"] / total if total else None)
    forecast = data["forecast"]
    assert forecast["backlog"] == want["forecast"][0]
    horizon = min(span, 365)
    assert len(forecast["days"]) == horizon
    for i, d in enumerate(forecast["days"], start=1):
        assert d["date"] == (TODAY + timedelta(days=i)).isoformat()
        assert d["young"] + d["mature"] == want["forecast"][i]


def test_old_json_keys_are_kept(fixture: tuple[Path, list[Any]]) -> None:
    data = _report(fixture[0], 30, deck=None)
    assert data["today"] == "2026-03-30"
    fix = next(d for d in data["decks"] if d["deck_id"] == "fix")
    assert fix["reviews_today"] == 1 and fix["streak"] == 3 and fix["suspended"] == 1
    for key in ("total", "forecast", "calendar", "retention", "counts", "reviews"):
        assert key in data


def test_an_unknown_deck_and_bad_days_are_one_line_errors(tmp_path: Path) -> None:
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    for args in (
        ["--deck", "nope"],
        ["--days", "0"],
        ["--days", "x"],
        ["--days", "99999999"],
        ["--deck", " "],
    ):
        result = subprocess.run(
            [sys.executable, "-m", "retain", "stats", *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("retain: ") and len(result.stderr.strip().splitlines()) == 1
        assert result.stdout == ""
    with pytest.raises(StatsInputError):
        parse_days("-3")
    assert parse_days("ALL") is None and parse_days("90") == 90


def test_empty_history_prints_no_reviews_yet(tmp_path: Path) -> None:
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "retain", "stats", "--days", "all"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "No reviews yet." in result.stdout and "True retention" in result.stdout
    data = json.loads(
        subprocess.run(
            [sys.executable, "-m", "retain", "stats", "--json", "--deck", "kafka"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
    )
    assert data["calendar"]["total"] == 0 and data["forecast"]["backlog"] == 0 and data["days"] == 30
    assert [d["deck_id"] for d in data["decks"]] == ["kafka"]


def test_svg_saves_the_stats_screen(tmp_path: Path) -> None:
    env = {**os.environ, "RETAIN_HOME": str(tmp_path / "home")}
    out = tmp_path / "stats.svg"
    result = subprocess.run(
        [sys.executable, "-m", "retain", "stats", "--deck", "kafka", "--svg", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    svg = out.read_text(encoding="utf-8")
    assert svg.startswith("<svg") and "Apache&#160;Kafka" in svg and "No&#160;reviews&#160;yet." in svg
    bad = subprocess.run(
        [sys.executable, "-m", "retain", "stats", "--svg", str(tmp_path / "missing" / "x.svg")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("retain: cannot write") and bad.stdout == ""


def test_future_dated_ratings_are_not_counted_in_any_period(tmp_path: Path) -> None:
    from retain.core.state import REVIEW, CardState, Event
    from retain.store.state.journal import JournalWriter

    home = open_home({"RETAIN_HOME": str(tmp_path)})
    now = NOW
    later = now + timedelta(days=3)
    state = CardState(REVIEW, None, 3.0, 5.0, later + timedelta(days=3), later, 1, 0)
    writer = JournalWriter(tmp_path / "state" / "devices" / "aaaaaaaaaaaa", fsync=False)
    writer.append(
        Event("aaaaaaaaaaaa-0000000000000000001-1", "review", "kafka/isr", later, state, None, 3, 100)
    )
    writer.close()
    col = Collection.open(home, now, tz=BERLIN, read_only=True, cards=False)
    try:
        for days in (30, None):
            data = json.loads(json.dumps(stats_report(col, now, "kafka", days)))
            assert data["calendar"]["total"] == 0 and data["reviews"]["total"] == 0
            assert data["calendar"]["streak"] == 0 and data["days"] >= 1
    finally:
        col.close()


def test_svg_with_an_empty_file_name_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--svg ""` saved nothing and exited 0, as if it had."""
    from retain.cli import main

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    assert main(["stats", "--svg", " "]) == 2
    said = capsys.readouterr()
    assert said.err.strip() == "retain: --svg needs a file name, like --svg stats.svg" and said.out == ""


def test_a_history_older_than_the_calendar_year_is_not_no_reviews_yet(
    fixture: tuple[Path, list[Any]],
) -> None:
    """Back after 14 months (the history ends 2026-03-30): the calendar's year is empty, but
    `retain stats --days all` said "No reviews yet." above "Reviews, last 828 days: 766"."""
    from datetime import UTC, datetime

    from retain.core.statstext import figures_text
    from retain.store.statsdata import gather_figures

    later = datetime(2027, 6, 1, 10, tzinfo=UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(fixture[0])}), later, tz=BERLIN, read_only=True)
    try:
        fig = gather_figures(col, later, ["fix"], None)
        data = stats_report(col, later, "fix", None)
    finally:
        col.close()
    assert fig.calendar["total"] == 0 and fig.reviews["total"] == 766
    assert fig.has_reviews
    text = figures_text(data)
    assert "No reviews yet." not in text
    assert any(line.startswith("Reviews, last 828 days: 766 in") for line in text)
