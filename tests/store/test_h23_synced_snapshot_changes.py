"""A snapshot that arrives by a sync: which device reads it must not change a card's state.

Computer a rates a card (S1); the folder syncs to b, which rates it from S1 (S2). Computer a,
not synced yet, rates it too and undoes that: S1 again, its snapshot's `[changed]` entry naming
a's undo. The sync brings both journals, and a's snapshots (written last). A replay of every
journal gave S1 then (the undo's stored state, last event wins; since h38 an undo takes its
rating out, and b's review, dated before it, stands: S2); a gave S1, but b
gave S2 as soon as it opened as a writer (its own review, after the snapshot's position, was
taken to be made after the undo, as if b had written that snapshot), and b's next compaction
spread S2 back to a. `stateload.history_only` took "made from the held state by this device"
as "made after the change it holds". Whether an event applies now depends only on the files;
when the snapshot cannot tell (an event of another device than the change's, made from the
state the change left) the card gets what a replay of every journal gives.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate, review_state

import retain.store.state.device as device_mod
from retain.core.session import record_undo_action
from retain.core.state import CardState, Event, EventKind
from retain.store.collection import Collection
from retain.store.state.stateload import history_only, load_state

KEY = "tiny/one"


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


def _states(root: Path, computer: str, at: datetime) -> dict[str, CardState]:
    """What `computer` shows when it opens the home at `root` as the writer (then closes it)."""
    with _opened(root, computer, at) as col:
        return dict(col.states)


def _replayed(root: Path, computer: str, at: datetime, scratch: Path) -> dict[str, CardState]:
    """The reference: a copy of the home with its snapshots deleted, every journal replayed."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(root, scratch, symlinks=True)
    delete_snapshots(scratch, cache=True)
    return _states(scratch, computer, at)


def _own(root: Path, computer: str) -> str | None:
    with _computer(computer):
        return device_mod.find_device(root / "state")


def _sync(src: Path, dst: Path, dst_name: str, snapshots: str = "all") -> None:
    """A folder sync from `src` to `dst`: every device folder but dst's own, file by file where
    src's copy is longer (a journal only grows), and with `snapshots` "all" the snapshots and
    the manifest (src's were written last, so they win), with "deck" the snapshots alone."""
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


def _undo(col: Collection, at: datetime) -> None:
    assert record_undo_action(col, col.states, at) is not None


# -- the attack's sequence --------------------------------------------------------------


def test_a_review_made_before_a_synced_undo_is_the_same_on_every_computer(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    t = NOW
    with _opened(a, "a", t) as col:
        s1 = rate(col, KEY, t, 3).after  # S1
    _sync(a, b, "b")
    with _opened(b, "b", t + timedelta(hours=1)) as col:
        s2 = rate(col, KEY, t + timedelta(hours=1), 2).after  # S2, from S1
    with _opened(a, "a", t + timedelta(hours=2)) as col:
        rate(col, KEY, t + timedelta(hours=2), 1)  # S3, from S1 ...
        _undo(col, t + timedelta(hours=2, minutes=1))  # ... undone: S1
    _sync(a, b, "b")  # the journals both ways; a's snapshots were written last: they win
    _sync(b, a, "a", snapshots="none")
    later = t + timedelta(hours=3)
    replayed = _replayed(b, "b", later, tmp_path / "replay")
    # a's undo takes its rating (S3) out: b's review, dated before it, is the card (h38)
    assert replayed[KEY] == s2 != s1
    assert _states(b, "b", later)[KEY] == s2
    assert _states(a, "a", later)[KEY] == s2  # (was S1: the undo's state, made without b's review)
    _sync(b, a, "a")  # b's compaction (the open above) reaches a: nothing to spread
    assert _states(a, "a", later + timedelta(minutes=1))[KEY] == s2
    assert _states(b, "b", later + timedelta(minutes=1))[KEY] == s2


def test_the_snapshot_decides_alike_whichever_device_reads_it(tmp_path: Path) -> None:
    """The same files (every journal, a's snapshots) read as a, as b, as a third device and by no
    device (a reader): one state, a replay's."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    with _opened(a, "a", NOW) as col:
        rate(col, KEY, NOW, 3)
    _sync(a, b, "b")
    with _opened(b, "b", NOW + timedelta(hours=1)) as col:
        rate(col, KEY, NOW + timedelta(hours=1), 2)
    with _opened(a, "a", NOW + timedelta(hours=2)) as col:
        rate(col, KEY, NOW + timedelta(hours=2), 1)
        _undo(col, NOW + timedelta(hours=2, minutes=1))
    _sync(b, a, "a", snapshots="none")  # a holds every journal and its own snapshots
    later = NOW + timedelta(hours=3)
    readers = (_own(a, "a"), _own(b, "b"), "c0ffee000000", None)
    seen = {
        reader: load_state(a / "state", None, later, reader, writable=False).states[KEY] for reader in readers
    }
    assert len(set(seen.values())) == 1, seen
    assert seen[None] == _replayed(a, "a", later, tmp_path / "replay")[KEY]


def test_history_only_of_a_review_made_elsewhere_before_an_undo_back_to_its_state() -> None:
    """The attack's event (b's review from S1, before a's undo back to S1)."""
    s1 = review_state(NOW)
    s2 = review_state(NOW + timedelta(hours=1), days=2)
    review = Event("b-1", "review", KEY, NOW + timedelta(hours=1), s2, s1, 2, 900)
    undo_held = (NOW + timedelta(hours=2), "dev-a")
    assert history_only(review, "dev-b", s1, undo_held, s1)
    # the device that made the change wrote it after the change: made from its state, it applies
    assert not history_only(review, "dev-a", s1, undo_held, s1)


# -- a change whose device's clock ran ahead: made from it elsewhere, it comes after it ----------


def test_a_synced_suspend_dated_ahead_then_unsuspended_here_survives_a_restart(tmp_path: Path) -> None:
    """b's clock runs an hour ahead: it rates and suspends the card (the suspend dated after
    a's clock). a syncs, compacts, and unsuspends it: an event dated before the suspend it was
    made from. Only the suspend left that state, so a replay puts the unsuspend after it: the
    card is unsuspended live, after a restart on a, on b, and in a replay (a's own review here
    was taken to follow every change its snapshot held; b's never did)."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    ahead = NOW + timedelta(hours=1)
    with _opened(b, "b", ahead) as col:
        rated = rate(col, KEY, ahead - timedelta(minutes=5)).after
        assert rated is not None
        col.record(
            Event(col.new_event_id(ahead), "suspend", KEY, ahead, replace(rated, suspended=True), rated)
        )
    _sync(b, a, "a")
    with _opened(a, "a", NOW) as col:  # compacted: [changed] holds b's suspend
        assert col.states[KEY].suspended
    with _opened(a, "a", NOW + timedelta(minutes=1)) as col:
        suspended = col.states[KEY]
        col.record(
            Event(col.new_event_id(NOW), "unsuspend", KEY, NOW + timedelta(minutes=1), rated, suspended)
        )
        assert not col.states[KEY].suspended
    later = NOW + timedelta(minutes=30)
    _sync(a, b, "b", snapshots="none")
    assert not _replayed(a, "a", later, tmp_path / "replay")[KEY].suspended
    assert not _states(b, "b", later)[KEY].suspended
    assert not _states(a, "a", later)[KEY].suspended


def test_a_change_whose_journal_is_not_here_yet_is_kept(tmp_path: Path) -> None:
    """b holds a's snapshot (with a's undo) but an older copy of a's journal (a sync under way):
    a replay of what is here lacks the undo, so the snapshot's state stays, and b's review made
    before the undo is history, as the rule has it."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    with _opened(a, "a", NOW) as col:
        s1 = rate(col, KEY, NOW, 3).after
    _sync(a, b, "b")
    with _opened(b, "b", NOW + timedelta(hours=1)) as col:
        rate(col, KEY, NOW + timedelta(hours=1), 2)
    with _opened(a, "a", NOW + timedelta(hours=2)) as col:
        rate(col, KEY, NOW + timedelta(hours=2), 1)
        _undo(col, NOW + timedelta(hours=2, minutes=1))
    for path in sorted((b / "state" / "devices").glob(f"{_own(a, 'a')}/journal-*.toml")):
        kept = path.read_bytes()
    _sync(a, b, "b")
    (path).write_bytes(kept)  # a's journal as b had it: without a's last rating and its undo
    assert _states(b, "b", NOW + timedelta(hours=3))[KEY] == s1


# -- the class: any interleaving on two computers with syncs between ---------------------------

_KEYS = ("tiny/one", "tiny/one", "tiny/two")
_COMPUTERS = ("a", "b")

Step = tuple[str, str, str, int, int]  # what, computer, key, rating (snapshots for a sync), minutes after


@st.composite
def _steps(draw: st.DrawFn) -> list[Step]:
    what = st.sampled_from(["rate", "rate", "rate-undo", "undo", "suspend", "sync", "sync"])
    step = st.tuples(
        what, st.sampled_from(_COMPUTERS), st.sampled_from(_KEYS), st.integers(1, 4), st.integers(1, 90)
    )
    return draw(st.lists(step, min_size=2, max_size=10))


def _act(col: Collection, what: str, key: str, rating: int, at: datetime) -> None:
    """A rating, a rating undone at once, an undo, or a suspend (an unsuspend when suspended)."""
    if what == "suspend":
        before = col.states.get(key)
        after = (before or CardState()).with_flags(suspended=not (before and before.suspended))
        kind: EventKind = "suspend" if after.suspended else "unsuspend"
        col.record(Event(col.new_event_id(at), kind, key, at, after, before))
        return
    if what != "undo":
        rate(col, key, at, rating)
    if what != "rate":
        record_undo_action(col, col.states, at + timedelta(seconds=30))


def _run(base: Path, steps: list[Step], ahead: timedelta) -> datetime:
    """`steps` on computers a and b (b's clock `ahead` of a's); the time after the last."""
    roots = {c: base / c for c in _COMPUTERS}
    for root in roots.values():
        make_home(root)
    at = NOW
    for what, computer, key, n, minutes in steps:
        at += timedelta(minutes=minutes)
        if what == "sync":
            other = "b" if computer == "a" else "a"
            _sync(roots[computer], roots[other], other, snapshots=("none", "all", "deck")[n % 3])
            continue
        clock = at + (ahead if computer == "b" else timedelta(0))
        with _opened(roots[computer], computer, clock + timedelta(minutes=1)) as col:
            _act(col, what, key, n, clock)
    return at + timedelta(hours=3)


def _read_by_each(root: Path, devices: list[str | None], at: datetime) -> list[dict[str, CardState]]:
    """The states the files at `root` give, read as each of `devices` (None: no device)."""
    return [load_state(root / "state", None, at, d, writable=False).states for d in devices]


_ATTACK: list[Step] = [  # the attack's: a rates, syncs to b, b rates, a rates and undoes
    ("rate", "a", KEY, 3, 1),
    ("sync", "a", KEY, 0, 1),
    ("rate", "b", KEY, 2, 1),
    ("rate-undo", "a", KEY, 1, 1),
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=_steps(), last=st.sampled_from(_COMPUTERS), ahead=st.sampled_from([0, 0, 0, 45, -45]))
@example(steps=_ATTACK, last="a", ahead=0)
def test_each_computer_shows_what_a_replay_of_its_journals_gives(
    tmp_path_factory: pytest.TempPathFactory, steps: list[Step], last: str, ahead: int
) -> None:
    """With the clocks right, each computer shows what a replay of its journals gives, before
    and after a sync both ways (the last writer's snapshots winning). With b's clock off, where
    a replay may differ from what was seen live (a state left twice: docs/state-format.md), the
    files give the same states whichever device reads them, and a restart changes nothing."""
    base = tmp_path_factory.mktemp("two")
    at = _run(base, steps, timedelta(minutes=ahead))
    devices = [_own(base / c, c) for c in _COMPUTERS] + ["c0ffee000000", None]
    for computer in _COMPUTERS:
        root = base / computer
        read = _read_by_each(root, devices, at)
        assert all(r == read[0] for r in read), computer
        shown = _states(root, computer, at)
        assert _states(root, computer, at + timedelta(seconds=1)) == shown, computer  # and it stays
        if not ahead:
            assert shown == _replayed(root, computer, at, base / "replay"), computer
    other = "b" if last == "a" else "a"
    _sync(base / other, base / last, last, snapshots="none")
    _sync(base / last, base / other, other)
    both = {c: _states(base / c, c, at + timedelta(seconds=2)) for c in (other, last)}
    assert both[other] == both[last] == _states(base / other, other, at + timedelta(seconds=3))
    read = _read_by_each(base / other, devices, at)
    assert all(r == read[0] for r in read)
    if not ahead:
        assert both[last] == _replayed(base / last, last, at, base / "replay")
