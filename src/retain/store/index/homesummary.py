"""The launch summary: the home screen's figures, saved when the TUI closes, so the next launch paints at once.

Opening the collection at 50k cards takes ~0.2 s (rebuilding ~100k unit and
state objects), as long again as Textual's own import. The home screen needs
far less: per review unit the fields `core.due.count_rows` reads (note keys
numbered, suspended units left out), the decks' names and groups, the broken
deck files' first errors, the day log of the current study day, and the
reviews today and streak when they are known (carried forward by
`core.progress`, so the history is not re-read). `save_summary` writes those
(marshal, in the cache folder) when the TUI closes the collection, while it
still holds the writer lock; `load_summary` reads them at the next launch.

A summary is used only while its inputs are exactly as they were: it records
the identity (inode, mtime_ns, size) of every deck file in the library folders
and of every state file (the snapshots, their manifest, every device's
journal). A launch lists and stats them again (~1 ms for 50 decks); a file
added, removed or changed is a miss, and the launch opens the collection first
as before. It is not written when the collection may differ from the files (a
deck file or another device's journal changed during the session). Counting
happens at launch time, with the launch's clock, config and time zone: the
config is not part of the key because every setting the counts read (the
limits, the learn-ahead, the rollover hour, the deck folders) is applied then,
from the config as it is at launch. Reviews today and the streak are carried
only under the study-day rule they were counted with (`core.studyday.rule_key`:
the rollover hour and the zone): after a flight or a new rollover hour the days
may differ, so the history counts them. The one exception is an exam date
(`[exam]`, `store.exams`): its cap brings due dates forward by each card's
stability and last review, which the summary does not hold, so while the
launch's config has an exam still ahead for one of the decks the summary is a
miss and the collection counts (an `[exam]` entry added after the TUI closed
too).

On a hit the app paints the home screen from the summary and opens the
collection in the background; the collection's own figures replace the
summary's when it is ready. Like every derived cache it is disposable: it is
never needed for correctness, and a damaged or foreign file is a miss.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal
import os
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from retain.core.clock import day_start
from retain.core.due import Counts, DayLog, count_rows, note_of
from retain.core.model import Problem
from retain.core.progress import carry_progress
from retain.core.studyday import StudyDay, rule_key
from retain.store.decks.library import DeckEntry, deck_file_ids
from retain.store.files import atomic_write
from retain.store.home import Home, library_folders
from retain.store.index.derivedcache import FileId, code_fingerprint

if TYPE_CHECKING:
    from retain.store.collection import Collection

__all__ = [
    "DeckInfo",
    "LaunchHome",
    "load_progress",
    "load_summary",
    "save_summary",
    "state_file_ids",
    "summary_path",
]

_MAGIC = "retain-home-summary"
_VERSION = 3  # 2: "newest" (the newest review when written); 3: "studyday" (the rule's key)


class DeckInfo(NamedTuple):
    """What the deck list shows of a deck (the fields `ui.deck_rows` reads)."""

    id: str
    name: str
    group: str


@dataclass(frozen=True, slots=True)
class LaunchHome:
    """The home screen's figures at launch time, computed from a valid summary."""

    decks: list[DeckInfo]
    counts: dict[str, Counts]  # a `DueCounts`: group rows are held to a capped group's room
    cards: dict[str, int]  # review units per deck
    broken: list[DeckEntry]
    progress: tuple[int, int] | None = None  # (reviews today, streak), when it could be carried forward
    stale: bool = False  # from a summary that deck or journal changes made stale (first paint only)


def summary_path(cache_dir: Path) -> Path:
    return cache_dir / "home-summary.marshal"


def state_file_ids(state_dir: Path) -> dict[str, FileId]:
    """Identity of every file the state is read from, by path.

    A superset on purpose (every visible file in `snapshots/` and each device
    folder, plus the manifest): listing by the loaders' own name rules would
    import them, and an extra file only makes a miss more likely, never wrong.
    """
    out: dict[str, FileId] = {}
    folders = [state_dir / "snapshots"]
    with contextlib.suppress(OSError), os.scandir(state_dir / "devices") as devices:
        folders += sorted(Path(e.path) for e in devices if e.is_dir() and not e.name.startswith("."))
    for folder in folders:
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for e in entries:
                if not e.name.startswith(".") and e.is_file():
                    st = e.stat()
                    out[e.path] = (st.st_ino, st.st_mtime_ns, st.st_size)
    with contextlib.suppress(OSError):
        st = os.stat(state_dir / "snapshots.toml")
        out[str(state_dir / "snapshots.toml")] = (st.st_ino, st.st_mtime_ns, st.st_size)
    return out


def _own(path: str, state_dir: Path, device: str | None) -> bool:
    """Written only by the lock holder (this process): snapshots, manifest, this device's journal."""
    mine = [state_dir / "snapshots", state_dir / "snapshots.toml"]
    if device is not None:
        mine.append(state_dir / "devices" / device)
    return any(path == str(m) or path.startswith(str(m) + os.sep) for m in mine)


def save_summary(collection: Collection, now: datetime) -> bool:
    """Write the summary of a writable collection after its compaction; False when it may be stale.

    Call it while the writer lock is held, so that nothing else changes this
    process's own state files between the compaction and the stat.
    """
    if collection.read_only or collection.state_ids_at_open is None or collection.writer.torn:
        return False
    home = collection.home
    library = collection.library
    if library.files != deck_file_ids(library_folders(home.paths, home.config)):
        return False  # a deck file changed after it was loaded: the library in memory may be stale
    state_dir = collection.state_dir
    ids = state_file_ids(state_dir)
    device = collection.device
    others = {p: i for p, i in ids.items() if not _own(p, state_dir, device)}
    before = {p: i for p, i in collection.state_ids_at_open.items() if not _own(p, state_dir, device)}
    if others != before:
        return False  # another device's journal changed meanwhile: not in the states in memory
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    get = collection.states.get
    numbers: dict[str, int] = {}  # note key -> number: ints load ~4x faster than 50k key strings
    columns: list[list[Any]] = [[], [], [], [], []]
    deck_col, notes, kinds, dues, buried = columns
    cards: Counter[str] = Counter()
    for u in collection.units:
        cards[u.deck_id] += 1
        st = get(u.key)
        if st is not None and st.suspended:
            continue  # never counted, whatever the time
        deck_col.append(u.deck_id)
        notes.append(numbers.setdefault(note_of(u.key), len(numbers)))
        if st is None:
            kinds.append(None)
            dues.append(None)
            buried.append(None)
        else:
            kinds.append(st.state)
            dues.append(None if st.due is None else (st.due - epoch).total_seconds())
            buried.append(st.buried_until)
    log = collection.day_log(now)
    progress = collection.progress(now)
    newest = collection.history_index.newest(now, "review")  # (dated ahead: a later day is not empty)
    payload = {
        "decks": [(d.id, d.name, d.group) for d in library.decks],
        "broken": [
            (str(e.path), e.origin, [(p.line, p.col, p.message, p.severity) for p in e.problems])
            for e in library.broken
        ],
        "cards": dict(cards),
        "columns": columns,
        "day_start": (collection.day_start(now) - epoch).total_seconds(),
        "written": (now - epoch).total_seconds(),
        "newest": None if newest is None else (newest - epoch).total_seconds(),
        "log": (log.new_seen, log.reviews_done, sorted(numbers[n] for n in log.notes_seen if n in numbers)),
        "progress": None if progress is None else (collection.today(now).isoformat(), *progress),
        "studyday": rule_key(collection.studyday),
    }
    blob = marshal.dumps((_MAGIC, _VERSION, code_fingerprint(), library.files, ids, payload))
    atomic_write(summary_path(collection.cache_dir), blob, durable=False)
    return True


def _read(home: Home) -> tuple[Any, dict[str, FileId], dict[str, Any]] | None:
    """(deck file ids, state file ids, payload) of a summary written by this code, else None."""
    try:
        with open(summary_path(home.paths.cache_dir), "rb") as fh:
            magic, version, fingerprint, deck_ids, state_ids, payload = marshal.loads(fh.read())
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if magic != _MAGIC or version != _VERSION or fingerprint != code_fingerprint():
        return None
    return deck_ids, state_ids, payload


def load_summary(home: Home, now: datetime, tz: tzinfo, *, stale_ok: bool = False) -> LaunchHome | None:
    """The home screen's figures at `now` from the saved summary, or None (missing, stale or damaged).

    With `stale_ok`, a summary that deck edits or other devices' journals made
    stale still gives the first paint (`LaunchHome.stale`): the deck list and
    counts as they were, replaced within a second by the opened collection's;
    today's reviews and the streak only when the journals are unchanged.
    """
    found = _read(home)
    if found is None:
        return None
    deck_ids, state_ids, payload = found
    now_state_ids = state_file_ids(home.paths.state_dir)
    fresh = deck_ids == deck_file_ids(library_folders(home.paths, home.config)) and state_ids == now_state_ids
    if not fresh and not stale_ok:
        return None
    try:
        launch = _launch_home(payload, home, now, tz)
    except (KeyError, ValueError, TypeError):
        return None
    if launch is not None and not fresh:
        same_journals = _journal_ids(home, state_ids) == _journal_ids(home, now_state_ids)
        # Another device's reviews arrived: today's figures are counted once the collection is open.
        launch = dataclasses.replace(launch, stale=True, progress=launch.progress if same_journals else None)
    return launch


def _journal_ids(home: Home, ids: dict[str, FileId]) -> dict[str, FileId]:
    devices = str(home.paths.state_dir / "devices") + os.sep
    return {p: i for p, i in ids.items() if p.startswith(devices)}


def load_progress(home: Home, now: datetime, tz: tzinfo) -> tuple[int, int] | None:
    """Reviews today and the streak from the summary, when only the journals must be unchanged.

    They depend on the review history alone, so a summary made stale by a deck
    edit (or a compaction) still carries them: the slow launch path takes them
    from here instead of reading the whole history again.
    """
    found = _read(home)
    if found is None:
        return None
    _deck_ids, state_ids, payload = found
    if _journal_ids(home, state_ids) != _journal_ids(home, state_file_ids(home.paths.state_dir)):
        return None
    try:
        day = StudyDay(home.config.rollover_hour, tz)
        today = day.today(now)
        start = (day.start_of(today) - datetime(1970, 1, 1, tzinfo=UTC)).total_seconds()
        return _carried(payload, day, today, start)
    except (KeyError, ValueError, TypeError):
        return None


def _reviewed_since(payload: dict[str, Any], start: float) -> bool:
    """Whether the history held a review dated at or after `start` (seconds) when the summary was
    written: one dated ahead of the clock then (another device's, a clock set wrong)."""
    newest = payload["newest"]
    return newest is not None and float(newest) >= start


def _carried(payload: dict[str, Any], rule: StudyDay, today: date, start: float) -> tuple[int, int] | None:
    if payload["progress"] is None or payload["studyday"] != rule_key(rule):
        return None  # another rollover hour or zone (a flight): the days, so the streak, may differ
    day, reviews, streak = payload["progress"]
    since = date.fromisoformat(day)
    if since != today and _reviewed_since(payload, start):
        return None  # today already holds reviews the summary did not count: the history says
    return carry_progress(since, (int(reviews), int(streak)), today)


def _exam_ahead(payload: dict[str, Any], home: Home, now: datetime, tz: tzinfo) -> bool:
    """Whether the launch's config has an exam still ahead (as `store.exams.exam_plans` decides)
    for one of the summary's decks: its cap would move due dates the summary cannot move."""
    from retain.store.exam_config import exam_decks, exam_for

    config = home.config
    if not config.exams:
        return False
    today = StudyDay(config.rollover_hour, tz).today(now)
    decks = exam_decks((str(deck_id), str(group), str(name)) for deck_id, name, group in payload["decks"])
    for deck_id, group in decks:
        setting = exam_for(config.exams, deck_id, group, today)  # (passed ones left out)
        if setting is None:
            continue
        try:
            if now < day_start(setting.day, config.rollover_hour, tz):
                return True
        except OverflowError:  # a date at the calendar's end: the collection decides, as it can
            return True
    return False


def _launch_home(payload: dict[str, Any], home: Home, now: datetime, tz: tzinfo) -> LaunchHome | None:
    config = home.config
    day = StudyDay(config.rollover_hour, tz)
    today = day.today(now)
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    start = (day.start_of(today) - epoch).total_seconds()
    if start == payload["day_start"]:
        new_seen, reviews_done, notes_seen = payload["log"]
        log = DayLog(dict(new_seen), dict(reviews_done), set(notes_seen))
    elif start > payload["written"] and not _reviewed_since(payload, start):
        log = DayLog()  # a later study day: nothing was studied since the summary was written
    else:
        return None  # the clock or the rollover moved back: leave it to the collection
    if config.exams and _exam_ahead(payload, home, now, tz):
        return None  # exam caps move due dates by stability: the collection counts them
    at = (now - epoch).total_seconds()
    decks_col, notes, kinds, dues, buried = payload["columns"]
    rows = zip(decks_col, notes, kinds, dues, repeat(False), buried)  # suspended units were left out
    end = (day.start_of(today + timedelta(days=1)) - epoch).total_seconds()
    counts = count_rows(
        rows,
        log,
        config.for_deck,
        at,
        max(at, end - 1e-6),  # a review is due all its study day (`core.due.last_moment`)
        today,
        # learning steps due by the learn-ahead cut-off, not past the study day's end (`StudyDay.learn_until`)
        learn_until=(
            day.learn_until(now, timedelta(minutes=config.learn_ahead_minutes)) - epoch
        ).total_seconds(),
        busy_until=max(at, end - 1e-6),  # siblings of a step due later today wait, as in the queue
        groups=config.group_limits(
            (str(i), str(g), str(n)) for i, n, g in payload["decks"]
        ),  # [groups] rooms
    )
    broken = [
        DeckEntry(
            Path(path), origin, None, [Problem(path, line, col, msg, sev) for line, col, msg, sev in probs]
        )
        for path, origin, probs in payload["broken"]
    ]
    decks = [DeckInfo(str(i), str(n), str(g)) for i, n, g in payload["decks"]]
    cards = {str(k): int(v) for k, v in payload["cards"].items()}
    return LaunchHome(decks, counts, cards, broken, _carried(payload, day, today, start))
