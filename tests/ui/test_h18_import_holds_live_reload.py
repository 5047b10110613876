"""An import writes its deck files from a worker, then records their review history into the same
collection for seconds (a long Anki log). The deck watcher polled meanwhile, saw the new deck
files settle and re-read the whole library on the UI thread, under the writer's feet: a second copy
of every imported card in memory (231 MB for a 117k-row log, 171 MB without), the history checked
against a library being replaced, and the app's own files told as outside edits. The watcher is
now held while the dialog writes; an outside edit made meanwhile is reloaded when it ends."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

import retain.ui.screens.share_import as share_import
from retain.interop.bundle import Review
from retain.interop.progress_io import HistoryImport, collection_record_history
from retain.store.collection import Collection
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp, preview_import, until

FIXTURE = Path(__file__).parent.parent / "fixtures" / "anki" / "layout-latest.apkg"
EXTRA_CARD = '\n[[cards]]\nid = "leader"\nfront = "Who serves a partition\'s reads?"\nback = "Its leader."\n'


def _clock() -> datetime:
    return datetime.now(UTC)  # the fixture's reviews were made with Anki in 2026


async def test_no_reload_while_an_import_writes_and_an_outside_edit_is_reloaded_after(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = open_app(clock=_clock)
    recording = threading.Event()
    reloads: list[bool] = []  # per library re-read: whether the history was being recorded

    def record_while_polled(
        coll: Collection, reviews: list[Review], now: datetime, progress: object
    ) -> HistoryImport:
        # In the import's worker, once the deck file is written: an author edits another deck,
        # and the watcher polls twice (a change is told once its stamp has settled).
        recording.set()
        kafka = retain_home / "decks" / "kafka.toml"
        kafka.write_text(kafka.read_text("utf-8") + EXTRA_CARD, encoding="utf-8")
        live = app.live_reload
        assert live is not None
        for _ in range(2):
            live._watch(app)  # the poll's own body, as its thread runs it
        try:
            return collection_record_history(coll, reviews, now, progress)  # type: ignore[arg-type]
        finally:
            recording.clear()

    monkeypatch.setattr(share_import, "collection_record_history", record_while_polled)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        real_reload = app.collection.reload_library

        def counted_reload() -> None:
            reloads.append(recording.is_set())
            real_reload()

        monkeypatch.setattr(app.collection, "reload_library", counted_reload)
        apply_button = await preview_import(app, pilot, FIXTURE)
        apply_button.press()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        await until(lambda: any("Decks reloaded" in str(n.title) for n in app._notifications), pilot)

        assert reloads and not any(reloads), "the library was re-read while the history was recorded"
        told = [str(n.message) for n in app._notifications if n.title == "Decks reloaded"]
        assert len(told) == 1 and "kafka.toml" in told[0]  # the outside edit, and only it
        assert "general-knowledge" not in told[0]  # the import's own deck file is not an outside edit
        kafka = app.collection.library.get("kafka")
        assert kafka is not None and "leader" in {c.id for c in kafka.cards}
        assert app.collection.library.get("general-knowledge") is not None
        live = app.live_reload
        assert live is not None and live.check(settled=False) == []  # nothing left to tell
