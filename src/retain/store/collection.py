"""The collection: the deck library plus the learner's progress, opened once per process.

`Collection.open` takes the single-writer lock (or opens read-only with a
message when another retain holds it), makes the daily backup, loads the
library (through the deck parse cache) and the state (snapshots + journal
tail, see `stateload`). It is the `core.session.Recorder`: `record` appends
the event to this device's journal and fsyncs it before returning, then
updates the in-memory state. `close` (or `compact` when idle) writes the
per-deck snapshots; nothing else is ever rewritten.
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING

from retain.core.due import Counts, DayLog, count_due
from retain.core.gcpause import gc_paused
from retain.core.model import Unit
from retain.core.settings import StudySettings
from retain.core.state import CardState, Event, validate_state
from retain.core.studyday import StudyDay
from retain.store.deckcache import units_for
from retain.store.device import find_device, make_device
from retain.store.home import Home, library_folders
from retain.store.index import History
from retain.store.index.ingest import ProgressFn
from retain.store.journal import JournalError, JournalWriter, Position
from retain.store.library import Library, load_library
from retain.store.localzone import local_timezone
from retain.store.lock import WriterLock
from retain.store.migrate import FormatError
from retain.store.snapshot import snapshot_files, write_manifest, write_snapshot
from retain.store.statecodec import FUTURE_SKEW, KEY_RE
from retain.store.stateload import load_state

if TYPE_CHECKING:
    from retain.core.session import ReviewSession

__all__ = ["Collection", "CollectionError", "ReadOnlyError"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
UNDO_WINDOW = timedelta(days=2)


class CollectionError(Exception):
    """The state cannot be opened or written; the message is one line for the user."""


class ReadOnlyError(CollectionError):
    """A change was attempted on a collection opened read-only."""


class Collection:
    """Library + progress. Use `Collection.open`; call `close` when done."""

    library: Library
    units: list[Unit]
    states: dict[str, CardState]
    messages: list[str]
    read_only: bool

    def __init__(self, home: Home, tz: tzinfo) -> None:
        self.home = home
        self.tz = tz
        self.rollover_hour = home.config.rollover_hour
        self.studyday = StudyDay(self.rollover_hour, tz)
        self.progress_fn: ProgressFn | None = None
        self._history: History | None = None
        self.state_dir: Path = home.paths.state_dir
        self.cache_dir: Path = home.paths.cache_dir
        self.messages = []
        self.read_only = True
        self.device: str | None = None
        self._lock = WriterLock(self.state_dir)
        self._writer: JournalWriter | None = None
        self._ends: dict[str, Position] = {}
        self._dirty: set[str] = set()  # decks whose snapshot is behind
        self._seq = 0
        self._units_by_key: dict[str, Unit] | None = None
        self._opened = datetime.now(UTC)
        self._light = False
        # Identity of the state files before they were read (`homesummary.state_file_ids`); writers only.
        self.state_ids_at_open: dict[str, tuple[int, int, int]] | None = None
        # Carried (study day, reviews, streak) of the launch summary; the history index answers now.
        self.progress_base: tuple[date, int, int] | None = None

    @classmethod
    def open(
        cls,
        home: Home,
        now: datetime,
        *,
        read_only: bool = False,
        tz: tzinfo | None = None,
        fsync: bool = True,
        cards: bool = True,
        progress: ProgressFn | None = None,
    ) -> Collection:
        """Open the library and state; raises CollectionError when the state cannot be used.

        `cards=False` loads decks without their `cards` and units without their
        texts (front/back/extra empty): for counting commands (`due`, `stats`)
        that must start fast; never use it for a review session. `fsync=False` is for benchmarks.
        """
        col = cls(home, tz if tz is not None else local_timezone())
        col.progress_fn = progress
        try:
            with gc_paused():  # ~100k long-lived objects are built here: collections would only cost time
                col._open(now, read_only, fsync, cards)
        except (FormatError, JournalError) as exc:
            col._lock.release()
            raise CollectionError(str(exc)) from None
        except BaseException:
            col._lock.release()
            raise
        return col

    def _open(self, now: datetime, read_only: bool, fsync: bool, cards: bool) -> None:
        self._light = not cards
        if not read_only:
            if self._lock.acquire(now):
                self.read_only = False
            else:
                self.messages.append(
                    f"another retain ({self._lock.holder()}) is writing the progress; "
                    "opened read-only: reviews cannot be recorded here until it closes"
                )
        self._opened = now.astimezone(UTC)
        if not self.read_only:  # a reader never needs its device id
            self.device = find_device(self.state_dir) or make_device(self.state_dir, now)
            self._remove_temp_files()
            from retain.store.backup import daily_backup

            try:
                daily_backup(self.state_dir, self.today(now))
            except OSError as exc:
                self.messages.append(f"the daily backup failed: {exc.strerror or exc}")
            self._writer = JournalWriter(self.state_dir / "devices" / self.device, fsync=fsync)
        if not self.read_only and cards:
            from retain.store.homesummary import state_file_ids

            self.state_ids_at_open = state_file_ids(self.state_dir)
        self.reload_library()
        loaded = load_state(self.state_dir, self.cache_dir, now, self.device, not self.read_only)
        self.states = loaded.states
        self._ends = loaded.ends
        self._dirty = loaded.dirty_decks
        self.messages += loaded.messages

    def _remove_temp_files(self) -> None:
        """Temp files of writes cut short by a crash (we hold the lock: no write is in progress)."""
        folders = [self.state_dir, self.state_dir / "snapshots", self.state_dir / "quarantine"]
        if self.device is not None:
            folders.append(self.state_dir / "devices" / self.device)
        for folder in folders:
            for tmp in folder.glob(".*.tmp") if folder.is_dir() else []:
                with contextlib.suppress(OSError):
                    tmp.unlink()

    def reload_library(self) -> None:
        """Re-read the deck files (edited in the app or on disk); progress is untouched."""
        folders = library_folders(self.home.paths, self.home.config)
        with gc_paused():
            self.library = load_library(folders, self.cache_dir, cards=not self._light)
            self.units = [u for deck in self.library.decks for u in units_for(deck)]
        self._units_by_key = None

    # -- time -------------------------------------------------------------------

    def today(self, now: datetime) -> date:
        return self.studyday.today(now)

    def day_start(self, now: datetime) -> datetime:
        return self.studyday.start(now)

    @property
    def history_index(self) -> History:
        """The review history (opened, and brought up to date, on first use)."""
        if self._history is None:
            history = History(self.state_dir, self.cache_dir, self.studyday, progress=self.progress_fn)
            self.messages += history.messages
            self._history = history
        return self._history

    def progress(self, now: datetime) -> tuple[int, int]:
        """(counted reviews in the current study day, streak in days), from the history index."""
        return self.history_index.progress(now)

    def history_changed(self) -> None:
        """Past events were added (a history import); the index reads them on its next query."""
        self.progress_base = None

    def day_log(self, now: datetime) -> DayLog:
        return self.history_index.day_log(now)

    # -- scheduling ---------------------------------------------------------------

    def settings_for(self, deck_id: str) -> StudySettings:
        return self.home.config.for_deck(deck_id)

    @property
    def units_by_key(self) -> dict[str, Unit]:
        if self._units_by_key is None:
            self._units_by_key = {u.key: u for u in self.units}
        return self._units_by_key

    def cards_per_deck(self) -> dict[str, int]:
        """Review units per deck id (the "Cards" column)."""
        return dict(Counter(u.deck_id for u in self.units))

    def due_counts(self, now: datetime) -> dict[str, Counts]:
        return count_due(self.units, self.states, self.day_log(now), self.settings_for, now, self.today(now))

    def start_session(self, deck_ids: Sequence[str] | None, now: datetime) -> ReviewSession:
        """A review session over the given decks (None: all); a group passes its deck ids."""
        from retain.core.queue import build_queue
        from retain.core.scheduler import Scheduler
        from retain.core.session import ReviewSession

        if self._light:
            raise CollectionError("this collection was opened without card content (cards=False)")
        wanted = None if deck_ids is None else set(deck_ids)
        units = [u for u in self.units if wanted is None or u.deck_id in wanted]
        ahead = timedelta(minutes=self.home.config.learn_ahead_minutes)
        queue = build_queue(
            units, self.states, self.day_log(now), self.settings_for, now, self.today(now), ahead
        )
        return ReviewSession(
            queue, self.states, lambda d: Scheduler(self.settings_for(d)), self, self.units_by_key, now
        )

    # -- the Recorder -------------------------------------------------------------

    def new_event_id(self, now: datetime) -> str:
        self._seq += 1
        ns = (now.astimezone(UTC) - _EPOCH) // timedelta(microseconds=1) * 1000
        return f"{self.device or 'readonly'}-{ns:019d}-{self._seq}"

    def record(self, event: Event) -> None:
        """Append `event` to the journal durably, then apply it; raises ReadOnlyError when read-only."""
        if self.read_only or self._writer is None:
            raise ReadOnlyError(
                "this retain opened the progress read-only (another retain is writing); "
                "the review was not recorded"
            )
        if not KEY_RE.match(event.key):
            raise ValueError(f"bad unit key {event.key!r}")
        at = event.time.astimezone(UTC)
        after = validate_state(event.after, at + FUTURE_SKEW) if event.after is not None else None
        before = validate_state(event.before, at + FUTURE_SKEW) if event.before is not None else None
        event = replace(event, time=at, after=after, before=before)
        self._writer.append(event)  # durable from here on
        self._dirty.add(event.key.partition("/")[0])
        if after is None:
            self.states.pop(event.key, None)
        else:
            self.states[event.key] = after

    def last_undoable(self, now: datetime | None = None) -> Event | None:
        """The newest (by time) review/suspend/bury of this device not yet undone, also from before
        a restart, within `UNDO_WINDOW`."""
        if self.device is None:
            return None
        since = (now or self._opened) - UNDO_WINDOW
        now = now or max(self._opened, datetime.now(UTC))
        return self.history_index.last_undoable(now, self.device, since)

    def history(self, now: datetime | None = None) -> list[Event]:
        """Every event of every device, oldest first (the full review history, whole events)."""
        return self.history_index.events(now or datetime.now(UTC))

    # -- compaction -----------------------------------------------------------------

    def compact(self, now: datetime) -> None:
        """Write the snapshots of the decks that changed, then the manifest.

        At session end or when idle; never per rating. Decks without changes are
        left alone: the manifest records that they are complete up to the new
        journal positions (see `snapshot.write_manifest`).
        """
        if self.read_only or not self._dirty:
            return
        positions = dict(self._ends)
        if self.device is not None and self._writer is not None:
            end = self._writer.end()
            if end is not None:
                positions[self.device] = end
        dirty = self._dirty
        by_deck: dict[str, dict[str, CardState]] = {deck: {} for deck in dirty}
        for key, state in self.states.items():
            deck = key.partition("/")[0]
            if deck in dirty:
                by_deck[deck][key] = state
        folder = self.state_dir / "snapshots"
        for deck_id, states in by_deck.items():
            write_snapshot(folder, deck_id, states, positions, now, self.cache_dir)
        decks = {p.stem for p in snapshot_files(folder)} | set(by_deck)
        write_manifest(self.state_dir, sorted(decks), positions, now)
        self._dirty = set()

    def close(self, now: datetime | None = None, *, save_summary: bool = False) -> None:
        """Compact, close the journal and release the lock. Safe to call twice.

        `save_summary` (the TUI) also writes the launch summary for the next
        start (`store.homesummary`), before the lock is released.
        """
        now = now or datetime.now(UTC)
        try:
            if not self.read_only:
                self.compact(now)
        finally:
            if self._writer is not None:
                self._writer.close()
                self._writer = None
            if save_summary and not self.read_only:
                self._save_summary(now)
            if self._history is not None:
                self._history.close()
                self._history = None
            self._lock.release()
            self.read_only = True

    def _save_summary(self, now: datetime) -> None:
        from retain.store.homesummary import save_summary

        with contextlib.suppress(OSError, ValueError):  # only an accelerator: never fail a close
            save_summary(self, now)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
