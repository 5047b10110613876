"""What an import would write, without writing it (`retain import --dry-run`).

A dry run prints the lines a real run prints about what it writes besides the
deck files, in the conditional: the media files it would store
(`apply_import`: files already in the deck's media folder are kept), and with
`--with-history` the review history it would record (`progress_io`: cards
whose progress was made here keep it, and events the journal already holds
are not recorded again). The progress is opened read-only, so a dry run works
while another retain is writing; the store may still refuse a few events that
it reads as out of range when they are recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from retain.core.state import Event, StateError
from retain.interop.bundle import ChunkedReviews, Review
from retain.interop.errors import InteropError
from retain.interop.importer import ImportPlan
from retain.interop.media import media_dir, media_stored
from retain.interop.progress_io import HistoryImport, history_to_record, import_groups
from retain.store.collection import Collection, CollectionError
from retain.store.home import Home
from retain.store.index.ingest import micros
from retain.store.state.writer import Seen

__all__ = ["history_line", "media_to_store", "would_record"]


def media_to_store(plan: ImportPlan) -> int:
    """How many media files `apply_import` would write: those the decks show that are not there yet."""
    count = 0
    for planned in plan.decks:
        folder = media_dir(planned.target.parent, planned.deck.id)
        count += sum(1 for n in plan.media_names(planned) if not media_stored(folder, n))
    return count


def would_record(
    home: Home, reviews: Sequence[Review], now: datetime, earlier: set[tuple[str, int]] | None = None
) -> HistoryImport:
    """What `progress_io.record_history` would record of `reviews` (recorded, kept, ahead, ...).
    `earlier`: the events (unit key, time in µs) a folder's earlier files would have recorded,
    which this one then finds held; its own are added."""
    earlier = set() if earlier is None else earlier
    if not reviews:
        return HistoryImport(0, 0)
    try:
        coll = Collection.open(home, now, read_only=True, cards=False, history=True)
    except CollectionError as exc:
        raise InteropError(f"progress store: {exc}") from None
    recorded = kept = ahead = refused = 0
    furthest = now
    latest: dict[str, int] = {}  # per card, the newest event the earlier files would have recorded
    for key, at in earlier:
        latest[key] = max(latest.get(key, at), at)
    try:
        held, groups = import_groups(coll, reviews, now)  # (as the real run groups them)
        for chunk in groups:
            fresh, kept_here = history_to_record(coll, chunk, now, held)
            fresh = [r for r in fresh if (r.key, micros(r.time)) not in earlier]
            kept += kept_here + _kept_from_earlier(coll, chunk, fresh, latest)
            seen: Seen = {}  # (as `_record_history`: a group's states checked once)
            times = [t for r in fresh if (t := _recordable(coll, r, seen)) is not None]
            earlier.update((r.key, micros(r.time)) for r in fresh)
            refused += len(fresh) - len(times)  # what the store would refuse (a date centuries ahead)
            recorded += len(times)
            later = [t for t in times if t > now]
            ahead += len(later)
            furthest = max([furthest, *later])
        if isinstance(reviews, ChunkedReviews):
            refused += reviews.late_left_out()  # (rows whose events could not be made)
    finally:
        coll.close(now)
    return HistoryImport(recorded, kept, ahead, furthest - now, refused)


def _kept_from_earlier(
    coll: Collection, chunk: Sequence[Review], fresh: Sequence[Review], latest: dict[str, int]
) -> int:
    """How many cards with no progress here the earlier files of a folder would have given
    progress that this file's history does not pass (`history_to_record`'s "kept", for them)."""
    newest: dict[str, int] = {}
    for r in fresh:
        if r.kind != "cram":  # (a cram rating is history only)
            newest[r.key] = max(newest.get(r.key, 0), micros(r.time))
    cards = {r.key for r in chunk if r.key in latest and r.key not in coll.states}
    return sum(1 for key in cards if newest.get(key, -1) < latest[key])


def _recordable(coll: Collection, review: Review, seen: Seen) -> datetime | None:
    """The time `review` would be recorded at; None when the store would refuse it."""
    event = Event("", review.kind, review.key, review.time, review.after, review.before, review.rating,
                  review.duration_ms)  # fmt: skip
    try:
        return coll.writer.checked(event, seen).time
    except StateError:
        return None


def history_line(history: HistoryImport) -> str:
    """The dry run's line for `would_record`, worded like the real run's."""
    kept = f"; {history.kept} card(s) already have progress here and would keep it" if history.kept else ""
    return f"would record {history.recorded} event(s) of review history{history.note()}{kept}"
