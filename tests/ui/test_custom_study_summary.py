"""Esc in a custom study (cram, study ahead) gives the summary the real next due, not "now"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.custom_study import CustomStudy
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, make_app
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen

from .decks import write_decks
from .screen import screen_text

FIXED_NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)

DUO = (
    'format = 1\n\n[deck]\nid = "duo"\nname = "Duo"\n\n'
    '[[cards]]\nid = "one"\nfront = "Q1"\nback = "A1"\n\n'
    '[[cards]]\nid = "two"\nfront = "Q2"\nback = "A2"\n'
)


# -- the summary after Esc in custom study (77e7fb9) --------------------------------------------


def _home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    write_decks(tmp_path / "decks")
    (tmp_path / "decks" / "duo.toml").write_text(DUO, encoding="utf-8")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")


def _app(clock: Callable[[], datetime]) -> tuple[RetainApp, Collection]:
    home = open_home()
    col = Collection.open(home, clock(), tz=UTC)
    app = make_app(
        col, clock, config=home.config, decks_dir=home.paths.decks_dir, review=["duo"], start_in_review=True
    )
    return app, col


async def _esc_summary_after_custom(app: RetainApp, study: CustomStudy) -> str:
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("space", "4", "space", "4")  # both cards Easy: due in days
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        await pilot.press("escape")
        await pilot.pause()
        assert app.collection.due_counts(FIXED_NOW)["duo"].total == 0  # nothing due now
        app.start_custom_study(study)
        await pilot.pause()
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("space", "3")  # one of the two, then Esc with the other left
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.collection.due_counts(FIXED_NOW)["duo"].total == 0
        return screen_text(app)


@pytest.mark.parametrize(
    "study",
    [
        CustomStudy("cram", deck_ids=("duo",), label="Duo"),
        CustomStudy("ahead", days=30),
    ],
    ids=["cram", "ahead"],
)
def test_esc_in_custom_study_does_not_say_cards_are_due_now(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, study: CustomStudy
) -> None:
    """Two cards rated Easy (due in days, nothing due). A cram, or study ahead 30 days, of them:
    one rated, then Esc. The summary said "Next due  now" (the card left in the custom list was
    counted as due), yet home and `retain due` show nothing due (found by the review)."""
    _home(tmp_path, monkeypatch)
    app, col = _app(lambda: FIXED_NOW)
    try:
        text = asyncio.run(_esc_summary_after_custom(app, study))
    finally:
        col.close()
    assert "Session summary" in text, text
    assert "Next due  now" not in text, text
