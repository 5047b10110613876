"""h38: a review synced late from another device is kept whether this device's undo came
before or after the sync.

Device B rates a card (10:00). Device A, not synced, rates it too (12:00) and undoes that. An
undo stored a fixed state to put back (`a`), computed when it was made: made after the sync it
was B's review (what a replay without A's rating gives, docs/state-format.md), made before it
the card was new, and a replay applied that stale `a` "last event wins" over B's review, which
arrived later: the same three events gave two states. A replay now gives an undo the state the
card has without the event it takes back (its `a` where nothing came in between, as it is
almost always), at start-up with or without snapshots, from a snapshot written before B's
journal arrived, and in a history import recorded live.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate, review_state

import retain.store.state.device as device_mod
from retain.core.session import record_undo_action
from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.state.journal import JournalWriter, journal_files, scan_file
from retain.store.state.progress_edits import set_suspended
from retain.store.state.snapshot import load_snapshot
from retain.store.state.stateload import load_state

KEY = "tiny/one"
TEN = NOW.replace(hour=10)
NOON = NOW.replace(hour=12)


# -- journals written directly ---------------------------------------------------------------


def _write(root: Path, device: str, events: list[Event]) -> None:
    writer = JournalWriter(root / "state" / "devices" / device, fsync=False)
    writer.append_many(events)
    writer.close()


def _three(at_b: datetime = TEN) -> tuple[Event, Event, Event]:
    """B's Easy (from new), A's Good (from new, not knowing it) and A's undo of it, as made
    before the sync: back to new."""
    theirs = Event("b-1", "review", KEY, at_b, review_state(at_b, days=4), None, 4)
    mine = Event("a-1", "review", KEY, NOON, review_state(NOON, days=1), None, 3)
    undo = Event("a-2", "undo", KEY, NOON + timedelta(seconds=1), None, mine.after, undoes=mine.id)
    return theirs, mine, undo


@pytest.mark.parametrize("at_b", [TEN, NOON + timedelta(microseconds=500_000)], ids=["before", "between"])
def test_a_replay_of_the_journals_keeps_the_review_dated_before_the_undo(
    tmp_path: Path, at_b: datetime
) -> None:
    """Dated before A's rating, or between it and its undo: the card is B's review."""
    theirs, mine, undo = _three(at_b)
    _write(tmp_path, "desk-a", [mine, undo])
    _write(tmp_path, "desk-b", [theirs])
    for reader in (None, "desk-a", "desk-b"):
        assert load_state(tmp_path / "state", None, NOON, reader, writable=False).states[KEY] == theirs.after


def test_an_undo_with_nothing_in_between_puts_back_its_own_state(tmp_path: Path) -> None:
    """B's review known when the undo was made (its `a` is B's state), a review of another card
    between: the undo's state stands, and a later review of B's applies on top of it."""
    theirs, mine, _undo = _three()
    mine = Event("a-1", "review", KEY, NOON, review_state(NOON, days=1), theirs.after, 3)
    other = Event("b-2", "review", "tiny/two", NOON, review_state(NOON), None, 3)
    undo = Event("a-2", "undo", KEY, NOON + timedelta(seconds=1), theirs.after, mine.after, undoes=mine.id)
    later = Event(
        "b-3", "review", KEY, NOON + timedelta(hours=1), review_state(NOON, days=9), theirs.after, 4
    )
    _write(tmp_path, "desk-a", [mine, undo])
    _write(tmp_path, "desk-b", [theirs, other])
    assert load_state(tmp_path / "state", None, NOON, None, writable=False).states[KEY] == theirs.after
    _write(tmp_path, "desk-b", [later])
    assert load_state(tmp_path / "state", None, NOON, None, writable=False).states[KEY] == later.after


def test_an_undo_whose_rating_is_not_here_keeps_its_state(tmp_path: Path) -> None:
    """The journal holding the rating taken back is not here (a sync under way): nothing to
    take it out of, so the undo's own state applies, last event wins, as before."""
    theirs, mine, undo = _three()
    start = review_state(TEN - timedelta(days=3))
    undo = Event("a-2", "undo", KEY, undo.time, start, mine.after, undoes=mine.id)
    _write(tmp_path, "desk-a", [undo])
    _write(tmp_path, "desk-b", [theirs])
    assert load_state(tmp_path / "state", None, NOON, None, writable=False).states[KEY] == start


def test_an_undo_of_an_event_that_changed_nothing_still_takes_it_out(tmp_path: Path) -> None:
    """A suspend of a suspended card (its `b` is its `a`) undone, then the first suspend undone:
    the card is new, with another device's folder here too (the first undo leaves the state as
    it was, so a replay sets it aside; the event it takes back must go all the same)."""
    held = CardState(suspended=True)
    first = Event("a-1", "suspend", KEY, NOON, held, None)
    again = Event("a-2", "suspend", KEY, NOON + timedelta(seconds=1), held, held)
    undo_again = Event("a-3", "undo", KEY, NOON + timedelta(seconds=2), held, held, undoes=again.id)
    undo_first = Event("a-4", "undo", KEY, NOON + timedelta(seconds=3), None, held, undoes=first.id)
    _write(tmp_path, "desk-a", [first, again, undo_again, undo_first])
    _write(tmp_path, "desk-b", [Event("b-1", "review", "tiny/two", TEN, review_state(TEN), None, 3)])
    assert KEY not in load_state(tmp_path / "state", None, NOON, None, writable=False).states


# -- two computers, the attack's steps -------------------------------------------------------


@contextlib.contextmanager
def _computer(name: str) -> Iterator[None]:
    """Run as computer `name` (its host key names its own device folder)."""
    was = device_mod.host_key
    device_mod.host_key = lambda: f"computer-{name}"
    try:
        yield
    finally:
        device_mod.host_key = was


@contextlib.contextmanager
def _opened(root: Path, computer: str, at: datetime) -> Iterator[Collection]:
    """The home at `root` opened as the writer on `computer` at `at`; closed (compacted) after."""
    with _computer(computer):
        col = open_col(make_home(root), at, fsync=False)
        try:
            yield col
        finally:
            col.close(at)


def _own(root: Path, computer: str) -> str | None:
    with _computer(computer):
        return device_mod.find_device(root / "state")


def _states(root: Path, computer: str, at: datetime) -> dict[str, CardState]:
    with _opened(root, computer, at) as col:
        return dict(col.states)


def _sync(src: Path, dst: Path, dst_name: str, snapshots: str = "none") -> None:
    """A folder sync from `src` to `dst`: every device folder but dst's own, file by file where
    src's copy is longer (a journal only grows); with `snapshots` "all" the snapshots and the
    manifest too (src's win), with "deck" the snapshots alone."""
    mine = _own(dst, dst_name)
    devices = src / "state" / "devices"
    for folder in sorted(devices.iterdir()) if devices.is_dir() else []:
        if folder.name == mine or not folder.is_dir():
            continue
        target = dst / "state" / "devices" / folder.name
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            out = target / path.name
            if not out.is_file() or out.stat().st_size < path.stat().st_size:
                shutil.copyfile(path, out)
    if snapshots == "none":
        return
    (dst / "state" / "snapshots").mkdir(parents=True, exist_ok=True)
    for path in sorted((src / "state" / "snapshots").glob("*.toml")):
        shutil.copyfile(path, dst / "state" / "snapshots" / path.name)
    if snapshots == "all" and (src / "state" / "snapshots.toml").is_file():
        shutil.copyfile(src / "state" / "snapshots.toml", dst / "state" / "snapshots.toml")


def _attack(tmp_path: Path, synced_first: bool, at_b: datetime = TEN) -> tuple[Path, CardState]:
    """B rates at `at_b`; A rates at noon and undoes it at once, after B's journal synced to it
    (`synced_first`) or before (then B's journal arrives, after A compacted). A's home, B's state."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    with _opened(b, "b", at_b) as col:
        easy = rate(col, KEY, at_b, 4).after
    assert easy is not None
    if synced_first:
        _sync(b, a, "a")
    with _opened(a, "a", NOON) as col:
        rate(col, KEY, NOON, 3)
        assert record_undo_action(col, col.states, NOON + timedelta(seconds=5)) is not None
        assert col.states.get(KEY) == (easy if synced_first else None)  # (what it knew then)
    if not synced_first:
        _sync(b, a, "a")
    return a, easy


@pytest.mark.parametrize("synced_first", [True, False], ids=["undo-after-sync", "undo-before-sync"])
@pytest.mark.parametrize("files", ["snapshots", "no-cache", "journals-only"])
def test_both_orders_give_the_synced_review(tmp_path: Path, synced_first: bool, files: str) -> None:
    a, easy = _attack(tmp_path, synced_first)
    later = NOON + timedelta(minutes=10)
    if files == "no-cache":
        shutil.rmtree(a / "cache", ignore_errors=True)
    elif files == "journals-only":
        delete_snapshots(a, cache=True)
    assert load_state(a / "state", None, later, None, writable=False).states[KEY] == easy
    assert _states(a, "a", later)[KEY] == easy  # (a writer: it compacts)
    snap = load_snapshot(a / "state" / "snapshots" / "tiny.toml", later)
    assert snap.states[KEY] == easy  # the snapshot written holds it
    assert _states(a, "a", later + timedelta(minutes=1))[KEY] == easy
    assert load_state(a / "state", None, later, None, writable=False).states[KEY] == easy


def test_a_review_dated_between_the_rating_and_its_undo_arriving_late(tmp_path: Path) -> None:
    a, easy = _attack(tmp_path, False, at_b=NOON + timedelta(seconds=2))
    assert _states(a, "a", NOON + timedelta(minutes=10))[KEY] == easy


def test_a_second_late_review_after_the_snapshot_took_the_first(tmp_path: Path) -> None:
    """A compacted B's review in (the snapshot's `[changed]` still names A's undo); B's next
    review, dated before the undo too, arrives later: it is the card's state."""
    a, easy = _attack(tmp_path, False)
    b = tmp_path / "b"
    assert _states(a, "a", NOON + timedelta(minutes=10))[KEY] == easy
    at = TEN + timedelta(hours=1)
    with _opened(b, "b", at) as col:
        again = rate(col, KEY, at, 2).after
    _sync(b, a, "a")
    assert _states(a, "a", NOON + timedelta(minutes=20))[KEY] == again
    delete_snapshots(a, cache=True)
    assert _states(a, "a", NOON + timedelta(minutes=30))[KEY] == again


def test_a_history_import_after_the_undo_is_kept_live(tmp_path: Path) -> None:
    """An imported review dated before the rating undone (another computer's history) is, live
    and after a restart, what a replay without the rating gives."""
    root = tmp_path / "a"
    make_home(root)
    imported = Event("", "review", KEY, TEN, review_state(TEN, days=6), None, 4)
    with _opened(root, "a", NOON) as col:
        rate(col, KEY, NOON, 3)
        assert record_undo_action(col, col.states, NOON + timedelta(seconds=5)) is not None
        assert KEY not in col.states
        into = col.begin_import(NOON + timedelta(minutes=1))
        imported = Event(col.new_event_ids([TEN], into)[0], "review", KEY, TEN, imported.after, None, 4)
        assert col.record_many([imported], into=into)
        assert col.states[KEY] == imported.after
    assert _states(root, "a", NOON + timedelta(minutes=5))[KEY] == imported.after
    delete_snapshots(root, cache=True)
    assert _states(root, "a", NOON + timedelta(minutes=6))[KEY] == imported.after


# -- the class: any interleaving of two computers' ratings, undos and syncs -------------------

_KEYS = ("tiny/one", "tiny/one", "tiny/two")
_PAIR = ["tiny/one", "tiny/two"]

Step = tuple[str, str, str, int, int]  # what, computer, key, rating (snapshots for a sync), minutes after


def _reference(root: Path, at: datetime) -> dict[str, CardState]:
    """Every journal's events in time order (a device's own, as written), without the events
    undone and their undos, last event wins; cram ratings left out."""
    events: list[tuple[datetime, int, Event]] = []
    devices = root / "state" / "devices"
    for folder in sorted(devices.iterdir()) if devices.is_dir() else []:
        for path in journal_files(folder):
            events += [(e.time, len(events), e) for _pos, e in scan_file(path, 0, at).events]
    events.sort(key=lambda item: (item[0], item[1]))
    undone = {e.undoes for _t, _n, e in events if e.kind == "undo"}
    states: dict[str, CardState] = {}
    for _t, _n, e in events:
        if e.kind in ("undo", "cram") or e.id in undone:
            continue
        if e.after is None:
            states.pop(e.key, None)
        else:
            states[e.key] = e.after
    return states


def _act(col: Collection, what: str, key: str, rating: int, at: datetime) -> None:
    """A rating, a rating undone at once, an undo, or a suspend of two cards (one action: `g`),
    unsuspended when the first is suspended."""
    if what == "suspend":
        state = col.states.get(_PAIR[0])
        set_suspended(col, _PAIR, not (state is not None and state.suspended), at)
        return
    if what != "undo":
        rate(col, key, at, rating)
    if what != "rate":
        record_undo_action(col, col.states, at + timedelta(seconds=30))


@st.composite
def _steps(draw: st.DrawFn) -> list[Step]:
    what = st.sampled_from(["rate", "rate", "rate-undo", "undo", "undo", "suspend", "sync", "sync"])
    step = st.tuples(
        what, st.sampled_from(("a", "b")), st.sampled_from(_KEYS), st.integers(1, 4), st.integers(1, 90)
    )
    return draw(st.lists(step, min_size=2, max_size=10))


_ATTACK: list[Step] = [  # B rates; A rates and undoes; B's journal syncs late
    ("rate", "b", KEY, 4, 1),
    ("rate-undo", "a", KEY, 3, 1),
    ("sync", "b", KEY, 0, 1),
]
_BETWEEN: list[Step] = [  # A rates; B rates; A undoes; the journals sync both ways
    ("rate", "a", KEY, 3, 1),
    ("rate", "b", KEY, 4, 1),
    ("undo", "a", KEY, 0, 1),
    ("sync", "b", KEY, 1, 1),
    ("sync", "a", KEY, 2, 1),
]
_GROUP: list[Step] = [  # B rates; A suspends two cards and undoes that; B's journal syncs late
    ("rate", "b", KEY, 2, 1),
    ("suspend", "a", KEY, 0, 1),
    ("undo", "a", KEY, 0, 1),
    ("sync", "b", KEY, 0, 1),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps())
@example(steps=_ATTACK)
@example(steps=_BETWEEN)
@example(steps=_GROUP)
def test_every_interleaving_gives_a_replay_without_the_undone_events(
    tmp_path_factory: pytest.TempPathFactory, steps: list[Step]
) -> None:
    """Clocks right, snapshots synced or not: once both computers hold every journal, each
    shows what a replay of every event in time order gives without the events undone, with
    its snapshots, without them, and after a restart."""
    base = tmp_path_factory.mktemp("two")
    roots = {c: base / c for c in ("a", "b")}
    for root in roots.values():
        make_home(root)
    at = NOW
    for what, computer, key, n, minutes in steps:
        at += timedelta(minutes=minutes)
        if what == "sync":
            other = "b" if computer == "a" else "a"
            _sync(roots[computer], roots[other], other, snapshots=("none", "all", "deck")[n % 3])
            continue
        with _opened(roots[computer], computer, at + timedelta(minutes=1)) as col:
            _act(col, what, key, n, at)
    at += timedelta(hours=3)
    _sync(roots["a"], roots["b"], "b")
    _sync(roots["b"], roots["a"], "a")
    for computer, root in roots.items():
        expected = _reference(root, at)
        assert load_state(root / "state", None, at, None, writable=False).states == expected, computer
        assert _states(root, computer, at) == expected, computer
        assert _states(root, computer, at + timedelta(seconds=1)) == expected, computer
        delete_snapshots(root, cache=True)
        assert load_state(root / "state", None, at, None, writable=False).states == expected, computer
