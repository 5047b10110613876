"""A group named in any case or spacing: `retain review`, presets and exams find all its decks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.model import Unit


def _group_decks(decks: Path) -> None:
    decks.mkdir(parents=True, exist_ok=True)
    for deck_id, group in (("alpha", "Ops"), ("beta", "ops ")):
        (decks / f"{deck_id}.toml").write_text(
            f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\ngroup = "{group}"\n'
            f'[[cards]]\nid = "c"\nfront = "{deck_id} q"\nback = "a"\n',
            encoding="utf-8",
        )


def test_review_of_a_group_takes_every_deck_the_home_screen_shows_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """e3c330d: home (core/deckrows.py) now lists decks with group "Ops" and "ops " as one group
    "Ops", and export/stats find both (`decks_in_group`), but `retain review Ops` (commands/review.py
    builds `groups` keyed by the exact `deck.group`) studies only `alpha`, and `retain review ops`
    says "no deck 'ops' in the library"."""
    import sys

    import retain.ui.app as ui_app
    from retain.cli import main
    from retain.core.deckrows import deck_rows
    from retain.store.decks.library import load_library

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    _group_decks(tmp_path / "home" / "decks")
    rows = deck_rows(load_library([(tmp_path / "home" / "decks", "user")]).decks, {}, {})
    groups = [r for r in rows if r.is_group]
    assert [(r.label, sorted(r.deck_ids)) for r in groups] == [("Ops", ["alpha", "beta"])]  # home

    asked: list[object] = []

    class _App:
        return_code = 0

        def run(self) -> None:
            pass

    def fake_make_app(*_a: object, **kw: object) -> _App:
        asked.append(kw.get("review"))
        return _App()

    monkeypatch.setattr(ui_app, "make_app", fake_make_app)
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    assert main(["review", "ops"]) == 0
    last = asked[-1] if asked else None
    assert isinstance(last, list) and sorted(last) == ["alpha", "beta"]


def test_browser_deck_search_finds_every_deck_of_a_group_the_home_screen_shows() -> None:
    """Home (group_names/decks_in_group) lists "Ops" and "ops " as one group "Ops"; review,
    optimize and exams find both; the browser's `deck:Ops` (search._glob via `fold`) finds only
    the deck spelled "Ops"."""
    from retain.core.search import compile_query

    groups = {"alpha": "Ops", "beta": "ops "}
    query = compile_query("deck:Ops", group_of=lambda deck_id: groups[deck_id])
    now = datetime(2026, 11, 28, tzinfo=UTC)
    found = [
        deck
        for deck in ("alpha", "beta")
        if query.matches(Unit(f"{deck}/c", deck, "c", "", "basic", "q", "a"), None, now, now.date())
    ]
    assert found == ["alpha", "beta"]


def test_check_does_not_say_an_exam_names_nothing_when_its_group_now_applies_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """1c7c501: exam_for finds [exam.ops] for decks of group "Ops"; `retain check` (commands/
    check.py compares exact names) still warns that [exam.ops] names no deck id or group."""
    from retain.cli import main

    home = tmp_path / "home"
    _group_decks(home / "decks")
    day = (date.today() + timedelta(days=60)).isoformat()
    (home / "config.toml").write_text(f"[exam.ops]\ndate = {day}\n", encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(home))
    main(["check"])
    said = capsys.readouterr()
    assert "names no deck id or group" not in said.out + said.err


def test_one_exam_of_a_group_spelled_two_ways_gives_one_home_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """exam_plans applies [exam.Ops] to both decks (group_key), but exam_lines groups them by
    the raw `deck.group`: one exam is said twice, each line forecasting half of its cards."""
    from retain.store.collection import Collection
    from retain.store.exams import exam_lines
    from retain.store.home import open_home

    root = tmp_path / "home"
    _group_decks(root / "decks")
    now = datetime(2026, 11, 28, 12, tzinfo=UTC)
    (root / "config.toml").write_text("[exam.Ops]\ndate = 2026-12-20\n", encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=UTC)
    try:
        lines = exam_lines(col, now)
    finally:
        col.close(now)
    assert len(lines) == 1, lines
