"""Live edits: when a deck file changes on disk while the app runs, reload the library and say so.

The app polls the deck folders' file stamps once a second (`store.deckwatch`), in a
worker thread: the stat calls take ~10 ms at 50k cards, which the key that
happened to come during them would otherwise wait for.
On a change (once the file has stopped changing) it re-reads the library (`Collection.reload_library`; progress is
untouched), notifies the user, and posts `DecksReloaded` to the active screen,
which refreshes what it shows. Files the app writes itself are acknowledged,
so a save in the app is not reported as an outside edit.

An import writes deck files from a worker thread and then records their review
history into the same collection for seconds: while it does, the watcher is
held (`hold`, `release`), so the library is never re-read under the writer's
feet (a second copy of every imported card in memory, and the history checked
against a library being replaced). What changed meanwhile is reloaded on release.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path
from typing import Any

from textual.app import App
from textual.message import Message
from textual.timer import Timer

from retain.core.model import Card
from retain.core.remap import unit_key_moves
from retain.store.collection import Collection
from retain.store.decks.deckwatch import DeckWatcher
from retain.store.decks.library import real_path
from retain.store.home import library_folders
from retain.ui.from_thread import call_and_wait
from retain.ui.text import line

__all__ = ["POLL_SECONDS", "DecksReloaded", "LiveReload"]

POLL_SECONDS = 1.0


class DecksReloaded(Message):
    """The library was re-read because these deck files changed on disk."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__()
        self.paths = paths


class LiveReload:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection
        home = collection.home
        self.watcher = DeckWatcher((p for p, _origin in library_folders(home.paths, home.config)), home.paths)
        self._app: App[Any] | None = None
        self._timer: Timer | None = None
        self._watching = False  # a poll is running in its thread
        self._held = False  # the app is writing deck files from a worker (`hold`)
        self._deferred: set[Path] = set()  # changes a poll under way reported while held

    def start(self, app: App[Any], interval: float = POLL_SECONDS) -> None:
        self._app = app
        self._timer = app.set_interval(interval, self._poll, name="deck-watch")

    def _poll(self) -> None:
        """Stat the deck files in a thread; reload on the UI thread when some changed."""
        app = self._app
        if app is None or self._watching or self._held:
            return
        self._watching = True
        app.run_worker(partial(self._watch, app), thread=True, group="deck-watch", exit_on_error=False)

    def _watch(self, app: App[Any]) -> None:
        try:
            changed = self.watcher.changed()
        finally:
            self._watching = False
        if changed:  # (never `call_from_thread`: it waited for ever once a closed terminal stopped the loop)
            call_and_wait(app, self._reload_unless_held, changed)

    def _reload_unless_held(self, changed: list[Path]) -> None:
        if self._held:  # (a poll that began before `hold`): kept for `release`
            self._deferred.update(real_path(p) for p in changed)
        else:
            self._reload(changed)

    def hold(self) -> None:
        """On the UI thread, before a worker writes deck files: no reload until `release`."""
        self._held = True

    def release(self, written: Iterable[Path] = ()) -> bool:
        """On the UI thread, once the worker is done: `written` are the app's own files (not
        reported); another file a poll reported meanwhile is reloaded now (True: the library
        was read again)."""
        if not self._held:
            return False
        self._held = False
        written = [real_path(p) for p in written]
        self.watcher.acknowledge(written)
        outside = sorted(self._deferred.difference(written))
        self._deferred.clear()
        if outside:
            self._reload(outside)
        return bool(outside)

    def stop(self) -> None:
        """Stop polling (the deck folders changed: a new `LiveReload` watches the new set)."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def acknowledge(self, paths: Iterable[Path]) -> None:
        """The app wrote these files itself: do not report them as changed on disk."""
        self.watcher.acknowledge(paths)

    def check(self, *, settled: bool = True) -> list[Path]:
        """Reload when deck files changed on disk (and settled, see `DeckWatcher`); returns them."""
        changed = self.watcher.changed(settled=settled)
        if changed:
            self._reload(changed)
        return changed

    def _reload(self, changed: list[Path]) -> None:
        before = {u.key for u in self.collection.units}
        files = {e.deck.id: real_path(e.path) for e in self.collection.library.entries if e.deck is not None}
        was_broken = {real_path(e.path) for e in self.collection.library.broken}
        old_cards = self._cards({real_path(p) for p in changed})
        self.collection.reload_library()
        app = self._app
        if app is not None:
            gone = self._studied_gone(before, files)
            renumbered = self._renumbered(old_cards, {real_path(p) for p in changed})
            if gone or renumbered:  # a warning, and longer: progress the learner expected no longer shows
                app.notify(
                    self._message(changed, gone, renumbered),
                    title="Decks reloaded",
                    severity="warning",
                    markup=False,
                    timeout=12,
                )
            else:
                app.notify(self._message(changed), title="Decks reloaded", markup=False)
            broken = {real_path(e.path): e for e in self.collection.library.broken}
            # a changed file that loads with a bad card (a duplicated id) says it too: the card is out
            errored = {
                real_path(e.path): e
                for e in self.collection.library.entries
                if e.deck is not None and any(p.severity == "error" for p in e.problems)
            }
            # the changed files, and any other a change made broken (a new file taking its deck id)
            for path in [*changed, *(p for p in broken if p not in was_broken and p not in changed)]:
                entry = broken.get(path) or errored.get(path)
                if entry is not None:
                    errs = [p for p in entry.problems if p.severity == "error"]
                    where = f"{path.name}:{errs[0].line}:{errs[0].col}" if errs else path.name
                    app.notify(
                        line(f"{where}: {errs[0].message if errs else 'cannot be loaded'}").plain,
                        title="Deck has an error",
                        severity="error",
                        markup=False,
                        timeout=8,
                    )
            app.screen.post_message(DecksReloaded(changed))

    def _studied_gone(self, before: set[str], files: dict[str, Path]) -> list[str]:
        """Studied units the reload took away (a card id renamed, a cloze renumbered, a kind or a
        card deleted by hand): their progress no longer shows. A deck file now broken is left out
        (its error is said, and its cards come back when it is fixed)."""
        broken = {real_path(e.path) for e in self.collection.library.broken}
        now = {u.key for u in self.collection.units}
        states = self.collection.states
        gone = []
        for key in sorted(before - now):
            state = states.get(key)
            if state is not None and not state.is_new and files.get(key.partition("/")[0]) not in broken:
                gone.append(key)
        return gone

    def _cards(self, paths: set[Path]) -> dict[tuple[str, str], Card]:
        """The cloze cards of these files as the app has them now (before a reload)."""
        return {
            (e.deck.id, c.id): c
            for e in self.collection.library.entries
            if e.deck is not None and real_path(e.path) in paths
            for c in e.deck.cards
            if c.kind == "cloze"
        }

    def _renumbered(self, old_cards: dict[tuple[str, str], Card], paths: set[Path]) -> list[str]:
        """Studied cloze numbers a hand edit gave another deletion (`{{c2::x}}` renumbered to c1):
        progress follows the number, so `c1` now shows what the old c1 earned on another answer.
        One `deck/card:cN now asks what cM asked` each."""
        if not old_cards:
            return []
        states = self.collection.states
        said: list[str] = []
        for e in self.collection.library.entries:
            if e.deck is None or real_path(e.path) not in paths:
                continue
            for card in e.deck.cards:
                old = old_cards.get((e.deck.id, card.id))
                if old is None or card.kind != "cloze":
                    continue
                for source, target in sorted(unit_key_moves(e.deck.id, old, card).items()):
                    state = states.get(target)
                    if state is not None and not state.is_new:  # its progress was for another answer
                        said.append(f"{target} now asks what {source.rpartition(':')[2]} asked")
        return said

    @staticmethod
    def _message(
        changed: list[Path], gone: list[str] | None = None, renumbered: list[str] | None = None
    ) -> str:
        names = ", ".join(p.name for p in changed[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        said = f"{names}{more} changed on disk"
        if gone:
            shown = ", ".join(gone[:3]) + (f" and {len(gone) - 3} more" if len(gone) > 3 else "")
            said += (
                f"; {len(gone)} studied card(s) no longer in the decks: {shown} (a renamed id or "
                "renumbered cloze starts over; the reviews stay in the journal and come back with the old id)"
            )
        if renumbered:
            shown = ", ".join(renumbered[:3]) + (
                f" and {len(renumbered) - 3} more" if len(renumbered) > 3 else ""
            )
            said += (
                f"; {shown}, with the progress of the old number (a cloze renumbered by hand keeps "
                "each number's progress; the app's editor, e, moves it with the deletion)"
            )
        return line(said).plain
