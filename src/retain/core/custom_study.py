"""Custom study: a session over cards chosen another way than "what is due today".

Four modes, each a pure selection over units and states plus a `CustomQueue`:

- `search`: the cards of a browser search (`tag:x is:due`), in result order.
- `ahead`: cards (not new) due within the next N days, soonest first.
- `forgotten`: cards rated Again in the current study day, in the order they were failed.
- `cram`: every card of some decks without touching their schedule; the session records
  "cram" events (journaled, undoable) that leave the state as it was, and a card rated
  Again comes back at the end of the cram.

The first three record ordinary reviews (FSRS moves the schedule as usual); the daily
new/review limits do not apply, as in Anki's filtered decks. Suspended and buried cards
are left out of every mode.
"""

from __future__ import annotations

from collections.abc import Collection as AbstractCollection
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from retain.core.due import Counts
from retain.core.model import Unit
from retain.core.queue import removed_keys
from retain.core.search import DayOf, GroupOf, HeldNotes, LearnUntil, ParametersFor, compile_query, haystack
from retain.core.state import LEARNING, NEW, RELEARNING, CardState, set_aside
from retain.core.studyday import StudyDay, learn_ahead_until

__all__ = [
    "MAX_AHEAD_DAYS",
    "MODES",
    "CustomMode",
    "CustomQueue",
    "CustomStudy",
    "select_ahead",
    "select_cram",
    "select_forgotten",
    "select_search",
]

CustomMode = Literal["search", "ahead", "forgotten", "cram"]
MODES: tuple[CustomMode, ...] = ("search", "ahead", "forgotten", "cram")
MAX_AHEAD_DAYS = 365


@dataclass(frozen=True, slots=True)
class CustomStudy:
    """What to study: the mode and its argument (a query, a number of days, deck ids)."""

    mode: CustomMode
    query: str = ""
    days: int = 0
    deck_ids: tuple[str, ...] = ()
    label: str = ""  # deck or group name for cram

    def title(self) -> str:
        """The session header's mode line: `Custom study · search: tag:x`."""
        if self.mode == "search":
            return f"Custom study · search: {self.query or 'every card'}"
        if self.mode == "ahead":
            return f"Custom study · ahead: due in the next {self.days} day{'s' if self.days != 1 else ''}"
        if self.mode == "forgotten":
            return "Custom study · today's forgotten cards"
        return f"Cram · {self.label or ', '.join(self.deck_ids)} · schedule untouched"


def _hidden(state: CardState | None, today: date) -> bool:
    if state is None:
        return False
    return set_aside(state.suspended, state.buried_until, today.isoformat())


def select_search(
    units: Sequence[Unit],
    states: Mapping[str, CardState],
    query: str,
    now: datetime,
    today: date,
    parameters_for: ParametersFor | None = None,
    group_of: GroupOf | None = None,
    day_of: DayOf | None = None,
    name_of: GroupOf | None = None,
    learn_ahead: timedelta = timedelta(0),
    learn_until: LearnUntil | None = None,
    held: HeldNotes | None = None,
) -> list[Unit]:
    """The units a browser search finds (QueryError for a bad query), suspended/buried left out;
    `parameters_for(deck_id)`: the deck's preset weights, for `prop:r`; `group_of(deck_id)`: its
    group's name, for `deck:"Group Name"`; `day_of`: a moment's study day, and `learn_until`
    (or `learn_ahead`) the learn-ahead cut-off, and `held` the notes held back today, for
    `is:due` (`compile_query`)."""
    compiled = compile_query(
        query,
        parameters_for,
        group_of,
        day_of,
        name_of=name_of,
        learn_ahead=learn_ahead,
        learn_until=learn_until,
        held=held,
    )
    get = states.get
    return [
        u
        for u in units
        if not _hidden(get(u.key), today) and compiled.matches(u, get(u.key), now, today, haystack(u))
    ]


def select_ahead(
    units: Sequence[Unit],
    states: Mapping[str, CardState],
    now: datetime,
    days: int,
    today: date,
    day_of: DayOf | None = None,
) -> list[Unit]:
    """Cards already learnt due within the next `days` days, soonest first (ValueError: bad days).

    With `day_of` (a moment's study day) that is every card due by the end of study day
    `today + days`, as `retain stats` counts the days ahead (a card due tomorrow evening is
    due "in 1 day" this morning too); without it, every card due before `now + days`."""
    if not 1 <= days <= MAX_AHEAD_DAYS:
        raise ValueError(f"study ahead takes 1 to {MAX_AHEAD_DAYS} days, not {days}")
    limit = now + timedelta(days=days)
    last_day = today + timedelta(days=days)
    picked: list[tuple[datetime, int, Unit]] = []
    for i, u in enumerate(units):
        st = states.get(u.key)
        if st is None or st.state == NEW or st.due is None or _hidden(st, today):
            continue
        if st.due <= limit if day_of is None else (st.due <= now or day_of(st.due) <= last_day):
            picked.append((st.due, i, u))
    picked.sort(key=lambda t: (t[0], t[1]))
    return [u for _d, _i, u in picked]


def select_forgotten(
    units: Sequence[Unit], states: Mapping[str, CardState], failed_today: Iterable[str], today: date
) -> list[Unit]:
    """The units of `failed_today` (keys rated Again today, oldest first), once each."""
    by_key = {u.key: u for u in units}
    out: dict[str, Unit] = {}
    for key in failed_today:
        unit = by_key.get(key)
        if unit is not None and key not in out and not _hidden(states.get(key), today):
            out[key] = unit
    return list(out.values())


def select_cram(
    units: Sequence[Unit], states: Mapping[str, CardState], deck_ids: Iterable[str], today: date
) -> list[Unit]:
    """Every unit of the decks (new ones too), in deck order; suspended/buried left out."""
    wanted = set(deck_ids)
    return [u for u in units if u.deck_id in wanted and not _hidden(states.get(u.key), today)]


class CustomQueue:
    """A fixed list of units shown once each; the interface `ReviewSession` uses of `StudyQueue`.

    Outside cram, a card rated into (re)learning comes back when its step is due
    (up to `learn_ahead` early when nothing else is left, never before its study day:
    `learn_until`), as in a normal session.
    In cram the state never changes: `again` puts a card back at the end.

    "Set aside" (`core.state.set_aside`: suspended, or buried until a later study day) is judged
    by the study day of the moment each call is given, not by `today` (the day the custom study
    began): one left open over the rollover sees a bury that ended there as over. A card of the
    queue still to be shown that is set aside meanwhile (buried in this session, or on another
    screen) waits in `_aside` and is back, last of the cards left, once its state no longer sets
    it aside (its bury over at the rollover, or taken back elsewhere), as a normal session's
    queue built anew would have it. A card done in this queue stays done: shown once.
    """

    def __init__(
        self,
        units: Sequence[Unit],
        states: Mapping[str, CardState],
        today: date,
        *,
        learn_ahead: timedelta = timedelta(minutes=20),
        cram: bool = False,
        studyday: StudyDay | None = None,
    ) -> None:
        self.today = today
        self.learn_ahead = learn_ahead
        self.studyday = studyday  # where learn-ahead stops (None: no study day, learn-ahead alone)
        self.cram = cram
        self._units = {u.key: u for u in units}
        self._pending: dict[str, None] = dict.fromkeys(self._units)
        self._new = {k for k in self._units if (st := states.get(k)) is None or st.state == NEW}
        # in (re)learning when the list was made: counted under Learning, as the home screen counts them
        self._learning = {
            k for k in self._units if (st := states.get(k)) is not None and st.state in (LEARNING, RELEARNING)
        }
        self._learn: dict[str, datetime] = {}
        self._aside: dict[str, CardState] = {}  # set aside meanwhile, by the state that did it
        self._last: str | None = None

    def _today_at(self, now: datetime) -> date:
        """The study day of `now` (without a study day rule: `today`, the day it began)."""
        return self.studyday.of(now) if self.studyday is not None else self.today

    def _hidden_at(self, state: CardState | None, now: datetime) -> bool:
        return _hidden(state, self._today_at(now))

    @property
    def size(self) -> int:
        return len(self._units)

    def __contains__(self, key: object) -> bool:
        """Whether `key` is (still) one of the units this queue was built over."""
        return key in self._units

    @property
    def deck_ids(self) -> list[str]:
        """The decks of the units this queue was built over (still there), in their first card's
        order: the decks normal study would serve next (`ReviewSession.serving`)."""
        return list(dict.fromkeys(u.deck_id for u in self._units.values()))

    def refresh_units(self, fresh: Mapping[str, Unit], held: AbstractCollection[str] | None = None) -> None:
        """As `StudyQueue.refresh_units`: new texts; a deleted card, or a deck gone and not `held`,
        leaves the queue."""
        for key in removed_keys(self._units, fresh, held):
            del self._units[key]
            self._pending.pop(key, None)
            self._new.discard(key)
            self._learning.discard(key)
            self._learn.pop(key, None)
            self._aside.pop(key, None)
        for key in self._units:
            unit = fresh.get(key)
            if unit is not None:
                self._units[key] = unit

    def next(self, now: datetime) -> Unit | None:
        self._return_due(now)
        key = self._learning_due(now, None)
        if key is None and self._pending:
            key = next(iter(self._pending))
        if key is None:
            key = self._learning_due(self.learn_until(now), self._last)
        return self._units[key] if key is not None else None

    def learn_until(self, now: datetime) -> datetime:
        """As `StudyQueue.learn_until`: `now + learn_ahead`, not past the end of `now`'s study day."""
        if self.studyday is None:
            return learn_ahead_until(now, self.learn_ahead, None)
        return self.studyday.learn_until(now, self.learn_ahead)

    def _learning_due(self, limit: datetime, avoid: str | None) -> str | None:
        due = sorted((d, k) for k, d in self._learn.items() if d <= limit)
        for _d, key in due:
            if key != avoid or len(due) == 1:
                return key
        return None

    def apply(self, key: str, new_state: CardState | None, now: datetime) -> None:
        """`key` was rated, suspended or buried (or that was undone): it leaves the list; a learning
        step brings it back (not while set aside on the study day of `now`: it waits in `_aside`);
        an undo puts it back with `put_back`."""
        if key not in self._units:
            return
        self._pending.pop(key, None)
        self._learn.pop(key, None)
        self._aside.pop(key, None)
        self._last = key
        if new_state is not None and self._hidden_at(new_state, now):
            self._aside[key] = new_state
        elif new_state is not None and new_state.due is not None and self._learns(new_state, now):
            self._learn[key] = new_state.due

    def _learns(self, state: CardState | None, now: datetime) -> bool:
        """Whether a card in `state` comes back in this queue when its step is due (not in cram,
        not suspended or buried on the study day of `now`)."""
        return (
            not self.cram
            and state is not None
            and state.due is not None
            and state.state in (LEARNING, RELEARNING)
            and not self._hidden_at(state, now)
        )

    def put_back(self, key: str, state: CardState | None, now: datetime) -> None:
        """An undo (at `now`) gave `key` the state `state` back: it is to be studied again in this
        queue, first of the cards left (a learning step waits for its time, a card set aside on
        the study day of `now` stays out, in `_aside`)."""
        if key not in self._units or self._hidden_at(state, now) or self._learns(state, now):
            return
        self._aside.pop(key, None)
        self._pending.pop(key, None)
        self._pending = {key: None, **self._pending}

    def restate(self, keys: Iterable[str], states: Mapping[str, CardState], now: datetime) -> None:
        """As `StudyQueue.restate`, by the study day of `now`: a card still to be shown that is
        suspended or buried on another screen meanwhile leaves the list (for `_aside`); one set
        aside before and not now (its bury taken back, or over) is back. A card done in this
        queue stays done: it is shown once."""
        for key in keys:
            if key not in self._units:
                continue
            state = states.get(key)
            if state is not None and self._hidden_at(state, now):
                waiting = key in self._pending or key in self._learn or key in self._aside
                self._pending.pop(key, None)
                self._learn.pop(key, None)
                if waiting:
                    self._aside[key] = state
            elif key in self._aside:
                del self._aside[key]
                self._return(key, state)

    def _return_due(self, now: datetime) -> None:
        """Each card of `_aside` no longer set aside on the study day of `now` is back (a bury
        over at the rollover)."""
        if not self._aside:
            return
        for key, state in list(self._aside.items()):
            if not self._hidden_at(state, now):
                del self._aside[key]
                self._return(key, state)

    def _return(self, key: str, state: CardState | None) -> None:
        """A card out while set aside is back: a learning step when its step is due (not in cram),
        any other last of the cards left."""
        if (
            not self.cram
            and state is not None
            and state.due is not None
            and state.state in (LEARNING, RELEARNING)
        ):
            self._learn[key] = state.due
        elif key not in self._pending:
            self._pending[key] = None

    def again(self, key: str) -> None:
        """Cram: a card rated Again is shown once more at the end."""
        if key in self._units:
            self._pending.pop(key, None)
            self._pending[key] = None

    def counts(self, now: datetime) -> Counts:
        self._return_due(now)
        new = sum(1 for k in self._pending if k in self._new)
        listed = sum(1 for k in self._pending if k in self._learning) if self._learning else 0
        limit = self.learn_until(now)
        learning = sum(1 for d in self._learn.values() if d <= limit)
        return Counts(new=new, learning=learning + listed, review=len(self._pending) - new - listed)

    def hidden_count(self) -> int:
        return 0

    def next_due_after(self, now: datetime) -> datetime | None:
        return min(self._learn.values(), default=None)
