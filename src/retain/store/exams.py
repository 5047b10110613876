"""Exam dates applied to a collection: plans per deck, the capped view the queue sees, home lines.

The config's `[exam.<deck or group>]` settings (`store.exam_config`) become one
`core.exam.ExamPlan` per deck: the exam moment is the start of the exam's study
day (rollover hour, local zone), the decay that of the deck's FSRS scheduler.
Stored states are never changed by a cap: the queue and the due counts see
`capped_states`, and a rating stores the capped preview (`preview_adjuster`),
so after the exam normal scheduling resumes with nothing lost.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING

from retain.core.due import limit_chain
from retain.core.exam import ExamPlan, cap_many, cap_previews, exam_rank, forecast, merge_forecasts
from retain.core.model import Unit, group_key, group_label
from retain.core.state import NEW, CardState
from retain.store.exam_config import exam_clashes, exam_decks, exam_for, exam_name_for, past_exams

if TYPE_CHECKING:
    from retain.core.queue import RankFn
    from retain.core.session import AdjustPreviews
    from retain.store.collection import Collection

__all__ = [
    "capped_states",
    "exam_lines",
    "exam_messages",
    "exam_plans",
    "exam_rank_fn",
    "live_adjuster",
    "preview_adjuster",
]


def exam_plans(collection: Collection, now: datetime, *, active_only: bool = True) -> dict[str, ExamPlan]:
    """deck id -> its exam plan (only exams still ahead, unless `active_only` is False)."""
    exams = collection.home.config.exams
    if not exams:
        return {}
    from retain.core.scheduler import Scheduler

    today = collection.today(now)
    plans: dict[str, ExamPlan] = {}
    groups = dict(exam_decks((d.id, d.group, d.name) for d in collection.library.decks))
    for deck in collection.library.decks:
        setting = exam_for(exams, deck.id, groups[deck.id], today)  # a passed entry yields to the group's
        if setting is None:
            continue
        decay = Scheduler(collection.settings_for(deck.id)).decay
        moment = _exam_moment(collection, setting.day)  # caps count study days, as the due rule does
        plan = ExamPlan(moment, setting.recall, decay, setting.day, collection.studyday)
        if plan.active(now) or not active_only:
            plans[deck.id] = plan
    return plans


def _exam_moment(collection: Collection, day: date) -> datetime:
    """The start of the exam's study day (UTC); the latest moment there is for a day whose start
    lies past year 9999 in UTC (`9999-12-31` west of UTC, late rollover): later than any review."""
    try:
        return collection.studyday.start_of(day)
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC)


def capped_states(
    states: Mapping[str, CardState], units: Sequence[Unit], plans: Mapping[str, ExamPlan], now: datetime
) -> Mapping[str, CardState]:
    """`states` with exam-deck reviews due when their recall would fall below the exam target."""
    if not plans:
        return states
    keys: dict[str, list[str]] = {}
    for unit in units:
        if unit.deck_id in plans:
            keys.setdefault(unit.deck_id, []).append(unit.key)
    changed: dict[str, CardState] = {}
    for deck_id, deck_keys in keys.items():
        changed.update(cap_many(states, deck_keys, plans[deck_id], now))
    return {**states, **changed} if changed else states


def live_adjuster(collection: Collection, plans: Mapping[str, ExamPlan]) -> AdjustPreviews:
    """`preview_adjuster` that follows the config: an exam saved (or removed) during a session
    caps (or stops capping) its next previews, as its rebuilt queue already does. `plans` are
    the session's start's; they are worked out again whenever the scheduling settings change."""
    token: list[object] = [collection.home.config.scheduling]
    current: list[AdjustPreviews | None] = [preview_adjuster(plans)]

    def adjust(unit: Unit, previews: dict[int, CardState], now: datetime) -> dict[int, CardState]:
        now_token = collection.home.config.scheduling
        if now_token is not token[0] and now_token != token[0]:
            token[0], current[0] = now_token, preview_adjuster(exam_plans(collection, now))
        fn = current[0]
        return previews if fn is None else fn(unit, previews, now)

    return adjust


def preview_adjuster(plans: Mapping[str, ExamPlan]) -> AdjustPreviews | None:
    """Caps the four previews of an exam deck's card (None when no exam is ahead)."""
    if not plans:
        return None

    def adjust(unit: Unit, previews: dict[int, CardState], now: datetime) -> dict[int, CardState]:
        plan = plans.get(unit.deck_id)
        return previews if plan is None else cap_previews(previews, plan, now)

    return adjust


def exam_rank_fn(plans: Mapping[str, ExamPlan]) -> RankFn | None:
    """Due reviews of exam decks ordered by predicted recall on the exam day (below target first)."""
    if not plans:
        return None

    def rank(key: str, state: CardState, now: datetime) -> float | None:
        plan = plans.get(key.partition("/")[0])
        return None if plan is None else exam_rank(state, plan)

    return rank


def exam_lines(collection: Collection, now: datetime) -> list[str]:
    """Home screen lines, one per exam (a deck or a group), up to and including its day:
    `Apache Kafka: exam in 14 days · predicted recall 0.87 → 0.90 if you keep up`."""
    plans = exam_plans(collection, now, active_only=False)
    if not plans:
        return []
    exams = collection.home.config.exams
    today = collection.today(now)
    owner: dict[str, str] = {}  # deck id -> the [exam.<name>] entry that applies to it
    titles: dict[str, str] = {}  # entry -> what the line calls it: the deck's or the group's name
    groups = dict(exam_decks((d.id, d.group, d.name) for d in collection.library.decks))
    for deck in collection.library.decks:
        if deck.id in plans:
            name = exam_name_for(exams, deck.id, groups[deck.id], today) or groups[deck.id]
            owner[deck.id] = name
            if name == deck.id:
                title = deck.name or deck.id
            elif group_key(name) == group_key(deck.group):
                title = group_label(deck.group)  # as the home screen lists the group
            else:  # an enclosing group (`[exam.Lang]` for `Lang::Spanish`): as the entry names it
                title = group_label(name) or name
            titles.setdefault(name, title)
    keys: dict[str, list[str]] = {}
    for unit in collection.units:
        if unit.deck_id in owner:
            keys.setdefault(unit.deck_id, []).append(unit.key)
    lines: list[str] = []
    states = collection.states
    new_today = collection.day_log(now).new_seen  # today's new cards are already taken
    per_day = _new_per_day(collection)
    for name in dict.fromkeys(owner.values()):
        # each deck with its own forgetting curve (its preset's decay) and its own new-card limit
        # (held to its part of its group's, under [groups] limits)
        parts = [
            forecast(
                (states.get(k) for k in keys.get(deck_id, [])),
                plans[deck_id],
                today,
                per_day[deck_id],
                new_today.get(deck_id, 0),
            )
            for deck_id, entry in owner.items()
            if entry == name
        ]
        lines.append(merge_forecasts(parts).line(titles[name]))
    return lines


def _new_per_day(collection: Collection) -> dict[str, int]:
    """Deck id -> the new cards a day an exam's forecast counts on: its own limit, held under
    `[groups]` limits to its part of each of its groups' (a group's limit spread evenly over
    its decks, those of the groups under it too, that have new cards, one more each to the
    first by id while the remainder lasts; the least part of its group and every enclosing
    group with a limit), so the forecast never counts on new cards no session serves."""
    out = {deck.id: collection.settings_for(deck.id).new_per_day for deck in collection.library.decks}
    chains = {
        deck: [g for g in limit_chain(limit) if g.new_per_day is not None]
        for deck, limit in collection.group_limits().items()
    }
    chains = {deck: chain for deck, chain in chains.items() if chain}
    if not chains:
        return out
    states = collection.states
    fresh: dict[str, dict[str, None]] = {}  # group key -> its decks with new cards
    for unit in collection.units:
        chain = chains.get(unit.deck_id)
        st = states.get(unit.key)
        if chain and (st is None or (st.state == NEW and not st.suspended)):
            for limit in chain:
                fresh.setdefault(limit.key, {})[unit.deck_id] = None
    for deck_id, chain in chains.items():
        for limit in chain:
            members = sorted(fresh.get(limit.key, {}))
            cap = limit.new_per_day or 0
            if deck_id not in members:
                out[deck_id] = min(out[deck_id], cap)
                continue
            part = cap // len(members) + (1 if members.index(deck_id) < cap % len(members) else 0)
            out[deck_id] = min(out[deck_id], part)
    return out


def exam_messages(collection: Collection, now: datetime) -> list[str]:
    """The loader's one-line notes: exams whose date has passed (and what their decks follow now),
    and groups whose decks follow one of two entries that match them only loosely."""
    decks = exam_decks((deck.id, deck.group, deck.name) for deck in collection.library.decks)
    exams, today = collection.home.config.exams, collection.today(now)
    return [*past_exams(exams, today, decks), *exam_clashes(exams, decks, today)]
