"""The optimizer's view of a collection: presets and their decks, training items, rescheduling.

- `presets_for`: which presets a deck id, a group or `--all` names, each with the
  decks that use it (a preset is fitted on all of its decks, as in Anki).
- `training_for`: the preset's FSRS items from the history index (see `core.fsrsfit`):
  cards deleted from the library and suspended cards are left out.
- `reschedule_plan` / `apply_reschedule`: every card's memory state recomputed by
  replaying its history through fsrs-rs with the new weights, review cards given
  the interval those weights ask for; recorded as ordinary journal events ("reset"
  events that carry the new state), after a backup of the state, so the change
  is undoable (`undo_reschedule`) and syncs like any other event.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from operator import itemgetter

import fsrs_rs_python as rs

from retain.core.fsrsfit import DEFAULT_WEIGHTS, HistoryRow, TrainingSet, guarded, training_set
from retain.core.settings import StudySettings
from retain.core.state import NEW, REVIEW, Event
from retain.store.collection import Collection
from retain.store.files import fsync_dir
from retain.store.state.statecodec import canonical_state

__all__ = [
    "Preset",
    "Reschedule",
    "apply_reschedule",
    "history_rows",
    "presets_for",
    "reschedule_plan",
    "training_for",
    "undo_reschedule",
]


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    settings: StudySettings
    decks: tuple[str, ...]


class SelectionError(ValueError):
    """The deck id or group names nothing; one line."""


def presets_for(col: Collection, target: str | None) -> list[Preset]:
    """The presets of the decks `target` names (a deck id or a group; None: every deck)."""
    config = col.home.config
    decks = [d for d in col.library.decks]
    if target is not None:
        chosen = [d for d in decks if d.id == target]
        if not chosen:
            chosen = [d for d in decks if d.group == target or d.group.startswith(f"{target}::")]
        if not chosen:
            raise SelectionError(f"no deck or group named {target!r} (see `retain due`)")
        names = {config.for_deck(d.id).preset for d in chosen}
    else:
        names = {config.for_deck(d.id).preset for d in decks} or {"default"}
    out: list[Preset] = []
    for name in sorted(names):
        members = tuple(d.id for d in decks if config.for_deck(d.id).preset == name)
        out.append(Preset(name, config.preset(name), members))
    return out


def history_rows(col: Collection, decks: Sequence[str], now: datetime) -> list[HistoryRow]:
    """The preset's counted reviews and resets, by unit key then time (sorted here: cheaper than SQL)."""
    rows = col.history_index.card_events(now, decks)
    rows.sort(key=itemgetter(0))  # by key is 4x cheaper than by (key, time); table order is mostly time order
    keys, times = list(map(itemgetter(0), rows)), list(map(itemgetter(1), rows))
    if any(t < pt and k == pk for k, pk, t, pt in zip(keys[1:], keys, times[1:], times, strict=False)):
        rows.sort(key=itemgetter(0, 1))  # imported or other devices' events out of time order
    return rows  # type: ignore[return-value]


def training_for(col: Collection, preset: Preset, now: datetime, since: date | None) -> TrainingSet:
    live = col.units_by_key
    states = col.states

    def keep(key: str) -> bool:
        state = states.get(key)
        return key in live and not (state is not None and state.suspended)

    rows = history_rows(col, preset.decks, now)
    return training_set(rows, keep, since.toordinal() if since is not None else None)


# -- rescheduling -----------------------------------------------------------------------


@dataclass(slots=True)
class Reschedule:
    events: list[Event]  # one per card whose state changes
    due_next_week_before: int
    due_next_week_after: int


def _card_reviews(rows: Sequence[HistoryRow]) -> list[tuple[int, int]] | None:
    """(day, rating) of the card's history since it was last new; None when it did not start from new."""
    out: list[tuple[int, int]] = []
    for _key, _time, review, rating, day, before_new, after_new in rows:
        if not review:
            if after_new:
                out = []
            continue
        if not 1 <= rating <= 4:
            continue
        if not out and not before_new:
            return None
        out.append((day, rating))
    return out or None


def reschedule_plan(col: Collection, preset: Preset, weights: Sequence[float], now: datetime) -> Reschedule:
    """New states for every reviewed card of the preset's decks (nothing is written)."""
    by_key: dict[str, list[HistoryRow]] = {}
    for row in history_rows(col, preset.decks, now):
        by_key.setdefault(row[0], []).append(row)
    keys: list[str] = []
    items: list[rs.FSRSItem] = []
    for key, rows in by_key.items():
        state = col.states.get(key)
        reviews = _card_reviews(rows)
        if state is None or state.state == NEW or state.last_review is None or not reviews:
            continue
        seq, prev = [], reviews[0][0]
        for day, rating in reviews:
            seq.append(rs.FSRSReview(rating, day - prev))
            prev = day
        keys.append(key)
        items.append(rs.FSRSItem(seq))
    model = rs.FSRS(list(weights or DEFAULT_WEIGHTS))
    memories = guarded("replay the history", lambda: model.memory_state_batch(items)) if items else []
    week = now + timedelta(days=7)
    settings = preset.settings
    events: list[Event] = []
    before_week = after_week = 0
    for key, memory in zip(keys, memories, strict=True):
        old = col.states[key]
        stability, difficulty = float(memory.stability), float(memory.difficulty)
        due = old.due
        if old.state == REVIEW and old.last_review is not None:
            days = model.next_interval(stability, settings.desired_retention, 3)
            days = max(1, min(round(days), settings.maximum_interval))
            due = old.last_review + timedelta(days=days)
        # Compared as the files give states back (6 significant digits): a state that was just
        # rescheduled, read back after a restart, must not count as changing again.
        new = canonical_state(replace(old, stability=stability, difficulty=difficulty, due=due))
        before_week += old.due is not None and old.due <= week
        after_week += due is not None and due <= week
        if new != canonical_state(old):
            events.append(Event(col.new_event_id(now), "reset", key, now, new, old))
    return Reschedule(events, before_week, after_week)


def backup_state(col: Collection, now: datetime) -> str:
    """Copy the snapshots and journals to `backups/reschedule-<time>/`; returns the folder name."""
    name = f"reschedule-{now:%Y%m%dT%H%M%S}"
    target = col.state_dir / "backups" / name
    tmp = target.with_name(f".{name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for sub in ("snapshots", "devices"):
        if (col.state_dir / sub).is_dir():
            shutil.copytree(col.state_dir / sub, tmp / sub)
    tmp.replace(target)
    fsync_dir(target.parent)
    return name


def apply_reschedule(col: Collection, plan: Reschedule, now: datetime) -> tuple[int, str]:
    """Back up, then record the plan's events with one fsync; returns (cards changed, backup name)."""
    name = backup_state(col, now)
    recorded = col.record_many(plan.events)
    col.compact(now)
    return len(recorded), name


def undo_reschedule(col: Collection, now: datetime) -> int:
    """Put back the states the newest reschedule replaced (as new "reset" events); returns how many."""
    newest = col.history_index.newest(now, "reset")
    if newest is None:
        return 0
    batch = [
        e
        for e in col.history_index.events(now, since=newest)
        if e.kind == "reset"
        and e.time == newest
        and e.after is not None
        and e.before is not None
        and _is_reschedule(e)
    ]
    undo = []
    for e in batch:
        current = col.states.get(e.key)
        assert e.after is not None
        if current is not None and (current.reps, current.last_review) == (e.after.reps, e.after.last_review):
            undo.append(Event(col.new_event_id(now), "reset", e.key, now, e.before, current))
    recorded = col.record_many(undo)
    col.compact(now)
    return len(recorded)


def _is_reschedule(e: Event) -> bool:
    a, b = e.after, e.before
    assert a is not None and b is not None
    return (a.state, a.reps, a.lapses, a.last_review) == (b.state, b.reps, b.lapses, b.last_review)
