"""The review session state machine: front -> reveal -> back -> rate -> next card.

Every change (rating, undo, suspend, bury) is handed to the `Recorder` (the
store) first; only when `record` has returned, so the event is durable, does
the session update the in-memory states, tell the queue and choose the next
card. Undo goes through `Recorder.last_undoable`, so it reaches back several
steps and across a restart; an action of several events (a bulk suspend in the
browser: `Event.group`) is taken back in one step (`record_undo_action`). An
undo made on another screen (the browser's, over the session) is taken back the
same way when the session looks again (`sync_states`, from the journal's undo
events): one path for both.

The four previews shown on the rating buttons are kept while they hold: a rating
stores what the scheduler computes at the rating's own time, and the previews
are asked of it again then (`previews`). When that gives the shown states moved
to the rating's time (`_anchored`: the interval shown, from the rating), the
shown ones stand, so the buttons said what the rating stores. When it does not
(the answer was on screen over the rollover, so another study day and other
elapsed days; a review came due meanwhile; an exam's cap or the settings
changed), the rating stores the new ones, and `labels` gives their intervals:
a rating never stores the memory state of another moment than its own, which
`retain optimize --reschedule` replays with the same weights.

A session outlives its settings and its study day: when `settings_token`
changes (settings saved meanwhile), the schedulers are made anew before the
next preview and the queue is rebuilt (`rebuild`) before the next card, so new
limits and steps apply at once; when the clock leaves the queue's study day (a
session left open over the rollover), the queue is rebuilt for the new day,
as Anki does when the day changes.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Literal, Protocol, runtime_checkable

from retain.core.clock import to_utc
from retain.core.custom_study import CustomQueue
from retain.core.model import Unit
from retain.core.queue import Counts, StudyQueue
from retain.core.scheduler import RATINGS, Scheduler, interval_label
from retain.core.state import LEARNING, NEW, RELEARNING, REVIEW, CardState, Event, EventKind, set_aside
from retain.core.studyday import StudyDay

__all__ = [
    "ActionRecorder",
    "Phase",
    "Recorder",
    "ReviewSession",
    "SessionError",
    "SessionSummary",
    "action_label",
    "next_served",
    "record_undo",
    "record_undo_action",
    "served_from",
    "undo_label",
]

Phase = Literal["front", "back", "done"]
AdjustPreviews = Callable[[Unit, dict[int, CardState], datetime], dict[int, CardState]]
Rebuild = Callable[[datetime], StudyQueue]
# The queue normal study builds over some decks for the study day of a moment (`Collection.study_queue`).
DecksQueue = Callable[[Sequence[str], datetime], StudyQueue]
# The states of some keys as the queue sees them (an exam's caps applied), for `sync_states`.
StateView = Callable[[list[str], datetime], Mapping[str, CardState]]
# The undo events recorded since a moment, oldest first (the journal's), for `sync_states`: an undo
# made on another screen (the browser's ctrl+z) is taken back here as the session's own undo is.
UndosSince = Callable[[datetime], Iterable[Event]]


class SessionError(RuntimeError):
    """An action that does not fit the session's phase (rate before reveal, ...)."""


class Recorder(Protocol):
    """Where events go; the store's Collection implements it."""

    def record(self, event: Event) -> Event:
        """Make `event` durable (appended and fsynced), then apply it to the states the session
        reads (the recorder is the only one that changes them); return the event as stored."""

    def new_event_id(self, now: datetime) -> str:
        """A fresh unique, sortable event id."""

    def last_undoable(self) -> Event | None:
        """The newest review/suspend/bury event not yet undone, including from before a restart."""


@runtime_checkable
class ActionRecorder(Recorder, Protocol):
    """A recorder that knows actions of several events (the store's Collection): undo takes such
    an action back in one step, with one durable batch."""

    def last_undoable_action(self) -> list[Event]:
        """What undo takes back: `last_undoable`, or every event of its action still safe to take
        back (newest first); [] when there is nothing."""

    def record_many(self, events: Sequence[Event]) -> list[Event]:
        """Make `events` durable as one batch (all or none), then apply them; as recorded."""

    def states_before(self, events: Sequence[Event]) -> list[CardState | None]:
        """The state each of `events`' cards would hold without it (its `before`, unless history
        that came in after it is dated before it): what an undo of it puts back."""


_RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}


def undo_label(target: Event) -> str:
    """What undoing `target` took back, in words: "Undid Good on kafka/isr", "Undid suspend of kafka/isr"."""
    if target.kind == "review":
        return f"Undid {_RATING_NAMES.get(target.rating, 'rating')} on {target.key}"
    if target.kind == "cram":
        return f"Undid {_RATING_NAMES.get(target.rating, 'rating')} (cram) on {target.key}"
    return f"Undid {target.kind} of {target.key}"


def action_label(targets: Sequence[Event]) -> str:
    """What undoing `targets` (one action) took back: `undo_label` of one event, "Undid suspend
    of 240 cards" of several."""
    if len(targets) == 1:
        return undo_label(targets[0])
    kinds = {e.kind for e in targets}
    what = targets[0].kind if len(kinds) == 1 else "change"
    return f"Undid {what} of {len(targets):,} cards"


_TICK = timedelta(microseconds=1)


def record_undo(
    recorder: Recorder, states: Mapping[str, CardState], now: datetime
) -> tuple[Event, Event] | None:
    """Take back the newest rating, suspend, bury or reset (of any session, or outside one): (undone,
    undo event); for an action of several events (`record_undo_action`), its newest event and
    that event's undo.

    The undo event puts back the state from before the undone event; None when
    there is nothing to undo. Durable before it returns, like every event.
    """
    done = record_undo_action(recorder, states, now)
    return None if done is None else (done[0][0], done[1][0])


def record_undo_action(
    recorder: Recorder, states: Mapping[str, CardState], now: datetime
) -> tuple[list[Event], list[Event]] | None:
    """Take back the newest action (of any session, or outside one): one rating, suspend, bury or reset,
    or every event of an action of several (a bulk suspend) that is still safe to take back, in
    one durable batch. (undone events, their undo events, in the same order); None when there is
    nothing to undo. Durable before it returns, like every event.
    """
    if isinstance(recorder, ActionRecorder):
        targets = recorder.last_undoable_action()
    else:
        target = recorder.last_undoable()
        targets = [] if target is None else [target]
    if not targets:
        return None
    # Never dated before what it takes back (a clock corrected since): every reader orders
    # events by time, and an undo sorted before its rating would leave the rating standing.
    at = max([to_utc(now), *(to_utc(t.time) + _TICK for t in targets)])
    undos: list[Event] = []
    befores = _states_before(recorder, targets)
    for target, before in zip(targets, befores, strict=True):
        held = states.get(target.key)
        undos.append(
            Event(
                id=recorder.new_event_id(at),
                kind="undo",
                key=target.key,
                time=at,
                # A cram rating left the state as it was: its undo does too (the state held now may
                # be another device's review since, which putting back the cram's `before` would erase).
                after=held if target.kind == "cram" else before,
                before=held,
                undoes=target.id,
            )
        )
    if len(undos) == 1:
        return targets, [recorder.record(undos[0])]
    assert isinstance(recorder, ActionRecorder)
    group = undos[0].id  # the undo is one action too
    return targets, recorder.record_many([replace(u, group=group) for u in undos])


def _states_before(recorder: Recorder, targets: list[Event]) -> list[CardState | None]:
    if isinstance(recorder, ActionRecorder):
        return recorder.states_before(targets)
    return [target.before for target in targets]


def served_from(due: datetime, review: bool, day: StudyDay | None, ahead: timedelta) -> datetime:
    """When a card due at `due` is first served, the one rule every "next due" follows.

    A review (`review`) is due all its study day: from that day's start (`day`; None: no study
    day, from `due`). A learning or relearning step comes `ahead` early (learn-ahead), never
    before the start of its study day (`core.studyday.learn_ahead_until`: the first moment
    whose cut-off reaches `due`)."""
    start: datetime | None = None
    if day is not None:
        with contextlib.suppress(OverflowError):  # (a study day at the calendar's end: none)
            start = min(day.start_of(day.of(due)), due)
    if review:
        return due if start is None else start
    try:
        early = due - ahead
    except OverflowError:
        early = due
    return early if start is None else max(early, start)


def next_served(state: CardState, day: StudyDay | None, ahead: timedelta) -> datetime | None:
    """When a card in `state` is next served (`served_from`), not before the study day it is
    buried until; None when nothing brings it back by itself (new, suspended, no due time)."""
    due = state.due
    if due is None or state.suspended or state.state == NEW:
        return None
    at = served_from(due, state.state == REVIEW, day, ahead)
    if state.buried_until and day is not None:
        with contextlib.suppress(ValueError, OverflowError):  # (a stored state is checked: not met)
            at = max(at, day.start_of(date.fromisoformat(state.buried_until)))
    return at


@dataclass(frozen=True, slots=True)
class SessionSummary:
    studied: int
    again: int
    seconds: float
    # When normal study serves the next card of this session's decks (`ReviewSession.serving`, a
    # custom study's too): now when it has one ready, else its next learning step or review, or a
    # card rated here, from when it is served (`next_served`); None when nothing is scheduled;
    # never before the summary's moment.
    next_due: datetime | None

    @property
    def again_rate(self) -> float:
        return self.again / self.studied if self.studied else 0.0


class ReviewSession:
    """One sitting of reviews over a `StudyQueue` (or a custom study's `CustomQueue`).

    `mode` names a custom study for the header ("" for the normal session). With a
    cram queue, ratings are recorded as "cram" events that leave the state as it
    was. `adjust` changes the four previews before they are shown (an exam date
    caps the intervals, `core.exam`). `rebuild(now)` builds the queue anew for the
    study day of `now`: it is called when the queue is `stale` (the day rolled over)
    or the settings changed. `settings_token()` returns a value that compares
    unequal whenever any deck's settings may have changed (the store: its
    config's scheduling settings). `view(keys, now)` gives those keys' states as the
    queue sees them (an exam's caps applied) when another screen changed them.
    `decks_queue(deck_ids, now)` builds the queue normal study serves some decks from (the
    store's `study_queue`): a custom study's summary names the next card of its decks by it
    (`serving`); without it, only the custom queue's learning steps and the cards rated count.
    """

    def __init__(
        self,
        queue: StudyQueue | CustomQueue,
        states: Mapping[str, CardState],
        schedulers_for: Callable[[str], Scheduler],
        recorder: Recorder,
        units_by_key: Mapping[str, Unit],
        now: datetime,
        *,
        mode: str = "",
        adjust: AdjustPreviews | None = None,
        rebuild: Rebuild | None = None,
        settings_token: Callable[[], object] | None = None,
        view: StateView | None = None,
        today_of: Callable[[datetime], date] | None = None,
        decks_queue: DecksQueue | None = None,
    ) -> None:
        self.queue = queue
        self.decks_queue = decks_queue  # (a custom study's summary: `serving`)
        self._view = view
        self._today_of = today_of  # the study day of a moment (a custom queue keeps its first)
        self._rebuild = rebuild
        self._settings_token = settings_token
        self._token = settings_token() if settings_token is not None else None
        self._requeue = False  # settings changed: rebuild the queue before the next card
        self.mode = mode
        self.cram = isinstance(queue, CustomQueue) and queue.cram
        self._adjust = adjust
        self.states = states
        self._known: dict[str, CardState] = dict(states)  # as this session last saw them (`sync_states`)
        self.recorder = recorder
        self.units_by_key = units_by_key
        self._schedulers_for = schedulers_for
        self._schedulers: dict[str, Scheduler] = {}
        self.current: Unit | None = None
        self.phase: Phase = "done"
        self._previews: dict[int, CardState] | None = None
        self._preview_at: datetime | None = None
        self._preview_of: CardState | None = None  # the state the previews were made from
        self._forced: Unit | None = None  # a card brought back by undo
        self._rated: dict[str, Event] = {}  # this session's reviews not undone
        self._undos_seen: set[str] = set()  # undo events taken back here (`_take_back`)
        self.last_undone: Event | None = None  # what the last `undo` took back (its newest event)
        self.last_undone_action: list[Event] = []  # ... all of it (`action_label` says it)
        self._last_now = to_utc(now)
        self._synced_at = self._last_now  # when `sync_states` last looked (undos since then are news)
        self._advance(self._last_now)

    # -- showing --------------------------------------------------------------

    def reveal(self) -> None:
        """Show the back of the current card."""
        if self.phase == "done" or self.current is None:
            raise SessionError("no card to reveal")
        self.phase = "back"

    def previews(self, now: datetime) -> dict[int, CardState]:
        """The state each rating 1..4 would give the current card at `now`, as shown (made at
        `_preview_at`): the ones made before while they hold at `now` (`_hold`), else made anew
        at `now` (the card changed on another screen, the study day rolled over, ...)."""
        unit = self._card()
        state = self.states.get(unit.key)
        at = to_utc(now)
        fresh = self._preview(unit, state, at)
        if self._previews is None or state is not self._preview_of or not self._hold(fresh, state, at):
            self._touch(at)
            self._previews, self._preview_at, self._preview_of = fresh, at, state
        return self._previews

    def _preview(self, unit: Unit, state: CardState | None, at: datetime) -> dict[int, CardState]:
        """The four states the scheduler gives `unit` in `state` rated at `at` (an exam's caps applied)."""
        previews = self._scheduler(unit.deck_id).preview(unit.key, state, at)
        return self._adjust(unit, previews, at) if self._adjust is not None else previews

    def _hold(self, fresh: dict[int, CardState], before: CardState | None, at: datetime) -> bool:
        """Whether the previews shown still hold at `at`: each, moved to `at` (`_anchored`), is the
        state the scheduler gives there (`fresh`). Not when the study day changed in between (other
        elapsed days: another stability), a review came due (the floor of its interval), an exam's
        cap or the settings changed: whatever the scheduler's output depends on."""
        shown = self._previews
        if shown is None or shown.keys() != fresh.keys():
            return False
        unit = self._card()
        scheduler = self._scheduler(unit.deck_id)
        return all(self._anchored(shown[r], before, at, scheduler) == fresh[r] for r in fresh)

    def sync_states(self, now: datetime, undos: UndosSince | None = None) -> bool:
        """Take the card states another screen changed while this session waited (the browser
        suspends, buries, resets or reschedules a card, or undoes): the queue places them again,
        and the current card, when it is now suspended or buried, leaves for the next one (a
        rating would have put back the state it had). True when the current card changed (the
        view is drawn again: another card, or new intervals on its rating buttons).

        `undos(since)` gives the undo events recorded meanwhile: a change one of them made (it
        took back the very state this session last saw) is taken back as the session's own
        `undo` takes it back: the rating no longer counts in the session, its place in the day's
        limits comes back, and the card, when this session serves it now, is shown next, front
        first. Any other change is no rating: the day's limits stay, and a card whose sibling
        was studied today stays out until tomorrow (`StudyQueue.restate`). A card this session
        held set aside and now back (unsuspended or unburied up there, no undo) rejoins the
        session as in one started now (`_comes_back`), within the day's limits; a session that
        had run out shows it."""
        at = self._touch(now)
        since, self._synced_at = self._synced_at, at
        live, known = self.states, self._known
        on_screen = self.current
        seen = known.get(on_screen.key) if on_screen is not None else None  # (as this session saw it)
        news = self._news(undos, since) if undos is not None else []
        for undo in news:  # (a rating undone elsewhere no longer counts, also in a queue built since)
            self._rated.pop(undo.undoes, None)
        changed = [k for k, st in live.items() if known.get(k) is not st]
        changed += [k for k in known if k not in live]
        if not changed:
            return False
        taken = self._explained(news, changed)
        shown = self._take_back(taken, at)
        for undo in taken:  # (`_store` kept the journal's copy of the state: the live one is compared)
            if undo.after is not None and live.get(undo.key) == undo.after:
                known[undo.key] = live[undo.key]
        changed = [k for k in changed if known.get(k) is not live.get(k)]
        back = self._comes_back(changed, at)  # (as this session saw them: before `known` follows)
        for key in changed:
            st = live.get(key)
            if st is None:
                known.pop(key, None)
            else:
                known[key] = st
        if back and self._rebuild is not None:
            self.queue = self._rebuild(at)  # (the day log no longer holds its note: as a fresh start)
            self._known = dict(live)
        elif changed:
            self.queue.restate(changed, self._view(changed, at) if self._view is not None else live, at)
        if changed:
            forced = self._forced  # (undone, then suspended up there: not served after all)
            if (
                forced is not None
                and forced.key in changed
                and not self._serves(forced.key, live.get(forced.key), at)
            ):
                self._forced = None
                shown = False
        current = self.current
        if shown or (taken and current is None):
            self._advance(at)  # the card an undo brought back, front first (as `undo` shows it)
            return shown or self.current is not None
        if current is None and changed:  # (a session that ran out: a card is back, or came due)
            self._advance(at)
            return self.current is not None
        if current is None or current.key not in {*changed, *(u.key for u in taken)}:
            return False
        self._previews = None
        state = self.states.get(current.key)
        if state is not None and (
            self._set_aside(state, at) or _rated_since(seen, state, current, on_screen)
        ):
            self._forced = None
            self._advance(at)
        return True

    def _comes_back(self, changed: Sequence[str], at: datetime) -> bool:
        """Whether a daily session's card of `changed` that it saw set aside (suspended, or buried
        until a later study day) is no longer (unsuspended or unburied on another screen). The
        queue cannot place it again by itself: the note it held stays seen there for the day,
        rated or not; the store's day log says which notes a rating holds, so the queue is built
        anew (`rebuild`), as for a session started now. (An undo's card is put back by
        `_take_back`; a custom study returns its cards itself, `CustomQueue.restate`.)"""
        queue = self.queue
        if self._rebuild is None or not isinstance(queue, StudyQueue):
            return False
        known, live = self._known, self.states
        return any(
            key in queue
            and (was := known.get(key)) is not None
            and self._set_aside(was, at)
            and not ((now := live.get(key)) is not None and self._set_aside(now, at))
            for key in changed
        )

    def _news(self, undos: UndosSince, since: datetime) -> list[Event]:
        """The undo events recorded since `since` that this session has not taken back yet."""
        news = [u for u in undos(since) if u.kind == "undo" and u.id not in self._undos_seen]
        self._undos_seen.update(u.id for u in news)
        return news

    def _explained(self, undos: Sequence[Event], changed: Sequence[str]) -> list[Event]:
        """The undo events (oldest first) that changed the `changed` cards from the state this
        session last saw: each took back the state the one before left (an undo made before the
        session last looked, or after another change of its card, explains nothing here)."""
        keys = set(changed)
        known = self._known
        held: dict[str, CardState | None] = {}
        taken: list[Event] = []
        for undo in undos:
            key = undo.key
            if key not in keys:
                continue
            was = held[key] if key in held else known.get(key)
            if undo.before != was:
                keys.discard(key)  # (a change that was no undo came between: the rest is no undo here)
                continue
            held[key] = undo.after
            taken.append(undo)
        return taken

    def labels(self, now: datetime) -> dict[int, str]:
        """Interval labels for the four rating buttons ("<1m", "<10m", "2d", ...): the ones shown,
        while their previews hold at `now` (`previews`); asked again after the rollover (or a
        change of what the scheduler's output depends on), the intervals a rating now stores."""
        if self.cram:  # the schedule is left alone: Again only brings the card back in this cram
            return {1: "repeat", 2: "", 3: "", 4: ""}
        previews = self.previews(now)
        anchor = self._preview_at or to_utc(now)
        unit = self.current
        if unit is None:
            return {r: interval_label(anchor, p.due) if p.due else "" for r, p in previews.items()}
        scheduler = self._scheduler(unit.deck_id)
        return {r: scheduler.label(anchor, p) for r, p in previews.items()}

    def counts(self, now: datetime) -> Counts:
        """What is left now, as the next card would find it: a queue of an earlier study day (a
        card left on screen over the rollover) or of older settings is built anew first."""
        at = to_utc(now)
        self._renew(at)
        return self.queue.counts(at)

    def refresh(self, now: datetime) -> Unit | None:
        """When done, look again: a learning step may have come due since."""
        if self.phase == "done":
            self._advance(self._touch(now))
        return self.current

    def refresh_units(
        self,
        fresh: Mapping[str, Unit],
        now: datetime,
        *,
        held: Collection[str] | None = None,
    ) -> bool:
        """Cards as the deck files have them now (an edit, a reload): the texts change, and a
        card deleted meanwhile leaves the session, the current one too (the next is shown), as
        do the cards of a deck gone from `fresh` (its file deleted, or its `id` changed), unless
        the deck is `held`: its file is there but does not load right now (a syntax error
        mid-edit), and its cards stay until it loads again (`held` None: every deck missing from
        `fresh` is held, `StudyQueue.refresh_units`). True when the current card is another one now.

        A card added meanwhile (written into the deck file, or in the app's editor) to a deck of
        this session joins it, as on the deck list: the queue is built anew with it (the card
        shown stays), and a session that had run out shows it."""
        added = (
            [key for key in fresh if key not in self.units_by_key] if fresh is not self.units_by_key else []
        )
        self.queue.refresh_units(fresh, held)
        self.units_by_key = fresh  # undo shows the card as it is now
        at = self._touch(now)
        joined = bool(added) and self._join_added(added, at)
        if self._forced is not None:  # (with its text as it is now)
            forced = fresh.get(self._forced.key, self._forced)
            self._forced = forced if forced.key in self.queue else None
        current = self.current
        if current is None and joined:
            self._advance(at)
            return self.current is not None
        if current is None or current.key in self.queue:
            if current is not None and (unit := fresh.get(current.key)) is not None:
                self.current = unit
            return False
        self._advance(at)
        return True

    def _join_added(self, added: Sequence[str], now: datetime) -> bool:
        """Build the queue anew when cards of `added` (keys new to the decks) belong to it: a
        daily session's decks (a custom study keeps the cards it chose). True when it was."""
        if self._rebuild is None or not isinstance(self.queue, StudyQueue):
            return False
        queue = self._rebuild(now)
        if not any(key in queue for key in added):
            return False
        self.queue = queue
        self._known = dict(self.states)
        return True

    def follow_decks(self, rebuild: Rebuild, now: datetime) -> bool:
        """The session's decks as they are named now, some under a new id (a deck's `id` changed
        in its file: to the learner the same deck): `rebuild` builds the queue over them, now and
        from now on, so their cards join the session (the card shown stays, if still a card of
        them). A daily session only (a custom study keeps the cards it chose). True when the
        current card is another one now."""
        if not isinstance(self.queue, StudyQueue):
            return False
        self._rebuild = rebuild
        at = self._touch(now)
        self.queue = rebuild(at)
        self._known = dict(self.states)
        if self._forced is not None and self._forced.key not in self.queue:
            self._forced = None
        current = self.current
        if current is not None and current.key in self.queue:
            return False
        self._advance(at)
        return self.current is not current

    # -- changing -------------------------------------------------------------

    def rate(self, rating: int, now: datetime, duration_ms: int = 0) -> Event:
        """Rate the revealed card (1 Again, 2 Hard, 3 Good, 4 Easy); durable before the next card."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be 1..4, not {rating!r}")
        unit = self._card()
        if self.phase != "back":
            raise SessionError("reveal the card before rating it")
        if self.cram:
            return self._rate_cram(unit, rating, now, duration_ms)
        previews = self.previews(now)  # (the ones shown while they hold at `now`, else made at `now`)
        at = self._touch(now)
        before = self.states.get(unit.key)
        # what the scheduler gives at `at`: the shown state moved there, or the one made there
        after = self._anchored(previews[rating], before, at, self._scheduler(unit.deck_id))
        after = self._leech(unit, before, after)
        event = self._event("review", unit.key, at, after, before, rating, max(0, int(duration_ms)))
        self._rated[event.id] = event
        self._forced = None
        self._advance(at)
        return event

    def _anchored(
        self, after: CardState, before: CardState | None, at: datetime, scheduler: Scheduler | None = None
    ) -> CardState:
        """The previewed `after` moved to the rating's time `at`: the interval shown, from `at`.
        The previews are kept only while this is what the scheduler gives at `at` (`_hold`): the
        stability and difficulty of the shown moment are never stored for another one.

        Later (the answer was read for a while, a laptop slept) or earlier (a clock set back
        since the preview: a "<10m" step was due 1 h 10 min away), but never before the card's
        previous review, as the scheduler counts a clock moved backwards (`Scheduler.preview`).
        A step of days ("1d": due from a study day's start, `Scheduler.day_step_due`) stays due
        from the start of the study day as many days after the rating's: not 40 s into it, and,
        rated just after the rollover, not on the rating's own study day. A review ("22d") is due
        on the study day as many days after the rating's (`StudyDay.days_after`): a shift across
        the rollover or a DST change no longer lands it a day off."""
        last = after.last_review
        if self._preview_at is None or after.due is None or last is None:
            return after
        anchor = at
        previous = before.last_review if before is not None else None
        if previous is not None and previous <= last:  # (an absurd one was not used by the preview)
            anchor = max(anchor, previous)
        shift = anchor - last
        if not shift:
            return after
        due = after.due + shift
        day = scheduler.day if scheduler is not None else None
        if scheduler is not None and day is not None:
            days = (day.of(after.due) - day.of(last)).days  # the study days the button showed ("3d")
            if days >= 1 and after.state == REVIEW:
                due = day.days_after(anchor, days)  # (a shift across a DST change or the rollover
                # moved it onto a neighbouring study day: "22d" was due 23 days on)
            elif (
                days >= 1
                and after.state in (LEARNING, RELEARNING)
                and after.due == day.start_of(day.of(after.due))
            ):
                due = scheduler.day_step_due(anchor, days)
        return replace(after, due=due, last_review=anchor)

    def _rate_cram(self, unit: Unit, rating: int, now: datetime, duration_ms: int) -> Event:
        """A cram rating: journaled (and undoable) with the state unchanged, so FSRS never sees it."""
        at = self._touch(now)
        state = self.states.get(unit.key)
        event = self._event("cram", unit.key, at, state, state, rating, max(0, int(duration_ms)))
        self._rated[event.id] = event
        self._forced = None
        if rating == 1 and isinstance(self.queue, CustomQueue):
            self.queue.again(unit.key)
        self._advance(at)
        return event

    def suspend(self, now: datetime) -> Event:
        """Suspend the current card until unsuspended."""
        unit = self._card()
        before = self.states.get(unit.key)
        after = (before or CardState()).with_flags(suspended=True)
        return self._flag("suspend", unit, before, after, now)

    def bury(self, now: datetime) -> Event:
        """Hide the current card until the next study day."""
        unit = self._card()
        at = self._touch(now)
        self._renew(at)  # the study day of now, not of the session's start
        today = self._today_of(at) if self._today_of is not None else self.queue.today
        before = self.states.get(unit.key)
        until = (today + timedelta(days=1)).isoformat()
        after = (before or CardState()).with_flags(buried_until=until)
        return self._flag("bury", unit, before, after, now)

    def undo(self, now: datetime) -> Event | None:
        """Take back the last rating, suspend, bury or reset (also one made before a restart).

        The card gets its previous state back and is shown again, front first, when this
        session serves it now (`_serves`): one of its cards, new or due, not suspended or buried.
        Returns the recorded "undo" event, or None when there is nothing to undo.
        """
        at = self._touch(now)
        done = record_undo_action(self.recorder, self.states, at)
        if done is None:
            return None
        targets, events = done
        self.last_undone = targets[0]
        self.last_undone_action = targets
        self._take_back(events, at)
        self._advance(at)
        return events[0]

    def _take_back(self, undos: Sequence[Event], at: datetime) -> bool:
        """What `undos` (recorded: by `undo`, or on another screen, `sync_states`) took back: each
        card is placed in the state its undo put back (the queue gives a rating of this study
        day its place in the daily limits back), and the rating no longer counts in the session.
        The card of an undo of one event (not an action of many: the queue chooses the next
        card) is shown next when this session serves it now (`_serves`). True when one is."""
        # The queue places a card as it sees it (an exam's caps: a card due for the exam)
        placed = [u.key for u in undos if u.after is not None]
        view = self._view(placed, at) if self._view is not None and placed else {}
        shown = False
        for undo in undos:
            self._undos_seen.add(undo.id)
            seen = undo.after
            if seen is not None:
                seen = view.get(undo.key, seen)
            self._store(undo.key, undo.after, at, placed=seen)
            if isinstance(self.queue, CustomQueue):  # (a StudyQueue puts an undone card back itself)
                self.queue.put_back(undo.key, seen, at)
            else:  # another deck's rating: its capped group's slot comes back to this queue too
                self.queue.count_elsewhere(undo.key, undo.before, undo.after)
            self._rated.pop(undo.undoes, None)
            unit = self.units_by_key.get(undo.key)
            if not undo.group and unit is not None and self._serves(undo.key, seen, at):
                self._forced = unit  # (of an action of many, the queue chooses the next card)
                shown = True
            elif self._forced is not None and self._forced.key == undo.key:
                self._forced = None  # brought back by an earlier undo; not served in this state
                shown = False
        return shown and self._forced is not None

    def _serves(self, key: str, state: CardState | None, now: datetime) -> bool:
        """Whether this session would show `key` in `state` now: one of its cards (not another
        deck's, not outside a custom study's set), not suspended or buried, and new or due (a
        cram rating's undo leaves a card due in days: rating it here would review it early)."""
        queue = self.queue
        if key not in queue:
            return False
        if isinstance(queue, StudyQueue):
            return queue.ready(key, now)
        if state is None:
            return True
        if self._set_aside(state, now):
            return False
        # A custom study shows its cards whatever their due date; a learning step waits for its time.
        learning = state.state in (LEARNING, RELEARNING) and state.due is not None and not queue.cram
        return not learning or state.due is None or state.due <= queue.learn_until(now)

    @property
    def studied(self) -> int:
        """Ratings made in this session and not undone (`summary().studied`, without the rest)."""
        return len(self._rated)

    def serving(self, now: datetime) -> StudyQueue | None:
        """The queue normal study serves this session's decks from at `now`, whose next card the
        summary names: a daily session's own (built anew first when the study day rolled over or
        the settings changed, as `counts` does); a custom study's (a search, study ahead, cram)
        built over its cards' decks by `decks_queue`, as a daily session of them started at `now`
        would have it (a custom study's list is not what is due). None for a custom queue without
        `decks_queue`."""
        at = to_utc(now)
        self._renew(at)
        return self._serving(at)

    def _serving(self, at: datetime) -> StudyQueue | None:
        """`serving` as the queue is (not built anew for `at`: the summary's moment may be before
        a rollover the session's queue has already moved past)."""
        queue = self.queue
        if isinstance(queue, StudyQueue):
            return queue
        if self.decks_queue is None or not queue.deck_ids:
            return None
        return self.decks_queue(queue.deck_ids, at)

    def summary(self) -> SessionSummary:
        events = self._rated.values()
        now = self._last_now
        # One rule for every session (a daily one, a custom study, cram, study ahead): the queue
        # normal study serves the session's decks from (`serving`) says "now" when it has a card
        # ready, else knows its learning steps and the reviews it was built over; a card rated
        # here and now due in days is in neither ("Next due: nothing scheduled" after an Easy).
        # Each card counts with its state now, not with every step it passed through this session,
        # and from when it is served (`next_served`): a review from the start of its study day
        # (a cram of cards due tomorrow at 19:00 said "in 1d" at 09:15: they come at 04:00).
        queue, day = self.queue, self._day()
        ahead = queue.learn_ahead
        serving = self._serving(now)
        if serving is None:  # (a custom queue alone: its own learning steps)
            step, review, ready = queue.next_due_after(now), None, False
        else:
            (step, review), ready = serving.next_dues(now), serving.counts(now).total > 0
        served = [
            served_from(due, is_review, day, ahead)
            for due, is_review in ((step, False), (review, True))
            if due is not None and due > now
        ]
        # (a crammed card keeps its due: one due now is served now). A card the session no
        # longer has (deleted from its deck, its deck gone: `refresh_units`) is served by nothing.
        for key in {e.key for e in events if e.key in queue}:
            state = self.states.get(key)
            if state is not None and state.due is not None:
                at = next_served(state, day, ahead)
                if at is not None:
                    served.append(at)
        return SessionSummary(
            studied=len(self._rated),
            again=sum(1 for e in events if e.rating == 1),
            seconds=sum(e.duration_ms for e in events) / 1000.0,
            next_due=now if ready else (max(now, min(served)) if served else None),
        )

    def _day(self) -> StudyDay | None:
        """The study day rule the session's cards are served by (the custom queue's, else the
        schedulers': one per collection); None when there is none (tests without study days)."""
        queue = self.queue
        if isinstance(queue, CustomQueue) and queue.studyday is not None:
            return queue.studyday
        for scheduler in self._schedulers.values():
            return scheduler.day
        unit = next(iter(self.units_by_key.values()), None)
        return None if unit is None else self._scheduler(unit.deck_id).day

    # -- internals ------------------------------------------------------------

    def _card(self) -> Unit:
        if self.current is None:
            raise SessionError("no current card")
        return self.current

    def _set_aside(self, state: CardState, at: datetime) -> bool:
        """Whether `state` is out of the study day of `at` (`core.state.set_aside`): that day's,
        not the queue's, which a session left open over the rollover still holds until it is
        rebuilt (a card buried until the new day is back at its start)."""
        today = self._today_of(at) if self._today_of is not None else self.queue.today
        return set_aside(state.suspended, state.buried_until, today.isoformat())

    def _touch(self, now: datetime) -> datetime:
        self._last_now = to_utc(now)
        return self._last_now

    def _settings_changed(self) -> bool:
        """Notice settings saved since the last look: the schedulers are made anew, the queue
        is rebuilt before the next card. True when they changed now."""
        if self._settings_token is None:
            return False
        token = self._settings_token()
        if token is self._token or token == self._token:  # (equal: another theme, say)
            return False
        self._token = token
        self._schedulers.clear()
        self._requeue = True
        return True

    def _renew(self, now: datetime) -> None:
        """Rebuild the queue when the settings changed or the clock left its study day."""
        self._settings_changed()
        if self._rebuild is None:
            return
        queue = self.queue
        if self._requeue or (isinstance(queue, StudyQueue) and queue.stale(now)):
            self._requeue = False
            self.queue = self._rebuild(now)
            self._known = dict(self.states)

    def _scheduler(self, deck_id: str) -> Scheduler:
        self._settings_changed()
        scheduler = self._schedulers.get(deck_id)
        if scheduler is None:
            scheduler = self._schedulers[deck_id] = self._schedulers_for(deck_id)
        return scheduler

    def _leech(self, unit: Unit, before: CardState | None, after: CardState) -> CardState:
        """A lapse that reaches `leech_threshold` marks the card, and, as in Anki, that lapse and
        every half threshold after it (8, 12, 16, ...) suspend it when so configured: a leech
        unsuspended after an edit gets a few more chances before it is suspended again."""
        settings = self._scheduler(unit.deck_id).settings
        threshold = settings.leech_threshold
        lapsed = after.lapses > (before.lapses if before is not None else 0)
        if not lapsed or threshold <= 0 or after.lapses < threshold:
            return after
        half = max(1, math.ceil(threshold / 2))
        hit = (after.lapses - threshold) % half == 0
        suspend = hit and settings.leech_action == "suspend"
        return replace(after, leech=True, suspended=after.suspended or suspend)

    def _flag(
        self, kind: EventKind, unit: Unit, before: CardState | None, after: CardState, now: datetime
    ) -> Event:
        at = self._touch(now)
        event = self._event(kind, unit.key, at, after, before)
        self._forced = None
        self._advance(at)
        return event

    def _event(
        self,
        kind: EventKind,
        key: str,
        at: datetime,
        after: CardState | None,
        before: CardState | None,
        rating: int = 0,
        duration_ms: int = 0,
    ) -> Event:
        event = Event(self.recorder.new_event_id(at), kind, key, at, after, before, rating, duration_ms)
        event = self.recorder.record(event)  # durable before anything else changes; as stored
        self._store(key, event.after, at)
        return event

    def _store(
        self, key: str, state: CardState | None, at: datetime, *, placed: CardState | None = None
    ) -> None:
        """Place `key` in the queue (as `placed`, the queue's view of it, when given) and remember
        its live `state` (the recorder has already changed `states`)."""
        self.queue.apply(key, state if placed is None else placed, at)
        if state is None:
            self._known.pop(key, None)
        else:
            self._known[key] = state

    def _advance(self, now: datetime) -> None:
        self._renew(now)
        self._previews = None
        self._preview_at = None
        self.current = self._forced if self._forced is not None else self.queue.next(now)
        self.phase = "front" if self.current is not None else "done"


def _rated_since(seen: CardState | None, state: CardState, current: Unit, on_screen: Unit | None) -> bool:
    """Whether the card on screen was rated on another screen since this session saw it (a
    custom study from the browser above it): it has more reviews. Its rating stands, and the
    session moves on rather than take a second one (a reschedule or a reset is no rating: the
    card stays, with new intervals on its buttons)."""
    if on_screen is None or on_screen.key != current.key:
        return False
    return state.reps > (seen.reps if seen is not None else 0)
