"""The history index (store/index): order-proof answers, incremental feeding, and bad index files."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.due import DayLog
from retain.core.state import NEW, REVIEW, CardState, Event
from retain.core.stats import activity_from_events, today_progress
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.index.db import INDEX_NAME
from retain.store.index.derive import BATCH_COLUMNS
from retain.store.state.journal import JournalWriter

DAY = StudyDay(4, UTC)


def _history(root: Path) -> History:
    return History(root / "state", root / "cache", DAY)


def _write(root: Path, events: list[Event], device: str = "aaaaaaaaaaaa") -> None:
    """Append `events` to a device's journal in the order given (not necessarily time order)."""
    writer = JournalWriter(root / "state" / "devices" / device, fsync=False)
    for event in events:
        writer.append(event)
    writer.close()


def _review(n: int, key: str, at: datetime, before: CardState | None, rating: int = 3) -> Event:
    after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 1, 0)
    return Event(f"aaaaaaaaaaaa-{n:019d}-{n}", "review", key, at, after, before, rating, 1000)


# -- the reproduction of issue 10: imported past events after today's events ---------------------


def test_past_events_appended_after_todays_do_not_hide_them(tmp_path: Path) -> None:
    today = [_review(i, KEYS[i], NOW - timedelta(hours=1) + timedelta(minutes=i), None) for i in range(3)]
    past = [_review(10 + i, KEYS[3], NOW - timedelta(days=40 - i), None) for i in range(5)]
    _write(tmp_path, today + past)  # file order: today first, then an older imported log
    history = _history(tmp_path)
    log = history.day_log(NOW)
    assert log.new_seen == {"tiny": 3}
    assert log == DayLog.from_events(today + past, DAY.start(NOW))
    assert history.progress(NOW) == (3, 1) == today_progress(today + past, NOW, 4, UTC)


def test_due_and_stats_count_todays_new_cards_after_an_older_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Export with progress after reviews today, import it with history elsewhere, then an older
    .apkg log, with new_per_day = 5: `retain due` shows 1 new (not 5), `stats` 4 reviews today."""
    from retain.cli import main

    deck = 'format = 1\n[deck]\nid = "t"\nname = "T"\n' + "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}?"\nback = "A{i}"\n' for i in range(8)
    )
    first = tmp_path / "first"
    home = make_home(first, deck)
    now = datetime.now(UTC)
    from retain.store.localzone import local_timezone

    # The reviews fall in today's study day even just after the 4 am rollover (the CLI reads the clock).
    start = max(now - timedelta(minutes=10), StudyDay(4, local_timezone()).start(now))
    col = open_col(home, now)
    for i in range(4):
        rate(col, f"t/c{i}", start + (now - start) * i / 5)
    col.close(now)
    monkeypatch.setenv("RETAIN_HOME", str(first))
    assert main(["export", "t", "-o", str(tmp_path / "t.toml"), "--with-progress"]) == 0
    second = tmp_path / "second"
    monkeypatch.setenv("RETAIN_HOME", str(second))
    assert main(["import", str(tmp_path / "t.toml"), "--with-history"]) == 0
    fixture = Path(__file__).resolve().parent.parent / "fixtures" / "anki" / "layout-latest.apkg"
    assert main(["import", str(fixture), "--with-history"]) == 0
    (second / "config.toml").write_text("[decks.t]\nnew_per_day = 5\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["due", "--json"]) == 0
    due = json.loads(capsys.readouterr().out)
    assert next(d for d in due["decks"] if d["id"] == "t")["new"] == 1
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert next(d for d in stats["decks"] if d["deck_id"] == "t")["reviews_today"] == 4


def test_undo_target_is_the_last_written_not_the_newest_by_time(tmp_path: Path) -> None:
    """The second rating was made after the first though dated 5 hours before it (the clock was
    set back between them): undo takes back what was done last (tests/store/test_h21_undo_write_order.py)."""
    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, KEYS[0], NOW)
    last = rate(col, KEYS[1], NOW - timedelta(hours=5))  # recorded later, dated earlier
    assert col.last_undoable(NOW + timedelta(minutes=1)) == last
    col.close(NOW)


# -- the index agrees with the reference computations over any order of events -----------------

_keys = st.sampled_from(KEYS)
_minutes = st.integers(min_value=-60 * 24 * 20, max_value=0)


@st.composite
def _events(draw: st.DrawFn) -> list[Event]:
    out: list[Event] = []
    for n in range(draw(st.integers(0, 40))):
        at = NOW + timedelta(minutes=draw(_minutes))
        if out and draw(st.integers(0, 6)) == 0:
            target = draw(st.sampled_from(out))
            if target.kind == "review":  # an undo comes after what it takes back
                when = min(NOW, target.time + timedelta(minutes=draw(st.integers(0, 600))))
                out.append(
                    Event(
                        f"aaaaaaaaaaaa-{n:019d}-{n}",
                        "undo",
                        target.key,
                        when,
                        target.before,
                        target.after,
                        undoes=target.id,
                    )
                )
                continue
        before = draw(
            st.sampled_from(
                [
                    None,
                    CardState(REVIEW, None, 3.0, 5.0, at, at - timedelta(days=30), 3, 0),
                    CardState(REVIEW, None, 3.0, 5.0, at, at - timedelta(days=2), 3, 0),
                    CardState(NEW),
                ]
            )
        )
        out.append(_review(n, draw(_keys), at, before, draw(st.integers(1, 4))))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=_events(), split=st.integers(0, 40))
def test_index_answers_like_the_reference_in_any_file_order(
    tmp_path_factory: pytest.TempPathFactory, events: list[Event], split: int
) -> None:
    root = tmp_path_factory.mktemp("h")
    _write(root, events[:split])
    history = _history(root)
    history.refresh(NOW)  # fed in two steps: the second one incremental
    _write(root, events[split:])
    assert history.day_log(NOW) == DayLog.from_events(events, DAY.start(NOW))
    assert history.progress(NOW) == today_progress(events, NOW, 4, UTC)
    expected = activity_from_events(events, NOW, DAY)
    got = history.activity(NOW)
    assert {k: (frozenset(a.days), a.today, a.passed, a.judged) for k, a in got.items()} == {
        k: (a.days, a.today, a.passed, a.judged) for k, a in expected.items()
    }
    history.close()
    fresh = _history(root)  # the same from a second process's point of view
    assert fresh.progress(NOW) == today_progress(events, NOW, 4, UTC)
    fresh.close()


# -- bad index files -----------------------------------------------------------------------------


def _studied(root: Path) -> tuple[int, int]:
    home = make_home(root)
    col = open_col(home)
    for i, key in enumerate(KEYS):
        rate(col, key, NOW - timedelta(minutes=i))
    expected = col.progress(NOW)
    col.close(NOW)
    return expected


@pytest.mark.parametrize(
    "damage",
    ["garbage", "truncated", "emptied", "foreign", "newer"],
)
def test_a_bad_index_file_is_rebuilt_never_trusted(tmp_path: Path, damage: str) -> None:
    expected = _studied(tmp_path)
    assert expected == (5, 1)
    path = tmp_path / "cache" / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"\x00not a database\xff" * 500)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:1500])
    elif damage == "emptied":  # cut to no bytes (h35: it was rebuilt without a word)
        path.write_bytes(b"")
        os.utime(path, (time.time() - 60, time.time() - 60))  # (h36: one made just now is a peer's)
    elif damage == "foreign":
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE events (x)")
        db.execute("INSERT INTO events VALUES (1)")
        db.commit()
        db.close()
    else:
        db = sqlite3.connect(path)
        db.execute("PRAGMA user_version = 99")
        db.execute("DELETE FROM events")  # a newer retain's content must never be read as ours
        db.commit()
        db.close()
    history = _history(tmp_path)
    assert history.progress(NOW) == expected
    said = [m for m in history.messages if "rebuilt" in m]
    assert len(said) == 1 and "\n" not in said[0]  # one line, whatever the damage


@pytest.mark.parametrize("damage", ["garbage", "emptied", "foreign", "newer"])
@pytest.mark.parametrize("command", [["stats"], ["stats", "--json"], ["due", "--json"]])
def test_the_user_is_told_the_index_was_rebuilt(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    damage: str,
    command: list[str],
) -> None:
    """The commands printed their messages after closing the collection, which had dropped the
    index's: a damaged index was rebuilt without a word. One warning line on stderr now."""
    from retain.cli import main

    _studied(tmp_path)
    path = tmp_path / "cache" / INDEX_NAME
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if damage == "garbage":
        path.write_bytes(b"\x00not a database\xff" * 500)
    elif damage == "emptied":
        path.write_bytes(b"")
        os.utime(path, (time.time() - 60, time.time() - 60))
    else:
        path.unlink()
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE notes (x)" if damage == "foreign" else "CREATE TABLE events (x)")
        db.execute(f"PRAGMA user_version = {0 if damage == 'foreign' else 99}")
        db.commit()
        db.close()
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    capsys.readouterr()
    assert main(command) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "history index" in line]
    assert len(lines) == 1 and "rebuilt" in lines[0], err
    assert main(command) == 0
    assert "history index" not in capsys.readouterr().err  # said once: the next run finds it sound


def _answers(history: History) -> tuple[object, ...]:
    return (
        history.count(NOW),
        history.progress(NOW),
        sorted((d, sorted(a.days), a.today, a.passed, a.judged) for d, a in history.activity(NOW).items()),
        history.reviews(NOW),
        history.day_rows(NOW),
        list(history.card_events(NOW)),
    )


def _studied_long(root: Path) -> tuple[object, ...]:
    """A year of daily reviews in six decks: every table spans several pages."""
    events: list[Event] = []
    for day in range(300):
        for deck in range(6):
            n = len(events) + 1
            at = NOW - timedelta(days=day, minutes=deck)
            events.append(_review(n, f"d{deck}/{KEYS[n % 5].partition('/')[2]}", at, None, 1 + n % 4))
    _write(root, events)
    history = _history(root)
    expected = _answers(history)
    history.close()
    return expected


@pytest.mark.parametrize(
    ("table", "garbage"),
    [
        ("daily", "ff"),
        ("events", "ff"),
        ("events_t", "ff"),
        ("events_key", "ff"),
        ("daily", "random"),
        ("events", "random"),
    ],
)
def test_damage_a_query_meets_is_rebuilt_with_one_line(tmp_path: Path, table: str, garbage: str) -> None:
    """A damaged page deep in the file passes the checks made on opening; the query that met it
    raised "database disk image is malformed" (or read a value the index never wrote: a
    TypeError, a bad ordinal, text that is not UTF-8) on every run from then on."""
    expected = _studied_long(tmp_path)
    path = tmp_path / "cache" / INDEX_NAME
    db = sqlite3.connect(path)
    size = db.execute("PRAGMA page_size").fetchone()[0]
    page = db.execute(
        "SELECT max(pageno) FROM dbstat WHERE name = ? AND pagetype = 'leaf'", (table,)
    ).fetchone()[0]
    db.close()
    data = bytearray(path.read_bytes())
    rng = random.Random(page)
    junk = b"\xff" * size if garbage == "ff" else bytes(rng.randrange(256) for _ in range(size))
    data[(page - 1) * size : page * size] = junk
    path.write_bytes(bytes(data))
    history = _history(tmp_path)
    assert _answers(history) == expected
    said = [m for m in history.messages if "history index" in m]
    assert len(said) == 1 and "damaged" in said[0] and "\n" not in said[0], history.messages
    history.close()
    again = _history(tmp_path)
    assert _answers(again) == expected and again.messages == []
    again.close()


_OPEN_AT = r"""
import sys, time
from pathlib import Path
from retain.store.index.db import connect
start = float(sys.argv[2])
while time.time() < start:
    pass
db, fresh, message = connect(Path(sys.argv[1]))
print(repr(message))
"""


@pytest.mark.slow
def test_first_opens_at_once_say_nothing_and_share_one_file(tmp_path: Path) -> None:
    """`retain due` and the TUI (or `retain stats`) opening a missing index at the same moment:
    each took the other's half-made file for a damaged or foreign one and replaced it under
    it, or fell back to memory ("UNIQUE constraint failed: meta.k"). One creates it now."""
    for trial in range(5):
        cache = tmp_path / str(trial)
        cache.mkdir()
        start = time.time() + 1.0
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _OPEN_AT, str(cache), str(start)], stdout=subprocess.PIPE, text=True
            )
            for _ in range(4)
        ]
        said = [p.communicate(timeout=60)[0].strip() for p in procs]
        assert said == ["''"] * 4, (trial, said)


def test_an_unwritable_cache_falls_back_to_memory(tmp_path: Path) -> None:
    expected = _studied(tmp_path)
    cache = tmp_path / "cache"
    for p in sorted(cache.rglob("*"), reverse=True):
        p.unlink() if p.is_file() else p.rmdir()
    cache.rmdir()
    cache.write_text("a file where the cache folder should be")
    history = _history(tmp_path)
    assert history.progress(NOW) == expected
    assert any("temporary" in m for m in history.messages)


_FULL_DISK = r"""
import resource, signal, sys
from datetime import UTC, datetime
from pathlib import Path
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.state.recordfast import IndexCols
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
root = Path(sys.argv[1])
h = History(root / "state", root / "cache", StudyDay(4, UTC))
print(h.count(datetime(2026, 3, 28, 12, 0, tzinfo=UTC)), h.messages)
"""


@pytest.mark.slow
def test_a_full_disk_while_the_index_is_written_loses_nothing(tmp_path: Path) -> None:
    events = [_review(i, KEYS[i % 5], NOW - timedelta(minutes=i), None) for i in range(400)]
    _write(tmp_path, events)
    out = subprocess.run(
        [sys.executable, "-c", _FULL_DISK, str(tmp_path)], capture_output=True, text=True, check=True
    ).stdout
    assert out.startswith("400 ") and "temporary" in out


_FEED = r"""
import sys
from datetime import UTC, datetime
from pathlib import Path
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.state.recordfast import IndexCols
root = Path(sys.argv[1])
now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
for _ in range(5):
    h = History(root / "state", root / "cache", StudyDay(4, UTC))
    print(h.count(now), h.progress(now), flush=True)
    h.close()
"""


@pytest.mark.slow
def test_two_processes_feeding_the_index_at_once_agree(tmp_path: Path) -> None:
    events = [_review(i, KEYS[i % 5], NOW - timedelta(minutes=i), None) for i in range(3000)]
    _write(tmp_path, events)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _FEED, str(tmp_path)], stdout=subprocess.PIPE, text=True, env=env
        )
        for _ in range(3)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert all(p.returncode == 0 for p in procs)
    expected = f"3000 {today_progress(events, NOW, 4, UTC)}"
    for out in outputs:
        assert out.splitlines() == [expected] * 5


def test_appended_events_are_read_incrementally_and_a_rewritten_file_again(tmp_path: Path) -> None:
    first = [_review(i, KEYS[0], NOW - timedelta(days=3 - i), None) for i in range(3)]
    _write(tmp_path, first)
    history = _history(tmp_path)
    assert history.count(NOW) == 3
    _write(tmp_path, [_review(9, KEYS[1], NOW, None)])
    assert history.count(NOW) == 4
    journal = next((tmp_path / "state" / "devices").glob("*/journal-*.toml"))
    data = journal.read_bytes()
    journal.unlink()
    journal.write_bytes(data)  # the same bytes under a new inode: read again, no duplicates
    assert history.count(NOW) == 4
    journal.unlink()
    assert history.count(NOW) == 0
    assert history.progress(NOW) == (0, 0)


def test_a_history_import_skips_states_the_store_would_refuse(tmp_path: Path) -> None:
    """An Anki interval of centuries made `import --with-history` end in a StateError traceback."""
    from retain.interop.bundle import Review
    from retain.interop.progress_io import collection_record_history

    home = make_home(tmp_path)
    col = open_col(home)
    at = NOW - timedelta(days=3)
    fine = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 1, 0)
    absurd = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=365 * 500), at, 1, 0)
    reviews = [
        Review(KEYS[0], at, fine, None, "review", 3, 1000),
        Review(KEYS[1], at, absurd, None, "review", 3, 1000),
    ]
    assert collection_record_history(col, reviews, NOW)[:2] == (1, 0)
    assert col.history_index.count(NOW) == 1
    col.close(NOW)


# -- a cold build in worker processes gives the same index as one in this process ------------------


def _dump(root: Path) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    db = sqlite3.connect(root / "cache" / INDEX_NAME)
    try:
        events = db.execute("SELECT * FROM events ORDER BY file, off").fetchall()
        daily = db.execute("SELECT * FROM daily ORDER BY deck, day").fetchall()
        files = {i: (d, n) for i, d, n in db.execute("SELECT id, device, name FROM files")}
    finally:
        db.close()
    # file ids depend on the order files were registered: compare by (device, name)
    return [(files[row[0]], *row[1:]) for row in events], daily


def _types(root: Path) -> set[tuple[object, ...]]:
    columns = ", ".join(f"typeof({c})" for c in BATCH_COLUMNS.split(", "))
    db = sqlite3.connect(root / "cache" / INDEX_NAME)
    try:
        return set(db.execute(f"SELECT DISTINCT {columns} FROM events").fetchall())
    finally:
        db.close()


def test_parallel_cold_build_equals_the_serial_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retain.store.index import parallel

    events = []
    start = NOW - timedelta(days=70)
    for n in range(1, 1200):
        at = start + timedelta(hours=n)
        events.append(_review(n, KEYS[n % len(KEYS)], at, None, rating=1 + n % 4))
    undo = events[-2]
    events.append(
        Event(
            "aaaaaaaaaaaa-0000000000000009999-9999", "undo", undo.key, NOW, None, undo.after, undoes=undo.id
        )
    )
    serial, threaded = tmp_path / "serial", tmp_path / "parallel"
    for root in (serial, threaded):
        _write(root, events[:600], device="aaaaaaaaaaaa")
        _write(root, events[600:], device="bbbbbbbbbbbb")
    history = _history(serial)
    history.refresh(NOW)
    history.close()
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 8 << 10)  # many chunks per file
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    biggest = max((threaded / "state").rglob("journal-*.toml"), key=lambda p: p.stat().st_size)
    assert len(parallel.chunks(biggest, 0, biggest.stat().st_size)) > 3
    seen: list[int] = []
    real_scan = parallel.scan_chunks

    def counting(
        todo: list[parallel.Chunk], now: datetime, processes: int, day: StudyDay | None = None
    ) -> Iterator[parallel.Result]:
        seen.append(processes)
        assert day is not None  # the workers derive days and sums too
        for end, torn, cols, derived, bad in real_scan(todo, now, processes, day):
            assert derived is not None and derived.rows is not None and not cols.t  # and make the rows
            yield end, torn, cols, derived, bad

    monkeypatch.setattr(parallel, "scan_chunks", counting)
    history = _history(threaded)
    history.refresh(NOW)
    assert seen == [2]
    assert history.day_log(NOW) == _history(serial).day_log(NOW)
    history.close()
    assert _dump(threaded) == _dump(serial)
    assert len(_dump(serial)[0]) == len(events)
    assert _types(threaded) == _types(serial)  # packed rows keep each value's type (a float stays one)


def test_a_cold_build_without_a_real_stderr_reads_in_this_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Inside the TUI, stderr is captured (no file descriptor): spawning workers fails; the build goes on."""
    import io

    from retain.store.index import parallel

    class Captured(io.StringIO):
        def fileno(self) -> int:
            return -1

    events = [_review(n, KEYS[n % len(KEYS)], NOW - timedelta(hours=n), None) for n in range(1, 400)]
    _write(tmp_path, events)
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 8 << 10)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    monkeypatch.setattr(sys, "stderr", Captured())
    history = _history(tmp_path)
    try:
        history.refresh(NOW)
        assert len(history.reviews(NOW)) == len(events)
    finally:
        history.close()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=_events(), other=_events(), crlf=st.booleans(), deck=st.sampled_from(["tiny", "other"]))
def test_events_of_a_deck_are_the_records_a_whole_scan_finds(
    tmp_path_factory: pytest.TempPathFactory, events: list[Event], other: list[Event], crlf: bool, deck: str
) -> None:
    """`events(decks=)` decodes only the deck's records (export read every month file whole for
    them: 3.5 s and 370 MB at 50k cards); it gives exactly what a scan of every file gives."""
    from dataclasses import replace

    from retain.store.state.journal import scan_file

    root = tmp_path_factory.mktemp("h")
    moved = [
        replace(e, key="other/" + e.key.split("/", 1)[1], id=e.id.replace("aaaa", "bbbb", 1)) for e in other
    ]
    _write(root, events)
    _write(root, moved, device="bbbbbbbbbbbb")
    journals = sorted((root / "state" / "devices").glob("*/journal-*.toml"))
    if crlf:  # git autocrlf: still read, each record by its own offset
        for path in journals:
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    history = _history(root)
    got = history.events(NOW, decks=[deck])
    history.close()
    everything = [e for path in journals for _pos, e in scan_file(path, 0, NOW).events]
    expected = [e for e in everything if e.key.startswith(f"{deck}/")]
    assert sorted(got, key=lambda e: e.id) == sorted(expected, key=lambda e: e.id)
    assert [e.time for e in got] == sorted(e.time for e in got)


# -- damaged records: left out of the history, and said (once per file) -----------------------------


def _damage(path: Path, nth: list[int], hostile: bool = False) -> list[int]:
    """Damage the `nth` records of `path` in place (a wrong rating: the CRC no longer matches; with
    `hostile`, a NaN stability under a matching CRC); return their offsets."""
    import zlib

    lines = path.read_bytes().split(b"\n")
    first = next(i for i, line in enumerate(lines) if line[:1].isdigit())
    offsets = []
    for n in nth:
        i = first + n
        line = lines[i].replace(b",r=3,", b",r=4,", 1)
        if hostile:
            body = lines[i][: lines[i].rindex(b'c="')].replace(b"S=3.0", b"S=nan")
            line = body + b'c="%08x"}' % zlib.crc32(body)
        lines[i] = line
        offsets.append(sum(len(x) + 1 for x in lines[:i]))
    path.write_bytes(b"\n".join(lines))
    return offsets


def _said(history: History) -> list[str]:
    return [m for m in history.messages if "damaged" in m]


def test_damaged_records_are_left_out_with_one_line_per_file(tmp_path: Path) -> None:
    events = [_review(n, KEYS[n % len(KEYS)], NOW - timedelta(hours=n), None) for n in range(1, 30)]
    _write(tmp_path, events[:20])
    _write(tmp_path, events[20:], device="bbbbbbbbbbbb")
    mine, theirs = sorted((tmp_path / "state" / "devices").glob("*/journal-*.toml"))
    bad = _damage(mine, [3, 7, 8])
    hostile = _damage(theirs, [2], hostile=True)
    history = _history(tmp_path)
    assert history.count(NOW) == len(events) - 4
    assert _said(history) == [
        f"aaaaaaaaaaaa/{mine.name}: 3 damaged record(s) at bytes {bad[0]}, {bad[1]}, {bad[2]} left out"
        " of the history; the file is unchanged",
        f"bbbbbbbbbbbb/{theirs.name}: 1 damaged record(s) at byte {hostile[0]} left out of the history;"
        " the file is unchanged",
    ]
    _write(tmp_path, [_review(99, KEYS[0], NOW, None)])  # read on: nothing new to say
    assert history.count(NOW) == len(events) - 3 and len(_said(history)) == 2
    copy = mine.with_name("copy")
    copy.write_bytes(mine.read_bytes())
    copy.replace(mine)  # the same bytes under another inode: read again, still said once
    assert history.count(NOW) == len(events) - 3 and len(_said(history)) == 2
    history.close()


def test_a_parallel_cold_build_says_so_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from retain.store.index import parallel

    events = [_review(n, KEYS[n % len(KEYS)], NOW - timedelta(hours=n), None) for n in range(1, 400)]
    _write(tmp_path, events)
    (path,) = (tmp_path / "state" / "devices").glob("*/journal-*.toml")
    bad = _damage(path, [5, 390])  # in the first chunk and in the last
    monkeypatch.setattr(parallel, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", 8 << 10)
    monkeypatch.setattr(parallel, "workers", lambda: 2)
    assert len(parallel.chunks(path, 0, path.stat().st_size)) > 3
    history = _history(tmp_path)
    assert history.count(NOW) == len(events) - 2
    assert _said(history) == [
        f"aaaaaaaaaaaa/{path.name}: 2 damaged record(s) at bytes {bad[0]}, {bad[1]} left out of the"
        " history; the file is unchanged"
    ]
    history.close()


def test_stats_and_export_say_a_damaged_record_was_left_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After deleting cache/ (always safe) a record damaged in place was dropped without a word."""
    import shutil

    from retain.cli import main

    _studied(tmp_path)
    (path,) = (tmp_path / "state" / "devices").glob("*/journal-*.toml")
    (at,) = _damage(path, [1])
    shutil.rmtree(tmp_path / "cache")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    said = (
        f"retain: warning: {path.parent.name}/{path.name}: 1 damaged record(s) at byte {at} left out of"
        " the history; the file is unchanged"
    )
    capsys.readouterr()
    assert main(["stats", "--json"]) == 0
    assert capsys.readouterr().err.splitlines() == [said]
    shutil.rmtree(tmp_path / "cache")
    out = tmp_path / "out.toml"
    assert main(["export", "tiny", "-o", str(out), "--with-progress"]) == 0
    assert said in capsys.readouterr().err.splitlines()
    assert (tmp_path / "out.progress.toml").read_text().count("[[review]]") == 4
