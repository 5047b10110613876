"""RETAIN_HOME is the synced folder the decks are in (`deck_folders = ["."]`): every rating appended
to the journal under `state/`, which the deck watcher took for a deck edited on disk, so two
toasts covered the card at each answer ("Decks reloaded — journal-….toml changed on disk",
"Deck has an error — unsupported deck format 2"). retain's own files are no deck files now:
a rating reloads nothing, and a real deck edit in the same folder still does."""

from __future__ import annotations

import threading
from pathlib import Path

from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen

from .conftest import OpenApp, until

EXTRA_CARD = '\n[[cards]]\nid = "leader"\nfront = "Who serves a partition\'s reads?"\nback = "Its leader."\n'


def _polls(app: RetainApp) -> threading.Thread:
    """Two polls of the deck watcher, as its thread runs them (a change is told once settled)."""
    live = app.live_reload
    assert live is not None

    def poll() -> None:
        for _ in range(2):
            live._watch(app)

    poller = threading.Thread(target=poll)
    poller.start()
    return poller


def _titles(app: RetainApp) -> list[str]:
    return [str(n.title) for n in app._notifications]


async def test_a_rating_in_a_home_that_is_a_deck_folder_pops_up_nothing(
    retain_home: Path, open_app: OpenApp
) -> None:
    config = retain_home / "config.toml"
    config.write_text('deck_folders = ["."]\n' + config.read_text("utf-8"), encoding="utf-8")
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        assert app.collection.library.broken == []
        assert isinstance(app.screen, StudyScreen)
        await pilot.press("space", "3")
        await until(lambda: app.collection.states, pilot)  # (the rating is in the journal)
        assert list((retain_home / "state" / "devices").rglob("journal-*.toml"))
        poller = _polls(app)
        await until(lambda: not poller.is_alive(), pilot)
        await pilot.pause()
        assert not any(t in ("Decks reloaded", "Deck has an error") for t in _titles(app)), _titles(app)
        kafka = retain_home / "decks" / "kafka.toml"  # (an edit of a deck is still seen)
        kafka.write_text(kafka.read_text("utf-8") + EXTRA_CARD, encoding="utf-8")
        poller = _polls(app)
        await until(lambda: not poller.is_alive(), pilot)
        await until(lambda: "Decks reloaded" in _titles(app), pilot)
        assert "Deck has an error" not in _titles(app)
