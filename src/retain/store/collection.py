"""The collection: the deck library, the learner's progress and the review history, opened together.

`Collection.open` loads the library (through the deck parse cache) and opens
the three parts it is made of:

- `StateWriter` (store/state/writer.py): the single-writer lock, this device's
  journal, the current card states, compaction. The only thing that changes
  a card's state. It is the `core.session.Recorder` behind `record`.
- `History` (store/index): the read-only review history through the index,
  for today's log, reviews today and the streak, the undo target and stats.
- `StudyDay` (core/studyday.py): which study day a moment belongs to.

The Collection itself holds the library and the scheduling questions that
need all three (due counts, study sessions).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import chain, repeat
from pathlib import Path
from typing import TYPE_CHECKING

from retain.core.due import DayLog, DueCounts, UnitKeys, count_due, last_moment
from retain.core.gcpause import gc_paused
from retain.core.model import Unit
from retain.core.settings import DEFAULT_PRESET, GroupLimit, StudySettings
from retain.core.state import CardState, Event
from retain.core.stats import StepRule, step_rule
from retain.core.studyday import StudyDay
from retain.store.config import Config, missing_folders
from retain.store.decks.deckcache import unit_keys_for, units_for
from retain.store.decks.library import Library, load_library
from retain.store.home import Home, library_folders
from retain.store.index import History
from retain.store.index.history import UNDOABLE_KINDS
from retain.store.index.ingest import ProgressFn
from retain.store.localzone import local_timezone
from retain.store.state.device import device_folders
from retain.store.state.journal import JournalError
from retain.store.state.migrate import FormatError
from retain.store.state.stateload import states_without
from retain.store.state.writer import CollectionError, ReadOnlyError, Seen, StateWriter

if TYPE_CHECKING:
    from retain.core.exam import ExamPlan
    from retain.core.queue import StudyQueue
    from retain.core.session import ReviewSession

__all__ = ["Collection", "CollectionError", "ReadOnlyError"]

UNDO_WINDOW = timedelta(days=2)  # undo takes back what was made this long before now, no older
_UNDOABLE = frozenset(UNDOABLE_KINDS)


class Collection:
    """Library + progress + history. Use `Collection.open`; call `close` when done."""

    library: Library

    def __init__(self, home: Home, tz: tzinfo) -> None:
        self.home = home
        self.tz = tz
        self.rollover_hour = home.config.rollover_hour
        self.studyday = StudyDay(self.rollover_hour, tz)
        self.state_dir: Path = home.paths.state_dir
        self.cache_dir: Path = home.paths.cache_dir
        self.writer = StateWriter(self.state_dir, self.cache_dir)
        self.progress_fn: ProgressFn | None = None
        self._history: History | None = None
        self._extra_messages: list[str] = []
        self._history_said: list[str] = []  # the history index's messages, kept when it closes
        self._units: list[Unit] | None = None  # built on first use (`units`)
        self._unit_keys: UnitKeys | None = None
        self._units_by_key: dict[str, Unit] | None = None
        self._opened = datetime.now(UTC)
        self._opened_wall = self._opened  # the system clock at the opening (`_now`)
        self._light = False
        # Identity of the state files before they were read (`homesummary.state_file_ids`); writers only.
        self.state_ids_at_open: dict[str, tuple[int, int, int]] | None = None
        self.close_messages: list[str] = []  # what `close` could not write, one line each
        self._can_undo: bool | None = None  # `can_undo`, until the next record
        self._can_undo_until: datetime | None = None  # (or until its event leaves the undo window)
        self._read_ids: dict[str, tuple[int, int, int]] | None = None  # a reader's (`reread_states`)

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
        history: bool = False,
    ) -> Collection:
        """Open the library and state; raises CollectionError when the state cannot be used.

        `cards=False` loads decks without their `cards` and units without their
        texts (front/back/extra empty): for counting commands (`due`, `stats`)
        that must start fast; never use it for a review session. `fsync=False` is for
        benchmarks. `progress` hears about a long first read of the history. `history`: the
        caller reads the history next; when its index must be built from scratch, the journals
        are decoded in worker processes while the state and the decks are read.
        """
        col = cls(home, tz if tz is not None else local_timezone())
        col.progress_fn = progress
        col._light = not cards
        col._opened = now.astimezone(UTC)
        reading = "the progress"  # what an OSError is about: the state folder, or the deck folders
        try:
            if history:
                col.history_index.prefetch(now)
            with gc_paused():  # ~100k long-lived objects are built here: collections would only cost time
                if cards:
                    from retain.store.index.homesummary import state_file_ids

                    col._read_ids = state_file_ids(col.state_dir)
                    if not read_only:
                        col.state_ids_at_open = col._read_ids
                col.writer.open(now, col.today(now), read_only=read_only, fsync=fsync)
                reading = "the decks"  # (a deck folder the walk could not look at is no error of the state's)
                col.reload_library()
                reading = "the progress"
            if history:  # read now: a journal the feed refuses (a newer format) refuses the open
                col.history_index.refresh(now)
        except (FormatError, JournalError) as exc:
            col._abandon()
            raise CollectionError(str(exc)) from None
        except OSError as exc:  # a state folder that cannot be read or written (or a deck folder)
            col._abandon()
            from retain.store.oserror import os_error_text

            raise CollectionError(f"cannot open {reading}: {os_error_text(exc)}") from None
        except BaseException:
            col._abandon()
            raise
        if col.writer.read_only:
            col.state_ids_at_open = None
        else:
            col._remove_leftovers()
        col._finish_moves(now)
        return col

    def _remove_leftovers(self) -> None:
        """Temp files of deck and config.toml saves a kill cut short (`store.leftovers`; their
        age by the real clock, as their times are, not the open's `now`)."""
        import time

        from retain.store.leftovers import remove_stale_temp_files

        folders = [self.home.paths.decks_dir, self.home.paths.config_file.parent]
        folders += [e.path.parent for e in self.library.entries if e.origin != "bundled"]
        remove_stale_temp_files(folders, time.time())

    def _finish_moves(self, now: datetime) -> None:
        """A card move a kill cut short (`store.move_intent`): finished, or taken back, with one
        line; a reader shows it finished (in memory) and writes nothing."""
        if not (self.state_dir / "moving.toml").exists():
            return
        from retain.store.move_intent import finish_moves, preview_moves

        try:
            said = preview_moves(self, now) if self.read_only else finish_moves(self, now)
        except (CollectionError, OSError) as exc:  # (the journal could not be written: next start)
            said = f"a card move cut short could not be finished yet: {exc}"
        if said:
            self._extra_messages.append(said)

    def _abandon(self) -> None:
        """An open that failed: stop the history's workers, release the lock."""
        if self._history is not None:
            self._history.close()
            self._history = None
        self.writer.release()

    # -- the parts --------------------------------------------------------------------

    @property
    def states(self) -> Mapping[str, CardState]:
        return self.writer.states

    @property
    def read_only(self) -> bool:
        return self.writer.read_only

    def reread_states(self, now: datetime) -> bool:
        """A read-only collection (another retain writes) reads the states again when the state
        files changed since it read them, so its counts follow the writer's ratings, undos,
        suspends and buries as `retain due` run now counts them (the history index follows on its
        own); True when it read them. A writer's states are always current: False."""
        if not self.read_only or self._light:
            return False
        from retain.store.index.homesummary import state_file_ids

        ids = state_file_ids(self.state_dir)  # (before the read: a change during it is read next time)
        if ids == self._read_ids:
            return False
        self._read_ids = ids
        self.writer.reread(now)
        return True

    @property
    def waiting_for_lock(self) -> bool:
        """Read-only only because another retain held the writer lock at the open (`take_over`)."""
        return self.writer.waiting_for_lock and not self._light

    def take_over(self, now: datetime) -> bool:
        """A read-only collection becomes the writer once the retain that held the lock has
        closed (`StateWriter.take_over`): True when it now records. Never for a light open."""
        if not self.read_only:
            return True
        if not self.waiting_for_lock:
            return False
        from retain.store.index.homesummary import state_file_ids

        ids = state_file_ids(self.state_dir)  # (before the read, as `open` takes them)
        if not self.writer.take_over(now, self.today(now)):
            return False
        self._read_ids = self.state_ids_at_open = ids
        self._can_undo = None
        self._finish_moves(now)
        return True

    @property
    def device(self) -> str | None:
        return self.writer.device

    @property
    def messages(self) -> list[str]:
        """Every one-line message of the open (state, history, library), oldest first."""
        history = self._history.messages if self._history is not None else self._history_said
        from retain.store.localzone import zone_messages

        library: Library | None = getattr(self, "library", None)  # (an open that failed: not read)
        today = self.today(self._opened)
        config = [
            *self.home.config.warnings,
            *(library.finished_saves if library is not None else []),  # (a deck save a kill cut short)
            *missing_folders(self.home.config),
            *self.unknown_in_config(self.home.config, today),
            *zone_messages(self.tz),
        ]
        exams = self.exam_lines(self.home.config, today)
        return [*config, *self.writer.messages, *self._extra_messages, *history, *exams]

    def unknown_in_config(self, config: Config, today: date) -> list[str]:
        """`config`'s tables naming nothing in the library; none while a deck file is broken (its
        deck id cannot be read, and its file name need not be it: no typo is guessed). Said at
        start (`messages`) and by a settings save."""
        library: Library | None = getattr(self, "library", None)  # (an open that failed: not read)
        if not (config.deck_overrides or config.exams or config.groups) or library is None or library.broken:
            return []
        from retain.store.config import unknown_decks

        pairs = [(deck.id, deck.group) for deck in library.decks]
        return unknown_decks(config, pairs, passed=today)  # (passed ones: said so)

    def exam_lines(self, config: Config, today: date) -> list[str]:
        """`config`'s exams whose date has passed, or whose group two entries name (none while a
        deck file is broken, for the clashes). Said at start (`messages`) and by a settings save."""
        if not config.exams:  # (none: the exam module is not imported)
            return []
        from retain.store.exam_config import exam_clashes, exam_decks, past_exams

        library: Library | None = getattr(self, "library", None)  # (an open that failed: not read)
        pairs = None
        if library is not None and not library.broken:
            pairs = exam_decks((d.id, d.group, d.name) for d in library.decks)
        lines = past_exams(config.exams, today, pairs)
        if pairs is not None:
            lines += exam_clashes(config.exams, pairs, today)
        return lines

    @property
    def history_index(self) -> History:
        """The review history (opened, and brought up to date, on first use)."""
        if self._history is None:
            self._history = History(
                self.state_dir,
                self.cache_dir,
                self.studyday,
                progress=self.progress_fn,
                said=lambda: self.writer.messages,  # (a record the state load set aside: said once)
                steps=self._step_rule(self.home.config),
            )
        return self._history

    @staticmethod
    def _step_rule(config: Config) -> StepRule:
        """The decks' learning and relearning steps, by which true retention judges a (re)learning
        rating (`core.stats.step_rule`: after Hard on the first step, the first step's length)."""
        return step_rule(config.preset(DEFAULT_PRESET), config.deck_overrides)

    def reload_library(self) -> None:
        """Re-read the deck files (edited in the app or on disk); progress is untouched."""
        folders = library_folders(self.home.paths, self.home.config)
        with gc_paused():
            self.library = load_library(folders, self.cache_dir, cards=not self._light)
        self._units = None
        self._unit_keys = None
        self._units_by_key = None

    @property
    def units(self) -> list[Unit]:
        """Every review unit of the library, deck by deck (built on first use: a deck
        from the cache without its cards keeps them as columns until then)."""
        if self._units is None:
            with gc_paused():
                self._units = [u for deck in self.library.decks for u in units_for(deck)]
        return self._units

    def unit_keys(self) -> UnitKeys:
        """(deck id, key) of every review unit, in `units` order, without building the units."""
        if self._unit_keys is None:
            if self._units is not None:
                self._unit_keys = UnitKeys((u.deck_id, u.key) for u in self._units)
            else:
                keys = [(d.id, unit_keys_for(d)) for d in self.library.decks]
                pairs = (zip(repeat(d, len(k)), k, strict=True) for d, k in keys)
                self._unit_keys = UnitKeys(chain.from_iterable(pairs))
        return self._unit_keys

    # -- time and history -------------------------------------------------------------

    def today(self, now: datetime) -> date:
        return self.studyday.today(now)

    def day_start(self, now: datetime) -> datetime:
        return self.studyday.start(now)

    def progress(self, now: datetime) -> tuple[int, int]:
        """(counted reviews in the current study day, streak in days), from the history index."""
        return self.history_index.progress(now)

    def day_log(self, now: datetime) -> DayLog:
        return self.history_index.day_log(now)

    # -- scheduling ---------------------------------------------------------------

    def settings_for(self, deck_id: str) -> StudySettings:
        return self.home.config.for_deck(deck_id)

    def group_limits(self) -> dict[str, GroupLimit]:
        """Deck id -> the `[groups]` daily limits of its nearest group that has them (a group
        holds the groups under it, and its Anki parent deck: `Config.group_limits`), for the
        decks under such a group."""
        return self.home.config.group_limits((d.id, d.group, d.name) for d in self.library.decks)

    def use_config(self, config: Config) -> None:
        """Settings saved in the app apply at once: scheduling reads them on each question, a new
        rollover hour re-dates the history (the index restamps it), new deck folders are loaded."""
        old, self.home.config = self.home.config, config
        if config.rollover_hour != old.rollover_hour:
            self.rollover_hour = config.rollover_hour
            self.studyday = StudyDay(config.rollover_hour, self.tz)
            self._close_history()
        elif self._step_rule(config) != self._step_rule(old):  # the index judges learning ratings again
            self._close_history()
        if config.deck_folders != old.deck_folders:
            self.reload_library()

    @property
    def units_by_key(self) -> dict[str, Unit]:
        if self._units_by_key is None:
            self._units_by_key = {u.key: u for u in self.units}
        return self._units_by_key

    def cards_per_deck(self) -> dict[str, int]:
        """Review units per deck id (the "Cards" column)."""
        return dict(Counter(deck_id for deck_id, _key in self.unit_keys()))

    def due_counts(self, now: datetime) -> DueCounts:
        """Due counts per deck as a session over that deck would start with them (learning steps due
        within the configured learn-ahead count as learning; `DueCounts.served` for several decks):
        `retain due`, the home screen and the session agree."""
        ahead = timedelta(minutes=self.home.config.learn_ahead_minutes)
        log = self.day_log(now)
        states: Mapping[str, CardState] = self.states
        if self.home.config.exams:  # (none: the units are not built, the exam caps not imported)
            from retain.store.exams import capped_states, exam_plans

            plans = exam_plans(self, now)
            if plans:
                states = capped_states(self.states, self.units, plans, now)  # exam dates
        span = self.studyday.span(now)
        return count_due(
            self.unit_keys(),
            states,
            log,
            self.settings_for,
            now,
            self.today(now),
            day_end=last_moment(span),  # a review is due on its study day, as in Anki
            learn_ahead=ahead,
            day_span=span,  # siblings of a step due later today wait, as in the queue
            groups=self.group_limits(),  # [groups] limits: each deck within its group's room
        )

    def start_session(self, deck_ids: Sequence[str] | None, now: datetime) -> ReviewSession:
        """A review session over the given decks (None: all); a group passes its deck ids."""

        if self._light:
            raise CollectionError("this collection was opened without card content (cards=False)")
        with gc_paused():  # ~50k queue entries, no cycles: a full collection here took ~0.15 s
            return self._start_session(deck_ids, now)

    def _start_session(self, deck_ids: Sequence[str] | None, now: datetime) -> ReviewSession:
        from retain.core.scheduler import Scheduler
        from retain.core.session import ReviewSession
        from retain.store.exams import exam_plans, live_adjuster

        def rebuild(at: datetime) -> StudyQueue:
            return self.study_queue(deck_ids, at)

        plans = exam_plans(self, now)  # exam dates cap the intervals until the exam
        return ReviewSession(
            self._build_queue(deck_ids, now, plans),
            self.states,
            lambda d: Scheduler(self.settings_for(d), self.studyday),
            self,
            self.units_by_key,
            now,
            adjust=live_adjuster(self, plans),
            rebuild=rebuild,
            # changes when scheduling settings do, or a deck joins or leaves a group with limits
            settings_token=lambda: (self.home.config.scheduling, self.group_limits()),
            view=self.capped_view,
            today_of=self.today,
        )

    def study_queue(self, deck_ids: Sequence[str] | None, at: datetime) -> StudyQueue:
        """The daily queue over the given decks (None: all) for the study day of `at`, with the
        settings and decks of now: a session's next study day, or its decks under new ids."""
        from retain.store.exams import exam_plans

        with gc_paused():
            return self._build_queue(deck_ids, at, exam_plans(self, at))

    def capped_view(self, keys: Sequence[str], now: datetime) -> Mapping[str, CardState]:
        """The states of `keys` as a study queue sees them: an exam's caps applied."""
        from retain.store.exams import capped_states, exam_plans

        plans = exam_plans(self, now)
        if not plans:
            return self.states
        units = [u for k in keys if (u := self.units_by_key.get(k)) is not None]
        return capped_states(self.states, units, plans, now)

    def _build_queue(
        self, deck_ids: Sequence[str] | None, now: datetime, plans: Mapping[str, ExamPlan]
    ) -> StudyQueue:
        """The study queue over the given decks (None: all) for the study day of `now`."""
        from retain.core.queue import build_queue
        from retain.store.exams import capped_states, exam_rank_fn

        wanted = None if deck_ids is None else set(deck_ids)
        units = [u for u in self.units if wanted is None or u.deck_id in wanted]
        ahead = timedelta(minutes=self.home.config.learn_ahead_minutes)
        seen = capped_states(self.states, units, plans, now)
        span = self.studyday.span(now)
        return build_queue(
            units,
            seen,
            self.day_log(now),
            self.settings_for,
            now,
            self.today(now),
            ahead,
            day_end=last_moment(span),  # a review is due on its study day, as in Anki
            rank=exam_rank_fn(plans),
            day_span=span,  # the study day's end: siblings, undo, the rollover
            groups=self.group_limits(),  # every deck of a capped group: they share its room
        )

    # -- the Recorder -------------------------------------------------------------

    def new_event_id(self, now: datetime, device: str | None = None) -> str:
        return self.writer.new_event_id(now, device)

    def new_event_ids(self, times: Sequence[datetime], device: str | None = None) -> list[str]:
        return self.writer.new_event_ids(times, device)

    def begin_import(self, now: datetime) -> str:
        """A device folder for a history import to record into (`StateWriter.begin_import`)."""
        return self.writer.begin_import(now)

    def record(self, event: Event) -> Event:
        """Append `event` to the journal durably, then apply it; return it as stored (floats as the
        journal gives them back). Raises ReadOnlyError when read-only."""
        self._can_undo = None
        stored = self.writer.record(event)
        if (  # (a reset: when a forget, asked; dated past the window's end: asked)
            stored.kind in _UNDOABLE and stored.kind != "reset" and stored.time <= self._undo_span(None)[1]
        ):
            self._can_undo = True  # what was just recorded can be taken back
            self._can_undo_until = stored.time + UNDO_WINDOW
        return stored

    def record_many(
        self, events: Sequence[Event], seen: Seen | None = None, *, into: str | None = None
    ) -> list[Event]:
        """A batch of events, durable with one fsync (a history import); the ones recorded.

        `seen`: states already checked; `into`: an import folder (see `StateWriter.record_batch`).
        """
        self._can_undo = None
        recorded = self.writer.record_batch(events, seen, into=into)
        if self._history is not None:
            self._history.recorded(recorded)  # its next feed takes them from memory
        return [event for _pos, event in recorded.events]

    def recording_all_or_nothing(self) -> contextlib.AbstractContextManager[None]:
        """A block whose `record_many` batches are all kept, or, when one fails (a full disk),
        all taken back from the journal and the states (then the error is raised)."""
        return _all_or_nothing(self)

    def can_undo(self) -> bool:
        """Whether `last_undoable` has something, asked after every key of a review: kept until
        this collection records again (only this device's writer adds undoable events), or until
        that event leaves the undo window."""
        until = self._can_undo_until
        if self._can_undo is None or (self._can_undo and until is not None and self._now() >= until):
            target = self.last_undoable()
            self._can_undo = target is not None
            self._can_undo_until = target.time + UNDO_WINDOW if target is not None else None
        return self._can_undo

    def _now(self) -> datetime:
        """Now on the clock the collection was opened with (the system's, or a test's fixed one):
        the time given to `open` plus the time since on the system clock, so that a TUI left open
        for days is days later."""
        return self._opened + max(timedelta(0), datetime.now(UTC) - self._opened_wall)

    def last_undoable(self, now: datetime | None = None) -> Event | None:
        """The last written review, (un)suspend, (un)bury or reset of this device not yet undone,
        also from before a restart, dated within `UNDO_WINDOW` of `now` (default: now, `_now`):
        from the window before it to as far after it (`_undo_span`)."""
        action = self.last_undoable_action(now)
        return action[0] if action else None

    def last_undoable_action(self, now: datetime | None = None) -> list[Event]:
        """What undo takes back (`History.last_undoable_action`): `last_undoable`, or, when it is
        one event of an action of several (a bulk suspend or reset), every event of it still safe
        to take back, newest first. [] when there is nothing.

        The history says which events no later event changed; the card must also still hold the
        state each left. Another device's review made from that state is after it, whatever its
        date says (its clock ran behind): undo then would erase that review."""
        if self.device is None:
            return []
        since, until, now = self._undo_span(now)
        action = self.history_index.last_undoable_action(now, self.device, since, until)
        return [e for e in action if self._holds(e)]

    def states_before(self, events: Sequence[Event]) -> list[CardState | None]:
        """For each of `events` (each its card's last, one per card: what an undo takes back), the
        state its card would hold without it, for the undo to put back: its `before`, unless the
        card has events in other folders (history imported after it, another device's journal
        synced late), which may be dated before it though it never saw them; then what a replay
        of every journal up to it gives (one replay for all of them: a bulk action's undo)."""
        befores = [event.before for event in events]
        if self.device is None or not events:
            return befores
        now = self._now()
        elsewhere = self.history_index.written_elsewhere(now, (e.key for e in events), self.device)
        if not elsewhere:
            return befores
        targets = {e.key: e.id for e in events if e.key in elsewhere}
        found = states_without(device_folders(self.state_dir), targets, now)
        return [found.get(e.key, e.before) for e in events]

    def _holds(self, event: Event) -> bool:
        """Whether `event`'s card still holds the state it left (a cram rating left it as it was)."""
        return event.kind == "cram" or self.states.get(event.key) == event.after

    def _undo_span(self, now: datetime | None) -> tuple[datetime, datetime, datetime]:
        """(the oldest date undo reaches back to, the latest, the moment the history is read at).

        Undo goes by the order written (`History.last_undoable_action`), so a rating dated ahead
        (a clock that ran ahead, corrected since) is reached as long as it is the last; the dates
        only bound the window, each by the clock that wrote it: `UNDO_WINDOW` before now, and as
        far after (a clock days ahead: its ratings cannot be told from ones made days ago)."""
        at = now or self._now()
        return at - UNDO_WINDOW, at + UNDO_WINDOW, now or max(self._opened, datetime.now(UTC))

    def undo_refusal(self, now: datetime | None = None) -> str | None:
        """Why undo has nothing to take back when this device's newest rating, suspend, bury or
        reset still stands but a later change of its card (a move, an unsuspend, another
        device's review) made undoing it unsafe, or it was made before the undo window: "Cannot
        undo Good on kafka/isr: ...". None when there is simply nothing (or `last_undoable` has
        something)."""
        device = self.device
        if device is None:
            return None
        since, until, now = self._undo_span(now)
        events = self.history_index.events(now, since=since)
        undone = {e.undoes for e in events if e.kind == "undo"}
        live = [e for e in events if e.id not in undone and e.kind != "undo"]
        # an action undone already (in part: its cards changed since were left) is settled
        settled = {e.group for e in events if e.group and e.id in undone}
        forgets = self.history_index.forgets(now, since)  # (a move's or a reschedule's reset is none)
        # this device's events are those of its folder (a renamed folder's older ids name its old id)
        own = self.history_index.ids_of(now, device, since, until)  # (and where each is written)
        mine = [
            e
            for e in live
            if e.kind in _UNDOABLE
            and (e.kind != "reset" or e.id in forgets)
            and e.id in own  # (dated in the window: `own` ends at `until`)
            and not (e.group and e.group in settled)
        ]
        if not mine:
            return self._too_old(now, until, device)
        target = max(mine, key=lambda e: own[e.id])  # the last written (`last_undoable_action`)
        # an action of several events (a bulk suspend): every card of it changed since
        action = [e for e in mine if e.group == target.group] if target.group else [target]
        keys, ids = {e.key for e in action}, {e.id for e in action}
        left = {(e.key, e.after) for e in action}  # another device's event made from these is later
        later = [
            e
            for e in live
            if e.key in keys
            and e.id not in ids
            and (e.time >= target.time or (e.key, e.before) in left)
            and e not in mine
        ]
        from retain.core.session import action_label

        what = action_label(action).removeprefix("Undid ")
        if not later and not any(self._holds(e) for e in action):
            later = self._made_from(action, left, since, now)
            if not later:  # (no event says how)
                return f"Cannot undo {what}: the card changed since"
        if not later:
            return None
        change = later[-1]
        if change.id not in own:
            why = (
                "another device changed the card since"
                if change.kind != "review"
                else ("another device reviewed the card since")
            )
        else:
            why = {
                "reset": "its progress was reset or moved since",
                "unsuspend": "it was unsuspended since",
            }.get(change.kind, f"a later {change.kind} changed the card")
        return f"Cannot undo {what}: {why}"

    def _made_from(
        self, action: list[Event], left: set[tuple[str, CardState | None]], since: datetime, now: datetime
    ) -> list[Event]:
        """Other devices' events made from the states `action` left (`left`: (card, state) pairs),
        dated before `since` (a clock that ran days behind), oldest first."""
        reviewed = [s.last_review for k, _ in left if (s := self.states.get(k)) is not None and s.last_review]
        if not reviewed or min(reviewed) >= since:
            return []
        return [
            e
            for e in self.history_index.events(now, since=min(reviewed))
            if e.kind != "undo" and (e.key, e.before) in left and e not in action
        ]

    def _too_old(self, now: datetime, until: datetime, device: str) -> str | None:
        """Why undo has nothing when this device's last rating, suspend, bury or reset still
        stands but was made before the undo window."""
        older = self.history_index.last_undoable_action(now, device, datetime.min.replace(tzinfo=UTC), until)
        if not older:
            return None
        from retain.core.session import action_label

        what = action_label(older).removeprefix("Undid ")
        return f"Cannot undo {what}: undo reaches back {_days(UNDO_WINDOW)}"

    def history(self, now: datetime | None = None) -> list[Event]:
        """Every event of every device, oldest first (the full review history, whole events)."""
        return self.history_index.events(now or datetime.now(UTC))

    # -- compaction -----------------------------------------------------------------

    def compact(self, now: datetime) -> list[str]:
        """Write the snapshots of the decks that changed (at session end or when idle); what failed."""
        return self.writer.compact(now)

    def close(self, now: datetime | None = None, *, save_summary: bool = False) -> None:
        """Compact, close the journal and release the lock. Safe to call twice.

        `save_summary` (the TUI) also writes the launch summary for the next
        start (`store.homesummary`), before the lock is released.
        """
        now = now or datetime.now(UTC)
        try:
            if not self.read_only:
                self.close_messages = self.compact(now)
        finally:
            self.writer.close_journal()
            if save_summary and not self.read_only:
                self._save_summary(now)
            self._close_history()
            self.writer.release()

    def _close_history(self) -> None:
        if self._history is not None:
            self._history_said = list(self._history.messages)  # `messages` still has them
            self._history.close()
            self._history = None

    def _save_summary(self, now: datetime) -> None:
        from retain.store.index.homesummary import save_summary

        with contextlib.suppress(OSError, ValueError):  # only an accelerator: never fail a close
            save_summary(self, now)

    def __enter__(self) -> Collection:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _days(span: timedelta) -> str:
    return f"{span.days} day" if span.days == 1 else f"{span.days} days"


@contextlib.contextmanager
def _all_or_nothing(col: Collection) -> Iterator[None]:
    mark = col.writer.checkpoint()
    try:
        yield
    except BaseException:
        col.writer.rollback(mark)
        col._can_undo = None
        if col._history is not None:
            col._history.forget_recorded()
        raise
