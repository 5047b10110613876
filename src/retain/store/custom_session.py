"""Custom study sessions over a collection (`core.custom_study`): search, ahead, forgotten, cram."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from retain.core.custom_study import (
    CustomQueue,
    CustomStudy,
    select_ahead,
    select_cram,
    select_forgotten,
    select_search,
)
from retain.core.due import held_notes, last_moment
from retain.core.model import Unit
from retain.core.state import CardState

if TYPE_CHECKING:
    from retain.core.exam import ExamPlan
    from retain.core.session import ReviewSession
    from retain.store.collection import Collection

__all__ = ["custom_units", "forgotten_today", "start_custom_session"]


def forgotten_today(collection: Collection, now: datetime) -> list[str]:
    """Keys rated Again (and not undone) in the current study day, oldest failure first."""
    rows = collection.history_index.reviews(now, *collection.studyday.span(now))
    return [r.key for r in rows if r.rating == 1]


def custom_units(collection: Collection, study: CustomStudy, now: datetime) -> list[Unit]:
    """The units a custom study shows, in order (QueryError / ValueError: bad query or days).

    Outside cram the cards are chosen by the due dates the study queue and `retain due` see:
    an exam date's cap (`store.exams`) brings them forward. Cram reads the stored states.
    """
    from retain.store.exams import exam_plans

    return _select(collection, study, now, {} if study.mode == "cram" else exam_plans(collection, now))[0]


def _select(
    collection: Collection, study: CustomStudy, now: datetime, plans: Mapping[str, ExamPlan]
) -> tuple[list[Unit], Mapping[str, CardState]]:
    """(the units `custom_units` gives, the states they were chosen by: capped by `plans`)."""
    from retain.store.exams import capped_states

    units, today = collection.units, collection.today(now)
    if study.deck_ids and study.mode != "cram":  # `retain review --query ... kafka`: those decks only
        wanted = set(study.deck_ids)
        units = [u for u in units if u.deck_id in wanted]
    states = capped_states(collection.states, units, plans, now)  # the raw states without plans
    ahead = timedelta(minutes=collection.home.config.learn_ahead_minutes)
    if study.mode == "search":
        weights = {d: collection.settings_for(d).parameters for d in {u.deck_id for u in units}}
        groups = {d.id: d.group for d in collection.library.decks}
        names = {d.id: d.name for d in collection.library.decks}
        found = select_search(
            units,
            states,
            study.query,
            now,
            today,
            weights.get,
            lambda d: groups.get(d, ""),
            collection.studyday.of,
            lambda d: names.get(d, ""),
            learn_until=lambda at: collection.studyday.learn_until(at, ahead),  # `is:due` as a session serves
            held=lambda at: held_notes(  # (a sibling in a step due today, or rated today: not `is:due`)
                units,
                states,
                today,
                last_moment(collection.studyday.span(at)),
                collection.day_log(at).notes_seen,
            ),
        )
    elif study.mode == "ahead":
        found = select_ahead(units, states, now, study.days, today, collection.studyday.of)
    elif study.mode == "forgotten":
        found = select_forgotten(units, states, forgotten_today(collection, now), today)
    else:
        found = select_cram(units, states, study.deck_ids, today)
    return found, states


def start_custom_session(collection: Collection, study: CustomStudy, now: datetime) -> ReviewSession:
    """A session over `custom_units`; cram records "cram" events, the others ordinary reviews
    (an exam deck's previews capped, as in a normal session)."""
    from retain.core.scheduler import Scheduler
    from retain.core.session import ReviewSession
    from retain.store.exams import exam_plans, live_adjuster

    cram = study.mode == "cram"
    plans = {} if cram else exam_plans(collection, now)
    units, seen = _select(collection, study, now, plans)
    ahead = timedelta(minutes=collection.home.config.learn_ahead_minutes)
    queue = CustomQueue(
        units, seen, collection.today(now), learn_ahead=ahead, cram=cram, studyday=collection.studyday
    )
    return ReviewSession(
        queue,
        collection.states,
        lambda d: Scheduler(collection.settings_for(d), collection.studyday),
        collection,
        collection.units_by_key,
        now,
        mode=study.title(),
        adjust=None if cram else live_adjuster(collection, plans),
        settings_token=lambda: collection.home.config.scheduling,  # saved settings reach the next card
        view=None if cram else collection.capped_view,
        today_of=collection.today,
    )
