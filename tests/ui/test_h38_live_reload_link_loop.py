"""A deck file that is a symbolic link loop (`decks/l.toml -> l.toml`, which the library lists as
broken) no longer crashes the app when any deck file is edited while it runs: the reload compared
files by `Path.resolve`, which raises on a loop (Python 3.11: RuntimeError), and the traceback
ended the app. It now compares them as the deck watcher names them (`library.real_path`)."""

from __future__ import annotations

import threading
from pathlib import Path

from .conftest import OpenApp, until

EXTRA_CARD = '\n[[cards]]\nid = "leader"\nfront = "Who serves a partition\'s reads?"\nback = "Its leader."\n'


async def test_an_edit_beside_a_looping_deck_file_is_reloaded(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "decks" / "l.toml").symlink_to("l.toml")
    app = open_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        kafka = retain_home / "decks" / "kafka.toml"
        kafka.write_text(kafka.read_text("utf-8") + EXTRA_CARD, encoding="utf-8")
        live = app.live_reload
        assert live is not None

        def poll() -> None:  # the poll's own body, as its thread runs it
            for _ in range(2):  # (a change is told once its stamp has settled)
                live._watch(app)

        poller = threading.Thread(target=poll)
        poller.start()
        await until(lambda: not poller.is_alive(), pilot)
        await until(lambda: any("Decks reloaded" in str(n.title) for n in app._notifications), pilot)
        reloaded = app.collection.library.get("kafka")
        assert reloaded is not None and "leader" in {c.id for c in reloaded.cards}
        assert app.is_running
