"""Custom study sessions over a collection (`core.custom_study`): search, ahead, forgotten, cram."""

from __future__ import annotations

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
from retain.core.model import Unit

if TYPE_CHECKING:
    from retain.core.session import ReviewSession
    from retain.store.collection import Collection

__all__ = ["custom_units", "forgotten_today", "start_custom_session"]


def forgotten_today(collection: Collection, now: datetime) -> list[str]:
    """Keys rated Again (and not undone) in the current study day, oldest failure first."""
    rows = collection.history_index.reviews(now, *collection.studyday.span(now))
    return [r.key for r in rows if r.rating == 1]


def custom_units(collection: Collection, study: CustomStudy, now: datetime) -> list[Unit]:
    """The units a custom study shows, in order (QueryError / ValueError: bad query or days)."""
    units, states, today = collection.units, collection.states, collection.today(now)
    if study.deck_ids and study.mode != "cram":  # `retain review --query ... kafka`: those decks only
        wanted = set(study.deck_ids)
        units = [u for u in units if u.deck_id in wanted]
    if study.mode == "search":
        weights = {d: collection.settings_for(d).parameters for d in {u.deck_id for u in units}}
        groups = {d.id: d.group for d in collection.library.decks}
        return select_search(units, states, study.query, now, today, weights.get, lambda d: groups.get(d, ""))
    if study.mode == "ahead":
        return select_ahead(units, states, now, study.days, today)
    if study.mode == "forgotten":
        return select_forgotten(units, states, forgotten_today(collection, now), today)
    return select_cram(units, states, study.deck_ids, today)


def start_custom_session(collection: Collection, study: CustomStudy, now: datetime) -> ReviewSession:
    """A session over `custom_units`; cram records "cram" events, the others ordinary reviews."""
    from retain.core.scheduler import Scheduler
    from retain.core.session import ReviewSession
    from retain.store.exams import exam_plans, preview_adjuster

    units = custom_units(collection, study, now)
    ahead = timedelta(minutes=collection.home.config.learn_ahead_minutes)
    cram = study.mode == "cram"
    queue = CustomQueue(units, collection.states, collection.today(now), learn_ahead=ahead, cram=cram)
    return ReviewSession(
        queue,
        collection.states,
        lambda d: Scheduler(collection.settings_for(d)),
        collection,
        collection.units_by_key,
        now,
        mode=study.title(),
        adjust=None if cram else preview_adjuster(exam_plans(collection, now)),
    )
