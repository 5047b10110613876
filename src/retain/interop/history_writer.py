"""`HistoryWriter`: the progress opened as the writer for a whole `retain import`, at the first
history or card move it records. Made without loading the progress store: an import that
records nothing (no `--with-history`, no card moved between decks) never opens it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from retain.interop.errors import InteropError

if TYPE_CHECKING:
    from retain.store.collection import Collection
    from retain.store.home import Home

__all__ = ["HistoryWriter", "close_progress", "open_progress"]


def open_progress(home: Home, now: datetime, read_only: bool) -> Collection:
    """The progress store, opened for interop: states and history only, no card texts (50k cards'
    texts were ~100 MB of an export). InteropError (one line) when it cannot be opened."""
    from retain.store.collection import Collection, CollectionError

    try:
        return Collection.open(home, now, read_only=read_only, cards=False, history=read_only)
    except CollectionError as exc:
        raise InteropError(f"progress store: {exc}") from None


def close_progress(coll: Collection, now: datetime, messages: list[str] | None) -> None:
    """Close `coll` (compacting a writer); its one-line messages are added to `messages`."""
    try:
        coll.close(now)
    finally:
        if messages is not None:
            messages += coll.messages


class HistoryWriter:
    """The progress opened as the writer for a whole `retain import`: at the first history
    recorded (`collection`), and held to the end (`close`), so that a retain waiting for the
    writer lock (a TUI opened while a folder was being imported) cannot take it between two
    files and refuse the next file's history."""

    def __init__(self, home: Home) -> None:
        self.home = home
        self._collection: Collection | None = None
        self.failed = False  # a history was taken back: its refusal line is what matters

    def collection(self, now: datetime) -> Collection:
        """The writer (read-only while another retain holds the lock: tried again at each call)."""
        from retain.store.collection import CollectionError

        if self._collection is None:
            self._collection = open_progress(self.home, now, False)
        elif self._collection.read_only:
            try:
                self._collection.take_over(now)
            except CollectionError as exc:
                raise InteropError(f"progress store: {exc}") from None
        return self._collection

    def close(self, now: datetime) -> list[str]:
        """Compact and let go of the lock; the store's one-line messages (a damaged record set
        aside, ...), as `record_history` gives them; none when a history was refused or taken
        back (`failed`, or never the writer): the import's one line says what matters then."""
        coll, self._collection = self._collection, None
        if coll is None:
            return []
        said: list[str] = []
        quiet = self.failed or coll.read_only
        close_progress(coll, now, said)
        return [] if quiet else said
