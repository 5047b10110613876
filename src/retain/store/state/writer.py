"""The progress writer: the only object that changes card states.

`StateWriter.open` takes the single-writer lock (or stays read-only with a
message when another retain holds it), finds or makes this machine's device
folder, makes the daily backup and loads the current states (snapshots plus the
journal tail, see `stateload`). `record` appends an event to this device's
journal and fsyncs it before it changes the state in memory; `record_many`
does the same for a batch with one fsync. `compact` writes the snapshots of the
decks that changed; `close` compacts, closes the journal and releases the lock.
A batch stopped part way (`torn`) is never compacted as it is: the states are read again
from the files first.
Reading the history is not its job: that is `store.index.History`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from retain.core.state import CardState, Event, StateError
from retain.store.files import remove_tree
from retain.store.leftovers import OUR_TEMP
from retain.store.oserror import os_error_text
from retain.store.state.device import (
    MAKING_PREFIX,
    device_folders,
    find_device,
    import_id,
    make_device,
    make_import_folder,
)
from retain.store.state.event_check import EPOCH, Seen, check_event
from retain.store.state.journal import JournalError, JournalWriter, Position, journal_files
from retain.store.state.journal_format import check_at
from retain.store.state.loaded_state import LoadedState
from retain.store.state.lock import WriterLock
from retain.store.state.replay_cards import replay_cards
from retain.store.state.replay_rules import (
    bound,
    changed_elsewhere,
    history_only,
    leaves_state,
    next_change,
    set_card,
)
from retain.store.state.snapshot import (
    Change,
    Files,
    Holes,
    last_changes,
    snapshot_files,
    write_manifest,
    write_snapshot,
)
from retain.store.state.statecodec import ABSURD_AHEAD, canonical_event
from retain.store.state.stateload import load_state

__all__ = ["Checkpoint", "CollectionError", "ReadOnlyError", "Recorded", "Seen", "StateWriter"]

_US = timedelta(microseconds=1)


class CollectionError(Exception):
    """The state cannot be opened or written; the message is one line for the user."""


class ReadOnlyError(CollectionError):
    """A change was attempted while another retain holds the writer lock."""


def _reason(exc: BaseException) -> str:
    """ "no space left on device" from an OSError (or the message of anything else)."""
    if isinstance(exc, OSError):
        return os_error_text(exc, name=False)
    text = str(exc)
    if text.startswith("cannot write the review journal: "):
        text = text.rpartition(": ")[2]
        text = text[:1].lower() + text[1:]
    return text


@dataclass(slots=True)
class Recorded:
    """A batch as recorded: each event with where its record starts, and where each file now ends."""

    device: str
    events: list[tuple[Position, Event]]
    ends: dict[str, int]  # journal file name -> its end after the batch
    starts: dict[str, int]  # files this writer made: 0 (their header holds no record)


@dataclass(slots=True)
class Checkpoint:
    """The journal files' lengths and the states at one moment (see `StateWriter.checkpoint`)."""

    sizes: dict[str, int]
    imports: set[str]  # the import folders made before it (`begin_import`)
    states: dict[str, CardState]
    dirty: set[str]
    latest: dict[str, Change]
    torn: bool = False  # (`StateWriter.torn` then)


class StateWriter:
    """Lock, device, journal, current states and compaction for one RETAIN_HOME's state folder."""

    def __init__(self, state_dir: Path, cache_dir: Path | None) -> None:
        self.state_dir = state_dir
        self.cache_dir = cache_dir
        self.read_only = True
        self.device: str | None = None
        self.messages: list[str] = []
        self._states: dict[str, CardState] = {}
        self._latest: dict[str, Change] = {}  # unit -> its last event's time and device (`last_changes`)
        self._lock = WriterLock(state_dir)
        self._journal: JournalWriter | None = None
        self._imports: dict[str, JournalWriter] = {}  # history imports' folders made by this writer
        self._unmade: dict[str, datetime] = {}  # import folders not made yet (nothing recorded)
        self._ends: dict[str, Position] = {}
        self._files: Files = {}  # device -> journal file -> how far its events are applied
        self._holes: Holes = {}  # device -> journal file -> records set aside, awaited (`holes`)
        self._late = False  # an older journal file was read late: the manifest must list it
        self._written: dict[
            str, datetime
        ] = {}  # deck -> its snapshot's `written` (the manifest's [snapshots])
        self._dirty: set[str] = set()  # decks whose snapshot is behind
        # decks whose snapshot file holds bytes start-up could not copy aside: never rewritten
        self._keep: set[str] = set()
        self._seq = 0
        self._absurd = datetime.max.replace(tzinfo=UTC)  # event times past this are refused (`open`)
        self._reader_line = ""  # what `open` said when another retain held the lock
        self._fsync = True
        self._torn = False  # a record stopped between its journal append and its last state (`torn`)

    @property
    def states(self) -> Mapping[str, CardState]:
        """The current state of every unit with progress (read-only: change them with `record`)."""
        return self._states

    def open(self, now: datetime, today: date, *, read_only: bool, fsync: bool = True) -> None:
        """Lock (unless `read_only`), then load the states; the lock is released on any failure."""
        self._fsync = fsync  # (`take_over` opens the journal as this open would have)
        try:
            self._open(now, today, read_only, fsync)
        except BaseException:
            self._lock.release()
            raise

    def _open(self, now: datetime, today: date, read_only: bool, fsync: bool) -> None:
        self._absurd = now.astimezone(UTC) + ABSURD_AHEAD  # a reader later than `now` accepts all below
        if not read_only:
            if self._locked(now):
                self._become_writer(now, today, fsync)
            else:  # a reader until the other retain closes (`take_over`)
                self._say_holder()
        loaded = load_state(self.state_dir, self.cache_dir, now, self.device, not self.read_only)
        self._take(loaded)
        self.messages += loaded.messages

    def _locked(self, now: datetime) -> bool:
        """Take the lock without waiting; False when another retain holds it."""
        try:
            return self._lock.acquire(now)
        except OSError as exc:
            raise CollectionError(f"cannot take the writer lock {self._lock.path}: {_reason(exc)}") from None

    def _say_holder(self) -> None:
        """The reader's line, naming the lock's holder as it is now (the retain that held it at the
        open may have closed, and another retain taken the lock first)."""
        said = (
            f"another retain ({self._lock.holder()}) is writing the progress; opened read-only while it runs"
        )
        if said != self._reader_line:
            old, self._reader_line = self._reader_line, said
            if old and old in self.messages:
                self.messages[self.messages.index(old)] = said
            else:
                self.messages.append(said)

    def _become_writer(self, now: datetime, today: date, fsync: bool) -> None:
        """With the lock held: announce it, find or make this device's folder, make the daily
        backup and open the journal (a reader never needs any of them)."""
        self.read_only = False
        stale = self._lock.announce(now)  # a killed retain's lock taken over: one line
        if stale is not None:
            self.messages.append(stale)
        try:
            self.device = find_device(self.state_dir) or make_device(self.state_dir, now)
        except OSError as exc:
            raise CollectionError(
                f"cannot create this device's folder in {self.state_dir}: {_reason(exc)}"
            ) from None
        self._remove_temp_files()
        from retain.store.state.backup import daily_backup

        try:
            daily_backup(self.state_dir, today)
        except OSError as exc:
            self.messages.append(f"the daily backup failed: {os_error_text(exc, name=False)}")
        self._journal = JournalWriter(self.state_dir / "devices" / self.device, fsync=fsync)
        self._seq = self._journal.last_sequence()  # ids go on from the last run's: never one twice

    @property
    def torn(self) -> bool:
        """A record was stopped part way (an interrupt, an error) after its events may have
        reached the journal and before every card had its new state: the states in memory may
        lack events the journal holds. `compact` reads them again from the files first, as the
        next start would; until then nothing derived from them (a snapshot, the launch
        summary) may be written."""
        return self._torn

    @property
    def waiting_for_lock(self) -> bool:
        """A reader only because another retain held the lock when it opened (`take_over`)."""
        return self.read_only and bool(self._reader_line)

    def take_over(self, now: datetime, today: date) -> bool:
        """A reader (another retain held the lock at its start) becomes the writer once that
        retain has closed: True when it now is. The states are read again with the lock held, as
        a writer's start reads them (the other retain's last ratings and its compaction
        included); the line that said "read-only" goes. False while another retain holds the
        lock (the line then names that one: perhaps a third that took it first; nothing is
        written), or when it was opened read-only on purpose (`retain due`); CollectionError (the
        lock let go) when the state cannot be used."""
        if not self.read_only:
            return True
        if not self.waiting_for_lock:  # (read-only on purpose: stays so)
            return False
        if not self._locked(now):
            self._say_holder()  # (perhaps another retain that was waiting too)
            return False
        try:
            self._absurd = now.astimezone(UTC) + ABSURD_AHEAD
            self._become_writer(now, today, self._fsync)
            loaded = load_state(self.state_dir, self.cache_dir, now, self.device, True)
        except BaseException:
            self.close_journal()
            self.device = None
            self.release()
            raise
        self._take(loaded)
        kept = [m for m in self.messages if m != self._reader_line]
        self.messages = list(dict.fromkeys([*kept, *loaded.messages]))  # (damage the open said: once)
        return True

    def reread(self, now: datetime) -> None:
        """A reader's states read again, as `retain due` would read them now (the writer recorded
        since); a writer's own states are always current: nothing to do. Its lines are not said
        (those of the open were; a record the writer is appending at that moment is no damage)."""
        if not self.read_only:
            return
        self._take(load_state(self.state_dir, self.cache_dir, now, None, False))

    def _take(self, loaded: LoadedState) -> None:
        """What a start-up read (`load_state`) becomes this writer's: states, positions, files."""
        self._states, self._latest, self._ends = loaded.states, loaded.latest, loaded.ends
        self._files, self._holes, self._late = loaded.files, loaded.holes, loaded.late
        self._written, self._dirty = loaded.written, loaded.dirty_decks
        self._keep = loaded.keep
        if self._journal is not None:
            self._journal.blocked = dict(loaded.blocked)

    def _remove_temp_files(self) -> None:
        """Temp files of writes cut short by a crash (we hold the lock: no write is in progress):
        only the names `files.atomic_output` makes, never a sync tool's download in progress
        (Syncthing's `.syncthing.<name>.tmp`)."""
        folders = [self.state_dir, self.state_dir / "snapshots", self.state_dir / "quarantine"]
        if self.device is not None:
            folders.append(self.state_dir / "devices" / self.device)
        for folder in folders:
            for tmp in folder.glob(".*.tmp") if folder.is_dir() else []:
                if OUR_TEMP.match(tmp.name):
                    with contextlib.suppress(OSError):
                        tmp.unlink()
        devices = self.state_dir / "devices"
        for making in devices.glob(f"{MAKING_PREFIX}*") if devices.is_dir() else []:
            if making.is_dir() and not making.is_symlink():  # a device folder a kill left half-made
                remove_tree(making)  # (a FIFO or a link swapped in since: unlinked, never opened or followed)

    # -- recording ------------------------------------------------------------------

    def new_event_id(self, now: datetime, device: str | None = None) -> str:
        """A new event id of this device (or of the import folder `device`)."""
        self._seq += 1
        ns = ((now if now.tzinfo is UTC else now.astimezone(UTC)) - EPOCH) // _US * 1000
        return f"{device or self.device or 'readonly'}-{ns:019d}-{self._seq}"

    def new_event_ids(self, times: Sequence[datetime], device: str | None = None) -> list[str]:
        """`new_event_id` of each of `times`, in order (a history import's batch)."""
        return [self.new_event_id(at, device) for at in times]

    def begin_import(self, now: datetime) -> str:
        """Make a device folder for a history import (`device.make_import_folder`); its id.

        Record into it with `record_batch(..., into=id)`: its events take their place among
        every device's by time, as a replay of the files will place them. The folder is made
        when the first event is recorded (an import that records nothing leaves none).
        """
        if self.read_only or self._journal is None or self.device is None:
            raise ReadOnlyError("this retain opened the progress read-only; nothing can be recorded")
        device = import_id(self.state_dir, now)
        self._imports[device] = JournalWriter(self.state_dir / "devices" / device, fsync=self._journal.fsync)
        self._unmade[device] = now
        return device

    def bound(self, key: str) -> datetime | None:
        """The time of the last event held for `key` (an older one of another device is history)."""
        return bound(self._states.get(key), self._latest.get(key))

    def _apply(self, event: Event, device: str | None = None, recount: set[str] | None = None) -> None:
        """Apply a recorded event of this device (in the order written) or of the import folder
        `device` (by its time, as `load_state` does: an event older than the card's last is history).
        An older one under a later change (`changed_elsewhere`: maybe an undo, which puts back
        what the card is without the event it took back) adds its card to `recount`."""
        if leaves_state(event):  # a cram rating or its undo: history only
            return
        key = event.key
        known = self._latest.get(key)
        if device is not None:
            state = self._states.get(key)
            if history_only(event, device, state, known, state):
                if recount is not None and changed_elsewhere(device, state, known):
                    recount.add(key)
                return
        self._dirty.add(key.partition("/")[0])
        if known is None or event.time > known[0]:
            self._latest[key] = next_change(self._states.get(key), event.time, device or self.device or "")
        if event.after is None:
            self._states.pop(key, None)
        else:
            self._states[key] = event.after

    def _recount(self, keys: set[str]) -> None:
        """Give `keys` what a replay of every journal gives (`stateload.replay_cards`), as the next
        start would: an imported review dated before a rating this device undid is the state
        the undo leaves (the undo's `a`, made before it was here, is not)."""
        now = datetime.now(UTC)
        held = {key: self._states.get(key) for key in keys}
        found = replay_cards(device_folders(self.state_dir), keys, self._latest, now, held=held)
        for key, (state, change) in found.items():
            self._dirty.add(key.partition("/")[0])
            set_card(self._states, self._latest, key, state, change)

    def record(self, event: Event) -> Event:
        """Append `event` to the journal durably, then apply it; return it as stored.

        Raises ReadOnlyError when read-only, and CollectionError (one line, e.g. "no space left on
        device", or a date the store refuses) when the journal cannot be written or the event is
        refused; nothing changes then, on disk or in memory.
        """
        # What the journal gives back (floats rounded): memory, snapshots and undo agree with it.
        try:
            event = canonical_event(self._checked(event, {}))
        except StateError as exc:  # (a clock before 1970): said in one line, as a full disk is
            raise CollectionError(str(exc)) from None
        assert self._journal is not None
        torn, self._torn = self._torn, True  # (until the state is applied: see `torn`)
        try:
            self._journal.append(event)  # durable from here on
        except (JournalError, OSError) as exc:
            self._torn = torn  # (a failed write leaves nothing of it: `JournalWriter.append_many`)
            raise CollectionError(_reason(exc)) from None
        self._apply(event)
        self._torn = torn
        return event

    def record_many(self, events: Sequence[Event]) -> list[Event]:
        """Append a batch durably with one fsync, then apply it (all or nothing on disk).

        For history imports: events whose states the store refuses (a due date centuries away)
        are left out and the recorded ones returned. The states kept in memory are not rounded
        as the journal rounds them (a round trip per event costs more than the import itself);
        they differ by less than 5e-6 relative until the next start reads the files.
        """
        return [event for _pos, event in self.record_batch(events).events]

    def record_batch(
        self, events: Sequence[Event], seen: Seen | None = None, *, into: str | None = None
    ) -> Recorded:
        """`record_many`, saying where each recorded event's record is in the journal.

        `seen` holds states already checked (a `before` is usually an earlier event's
        `after`), by `id()` with the state itself, so an id is never reused while it is there.
        Pass the same `seen` to every batch of one import. `into`: the import folder
        (`begin_import`) to write to instead of this device's journal; its events (in time
        order) apply to the states by time.
        """
        checked: list[Event] = []
        seen = {} if seen is None else seen
        for e in events:
            try:
                checked.append(self._checked(e, seen))
            except StateError:
                continue
        device = into or self.device or ""
        if not checked:
            return Recorded(device, [], {}, {})
        journal = self._journal if into is None else self._imports[into]
        assert journal is not None
        if into is not None and into in self._unmade:
            try:
                make_import_folder(self.state_dir, into, self.device or "", self._unmade[into])
            except OSError as exc:
                raise CollectionError(_reason(exc)) from None  # (as a journal write's failure)
            del self._unmade[into]
        journal.ends, journal.created = {}, set()
        # Torn from here until every card has its new state: a stop in between (Ctrl-C, an
        # error) leaves events in the journal that the states lack (`torn`).
        torn, self._torn = self._torn, True
        try:
            positions = journal.append_many(checked)
        except (JournalError, OSError) as exc:
            if not journal.ends:  # (no file of the batch written whole: nothing of it is there)
                self._torn = torn
            raise CollectionError(_reason(exc)) from None
        recount: set[str] = set()
        for event in checked:
            self._apply(event, into, recount)
        if recount:
            self._recount(recount)
        self._torn = torn
        if into is not None:
            self._late = True  # the manifest names the folder's files, even if no state changed
        return Recorded(
            device,
            list(zip(positions, checked, strict=True)),
            journal.ends,
            {name: 0 for name in journal.ends if name in journal.created},
        )

    def _checked(self, event: Event, seen: Seen) -> Event:
        """`checked`, by the writer (ReadOnlyError when this one only reads)."""
        if self.read_only or self._journal is None:
            raise ReadOnlyError(
                "this retain opened the progress read-only (another retain is writing); "
                "the review was not recorded"
            )
        return self.checked(event, seen)

    def checked(self, event: Event, seen: Seen) -> Event:
        """`event` as it would be recorded (`event_check.check_event`); StateError when the store
        refuses it. Read-only too: `import --dry-run` counts what the import would leave out."""
        return check_event(event, seen, self._absurd)

    def checkpoint(self) -> Checkpoint:
        """Where the journal and the states are now, to take back a batch import (`rollback`)."""
        if self.read_only or self._journal is None:
            raise ReadOnlyError("this retain opened the progress read-only; nothing can be recorded")
        try:
            sizes = self._journal.sizes()
        except OSError as exc:
            raise CollectionError(_reason(exc)) from None
        return Checkpoint(
            sizes, set(self._imports), dict(self._states), set(self._dirty), dict(self._latest), self._torn
        )

    def rollback(self, mark: Checkpoint) -> None:
        """Take back every event recorded since `mark`, on disk and in memory."""
        assert self._journal is not None
        self._torn = True  # (a rollback stopped part way leaves the journal and states apart)
        try:
            self._journal.cut_back(mark.sizes)
            for device in [d for d in self._imports if d not in mark.imports]:
                self._imports.pop(device).close()
                _remove_folder(self.state_dir / "devices" / device)
        except OSError as exc:
            raise CollectionError(_reason(exc)) from None
        self._states = dict(mark.states)
        self._dirty = set(mark.dirty)
        self._latest = dict(mark.latest)
        self._torn = mark.torn

    # -- compaction -----------------------------------------------------------------

    def compact(self, now: datetime) -> list[str]:
        """Write the snapshots of the decks that changed, then the manifest; return what failed.

        At session end or when idle; never per rating. Decks without changes are
        left alone: the manifest records that they are complete up to the new
        journal positions (see `snapshot.write_manifest`). When a snapshot cannot
        be written (a full disk), its deck stays behind (the journal has every
        event, and the next start replays them), the manifest is left as it was,
        and the returned one-line messages say which snapshots were not written.

        A deck with progress whose snapshot is gone (deleted while retain ran: a `git merge`
        resolved in another window) is written too, though it did not change: the manifest
        would no longer list it, and the next start would never read its reviews. A snapshot
        start-up could not copy aside (`LoadedState.keep`) is never rewritten: its deck's whole
        journal is replayed at every start until it can be.

        After a record stopped part way (`torn`) the states are read again from the files
        first (`_mend`): written as they were, the snapshots would say that events the states
        lack were applied, and the next start, which trusts them, would never read those.
        """
        if self.read_only:
            return []
        if self._torn:
            unread = self._mend(now)
            if unread:
                return unread
        if not (self._dirty or self._late):
            return []
        positions = dict(self._ends)
        writers = dict(self._imports)
        if self.device is not None and self._journal is not None:
            writers[self.device] = self._journal
        for device, journal in writers.items():
            end = journal.end()
            if end is not None:
                positions[device] = end
        folder = self.state_dir / "snapshots"
        present = {p.stem for p in snapshot_files(folder)}
        held = {key.partition("/")[0] for key in self._states} | {
            key.partition("/")[0] for key in self._latest
        }
        dirty = (self._dirty | (held - present)) - (self._keep & present)
        by_deck: dict[str, dict[str, CardState]] = {deck: {} for deck in dirty}
        for key, state in self._states.items():
            deck = key.partition("/")[0]
            if deck in dirty:
                by_deck[deck][key] = state
        changes = last_changes(self._states, self._latest)
        changed: dict[str, dict[str, Change]] = {deck: {} for deck in dirty}
        for key, at in changes.items():
            deck = key.partition("/")[0]
            if deck in dirty:
                changed[deck][key] = at
        failed: dict[str, str] = {}
        for deck_id, states in by_deck.items():
            try:
                write_snapshot(folder, deck_id, states, positions, now, self.cache_dir, changed[deck_id])
                self._written[deck_id] = now.astimezone(UTC)
            except OSError as exc:
                failed[deck_id] = _reason(exc)
        if failed:
            self._dirty = set(failed)
            first = next(iter(failed.values()))
            names = ", ".join(f"snapshots/{d}.toml" for d in sorted(failed))
            return [
                f"not written: {names} ({first}); every review is in the journal and is read again next time"
            ]
        decks = {p.stem for p in snapshot_files(folder)} | set(by_deck)
        try:
            written = {deck: at for deck, at in self._written.items() if deck in decks}
            files = self._files_now(positions)
            write_manifest(self.state_dir, sorted(decks), positions, now, files, written, self._holes)
        except OSError as exc:
            return [
                f"not written: snapshots.toml ({_reason(exc)}); the next start reads the journal further back"
            ]
        self._dirty, self._late = set(), False
        return []

    def _mend(self, now: datetime) -> list[str]:
        """After a torn record (`torn`): the states, positions and files read again as the next
        start reads them (the lock is held, as at `take_over`), so they hold every event the
        journals do; the line to return when they cannot be (the snapshots are then not
        written: the next start reads the journals from where they stop)."""
        try:
            loaded = load_state(self.state_dir, self.cache_dir, now, self.device, True)
        except Exception as exc:  # (a journal of a newer format synced in meanwhile, ...)
            return [
                f"not written: snapshots ({_reason(exc)}); every review is in the journal and is read again next time"
            ]
        self._take(loaded)  # (its lines were said at the open, or are said by the next start)
        self._torn = False
        return []

    def _files_now(self, positions: Mapping[str, Position]) -> Files:
        """The manifest's `[files]`: other devices' files as far as they were read at start-up
        (what arrived since is read next time), this device's as they are on disk (every
        event appended since has been applied)."""
        files = {device: dict(known) for device, known in self._files.items()}
        written = ([self.device] if self.device is not None else []) + list(self._imports)
        blocked = self._journal.blocked if self._journal is not None else {}
        for device in written:  # this writer's folders: every event appended has been applied
            own = files.setdefault(device, {})
            end = positions.get(device)
            for path in journal_files(self.state_dir / "devices" / device):
                if device == self.device and path.name in blocked:
                    continue  # (torn bytes not cut: applied up to where start-up read it, as listed)
                try:
                    size = path.stat().st_size
                except OSError:
                    continue
                known = own.get(path.name)
                if end is not None and end.file == path.name and end.offset == size:
                    own[path.name] = end
                elif known is None or known.offset != size:
                    own[path.name] = Position(path.name, size, check_at(path, size))
        return files

    @property
    def dirty(self) -> set[str]:
        return self._dirty

    def close_journal(self) -> None:
        for journal in self._imports.values():
            journal.close()
        if self._journal is not None:
            self._journal.close()
            self._journal = None

    def release(self) -> None:
        self._lock.release()
        self.read_only = True


def _remove_folder(folder: Path) -> None:
    """Remove an import folder this writer made (taken back): its journals, then itself. What was
    swapped in for it (a FIFO, a symbolic link) is unlinked, never opened nor followed."""
    remove_tree(folder)
