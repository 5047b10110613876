"""h39: one computer's snapshot meets a journal that goes on past it: a start with the snapshots
gives what a replay of every journal from its start gives (docs/state-format.md).

Two shapes lost data. A rating made from "new" after a clock correction (the clock ran ahead,
a rating was undone, or reset, the clock set right, the card rated again) is dated before the
undo the snapshot holds: start-up took it for history ("a state made from new proves
nothing"), though the device that made the undo wrote it after the undo, so a replay puts it
last. It was gone after a kill, after a torn record (`StateWriter._mend`), and on a computer
that had compacted the undo synced from the other. And another computer's undo, synced after
the rating it takes back was compacted here, put back the state its own computer knew (new),
over this computer's own older review: a replay without the rating gives that review.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from store_helpers import NOW, make_home, open_col, rate

import retain.store.state.device as device_mod
from retain.core.session import record_undo_action
from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.state.stateload import load_state
from retain.store.state.writer import StateWriter

KEY = "tiny/one"
AHEAD = timedelta(minutes=10)


# -- helpers: computers, kills, syncs, the reference replay -----------------------------------


@contextlib.contextmanager
def _computer(name: str) -> Iterator[None]:
    """Run as computer `name` (its host key names its own device folder)."""
    was = device_mod.host_key
    device_mod.host_key = lambda: f"computer-{name}"
    try:
        yield
    finally:
        device_mod.host_key = was


def _killed(col: Collection) -> None:
    """What a SIGKILL leaves: the journal as written, no compaction, the lock gone."""
    col.writer.close_journal()
    col._close_history()
    col.writer.release()


@contextlib.contextmanager
def _opened(root: Path, computer: str, at: datetime, kill: bool = False) -> Iterator[Collection]:
    """The home at `root` opened as the writer on `computer` at `at`; closed (compacted) after,
    or killed (`kill`: no compaction)."""
    with _computer(computer):
        col = open_col(make_home(root), at, fsync=False)
        try:
            yield col
        finally:
            _killed(col) if kill else col.close(at)


def _own(root: Path, computer: str) -> str | None:
    with _computer(computer):
        return device_mod.find_device(root / "state")


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


def _started(root: Path, at: datetime) -> dict[str, CardState]:
    """What a start with the snapshots (read-only: nothing written) gives at `at`."""
    return load_state(root / "state", None, at, None, writable=False).states


def _replayed(root: Path, at: datetime) -> dict[str, CardState]:
    """The reference: a replay of every journal from its start (the device folders alone)."""
    scratch = root.parent / f"{root.name}-journals-only"
    shutil.rmtree(scratch, ignore_errors=True)
    (scratch / "state" / "devices").mkdir(parents=True)
    if (root / "state" / "devices").is_dir():
        shutil.copytree(root / "state" / "devices", scratch / "state" / "devices", dirs_exist_ok=True)
    try:
        return _started(scratch, at)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _shown(root: Path, computer: str, at: datetime) -> dict[str, CardState]:
    """What `computer` shows when it opens the home as the writer (then closes: compacts)."""
    with _opened(root, computer, at) as col:
        return dict(col.states)


def _undo(col: Collection, at: datetime) -> None:
    assert record_undo_action(col, col.states, at) is not None


def _assert_replay_everywhere(root: Path, computer: str, at: datetime) -> dict[str, CardState]:
    """A start with the snapshots, a writer's start (it compacts) and the start after it each
    give what a replay of every journal gives; that."""
    expected = _replayed(root, at)
    assert _started(root, at) == expected
    assert _shown(root, computer, at) == expected
    assert _started(root, at + timedelta(seconds=1)) == expected
    return expected


# -- defect 1: a rating from new after a clock correction, under a change the snapshot holds ---


def _undone_ahead_then_rated(root: Path, kill: bool) -> Event:
    """The clock 10 minutes ahead: rate, undo, close (the snapshot holds the undo as the card's
    last change). The clock set right: the card is new, rated Easy; then killed (`kill`) or
    closed. The Easy rating."""
    with _opened(root, "a", NOW + AHEAD) as col:
        rate(col, KEY, NOW + AHEAD, 3)
        _undo(col, NOW + AHEAD + timedelta(seconds=1))
        assert KEY not in col.states
    with _opened(root, "a", NOW + timedelta(minutes=1), kill=kill) as col:
        assert KEY not in col.states
        easy = rate(col, KEY, NOW + timedelta(minutes=1), 4)
        assert col.states[KEY] == easy.after
    return easy


@pytest.mark.parametrize("kill", [True, False], ids=["killed", "closed"])
def test_a_rating_from_new_after_a_clock_correction_is_kept(tmp_path: Path, kill: bool) -> None:
    """The attack's repro2: after a kill the rating was gone from the card (a replay had it)."""
    make_home(tmp_path)
    easy = _undone_ahead_then_rated(tmp_path, kill)
    later = NOW + timedelta(minutes=2)
    assert _assert_replay_everywhere(tmp_path, "a", later)[KEY] == easy.after


@pytest.mark.parametrize("how", ["undo", "reset"])
def test_a_rating_from_new_after_a_change_in_the_tail_is_kept(tmp_path: Path, how: str) -> None:
    """The clock ahead: a rating, compacted (the snapshot holds the review). The clock set right:
    the rating undone (dated just after it) or the card reset (dated now, made from the state
    held), then rated from new, dated before the snapshot's review; killed. The same device
    wrote the new rating after the change the journal's tail holds: it is the card's state."""
    make_home(tmp_path)
    with _opened(tmp_path, "a", NOW + AHEAD) as col:
        rate(col, KEY, NOW + AHEAD, 3)
    at = NOW + timedelta(minutes=1)
    with _opened(tmp_path, "a", at, kill=True) as col:
        if how == "undo":
            _undo(col, at)
        else:
            col.record(Event(col.new_event_id(at), "reset", KEY, at, None, col.states[KEY]))
        assert KEY not in col.states
        easy = rate(col, KEY, at + timedelta(seconds=5), 4)
    later = NOW + timedelta(minutes=2)
    assert _assert_replay_everywhere(tmp_path, "a", later)[KEY] == easy.after


def test_a_torn_rating_from_new_after_a_clock_correction_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same rating stopped after its journal write (a Ctrl-C): the close reads the states
    again from the files (`StateWriter._mend`), which set it aside, and wrote a snapshot past it."""
    make_home(tmp_path)
    with _opened(tmp_path, "a", NOW + AHEAD) as col:
        rate(col, KEY, NOW + AHEAD, 3)
        _undo(col, NOW + AHEAD + timedelta(seconds=1))
    real = StateWriter._apply

    def stop(self: StateWriter, *args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    at = NOW + timedelta(minutes=1)
    with _opened(tmp_path, "a", at) as col:
        monkeypatch.setattr(StateWriter, "_apply", stop)
        with pytest.raises(KeyboardInterrupt):
            rate(col, KEY, at, 4)
        monkeypatch.setattr(StateWriter, "_apply", real)
        assert col.writer.torn
    later = NOW + timedelta(minutes=2)
    states = _assert_replay_everywhere(tmp_path, "a", later)
    assert states[KEY].last_review == at


def test_a_synced_rating_after_a_compacted_undo_is_the_same_on_both_computers(tmp_path: Path) -> None:
    """The attack's repro1: b compacted a's undo; a's clock corrected, a rates the card (new
    there) again; the journals sync. b kept its own older review, a showed its rating."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    with _opened(a, "a", NOW + AHEAD) as col:  # a's clock ahead: rates, undoes
        rate(col, KEY, NOW + AHEAD, 3)
        _undo(col, NOW + AHEAD + timedelta(seconds=1))
    with _opened(b, "b", NOW + timedelta(minutes=1)) as col:  # b rates
        rate(col, KEY, NOW + timedelta(minutes=1), 3)
    _sync(a, b, "b")
    _shown(b, "b", NOW + timedelta(minutes=2))  # b compacts a's undo
    with _opened(a, "a", NOW + timedelta(minutes=3)) as col:  # a's clock set right
        assert KEY not in col.states
        mine = rate(col, KEY, NOW + timedelta(minutes=3), 3)
    _sync(a, b, "b")
    _sync(b, a, "a")
    later = NOW + timedelta(minutes=5)
    assert _assert_replay_everywhere(b, "b", later)[KEY] == mine.after
    assert _assert_replay_everywhere(a, "a", later)[KEY] == mine.after


@pytest.mark.parametrize("kill", [True, False], ids=["killed", "closed"])
def test_a_rating_after_a_clock_set_back_keeps_its_place_after_the_later_dated_one(
    tmp_path: Path, kill: bool
) -> None:
    """a rates with its clock 30 minutes ahead (12:32), then, the clock set right, from that
    state (12:03: written after it, so a replay puts it there). b, not synced, rates the card
    from new at 12:04. A replay gives a's last rating; a's snapshot held it with its own date
    as the card's last event (written by the session, or by the start after a kill), so b's
    review, synced later and dated after that, went over it at a's next start."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    with _opened(a, "a", NOW + timedelta(minutes=1)) as col:
        rate(col, KEY, NOW + timedelta(minutes=1), 3)
    with _opened(a, "a", NOW + timedelta(minutes=32)) as col:
        rate(col, KEY, NOW + timedelta(minutes=32), 3)
    with _opened(a, "a", NOW + timedelta(minutes=3), kill=kill) as col:
        last = rate(col, KEY, NOW + timedelta(minutes=3), 2)
    assert _shown(a, "a", NOW + timedelta(minutes=5))[KEY] == last.after  # (compacted)
    with _opened(b, "b", NOW + timedelta(minutes=4)) as col:
        rate(col, KEY, NOW + timedelta(minutes=4), 4)
    _sync(a, b, "b")
    _sync(b, a, "a")
    later = NOW + timedelta(hours=1)
    assert _assert_replay_everywhere(a, "a", later)[KEY] == last.after
    assert _assert_replay_everywhere(b, "b", later)[KEY] == last.after


# -- defect 2: an undo synced after the rating it takes back was compacted here ----------------


@pytest.mark.parametrize("snapshots", ["none", "deck"])
def test_an_undo_synced_after_its_rating_was_compacted_keeps_the_older_review(
    tmp_path: Path, snapshots: str
) -> None:
    """The attack's repro3: a rates; b (without a's journal) rates later and, after a restart,
    undoes that; a had compacted b's rating. A replay without b's rating gives a's review."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a), make_home(b)
    with _opened(a, "a", NOW + timedelta(minutes=1)) as col:
        mine = rate(col, KEY, NOW + timedelta(minutes=1), 3)
    with _opened(b, "b", NOW + timedelta(minutes=5)) as col:
        rate(col, KEY, NOW + timedelta(minutes=5), 3)
    _sync(b, a, "a")
    _shown(a, "a", NOW + timedelta(minutes=6))  # a compacts b's rating
    with _opened(b, "b", NOW + timedelta(minutes=30)) as col:
        _undo(col, NOW + timedelta(minutes=30))
        assert KEY not in col.states  # (b never saw a's review)
    _sync(b, a, "a", snapshots)
    _sync(a, b, "b")
    later = NOW + timedelta(minutes=40)
    assert _assert_replay_everywhere(a, "a", later)[KEY] == mine.after
    assert _assert_replay_everywhere(b, "b", later)[KEY] == mine.after


# -- the class: ratings, undos, kills and syncs on two computers --------------------------------

_KEYS = ("tiny/one", "tiny/one", "tiny/one", "tiny/two")

Step = tuple[str, str, str, int, int]  # what, computer, key, a number (rating, snapshots, clock), minutes


def _act(col: Collection, what: str, key: str, rating: int, at: datetime) -> None:
    """A rating, a rating undone at once, an undo (of the last action, maybe from before a
    restart), or nothing (an open and close: a compaction)."""
    if what in ("rate", "rate-undo"):
        rate(col, key, at, rating)
    if what in ("rate-undo", "undo"):
        record_undo_action(col, col.states, at + timedelta(seconds=30))


def _run(steps: list[Step], kills: list[bool], base: Path, clock: bool) -> None:
    """`steps` on computers a and b, the i-th session killed when `kills[i]` (no compaction).
    With `clock`, a "clock" step sets a's clock ahead (by 30 min times its number, at least
    once) or, when it is, right again; b rates only cards it holds as new. After every step each
    computer's start gives what a replay of the journals it holds gives; at the end, both
    holding every journal, too."""
    roots = {c: base / c for c in ("a", "b")}
    for root in roots.values():
        make_home(root)
    at, ahead = NOW, timedelta(0)
    for i, (what, computer, key, n, minutes) in enumerate(steps):
        at += timedelta(minutes=minutes)
        other = "b" if computer == "a" else "a"
        if what == "sync":
            _sync(roots[computer], roots[other], other, snapshots=("none", "all", "deck")[n % 3])
        elif what == "clock":
            ahead = timedelta(0) if ahead or not clock else timedelta(minutes=30 * max(n, 1))
        else:
            if (
                clock
                and computer == "b"
                and what in ("rate", "rate-undo")
                and key in _started(roots["b"], at)
            ):
                what = "open"  # (b's clock runs behind a's: see the test)
            moment = at + (ahead if computer == "a" else timedelta(0))
            with _opened(roots[computer], computer, moment, kill=kills[i]) as col:
                _act(col, what, key, max(n, 1), moment)
        for root in roots.values():
            assert _started(root, at) == _replayed(root, at), (i, root.name)
    at += timedelta(hours=3)
    _sync(roots["a"], roots["b"], "b")
    _sync(roots["b"], roots["a"], "a")
    for computer, root in roots.items():
        _assert_replay_everywhere(root, computer, at)


def _steps(kinds: list[str], computers: tuple[str, ...], minutes: int) -> st.SearchStrategy[list[Step]]:
    step = st.tuples(
        st.sampled_from(kinds),
        st.sampled_from(computers),
        st.sampled_from(_KEYS),
        st.integers(0, 4),
        st.integers(1, minutes),
    )
    return st.lists(step, min_size=2, max_size=10)


_REPRO3: list[Step] = [  # a rates; b rates; a compacts b's; b undoes after a restart
    ("rate", "a", KEY, 3, 1),
    ("rate", "b", KEY, 3, 4),
    ("sync", "b", KEY, 0, 1),
    ("open", "a", KEY, 0, 1),
    ("undo", "b", KEY, 0, 24),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=_steps(["rate", "rate", "rate-undo", "undo", "undo", "open", "sync", "sync"], ("a", "b"), 90),
    kills=st.lists(st.booleans(), min_size=10, max_size=10),
)
@example(steps=_REPRO3, kills=[False] * 10)
@example(steps=_REPRO3, kills=[False] * 4 + [True] * 6)
def test_two_computers_with_the_clocks_right_give_a_replay(
    tmp_path_factory: pytest.TempPathFactory, steps: list[Step], kills: list[bool]
) -> None:
    """Clocks right, journals and snapshots synced in any order, some sessions killed: each
    start gives a replay's states (an undo synced after its rating was compacted elsewhere)."""
    _run(steps, kills, tmp_path_factory.mktemp("two"), clock=False)


_REPRO1: list[Step] = [  # a's clock ahead: rates and undoes; b rates; b compacts a's undo; a corrected
    ("clock", "a", KEY, 1, 1),
    ("rate-undo", "a", KEY, 3, 1),
    ("rate", "b", KEY, 3, 1),
    ("sync", "a", KEY, 0, 1),
    ("open", "b", KEY, 0, 1),
    ("clock", "a", KEY, 1, 1),
    ("rate", "a", KEY, 3, 1),
]
_REPRO2: list[Step] = [  # a's clock ahead: rates and undoes; corrected: rates from new, killed
    ("clock", "a", KEY, 1, 1),
    ("rate-undo", "a", KEY, 3, 1),
    ("clock", "a", KEY, 1, 1),
    ("rate", "a", KEY, 4, 1),
]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=_steps(
        ["rate", "rate", "rate-undo", "undo", "open", "clock", "clock", "sync"], ("a", "a", "a", "b"), 20
    ),
    kills=st.lists(st.booleans(), min_size=10, max_size=10),
)
@example(steps=_REPRO2, kills=[False] * 3 + [True] * 7)
@example(steps=_REPRO1, kills=[False] * 10)
def test_a_clock_set_ahead_and_corrected_gives_a_replay(
    tmp_path_factory: pytest.TempPathFactory, steps: list[Step], kills: list[bool]
) -> None:
    """Computer a's clock is set ahead (by up to 2 hours) and corrected at will, around its
    ratings and undos, some sessions killed; b's clock is right and b rates only cards it
    holds as new (a computer whose clock runs behind rating from a state the other's undo
    returned to is a known limit, docs/state-format.md). Each start gives a replay's states."""
    _run(steps, kills, tmp_path_factory.mktemp("clock"), clock=True)
