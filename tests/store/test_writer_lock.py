"""The single-writer lock's info file (`state/writer.toml`) is anyone's to write: it never stops a
second instance from opening read-only, and only well-typed fields reach the message."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate
from textual.app import App
from textual.widgets import Static

from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.state.lock import WriterLock

# A real second retain: opens the progress as the writer, records one review, says READY, waits.
WRITER = textwrap.dedent(
    """
    import sys, time
    from datetime import UTC, datetime
    from retain.core.state import REVIEW, CardState, Event
    from retain.store.collection import Collection
    from retain.store.home import open_home

    now = datetime.now(UTC)
    col = Collection.open(open_home(), now, tz=UTC)
    if col.read_only:
        print("READONLY", flush=True)
        sys.exit(0)
    after = CardState(state=REVIEW, stability=3.0, difficulty=5.0, due=now, last_review=now, reps=1, lapses=0)
    col.record(Event(col.new_event_id(now), "review", "tiny/one", now, after, None, 3, 1000))
    print("READY", flush=True)
    time.sleep(60)
    """
)


def _start_writer(root: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RETAIN_HOME": str(root)}
    proc = subprocess.Popen([sys.executable, "-c", WRITER], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "READY"
    return proc


def _kill(proc: subprocess.Popen[str]) -> None:
    """kill -9, as a crash or a closed terminal window does."""
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def _open_now(root: Path) -> Collection:
    return Collection.open(open_home({"RETAIN_HOME": str(root)}), datetime.now(UTC), tz=UTC)


@pytest.mark.parametrize("pid", ["inf", "[1]", "nan", "true", '"12"', "1e400", "-3", "99999999999999999999"])
def test_a_hostile_writer_toml_opens_the_second_instance_read_only(tmp_path: Path, pid: str) -> None:
    """`pid = inf` (or `pid = [1]`) ended the second instance in a traceback (int() raised
    OverflowError/TypeError, only ValueError/KeyError were caught)."""
    home = make_home(tmp_path)
    first = open_col(home)
    try:
        (tmp_path / "state" / "writer.toml").write_text(f'pid = {pid}\nhost = "x"\n')
        second = open_col(make_home(tmp_path))
        try:
            assert second.read_only
            assert second.messages[0].startswith("another retain (a process on x) is writing the progress")
        finally:
            second.close()
    finally:
        first.close()


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ('pid = 123\nhost = "box"\nsince = 2026-03-28T12:00:00Z\n', "pid 123 on box"),
        ("pid = 123\nhost = 7\n", "pid 123"),
        ('pid = 123\nhost = ["box"]\n', "pid 123"),
        ('pid = 123\nhost = "evil\\nretain: all good\\u001b[2J"\n', "pid 123 on evilretain: all good[2J"),
        ('pid = 123\nhost = "' + "h" * 200 + '"\n', "pid 123 on " + "h" * 60),
        ("pid = 123\n", "pid 123"),
        ('host = "box"\n', "a process on box"),
        ("pid = " + "[" * 3000 + "]" * 3000 + "\n", "another process"),  # RecursionError in tomllib
        ("pid = 1\n" + "# " + "x" * 10_000 + "\n", "another process"),  # not a writer.toml retain wrote
        ("\0\0\0", "another process"),
        ("", "another process"),
    ],
)
def test_only_well_typed_fields_of_writer_toml_are_shown(tmp_path: Path, text: str, said: str) -> None:
    lock = WriterLock(tmp_path)
    (tmp_path / "writer.toml").write_text(text, encoding="utf-8")
    assert lock.holder() == said


def test_writer_toml_that_is_not_text_or_not_there(tmp_path: Path) -> None:
    lock = WriterLock(tmp_path)
    assert lock.holder() == "another process"
    (tmp_path / "writer.toml").write_bytes(b'pid = 5\nhost = "\xff"\n')
    assert lock.holder() == "another process"
    (tmp_path / "writer.toml").unlink()
    (tmp_path / "writer.toml").mkdir()
    assert lock.holder() == "another process"


def test_a_reader_takes_over_once_the_writer_has_closed(tmp_path: Path) -> None:
    """A second retain stayed read-only for its whole run: the learner closed the first one and
    still had to restart the second to study there. It now takes the lock over, with the states
    read again under it (the first retain's last ratings included), and records."""
    first = open_col(make_home(tmp_path))
    second = open_col(make_home(tmp_path))
    try:
        assert second.read_only
        assert not second.take_over(NOW)  # the first still writes: nothing changes
        assert second.read_only and any("opened read-only" in m for m in second.messages)
        rated = rate(first, "tiny/one", NOW).after  # after the second read the states
        first.close(NOW)
        assert second.take_over(NOW + timedelta(minutes=1))
        assert second.writer.device is not None  # a writer now (`read_only` was narrowed above)
        assert not any("opened read-only" in m for m in second.messages)
        assert second.states["tiny/one"] == rated  # the first's rating, read with the lock held
        rate(second, "tiny/two", NOW + timedelta(minutes=2))
        third = open_col(make_home(tmp_path))
        try:
            assert third.read_only  # never two writers
        finally:
            third.close(NOW)
    finally:
        first.close(NOW)
        second.close(NOW + timedelta(minutes=3))
    again = open_col(make_home(tmp_path), NOW + timedelta(minutes=4))
    try:
        assert again.writer.device is not None
        assert {"tiny/one", "tiny/two"} <= set(again.states)
        ids = [e.id for e in again.history_index.events(NOW + timedelta(minutes=4))]
        assert len(ids) == len(set(ids)) == 2
    finally:
        again.close(NOW + timedelta(minutes=4))


def test_a_collection_opened_read_only_on_purpose_never_takes_over(tmp_path: Path) -> None:
    """`retain due`, `stats` and dry runs open read-only without trying the lock: free or not,
    they never become the writer."""
    col = Collection.open(make_home(tmp_path), NOW, read_only=True)
    try:
        assert not col.take_over(NOW) and col.read_only
        writer = open_col(make_home(tmp_path))  # the lock is still free
        assert not writer.read_only
        writer.close(NOW)
    finally:
        col.close(NOW)


def _app_text(app: object) -> str:
    from retain.ui.screens.home import HomeScreen

    assert isinstance(app, App)
    home = next(s for s in app.screen_stack if isinstance(s, HomeScreen))
    return (
        str(home.query_one("#home-messages", Static).render())
        if home.query_one("#home-messages").display
        else ""
    )


def test_read_only_tui_studies_once_the_other_retain_has_closed(tmp_path: Path) -> None:
    """A second TUI says "Read-only: another retain is running. Close it to study here." The
    learner closed the other retain and pressed `a` again: it said "restart retain to study
    here". Now it takes over, says so, studies and records."""
    import asyncio

    from retain.ui.app import make_app
    from retain.ui.screens.study import StudyScreen

    home = make_home(tmp_path)
    first = open_col(home)
    second = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    assert second.read_only
    app = make_app(second, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)

    async def run() -> tuple[list[str], str, list[str], str, bool]:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("a")
            await pilot.pause()
            before = [str(n.message) for n in app._notifications]
            banner = _app_text(app)
            first.close(NOW)  # the learner closes the other retain, as the message asks
            app._notifications.clear()
            await pilot.press("a")
            await pilot.pause()
            studying = isinstance(app.screen, StudyScreen)
            after = [str(n.message) for n in app._notifications]
            await pilot.press("space", "3")  # reveal, Good: recorded
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            return before, banner, after, _app_text(app), studying

    try:
        before, banner, after, banner_after, studying = asyncio.run(run())
    finally:
        first.close(NOW)
        second.close(NOW)
    assert "Read-only: another retain is running. Close it to study here." in before
    assert "opened read-only while it runs" in banner
    assert after == ["The other retain has closed: this one records your progress now."]
    assert studying
    assert "read-only" not in banner_after
    col = open_col(make_home(tmp_path))
    try:
        assert sum(s.reps for s in col.states.values()) == 1  # the rating made after the take-over
    finally:
        col.close(NOW)


def test_read_only_undo_and_edit_take_over_once_the_other_retain_has_closed(tmp_path: Path) -> None:
    """`u` and `e`/`n` in a read-only retain said "restart retain" after the other one closed."""
    import asyncio

    from retain.ui.app import make_app
    from retain.ui.screens.editor import EditorScreen

    home = make_home(tmp_path)
    first = open_col(home)
    second = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    app = make_app(second, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)

    async def run() -> tuple[list[str], bool]:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.press("u")
            await pilot.pause()
            first.close(NOW)
            await pilot.press("u")
            await pilot.pause()
            from retain.ui.authoring import open_editor

            open_editor(app, None)
            await pilot.pause()
            return [str(n.message) for n in app._notifications], isinstance(app.screen, EditorScreen)

    try:
        said, editing = asyncio.run(run())
    finally:
        first.close(NOW)
        second.close(NOW)
    assert said[0] == "Read-only: another retain is running. Close it to undo here. Nothing was undone."
    assert said[1] == "The other retain has closed: this one records your progress now."
    assert not any("Read-only" in m for m in said[1:])
    assert editing


def test_the_read_only_line_goes_by_itself_on_any_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deck list said "read-only" until the end of the run, though the other retain had
    closed. Now the lock is tried every `TAKE_OVER_SECONDS` (here, while the browser is open)."""
    import asyncio

    from retain.ui.app import RetainApp, make_app
    from retain.ui.authoring import open_browser
    from retain.ui.screens.browser import BrowserScreen

    monkeypatch.setattr(RetainApp, "TAKE_OVER_SECONDS", 0.05)
    home = make_home(tmp_path)
    first = open_col(home)
    second = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    app = make_app(second, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)

    async def run() -> tuple[str, bool, str, list[str]]:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.2)
            before = _app_text(app)
            open_browser(app)
            await pilot.pause(0.2)
            still = app.collection.read_only
            first.close(NOW)
            await pilot.pause(0.3)
            assert isinstance(app.screen, BrowserScreen)
            return before, still, _app_text(app), [str(n.message) for n in app._notifications]

    try:
        before, still, after, said = asyncio.run(run())
    finally:
        first.close(NOW)
        second.close(NOW)
    assert "read-only" in before and still
    assert after == ""
    assert said == ["The other retain has closed: this one records your progress now."]


def test_the_read_only_line_names_whoever_holds_the_lock_now(tmp_path: Path) -> None:
    """Two retains waited; the other one took the lock first: this one's line still named the
    retain that had closed."""
    make_home(tmp_path)
    first = _start_writer(tmp_path)
    reader = _open_now(tmp_path)
    try:
        _kill(first)
        second = _start_writer(tmp_path)  # the other waiting retain, faster
        try:
            assert not reader.take_over(datetime.now(UTC))
            lines = [m for m in reader.messages if "opened read-only" in m]
            assert len(lines) == 1 and f"pid {second.pid} " in lines[0], reader.messages
            assert f"pid {first.pid} " not in " ".join(reader.messages)
        finally:
            _kill(second)
    finally:
        reader.close()


def test_a_lock_that_cannot_be_taken_is_said_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other retain closed, but the lock file is now a folder: the timer says why once (not
    every 2 seconds), and `a` says it again, without claiming another retain still runs."""
    import asyncio
    import shutil

    from retain.ui.app import RetainApp, make_app

    monkeypatch.setattr(RetainApp, "TAKE_OVER_SECONDS", 0.05)
    home = make_home(tmp_path)
    first = open_col(home)
    second = Collection.open(make_home(tmp_path), NOW, tz=UTC)
    app = make_app(second, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)
    lock = tmp_path / "state" / "writer.lock"

    async def run() -> tuple[list[str], list[str]]:
        async with app.run_test(size=(100, 30)) as pilot:
            first.close(NOW)
            lock.unlink()
            lock.mkdir()  # filelock cannot open it: OSError
            await pilot.pause(0.4)
            timer = [str(n.message) for n in app._notifications]
            app._notifications.clear()
            await pilot.press("a")
            await pilot.pause()
            return timer, [str(n.message) for n in app._notifications]

    try:
        timer, pressed = asyncio.run(run())
    finally:
        first.close(NOW)
        second.close(NOW)
        shutil.rmtree(lock, ignore_errors=True)
    assert len(timer) == 1 and timer[0].startswith("Still read-only: cannot take the writer lock"), timer
    assert pressed == timer
    assert second.read_only


def test_a_purposely_read_only_app_never_tries_the_lock(tmp_path: Path) -> None:
    """No timer for a collection opened read-only on purpose: it never becomes the writer."""
    home = make_home(tmp_path)
    col = Collection.open(home, NOW, tz=UTC, read_only=True)
    try:
        assert not col.waiting_for_lock
    finally:
        col.close(NOW)
    first = open_col(home)
    second = open_col(make_home(tmp_path))
    try:
        assert second.waiting_for_lock and not first.waiting_for_lock
    finally:
        second.close(NOW)
        first.close(NOW)


def test_a_killed_writers_lock_is_taken_over_with_one_line(tmp_path: Path) -> None:
    """kill -9 of the TUI, then a new retain: it took the lock without a word."""
    make_home(tmp_path)
    proc = _start_writer(tmp_path)
    _kill(proc)
    col = _open_now(tmp_path)
    try:
        assert not col.read_only
        assert "tiny/one" in col.states  # the killed retain's review is kept
        (said,) = [m for m in col.messages if f"pid {proc.pid}" in m]
        assert said.startswith(f"the retain that last wrote the progress (pid {proc.pid}, since ")
        assert said.endswith(
            "did not close (killed or crashed); took over its lock: every review it recorded is kept"
        )
    finally:
        col.close()
    col = _open_now(tmp_path)  # closed cleanly: the next start says nothing
    try:
        assert not col.read_only and col.messages == []
    finally:
        col.close()


def test_another_computers_writer_toml_is_not_a_killed_retain(tmp_path: Path) -> None:
    """A folder sync copied the laptop's writer.toml here: the lock was never this computer's."""
    make_home(tmp_path)
    (tmp_path / "state").mkdir()
    other = "x" + socket.gethostname()[:90]
    (tmp_path / "state" / "writer.toml").write_text(f'pid = 77\nhost = "{other}"\n', encoding="utf-8")
    col = _open_now(tmp_path)
    try:
        assert not col.read_only and col.messages == []
    finally:
        col.close()
    assert not (tmp_path / "state" / "writer.toml").exists()


def test_read_only_start_names_the_writer(tmp_path: Path) -> None:
    """It said "close it, then start retain again to record here": no restart is needed now."""
    make_home(tmp_path)
    proc = _start_writer(tmp_path)
    try:
        col = _open_now(tmp_path)
        try:
            assert col.read_only
            assert col.messages == [
                f"another retain (pid {proc.pid} on {socket.gethostname()[:60]}) is writing the progress; "
                "opened read-only while it runs"
            ]
        finally:
            col.close()
    finally:
        _kill(proc)


def test_a_take_over_writes_nothing_while_the_writer_runs_and_names_a_killed_one(tmp_path: Path) -> None:
    """Trying the lock while the other retain writes changes nothing (its `writer.toml` stays);
    once it was killed, the take-over says so in one line, as a new start does, and keeps its review."""
    make_home(tmp_path)
    proc = _start_writer(tmp_path)
    reader = _open_now(tmp_path)
    info = tmp_path / "state" / "writer.toml"
    try:
        assert reader.read_only
        before = info.read_bytes()
        assert not reader.take_over(datetime.now(UTC))
        assert info.read_bytes() == before and reader.read_only
        _kill(proc)
        assert reader.take_over(datetime.now(UTC))
        assert [m for m in reader.messages if f"pid {proc.pid}" in m and "did not close" in m], (
            reader.messages
        )
        assert f"pid = {os.getpid()}" in info.read_text("utf-8")
        assert "tiny/one" in reader.states
    finally:
        reader.close()
    assert not info.exists()  # let go as it closed


@pytest.mark.parametrize(
    ("since", "said"),
    [
        ("2026-12-03T07:21:09.378696Z", "(pid 5, since 2026-12-03 07:21 UTC)"),
        ("0001-01-01T00:00:00+01:00", "(pid 5)"),  # before year 1 in UTC: OverflowError
        ("9999-12-31T23:59:59-01:00", "(pid 5)"),
        ("2026-01-01T00:00:00", "(pid 5)"),  # no offset
        ('"yesterday"', "(pid 5)"),
    ],
)
def test_a_left_writer_toml_with_odd_since_is_still_one_line(tmp_path: Path, since: str, said: str) -> None:
    (tmp_path / "writer.toml").write_text(f'pid = 5\nhost = "{socket.gethostname()}"\nsince = {since}\n')
    lock = WriterLock(tmp_path)
    assert lock.acquire(NOW)
    try:
        line = lock.announce(NOW)
    finally:
        lock.release()
    assert line is not None and f"the retain that last wrote the progress {said} did not close" in line
    assert not (tmp_path / "writer.toml").exists()
