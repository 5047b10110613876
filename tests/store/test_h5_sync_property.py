"""Two laptops and a sync folder, driven at random: warm index, cold rebuild and replay agree.

A stateful hypothesis test. Two homes (computer a and computer b, told apart by their host
key) review, suspend, bury and undo with clocks that move on, jump ahead or back; a folder
sync copies one computer's device folders to the other, whole or cut mid-record (a sync in
progress, completed by the next one), sometimes as a sync tool's conflict copy. After each
step, every figure a person sees (`due --json`, `stats --json`, the card states, the day log,
Today and the streak, the undo target) must be the same from the warm index, from a cold
rebuild (`cache/` deleted) and from a replay of every journal (snapshots deleted too); and
while no clock ever moved back, the card states are what the events give in time order.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from store_helpers import KEYS, NOW, make_home, review_state

import retain.store.state.device as device_mod
from retain.commands.due import due_report
from retain.commands.stats import stats_report
from retain.core.session import record_undo_action
from retain.core.state import CardState, Event
from retain.store.collection import Collection
from retain.store.index.homesummary import load_summary
from retain.store.state.progress_edits import move_progress, reset_progress, set_suspended

pytestmark = pytest.mark.slow  # minutes: two homes opened four ways after every step

COMPUTERS = ("a", "b")
ZONES = ("UTC", "Pacific/Auckland", "America/Los_Angeles", "Asia/Kolkata")


@contextlib.contextmanager
def _computer(name: str) -> Iterator[None]:
    """Run as computer `name` (its host key), as the two laptops of the sync folder."""
    was = device_mod.host_key
    device_mod.host_key = lambda: f"computer-{name}"
    try:
        yield
    finally:
        device_mod.host_key = was


def _figures(col: Collection, now: datetime) -> dict[str, Any]:
    log = col.day_log(now)
    return {
        "states": dict(col.states),
        "due": due_report(col, now),
        "stats": stats_report(col, now),
        "day_log": (dict(log.new_seen), dict(log.reviews_done), set(log.notes_seen)),
        "progress": col.progress(now),
        "events": sorted(e.id for e in col.history(now)),
    }


def _due_rows(counts: Any) -> dict[str, tuple[int, int, int]]:
    return {
        d: (c.new, c.learning, c.review)
        for d, c in counts.items()
        if (c.new, c.learning, c.review) != (0, 0, 0)
    }


def _rows_of(report: dict[str, Any]) -> dict[str, Any]:
    from retain.core.due import Counts

    return {d["id"]: Counts(d["new"], d["learning"], d["review"]) for d in report["decks"]}


def _read_only(root: Path, now: datetime, zone: tzinfo) -> dict[str, Any]:
    col = Collection.open(make_home(root), now, read_only=True, tz=zone, cards=False, history=True)
    try:
        return _figures(col, now)
    finally:
        col.close(now)


def _diff(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    return [k for k in a if a[k] != b.get(k)]


class TwoLaptops(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.base = Path(tempfile.mkdtemp(prefix="h5-"))
        self.roots = {c: self.base / c for c in COMPUTERS}
        for root in self.roots.values():
            make_home(root)
        self.now = NOW  # the real time
        self.skew = dict.fromkeys(COMPUTERS, timedelta(0))  # each laptop's clock, off by
        self.moved_back = False  # a clock was ever set back (then the time order is no reference)
        self.skewed = False  # a clock was ever off: a state left twice may link either way in a replay
        self.partial: dict[tuple[str, str], bytes] = {}  # a file a sync left cut, to complete
        self.serial = 0
        self.events: list[Event] = []  # every event made, for the time-order reference
        self.zone: dict[str, tzinfo] = dict.fromkeys(COMPUTERS, UTC)  # each laptop's time zone
        self.lost = dict.fromkeys(COMPUTERS, False)  # a synced journal deleted, not synced again yet

    def teardown(self) -> None:
        shutil.rmtree(self.base, ignore_errors=True)

    # -- helpers ---------------------------------------------------------------------

    def clock(self, computer: str) -> datetime:
        return self.now + self.skew[computer]

    @contextlib.contextmanager
    def opened(self, computer: str) -> Iterator[tuple[Collection, datetime]]:
        at = self.clock(computer)
        with _computer(computer):
            col = Collection.open(make_home(self.roots[computer]), at, tz=self.zone[computer], fsync=False)
            try:
                yield col, at
            finally:
                col.close(at + timedelta(seconds=1), save_summary=True)

    def tick(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    def record(self, col: Collection, event: Event) -> None:
        self.events.append(col.record(event))

    # -- what a person does ----------------------------------------------------------

    @initialize()
    def first_reviews(self) -> None:
        for computer in COMPUTERS:
            with self.opened(computer) as (col, at):
                self.serial += 1
                after = review_state(at, days=1.0, stability=1.0 + self.serial / 100)
                self.record(col, Event(col.new_event_id(at), "review", KEYS[0], at, after, None, 3))
            self.tick(60)

    @rule(
        computer=st.sampled_from(COMPUTERS),
        key=st.sampled_from(KEYS),
        rating=st.integers(1, 4),
        gap=st.integers(1, 4 * 3600),
    )
    def review(self, computer: str, key: str, rating: int, gap: int) -> None:
        self.tick(gap)
        with self.opened(computer) as (col, at):
            self.serial += 1
            before = col.states.get(key)
            after = review_state(at, days=float(rating), stability=float(rating) + self.serial / 100)
            if before is not None and before.suspended:
                after = after.with_flags(suspended=True)
            self.record(col, Event(col.new_event_id(at), "review", key, at, after, before, rating, 900))

    @rule(
        computer=st.sampled_from(COMPUTERS),
        key=st.sampled_from(KEYS),
        kind=st.sampled_from(["suspend", "bury"]),
    )
    def flag(self, computer: str, key: str, kind: str) -> None:
        self.tick(30)
        with self.opened(computer) as (col, at):
            before = col.states.get(key)
            base = before or CardState()
            if kind == "suspend":
                after = base.with_flags(suspended=not base.suspended)
                kind = "suspend" if after.suspended else "unsuspend"
            else:
                after = base.with_flags(buried_until=(col.today(at) + timedelta(days=1)).isoformat())
            self.record(col, Event(col.new_event_id(at), kind, key, at, after, before))  # type: ignore[arg-type]

    @rule(
        computer=st.sampled_from(COMPUTERS),
        keys=st.lists(st.sampled_from(KEYS), min_size=1, max_size=3, unique=True),
        what=st.sampled_from(["suspend", "unsuspend", "reset", "move", "cram"]),
    )
    def browser(self, computer: str, keys: list[str], what: str) -> None:
        """The browser's actions on marked cards (one action of several events), or a cram rating."""
        self.tick(45)
        with self.opened(computer) as (col, at):
            if what == "cram":
                state = col.states.get(keys[0])
                self.record(col, Event(col.new_event_id(at), "cram", keys[0], at, state, state, 1, 500))
            elif what == "reset":
                self.events += reset_progress(col, keys, at)
            elif what == "move":  # (a card moved to another key: its progress goes with it)
                self.events += move_progress(col, {keys[0]: keys[-1]} if len(keys) > 1 else {}, at)
            else:
                self.events += set_suspended(col, keys, what == "suspend", at)

    @rule(computer=st.sampled_from(COMPUTERS))
    def undo(self, computer: str) -> None:
        self.tick(20)
        with self.opened(computer) as (col, at):
            done = record_undo_action(col, col.states, at)
            if done is not None:
                self.events += done[1]  # (an action of several: one undo event per card)

    @rule(computer=st.sampled_from(COMPUTERS), hours=st.sampled_from([-50, -26, -3, 3, 26]))
    def set_clock(self, computer: str, hours: int) -> None:
        if hours < 0 or self.skew[computer] > timedelta(0):
            self.moved_back = True  # (back, or a clock ahead corrected later: also back)
        self.skew[computer] += timedelta(hours=hours)
        self.skewed = True

    @rule(gap=st.integers(3600, 12 * 86400))
    def time_passes(self, gap: int) -> None:
        self.tick(gap)

    @rule(computer=st.sampled_from(COMPUTERS), zone=st.sampled_from(ZONES))
    def fly(self, computer: str, zone: str) -> None:
        self.zone[computer] = UTC if zone == "UTC" else ZoneInfo(zone)

    @rule(computer=st.sampled_from(COMPUTERS), hour=st.sampled_from([0, 4, 13, 23]))
    def rollover(self, computer: str, hour: int) -> None:
        (self.roots[computer] / "config.toml").write_text(f"rollover_hour = {hour}\n", "utf-8")

    @rule(computer=st.sampled_from(COMPUTERS), days=st.integers(0, 40), key=st.sampled_from(KEYS))
    def import_history(self, computer: str, days: int, key: str) -> None:
        """A history import: past reviews, written after today's, into an import folder."""
        with self.opened(computer) as (col, at):
            into = col.begin_import(at)
            past = at - timedelta(days=days, hours=1)
            self.serial += 1
            after = review_state(past, days=2.0, stability=2.0 + self.serial / 100)
            event = Event(col.new_event_id(past, into), "review", key, past, after, None, 3, 1000)
            self.events += col.record_many([event], into=into)

    @rule(src=st.sampled_from(COMPUTERS))
    def lose_a_month_file(self, src: str) -> None:
        """A month file of the other laptop's folder deleted here (a sync brings it back)."""
        mine, other = self._own(src), self.roots["b" if src == "a" else "a"]
        files = sorted(
            p
            for p in (self.roots[src] / "state" / "devices").glob("*/journal-*.toml")
            if p.parent.name != mine and (other / p.relative_to(self.roots[src])).is_file()
        )
        if files:
            files[0].unlink()
            self.lost[src] = True  # (a replay lacks its events until a sync brings it back)

    # -- the sync folder -------------------------------------------------------------

    def _own(self, computer: str) -> str | None:
        with _computer(computer):
            return device_mod.find_device(self.roots[computer] / "state")

    @rule(
        src=st.sampled_from(COMPUTERS),
        cut=st.one_of(st.none(), st.floats(0.05, 0.95)),
        conflict=st.booleans(),
        whole=st.sampled_from(["devices", "snapshots", "cache"]),
    )
    def sync(self, src: str, cut: float | None, conflict: bool, whole: str) -> None:
        """Copy `src`'s device folders to the other laptop (not that laptop's own folder): whole,
        or with the newest journal cut at `cut` of its length (a sync under way), or with an
        older copy of a journal left as a sync tool's conflict copy."""
        dst = "b" if src == "a" else "a"
        # A journal cut short (or deleted) lacks events the snapshots may hold: only the whole
        # files give a full replay what the snapshots give.
        self.lost[dst] = cut is not None
        mine = self._own(dst)
        devices = self.roots[src] / "state" / "devices"
        if not devices.is_dir():
            return
        if whole != "devices":  # the whole data folder is synced: the snapshots (and the cache)
            for path in (self.roots[src] / "state").glob("snapshots*"):
                target = self.roots[dst] / "state" / path.name
                if path.is_file():
                    shutil.copy2(path, target)
                else:
                    shutil.rmtree(target, ignore_errors=True)
                    shutil.copytree(path, target)
        if whole == "cache" and (self.roots[src] / "cache").is_dir():
            shutil.rmtree(self.roots[dst] / "cache", ignore_errors=True)
            shutil.copytree(self.roots[src] / "cache", self.roots[dst] / "cache")
        for folder in sorted(devices.iterdir()):
            if folder.name == mine or not folder.is_dir():
                continue
            target = self.roots[dst] / "state" / "devices" / folder.name
            target.mkdir(parents=True, exist_ok=True)
            files = sorted(p for p in folder.iterdir() if p.is_file())
            for path in files:
                data = path.read_bytes()
                out = target / path.name
                have = out.read_bytes() if out.is_file() else b""
                if len(have) > len(data) and have.startswith(data):
                    continue  # the other laptop's copy is older (a journal only grows)
                if cut is not None and path.name.startswith("journal-") and path == files[-1]:
                    start = len(have) if data.startswith(have) else 0  # what is new is cut
                    data = data[: start + max(1, int((len(data) - start) * cut))]
                if (
                    conflict
                    and out.exists()
                    and path.name.startswith("journal-")
                    and out.read_bytes() != data
                ):
                    stem = path.name.removesuffix(".toml")
                    shutil.copy2(out, target / f"{stem}.sync-conflict-20260101-000000-ABCDEFG.toml")
                out.write_bytes(data)

    # -- what must hold ----------------------------------------------------------------

    @invariant()
    def every_way_of_reading_agrees(self) -> None:
        for computer in COMPUTERS:
            self._agree(computer)

    def _agree(self, computer: str) -> None:
        root = self.roots[computer]
        with self.opened(computer) as (col, at):
            warm = _figures(col, at)
            target = col.last_undoable(at)
            refusal = col.undo_refusal(at)
        zone = self.zone[computer]
        launch = load_summary(make_home(root), at, zone)
        if launch is not None:  # what the home screen paints and `due --json` prints from it
            assert _due_rows(launch.counts) == _due_rows(_rows_of(warm["due"])), computer
        cold_copy = self.base / "cold"
        shutil.rmtree(cold_copy, ignore_errors=True)
        shutil.copytree(root, cold_copy, symlinks=True)
        shutil.rmtree(cold_copy / "cache", ignore_errors=True)
        with _computer(computer):
            cold = _read_only(cold_copy, at, zone)
            for path in (cold_copy / "state").glob("snapshots*"):
                path.unlink() if path.is_file() else shutil.rmtree(path)
            shutil.rmtree(cold_copy / "cache", ignore_errors=True)
            replay = _read_only(cold_copy, at, zone)
        assert not _diff(warm, cold), (computer, _diff(warm, cold), warm, cold)
        if not self.lost[computer] and not self.skewed:
            # (with a clock off, an event made from a state two events left may link to either
            # in a replay of the journals alone: docs/state-format.md, "Merging devices")
            assert not _diff(warm, replay), (computer, _diff(warm, replay), warm, replay)
        # the undo target from a cold index (in place: the device is this home's)
        aside = root / "cache-aside"
        shutil.rmtree(aside, ignore_errors=True)
        (root / "cache").rename(aside)
        try:
            with self.opened(computer) as (col, at):
                cold_target = col.last_undoable(at)
                cold_refusal = col.undo_refusal(at)
        finally:
            shutil.rmtree(root / "cache", ignore_errors=True)
            aside.rename(root / "cache")
        assert (target and target.id, refusal) == (cold_target and cold_target.id, cold_refusal)
        if not self.moved_back and not self.lost[computer]:
            self._time_order(computer, warm["states"])
        self._counted(computer, at, warm)

    def _counted(self, computer: str, at: datetime, warm: dict[str, Any]) -> None:
        """Today, the streak and the day log, counted here from the events by their own times."""
        held = set(warm["events"])
        events = [e for e in self.events if e.id in held]
        undone = {e.undoes for e in events if e.kind == "undo"}
        reviews = [e for e in events if e.kind == "review" and e.id not in undone]
        hour, zone = self._rollover(computer), self.zone[computer]

        def day(t: datetime) -> date:
            return (t.astimezone(zone) - timedelta(hours=hour)).date()

        today = day(at)
        days = Counter(day(e.time) for e in reviews)
        want, streak = (today if days[today] else today - timedelta(days=1)), 0
        while days[want]:
            streak, want = streak + 1, want - timedelta(days=1)
        assert warm["progress"] == (days[today], streak), computer
        todays = [e for e in reviews if day(e.time) == today]
        new_seen: dict[str, set[str]] = {}
        done: Counter[str] = Counter()
        for e in todays:
            deck = e.key.partition("/")[0]
            if e.before is None or e.before.state == 0:
                new_seen.setdefault(deck, set()).add(e.key)
            elif e.before.state == 2:
                done[deck] += 1
        notes = {e.key.partition(":")[0] for e in todays}
        notes |= {
            e.key.partition(":")[0]
            for e in events
            if e.kind in ("suspend", "bury") and e.id not in undone and day(e.time) == today
        }
        assert warm["day_log"] == ({d: len(k) for d, k in new_seen.items()}, dict(done), notes), computer

    def _rollover(self, computer: str) -> int:
        config = self.roots[computer] / "config.toml"
        return int(config.read_text("utf-8").split("=")[1]) if config.exists() else 4

    def _time_order(self, computer: str, states: dict[str, CardState]) -> None:
        """The states the events this laptop holds give applied in time order (last wins)."""
        held = set(_read_only_ids(self.roots[computer], self.clock(computer)))
        expected: dict[str, CardState | None] = {}
        for event in sorted((e for e in self.events if e.id in held), key=lambda e: (e.time, e.id)):
            if event.kind == "cram" or (event.kind == "undo" and event.before == event.after):
                continue  # (history only: the state as it was)
            expected[event.key] = event.after
        got = {k: v for k, v in expected.items() if v is not None}
        assert {k: states.get(k) for k in expected if k in got} == got, computer
        assert not [k for k, v in expected.items() if v is None and k in states], computer


def _read_only_ids(root: Path, now: datetime) -> list[str]:
    col = Collection.open(make_home(root), now, read_only=True, tz=UTC, cards=False)
    try:
        return [e.id for e in col.history(now)]
    finally:
        col.close(now)


TwoLaptops.TestCase.settings = settings(
    # The same 25 sequences on every run, so a landing CI run is the run seen to pass here; raise
    # max_examples and drop derandomize to explore (90 more sequences of 25 steps passed).
    derandomize=True,
    max_examples=25,
    stateful_step_count=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
test_two_laptops_and_a_sync_folder = TwoLaptops.TestCase
