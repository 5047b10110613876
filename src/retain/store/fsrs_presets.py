"""The optimizer's view of a collection: presets and their decks, training items, rescheduling.

- `presets_for`: which presets a deck id, a group or `--all` names, each with the
  decks that use it (a preset is fitted on all of its decks, as in Anki).
- `training_for`: the preset's FSRS items from the history index (see `core.fsrsfit`):
  cards deleted from the library and suspended cards are left out.
- `own_weights`: the preset's decks that schedule with their own `parameters` ([decks.ID]),
  to which the preset's weights do not apply.
- `preset_table` / `toml_key`: a preset's table (a deck's key) as config.toml spells it, for
  the lines that name one: `[presets."a.b"]`, never `[presets.a.b]` (preset "b" inside "a").
- `reschedule_plan` / `apply_reschedule`: every card's memory state recomputed by
  replaying its history through fsrs-rs with the new weights, review cards given
  the due date their last review would have given them with those weights
  (`Scheduler.review_due`: fuzz and study days as a review; a card whose memory the
  replay leaves as it was has its last review made again by `Scheduler.preview` from the
  journal, every rule of a rating applied: `_made_again`); recorded as ordinary
  journal events ("reset" events that carry the new state), after a backup of the
  state, so the change is undoable (`undo_reschedule`) and syncs like any other event.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import NamedTuple, TypeVar

import fsrs_rs_python as rs

from retain.core.deckwrite import toml_key
from retain.core.due import deck_of
from retain.core.exam import cap_state, moved_by_cap
from retain.core.fsrsfit import (
    DEFAULT_WEIGHTS,
    HistoryRow,
    ReviewCache,
    TrainingSet,
    card_histories,
    delta_days,
    guarded,
    training_set,
)
from retain.core.model import decks_named, group_key, known_decks
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import NEW, REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.exams import exam_plans
from retain.store.files import copy_tree_regular, fsync_dir, remove_tree
from retain.store.oserror import os_error_text
from retain.store.state.device import IMPORT_PREFIX
from retain.store.state.statecodec import canonical_state

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)  # the history index keeps times in µs since the epoch
# fsrs-rs replays in float32 (about 7 digits; a long history drifts 1e-5 from py-fsrs's float64):
# a smaller difference is the same memory, not a change worth a journal event
_SAME = 1e-4
_MAX_CHAIN = 16  # undo/redo rounds looked back at (each reads the decks' history once)
_T = TypeVar("_T")

__all__ = [
    "BackupError",
    "Change",
    "Preset",
    "Reschedule",
    "apply_reschedule",
    "history_rows",
    "own_weights",
    "preset_table",
    "presets_for",
    "reschedule_events",
    "reschedule_plan",
    "streamed",
    "toml_key",
    "training_for",
    "undo_events",
    "undo_reschedule",
]


@dataclass(frozen=True, slots=True)
class Preset:
    name: str
    settings: StudySettings
    decks: tuple[str, ...]


def preset_table(name: str) -> str:
    """The header of preset `name`'s table: `[presets.default]`, `[presets."a.b"]`."""
    return f"[presets.{toml_key(name)}]"


class SelectionError(ValueError):
    """The deck id or group names nothing; one line."""


def presets_for(col: Collection, target: str | None) -> list[Preset]:
    """The presets of the decks `target` names (a deck id, a group, or a deck's name; None: every
    deck). An empty or blank `target` names none (SelectionError)."""
    config = col.home.config
    decks = [d for d in col.library.decks]
    if target is not None:
        if not group_key(target):  # (never the decks without a group: theirs is empty too)
            raise SelectionError(f"no deck or group named {target!r}; name a deck id or group")
        chosen = [d for d in decks if d.id == target]
        if not chosen:
            wanted = group_key(target)
            chosen = [
                d
                for d in decks
                if group_key(d.group) == wanted or group_key(d.group).startswith(f"{wanted}::")
            ]
        if not chosen:
            chosen = decks_named(decks, target)  # a deck's name, as `retain due` shows it
        if not chosen:
            raise SelectionError(f"no deck or group named {target!r}; decks: {known_decks(decks)}")
        names = {config.for_deck(d.id).preset for d in chosen}
    else:
        names = {config.for_deck(d.id).preset for d in decks} or {"default"}
    out: list[Preset] = []
    for name in sorted(names):
        members = tuple(d.id for d in decks if config.for_deck(d.id).preset == name)
        out.append(Preset(name, config.preset(name), members))
    return out


def history_rows(col: Collection, decks: Sequence[str], now: datetime) -> Iterator[HistoryRow]:
    """The preset's counted reviews and resets, by unit key then time, streamed from the index."""
    return col.history_index.card_events(now, decks, follow_moves=True)  # type: ignore[return-value]


@contextmanager
def streamed(rows: Iterator[_T]) -> Iterator[Iterator[_T]]:
    """`rows` (a stream from the history index), closed on the way out, also when a Ctrl-C or an
    error stops the reading half-way: left open, the stream was closed by the garbage collector
    after the collection, and its SQLite cursor printed "Exception ignored in: <generator ...>
    ProgrammingError: Cannot operate on a closed database" as the command exited."""
    try:
        yield rows
    finally:
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def training_for(col: Collection, preset: Preset, now: datetime, since: date | None) -> TrainingSet:
    live = col.units_by_key
    states = col.states

    def keep(key: str) -> bool:
        state = states.get(key)
        return key in live and not (state is not None and state.suspended)

    with streamed(history_rows(col, preset.decks, now)) as rows:
        return training_set(rows, keep, since.toordinal() if since is not None else None)


def own_weights(col: Collection, preset: Preset) -> dict[str, tuple[float, ...]]:
    """The preset's decks that set `parameters` of their own in [decks.ID] (unlike the preset's),
    with them: these decks schedule with those, and the preset's weights, old or new, do not
    apply to them."""
    config = col.home.config
    inherited = preset.settings.parameters
    own: dict[str, tuple[float, ...]] = {}
    for deck in preset.decks:
        weights = config.for_deck(deck).parameters
        if weights is not None and weights != inherited:
            own[deck] = weights
    return own


# -- rescheduling -----------------------------------------------------------------------


class Change(NamedTuple):
    """One card's new memory state (and due date), against the state the plan saw."""

    key: str
    old: CardState
    stability: float
    difficulty: float
    due: datetime | None


@dataclass(slots=True)
class Reschedule:
    changes: list[Change]  # one per card whose state changes (events are made when applied)
    due_next_week_before: int
    due_next_week_after: int

    @property
    def count(self) -> int:
        return len(self.changes)


def _sig6(value: float) -> float:
    """`value` as the state files keep it (6 significant digits, `statecodec.canonical_state`)."""
    return float(f"{value:.6g}")


class _Rules(NamedTuple):
    """What a deck's reviews schedule with: the weights, and the scheduler of its settings with
    them (desired retention, longest interval, fuzz, the collection's study days)."""

    weights: tuple[float, ...]
    scheduler: Scheduler


def _rules(col: Collection, settings: StudySettings, weights: tuple[float, ...]) -> _Rules:
    chosen = replace(settings, parameters=weights)
    return _Rules(weights, guarded("use the weights", lambda: Scheduler(chosen, col.studyday)))


def _deck_rules(col: Collection, preset: Preset, weights: Sequence[float]) -> dict[str, _Rules]:
    """Each deck's effective settings (`config.for_deck`, the ones its reviews use): its own
    retention, maximum interval and fuzz, and its own `parameters` when it sets them, else `weights`."""
    config = col.home.config
    own = own_weights(col, preset)  # the preset's new weights do not apply to these decks
    rules: dict[str, _Rules] = {}
    for deck in preset.decks:
        rules[deck] = _rules(col, config.for_deck(deck), tuple(own.get(deck) or weights or DEFAULT_WEIGHTS))
    return rules


class _Replayed(NamedTuple):
    """A card's memory state replayed with its deck's weights (after its last review), and the
    reviews it was replayed from (`_before_last`: the state before the last one)."""

    memory: rs.MemoryState
    reviews: list[rs.FSRSReview]


def _replay(
    col: Collection, preset: Preset, rules: dict[str, _Rules], fallback: _Rules, now: datetime
) -> dict[str, _Replayed]:
    """Each reviewed card's memory state, its history replayed with its deck's weights."""
    states = col.states
    cache = ReviewCache()
    get = cache.__getitem__
    by_weights: dict[tuple[float, ...], tuple[list[str], list[list[rs.FSRSReview]]]] = {}
    with streamed(history_rows(col, preset.decks, now)) as rows:
        for key, days, ratings in card_histories(rows):
            state = states.get(key)
            if state is None or state.state == NEW or state.last_review is None:
                continue
            keys, reviews = by_weights.setdefault(rules.get(deck_of(key), fallback).weights, ([], []))
            keys.append(key)
            reviews.append(list(map(get, zip(ratings, delta_days(days), strict=True))))
    memories: dict[str, _Replayed] = {}
    for weights, (keys, reviews) in by_weights.items():
        model = rs.FSRS(list(weights))
        items = [rs.FSRSItem(r) for r in reviews]
        found = guarded("replay the history", partial(model.memory_state_batch, items))
        memories.update(zip(keys, map(_Replayed, found, reviews), strict=True))
    return memories


def _before_last(
    keys: Sequence[str], memories: dict[str, _Replayed], rules: dict[str, _Rules], fallback: _Rules
) -> dict[str, rs.MemoryState | None]:
    """The memory state of each card of `keys` before its last review, with its deck's weights
    (None: that review was its first from new)."""
    by_weights: dict[tuple[float, ...], list[str]] = {}
    out: dict[str, rs.MemoryState | None] = {}
    for key in keys:
        if len(memories[key].reviews) > 1:
            by_weights.setdefault(rules.get(deck_of(key), fallback).weights, []).append(key)
        else:
            out[key] = None
    for weights, group in by_weights.items():
        model = rs.FSRS(list(weights))
        items = [rs.FSRSItem(memories[key].reviews[:-1]) for key in group]
        out.update(
            zip(group, guarded("replay the history", partial(model.memory_state_batch, items)), strict=True)
        )
    return out


def _last_reviews(col: Collection, keys: dict[str, datetime], now: datetime) -> dict[str, Event]:
    """The journal's review of each card of `keys` made at its time there (the card's last
    review): the state it was made from, its rating and time, for `_replayed_due`."""
    if not keys:
        return {}
    found: dict[str, Event] = {}
    for e in col.history_index.events_at(now, keys):
        if (
            e.kind == "review"
            and e.rating in (1, 2, 3, 4)
            and e.after is not None
            and keys.get(e.key) == e.time
            and e.after.last_review == e.time
        ):
            found[e.key] = e
    return found


def _replayed_due(scheduler: Scheduler, review: Event, earlier: rs.MemoryState | None) -> datetime | None:
    """The due date the card's last review (`review`, from the journal) gives it when made again
    with these weights: the live scheduler's own `Scheduler.preview` of the state it was made
    from, with the memory state these weights give that state, at the review's moment, with its
    rating. Every rule a review applies is applied as it was (the floor of a passing review, the
    day-apart rule, a learning step's order, the maximum interval, fuzz, study days), so with the
    weights the review used the state it stored comes back. None when it cannot be made again:
    the state before is not this history's (an imported state, no review from new before it),
    or the rating no longer leaves a review card (other learning steps): `review_due` then."""
    before = review.before
    if before is not None and before.state != NEW:
        if earlier is None:
            return None
        stability, difficulty = earlier.stability, earlier.difficulty
        if not (_usable(stability, 1e-9, 1e9) and _usable(difficulty, 0.0, 11.0)):
            return None
        if not (
            _same_value(before.stability, _sig6(stability))
            and _same_value(before.difficulty, _sig6(difficulty))
        ):
            before = replace(before, stability=stability, difficulty=difficulty)
    again = scheduler.preview(review.key, before, review.time)[review.rating]
    return again.due if again.state == REVIEW else None


def _plain_due(key: str, old: CardState, memory: rs.MemoryState, rule: _Rules) -> datetime | None:
    """A review card's due date from its new stability alone (`Scheduler.review_due`: FSRS's
    interval with these weights, fuzzed as its last review fuzzed it, on that study day); any
    other card keeps its own."""
    if old.state != REVIEW or old.last_review is None or not _usable(memory.stability, 1e-9, 1e9):
        return old.due
    return rule.scheduler.review_due(key, old.reps, old.last_review, memory.stability)


def _made_again(
    col: Collection,
    preset: Preset,
    memories: dict[str, _Replayed],
    plain: dict[str, datetime | None],
    rules: dict[str, _Rules],
    fallback: _Rules,
    now: datetime,
) -> dict[str, datetime | None]:
    """The due dates of the review cards whose memory state the replay leaves as it was but whose
    due date is not FSRS's interval for it (`_plain_due`): their last review applied a rule on top
    (the floor of a passing review, the day-apart rule, a learning step's order, ...). Each is
    made again through the live scheduler (`_replayed_due`), so weights the reviews used change
    nothing. A card whose review the journal does not hold (an imported state) keeps its due
    date when it may be FSRS's one moved by the day-apart rule (`Scheduler.moved_apart`)."""
    states = col.states
    kept: dict[str, datetime] = {}  # the cards to make again, with the time of their last review
    for key, replayed in memories.items():
        old, memory = states[key], replayed.memory
        if (
            old.state == REVIEW
            and old.due is not None
            and old.last_review is not None
            and plain[key] != old.due
            and old.stability is not None
            and math.isclose(old.stability, memory.stability, rel_tol=2 * _SAME)  # (cheap: most differ)
            and _same_value(old.stability, _sig6(memory.stability))
            and _same_value(old.difficulty, _sig6(memory.difficulty))
        ):
            kept[key] = old.last_review
    if not kept:
        return {}
    earlier = _before_last(list(kept), memories, rules, fallback)
    last = _last_reviews(col, kept, now)
    out: dict[str, datetime | None] = {}
    for key, reviewed in kept.items():
        old, scheduler, review = states[key], rules.get(deck_of(key), fallback).scheduler, last.get(key)
        again = _replayed_due(scheduler, review, earlier[key]) if review is not None else None
        if again is not None:
            out[key] = again
        elif (
            (due := plain[key]) is not None
            and old.due is not None
            and scheduler.moved_apart(reviewed, due, old.due)
        ):
            out[key] = old.due  # its review may have put it a day past a lower rating's interval
    return out


def reschedule_plan(
    col: Collection,
    preset: Preset,
    weights: Sequence[float],
    now: datetime,
    progress: Callable[[str, int, int], None] | None = None,
) -> Reschedule:
    """New states for every reviewed card of the preset's decks (nothing is written).

    Each card gets its deck's effective retention, maximum interval and fuzz (and the deck's
    own weights if it has them), as its reviews do: a review card is due when its last review
    would have made it due with these weights (`Scheduler.review_due`: the same fuzz, on the
    same study day; made again through `Scheduler.preview` when the memory state is the same
    but the due date is not that one, `_made_again`). Stability and difficulty are compared as
    the state files give them back, within fsrs-rs's float32 precision (`_SAME`), so a plan made
    right after rescheduling (or after a restart), or with the weights the reviews used, changes
    nothing. The cards due in
    the next 7 days, before and after, are counted by study day (`_week_end`).
    `progress(what, done, total)` is told of the three steps.
    """
    tell = progress or (lambda _what, _done, _total: None)
    tell("reading the history", 0, 3)
    rules = _deck_rules(col, preset, weights)
    fallback = _rules(col, preset.settings, tuple(weights or DEFAULT_WEIGHTS))
    tell("replaying the reviews", 1, 3)
    memories = _replay(col, preset, rules, fallback, now)
    tell("comparing the states", 2, 3)
    states = col.states
    exams = exam_plans(col, now, active_only=False)  # a due an exam's cap gave a review is kept
    # The week's figures are what the queue will show in the next 7 study days (`_week_end`, as
    # `retain stats` counts them): due dates with an exam's caps, after by
    # the new weights' decay (the stored dues of capped cards are past their caps)
    ahead = {d: p for d, p in exams.items() if p.active(now)}
    shown_after = {d: replace(p, decay=rules.get(d, fallback).scheduler.decay) for d, p in ahead.items()}
    week = _week_end(col, now)
    changes: list[Change] = []
    before_week = after_week = 0
    plain = {
        key: _plain_due(key, states[key], m.memory, rules.get(deck_of(key), fallback))
        for key, m in memories.items()
    }
    dues = _made_again(col, preset, memories, plain, rules, fallback, now)
    for key, replayed in memories.items():
        memory = replayed.memory
        old = states[key]
        if not (_usable(memory.stability, 1e-9, 1e9) and _usable(memory.difficulty, 0.0, 11.0)):
            continue  # never written: fsrs gave no state to keep (a guard; valid weights give one)
        stability, difficulty = _sig6(memory.stability), _sig6(memory.difficulty)
        due = dues.get(key, plain[key])
        if (
            old.state == REVIEW
            and old.due is not None
            and due is not None
            and due != old.due
            and _same_value(old.stability, stability)
            and _same_value(old.difficulty, difficulty)
            and (exam := exams.get(deck_of(key))) is not None
            and moved_by_cap(old, due, exam)
        ):  # an exam's cap brought it forward when it was rated (the day-apart rule under it too): kept
            due = old.due
        deck = deck_of(key)
        shown = old if (plan := ahead.get(deck)) is None else cap_state(old, plan, now)
        counted = not old.suspended  # (as the stats forecast: a suspended card is never served)
        before_week += counted and shown.due is not None and shown.due < week
        new = replace(old, stability=stability, difficulty=difficulty, due=due)
        shown = new if (plan := shown_after.get(deck)) is None else cap_state(new, plan, now)
        after_week += counted and shown.due is not None and shown.due < week
        if (
            due == old.due
            and _same_value(old.stability, stability)
            and _same_value(old.difficulty, difficulty)
        ):
            continue
        changes.append(Change(key, old, stability, difficulty, due))
    tell("compared", 3, 3)
    return Reschedule(changes, before_week, after_week)


def _week_end(col: Collection, now: datetime) -> datetime:
    """The end of "the next 7 days" as `retain stats`' forecast counts them (`StatsSource.cards`):
    the start of the study day a week after today's, so the backlog and the next six study days,
    the same figure at any hour of the study day (not `now` + 168 hours)."""
    day = col.studyday
    try:
        return day.start_of(day.today(now) + timedelta(days=7))
    except OverflowError:  # a study day at the calendar's end: the hours alone
        return now + timedelta(days=7)


def _usable(value: float, low: float, high: float) -> bool:
    return math.isfinite(value) and low <= value <= high


def _same_value(old: float | None, new: float) -> bool:
    """`new` (replayed by fsrs-rs in float32) is `old` (the state's, computed in float64)."""
    return old is not None and math.isclose(_sig6(old), new, rel_tol=_SAME)


def backup_state(col: Collection, now: datetime, skipped: list[str] | None = None) -> str:
    """Copy the snapshots and journals to `backups/reschedule-<time>/`; returns the folder name.

    Only regular files are copied: a FIFO, a socket, a device, a link loop (a stray file in
    `devices/`) is left out and never read, and one line naming them goes to `skipped`; such a
    file never fails the backup (it failed every reschedule) nor blocks it."""
    name = f"reschedule-{now:%Y%m%dT%H%M%S}"
    target = col.state_dir / "backups" / name
    n = 1
    while os.path.lexists(target):  # two reschedules within one second (ctrl+r twice) keep both backups
        n += 1
        name = f"reschedule-{now:%Y%m%dT%H%M%S}-{n}"
        target = target.with_name(name)
    tmp = target.with_name(f".{name}.tmp")
    remove_tree(tmp)
    left: list[str] = []
    try:
        tmp.mkdir(parents=True)
        for sub in ("snapshots", "devices"):
            if (col.state_dir / sub).is_dir():
                left += copy_tree_regular(col.state_dir / sub, tmp / sub)
        tmp.replace(target)
    except BaseException as exc:  # a full disk, a Ctrl-C: no half-copied backup is left behind
        remove_tree(tmp)
        if isinstance(exc, OSError):
            raise BackupError(f"cannot back up the state to backups/{name}: {_why(exc)}") from None
        raise
    fsync_dir(target.parent)
    if left and skipped is not None:
        more = f" and {len(left) - 10} more" if len(left) > 10 else ""
        skipped.append(
            f"backups/{name} leaves out {len(left)} file(s) that are not regular files or could not "
            f"be read: {', '.join(left[:10])}{more}"
        )
    return name


class BackupError(OSError):
    """The state could not be backed up before rescheduling (nothing was changed); one line."""


def _why(exc: OSError) -> str:
    """The reason of a failed copy in a few words ("No space left on device"), not the repr of
    `shutil.Error`'s list of (source, target, message) for every file that failed."""
    if isinstance(exc, shutil.Error) and exc.args and isinstance(exc.args[0], list) and exc.args[0]:
        first = exc.args[0][0]
        text = str(first[-1]) if isinstance(first, tuple) and first else str(first)
        found = re.match(r"\[Errno \d+\] ([^:]+)", text)
        return found.group(1) if found else text[:120]
    return os_error_text(exc, name=False)[:120]


def reschedule_events(col: Collection, plan: Reschedule, now: datetime) -> list[Event]:
    """The plan as "reset" events; a card whose state changed since the plan (a review meanwhile)
    is left out, so a stale replay never overwrites it."""
    states = col.states
    events: list[Event] = []
    for key, old, stability, difficulty, due in plan.changes:
        if states.get(key) != old:
            continue
        new = replace(old, stability=stability, difficulty=difficulty, due=due)
        events.append(Event(col.new_event_id(now), "reset", key, now, new, old))
    return events


def apply_reschedule(
    col: Collection, plan: Reschedule, now: datetime, skipped: list[str] | None = None
) -> tuple[int, str]:
    """Back up, then record the plan's events with one fsync; returns (cards changed, backup name).
    A line naming the files the backup left out (`backup_state`) goes to `skipped`.

    All or nothing: when the batch fails (a full disk) or is stopped (Ctrl-C, SIGTERM, SIGHUP)
    before every card holds its new state, it is taken back from the journal and the states
    (`_recorded_whole`), the backup removed, and the error raised. A stop after that (in the
    compaction) leaves the whole reschedule and its backup."""
    events = reschedule_events(col, plan, now)
    name = backup_state(col, now, skipped)
    try:
        recorded = _recorded_whole(col, events)
    except BaseException:
        # nothing was recorded: a backup of a reschedule that never happened is of no use,
        # and would fill a full disk further
        remove_tree(col.state_dir / "backups" / name)
        raise
    col.compact(now)
    return len(recorded), name


def _recorded_whole(col: Collection, events: Sequence[Event]) -> list[Event]:
    """`events` recorded as one batch, or, when anything stops it (a full disk, an interrupt
    while the cards take their new states one by one), none of them, on disk or in memory.

    The journal holds a batch before the states in memory do: an interrupt in between left
    part of the cards with their old states, and the snapshots the close then wrote said every
    event was applied, so the rest were never replayed (another device replaying the journals
    disagreed for ever). Taken back, the close writes snapshots of the states as they were."""
    if not events:  # (no checkpoint: nothing to take back, and no journal needed for it)
        return []
    with col.recording_all_or_nothing():
        return col.record_many(events)


def undo_events(col: Collection, now: datetime) -> list[Event]:
    """The events that would put back the states the newest reschedule replaced (nothing is
    recorded): one per card of that reschedule not reviewed since.

    Only what the reschedule changed comes back (stability, difficulty, due), on top of the
    card's current state: a suspend, bury or leech mark made since (or taken off since) stays.
    """
    undo = []
    for e in _newest_reschedule(col, now):
        current = col.states.get(e.key)
        assert e.after is not None and e.before is not None
        if current is not None and (current.reps, current.last_review) == (e.after.reps, e.after.last_review):
            back = _scheduling(current, e.before)
            undo.append(Event(col.new_event_id(now), "reset", e.key, now, back, current))
    return undo


def _scheduling(current: CardState, source: CardState) -> CardState:
    """`current` with the fields a reschedule changes (stability, difficulty, due) of `source`."""
    return replace(current, stability=source.stability, difficulty=source.difficulty, due=source.due)


def undo_reschedule(col: Collection, now: datetime) -> int:
    """Put back the states the newest reschedule replaced (as new "reset" events); returns how many.
    All or nothing, as `apply_reschedule`: a stopped undo puts back no card."""
    recorded = _recorded_whole(col, undo_events(col, now))
    col.compact(now)
    return len(recorded)


def _newest_reschedule(col: Collection, now: datetime) -> list[Event]:
    """The newest batch of reschedule events, [] when there is none or it is an undo.

    An undo is recorded as "reset" events too (the journal format has no mark for it), and they
    look like a reschedule: same reps, lapses and last review. What tells them apart is the chain
    of batches that each put back, card for card, the `before` states of the reset batch just
    before it: the oldest batch of such a chain is a reschedule, and the batches after it are
    undo, redo (the same weights again), undo... So the newest batch is an undo when the chain
    behind it is odd, and then there is nothing left to undo: a second undo is never a redo.
    """
    newest = col.history_index.newest(now, "reset", imported=False)  # (an import's are Anki's)
    if newest is None:
        return []
    batch = _reschedule_batch(col, now, newest)
    links, current = 0, batch
    while links < _MAX_CHAIN:
        previous = _previous_reset_time(col, now, current, newest)
        earlier = _reschedule_batch(col, now, previous) if previous is not None else []
        if not _puts_back(current, earlier):
            break
        assert previous is not None
        links, current, newest = links + 1, earlier, previous
    return [] if links % 2 else batch


def _reschedule_batch(col: Collection, now: datetime, at: datetime) -> list[Event]:
    """The reschedule events recorded at `at` (one batch shares its time)."""
    return [
        e
        for e in col.history_index.events(now, since=at)
        if e.kind == "reset"
        and e.time == at
        and not e.id.startswith(IMPORT_PREFIX)  # an imported "Set due date" is Anki's, not ours
        and e.after is not None
        and e.before is not None
        and _is_reschedule(e)
    ]


def _previous_reset_time(
    col: Collection, now: datetime, batch: list[Event], newest: datetime
) -> datetime | None:
    """The time of the newest reset of the batch's cards before `newest` (None: there is none)."""
    keys = {e.key for e in batch}
    if not keys:
        return None
    limit = (newest - _EPOCH) // _US
    with streamed(col.history_index.card_events(now, sorted({deck_of(k) for k in keys}))) as rows:
        times = [row[1] for row in rows if not row[2] and row[0] in keys and row[1] < limit]
    return _EPOCH + timedelta(microseconds=max(times)) if times else None


def _puts_back(batch: list[Event], earlier: list[Event]) -> bool:
    """Every event of `batch` restores the state an event of `earlier` replaced (flags aside: an
    undo keeps the suspend, bury and leech marks a card was given in between)."""
    replaced = {e.key: e.before for e in earlier if e.before is not None}
    return bool(batch) and all(
        e.after is not None and e.key in replaced and _same(e.after, _flags_of(e.after, replaced[e.key]))
        for e in batch
    )


def _flags_of(flags: CardState, state: CardState) -> CardState:
    """`state` with the suspended, buried_until and leech marks of `flags`."""
    return replace(state, suspended=flags.suspended, buried_until=flags.buried_until, leech=flags.leech)


def _same(a: CardState, b: CardState) -> bool:
    """Equal as the state files keep them (6 significant digits)."""
    return canonical_state(a) == canonical_state(b)


def _is_reschedule(e: Event) -> bool:
    a, b = e.after, e.before
    assert a is not None and b is not None
    return (a.state, a.reps, a.lapses, a.last_review) == (b.state, b.reps, b.lapses, b.last_review)
