"""Due counts without building a queue: the fast path behind `retain due`.

`DayLog` tallies what was already studied this study day; `count_due` applies
the same rules as the study queue (see `retain.core.queue`): daily limits,
siblings counted once and hidden after a rating, suspended and buried units
left out. It is one pass over the units with no sorting, about 15 ms at
50,000 units (benchmarks/bench_queue.py).

A group's daily limits (`[groups."NAME"]`, `GroupLimit`) cap the sum over its
decks of what is introduced and reviewed in a study day. `capped_by_groups`
shares a group's room among its decks (`shares`): each deck keeps its own
limit, the room left is filled evenly (the deck that has taken the least today
first; a tie goes to the lower deck id), so a deck's count is its share of the
group's room and a group's count is the sum of its decks'. The study queue
applies the same function to its lanes, so what it serves is what is counted.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from retain.core.model import Unit
from retain.core.settings import GroupLimit, StudySettings
from retain.core.state import NEW, REVIEW, CardState, Event

__all__ = [
    "Counts",
    "DayLog",
    "DueRow",
    "GroupsOf",
    "SettingsFor",
    "capped_by_groups",
    "count_due",
    "count_rows",
    "deck_of",
    "due_rows",
    "note_of",
    "shares",
]

SettingsFor = Callable[[str], StudySettings]
GroupsOf = Mapping[str, GroupLimit]
"""Deck id -> its group's daily limits, for the decks of a group with a `[groups]` table."""
_TICK = timedelta(microseconds=1)


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


def due_rows(units: Iterable[Unit], states: Mapping[str, CardState]) -> Iterator[DueRow]:
    """The rows `count_rows` reads, one per unit (in unit order)."""
    get = states.get
    for u in units:
        st = get(u.key)
        if st is None:
            yield (u.deck_id, note_of(u.key), None, None, False, None)
        else:
            yield (u.deck_id, note_of(u.key), st.state, st.due, st.suspended, st.buried_until)


def count_due(
    units: Sequence[Unit],
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
) -> dict[str, Counts]:
    """Due counts per deck id (every deck with a unit appears), without building a queue.

    `review` counts units due by `day_end` (default: now), `learning` units whose
    step is due by `now + learn_ahead` (a session's `learn_ahead` gives the
    session's own count), `new` is capped by the daily limit. Same rules as the queue,
    which needs the study day's [start, end) in UTC (`day_span`, `StudyDay.span`): the new
    and review siblings of a learning unit due before the day ends wait for another day.
    `groups` caps new and review counts by the decks' groups' limits (`capped_by_groups`).
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
        learn_until=now + learn_ahead,
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
) -> dict[str, Counts]:
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
        if kind is None or kind == NEW:
            if kind is not None and (suspended or (buried_until is not None and buried_until > today_iso)):
                continue
            if note not in seen:
                new_set.add(note)
            continue
        if suspended or (buried_until is not None and buried_until > today_iso):
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
    if groups:
        return capped_by_groups(out, log.new_seen, log.reviews_done, groups)
    return out


def shares(limit: int, used: Sequence[int], wants: Sequence[int]) -> list[int]:
    """How many more units each member of a group may take today under the group's `limit`.

    `used[i]` is what member i took today, `wants[i]` (at least `used[i]`) what it would
    take by its own limits. The room left is filled evenly: a unit goes to the member that
    has taken the least so far, a tie to the earlier one. Taking a unit of one's share
    leaves every other share as it was, so a deck studied alone takes its share and no more.
    """
    room = limit - sum(used)
    if room <= 0:
        return [0] * len(used)
    pairs = list(zip(used, wants, strict=True))

    def filled(level: int) -> int:
        return sum(max(u, min(level, w)) for u, w in pairs)

    top = max((w for _u, w in pairs), default=0)
    if filled(top) <= limit:
        return [w - u for u, w in pairs]
    lo, hi = 0, top  # filled(lo) <= limit < filled(hi)
    if filled(lo) > limit:  # (cannot be: filled(0) == sum(used) < limit)
        return [0] * len(used)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if filled(mid) <= limit:
            lo = mid
        else:
            hi = mid
    extra = limit - filled(lo)  # one more each for the first `extra` members still below their want
    out: list[int] = []
    for u, w in pairs:
        share = max(u, min(lo, w))
        if extra and u <= lo < w:
            share += 1
            extra -= 1
        out.append(share - u)
    return out


def capped_by_groups(
    counts: Mapping[str, Counts],
    new_used: Mapping[str, int],
    reviews_used: Mapping[str, int],
    groups: GroupsOf,
    *,
    outside: Mapping[str, Counts] | None = None,
) -> dict[str, Counts]:
    """`counts` (each deck's own, within its own limits) with its groups' limits applied.

    A group's members are its decks in `counts`, in `outside` (decks of the group that these
    counts leave out, such as the rest of a group when one deck is studied: they keep their
    shares) and those that took units today (`new_used`, `reviews_used`: the day log's per
    deck tallies). Each member's share of the group's room comes from `shares`, in deck id order.
    """
    members: dict[str, list[str]] = {}
    for source in (counts, outside or {}, new_used, reviews_used):
        for deck in source:
            limit = groups.get(deck)
            if limit is not None:
                members.setdefault(limit.key, []).append(deck)
    if not members:
        return dict(counts)
    out = dict(counts)
    every = {**(outside or {}), **counts}
    for key, decks in members.items():
        ids = sorted(set(decks))
        limit = groups[ids[0]]
        if limit.key != key:  # (one group per key: the config's mapping gives one GroupLimit each)
            continue
        zero = Counts()
        new_share = review_share = None
        if limit.new_per_day is not None:
            used = [max(0, new_used.get(d, 0)) for d in ids]
            wants = [u + every.get(d, zero).new for u, d in zip(used, ids, strict=True)]
            new_share = dict(zip(ids, shares(limit.new_per_day, used, wants), strict=True))
        if limit.reviews_per_day is not None:
            used = [max(0, reviews_used.get(d, 0)) for d in ids]
            wants = [u + every.get(d, zero).review for u, d in zip(used, ids, strict=True)]
            review_share = dict(zip(ids, shares(limit.reviews_per_day, used, wants), strict=True))
        for d in ids:
            c = counts.get(d)
            if c is None:
                continue
            out[d] = Counts(
                new=c.new if new_share is None else new_share[d],
                learning=c.learning,
                review=c.review if review_share is None else review_share[d],
            )
    return out
