"""Exam caps seen everywhere a card counts as due: `retain due` from the TUI's launch summary,
and custom study (`--query is:due`, `--ahead N`), as the study queue and the collection see them."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.custom_study import CustomStudy
from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.custom_session import custom_units, start_custom_session
from retain.store.home import open_home
from retain.store.index.homesummary import load_summary


def _exam_home(root: Path, now: datetime, *, exam: str | None = "in 20 days", cards: int = 5) -> Path:
    """Deck `exd` of review cards with stability 2 reviewed 3 days ago, due in 10 days; with
    `exam` (written to config.toml before the TUI closes) in 20 days, the exam cap (recall 0.9
    after ~2 days) makes every card due now. Closed as the TUI closes: the launch summary is saved."""
    (root / "decks").mkdir(parents=True, exist_ok=True)
    cards_text = "".join(f'[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(cards))
    (root / "decks" / "exd.toml").write_text(
        f'format = 1\n[deck]\nid = "exd"\nname = "Exd"\n{cards_text}', encoding="utf-8"
    )
    if exam is not None:
        _write_exam(root, "exd", now + timedelta(days=20))
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=UTC)
    try:
        for i in range(cards):
            at = now - timedelta(days=3, minutes=i)
            after = CardState(REVIEW, None, 2.0, 5.0, now + timedelta(days=10), at, 3, 0)
            col.record(Event(col.new_event_id(at), "review", f"exd/c{i}", at, after, None, 3))
    finally:
        col.close(now, save_summary=True)
    assert (root / "cache" / "home-summary.marshal").is_file()
    return root


def _write_exam(root: Path, name: str, when: datetime) -> None:
    (root / "config.toml").write_text(f"[exam]\n{name} = {when.date().isoformat()}\n", encoding="utf-8")


def _due(root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """`retain due --json`: (the exam deck's due reviews, stderr)."""
    from retain.cli import main

    monkeypatch.setenv("RETAIN_HOME", str(root))
    assert main(["due", "--json"]) == 0
    captured = capsys.readouterr()
    (exd,) = [d for d in json.loads(captured.out)["decks"] if d["id"] == "exd"]
    return int(exd["review"]), captured.err


# -- `retain due` and the launch summary ---------------------------------------------------


def test_retain_due_after_the_tui_closed_counts_exam_capped_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """docs/custom-study.md: capped due dates are counted by `retain due`; the launch summary
    holds only the stored due dates, so while an exam is ahead the collection counts."""
    now = datetime.now(UTC)
    root = _exam_home(tmp_path / "home", now)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, read_only=True)
    try:
        assert col.due_counts(now)["exd"].review == 5
    finally:
        col.close()
    assert load_summary(open_home({"RETAIN_HOME": str(root)}), now, UTC) is None
    assert _due(root, capsys, monkeypatch)[0] == 5


def test_an_exam_added_after_the_tui_closed_makes_the_summary_miss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    root = _exam_home(tmp_path / "home", now, exam=None)
    assert load_summary(open_home({"RETAIN_HOME": str(root)}), now, UTC) is not None
    assert _due(root, capsys, monkeypatch)[0] == 0  # due in 10 days: nothing due yet
    _write_exam(root, "exd", now + timedelta(days=20))  # config.toml is not in the summary's key
    assert load_summary(open_home({"RETAIN_HOME": str(root)}), now, UTC) is None
    assert _due(root, capsys, monkeypatch)[0] == 5


@pytest.mark.parametrize("name, days", [("exd", -3), ("other-deck", 20)], ids=["passed", "another deck"])
def test_an_exam_that_caps_nothing_keeps_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, name: str, days: int
) -> None:
    """The fast path stays for exams that cap none of the summary's decks; a passed exam's
    one-line warning is printed as the collection path prints it."""
    now = datetime.now(UTC)
    root = _exam_home(tmp_path / "home", now, exam=None)
    _write_exam(root, name, now + timedelta(days=days))
    assert load_summary(open_home({"RETAIN_HOME": str(root)}), now, UTC) is not None
    review, err = _due(root, capsys, monkeypatch)
    assert review == 0
    assert ("has passed" in err) == (days < 0), err


# -- custom study ---------------------------------------------------------------------------


def test_custom_study_is_due_and_ahead_see_exam_caps(tmp_path: Path) -> None:
    """`retain review --query is:due` and `--ahead 1` find the cards `retain due` counts; cram
    (every card anyway) reads the stored states."""
    now = datetime.now(UTC)
    root = _exam_home(tmp_path / "home", now)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, read_only=True)
    try:
        assert col.due_counts(now)["exd"].review == 5
        found = {
            mode: len(custom_units(col, study, now))
            for mode, study in {
                "search is:due": CustomStudy("search", query="is:due", deck_ids=("exd",)),
                "ahead 1": CustomStudy("ahead", days=1, deck_ids=("exd",)),
                "cram": CustomStudy("cram", deck_ids=("exd",)),
            }.items()
        }
        session = start_custom_session(col, CustomStudy("search", query="is:due"), now)
        assert session.counts(now).review == 5
    finally:
        col.close()
    assert found == {"search is:due": 5, "ahead 1": 5, "cram": 5}


def test_an_exam_session_keeps_its_capped_cards_when_another_screen_changes_one(tmp_path: Path) -> None:
    """Back from the browser, the session compared its capped states with the stored ones and
    placed every capped card again with its stored (uncapped) due: the rest left the session."""
    from dataclasses import replace

    now = datetime.now(UTC)
    root = _exam_home(tmp_path / "home", now)
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=UTC)
    try:
        session = col.start_session(["exd"], now)
        assert session.counts(now).review == 5
        current = session.current
        assert current is not None
        other = next(k for k in (f"exd/c{i}" for i in range(5)) if k != current.key)
        state = col.states[other]
        suspended = replace(state, suspended=True)
        col.record(Event(col.new_event_id(now), "suspend", other, now, suspended, state))  # the browser's `s`
        assert session.sync_states(now) is False  # the card shown did not change
        assert session.counts(now).review == 4  # the suspended one left; the capped ones stayed
    finally:
        col.close(now)
