"""The study queue: what to show next, and how many cards are due.

Rules (Anki-like):

- Intraday learning and relearning units come back as soon as their step is
  due, before anything else; when nothing else is left they are shown up to
  `learn_ahead` early, but never before their study day: learn-ahead stops at the
  end of the queue's study day (`learn_until`, `core.studyday.learn_ahead_until`).
- Due reviews come next, lowest retrievability (most overdue) first, capped
  per deck by `reviews_per_day` minus the reviews already done this study day.
- New units are interleaved evenly among the reviews, in deck order, capped
  per deck by `new_per_day` minus the new units already seen this study day.
- Siblings (units of one note: the reverse, other clozes) are never shown on
  the same study day: a new or review unit is skipped when its note was rated
  today (`DayLog.notes_seen`), or rated, suspended or buried in this session. A note counts once; a note
  with a due review counts as a review, not as new. Learning units are exempt:
  they are the ones rated today, and a note with a learning unit due now (or
  by `day_end`, or before the study day ends: `day_span`) leaves its new and
  review siblings for another day.
- Suspended units, and units buried until a later study day, are left out.
- A group's limits (`[groups."NAME"]`, `groups`) cap the sum over its decks: one
  counter per group, the limit less what all its decks took today (the day log,
  then this queue's ratings), and a lane serves while its own room and its
  group's are left, and the room of every enclosing group with limits (`Lang`
  over `Lang::Spanish`: `core.due.limit_chain`). New cards still come in turn, reviews by rank across lanes, so
  a session over several decks of a group stops each kind when the group's room
  is used, and one deck studied alone may take the whole room (`count_due` and
  `DueCounts.served` count the same).
- Undo gives a rating's place in the daily limit back only when the rating was
  made in the queue's study day (`day_span`): undoing yesterday's rating today
  takes nothing off today's count.
- A queue serves one study day: once the clock leaves `day_span` it is `stale`,
  and its owner builds a new one (a session left open over the rollover).

A queue over several decks (a group) keeps one lane per deck, each with its own
`StudySettings`. `count_due` is the fast path used by `retain due`.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from retain.core.due import (
    Counts,
    DayLog,
    GroupsOf,
    SettingsFor,
    count_due,
    deck_of,
    group_taken,
    held_to_rooms,
    limit_chain,
    note_of,
)
from retain.core.model import Unit
from retain.core.settings import GroupLimit
from retain.core.state import NEW, REVIEW, CardState, set_aside
from retain.core.studyday import learn_ahead_until

__all__ = [
    "DEFAULT_LEARN_AHEAD",
    "Counts",
    "DayLog",
    "StudyQueue",
    "build_queue",
    "count_due",
    "removed_keys",
]

DEFAULT_LEARN_AHEAD = timedelta(minutes=20)
_TICK = timedelta(microseconds=1)
RankFn = Callable[
    [str, CardState, datetime], float | None
]  # a due review's order (lower first); None: default


def _rank(st: CardState, now: datetime) -> float:
    """Sort key for due reviews, lowest retrievability first.

    FSRS retrievability falls monotonically with elapsed time / stability, so
    ordering by that ratio (descending) is the same order without the power.
    """
    stability = st.stability
    if st.last_review is None or stability is None or not stability > 0:
        return -math.inf
    return -(now - st.last_review).total_seconds() / stability


def _hidden(st: CardState, today_iso: str) -> bool:
    return set_aside(st.suspended, st.buried_until, today_iso)


@dataclass(slots=True)
class _Lane:
    """One deck's share of the queue."""

    deck_id: str
    new_cap: int  # today's room when the queue was built: the limit less today's count (may be < 0)
    rev_cap: int
    new_keys: list[str] = field(default_factory=list)  # deck order
    rev_keys: list[str] = field(default_factory=list)  # lowest retrievability first
    new_pos: int = 0
    rev_pos: int = 0
    new_used: int = 0
    rev_used: int = 0
    new_notes: dict[str, set[str]] = field(default_factory=dict)  # eligible note -> its eligible keys
    rev_notes: dict[str, set[str]] = field(default_factory=dict)
    # put back by undo, the last one first (a stack, as undo is), possibly behind a pointer
    returned: list[str] = field(default_factory=list)

    def notes(self, kind: str) -> dict[str, set[str]]:
        return self.rev_notes if kind == "rev" else self.new_notes


def removed_keys(
    units: Mapping[str, Unit], fresh: Mapping[str, Unit], held: Collection[str] | None = None
) -> list[str]:
    """The keys of `units` gone from `fresh`: a deleted card (its deck is still in `fresh`), or a
    card of a deck gone from it, unless that deck is `held`: its file is there but does not load
    right now (a save half done, a syntax error mid-edit), so its cards stay until it loads again.
    `held` None: every deck missing from `fresh` is held (the caller cannot tell a deck gone, or
    whose file now holds another deck id, from one that does not load)."""
    gone = [key for key in units if key not in fresh]
    if not gone:
        return []
    loaded = {u.deck_id for u in fresh.values()}
    if held is None:
        return [key for key in gone if units[key].deck_id in loaded]
    return [key for key in gone if units[key].deck_id in loaded or units[key].deck_id not in held]


def build_queue(
    units: Sequence[Unit],
    states: Mapping[str, CardState],
    log: DayLog,
    settings_for: SettingsFor,
    now: datetime,
    today: date,
    learn_ahead: timedelta = DEFAULT_LEARN_AHEAD,
    *,
    day_end: datetime | None = None,
    rank: RankFn | None = None,
    day_span: tuple[datetime, datetime] | None = None,
    groups: GroupsOf | None = None,
) -> StudyQueue:
    """A study queue over `units` (one deck, a group, or everything); `rank` reorders due reviews
    (an exam date: lowest predicted recall on the exam day first, `core.exam`).

    `day_end` makes reviews due by then count as due now; `day_span` is the study day's
    [start, end) in UTC (`StudyDay.span`): siblings of a learning unit due before its end
    wait, undo keeps earlier days' ratings out of today's limits, and `stale` says when
    the clock has left it. `groups` are the decks' groups' limits (every deck of those
    groups, not only the queue's: what the others took today uses the group's room too)."""
    return StudyQueue(
        units,
        states,
        log,
        settings_for,
        now,
        today,
        learn_ahead,
        day_end,
        rank,
        day_span=day_span,
        groups=groups,
    )


class StudyQueue:
    """Picks the next unit; `apply` tells it about every rating, undo, suspend or bury."""

    def __init__(
        self,
        units: Sequence[Unit],
        states: Mapping[str, CardState],
        log: DayLog,
        settings_for: SettingsFor,
        now: datetime,
        today: date,
        learn_ahead: timedelta = DEFAULT_LEARN_AHEAD,
        day_end: datetime | None = None,
        rank: RankFn | None = None,
        *,
        day_span: tuple[datetime, datetime] | None = None,
        groups: GroupsOf | None = None,
    ) -> None:
        self.today = today
        self.day_span = day_span
        self._rank_fn = rank
        self.learn_ahead = learn_ahead
        self._today_iso = today.isoformat()
        self._day_end = day_end
        self._units: dict[str, Unit] = {}
        self._states: dict[str, CardState | None] = {}
        self._where: dict[str, str] = {}  # eligible key -> "new" | "rev" (learning: see _learn)
        self._learn: dict[str, datetime] = {}
        self._heap: list[tuple[datetime, str]] = []
        self._seen: set[str] = set(log.notes_seen)
        self._r: dict[str, float] = {}  # due review -> rank (see _rank)
        self._lanes: dict[str, _Lane] = {}
        self._next_review: datetime | None = None
        self._joined_until = now  # reviews due by this instant have been placed (`_arrive`)
        self._later: list[tuple[datetime, str]] | None = None  # the rest, a heap (first arrival)
        self._last: str | None = None
        self._sess_new = self._sess_rev = 0
        self._groups = groups or {}
        # deck id -> its limits, nearest group first (`limit_chain`), one tuple per group
        chains = {id(limit): limit_chain(limit) for limit in self._groups.values()}
        self._chains = {deck: chains[id(limit)] for deck, limit in self._groups.items()}
        # group key -> [new, reviews] its decks took today (the log, then this queue's ratings)
        self._taken = {key: [n, r] for key, (n, r) in group_taken(log, self._groups).items()}
        self._fill(units, states, log, settings_for, now)
        start = self.counts(now)
        self._new_total, self._rev_total = max(1, start.new), max(1, start.review)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is (still) one of the units this queue was built over."""
        return key in self._units

    @property
    def deck_ids(self) -> list[str]:
        """The decks this queue serves (those it was built over with a card)."""
        return list(self._lanes)

    def refresh_units(self, fresh: Mapping[str, Unit], held: Collection[str] | None = None) -> None:
        """Take the queued units' texts as they are now (a card was edited or its deck reloaded).

        The texts change; what is queued, and in which order, stays. A key no longer in
        `fresh` leaves the queue (`removed_keys`): a card deleted, or its kind changed, or its
        deck gone (its file deleted or moved away, or its `id` changed); a deck that is `held`
        (its file does not load right now, a save half done) keeps its units until it loads
        again (`held` None: every deck missing from `fresh` does).
        """
        units = self._units
        for key in removed_keys(units, fresh, held):
            self._drop(key)
        for key in units:
            unit = fresh.get(key)
            if unit is not None:
                units[key] = unit

    def _drop(self, key: str) -> None:
        unit = self._units.pop(key)
        was = self._where.pop(key, None)
        lane = self._lanes.get(unit.deck_id)
        if was is not None and lane is not None:
            keys = lane.notes(was).get(note_of(key))
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del lane.notes(was)[note_of(key)]
        self._learn.pop(key, None)  # (its heap entry no longer matches: skipped)
        self._states.pop(key, None)
        self._r.pop(key, None)

    def _fill(
        self,
        units: Sequence[Unit],
        states: Mapping[str, CardState],
        log: DayLog,
        settings_for: SettingsFor,
        now: datetime,
    ) -> None:
        cutoff = self._cutoff(now)
        # A learning unit due before the study day ends is shown today: its siblings wait.
        horizon = cutoff if self.day_span is None else max(cutoff, self.day_span[1] - _TICK)
        today_iso = self._today_iso
        seen = self._seen
        lanes = self._lanes
        learn = self._learn
        heap = self._heap
        rs = self._r
        new_by_note: dict[str, list[str]] = {}
        rev_by_note: dict[str, list[str]] = {}
        busy: set[str] = set()
        self._units = {u.key: u for u in units}
        self._states = dict(states)
        get = states.get
        next_review = self._next_review
        self._joined_until = cutoff  # reviews due by then are placed; later ones arrive
        deck = None
        for u in units:
            if u.deck_id != deck:
                deck = u.deck_id
                if deck not in lanes:
                    s = settings_for(deck)
                    lanes[deck] = _Lane(  # (below zero when today's count is over a limit: an
                        deck,  # undo then gives back no slot until the count is under it again)
                        s.new_per_day - log.new_seen.get(deck, 0),
                        s.reviews_per_day - log.reviews_done.get(deck, 0),
                    )
            key = u.key
            st = get(key)
            if st is None:
                note = note_of(key)
                if note not in seen:
                    new_by_note.setdefault(note, []).append(key)
                continue
            if (st.suspended or st.buried_until is not None) and _hidden(st, today_iso):
                continue
            due = st.due
            if st.state == NEW:
                note = note_of(key)
                if note not in seen:
                    new_by_note.setdefault(note, []).append(key)
            elif due is None:
                continue
            elif st.state == REVIEW:
                if due <= cutoff:
                    note = note_of(key)
                    if note not in seen:
                        rev_by_note.setdefault(note, []).append(key)
                        rs[key] = self._rank(key, st, now)
                elif next_review is None or due < next_review:  # joins when it comes due (`_arrive`)
                    next_review = due
            else:
                learn[key] = due
                heap.append((due, key))
                if due <= horizon:
                    busy.add(note_of(key))
        self._next_review = next_review
        heapq.heapify(self._heap)
        for note, keys in rev_by_note.items():
            if note in busy:
                continue
            lane = self._lanes[deck_of(note)]
            lane.rev_keys.extend(keys)
            lane.rev_notes[note] = set(keys)
            self._where.update(dict.fromkeys(keys, "rev"))
        for note, keys in new_by_note.items():
            if note in rev_by_note or note in busy:
                continue
            lane = self._lanes[deck_of(note)]
            lane.new_keys.extend(keys)
            lane.new_notes[note] = set(keys)
            self._where.update(dict.fromkeys(keys, "new"))
        for lane in self._lanes.values():
            lane.rev_keys.sort(key=lambda k: (self._r[k], k))

    def _rank(self, key: str, st: CardState, now: datetime) -> float:
        if self._rank_fn is not None:
            custom = self._rank_fn(key, st, now)
            if custom is not None:
                return custom
        return _rank(st, now)

    def _cutoff(self, now: datetime) -> datetime:
        """Reviews due by this instant count as due: the end of the study day, if given."""
        return self._day_end if self._day_end is not None and self._day_end > now else now

    # -- choosing -------------------------------------------------------------

    def next(self, now: datetime) -> Unit | None:
        """The unit to show now, or None when nothing is left (see `next_due_after`)."""
        self._arrive(now)
        key = self._learning_due(now, avoid=None)
        if key is None:
            key = self._pick_main()
        if key is None:
            key = self._learning_due(self.learn_until(now), avoid=self._last)
        return self._units[key] if key is not None else None

    def _arrive(self, now: datetime) -> None:
        """Reviews that came due since the queue was built join it (a session left open)."""
        cutoff = self._cutoff(now)
        if self._next_review is None or self._next_review > cutoff:
            return  # (the common case: nothing came due)
        later = self._later
        if later is None:  # at the first arrival, not at the start (~10 ms of a 50k session's start)
            since = self._joined_until
            later = self._later = [
                (st.due, key)
                for key, st in self._states.items()
                if st is not None and st.state == REVIEW and st.due is not None and st.due > since
            ]
            heapq.heapify(later)
        while later and later[0][0] <= cutoff:
            due, key = heapq.heappop(later)
            self._join(key, due, now)  # (checked against its state now: rated or moved since?)
        self._joined_until, self._next_review = cutoff, later[0][0] if later else None

    def _join(self, key: str, due: datetime, now: datetime) -> None:
        unit, st = self._units.get(key), self._states.get(key)
        if unit is None or st is None or st.state != REVIEW or st.due != due or key in self._where:
            return  # deleted, or changed since (rated, reset, moved): its own event placed it
        note = note_of(key)
        if _hidden(st, self._today_iso) or note in self._seen:
            return
        lane = self._lanes[unit.deck_id]
        self._r[key] = self._rank(key, st, now)
        lane.rev_keys.append(key)  # after the ones due at the start
        lane.rev_notes.setdefault(note, set()).add(key)
        self._where[key] = "rev"

    def _learning_due(self, limit: datetime, avoid: str | None) -> str | None:
        top = self._learn_top()
        if top is None or top[0] > limit:
            return None
        if top[1] == avoid and len(self._learn) > 1:
            popped = heapq.heappop(self._heap)
            second = self._learn_top()
            heapq.heappush(self._heap, popped)
            if second is not None and second[0] <= limit:
                return second[1]
        return top[1]

    def _learn_top(self) -> tuple[datetime, str] | None:
        heap = self._heap
        while heap:
            due, key = heap[0]
            if self._learn.get(key) == due:
                return heap[0]
            heapq.heappop(heap)
        return None

    def _own_room(self, lane: _Lane, kind: str) -> int:
        """How many more units of `kind` the lane may serve today by its deck's own limit."""
        return lane.rev_cap - lane.rev_used if kind == "rev" else lane.new_cap - lane.new_used

    def _group_room(self, deck_id: str, kind: str) -> int | None:
        """How many more units of `kind` the deck's groups may take today: the least room of its
        group's limits and every enclosing group's (None: no cap)."""
        room: int | None = None
        for limit in self._chains.get(deck_id, ()):
            left = self._limit_room(limit, kind)
            if left is not None and (room is None or left < room):
                room = left
        return room

    def _limit_room(self, limit: GroupLimit, kind: str) -> int | None:
        """How many more units of `kind` the decks under `limit` may take today (None: no cap)."""
        cap = limit.reviews_per_day if kind == "rev" else limit.new_per_day
        return None if cap is None else cap - self._taken[limit.key][1 if kind == "rev" else 0]

    def _room(self, lane: _Lane, kind: str) -> int:
        """How many more units of `kind` the lane may serve today: its own room, its group's."""
        own = self._own_room(lane, kind)
        group = self._group_room(lane.deck_id, kind)
        return own if group is None else min(own, group)

    def _count(self, kind: str, delta: int, deck_id: str) -> None:
        """A rating of `kind` (+1) or its undo (-1) in `deck_id`: its groups' counters follow."""
        for limit in self._chains.get(deck_id, ()):
            self._taken[limit.key][1 if kind == "rev" else 0] += delta

    def _head(self, lane: _Lane, kind: str) -> str | None:
        if self._room(lane, kind) <= 0:
            return None
        if lane.returned:
            lane.returned = [k for k in lane.returned if k in self._where]
            for key in lane.returned:
                if self._where[key] == kind:
                    return key
        keys = lane.rev_keys if kind == "rev" else lane.new_keys
        pos = lane.rev_pos if kind == "rev" else lane.new_pos
        where = self._where
        while pos < len(keys) and where.get(keys[pos]) != kind:
            pos += 1
        if kind == "rev":
            lane.rev_pos = pos
        else:
            lane.new_pos = pos
        return keys[pos] if pos < len(keys) else None

    def _pick_main(self) -> str | None:
        review: str | None = None
        new: str | None = None
        new_used = 0
        for lane in self._lanes.values():
            r = self._head(lane, "rev")
            if r is not None and (review is None or self._r.get(r, 0.0) < self._r.get(review, 0.0)):
                review = r
            n = self._head(lane, "new")
            if n is not None and (new is None or lane.new_used < new_used):
                new, new_used = n, lane.new_used
        if review is not None and new is not None:
            # Interleave: whichever pile is further behind its share goes next.
            if self._sess_new * self._rev_total < self._sess_rev * self._new_total:
                return new
            return review
        return review if review is not None else new

    # -- updating -------------------------------------------------------------

    def apply(self, key: str, new_state: CardState | None, now: datetime) -> None:
        """Record that `key` now has `new_state` (after a rating, undo, suspend or bury)."""
        unit = self._units.get(key)
        if unit is None:
            return
        lane = self._lanes[unit.deck_id]
        old = self._states.get(key)
        old_reps = old.reps if old is not None else 0
        new_reps = new_state.reps if new_state is not None else 0
        if new_reps > old_reps:  # a rating
            if old is None or old.state == NEW:
                lane.new_used += 1
                self._sess_new += 1
                self._count("new", 1, lane.deck_id)
            elif old.state == REVIEW:
                lane.rev_used += 1
                self._sess_rev += 1
                self._count("rev", 1, lane.deck_id)
            self._mark_seen(lane, unit.note_key)
            self._last = key
        elif new_state is not None and _hidden(new_state, self._today_iso):
            # Suspended or buried while shown: its siblings (whose answer it may have shown) wait too.
            self._mark_seen(lane, unit.note_key)
        elif new_reps < old_reps and self._rated_today(old):
            # An undo of a rating of this study day (today's log counted it even when it was
            # made before this session, so this may go below zero); an earlier day's rating
            # was never counted today.
            if new_state is None or new_state.state == NEW:
                lane.new_used -= 1
                self._sess_new = max(0, self._sess_new - 1)
                self._count("new", -1, lane.deck_id)
            elif new_state.state == REVIEW:
                lane.rev_used -= 1
                self._sess_rev = max(0, self._sess_rev - 1)
                self._count("rev", -1, lane.deck_id)
        self._states[key] = new_state
        self._place(lane, key, new_state, now)

    def count_elsewhere(self, key: str, old: CardState | None, new: CardState | None) -> None:
        """A card this queue does not hold went from `old` to `new` by a rating or its undo (the
        session's undo takes back the last rating of any deck): when its deck shares a capped
        group with this queue's decks, the group's counter follows, as `apply` does for a card
        of its own (an undo of another deck's rating gives the group's slot back here)."""
        deck = deck_of(key)
        if key in self._units or deck not in self._groups:
            return
        old_reps = old.reps if old is not None else 0
        new_reps = new.reps if new is not None else 0
        if new_reps > old_reps:
            was = old
            sign = 1
        elif new_reps < old_reps and self._rated_today(old):
            was = new
            sign = -1
        else:
            return
        if was is None or was.state == NEW:
            self._count("new", sign, deck)
        elif was.state == REVIEW:
            self._count("rev", sign, deck)

    def restate(self, keys: Iterable[str], states: Mapping[str, CardState], now: datetime) -> None:
        """Cards whose state another screen changed meanwhile (the browser's suspend, bury, reset
        or reschedule), with `states` as the queue sees them (an exam's caps applied): each is
        placed again, without touching the day's limits (that was no rating). A card whose note
        is seen here stays out: the queue cannot tell a note rated today from one only held by a
        card set aside, so a card unsuspended or unburied up there (its note no longer held, the
        day log says) comes back by a queue built anew (`ReviewSession.sync_states`)."""
        known = self._states
        for key in keys:
            unit = self._units.get(key)
            if unit is None:
                continue
            st = states.get(key)
            lane = self._lanes[unit.deck_id]
            if st is not None and _hidden(st, self._today_iso):
                self._mark_seen(lane, unit.note_key)  # its siblings wait, as for a bury in the session
            if st is None:
                known.pop(key, None)
            else:
                known[key] = st
            self._place(lane, key, st, now)
            if unit.note_key in self._seen and key in self._where:  # no undo: a sibling studied
                self._unplace(lane, key)  # today keeps it for tomorrow, as a new session would

    def _rated_today(self, rated: CardState | None) -> bool:
        """Whether the rating that gave `rated` was made in this queue's study day (unknown: yes)."""
        span = self.day_span
        at = rated.last_review if rated is not None else None
        return span is None or at is None or at >= span[0]

    def _mark_seen(self, lane: _Lane, note: str) -> None:
        """A unit of `note` was rated: its new and review siblings are out for the day."""
        if note in self._seen:
            return
        self._seen.add(note)
        for bucket in (lane.new_notes, lane.rev_notes):
            for sibling in bucket.pop(note, ()):
                self._where.pop(sibling, None)

    def _leave_lanes(self, lane: _Lane, key: str) -> None:
        """`key` leaves the new and review lanes (and its note's bucket there)."""
        was = self._where.pop(key, None)
        if was is not None:
            bucket = lane.notes(was)
            keys = bucket.get(note_of(key))
            if keys is not None:
                keys.discard(key)
                if not keys:
                    del bucket[note_of(key)]

    def _unplace(self, lane: _Lane, key: str) -> None:
        """`key` leaves the new and review lanes (not learning), also as a card put back."""
        self._leave_lanes(lane, key)
        if key in lane.returned:
            lane.returned.remove(key)

    def _place(self, lane: _Lane, key: str, st: CardState | None, now: datetime) -> None:
        self._leave_lanes(lane, key)
        self._learn.pop(key, None)
        if st is not None and _hidden(st, self._today_iso):
            return
        kind: str | None = None
        if st is None or st.state == NEW:
            kind = "new"
        elif st.due is None:
            return
        elif st.state == REVIEW:
            if st.due <= self._cutoff(now):
                kind = "rev"
                self._r[key] = self._rank(key, st, now)
        else:
            self._learn[key] = st.due
            heapq.heappush(self._heap, (st.due, key))
        if kind is not None:  # only an undo puts a unit back: it is shown even if a sibling was
            self._where[key] = kind
            lane.notes(kind).setdefault(note_of(key), set()).add(key)
            # A stack, as undo is: the last one put back comes first, so cards undone one after
            # another come back in the order they were first shown (not the newest but one first).
            if key in lane.returned:
                lane.returned.remove(key)
            lane.returned.insert(0, key)

    def ready(self, key: str, now: datetime) -> bool:
        """Whether `next` may serve `key` now, daily limits aside: new, a review due, or a learning
        step due within learn-ahead (an undone card is shown again only then)."""
        if key in self._where:
            return True
        due = self._learn.get(key)
        return due is not None and due <= self.learn_until(now)

    def learn_until(self, now: datetime) -> datetime:
        """The learn-ahead cut-off: a learning step due by it is due now (`next`, `ready`,
        `counts`): `now + learn_ahead`, never past the end of the queue's study day
        (`day_span`), so a step due on the next study day (a `1d` step due at the rollover)
        waits for it (`core.studyday.learn_ahead_until`)."""
        return learn_ahead_until(now, self.learn_ahead, None if self.day_span is None else self.day_span[1])

    # -- reporting ------------------------------------------------------------

    def counts(self, now: datetime) -> Counts:
        """What is left in this session: new and due reviews (within limits; a capped group's
        decks together at most the group's room, inside its enclosing groups'), learning due soon."""
        self._arrive(now)
        parts = [
            (
                lane.deck_id,
                min(max(0, self._own_room(lane, "new")), len(lane.new_notes)),
                min(max(0, self._own_room(lane, "rev")), len(lane.rev_notes)),
            )
            for lane in self._lanes.values()
        ]
        new, review = held_to_rooms(parts, self._groups, self._rooms_left)
        soon = self.learn_until(now)
        learning = sum(1 for due in self._learn.values() if due <= soon)
        return Counts(new=new, learning=learning, review=review)

    def _rooms_left(self, limit: GroupLimit) -> tuple[int | None, int | None]:
        """(new, reviews) the decks under `limit` may still take today, at least 0."""
        n, r = self._limit_room(limit, "new"), self._limit_room(limit, "rev")
        return (None if n is None else max(0, n), None if r is None else max(0, r))

    def stale(self, now: datetime) -> bool:
        """Whether `now` is outside this queue's study day (`day_span`): build a new queue."""
        span = self.day_span
        return span is not None and not span[0] <= now < span[1]

    def limit_reached(self) -> str | None:
        """Which daily limit holds back cards that would otherwise be shown now, as the study
        screen says it: "daily limit reached" (a deck's own), or its group's, named with the limit
        ("Interview's daily limit reached (7 new)") when the group's room is what holds them
        back (the nearest group whose room is used: `Lang` for a deck of `Lang::Spanish` under
        `[groups.Lang]`); None when no limit does."""
        held: str | None = None
        for lane in self._lanes.values():
            for kind, notes in (("new", lane.new_notes), ("rev", lane.rev_notes)):
                if not notes or self._room(lane, kind) > 0:
                    continue
                if self._own_room(lane, kind) > 0:  # a group's room is used, not the deck's
                    limit = self._full(lane.deck_id, kind)
                    cap = limit.new_per_day if kind == "new" else limit.reviews_per_day
                    what = "new" if kind == "new" else ("review" if cap == 1 else "reviews")
                    return f"{limit.name}'s daily limit reached ({cap} {what})"
                held = "daily limit reached"
        return held

    def _full(self, deck_id: str, kind: str) -> GroupLimit:
        """The nearest of the deck's groups whose room for `kind` is used (one is: `limit_reached`)."""
        chain = self._chains[deck_id]
        return next(
            (g for g in chain if (left := self._limit_room(g, kind)) is not None and left <= 0), chain[0]
        )

    @property
    def size(self) -> int:
        """How many units the queue was built over (studied, hidden or waiting)."""
        return len(self._units)

    def hidden_count(self) -> int:
        """Units suspended, or buried until a later study day."""
        today = self._today_iso
        return sum(1 for st in self._states.values() if st is not None and _hidden(st, today))

    def next_due_after(self, now: datetime) -> datetime | None:
        """When the next learning step (or, failing that, review) comes due."""
        candidates = list(self._learn.values())
        if self._next_review is not None and self._next_review > now:
            candidates.append(self._next_review)
        return min(candidates, default=None)

    def next_dues(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """`next_due_after`'s two parts: (when the next learning step comes due, when the next
        review does after `now`), which a session's summary dates apart (`core.session.served_from`)."""
        review = self._next_review if self._next_review is not None and self._next_review > now else None
        return min(self._learn.values(), default=None), review
