"""History through sharing round trips: `export --with-progress` then `import --with-history`
(docs/sharing.md): an import adds only what is new, whatever format the history went through,
so importing your own export changes nothing, and a home rebuilt from an export gives the
same `stats`, `due` and card history as the home it came from."""

from __future__ import annotations

import bisect
import json
import random
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.custom_study import CustomStudy
from retain.core.model import Card, Deck
from retain.interop.bundle import Review
from retain.interop.native import deck_file_text
from retain.store.collection import Collection
from retain.store.custom_session import start_custom_session
from retain.store.home import Home, open_home
from retain.store.index.ingest import micros
from retain.store.state.progress_edits import reset_progress, set_suspended

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

DECK = Deck(
    id="hist",
    name="History deck",
    cards=(
        *(Card(id=f"c{i}", front=f"q{i}", back=f"a{i}") for i in range(6)),
        Card(id="rev", kind="reversed", front="rq", back="ra"),
        Card(id="clz", kind="cloze", text="The {{c1::sky}} is {{c2::blue}}"),
    ),
)


def _studied(root: Path, start: datetime, seed: int = 7) -> Home:
    """A home that studied `hist` for six days from `start` (times to the microsecond, as a real
    clock gives them): ratings, undos, a bury, a suspend and its unsuspend, a forget of several
    cards at once (one action: one time) and cram ratings."""
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "hist.toml").write_text(deck_file_text(DECK), "utf-8")
    home = open_home({"RETAIN_HOME": str(root)})
    rnd = random.Random(seed)
    for day in range(6):
        at = start + timedelta(days=day, hours=rnd.randint(0, 5), microseconds=rnd.randint(1, 999_999))
        col = Collection.open(home, at)
        try:
            session = col.start_session(["hist"], at)
            for n in range(10):
                if session.refresh(at) is None:
                    break
                session.reveal()
                if day == 1 and n == 1:
                    session.bury(at)
                elif day == 2 and n == 0:
                    session.suspend(at)
                else:
                    session.rate(rnd.choice([1, 2, 3, 3, 4]), at, rnd.randint(800, 9000))
                    if rnd.random() < 0.15:
                        at += timedelta(seconds=20, microseconds=rnd.randint(1, 999))
                        session.undo(at)
                at += timedelta(minutes=rnd.randint(1, 9), microseconds=rnd.randint(1, 999_999))
            if day == 3:
                reset_progress(col, sorted(k for k, s in col.states.items() if not s.suspended)[:3], at)
                at += timedelta(minutes=1)
            if day == 4:
                cram = start_custom_session(col, CustomStudy("cram", deck_ids=("hist",)), at)
                for _ in range(2):
                    if cram.refresh(at) is None:
                        break
                    cram.reveal()
                    cram.rate(3, at, 1500)
                    at += timedelta(minutes=1, microseconds=rnd.randint(1, 999))
            if day == 5:
                set_suspended(col, [k for k, s in col.states.items() if s.suspended], False, at)
        finally:
            col.close(at)
    return home


def _start() -> datetime:
    """Ten days ago, at 9 in the morning UTC: the CLI runs on the real clock."""
    day = datetime.now(UTC).date() - timedelta(days=10)
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def _stats(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path) -> object:
    monkeypatch.setenv("RETAIN_HOME", str(root))
    code, out, err = run_cli(capsys, "stats", "--json", "--days", "all", "--deck", "hist")
    assert code == 0, err
    data = json.loads(out)
    data.pop("generated", None)
    return data


def _journal_lines(root: Path) -> int:
    return sum(
        len(p.read_text("utf-8").splitlines()) for p in (root / "state" / "devices").rglob("journal-*.toml")
    )


@pytest.mark.parametrize("suffix", [".apkg", ".toml"])
def test_importing_your_own_export_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """An .apkg's review log holds times to the millisecond, retain's journal to the microsecond:
    importing your own .apkg export back with its history recorded every review again (`recorded
    68 event(s)`), and `retain stats` then counted each review twice."""
    root = tmp_path / "a"
    _studied(root, _start())
    before = _stats(capsys, monkeypatch, root)
    lines = _journal_lines(root)
    out = tmp_path / f"hist{suffix}"
    code, _, err = run_cli(capsys, "export", "hist", "-o", str(out), "--with-progress")
    assert code == 0, err
    code, got, err = run_cli(capsys, "import", str(out), "--with-history")
    assert code == 0, err
    assert "recorded 0 event(s) of review history" in got, got
    assert _journal_lines(root) == lines
    assert _stats(capsys, monkeypatch, root) == before
    shutil.rmtree(root / "cache")
    assert _stats(capsys, monkeypatch, root) == before


def _due(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path) -> object:
    monkeypatch.setenv("RETAIN_HOME", str(root))
    code, out, err = run_cli(capsys, "due", "--json")
    assert code == 0, err
    return json.loads(out)


def _card_log(root: Path, ms: bool = False) -> dict[str, list[tuple[object, ...]]]:
    """Each card's log as the browser's card detail lists it (`History.card_reviews`), and its
    state; times to the millisecond with `ms` (an .apkg's precision)."""
    now = datetime.now(UTC)

    def at(t: datetime | None) -> datetime | None:
        return t.replace(microsecond=t.microsecond // 1000 * 1000) if ms and t else t

    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), now, read_only=True)
    try:
        out: dict[str, list[tuple[object, ...]]] = {}
        for key in sorted(col.units_by_key):
            if key.startswith("hist/"):
                rows = col.history_index.card_reviews(now, key)
                out[key] = [(at(r.time), r.kind, r.rating) for r in rows]
                state = col.states.get(key)
                out[key].append((state.state, at(state.due), state.suspended) if state else ("new",))
        return out
    finally:
        col.close(now)


def test_a_home_rebuilt_from_its_toml_export_is_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Home B made from A's `.toml --with-progress` export: the same stats, due counts and card
    logs (cram ratings and forgets included), also with B's cache deleted; a second import of
    the file changes nothing."""
    a, b = tmp_path / "a", tmp_path / "b"
    _studied(a, _start(), seed=3)
    monkeypatch.setenv("RETAIN_HOME", str(a))
    out = tmp_path / "hist.toml"
    assert run_cli(capsys, "export", "hist", "-o", str(out), "--with-progress")[0] == 0
    monkeypatch.setenv("RETAIN_HOME", str(b))
    code, got, err = run_cli(capsys, "import", str(out), "--with-history")
    assert code == 0 and "recorded 0" not in got, (got, err)
    want = (_stats(capsys, monkeypatch, a), _due(capsys, monkeypatch, a), _card_log(a))
    assert (_stats(capsys, monkeypatch, b), _due(capsys, monkeypatch, b), _card_log(b)) == want
    shutil.rmtree(b / "cache")
    assert (_stats(capsys, monkeypatch, b), _due(capsys, monkeypatch, b), _card_log(b)) == want
    lines = _journal_lines(b)
    monkeypatch.setenv("RETAIN_HOME", str(b))
    code, got, err = run_cli(capsys, "import", str(out), "--with-history")
    assert code == 0 and "recorded 0 event(s)" in got, (got, err)
    assert _journal_lines(b) == lines
    assert (_stats(capsys, monkeypatch, b), _due(capsys, monkeypatch, b), _card_log(b)) == want


@pytest.mark.parametrize("first", [".apkg", ".toml"])
def test_one_history_from_an_apkg_and_a_toml_counts_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], first: str
) -> None:
    """The same history exported to an .apkg and to a .toml, both imported into another home (in
    either order): each review is recorded once. The .toml's times (microseconds) and the
    .apkg's (milliseconds, the forgets of several cards at once on successive ones) did not
    match, so the second import recorded every review again and stats counted them twice."""
    a, b = tmp_path / "a", tmp_path / "b"
    _studied(a, _start(), seed=5)
    monkeypatch.setenv("RETAIN_HOME", str(a))
    for suffix in (".apkg", ".toml"):
        assert (
            run_cli(capsys, "export", "hist", "-o", str(tmp_path / f"hist{suffix}"), "--with-progress")[0]
            == 0
        )
    monkeypatch.setenv("RETAIN_HOME", str(b))
    second = ".toml" if first == ".apkg" else ".apkg"
    assert run_cli(capsys, "import", str(tmp_path / f"hist{first}"), "--with-history")[0] == 0
    code, got, err = run_cli(capsys, "import", str(tmp_path / f"hist{second}"), "--with-history")
    assert code == 0, err
    if first == ".toml":  # (an .apkg carries no cram ratings, suspends or buries: a .toml adds them)
        assert "recorded 0 event(s)" in got, got
    assert _stats(capsys, monkeypatch, b) == _stats(capsys, monkeypatch, a)
    assert _due(capsys, monkeypatch, b) == _due(capsys, monkeypatch, a)
    logs, wanted = _card_log(b, ms=True), _card_log(a, ms=True)
    assert logs.keys() == wanted.keys()
    for key, rows in wanted.items():  # (the forgets of several cards at once: successive milliseconds)
        assert len(logs[key]) == len(rows) and all(
            g[1:] == w[1:] and abs(g[0] - w[0]) < timedelta(milliseconds=50)
            if isinstance(g[0], datetime) and isinstance(w[0], datetime)
            else g == w
            for g, w in zip(logs[key], rows, strict=True)
        ), (key, logs[key], rows)


ANKI_ROUND_TRIP = r"""
import os, sys, tempfile
from anki.collection import (Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions,
    ImportAnkiPackageRequest)
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1],
    options=ImportAnkiPackageOptions(with_scheduling=True)))
col.export_anki_package(out_path=sys.argv[2], options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=True, with_media=False, legacy=sys.argv[3] == "legacy"),
    limit=None)
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="needs Anki in its own venv (RETAIN_ANKI_PYTHON)")
@pytest.mark.parametrize("layout", ["legacy", "current"])
def test_a_history_through_anki_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], layout: str
) -> None:
    """retain -> .apkg -> Anki (its import and export with scheduling) -> retain: a fresh home
    gets the same stats and due counts, and the home it came from records nothing again."""
    a, b = tmp_path / "a", tmp_path / "b"
    _studied(a, _start(), seed=11)
    monkeypatch.setenv("RETAIN_HOME", str(a))
    sent, back = tmp_path / "hist.apkg", tmp_path / "anki.apkg"
    assert run_cli(capsys, "export", "hist", "-o", str(sent), "--with-progress")[0] == 0
    run_anki(tmp_path, ANKI_ROUND_TRIP, str(sent), str(back), layout)
    want = (_stats(capsys, monkeypatch, a), _due(capsys, monkeypatch, a))
    code, got, err = run_cli(capsys, "import", str(back), "--with-history")
    assert code == 0 and "recorded 0 event(s)" in got, (got, err)
    assert (_stats(capsys, monkeypatch, a), _due(capsys, monkeypatch, a)) == want
    monkeypatch.setenv("RETAIN_HOME", str(b))
    code, got, err = run_cli(capsys, "import", str(back), "--with-history")
    assert code == 0, err
    assert (_stats(capsys, monkeypatch, b), _due(capsys, monkeypatch, b)) == want


def by_key(pairs: list[tuple[str, int]]) -> dict[str, list[int]]:
    """(key, µs) pairs as `History.times_of` gives them: per key, its times oldest first."""
    out: dict[str, list[int]] = {}
    for key, us in sorted(pairs):
        out.setdefault(key, []).append(us)
    return out


class _HeldBefore:
    """`progress_io._Held` as it was, on a set of (key, µs) pairs: every event at once, ~150 bytes
    a held time. The reference for the array-based one."""

    def __init__(self, have: set[tuple[str, int]], todo: list[Review]) -> None:
        self.have = have
        self.ms: dict[str, list[int]] = {}
        self.whole: dict[str, list[int]] = {}
        for key, t in have:
            self.ms.setdefault(key, []).append(t // 1000)
            if t % 1000 == 0:
                self.whole.setdefault(key, []).append(t // 1000)
        for times in (*self.ms.values(), *self.whole.values()):
            times.sort()
        incoming = (us // 1000 for us in (micros(r.time) for r in todo) if us % 1000 == 0)
        used = sorted({*incoming, *(t for times in self.whole.values() for t in times)})
        self.run: dict[int, int] = {}
        prev = None
        for ms in used:
            if prev == ms - 1:
                self.run[ms] = self.run.get(prev, prev)
            prev = ms

    def __call__(self, key: str, us: int) -> bool:
        if (key, us) in self.have:
            return True
        ms = us // 1000
        times = self.ms.get(key)
        if us % 1000 == 0 and times:
            i = bisect.bisect_right(times, ms)
            if i and times[i - 1] >= self.run.get(ms, ms):
                return True
        whole = self.whole.get(key)
        i = bisect.bisect_left(whole, ms) if whole else 0
        return whole is not None and i < len(whole) and self.run.get(whole[i], whole[i]) <= ms


_US_NEAR = st.integers(10**15, 10**15 + 40_000).map(lambda us: us // 1000 * 1000 if us % 3 else us)


@settings(max_examples=300, deadline=None)
@given(
    have=st.lists(st.tuples(st.sampled_from(["d/a", "d/b", "d/c"]), _US_NEAR), max_size=40, unique=True),
    incoming=st.lists(st.tuples(st.sampled_from(["d/a", "d/b", "d/c", "d/e"]), _US_NEAR), max_size=40),
)
def test_the_held_rule_on_arrays_decides_as_it_did_on_a_set_of_pairs(
    have: list[tuple[str, int]], incoming: list[tuple[str, int]]
) -> None:
    """Held times per card in arrays (8 bytes each; a forced re-import of a 1,000,000-row log held
    them as tuples, at 897 MB): every event, held or not, is decided as before. Times crowd into
    40 ms, most of them whole milliseconds, so runs of milliseconds are common."""
    from retain.interop.progress_io import _Held

    def review(key: str, us: int) -> Review:
        return Review(key, datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us), None, None)

    todo = [review(k, us) for k, us in incoming]
    new, old = _Held(by_key(have), todo), _HeldBefore(set(have), todo)
    assert bool(new) == bool(have)
    if have:
        for key, us in [
            *incoming,
            *have,
            *((k, us + 1000) for k, us in have),
            *((k, us - 1) for k, us in have),
        ]:
            assert new(key, us) == old(key, us), (key, us)


@settings(max_examples=60, deadline=None)
@given(
    times=st.lists(
        st.tuples(st.sampled_from(["d/a", "d/b", "d/c", "d/e"]), st.integers(10**15, 10**15 + 5 * 10**6)),
        max_size=30,
        unique=True,
    ),
    later=st.integers(1_000_000, 10**9),
)
def test_a_history_to_the_millisecond_is_held_by_the_same_one_to_the_microsecond(
    times: list[tuple[str, int]], later: int
) -> None:
    """The class behind the duplicates: events held to the microsecond and the same events as an
    .apkg gives them back (to the millisecond, a time already used taking the next free one),
    either side held: each is held; an event of a card a second or more after its last is not."""
    from retain.interop.progress_io import _Held

    def review(key: str, us: int) -> Review:
        return Review(key, datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us), None, None)

    used: set[int] = set()
    package: list[tuple[str, int]] = []
    for key, us in sorted(times, key=lambda kt: kt[1]):  # (the exporter's revlog ids)
        ms = us // 1000
        while ms in used:
            ms += 1
        used.add(ms)
        package.append((key, ms * 1000))
    for have, incoming in ((times, package), (package, times)):
        held = _Held(by_key(have), [review(k, us) for k, us in incoming])
        assert all(held(key, us) for key, us in incoming)
    last = {key: max(us for k, us in [*times, *package] if k == key) for key, _ in times}
    for key, us in last.items():
        held = _Held(by_key(times), [review(key, us + later)])
        assert not held(key, us + later) and not held(key, (us + later) // 1000 * 1000)


def test_an_import_stopped_while_its_history_is_recorded_says_what_went_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C (or SIGTERM) while the history is recorded: the decks are in, the history is taken
    back whole. It exited 130 saying nothing; now one line says so and what to do."""
    import retain.commands.import_ as import_cmd
    from retain.interop.progress import TerminalProgress

    class Interrupted(TerminalProgress):
        def __call__(self, stage: str, done: int, total: int) -> None:
            if stage == "review history" and done:
                raise KeyboardInterrupt  # as Ctrl-C there
            super().__call__(stage, done, total)

    _studied(tmp_path / "a", _start())
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "a"))
    sent = tmp_path / "hist.apkg"
    code, _, err = run_cli(capsys, "export", "hist", "-o", str(sent), "--with-progress")
    assert code == 0, err
    other = tmp_path / "b"
    (other / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(other))
    monkeypatch.setattr(import_cmd, "TerminalProgress", Interrupted)
    code, _, err = run_cli(capsys, "import", str(sent), "--with-history")
    assert code == 130
    assert [line for line in err.splitlines() if "stopped" in line] == [
        "retain: import stopped: the decks are imported (hist), their review history was not recorded: "
        "import again with --with-history to add it"
    ]
    assert (other / "decks" / "hist.toml").is_file()
    assert _journal_lines(other) == 0 or not any((other / "state" / "devices").rglob("journal-*.toml"))
    monkeypatch.setattr(import_cmd, "TerminalProgress", TerminalProgress)
    code, got, err = run_cli(capsys, "import", str(sent), "--with-history")
    assert code == 0, err
    assert "recorded 0 event(s)" not in got and "recorded" in got, got
