"""The card browser's data: every review unit, searchable and sortable, built once per library load.

`BrowseIndex` keeps the units and their lower-cased search text; the states
are read live from the collection, so a suspend or a review shows at once.
`search` and `sort` work on all units (50k in a few tens of milliseconds, see
benchmarks/bench_browser.py); `row` formats one unit for the table, and is only
called for the rows on screen.

The "recall" column is the card's current retrievability: the probability of
recalling it now, from the seconds since its last review and its stability,
with the forgetting curve of its deck's preset weights (`[presets.NAME]
parameters`; FSRS's defaults without them). It is defined for learning and
relearning cards too, and is not the preset's desired (target) retention.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import Any

from retain.core.due import held_notes, last_moment
from retain.core.model import Unit
from retain.core.scheduler import days_label, interval_label, retrievability
from retain.core.search import HeldNotes, ParametersFor, Query, asks_due, compile_query, haystack
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, buried_on
from retain.core.studyday import StudyDay
from retain.store.collection import Collection

__all__ = ["COLUMNS", "BrowseIndex", "BrowseRow", "front_text", "kind_label", "state_label"]

COLUMNS: tuple[str, ...] = ("deck", "front", "kind", "state", "due", "interval", "recall", "lapses")
FRONT_CHARS = 160
_STATE_NAMES = {LEARNING: "learning", REVIEW: "review", RELEARNING: "relearning"}
_STATE_RANK = {"new": 0, "learning": 1, "relearning": 2, "review": 3}


@dataclass(frozen=True, slots=True)
class BrowseRow:
    """One table row; text is raw deck text (the UI sanitises it)."""

    key: str
    deck: str
    front: str
    kind: str
    state: str
    flags: tuple[str, ...]  # "suspended", "buried", "leech"
    due: str
    interval: str
    lapses: int
    recall: str = ""  # current retrievability, "87%" ("" for a new card)

    @property
    def leech(self) -> bool:
        return "leech" in self.flags

    @property
    def suspended(self) -> bool:
        return "suspended" in self.flags


def state_label(state: CardState | None) -> str:
    if state is None or state.is_new:
        return "new"
    return _STATE_NAMES.get(state.state, "new")


def kind_label(unit: Unit) -> str:
    if unit.variant == "reverse":
        return "reversed ←"
    if unit.kind == "reversed":
        return "reversed →"
    return f"cloze {unit.variant}" if unit.kind == "cloze" else unit.kind


def front_text(unit: Unit) -> str:
    """The front as the browser lists it: a cloze's `[...]` without the escapes that keep
    Markdown from reading it as a link (`core.cloze`), as the study screen shows it."""
    if unit.kind == "cloze" and "\\[" in unit.front:
        return unit.front.replace("\\[", "[").replace("\\]", "]")
    return unit.front


def _one_line(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= FRONT_CHARS else flat[: FRONT_CHARS - 1] + "…"


# (now) -> the states `is:due` reads (an exam's caps applied) and the learn-ahead window
DueView = Callable[[datetime], tuple[Mapping[str, CardState], timedelta]]
# (now) -> the notes rated in its study day (`DayLog.notes_seen`): their review cards wait, for `is:due`
SeenNotes = Callable[[datetime], AbstractSet[str]]


class BrowseIndex:
    """Every unit of the library with its search text; states come live from `states`."""

    def __init__(
        self,
        units: Sequence[Unit],
        states: Mapping[str, CardState],
        tz: tzinfo,
        parameters_for: ParametersFor | None = None,
        groups: Mapping[str, str] | None = None,
        studyday: StudyDay | Callable[[], StudyDay] | None = None,
        names: Mapping[str, str] | None = None,
        due_view: DueView | None = None,
        seen: SeenNotes | None = None,
    ) -> None:
        self.units = list(units)
        self.states = states
        self.tz = tz
        # The study day a due moment belongs to (the rollover hour): a card due at 02:00 on the
        # 11th under the 4 am rollover is due on study day the 10th, as `retain due` counts it.
        self._studyday = studyday if studyday is not None else StudyDay(0, tz)
        self._parameters_for = parameters_for or (lambda _deck: None)
        self._groups = dict(groups or {})  # deck id -> group name, for `deck:"Group Name"`
        self._names = dict(names or {})  # deck id -> its name, for `deck:"Apache Kafka"`
        # `is:due` as a session counts it: (the states with an exam's caps, the learn-ahead window)
        self._due_view = due_view
        self._seen = seen  # `is:due` leaves out the review cards of notes rated today
        self._hay = {u.key: haystack(u) for u in self.units}

    @classmethod
    def from_collection(cls, col: Collection) -> BrowseIndex:
        """The collection's units and live states; weights read from its config on each call."""
        groups = {d.id: d.group for d in col.library.decks if d.group}
        return cls(
            col.units,
            col.states,
            col.tz,
            lambda deck: col.settings_for(deck).parameters,
            groups,
            lambda: col.studyday,  # read on each row: a new rollover hour applies at once
            {d.id: d.name for d in col.library.decks if d.name},
            lambda now: (
                col.capped_view([u.key for u in col.units], now),
                timedelta(minutes=col.home.config.learn_ahead_minutes),
            ),
            lambda now: col.day_log(now).notes_seen,
        )

    def _day(self) -> StudyDay:
        """The collection's study-day rule as it is now (a new rollover hour applies at once)."""
        return self._studyday if isinstance(self._studyday, StudyDay) else self._studyday()

    def _interval_text(self, last: datetime, due: datetime, kind: int) -> str:
        """A review's interval in study days, as its rating button said it (`Scheduler.label`: "8d"
        for a due 8 study days on, fewer than 8 x 24 hours across a spring-forward); a step's in
        hours and minutes."""
        days = (self.study_day_of(due) - self.study_day_of(last)).days
        return days_label(days) if kind == REVIEW and days > 0 else interval_label(last, due)

    def study_day_of(self, moment: datetime) -> date:
        """The study day `moment` belongs to, under the collection's rollover hour."""
        return self._day().of(moment)

    def parameters_for(self) -> ParametersFor:
        """The deck's preset weights, remembered per deck for one search or sort (50k lookups)."""
        memo: dict[str, Sequence[float] | None] = {}
        source = self._parameters_for

        def lookup(deck: str) -> Sequence[float] | None:
            if deck not in memo:
                memo[deck] = source(deck)
            return memo[deck]

        return lookup

    def recall(self, unit: Unit, now: datetime) -> float | None:
        """The unit's current retrievability with its preset's weights (None: new, never reviewed)."""
        state = self.states.get(unit.key)
        if state is None or state.is_new or state.last_review is None or state.stability is None:
            return None
        return retrievability(state, now, self._parameters_for(unit.deck_id))

    def __len__(self) -> int:
        return len(self.units)

    def search(self, query: str | Query, now: datetime, today: date) -> list[Unit]:
        """Units matching `query` in library order; raises `QueryError` for a bad query."""
        groups, names = self._groups, self._names
        states, ahead = self.states, timedelta(0)
        held: HeldNotes | None = None
        if isinstance(query, str) and asks_due(query):
            if self._due_view is not None:
                states, ahead = self._due_view(now)  # an exam's caps (a card due for the exam), learn-ahead
            # the notes whose review cards a session holds back today, as `retain due` counts them
            seen = self._seen(now) if self._seen is not None else frozenset()
            notes = held_notes(self.units, states, today, last_moment(self._day().span(now)), seen)
            held = lambda _at: notes  # noqa: E731
        compiled = (
            compile_query(
                query,
                self.parameters_for(),
                lambda d: groups.get(d, ""),
                self.study_day_of,
                name_of=lambda d: names.get(d, ""),
                learn_until=lambda at: self._day().learn_until(at, ahead),  # not past the study day
                held=held,
            )
            if isinstance(query, str)
            else query
        )
        if not compiled.groups:
            return list(self.units)
        # Same result as `compiled.matches` on each unit, but each AND group narrows a list
        # term by term (one comprehension per term): about 3x faster at 50k units.
        hay = self._hay
        found: set[str] = set()
        for group in compiled.groups:
            candidates = [u for u in self.units if u.key not in found] if found else self.units
            for negated, pred in group:
                candidates = [
                    u for u in candidates if negated != pred(u, states.get(u.key), now, today, hay[u.key])
                ]
            found.update(u.key for u in candidates)
        if len(compiled.groups) == 1:
            return list(candidates)
        return [u for u in self.units if u.key in found]

    def sort(
        self, units: Sequence[Unit], column: str, now: datetime, *, descending: bool = False
    ) -> list[Unit]:
        """Stable sort by a column of `COLUMNS` (ties keep library order; new cards last by due/interval)."""
        if column not in COLUMNS:
            raise ValueError(f"unknown column {column!r}")
        if column in ("due", "interval"):
            return self._sort_timed(units, column == "due", descending)
        if column == "recall":
            return self._sort_recall(units, now, descending)
        return sorted(units, key=self._sort_key(column), reverse=descending)

    def _sort_recall(self, units: Sequence[Unit], now: datetime, descending: bool) -> list[Unit]:
        """By current retrievability (each deck's weights); units never reviewed go last either way."""
        get, params = self.states.get, self.parameters_for()
        known: list[tuple[float, Unit]] = []
        never: list[Unit] = []
        for u in units:
            s = get(u.key)
            if s is None or s.is_new or s.last_review is None or s.stability is None:
                never.append(u)
            else:
                known.append((retrievability(s, now, params(u.deck_id)), u))
        known.sort(key=lambda pair: pair[0], reverse=descending)
        return [u for _r, u in known] + never

    def _sort_timed(self, units: Sequence[Unit], by_due: bool, descending: bool) -> list[Unit]:
        """By due date or interval; units never reviewed go last either way."""
        get = self.states.get
        timed: list[tuple[Any, Unit]] = []
        never: list[Unit] = []
        for u in units:
            s = get(u.key)
            if s is None or s.due is None or s.is_new or (not by_due and s.last_review is None):
                never.append(u)
            else:
                timed.append((s.due if by_due else s.due - s.last_review, u))  # type: ignore[operator]
        timed.sort(key=lambda pair: pair[0], reverse=descending)
        return [u for _k, u in timed] + never

    def _sort_key(self, column: str) -> Callable[[Unit], Any]:
        states = self.states
        if column == "deck":
            return lambda u: u.deck_id
        if column == "front":
            return lambda u: front_text(u).casefold()
        if column == "kind":
            return lambda u: (u.kind, u.variant)
        if column == "lapses":
            return lambda u: s.lapses if (s := states.get(u.key)) else 0
        return lambda u: (_STATE_RANK[state_label(s := states.get(u.key))], bool(s and s.suspended))

    def row(self, unit: Unit, now: datetime, today: date) -> BrowseRow:
        state = self.states.get(unit.key)
        flags: list[str] = []
        due = interval = recall = ""
        lapses = 0
        if state is not None:
            if state.suspended:
                flags.append("suspended")
            if buried_on(state.buried_until, today.isoformat()):
                flags.append("buried")
            if state.leech:
                flags.append("leech")
            lapses = state.lapses
            if not state.is_new and state.due is not None:
                due = self._due_text(state, now)
                if state.last_review is not None:
                    interval = self._interval_text(state.last_review, state.due, state.state)
            r = self.recall(unit, now)
            recall = "" if r is None else f"{100 * r:.0f}%"
        return BrowseRow(
            key=unit.key,
            deck=unit.deck_id,
            front=_one_line(front_text(unit)),
            kind=kind_label(unit),
            state=state_label(state),
            flags=tuple(flags),
            due=due,
            interval=interval,
            lapses=lapses,
            recall=recall,
        )

    def _due_text(self, state: CardState, now: datetime) -> str:
        assert state.due is not None
        local = state.due.astimezone(self.tz)
        if state.state in (LEARNING, RELEARNING) and abs(state.due - now) < timedelta(hours=20):
            return local.strftime("%H:%M")
        return self.study_day_of(state.due).isoformat()
