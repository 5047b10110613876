"""The per-deck table of `retain stats` (text): what its rows and percentages say."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.ui.stats_fixture import BERLIN, NOW, build_fixture

from retain.commands.stats import _table, stats_report
from retain.store.collection import Collection
from retain.store.home import open_home

OTHER = 'format = 1\n\n[deck]\nid = "other"\nname = "Other"\n\n[[cards]]\nid = "x"\nfront = "Q"\nback = "A"\n'


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 400-day fixture history (deck "fix", 14 cards) and a second deck of one card."""
    path = tmp_path_factory.mktemp("stats-text")
    build_fixture(path)
    (path / "decks" / "other.toml").write_text(OTHER, encoding="utf-8")
    return path


def _report(root: Path, deck: str | None) -> dict[str, Any]:
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, tz=BERLIN, read_only=True, cards=False)
    try:
        return stats_report(col, NOW, deck, 30)
    finally:
        col.close()


def _rows(text: str) -> dict[str, list[str]]:
    """The deck table's rows by their first cell ("All decks" is one cell)."""
    table = text.split("\nstudy day ")[0].splitlines()[1:]
    return {name: line[len(name) :].split() for line in table for name in [line.split("  ")[0].strip()]}


def test_retention_has_one_decimal_so_it_never_rounds_up_to_the_target(root: Path) -> None:
    data = _report(root, "fix")
    share = data["decks"][0]["retention"]
    assert share == 26 / 28  # 92.86%: "93%" would read as above a desired 92.9% or 93%
    rows = _rows(_table(data))
    assert rows["Fixture"][-1] == "92.9%"
    assert rows["Fixture"][-1] == f"{100 * data['retention']['spans'][3]['total']['rate']:.1f}%"


def test_the_row_over_every_deck_is_not_called_the_total_of_a_scope(root: Path) -> None:
    scoped = _rows(_table(_report(root, "fix")))
    assert list(scoped) == ["Fixture", "All decks"]  # not "Total": it counts every deck's cards
    assert int(scoped["All decks"][0]) > int(scoped["Fixture"][0])
    whole = _rows(_table(_report(root, None)))
    assert list(whole)[-1] == "Total"
    assert whole["Total"] == scoped["All decks"]


def test_the_json_scope_of_a_group_is_its_name_as_the_deck_list_shows_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--deck "ops team"` gave `"scope": "ops team"`, whatever the user typed, not the group."""
    import json

    from retain.cli import main

    grouped = OTHER.replace('name = "Other"', 'name = "Other"\ngroup = "Ops   Team"')
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "other.toml").write_text(grouped, encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    for typed, scope in (("OPS team", "Ops Team"), ("other", "other")):
        assert main(["stats", "--json", "--days", "7", "--deck", typed]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["scope"] == scope
        assert [d["deck_id"] for d in data["decks"]] == ["other"]


def test_a_deck_without_cards_keeps_its_row_and_its_history(tmp_path: Path) -> None:
    """A deck with no cards (new, or every card deleted while its history remains) had no row:
    its reviews today and streak were in no row, and `--deck` printed only "All decks"."""
    from datetime import timedelta

    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "other.toml").write_text(OTHER, encoding="utf-8")
    empty = OTHER.split("\n[[cards]]")[0].replace("other", "empty").replace("Other", "Empty")
    (tmp_path / "decks" / "empty.toml").write_text(empty, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, tz=BERLIN, fsync=False)
    try:
        session = col.start_session(["other"], NOW)
        session.reveal()
        session.rate(3, NOW, 3000)
    finally:
        col.close(NOW + timedelta(seconds=1))
    (tmp_path / "decks" / "other.toml").write_text(
        empty.replace("empty", "other").replace("Empty", "Other"), encoding="utf-8"
    )
    data = _report(tmp_path, None)
    rows = {r["deck_id"]: r for r in data["decks"]}
    assert (rows["empty"]["name"], rows["empty"]["cards"], rows["empty"]["reviews_today"]) == ("Empty", 0, 0)
    assert (rows["other"]["cards"], rows["other"]["reviews_today"], rows["other"]["streak"]) == (0, 1, 1)
    scoped = _report(tmp_path, "other")
    assert [r["deck_id"] for r in scoped["decks"]] == ["other"]
    assert list(_rows(_table(scoped))) == ["Other", "All decks"]


def test_stats_table_lines_up_names_with_wide_characters(
    wide_named_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As `retain due`'s: a CJK name takes two terminal columns a character; padded by `len`, its
    row's counts stood under the next heading."""
    import unicodedata

    from retain.cli import main

    assert main(["stats"]) == 0
    text = capsys.readouterr().out
    rows = [line.rstrip() for line in text.split("\nstudy day ")[0].splitlines()[1:]]  # the deck rows
    widths = {sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in row) for row in rows}
    assert len(rows) >= 3 and len(widths) == 1, rows
