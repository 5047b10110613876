"""Bridge between interop and the progress store (`retain.store.collection.Collection`).

Export with progress reads the deck's states and journal events. Import with
history records each past event as a new journal event, oldest first, in
batches that are each made durable with one fsync. Each unit ends in the state
a replay of all its events in time order gives (this history's and this
computer's): a unit whose newest event is in the history gets the history's
events, one whose newest event is here keeps its progress. Events the journal
already holds (same unit and time) are skipped, so importing twice adds nothing: the
events of a card moved here from another key (the browser's `m`, or an upgrade that moved
it to another deck: `record_moves`) count as its own, up to the move.
"""

from __future__ import annotations

import bisect
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from operator import attrgetter
from typing import NamedTuple

from retain.core.gcpause import gc_paused
from retain.core.state import CardState, Event
from retain.interop.bundle import ChunkedReviews, Review, review_chunks, review_keys
from retain.interop.errors import InteropError
from retain.interop.history_writer import HistoryWriter, close_progress, open_progress
from retain.interop.progress import ProgressFn, no_progress
from retain.interop.progress_moves import DecksHistory
from retain.store.collection import Collection, CollectionError
from retain.store.home import Home
from retain.store.index.history import History
from retain.store.index.ingest import micros
from retain.store.state.writer import Seen

__all__ = [
    "HistoryImport",
    "HistoryWriter",
    "collection_decks_progress",
    "collection_record_history",
    "deck_progress",
    "history_to_record",
    "import_groups",
    "progress_reader",
    "record_history",
    "record_moves",
]

_BATCH = 4096  # events per append (one write and one fsync each)
_FEED = 8 * _BATCH  # events the index holds in memory before it takes them


class HistoryImport(NamedTuple):
    """What a history import recorded."""

    recorded: int
    kept: int  # cards left out: they already have progress here
    ahead: int = 0  # recorded events dated after this computer's clock (a device whose clock ran ahead)
    ahead_by: timedelta = timedelta(0)  # the furthest of them
    refused: int = 0  # left out: the store refused them (a date, state, key or rating out of range)

    def note(self) -> str:
        """`; N of them dated up to D ahead of this computer's clock, kept`, plus the refused
        ones (`; N left out: ...`), or ""."""
        note = ""
        if self.ahead:
            hours = self.ahead_by / timedelta(hours=1)
            span = f"{hours / 24:.1f} days" if hours >= 24 else f"{max(hours, 0.1):.1f} hours"
            note = f"; {self.ahead} of them dated up to {span} ahead of this computer's clock, kept"
        if self.refused:
            note += f"; {self.refused} left out: a date, state or rating out of range"
        return note


def collection_decks_progress(
    coll: Collection, deck_ids: Sequence[str], now: datetime
) -> tuple[dict[str, CardState], DecksHistory]:
    """(unit key -> state, history events) of some decks (one, or a group's), from an open
    collection; the history is read a deck at a time as it is used, and only these decks'
    journal records are decoded (and those of the cards moved in from other decks: a card's
    history goes with the deck it is in now)."""
    wanted = set(deck_ids)
    states = {k: v for k, v in coll.states.items() if k.split("/", 1)[0] in wanted}
    return states, DecksHistory(coll.history_index, deck_ids, now)


def deck_progress(
    home: Home, deck_id: str, now: datetime, messages: list[str] | None = None
) -> tuple[dict[str, CardState], list[Review]]:
    """One deck's, opening the progress read-only for the call."""
    with progress_reader(home, now, messages) as progress_of:
        states, history = progress_of([deck_id])
        return states, list(history)


@contextmanager
def progress_reader(
    home: Home, now: datetime, messages: list[str] | None = None
) -> Iterator[Callable[[list[str]], tuple[dict[str, CardState], DecksHistory]]]:
    """Decks' progress on demand (`progress_of(deck_ids)`), the progress opened read-only once
    (the CLI's export: one deck's history at a time). The store's one-line messages (a damaged
    record set aside, ...) are added to `messages` when it closes."""
    coll = open_progress(home, now, True)
    try:
        yield lambda deck_ids: collection_decks_progress(coll, deck_ids, now)
    finally:
        close_progress(coll, now, messages)


def record_history(
    home: Home,
    reviews: Sequence[Review],
    now: datetime,
    *,
    consume: bool = False,
    progress: ProgressFn = no_progress,
    messages: list[str] | None = None,
) -> HistoryImport:
    """Append `reviews` to the journal; returns (recorded, cards that kept their newer progress
    here, and how many recorded are dated after `now`: kept, never dropped for their time). The
    store's one-line messages are added to `messages`.

    With `consume`, `reviews` (a list) is emptied at the start: each review is let go once
    recorded, so memory falls as the import goes (117k reviews hold ~40 MB).
    """
    coll = open_progress(home, now, False)
    try:
        return collection_record_history(coll, reviews, now, progress, consume=consume)
    finally:
        close_progress(coll, now, messages)


def collection_record_history(
    coll: Collection,
    reviews: Sequence[Review],
    now: datetime,
    progress: ProgressFn = no_progress,
    *,
    consume: bool = False,
) -> HistoryImport:
    """The same, into an open collection (the TUI's), reporting progress as stage "history".

    Events are appended in batches, each durable with one fsync; the history
    index is fed as part of the import, so the next `stats` is as fast as ever.
    When a batch cannot be written, every batch before it is taken back and
    CollectionError raised: the history is recorded whole or not at all.
    """
    if coll.read_only:
        raise InteropError("another retain is writing the progress; close it and import the history again")
    # All or nothing: a batch that cannot be written (a full disk) takes back the ones before it,
    # so importing again later records the whole history (cards with progress here are skipped).
    # The cyclic GC ran full collections over every imported state (a third of the time).
    with gc_paused(), coll.recording_all_or_nothing():
        return _record_history(coll, reviews, now, progress, consume)


_TIME = attrgetter("time")
_SET_ASIDE = frozenset({"suspend", "bury"})  # an Anki card's set-aside event: dated by `cards.mod` (seconds)


def _changes_state(review: Review) -> bool:
    """Whether recording `review` sets its card's state (a cram rating is history only)."""
    return review.kind != "cram"


class _Held:
    """The events the journal holds of an import's cards (importing twice adds none): an event is
    held when its card has one at the same time.

    An Anki review log keeps times to the millisecond (revlog ids, unique in a collection), the
    journal to the microsecond, so a time in whole milliseconds (from a package, or recorded
    from one) stands for any time in its millisecond, or in an earlier one of the run of
    milliseconds just before it that such times also use: events of one time (the forgets of
    several cards at once) got one id each, the next free one. So the same review, imported
    from an .apkg and from a `.toml`, in either order, is recorded once."""

    def __init__(self, have: Mapping[str, Sequence[int]], todo: Iterable[Review]) -> None:
        """`have`: per card, the times (µs since the epoch) of its events held here, oldest first
        (`History.times_of`); `todo`: every event of the import (only their times are kept)."""
        self.have: dict[str, Sequence[int]] = dict(have)
        self.whole: dict[str, array[int]] = {}  # per card, its held times in whole milliseconds (ms)
        for key, times in have.items():
            whole = array("q", [t // 1000 for t in times if t % 1000 == 0])
            if whole:
                self.whole[key] = whole
        self.used: set[int] = set()  # every whole millisecond of the import and of the held times
        self.earlier: set[str] = set()  # cards with an event of the import before any held here
        if have:  # (nothing held: nothing to compare)
            self.used.update(us // 1000 for us in self._times(todo) if us % 1000 == 0)
            for whole in self.whole.values():
                self.used.update(whole)
        self.run: dict[int, int] = {}  # a whole millisecond used right after another -> its run's first
        self._runs()

    def _times(self, todo: Iterable[Review]) -> Iterator[int]:
        """The times (µs) of `todo`, noting the cards with one before every event of theirs here
        and in no millisecond held (`earlier`: a card moved to this key since, its events up to
        the move under the key it had then)."""
        have, earlier = self.have, self.earlier
        for r in todo:
            us = micros(r.time)
            times = have.get(r.key)
            if (
                times is not None
                and us < times[0]
                and r.key not in earlier
                and times[0] // 1000 != us // 1000
            ):
                earlier.add(r.key)
            yield us

    def _runs(self) -> None:
        used, run = self.used, self.run
        run.clear()
        for first in used:
            if first - 1 not in used:  # (each run walked once, from its first: linear time)
                ms = first + 1
                while ms in used:
                    run[ms] = first
                    ms += 1

    def follow_moves(self, history: History, now: datetime) -> None:
        """Count as held, for each card of `earlier`, the events it had under the keys it was
        moved from (`History.card_reviews`: up to each move): a card moved to another deck (the
        browser's `m`, or an upgrade that moved it) is the same card, its history the same."""
        added = False
        for key in sorted(history.moved_into(now, self.earlier)):  # (a card_reviews query each)
            before = [micros(row.time) for row in history.card_reviews(now, key) if row.key != key]
            if not before:
                continue
            self.have[key] = array("q", sorted([*self.have.get(key, ()), *before]))
            whole = array("q", [t // 1000 for t in self.have[key] if t % 1000 == 0])
            if whole:
                self.whole[key] = whole
                self.used.update(whole)
                added = True
        if added:
            self._runs()

    def __bool__(self) -> bool:
        return bool(self.have)

    def __call__(self, key: str, us: int, second: bool = False) -> bool:
        """Whether the card has an event at `us` here (see the class). `second`: a time in whole
        seconds from a package's `cards.mod` (a set-aside card's, `_set_aside`): it stands for
        any time in its second, as Anki keeps it (a suspend made here at 08:30:15.345678 went
        out as 08:30:15)."""
        times = self.have.get(key)
        if not times:
            return False
        i = bisect.bisect_left(times, us)
        if i < len(times) and times[i] == us:
            return True
        if second and us % 1_000_000 == 0 and i < len(times) and times[i] < us + 1_000_000:
            return True
        ms = us // 1000
        if us % 1000 == 0:  # a package's time: a held one in its millisecond or before
            i = bisect.bisect_left(times, (ms + 1) * 1000)  # (times[:i]: those up to this ms)
            if i and times[i - 1] // 1000 >= self.run.get(ms, ms):
                return True
        whole = self.whole.get(key)  # a package's time held: in this millisecond or just after
        i = bisect.bisect_left(whole, ms) if whole else 0
        return whole is not None and i < len(whole) and self.run.get(whole[i], whole[i]) <= ms


def import_groups(
    coll: Collection, reviews: Sequence[Review], now: datetime
) -> tuple[_Held, Iterator[list[Review]]]:
    """(what this home holds of the import's cards; the groups to record the
    import in): an Anki log's events come a group of cards at a time (`review_chunks`), each card's
    in one group, so a long log is never held whole.

    Whether an event is held here looks at the runs of milliseconds the whole import uses
    (`_Held`), across cards: when this home holds events of the import's cards (a second import),
    one pass over the groups first takes only their times."""
    have = coll.history_index.times_of(now, review_keys(reviews))
    if not have:  # (a group's own keys are no other group's: none is held while it is recorded)
        return _Held(have, ()), review_chunks(reviews)
    every = (r for group in review_chunks(reviews) for r in group)  # (a group at a time, let go)
    return _held(coll, have, every, now), review_chunks(reviews)


def _held(
    coll: Collection, have: Mapping[str, Sequence[int]], todo: Iterable[Review], now: datetime
) -> _Held:
    """What the journal holds of the import's cards, those moved here from other keys with the
    events they had there."""
    held = _Held(have, todo)
    if held.earlier:
        held.follow_moves(coll.history_index, now)
    return held


def history_to_record(
    coll: Collection, reviews: Sequence[Review], now: datetime, held: _Held | None = None
) -> tuple[list[Review], int]:
    """(the reviews an import records, oldest first; how many cards already had progress here and
    keep it): what `record_history` records and `import --dry-run` counts.

    Every review not held here yet is recorded; events the journal already holds (same card
    and time) are never recorded again, so importing twice adds nothing and an import cut
    short goes on with the rest. They go into a device folder of the import's own
    (`Collection.begin_import`), where they take their place among this computer's events by
    time, as another device's synced journal does: the result is what a replay of every event
    in time order gives ("last event wins"). A card whose last event here (a review, a reset,
    a suspend) is newer than every event of it in this history keeps its progress, and this
    history's reviews of it are its history (stats, the optimizer). Only absurd dates are
    refused, by the store: a review dated after this clock (a device whose clock ran ahead) is
    kept like any other. `held`: what this home holds of the whole import (`import_groups`),
    when `reviews` is one of its groups.
    """
    todo = sorted(reviews, key=_TIME)  # (a reader's reviews come in time order: one pass)
    if held is None:
        held = _held(
            coll, coll.history_index.times_of(now, {r.key for r in todo}), todo, now
        )  # twice adds none
    order: list[Review] = []  # every review not held here yet, oldest first
    newest: dict[str, datetime] = {}  # per card, its newest recorded review that sets a state
    moment: datetime | None = None
    at_moment: set[str] = set()  # the keys of this import at one time (`todo` is in time order)
    for r in todo:
        key, time = r.key, r.time
        if time != moment:
            moment, at_moment = time, set()
        if key not in at_moment and not (held and held(key, micros(time), r.kind in _SET_ASIDE)):
            at_moment.add(key)
            order.append(r)
            if _changes_state(r):  # a cram rating is history only
                newest[key] = time
    kept = 0  # said: "already had progress here"
    for key in {r.key for r in reviews if r.key in coll.states}:
        last, bound = newest.get(key), coll.writer.bound(key)
        kept += last is None or (bound is not None and last < bound)
    return order, kept


def record_moves(coll: Collection, moves: Mapping[str, str], now: datetime) -> int:
    """Carry the progress of the cards an import moved between decks (`ImportPlan.moves`: old
    unit key -> new), as the browser's `m` carries it (`move_progress`: one action, the old
    keys back to new, their history followed by the card detail, the statistics and an
    export). Called after the import's history is recorded (it was recorded under the old
    keys), so that what the history added moves too. Returns how many units had progress to
    carry; InteropError when another retain is writing the progress.

    The import records the moves' intent before it writes its decks (`move_intent.begin_moves`),
    so a kill before this call is finished at the next start; once the journal holds the moves,
    the intent goes (a failure keeps it, for the next start to finish)."""
    if not moves:
        return 0
    if coll.read_only:
        raise InteropError("another retain is writing the progress; close it and import again")
    from retain.store.move_intent import end_moves  # (only an import that moves cards)
    from retain.store.state.progress_edits import move_progress

    try:
        events = move_progress(coll, moves, now)
    except CollectionError as exc:
        raise InteropError(f"progress store: {exc}") from None
    end_moves(coll)
    targets = set(moves.values())
    return sum(1 for e in events if e.key in targets and e.after is not None and not e.after.is_new)


def _record_history(
    coll: Collection, reviews: Sequence[Review], now: datetime, progress: ProgressFn, consume: bool
) -> HistoryImport:
    """Record `reviews` a group of cards at a time (`import_groups`: an Anki log's events are made
    as they are recorded, so a long log is never held whole; a list is one group)."""
    history = coll.history_index
    count = held = ahead = refused = kept = 0
    furthest = now
    total = reviews.estimate() if isinstance(reviews, ChunkedReviews) else len(reviews)
    done = 0
    into: str | None = None  # the history's own device folder, made at its first event
    progress("history", 0, total)
    holds, groups = import_groups(coll, reviews, now)
    for chunk in groups:
        # states already checked (a review's `before` is an earlier one's `after`); a card's events
        # are all in one group, so each group starts afresh (it kept every card's last state)
        seen: Seen = {}
        fresh, kept_here = history_to_record(coll, chunk, now, holds)
        kept += kept_here
        done += len(chunk) - len(fresh)  # (held here already: nothing to record)
        del chunk
        if consume and isinstance(reviews, list):
            reviews.clear()
        if fresh and into is None:
            into = coll.begin_import(now)
        fresh.reverse()  # popped from the end, oldest first: a recorded review is let go
        while fresh:
            part = [fresh.pop() for _ in range(min(_BATCH, len(fresh)))]
            # ids from each event's own time: the journal stores them as a number
            ids = coll.new_event_ids([r.time for r in part], into)
            batch = [
                Event(i, r.kind, r.key, r.time, r.after, r.before, r.rating, r.duration_ms)
                for i, r in zip(ids, part, strict=True)
            ]
            del part
            recorded_batch = coll.record_many(batch, seen, into=into)  # a state the store refuses is left out
            refused += len(batch) - len(recorded_batch)
            if recorded_batch and recorded_batch[-1].time > now:
                later = [e.time for e in recorded_batch if e.time > now]
                ahead, furthest = ahead + len(later), max(furthest, later[-1])
            recorded = len(recorded_batch)
            count, held, done = count + recorded, held + recorded, done + len(batch)
            progress("history", min(done, total), max(total, done))
            if held >= _FEED:  # the index takes them in parts (bounded memory)
                history.refresh(now)
                held = 0
    if isinstance(reviews, ChunkedReviews):
        refused += reviews.late_left_out()  # (rows whose events could not be made: counted alike)
    history.refresh(now)
    progress("history", max(total, done), max(total, done))
    return HistoryImport(count, kept, ahead, furthest - now, refused)
