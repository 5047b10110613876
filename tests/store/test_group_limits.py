"""`[groups."NAME"]` daily limits through config.toml, the collection, `retain due` and the launch
summary: a group's decks share one counter, and every count is what a session serves
(docs/settings.md, "Group limits")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.due import Counts, DueCounts
from retain.core.session import ReviewSession
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.config import ConfigError, parse_config, unknown_decks
from retain.store.exams import exam_lines
from retain.store.home import Home, open_home
from retain.store.index.homesummary import load_summary

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
GROUP = ("ia", "ib", "ic")
CONFIG = """[study]
fuzz = false
new_per_day = 5
learning_steps = []

[groups."  interview "]   # any case and spacing: the group "Interview"
new_per_day = 7
"""


def deck(deck_id: str, group: str = "Interview", cards: int = 6) -> str:
    body = "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} {i}?"\nback = "{i}"\n' for i in range(cards)
    )
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.upper()}"\ngroup = "{group}"\n{body}'


def make_home(root: Path, config: str = CONFIG) -> Home:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    for deck_id in GROUP:
        (root / "decks" / f"{deck_id}.toml").write_text(deck(deck_id), encoding="utf-8")
    (root / "decks" / "solo.toml").write_text(deck("solo", group=""), encoding="utf-8")
    (root / "config.toml").write_text(config, encoding="utf-8")
    return open_home({"RETAIN_HOME": str(root)})


@pytest.fixture(autouse=True)
def _no_bundled_decks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)


def study(session: ReviewSession, now: datetime) -> dict[str, int]:
    """Rate Good on every card the session serves: how many per deck."""
    served: dict[str, int] = {}
    for _ in range(100):
        unit = session.current
        if unit is None:
            break
        served[unit.deck_id] = served.get(unit.deck_id, 0) + 1
        session.reveal()
        session.rate(3, now)
    return served


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            "[groups.Ops]\nnew_per_day = 'lots'",
            "config: `groups.Ops.new_per_day` must be an integer from 0 to 9999, got 'lots'",
        ),
        (
            "[groups.Ops]\nreviews_per_day = 10000",
            "config: `groups.Ops.reviews_per_day` must be an integer from 0 to 9999, got 10000",
        ),
        (
            "[groups.Ops]\nnew = 3",
            "config: unknown setting `groups.Ops.new`; use new_per_day and reviews_per_day",
        ),
        ("[groups]\nOps = 3", "config: [groups.Ops] must be a table, like new_per_day = 30"),
        (
            '[groups.Ops]\nnew_per_day = 1\n[groups."OPS "]\nnew_per_day = 2',
            "config: [groups.Ops] and [groups.\"OPS \"] name one group ('OPS': names match in any case and spacing); keep one",
        ),
    ],
)
def test_a_bad_group_table_is_one_line_naming_the_key(text: str, said: str) -> None:
    with pytest.raises(ConfigError) as err:
        parse_config(text)
    assert str(err.value) == said


def test_a_group_table_naming_no_group_is_one_warning_line(tmp_path: Path) -> None:
    config = parse_config('[groups.Interveiw]\nnew_per_day = 3\n[groups."interview"]\nreviews_per_day = 9\n')
    pairs = [("ia", "Interview"), ("solo", "")]
    assert unknown_decks(config, pairs) == [
        "config: [groups.Interveiw] names no group in the library (did you mean 'Interview'?); "
        "its limits apply to nothing"
    ]
    home = make_home(tmp_path, CONFIG + "\n[groups.Nowhere]\nnew_per_day = 1\n")
    col = Collection.open(home, NOW, tz=UTC, read_only=True)
    try:
        assert (
            "config: [groups.Nowhere] names no group in the library; its limits apply to nothing"
            in col.messages
        )
    finally:
        col.close()


def test_a_deck_row_is_what_it_serves_alone_and_a_group_session_serves_the_room(tmp_path: Path) -> None:
    col = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    try:
        counts = col.due_counts(NOW)
        assert [counts[d].new for d in GROUP] == [5, 5, 5]  # each alone: min(own 5, the group's 7)
        assert counts.served(GROUP).new == 7  # the group's row
        assert counts["solo"].new == 5  # no group: its own limit only
        assert counts.served().new == 12  # everything: the group's 7 and solo's 5
        session = col.start_session(list(GROUP), NOW)
        assert session.counts(NOW).new == 7
        assert study(session, NOW) == {"ia": 3, "ib": 2, "ic": 2}  # new cards in turn
        assert all(col.due_counts(NOW)[d].new == 0 for d in GROUP)
        event = session.undo(NOW)  # undo gives the slot back
        assert event is not None
        after = col.due_counts(NOW)
        assert [after[d].new for d in GROUP] == [1, 1, 1] and after.served(GROUP).new == 1
    finally:
        col.close()


def test_a_deck_studied_alone_takes_the_room_up_to_its_own_limit(tmp_path: Path) -> None:
    col = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    try:
        alone = col.start_session(["ic"], NOW)
        assert alone.counts(NOW).new == 5
        assert study(alone, NOW) == {"ic": 5}  # its own limit, not a third of the group's
        later = NOW + timedelta(minutes=5)
        counts = col.due_counts(later)
        assert [counts[d].new for d in GROUP] == [2, 2, 0]  # 7 - 5 left for the group
        assert counts.served(GROUP).new == 2
        served = study(col.start_session(None, later), later)
        assert served["solo"] == 5 and served.get("ia", 0) + served.get("ib", 0) == 2
        assert counts.served().new == 7
    finally:
        col.close()


def test_a_deck_moved_out_of_the_group_takes_its_day_with_it(tmp_path: Path) -> None:
    col = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    try:
        assert study(col.start_session(["ia"], NOW), NOW) == {"ia": 5}
        assert [col.due_counts(NOW)[d].new for d in ("ib", "ic")] == [2, 2]  # the group's 7 - 5
        (tmp_path / "decks" / "ia.toml").write_text(deck("ia", group="Elsewhere"), encoding="utf-8")
        col.reload_library()
        counts = col.due_counts(NOW)
        assert counts["ia"].new == 0  # its own limit of 5, 5 taken
        assert [counts["ib"].new, counts["ic"].new] == [5, 5]  # the group's 7 are theirs now
        assert counts.served(["ib", "ic"]).new == 7
    finally:
        col.close()


def test_launch_summary_counts_as_the_collection(tmp_path: Path) -> None:
    home = make_home(tmp_path)
    col = Collection.open(home, NOW, tz=UTC)
    study(col.start_session(["ib"], NOW), NOW)
    expected = col.due_counts(NOW)
    col.close(NOW, save_summary=True)
    summary = load_summary(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, UTC)
    assert summary is not None
    assert summary.counts == expected
    assert [expected[d].new for d in GROUP] == [2, 0, 2]
    assert isinstance(summary.counts, DueCounts) and summary.counts.served(GROUP).new == 2  # the group's row


def test_exam_forecast_counts_on_no_new_card_the_group_never_serves(tmp_path: Path) -> None:
    """From the review of f67a744: [groups.Interview] new_per_day = 0 serves no new card, so
    the exam line's 'if you keep up' must not count on 20 a day per deck."""
    make_home(tmp_path, "[groups.Interview]\nnew_per_day = 0\n\n[exam.Interview]\ndate = 2026-04-27\n")
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, tz=UTC)
    try:
        assert sum(col.due_counts(NOW)[d].new for d in GROUP) == 0  # the group serves no new card
        (line,) = exam_lines(col, NOW)
        assert line.endswith("predicted recall 0.00 → 0.00 if you keep up"), line
    finally:
        col.close()


def test_exam_forecast_spreads_the_group_limit_over_its_decks(tmp_path: Path) -> None:
    """Group 3 new a day over three decks of own 5: the forecast counts on 1 a day each (3 in
    all), not 5 each; with no group table it counts on the decks' own 5."""
    exam = "\n[exam.Interview]\ndate = 2026-03-30\n"  # two days left: 2 x the daily new cards
    capped = make_home(tmp_path / "capped", CONFIG.replace("new_per_day = 7", "new_per_day = 3") + exam)
    free = make_home(tmp_path / "free", "[study]\nnew_per_day = 5\n" + exam)
    lines = []
    for home in (capped, free):
        col = Collection.open(home, NOW, tz=UTC)
        try:
            (line,) = exam_lines(col, NOW)
            lines.append(line)
        finally:
            col.close()
    assert lines[0] != lines[1], lines  # the cap shows in the forecast
    from retain.store.exams import _new_per_day

    col = Collection.open(capped, NOW, tz=UTC)
    try:
        assert [_new_per_day(col)[d] for d in (*GROUP, "solo")] == [1, 1, 1, 5]
    finally:
        col.close()


def _due_json(root: Path) -> dict[str, object]:
    env = {**os.environ, "RETAIN_HOME": str(root)}
    result = subprocess.run(
        [sys.executable, "-m", "retain", "due", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_due_json_agrees_with_the_session_and_sums_to_the_group(tmp_path: Path) -> None:
    """Each deck row is what the deck alone serves (5 each, more than the group serves, as
    documented); `total` and the table's Total line are what everything serves (the group's 7)."""
    make_home(tmp_path)
    data = _due_json(tmp_path)
    rows = {d["id"]: d for d in data["decks"]}  # type: ignore[attr-defined]
    group = [rows[d] for d in GROUP if d in rows]
    assert [r["new"] for r in group] == [5, 5, 5]  # more than the group serves, as documented
    others = sum(r["new"] for i, r in rows.items() if i not in GROUP)  # (the bundled decks too)
    assert data["total"]["new"] == 7 + others  # type: ignore[index]  # the group's room, not 15
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    table = subprocess.run(
        [sys.executable, "-m", "retain", "due"], env=env, capture_output=True, text=True, timeout=60
    )
    total = next(line for line in table.stdout.splitlines() if line.startswith("Total"))
    assert total.split()[2] == str(7 + others), table.stdout
    now = datetime.now(UTC)
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), now)
    try:
        served = study(col.start_session(list(GROUP), now), now)
    finally:
        col.close(now, save_summary=True)
    assert served == {"ia": 3, "ib": 2, "ic": 2}  # the group's 7, in turn
    after = _due_json(tmp_path)  # (from the launch summary now: the same rule)
    assert [d["new"] for d in after["decks"] if d["id"] in GROUP] == [0, 0, 0]  # type: ignore[attr-defined]


def test_no_group_tables_counts_as_before(tmp_path: Path) -> None:
    col = Collection.open(make_home(tmp_path, "[study]\nnew_per_day = 5\n"), NOW, tz=UTC)
    try:
        assert col.group_limits() == {}
        assert col.due_counts(NOW)["ia"] == Counts(new=5)
    finally:
        col.close()


def test_saving_in_the_settings_screen_keeps_the_group_tables(tmp_path: Path) -> None:
    from retain.store.config_edit import ConfigDocument

    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    doc = ConfigDocument.open(path)
    doc.set(("study", "new_per_day"), 6)
    doc.save()
    text = path.read_text(encoding="utf-8")
    assert '[groups."  interview "]   # any case and spacing: the group "Interview"\nnew_per_day = 7' in text
    config = parse_config(text)
    assert (config.study.new_per_day, config.groups["interview"].new_per_day) == (6, 7)


def test_undo_of_another_decks_rating_gives_the_groups_slot_back_to_this_session(tmp_path: Path) -> None:
    """Group Interview: 7 new a day; each deck 5. ia takes 5, ib takes 2: the group is full.
    A session over ic then undoes ib's last rating (undo reaches a rating of any deck): the
    group has room for 1 again, as the home screen and a new ic session say, but the open ic
    session's queue never heard of it (StudyQueue.apply returns early for a card not in it)."""
    col = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    try:
        assert study(col.start_session(["ia"], NOW), NOW) == {"ia": 5}
        assert study(col.start_session(["ib"], NOW), NOW) == {"ib": 2}
        later = NOW + timedelta(minutes=1)
        ic = col.start_session(["ic"], later)
        assert ic.current is None
        assert ic.undo(later) is not None  # ib's last rating taken back
        assert col.due_counts(later)["ic"].new == 1  # the group has room for one again
        fresh = col.start_session(["ic"], later)
        assert fresh.queue.counts(later).new == 1
        assert ic.queue.counts(later).new == 1, "the open session still counts the undone slot as taken"
    finally:
        col.close()
