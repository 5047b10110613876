"""The review history, read through the index: one API for everything that looks back in time.

Every reader orders events by their own time, then device id, then where the
record is written in that device's journal (file name, then offset): imported
history, other devices' journals and a clock moved back give the same day log,
limits, Today counter, streak and statistics as events written in order, and
events at one instant (a frozen clock) keep the order they were written in,
whatever order the index received them in (another process's feed) and whatever
their ids say as text ("-10" sorts before "-9"). Undo takes back this device's
last written event (`History.last_undoable_action`): with the clock moved back,
the same target as with the events written in order.

`History.refresh` feeds the index from the journals (only what was appended
since); every query calls it first, so a result is never behind the files.
"""

from __future__ import annotations

import contextlib
import functools
import sqlite3
import threading
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

from retain.core.due import DayLog, deck_of
from retain.core.state import EVENT_KINDS, NEW, REVIEW, CardState, Event
from retain.core.stats import StepRule
from retain.core.studyday import StudyDay
from retain.store.index.appended import Spans, add
from retain.store.index.daily import COLUMNS, Tally
from retain.store.index.db import (
    INDEX_NAME,
    REBUILT_DAMAGED,
    TEMPORARY,
    connect,
    damaged,
    remove,
    reset,
    unusable,
    unwritable,
)
from retain.store.index.ingest import (
    KIND,
    IngestReport,
    Prefetch,
    ProgressFn,
    damaged_line,
    ingest,
    micros,
    prefetch,
    read_event_at,
)

if TYPE_CHECKING:
    from retain.core.statsfigures import DayRow
    from retain.store.index.moves import Moves
    from retain.store.state.writer import Recorded

__all__ = ["DeckActivity", "History", "ReviewRow", "open_history"]

_REVIEW = KIND["review"]
# What `last_undoable` offers to take back; a "reset" only when it is a forget (`forget_sql`), not
# a move's records or a reschedule's (they carry a state: their own undo is elsewhere).
UNDOABLE_KINDS = ("review", "suspend", "unsuspend", "bury", "unbury", "cram", "reset")


def forget_sql(row: str) -> str:
    """SQL true when the `events` row `row` is a forget (the browser's reset, Anki's Forget): a
    "reset" back to new that is no half of a move, whose other half, at the same time in the
    same file, carries a state to another key (`moves`)."""
    return (
        f"({row}.kind = {KIND['reset']} AND {row}.astate IS NULL AND NOT EXISTS (SELECT 1 FROM events p"
        f" WHERE p.t = {row}.t AND p.file = {row}.file AND p.kind = {row}.kind AND p.astate IS NOT NULL"
        f" AND p.key != {row}.key))"
    )


# The rows of `UNDOABLE_KINDS` undo takes back (as `e`): the kinds, a reset only as a forget.
_UNDOABLE_SQL = "(e.kind IN ({}) OR {})".format(
    ", ".join(str(KIND[k]) for k in UNDOABLE_KINDS if k != "reset"), forget_sql("e")
)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Oldest first: by time, then device, then where it is written (the journal file's name, the offset).
_FROM = "FROM events e JOIN files f ON f.id = e.file"
_BIVL = "(e.bdue - e.blast) / 86400000000.0"  # the interval before, in days (`ReviewRow.before_interval`)
_ORDER = "ORDER BY e.t, e.device, f.name, e.off"
# One device's events, last written first (what undo looks through): its writer appends, and never
# to a file older than its newest (`JournalWriter.target`), whatever the clock says.
_LAST_WRITTEN = "ORDER BY f.name DESC, e.off DESC"
_PASSED = (COLUMNS.index("young_pass"), COLUMNS.index("mature_pass"))
_FAILED = (COLUMNS.index("young_fail"), COLUMNS.index("mature_fail"))
_MAX_MOVES = 64  # moves followed back from one card (a card moved back and forth: each once)


class ReviewRow(NamedTuple):
    """One counted rating (not undone), as the index keeps it."""

    time: datetime
    device: str
    eid: str
    key: str
    deck: str
    rating: int
    duration_ms: int
    before_state: int | None  # None: the unit was new (no state recorded before)
    before_interval: float | None  # days
    after_state: int | None
    after_stability: float | None
    kind: str = "review"  # `card_reviews` also gives "cram" ratings and "reset" (forgotten) rows


@dataclass(slots=True)
class DeckActivity:
    """Per deck (and "" for all): study days with a counted rating, today's ratings, true retention."""

    days: set[date]
    today: int = 0
    passed: int = 0
    judged: int = 0


_F = TypeVar("_F", bound=Callable[..., Any])


def _locked(method: _F) -> _F:
    """One thread at a time per History (the TUI asks from a worker and from the UI thread).

    The outermost call answers a damaged index file (`db.damaged`: met by this query, past the
    checks made on opening) by replacing it and asking once more."""

    @functools.wraps(method)
    def wrapper(self: History, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            if self._depth:
                return method(self, *args, **kwargs)
            self._depth += 1
            try:
                try:
                    return method(self, *args, **kwargs)
                except Exception as exc:
                    if not self._replace_damaged(exc):
                        raise
                return method(self, *args, **kwargs)
            finally:
                self._depth -= 1

    return wrapper  # type: ignore[return-value]


def _time(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _until(until: datetime | None) -> int:
    """`until` in µs, for `e.t <= ?` (None: every time a journal may hold)."""
    return micros(until) if until is not None else 2**63 - 1


class _LeftOut(NamedTuple):
    """A feed's line about one journal's damaged records (and whatever else it said of the file)."""

    label: str  # `<device>/<name>`
    offsets: tuple[int, ...]  # where the records left out start
    rest: str  # the file's other line ("" when none)


class History:
    """Read-only access to every device's review history (thread-safe: calls take turns).

    `said` gives the lines its owner has said already (the state load's): a damaged record one of
    them set aside is the same bytes the index leaves out, and is not said twice.
    """

    def __init__(
        self,
        state_dir: Path,
        cache_dir: Path | None,
        day: StudyDay,
        *,
        progress: ProgressFn | None = None,
        said: Callable[[], Iterable[str]] | None = None,
        steps: StepRule | None = None,
    ) -> None:
        self.state_dir = state_dir
        self.day = day
        self.steps = steps  # the decks' steps: the days of a (re)learning step depend on them
        self.cache_dir = cache_dir
        self._lines: list[str | _LeftOut] = []
        self._said = said
        self._progress = progress
        self._lock = threading.RLock()
        self._db, fresh, message = connect(cache_dir)
        if message:
            self._lines.append(message)
        self._fresh = fresh
        self._prefetched: Prefetch | None = None
        self._appended: Spans = {}  # records this process wrote since the last feed
        self._told: set[str] = set()  # journal files a message was said about (once per run)
        self._moved: tuple[tuple[int, int], Moves, Tally] | None = None  # as of which changes
        self._repeated: tuple[tuple[int, int], dict[tuple[str, int], int]] | None = None  # (the same)
        self._depth = 0  # `_locked` calls under way in this thread (the outermost one recovers)
        self._replaced = False  # a damaged file was replaced (once per History: then errors raise)

    def _replace_damaged(self, exc: Exception) -> bool:
        """After `exc` from a query: when it can come from a damaged file, start a new one (read
        again from the journals by the next feed), say so once, and return True."""
        if self.cache_dir is None or self._replaced or not damaged(exc):
            return False
        self._replaced = True
        if self._prefetched is not None:
            self._prefetched.reader.close()
            self._prefetched = None
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        remove(self.cache_dir / INDEX_NAME)  # (another process still reading it keeps its copy)
        self._db, _fresh, message = connect(self.cache_dir)
        if message.endswith(TEMPORARY):  # (the new file cannot be made: kept in memory)
            self.cache_dir = None
        else:
            message = REBUILT_DAMAGED
        if message not in self._lines:
            self._lines.append(message)
        self._fresh = True
        self._appended = {}
        self._moved = None
        self._repeated = None
        return True

    # -- feeding ----------------------------------------------------------------------

    @_locked
    def prefetch(self, now: datetime) -> None:
        """On a fresh (cold) index, start decoding the journals in worker processes now, so the
        work overlaps whatever the caller does before its first query (reading the decks)."""
        if self._fresh and self._prefetched is None:
            self._prefetched = prefetch(self._db, self.state_dir, now, self.day, self._progress)

    @_locked
    def recorded(self, recorded: Recorded) -> None:
        """Keep a batch this process just recorded, for the next feed (instead of reading it back)."""
        add(self._appended, recorded.device, recorded.events, recorded.ends, recorded.starts)

    @_locked
    def forget_recorded(self) -> None:
        """Records handed over by `recorded` were taken back: the next feed reads the files."""
        self._appended = {}

    @_locked
    def refresh(self, now: datetime) -> None:
        """Read what the journals gained since last time (everything on a fresh index)."""
        prefetched, self._prefetched = self._prefetched, None
        appended, self._appended = self._appended, {}
        try:
            report = self._ingest(now, prefetched, appended)
        finally:
            if prefetched is not None:
                prefetched.reader.close()  # whatever happened, no worker outlives the build
        self._fresh = False  # the feed made the indexes with its rows
        self._tell(report)

    def _ingest(self, now: datetime, prefetched: Prefetch | None, appended: Spans) -> IngestReport:
        """`ingest`, going on in memory when the cache cannot be written. A journal of a newer
        format (or a header damaged to read so) refuses, as when the state loader meets it first
        (`CollectionError`, one line), never a traceback; the files are left as they are."""
        from retain.store.state.journal_format import JournalError
        from retain.store.state.writer import CollectionError

        try:
            return self._ingest_or_memory(now, prefetched, appended)
        except JournalError as exc:
            raise CollectionError(str(exc)) from None

    def _ingest_or_memory(self, now: datetime, prefetched: Prefetch | None, appended: Spans) -> IngestReport:
        try:
            return ingest(
                self._db,
                self.state_dir,
                now,
                self.day,
                self._progress if self._fresh else None,
                prefetched,
                appended,
                self.steps,
            )
        except sqlite3.Error as exc:  # disk full, read-only cache, busy: go on in memory
            if self.cache_dir is None or not unwritable(exc):
                raise  # (damaged: `_locked` replaces the file)
            self._db.close()
            self._lines.append(unusable(exc))
            self.cache_dir = None
            self._db, _fresh, _m = connect(None)
            self._fresh = True
            return ingest(self._db, self.state_dir, now, self.day, self._progress, steps=self.steps)

    def _tell(self, report: IngestReport) -> None:
        """A feed's lines about journal files (damaged records, not a file), each file's once."""
        for label, line in report.problems.items():
            if label not in self._told:
                self._told.add(label)
                offsets = report.left_out.get(label)
                if offsets is None:
                    self._lines.append(line)
                else:  # (`messages` leaves out what the owner's lines said of them)
                    rest = line.removeprefix(damaged_line(label, offsets)).removeprefix("; ")
                    self._lines.append(_LeftOut(label, offsets, rest))

    @property
    def messages(self) -> list[str]:
        """One line per problem, oldest first: a file's damaged records are named only when the
        owner's lines (`said`) did not set them aside already."""
        if self._said is None or not any(isinstance(line, _LeftOut) for line in self._lines):
            aside: dict[str, list[tuple[int, int]]] = {}
        else:
            from retain.store.state.journal import set_aside_spans

            aside = set_aside_spans(self._said())
        out: list[str] = []
        for line in self._lines:
            if isinstance(line, str):
                out.append(line)
                continue
            spans = aside.get(line.label, [])
            left = [o for o in line.offsets if not any(a <= o <= b for a, b in spans)]
            parts = [damaged_line(line.label, left)] if left else []
            out.append("; ".join([*parts, line.rest] if line.rest else parts))
        return [line for line in out if line]

    @_locked
    def close(self) -> None:
        if self._prefetched is not None:
            self._prefetched.reader.close()
            self._prefetched = None
        self._db.close()

    @_locked
    def rebuild(self, now: datetime) -> None:
        """Forget everything and read every journal again."""
        reset(self._db)
        self._fresh = True
        self.refresh(now)

    # -- queries ----------------------------------------------------------------------

    @_locked
    def reviews(
        self,
        now: datetime,
        since: datetime | None = None,
        until: datetime | None = None,
        *,
        deck: str | None = None,
        key: str | None = None,
    ) -> list[ReviewRow]:
        """Counted ratings (undone ones left out) in [since, until), oldest first."""
        self.refresh(now)
        where = ["e.kind = ?", "e.undone = 0"]
        args: list[object] = [_REVIEW]
        if since is not None:
            where.append("e.t >= ?")
            args.append(micros(since))
        if until is not None:
            where.append("e.t < ?")
            args.append(micros(until))
        if deck is not None:
            where.append("e.deck = ?")
            args.append(deck)
        if key is not None:
            where.append("e.key = ?")
            args.append(key)
        sql = (
            f"SELECT e.t, e.device, e.eid, e.key, e.deck, e.rating, e.ms, e.bstate, {_BIVL}, e.astate, e.astab"
            f" {_FROM} WHERE {' AND '.join(where)} {_ORDER}"
        )
        return [ReviewRow(_time(r[0]), *r[1:]) for r in self._db.execute(sql, args)]

    @_locked
    def day_log(self, now: datetime) -> DayLog:
        """What was studied in the current study day (new cards, reviews, siblings seen)."""
        log = DayLog()
        new_keys: dict[str, set[str]] = {}
        start, end = self.day.span(now)
        self.refresh(now)
        span = (micros(start), micros(end))
        # the counted ratings of `reviews(now, start, end)`, in any order: only tallied here
        for key, deck, before_state in self._db.execute(
            "SELECT key, deck, bstate FROM events WHERE kind = ? AND undone = 0 AND t >= ? AND t < ?",
            (_REVIEW, *span),
        ):
            log.notes_seen.add(key.partition(":")[0])
            if before_state is None or before_state == NEW:
                new_keys.setdefault(deck, set()).add(key)
            elif before_state == REVIEW:
                log.reviews_done[deck] = log.reviews_done.get(deck, 0) + 1
        log.new_seen = {deck: len(keys) for deck, keys in new_keys.items()}
        # A card suspended or buried today may have shown its answer: its siblings wait too. A
        # suspend unsuspended since, or a bury unburied since, does not hold them (nor the card
        # itself): the unsuspend or unbury, as an undo would, gives the card back to the day (the
        # browser's `s` or `b`, the deck list's Unbury); its undo holds them again.
        for (key,) in self._db.execute(
            "SELECT key FROM events e WHERE kind IN (?, ?) AND undone = 0 AND t >= ? AND t < ?"
            " AND NOT EXISTS (SELECT 1 FROM events u WHERE u.key = e.key AND u.undone = 0"
            " AND u.t >= e.t AND u.kind = CASE e.kind WHEN ? THEN ? ELSE ? END)",
            (KIND["suspend"], KIND["bury"], *span, KIND["suspend"], KIND["unsuspend"], KIND["unbury"]),
        ):
            log.notes_seen.add(key.partition(":")[0])
        return log

    @_locked
    def activity(self, now: datetime, window_days: int = 30) -> dict[str, DeckActivity]:
        """Per deck id and "" (every deck, removed ones too): study days with a counted rating,
        today's ratings, and true retention over the last `window_days` study days."""
        self.refresh(now)
        today = self.day.today(now).toordinal()
        since = today - window_days + 1
        out: dict[str, DeckActivity] = {"": DeckActivity(set())}
        sql = "SELECT deck, day, reviews, young_pass + mature_pass, young_fail + mature_fail FROM daily"
        rows: Iterable[tuple[str, int, int, int, int]] = self._db.execute(sql)
        moved = self._moves(now)[1]
        if moved:  # cards moved to another deck: their ratings count for the deck they are in now
            sums = {(deck, day): [reviews, passed, failed] for deck, day, reviews, passed, failed in rows}
            for pair, v in moved.items():
                got = sums.setdefault(pair, [0, 0, 0])
                got[0] += v[0]
                got[1] += v[_PASSED[0]] + v[_PASSED[1]]
                got[2] += v[_FAILED[0]] + v[_FAILED[1]]
            rows = [(deck, day, v[0], v[1], v[2]) for (deck, day), v in sums.items()]
        for deck, day, reviews, passed, failed in rows:
            if not reviews:
                continue
            when = date.fromordinal(day)
            for act in (out[""], out.setdefault(deck, DeckActivity(set()))):
                act.days.add(when)
                if day == today:
                    act.today += reviews
                if since <= day <= today:
                    act.passed += passed
                    act.judged += passed + failed
        return out

    @_locked
    def progress(self, now: datetime) -> tuple[int, int]:
        """(counted ratings in the current study day, study streak in days).

        The streak counts back from today (or from yesterday when today has no
        rating yet, so it is not lost before the day's session) to the first
        study day without a rating.
        """
        self.refresh(now)
        today = self.day.today(now).toordinal()
        per_day = dict(
            self._db.execute("SELECT day, sum(reviews) FROM daily GROUP BY day HAVING sum(reviews) > 0")
        )
        todays = int(per_day.get(today, 0))
        want = today if todays else today - 1
        streak = 0
        while want in per_day:
            streak += 1
            want -= 1
        return todays, streak

    def card_events(
        self, now: datetime, decks: Iterable[str] | None = None, *, follow_moves: bool = False
    ) -> Iterator[tuple[Any, ...]]:
        """Counted reviews and resets (undone ones left out), for the optimizer, by unit key then
        time: (key, time in µs, is a review (else a reset), rating, study day, new before, new
        after). Streamed in the (key, t) index's order, the History held meanwhile: at 50k cards
        the 294k rows never sit in memory at once (75 MB less; 0.2 s more than sorting a list).

        `follow_moves`: a card moved to another key (`moves`) has its ratings from before the move
        under the key it is under now, in that key's deck, so its history is whole (the few keys
        moves touch come last, each still in one run of rows); the moves' own records are left
        out (a swap's back to new is no forget of the card that arrives at the key).

        A damaged index met on the way is replaced (`_locked`) and the rows not yet given are
        taken from the new one, in the same order."""
        with self._lock:
            given = 0
            try:
                for row in self._card_events(now, decks, follow_moves):
                    yield row
                    given += 1
            except Exception as exc:
                if self._depth or not self._replace_damaged(exc):
                    raise
                yield from islice(self._card_events(now, decks, follow_moves), given, None)

    def _card_events(
        self, now: datetime, decks: Iterable[str] | None, follow_moves: bool
    ) -> Iterator[tuple[Any, ...]]:
        with self._lock:
            self.refresh(now)
            where = "undone = 0 AND kind IN (?, ?)"
            args: list[object] = [_REVIEW, KIND["reset"]]
            wanted = None if decks is None else sorted(set(decks))
            moves = self._moves(now)[0] if follow_moves else None
            touched = sorted(moves.keys) if moves else []
            columns = (
                f"key, t, kind = {_REVIEW}, rating, day, coalesce(bstate, {NEW}) = {NEW},"
                f" coalesce(astate, {NEW}) = {NEW}"
            )
            main, main_args = where, list(args)
            if wanted is not None:
                main += f" AND +deck IN ({','.join('?' * len(wanted))})"
                main_args += wanted
            if touched:
                main += f" AND +key NOT IN ({','.join('?' * len(touched))})"
                main_args += touched
            sql = f"SELECT {columns} FROM events INDEXED BY events_key WHERE {main} ORDER BY key, t"
            yield from self._db.execute(sql, main_args)
            if not moves or not touched:
                return
            marks = ",".join("?" * len(touched))
            rows = self._db.execute(
                f"SELECT {columns} FROM events WHERE {where} AND key IN ({marks})", [*args, *touched]
            )
            records = moves.records  # (a move's own records: no forget, no reschedule of the card)
            followed = [
                (moves.last(row[0], row[1]), *row[1:]) for row in rows if (row[0], row[1]) not in records
            ]
            keep = None if wanted is None else set(wanted)
            followed = [row for row in followed if keep is None or deck_of(row[0]) in keep]
            followed.sort(key=lambda row: (row[0], row[1]))
            yield from followed

    @_locked
    def rating_counts(self, now: datetime, decks: Iterable[str]) -> tuple[list[int], list[int]]:
        """Counted ratings 1..4 of new cards, and 2..4 of review cards, in `decks` (for the simulator)."""
        self.refresh(now)
        wanted = sorted(set(decks))
        first, passed = [0, 0, 0, 0], [0, 0, 0]
        if not wanted:
            return first, passed
        sql = (
            f"SELECT coalesce(bstate, {NEW}), rating, count(*) FROM events WHERE undone = 0 AND kind = ?"
            f" AND +deck IN ({','.join('?' * len(wanted))}) GROUP BY 1, 2"
        )
        for state, rating, n in self._db.execute(sql, [_REVIEW, *wanted]):
            if state == NEW and 1 <= rating <= 4:
                first[rating - 1] += n
            elif state == REVIEW and 2 <= rating <= 4:
                passed[rating - 2] += n
        return first, passed

    @_locked
    def newest(self, now: datetime, kind: str, *, imported: bool = True) -> datetime | None:
        """The time of the newest event of `kind` not undone (None: there is none); with
        `imported=False`, of the events of this and other devices, not of a history import's
        folders (`import-…`: Anki's "Set due date", imported as a reschedule, is no `optimize`'s)."""
        self.refresh(now)
        mine = "" if imported else " AND substr(device, 1, 7) <> 'import-'"
        row = self._db.execute(
            f"SELECT max(t) FROM events WHERE kind = ? AND undone = 0{mine}", (KIND[kind],)
        ).fetchone()
        return None if row is None or row[0] is None else _time(row[0])

    @_locked
    def day_rows(self, now: datetime, decks: Sequence[str] | None = None) -> list[DayRow]:
        """Per study day sums of the counted ratings in `decks` (None: all, removed decks too)."""
        from retain.store.index.statsquery import daily_rows  # (the stats' own: not on every start)

        self.refresh(now)
        return daily_rows(
            self._db, decks, self._moves(now)[1] if decks is not None else None, self._repeats(now)
        )

    def _repeats(self, now: datetime) -> dict[tuple[str, int], int]:
        """Per (deck, study day): counted ratings of new cards that were not their card's first
        (the card was studied new before: forgotten and studied again, or studied new on two
        devices), by the deck the card is in now. Found through `events_new` (the ratings of new
        cards: the cards with more than one are few), worked out again only when the index changed."""
        moves = self._moves(now)[0]
        mark = (self._db.total_changes, self._db.execute("PRAGMA data_version").fetchone()[0])
        if self._repeated is not None and self._repeated[0] == mark:
            return self._repeated[1]
        new = "SELECT key, t, device, eid, deck, day FROM events INDEXED BY events_new WHERE kind = 0 AND coalesce(bstate, 0) = 0"
        rows = self._db.execute(
            f"{new} AND undone = 0 AND key IN"
            f" (SELECT key FROM events INDEXED BY events_new WHERE kind = 0 AND coalesce(bstate, 0) = 0"
            " GROUP BY key HAVING count(*) > 1)"
        ).fetchall()
        # A card moved has its ratings under each key it was under (one new rating under the
        # old key, another under the new one: one card), and a key a card moved out of may be
        # given to a new card (a rating there after the move is that card's): so the ratings of
        # every key a move touches are read too, and each is grouped under its card's key now.
        seen = {row[0] for row in rows}
        touched = sorted(moves.keys - seen) if moves else []
        for start in range(0, len(touched), 500):
            chunk = touched[start : start + 500]
            rows += self._db.execute(
                f"{new} AND undone = 0 AND key IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
        cards: dict[str, list[tuple[int, str, str, str, int]]] = {}
        for key, t, device, eid, deck, day in rows:
            card = moves.last(key, t) if moves else key
            cards.setdefault(card, []).append((t, device, eid, deck if card == key else deck_of(card), day))
        out: dict[tuple[str, int], int] = {}
        for ratings in cards.values():
            ratings.sort()  # (the first of each card, by time, is the one that counts)
            for *_when, deck, day in ratings[1:]:
                out[deck, day] = out.get((deck, day), 0) + 1
        self._repeated = (mark, out)
        return out

    def _moves(self, now: datetime) -> tuple[Moves, Tally]:
        """The cards' moves (`moves`) and what they change in the per deck sums, worked out again
        only when the index changed (this connection's changes, or another process's)."""
        from retain.store.index.moves import Moves, deck_moves, moved_sums  # (few starts need them)

        mark = (self._db.total_changes, self._db.execute("PRAGMA data_version").fetchone()[0])
        if self._moved is None or self._moved[0] != mark:
            moves = Moves(deck_moves(self._db, functools.partial(self._full, now=now)))
            self._moved = (mark, moves, moved_sums(self._db, moves))
        return self._moved[1], self._moved[2]

    @_locked
    def moves(self, now: datetime) -> Moves:
        """The cards' moves (`moves.deck_moves`), worked out again only when the index changed."""
        self.refresh(now)
        return self._moves(now)[0]

    @_locked
    def card_reviews(self, now: datetime, key: str) -> list[ReviewRow]:
        """A card's counted ratings, oldest first, with those it had under the keys its progress
        was moved from (`store.state.progress_edits.move_progress`: another deck, a cloze
        renumbered), each up to the move: what the browser's card detail lists. Cram ratings
        (kind "cram": they change no schedule) and forgets (kind "reset", back to new) are
        listed too, as Anki's card info lists them; a move's own records and a reschedule's are
        not (the state they carry is no event of the learner's). A key's events from before a
        move into it or out of it are another card's (a swap moves both ways at once)."""
        self.refresh(now)
        where: list[str] = []
        args: list[object] = []
        for span_key, since, until in self._spans(key, None, now, set()):
            where.append(
                "(e.key = ?"
                + ("" if since is None else " AND e.t > ?")
                + ("" if until is None else " AND e.t < ?")
                + ")"
            )
            args += [span_key, *(() if since is None else (since,)), *(() if until is None else (until,))]
        sql = (
            f"SELECT e.t, e.device, e.eid, e.key, e.deck, e.rating, e.ms, e.bstate, {_BIVL}, e.astate,"
            f" e.astab, e.kind {_FROM} WHERE (e.kind IN (?, ?) OR {forget_sql('e')}) AND e.undone = 0"
            f" AND ({' OR '.join(where)}) {_ORDER}"
        )
        kinds = [_REVIEW, KIND["cram"]]
        return [
            ReviewRow(
                _time(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], EVENT_KINDS[r[11]]
            )
            for r in self._db.execute(sql, [*kinds, *args])
        ]

    def _spans(
        self, key: str, until: int | None, now: datetime, seen: set[tuple[str, int]]
    ) -> list[tuple[str, int | None, int | None]]:
        """(key, since, until) in µs (None: no bound) of each stretch the card that held `key` up
        to `until` spent under a key: under `key` since its last move into or out of it (a
        "back to new" with a move's other record beside it, a new key's record, a new card's
        state written over a studied one), and, when it was moved in, under the key it came
        from before that (followed back the same way)."""
        rows = self._db.execute(
            "SELECT e.file, e.t, e.off, e.astate IS NULL FROM events e WHERE e.key = ? AND e.kind = ?"
            " AND e.undone = 0"
            + ("" if until is None else " AND e.t < ?")
            + " ORDER BY e.t DESC, e.off DESC",
            (key, KIND["reset"]) if until is None else (key, KIND["reset"], until),
        ).fetchall()
        groups: dict[tuple[int, int], list[bool]] = {}
        for file_id, t, _off, back in rows:
            groups.setdefault((file_id, t), []).append(bool(back))
        for (file_id, t), backs in groups.items():
            if len(seen) >= _MAX_MOVES or (key, t) in seen:
                break
            seen.add((key, t))
            came_from, moved = self._moved_at(key, file_id, t, backs, now)
            if came_from is not None:
                return [(key, t, until), *self._spans(came_from, t, now, seen)]
            if moved:
                return [(key, t, until)]
        return [(key, None, until)]

    def _moved_at(
        self, key: str, file_id: int, t: int, backs: list[bool], now: datetime
    ) -> tuple[str | None, bool]:
        """(the key `key`'s card came from in the move written at `t` in `file_id`, or None;
        whether `key` took part in a move there at all). `backs`: `key`'s "reset" records there,
        each whether it is a back to new."""
        from retain.store.index.moves import group_moves, group_rows

        others = self._db.execute(
            "SELECT max(astate IS NULL), max(astate IS NOT NULL) FROM events"
            " WHERE file = ? AND t = ? AND kind = ? AND undone = 0 AND key != ?",
            (file_id, t, KIND["reset"], key),
        ).fetchone()
        other_backs, other_carries = bool(others[0]), bool(others[1])
        if all(backs):  # back to new: a move's old key when another key took a state there
            return None, other_carries
        if other_backs:  # a move's group: which key went where
            for old, new in group_moves(self._full(group_rows(self._db, file_id, t), now)):
                if new == key:
                    return old, True
        own = [e for e in self._full(self._records_of(key, file_id, t), now) if e.after is not None]
        if any(e.after == CardState() and e.before is not None and not e.before.is_new for e in own):
            return None, True  # a new card's state written over a studied one: a card without any
        if not other_backs and other_carries and own:  # an older journal's swap: by state
            after = own[-1].after
            assert after is not None
            for other in self._full(self._before_is(after, file_id, t, key), now):
                if other.before == after:
                    return other.key, True
        return None, any(backs) and other_carries

    def _records_of(self, key: str, file_id: int, t: int) -> list[tuple[str, str, int]]:
        return self._db.execute(
            "SELECT f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file"
            " WHERE e.file = ? AND e.t = ? AND e.kind = ? AND e.key = ? AND e.undone = 0 ORDER BY e.off",
            (file_id, t, KIND["reset"], key),
        ).fetchall()

    def _before_is(self, state: CardState, file_id: int, t: int, key: str) -> list[tuple[str, str, int]]:
        """Where the other "reset" records at `t` in `file_id` whose state before may be `state`
        are (narrowed by the index's columns: a reschedule of every card writes thousands)."""
        last = None if state.last_review is None else micros(state.last_review)
        return self._db.execute(
            "SELECT f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file"
            " WHERE e.file = ? AND e.t = ? AND e.kind = ? AND e.key != ? AND e.undone = 0"
            " AND e.bstate IS ? AND e.blast IS ? ORDER BY e.off",
            (file_id, t, KIND["reset"], key, state.state, last),
        ).fetchall()

    @_locked
    def times_of(self, now: datetime, keys: Iterable[str]) -> dict[str, array[int]]:
        """Per unit key of `keys` that has events, the time of each (µs since the epoch), oldest
        first (an array: a long history's times take 8 bytes each, not a tuple's ~150)."""
        self.refresh(now)
        found: dict[str, array[int]] = {}
        wanted = sorted(set(keys))
        for i in range(0, len(wanted), 500):
            chunk = wanted[i : i + 500]
            sql = f"SELECT key, t FROM events WHERE key IN ({','.join('?' * len(chunk))}) ORDER BY key, t"
            for key, t in self._db.execute(sql, chunk):
                if t.__class__ is not int:  # (a damaged row: no time to compare)
                    continue
                times = found.get(key)
                if times is None:
                    times = found[key] = array("q")
                times.append(t)
        return found

    @_locked
    def count(self, now: datetime) -> int:
        """Every event in the history (all kinds, all devices)."""
        self.refresh(now)
        return int(self._db.execute("SELECT count(*) FROM events").fetchone()[0])

    # -- whole events (read back from the journal records the index points to) ---------

    def _full(self, rows: Sequence[tuple[str, str, int]], now: datetime) -> list[Event]:
        out: list[Event] = []
        for device, name, off in rows:
            event = read_event_at(self.state_dir / "devices" / device / name, off, now)
            if event is not None:
                out.append(event)
        return out

    @_locked
    def forgets(self, now: datetime, since: datetime) -> set[str]:
        """The ids of the forgets (`forget_sql`) made since `since`: the only "reset" records undo
        may take back (a move's and a reschedule's are no forget)."""
        self.refresh(now)
        rows = self._db.execute(
            f"SELECT e.eid FROM events e WHERE e.t >= ? AND {forget_sql('e')}", (micros(since),)
        )
        return {eid for (eid,) in rows}

    @_locked
    def moved_into(self, now: datetime, keys: Iterable[str]) -> set[str]:
        """Those of `keys` whose progress may have been moved in from another key: they have a
        "reset" that left a state (a move's record, or a reset keeping memory). A superset, for
        `card_reviews` to look at only those (one query per 500 keys, through the key index)."""
        self.refresh(now)
        return self._keys_where(keys, " AND kind = ? AND astate IS NOT NULL AND undone = 0", [KIND["reset"]])

    @_locked
    def keys_with_events(self, now: datetime, keys: Iterable[str]) -> set[str]:
        """Those of `keys` that have any event (of any device, undone ones too)."""
        self.refresh(now)
        return self._keys_where(keys, "", [])

    def _keys_where(self, keys: Iterable[str], more: str, params: list[object]) -> set[str]:
        """Those of `keys` with an event that also meets `more` (SQL after the key test)."""
        found: set[str] = set()
        wanted = list(dict.fromkeys(keys))
        for i in range(0, len(wanted), 500):  # (SQLite's limit on parameters)
            chunk = wanted[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                f"SELECT DISTINCT key FROM events WHERE key IN ({marks}){more}", [*chunk, *params]
            )
            found.update(key for (key,) in rows)
        return found

    @_locked
    def ids_of(
        self, now: datetime, device: str, since: datetime, until: datetime | None = None
    ) -> dict[str, int]:
        """The ids of the events in `device`'s folder dated from `since` to `until` (None: no
        end): the device's own (as `last_undoable_action` takes them), whatever device their ids
        name (a folder renamed keeps its older events' ids; a sync conflict's folder holds another
        folder's ids). Each gives its place in the order written (the higher, the later)."""
        self.refresh(now)
        rows = self._db.execute(
            f"SELECT e.eid {_FROM} WHERE e.device = ? AND e.t >= ? AND e.t <= ? ORDER BY f.name, e.off",
            (device, micros(since), _until(until)),
        )
        return {eid: place for place, (eid,) in enumerate(rows)}  # (an id twice: its last place)

    @_locked
    def last_undoable(
        self, now: datetime, device: str, since: datetime, until: datetime | None = None
    ) -> Event | None:
        """The last review, cram rating, (un)suspend, (un)bury or forget (`forget_sql`) of `device`
        since `since` not yet undone; None when there is none, or when a later event changed its
        card since (every card of it, for one event of an action of several:
        `last_undoable_action`)."""
        action = self.last_undoable_action(now, device, since, until)
        return action[0] if action else None

    @_locked
    def written_elsewhere(self, now: datetime, keys: Iterable[str], device: str) -> set[str]:
        """Those of `keys` with events in a folder other than `device`'s (another device's journal,
        imported history): only such a card may have an event of `device` with one dated before
        it that was written after it (`Collection.states_before`)."""
        self.refresh(now)
        wanted, found = sorted(set(keys)), set[str]()
        for first in range(0, len(wanted), 500):
            chunk = wanted[first : first + 500]
            found.update(
                key
                for (key,) in self._db.execute(
                    f"SELECT DISTINCT key FROM events WHERE key IN ({','.join('?' * len(chunk))})"
                    " AND device != ?",
                    (*chunk, device),
                )
            )
        return found

    @_locked
    def last_undoable_action(
        self, now: datetime, device: str, since: datetime, until: datetime | None = None
    ) -> list[Event]:
        """What undo takes back: the last written review, cram rating, (un)suspend, (un)bury or
        forget of `device` dated from `since` to `until` (None: no end) not yet undone, or, when
        that event is one of an action of several (a bulk suspend, unsuspend or reset:
        `Event.group`), every event of the action not undone yet whose card no
        later event changed since, newest first. [] when there is none, or when a later event
        changed its card (every card of the action) since.

        An action undone already (some of its events have undo events: the cards changed since
        were left as they were) is settled: its remaining events are no target any more, and
        undo reaches what came before it.

        The event is the last written in `device`'s folder (its file, then its offset: one writer
        appends, never to a file older than its newest), not the newest by date: after the clock
        was corrected backwards, the rating just made is dated before the one made a minute ago,
        and undo takes back the one just made, as it would with the clock right (a frozen clock's
        events at one instant, too). Imported history has a folder of its own: never a target.
        The window is each event's own date, by the clock that wrote it: one dated before `since`
        was made before the window; one dated after `until` (the caller's now plus the window:
        a clock that ran days ahead) cannot be told from one made days ago.
        """
        self.refresh(now)
        # The window's events (few: a time range), last written first; stop at the first match.
        with contextlib.closing(
            self._db.execute(
                f"SELECT e.rowid, e.key {_FROM}"
                f" WHERE e.device = ? AND e.undone = 0 AND {_UNDOABLE_SQL} AND e.t >= ? AND e.t <= ?"
                f" {_LAST_WRITTEN}",
                (device, micros(since), _until(until)),
            )
        ) as newest:
            return self._walk(newest, device, (since, until), now)

    def _walk(
        self,
        newest: Iterable[tuple[int, str]],
        device: str,
        window: tuple[datetime, datetime | None],
        now: datetime,
    ) -> list[Event]:
        """`last_undoable_action` of the undoable events `newest` (rowid, key), newest first."""
        settled: set[int] = set()  # rowids of the events of actions undone already
        for rowid, key in newest:
            if rowid in settled:
                continue
            rows = self._db.execute(
                "SELECT e.rowid, f.device, f.name, e.off FROM events e JOIN files f ON f.id = e.file"
                f" WHERE e.key = ? AND e.device = ? AND e.undone = 0 AND {_UNDOABLE_SQL}"
                f" AND e.t >= ? AND e.t <= ? {_LAST_WRITTEN}",
                (key, device, micros(window[0]), _until(window[1])),
            ).fetchall()
            row: tuple[str, str, int] | None = next((r[1:] for r in rows if r[0] not in settled), None)
            events = self._full([row], now) if row else []
            if row is None or not events:
                return []
            if not events[0].group:
                return [] if self._changed_since(events[0], row) else events
            members = self._members(events[0], device, now)
            if not any(undone for _rowid, undone, _e in members.values()):
                return self._action(events[0], members)
            settled.update(rowid for rowid, _undone, _e in members.values())
        return []

    def _members(
        self, member: Event, device: str, now: datetime
    ) -> dict[tuple[str, str, int], tuple[int, bool, Event]]:
        """The events of `member`'s action (its `group`: they share its time, device and kind),
        undone ones too: (rowid, undone, event) by where each is written."""
        rows = self._db.execute(
            "SELECT f.device, f.name, e.off, e.rowid, e.undone FROM events e JOIN files f ON f.id = e.file"
            " WHERE e.device = ? AND e.t = ? AND e.kind = ? ORDER BY f.name, e.off",
            (device, micros(member.time), KIND[member.kind]),
        ).fetchall()
        by_file: dict[tuple[str, str], dict[int, tuple[int, bool]]] = {}
        for folder, name, off, rowid, undone in rows:
            by_file.setdefault((folder, name), {})[off] = (rowid, bool(undone))
        from retain.store.state.journal import read_records

        found: dict[tuple[str, str, int], tuple[int, bool, Event]] = {}
        for (folder, name), offs in by_file.items():
            for off, event in read_records(
                self.state_dir / "devices" / folder / name, set(offs), now
            ).items():
                if event.group == member.group:
                    found[(folder, name, off)] = (*offs[off], event)
        return found

    def _action(
        self, member: Event, members: dict[tuple[str, str, int], tuple[int, bool, Event]]
    ) -> list[Event]:
        """The events of `member`'s action (`_members`, none undone yet), newest first, less those
        whose card a later event changed since."""
        found = {where: event for where, (_rowid, _undone, event) in members.items()}
        if not found:
            return []
        # One write: a later event of the same device comes after its last record, and no other
        # event of the action has the same card (so the action's end serves every card of it).
        folder, name, off = max(found)
        changed: set[str] = set()
        keys = sorted({e.key for e in found.values()})
        for first in range(0, len(keys), 500):
            chunk = keys[first : first + 500]
            changed.update(
                key
                for (key,) in self._db.execute(
                    "SELECT DISTINCT e.key FROM events e JOIN files f ON f.id = e.file"
                    f" WHERE e.key IN ({','.join('?' * len(chunk))}) AND e.undone = 0 AND e.kind != ?"
                    " AND ((f.device = ? AND (f.name > ? OR (f.name = ? AND e.off > ?)))"
                    " OR (f.device != ? AND e.t > ?))",
                    (*chunk, KIND["undo"], folder, name, name, off, folder, micros(member.time)),
                )
            )
        return [found[where] for where in sorted(found, reverse=True) if found[where].key not in changed]

    def _changed_since(self, event: Event, where: tuple[str, str, int]) -> bool:
        """Whether a later event (a reset, a move, a reschedule, another device's review) changed
        `event`'s card since: undoing it would put back a state that is no longer the one before.
        The same device's events are later when written later; other devices' when dated later."""
        device, name, off = where
        later = self._db.execute(
            "SELECT 1 FROM events e JOIN files f ON f.id = e.file"
            " WHERE e.key = ? AND e.undone = 0 AND e.kind != ? AND"
            " ((f.device = ? AND (f.name > ? OR (f.name = ? AND e.off > ?))) OR (f.device != ? AND e.t > ?))"
            " LIMIT 1",
            (event.key, KIND["undo"], device, name, name, off, device, micros(event.time)),
        ).fetchone()
        return later is not None

    @_locked
    def events(
        self,
        now: datetime,
        *,
        decks: Sequence[str] | None = None,
        since: datetime | None = None,
    ) -> list[Event]:
        """Whole events (every kind, undo events included), oldest first; read from the journals
        (only the records asked for are decoded)."""
        self.refresh(now)
        where: list[str] = ["1"]
        args: list[object] = []
        if decks is not None:  # (by the key index: a unit key is "deck/card"; "0" follows "/")
            where.append("(" + (" OR ".join(["(e.key >= ? AND e.key < ?)"] * len(decks)) or "0") + ")")
            args.extend(bound for deck in decks for bound in (f"{deck}/", f"{deck}0"))
        if since is not None:
            where.append("e.t >= ?")
            args.append(micros(since))
        rows = self._db.execute(
            f"SELECT f.device, f.name, e.off {_FROM} WHERE {' AND '.join(where)} {_ORDER}",
            args,
        ).fetchall()
        return self._decoded(rows, now)

    def events_at(self, now: datetime, wanted: Mapping[str, datetime]) -> list[Event]:
        """The whole events of each unit key of `wanted` made at its time there (every kind),
        oldest first: found by the (key, time) index, so the cost grows with the keys asked for,
        not with the journal (a reschedule's cards' last reviews, `fsrs_presets`)."""
        self.refresh(now)
        pairs = [(key, micros(at)) for key, at in wanted.items()]
        rows: list[tuple[str, str, int]] = []
        for i in range(0, len(pairs), 400):  # (SQLite's limit on the values of one statement)
            chunk = pairs[i : i + 400]
            values = ",".join("(?,?)" for _ in chunk)
            rows += self._db.execute(
                f"SELECT f.device, f.name, e.off {_FROM} WHERE (e.key, e.t) IN (VALUES {values}) {_ORDER}",
                [v for pair in chunk for v in pair],
            ).fetchall()
        return sorted(self._decoded(rows, now), key=lambda e: e.time)  # (the chunks: one order)

    def _decoded(self, rows: Sequence[tuple[str, str, int]], now: datetime) -> list[Event]:
        """The events at (device, file name, offset) `rows`, in their order, read from the journals
        (only those records are decoded)."""
        by_file: dict[tuple[str, str], set[int]] = {}
        for device, name, off in rows:
            by_file.setdefault((device, name), set()).add(off)
        found: dict[tuple[str, str, int], Event] = {}
        from retain.store.state.journal import read_records

        for (device, name), offs in by_file.items():
            for off, event in read_records(self.state_dir / "devices" / device / name, offs, now).items():
                found[(device, name, off)] = event
        return [found[(d, n, o)] for d, n, o in rows if (d, n, o) in found]


def open_history(
    state_dir: Path,
    cache_dir: Path | None,
    day: StudyDay,
    now: datetime,
    *,
    progress: ProgressFn | None = None,
) -> History:
    """A History brought up to date (`progress` hears about a long first read)."""
    history = History(state_dir, cache_dir, day, progress=progress)
    history.refresh(now)
    return history
