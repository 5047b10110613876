"""Due counts without building a queue: the fast path behind `retain due`.

`DayLog` tallies what was already studied this study day; `count_due` applies
the same rules as the study queue (see `retain.core.queue`): daily limits,
siblings counted once and hidden after a rating, suspended and buried units
left out. It is one pass over the units with no sorting, about 15 ms at
50,000 units (benchmarks/bench_queue.py).

A group's daily limits (`[groups."NAME"]`, `GroupLimit`) cap the sum over its
decks of what is introduced and reviewed in a study day: one counter per group,
as a parent deck's limits in Anki. A group holds the groups under it (`Lang`
holds `Lang::Spanish`), so a deck may be under several limits: its nearest
group's `NestedLimit`, whose `parent` is the next enclosing limited group's
(`limit_chain`), as Anki v3 applies every parent deck's limit. A group's room
is its limit less what all its decks took today (`group_rooms`); a deck may
take the least of its own room and every room of its chain, which is its row
(`capped_by_groups`), and a session over several decks serves at most each
group's room of their sum, a group's part inside its enclosing group's
(`DueCounts.served`, `held_to_rooms`), so a group's rows may sum to more than
it serves.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from retain.core.model import Unit
from retain.core.settings import GroupLimit, StudySettings
from retain.core.state import NEW, REVIEW, CardState, Event, set_aside
from retain.core.studyday import learn_ahead_until

__all__ = [
    "Counts",
    "DayLog",
    "DueCounts",
    "DueRow",
    "GroupsOf",
    "NestedLimit",
    "Room",
    "SettingsFor",
    "UnitKeys",
    "capped_by_groups",
    "count_due",
    "count_rows",
    "deck_of",
    "due_rows",
    "group_rooms",
    "group_taken",
    "held_notes",
    "held_to_rooms",
    "last_moment",
    "limit_chain",
    "note_of",
]

SettingsFor = Callable[[str], StudySettings]
GroupsOf = Mapping[str, GroupLimit]
"""Deck id -> the daily limits of its nearest group with a `[groups]` table (a `NestedLimit`
when an enclosing group has one too: `limit_chain`), for the decks under a limited group."""
Room = tuple[int | None, int | None]
"""(new, reviews) a group's decks may still take today, at least 0; None: no cap of that kind."""
_TICK = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class NestedLimit(GroupLimit):
    """A group's limits inside an enclosing group's: `[groups."Lang::Spanish"]` under
    `[groups.Lang]`. Both hold the group's decks, each with its own counter (Anki v3's parent
    limits); `parent` is the nearest enclosing group with a `[groups]` table."""

    parent: GroupLimit | None = None


def limit_chain(limit: GroupLimit | None) -> tuple[GroupLimit, ...]:
    """`limit` and the limits of the groups enclosing it, nearest first (() for None)."""
    chain: list[GroupLimit] = []
    while limit is not None:
        chain.append(limit)
        limit = limit.parent if isinstance(limit, NestedLimit) else None
    return tuple(chain)


def held_to_rooms(
    parts: Iterable[tuple[str, int, int]], groups: GroupsOf, room_of: Callable[[GroupLimit], Room]
) -> tuple[int, int]:
    """(new, reviews) a session serves from decks' (deck id, new, reviews) parts, each within
    its own limits already: a limited group's sum at most its room (`room_of`, at least 0), a
    group's part counted into its enclosing group's before that one's room holds it. Groups
    nest (each deck's limits are one chain, `limit_chain`), so this is the most any order of
    serving gives, and what the queue, serving while every room of a card's chain is left,
    serves (a laminar matroid: every maximal choice has one size)."""
    new = review = 0
    sums: dict[str, list[int]] = {}
    limits: dict[str, tuple[GroupLimit, ...]] = {}  # group key -> its chain
    for deck, n, r in parts:
        limit = groups.get(deck)
        if limit is None:
            new, review = new + n, review + r
            continue
        part = sums.get(limit.key)
        if part is None:
            chain = limit_chain(limit)
            for i, outer in enumerate(chain):
                if outer.key in limits:
                    break
                limits[outer.key] = chain[i:]
                sums[outer.key] = [0, 0]
            part = sums[limit.key]
        part[0] += n
        part[1] += r
    for key in sorted(limits, key=lambda k: -len(limits[k])):  # the innermost first
        chain = limits[key]
        n, r = sums[key]
        room_new, room_rev = room_of(chain[0])
        n = n if room_new is None else min(n, room_new)
        r = r if room_rev is None else min(r, room_rev)
        if len(chain) > 1:
            into = sums[chain[1].key]
            into[0] += n
            into[1] += r
        else:
            new, review = new + n, review + r
    return new, review


def deck_of(key: str) -> str:
    """Deck id of a unit key: "deck/card:c2" -> "deck"."""
    return key.partition("/")[0]


def note_of(key: str) -> str:
    """Note key (shared by siblings) of a unit key: "deck/card:c2" -> "deck/card"."""
    return key.partition(":")[0]


@dataclass(slots=True)
class DayLog:
    """What was already studied this study day, per deck."""

    new_seen: dict[str, int] = field(default_factory=dict)  # deck -> new units first rated today
    reviews_done: dict[str, int] = field(default_factory=dict)  # deck -> ratings of review-state units
    notes_seen: set[str] = field(default_factory=set)  # note keys rated today

    @classmethod
    def from_events(cls, events: Iterable[Event], day_start: datetime) -> DayLog:
        """Tally the review events at or after `day_start`; undone reviews do not count."""
        todays = [e for e in events if e.time >= day_start]
        undone = {e.undoes for e in todays if e.kind == "undo"}
        log = cls()
        new_keys: dict[str, set[str]] = {}
        for e in todays:
            if e.kind != "review" or e.id in undone:
                continue
            deck = deck_of(e.key)
            log.notes_seen.add(note_of(e.key))
            before = e.before
            if before is None or before.state == NEW:
                new_keys.setdefault(deck, set()).add(e.key)
            elif before.state == REVIEW:
                log.reviews_done[deck] = log.reviews_done.get(deck, 0) + 1
        log.new_seen = {deck: len(keys) for deck, keys in new_keys.items()}
        return log


@dataclass(frozen=True, slots=True)
class Counts:
    new: int = 0
    learning: int = 0
    review: int = 0

    @property
    def total(self) -> int:
        return self.new + self.learning + self.review


DueRow = tuple[str, Hashable, int | None, Any, bool, str | None]
"""(deck id, note, state code or None when never studied, due, suspended, buried until (ISO date)).

The note is the unit's note key (`note_of`), or any stand-in for it that is
used consistently, with `DayLog.notes_seen` in the same terms (the launch
summary numbers them). `due` is any value comparable with the `now` and
`cutoff` given to `count_rows`: a datetime from a `CardState`, or POSIX
seconds in the launch summary (`store.homesummary`)."""


class UnitKeys(list[tuple[str, str]]):
    """(deck id, unit key) of review units, in unit order: all that counting reads of a unit, so a
    counting command (`retain due`) need not build 50k `Unit` objects (`Collection.unit_keys`)."""


def due_rows(units: Iterable[Unit] | UnitKeys, states: Mapping[str, CardState]) -> Iterator[DueRow]:
    """The rows `count_rows` reads, one per unit (in unit order)."""
    get = states.get
    pairs = units if isinstance(units, UnitKeys) else ((u.deck_id, u.key) for u in units)
    for deck_id, key in pairs:
        st = get(key)
        note = key.partition(":")[0]  # (`note_of`, inline: 50k units)
        if st is None:
            yield (deck_id, note, None, None, False, None)
        else:
            yield (deck_id, note, st.state, st.due, st.suspended, st.buried_until)


def last_moment(span: tuple[datetime, datetime]) -> datetime:
    """The last instant of a study day `span` ([start, end), `StudyDay.span`): a review due by it
    is due all that day, as in Anki (FSRS counts the days between reviews as study days, so a
    card due at 21:00 reviewed that morning is on time), not from its due hour on."""
    return span[1] - _TICK


def count_due(
    units: Sequence[Unit] | UnitKeys,
    states: Mapping[str, CardState],
    log: DayLog,
    settings_for: SettingsFor,
    now: datetime,
    today: date,
    *,
    day_end: datetime | None = None,
    learn_ahead: timedelta = timedelta(0),
    day_span: tuple[datetime, datetime] | None = None,
    groups: GroupsOf | None = None,
) -> DueCounts:
    """Due counts per deck id (every deck with a unit appears), without building a queue.

    `review` counts units due by `day_end` (default: now), `learning` units whose
    step is due by `now + learn_ahead`, never past the study day's end (`day_span`;
    `learn_ahead_until`: a session's `learn_ahead` gives the session's own count),
    `new` is capped by the daily limit. Same rules as the queue,
    which needs the study day's [start, end) in UTC (`day_span`, `StudyDay.span`): the new
    and review siblings of a learning unit due before the day ends wait for another day.
    `groups` caps each deck's new and review counts by its group's room (`capped_by_groups`).
    """
    cutoff = day_end if day_end is not None and day_end > now else now
    busy_until = cutoff if day_span is None else max(cutoff, day_span[1] - _TICK)
    return count_rows(
        due_rows(units, states),
        log,
        settings_for,
        now,
        cutoff,
        today,
        learn_until=learn_ahead_until(now, learn_ahead, None if day_span is None else day_span[1]),
        busy_until=busy_until,
        groups=groups,
    )


def count_rows(
    rows: Iterable[DueRow],
    log: DayLog,
    settings_for: SettingsFor,
    now: Any,
    cutoff: Any,
    today: date,
    *,
    learn_until: Any = None,
    busy_until: Any = None,
    groups: GroupsOf | None = None,
) -> DueCounts:
    """`count_due` over rows: reviews due by `cutoff`, learning steps due by `learn_until` (default
    `now`; the same type as the dues); a learning unit due by `busy_until` (default `cutoff`; the
    last instant of the study day, as the queue has it) keeps its note's new and review units back."""
    if learn_until is None:
        learn_until = now
    if busy_until is None:
        busy_until = cutoff
    today_iso = today.isoformat()
    seen: set[Any] = log.notes_seen
    learning: dict[str, int] = {}
    new_notes: dict[str, set[Hashable]] = {}
    rev_notes: dict[str, set[Hashable]] = {}
    busy: set[Hashable] = set()  # notes with a learning unit due: their siblings wait
    deck = ""
    new_set: set[Hashable] = set()
    rev_set: set[Hashable] = set()
    for deck_id, note, kind, due, suspended, buried_until in rows:
        if deck_id != deck:
            deck = deck_id
            new_set = new_notes.setdefault(deck, set())
            rev_set = rev_notes.setdefault(deck, set())
        if kind is None:  # never studied: never suspended or buried
            if note not in seen:
                new_set.add(note)
            continue
        if (suspended or buried_until is not None) and set_aside(suspended, buried_until, today_iso):
            continue
        if kind == NEW:
            if note not in seen:
                new_set.add(note)
            continue
        if kind == REVIEW:
            if due is not None and due <= cutoff and note not in seen:
                rev_set.add(note)
        elif due is not None:
            if due <= busy_until:
                busy.add(note)
            if due <= learn_until:
                learning[deck] = learning.get(deck, 0) + 1
    out: dict[str, Counts] = {}
    for deck_id, new_set in new_notes.items():
        settings = settings_for(deck_id)
        rev_set = rev_notes[deck_id]
        if busy:
            rev_set = rev_set - busy
            new_set = new_set - busy
        new_room = max(0, settings.new_per_day - log.new_seen.get(deck_id, 0))
        rev_room = max(0, settings.reviews_per_day - log.reviews_done.get(deck_id, 0))
        fresh = len(new_set) - len(new_set & rev_set) if rev_set else len(new_set)
        out[deck_id] = Counts(
            new=min(new_room, fresh),
            learning=learning.get(deck_id, 0),
            review=min(rev_room, len(rev_set)),
        )
    return capped_by_groups(out, log, groups or {})


def held_notes(
    units: Iterable[Unit] | UnitKeys,
    states: Mapping[str, CardState],
    today: date,
    day_end: datetime,
    seen: AbstractSet[str] = frozenset(),
) -> frozenset[str]:
    """The notes (`note_of`) whose new and review units wait for another study day, as
    `count_rows` (`retain due`, the home screen) and the study queue hold them back on
    study day `today`: a note with a unit in a learning step due by `day_end` (the study day's
    last instant, `last_moment`), not suspended or buried, and a note with a unit
    rated today (`seen`, `DayLog.notes_seen`). `states` are those the counts read (an exam's
    caps applied). One pass over the units (about as long as `count_due`'s)."""
    today_iso = today.isoformat()
    held = set(seen)
    get = states.get
    keys = (key for _deck, key in units) if isinstance(units, UnitKeys) else (u.key for u in units)
    for key in keys:
        st = get(key)
        if st is None or st.state in (NEW, REVIEW) or st.due is None or st.due > day_end:
            continue
        if (st.suspended or st.buried_until is not None) and set_aside(
            st.suspended, st.buried_until, today_iso
        ):
            continue
        held.add(note_of(key))
    return frozenset(held)


class DueCounts(dict[str, Counts]):
    """Due counts per deck id, each within its own limits and its group's room (`groups`:
    deck id -> its group's limits; `rooms`: group key -> the room left, `group_rooms`)."""

    def __init__(
        self,
        counts: Mapping[str, Counts],
        groups: GroupsOf | None = None,
        rooms: Mapping[str, Room] | None = None,
    ) -> None:
        super().__init__(counts)
        self.groups: GroupsOf = groups or {}
        self.rooms: Mapping[str, Room] = rooms or {}

    def served(self, deck_ids: Iterable[str] | None = None) -> Counts:
        """What a session over `deck_ids` (None: every deck) serves: the sum of their rows, each
        capped group's part at most the group's room (its decks share one counter; a group's
        part inside its enclosing group's, `held_to_rooms`)."""
        learning = 0
        parts: list[tuple[str, int, int]] = []
        for deck in self if deck_ids is None else dict.fromkeys(deck_ids):
            c = self.get(deck)
            if c is None:
                continue
            learning += c.learning
            parts.append((deck, c.new, c.review))
        rooms = self.rooms
        new, review = held_to_rooms(parts, self.groups, lambda limit: rooms.get(limit.key, (None, None)))
        return Counts(new=new, learning=learning, review=review)


def _distinct(groups: GroupsOf) -> Iterable[GroupLimit]:
    """The limits `groups` holds, each once (one object per group: by identity, not hashed)."""
    return {id(limit): limit for limit in groups.values()}.values()


def group_taken(log: DayLog, groups: GroupsOf) -> dict[str, tuple[int, int]]:
    """Group key -> (new, reviews) all its decks (as `groups` has them now, with the decks of
    the groups under it) took today."""
    taken = {outer.key: [0, 0] for limit in _distinct(groups) for outer in limit_chain(limit)}
    for kind, done in ((0, log.new_seen), (1, log.reviews_done)):
        for deck, n in done.items():
            for outer in limit_chain(groups.get(deck)):
                taken[outer.key][kind] += n
    return {key: (n, r) for key, (n, r) in taken.items()}


def group_rooms(log: DayLog, groups: GroupsOf) -> dict[str, Room]:
    """Group key -> what its decks may still take today: its limits less what they all took."""
    taken = group_taken(log, groups)
    out: dict[str, Room] = {}
    for limit in _distinct(groups):
        for outer in limit_chain(limit):
            n, r = taken[outer.key]
            out[outer.key] = (
                None if outer.new_per_day is None else max(0, outer.new_per_day - n),
                None if outer.reviews_per_day is None else max(0, outer.reviews_per_day - r),
            )
    return out


def capped_by_groups(counts: Mapping[str, Counts], log: DayLog, groups: GroupsOf) -> DueCounts:
    """`counts` (each deck's own, within its own limits) with each deck under a capped group held
    to the least room of its groups (its own and every enclosing one's): what studying the deck
    alone serves."""
    if not groups:
        return DueCounts(counts)
    rooms = group_rooms(log, groups)
    out: dict[str, Counts] = {}
    for deck, c in counts.items():
        limit = groups.get(deck)
        if limit is None:
            out[deck] = c
            continue
        new, review = c.new, c.review
        for outer in limit_chain(limit):
            room_new, room_rev = rooms[outer.key]
            new = new if room_new is None else min(new, room_new)
            review = review if room_rev is None else min(review, room_rev)
        out[deck] = Counts(new=new, learning=c.learning, review=review)
    return DueCounts(out, groups, rooms)
