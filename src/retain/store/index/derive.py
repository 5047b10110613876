"""What the index stores beside each record's own values: its study day, local hour and deck,
and the per (deck, day) sums of a batch, computed where the batch was decoded.

On a cold build the batches are decoded in worker processes (`parallel`), so this
work is done there too and the inserting process only writes rows. A `StudyDay`
whose zone cannot be sent to a worker (a zone read from a file) is applied here
instead (`portable`).
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import compress

from retain.core.studyday import StudyDay
from retain.store.index.daily import Tally, tally_columns
from retain.store.state.recordfast import IndexCols

__all__ = ["Derived", "derive", "portable"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SLOT_US = 900 * 1_000_000  # UTC offsets are whole quarter hours: a slot never spans two study days
_REVIEW = 0  # core.state.EVENT_KINDS.index("review")


@dataclass(slots=True)
class Derived:
    days: list[int]  # study day (date.toordinal) of each record
    hours: list[int]  # local hour of each record
    decks: list[str]
    sums: Tally  # the batch's ratings (kind review) per (deck, day), as if none were undone


def derive(cols: IndexCols, day: StudyDay) -> Derived:
    slots = [us // _SLOT_US for us in cols.t]
    day_of: dict[int, int] = {}
    hour_of: dict[int, int] = {}
    for slot in set(slots):  # a few per hour of history, not one per record
        moment = _EPOCH + timedelta(microseconds=slot * _SLOT_US)
        day_of[slot] = day.of(moment).toordinal()
        hour_of[slot] = moment.astimezone(day.tz).hour
    days = list(map(day_of.__getitem__, slots))
    hours = list(map(hour_of.__getitem__, slots))
    decks = [k.partition("/")[0] for k in cols.key]
    c = (decks, days, cols.bstate, cols.bivl, cols.rating, hours, cols.ms)
    if any(cols.kind):  # other kinds than reviews (flags, resets): only ratings are summed
        keep = [k == _REVIEW for k in cols.kind]
        c = tuple(list(compress(col, keep)) for col in c)  # type: ignore[assignment]
    return Derived(days, hours, decks, tally_columns(*c))


def portable(day: StudyDay) -> StudyDay | None:
    """`day` when it can be sent to a worker process (its zone pickles), else None."""
    try:
        pickle.dumps(day.tz)
    except Exception:
        return None
    return day
