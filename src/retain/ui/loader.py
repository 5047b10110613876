"""Open the collection in a background thread, after the home screen has painted from the launch summary."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from retain.store.collection import Collection

__all__ = ["CollectionLoader"]

Done = Callable[["Collection | None", str], None]


class CollectionLoader:
    """Runs `open_` once, in a daemon thread, when `start` is called; `wait` hands the result over.

    The launcher calls `wait` when the app has exited, to close whatever was
    opened (also when the user quit before the collection was ready).
    """

    def __init__(self, open_: Callable[[], Collection]) -> None:
        self._open = open_
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.collection: Collection | None = None
        self.error = ""
        # Told about a long first read of the review history (a cache folder deleted), from the thread.
        self.progress: Callable[[str, int, int], None] | None = None

    def start(self, done: Done) -> None:
        """Open in the background; `done(collection, error)` is called from that thread."""
        with self._lock:
            if self._thread is not None:
                return
            self._thread = threading.Thread(target=self._run, args=(done,), name="retain-open", daemon=True)
            self._thread.start()

    def _run(self, done: Done) -> None:
        from retain.store.collection import CollectionError

        was_on = gc.isenabled()
        gc.disable()  # no collection may walk the ~500k objects being built (a pause of 0.1-0.5 s)
        try:
            self.collection = self._open()
            # The history index is read here too, off the UI thread: after the cache folder was
            # deleted it is rebuilt from the journals (seconds at 50k cards), with progress.
            self.collection.progress_fn = self.progress
            self.collection.history_index.refresh(datetime.now(UTC))
            # They live as long as the process: out of the collector's sight for good, before it
            # is back on (the launcher does the same after opening synchronously).
            gc.freeze()
        except CollectionError as exc:
            self.error = str(exc)
        except Exception as exc:  # OSError and the like: one line for the user, never a hung app
            from retain.store.oserror import os_error_text

            self.error = f"cannot open the collection: {os_error_text(exc)}"
        finally:
            if was_on:
                gc.enable()
        done(self.collection, self.error)

    def wait(self) -> Collection | None:
        """The opened collection (None when never started or failed), once the thread has finished."""
        with self._lock:
            thread = self._thread
        if thread is not None:
            thread.join()
        return self.collection
