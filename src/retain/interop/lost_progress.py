"""Which studied review units an import leaves out of its decks (`upgrade.mark_lost`), from the
learner's progress: the app's open store (the import dialog) or the store read for the purpose
(`retain import`, only when the import loses any unit at all)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from retain.core.state import CardState
from retain.interop.importer import ImportPlan
from retain.interop.upgrade import gone_keys, mark_lost
from retain.store.home import Home

__all__ = ["note_lost_progress", "note_lost_progress_from_store", "studied_counts"]


def studied_counts(states: Mapping[str, CardState], keys: Iterable[str]) -> dict[str, int]:
    """Unit key -> review count of the `keys` that have progress: a unit with no state, or new
    again (reset, or only suspended or buried before any review), has none to lose."""
    return {k: s.reps for k in keys if (s := states.get(k)) is not None and not s.is_new}


def note_lost_progress(plan: ImportPlan, states: Mapping[str, CardState]) -> None:
    """Mark, in the plan's diffs, the studied units it leaves out (its card moves carry theirs)."""
    if keys := gone_keys(plan.diffs):
        mark_lost(plan.diffs, studied_counts(states, keys), plan.moves)


def note_lost_progress_from_store(plan: ImportPlan, home: Home) -> None:
    """`note_lost_progress` with the progress read from `home`'s store, read-only (as `retain due`
    reads it: works while another retain writes), and only when the plan loses any unit. A store
    that cannot be read marks nothing: the import itself is no less right for it, and the open
    that records its history (or `retain check`) says what is wrong with the store."""
    keys = gone_keys(plan.diffs)
    if not keys or not home.paths.state_dir.is_dir():
        return
    from retain.store.collection import Collection, CollectionError  # (only when a unit is lost)

    now = datetime.now(UTC)
    try:
        col = Collection.open(home, now, read_only=True, cards=False)
    except CollectionError:
        return
    try:
        mark_lost(plan.diffs, studied_counts(col.states, keys), plan.moves)
    finally:
        col.close(now)
