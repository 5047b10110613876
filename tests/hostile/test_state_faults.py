"""Faults under the state folder: a full disk, a read-only folder, directories where files belong.

The promise: a write that fails says "Not saved: <why>" in one line, the card
and everything already in the journal stay as they were, and quitting says
which snapshot was not written. Never a traceback, nothing half-made left.

The full-disk and read-only cases mount a small tmpfs, which needs root; they
are skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.interop import progress_io
from retain.interop.bundle import Review
from retain.store.collection import Collection, CollectionError
from retain.store.home import open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
DECK = 'format = 1\n[deck]\nid = "t"\nname = "T"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}?"\nback = "Answer {i}"\n' for i in range(80)
)


def _home(root: Path) -> Path:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "t.toml").write_text(DECK, encoding="utf-8")
    (root / "config.toml").write_text("[study]\nnew_per_day = 200\n", encoding="utf-8")
    return root


def _rate(col: Collection, key: str, at: datetime) -> Event:
    before = col.states.get(key)
    after = Scheduler(StudySettings()).preview(key, before, at)[3]
    event = Event(col.new_event_id(at), "review", key, at, after, before, 3, 1000)
    col.record(event)
    return event


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MB tmpfs (root only)."""
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(mount: Path, leave: int) -> None:
    """Fill the file system so that about `leave` bytes stay free."""
    st = os.statvfs(mount)
    free = st.f_bavail * st.f_frsize
    with (mount / "filler").open("wb") as fh:
        fh.write(b"\0" * max(0, free - leave))
    while True:  # the block size may leave more than asked: fill the rest in small pieces
        st = os.statvfs(mount)
        if st.f_bavail * st.f_frsize <= leave:
            break
        with (mount / "filler").open("ab") as fh:
            try:
                fh.write(b"\0" * 512)
            except OSError:
                break


def test_a_full_disk_says_not_saved_keeps_the_card_and_loses_nothing(small_disk: Path) -> None:
    home = open_home({"RETAIN_HOME": str(_home(small_disk / "home"))})
    col = Collection.open(home, NOW, tz=UTC)
    saved: list[Event] = [_rate(col, "t/c0", NOW)]
    _fill(small_disk, 6 * 1024)
    errors: list[str] = []
    for i in range(1, 200):
        key = f"t/c{i % 12}"
        before = col.states.get(key)
        try:
            saved.append(_rate(col, key, NOW + timedelta(seconds=i)))
        except CollectionError as exc:
            errors.append(str(exc))
            assert col.states.get(key) == before  # the card stays as it was
        if len(errors) >= 3:
            break
    assert errors and all(e == "no space left on device" for e in errors), errors
    acknowledged = dict(col.states)
    col.close(NOW + timedelta(minutes=1))
    assert any(
        m.startswith("not written: snapshots/t.toml (no space left on device)") for m in col.close_messages
    )
    (small_disk / "filler").unlink()
    again = Collection.open(home, NOW + timedelta(minutes=2), tz=UTC, read_only=True)
    try:
        assert dict(again.states) == acknowledged  # everything acknowledged is there
        assert again.history_index.count(NOW + timedelta(minutes=2)) == len(saved)
    finally:
        again.close()


def test_a_full_disk_in_the_tui_shows_not_saved_and_quits_cleanly(small_disk: Path) -> None:
    """The real command in tmux: rate until the disk is full, see "Not saved", quit with exit 0."""
    import shutil

    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    root = _home(small_disk / "home")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), datetime.now(UTC))
    _rate(col, "t/c79", datetime.now(UTC))  # the device folder and this month's journal exist
    col.close()
    _fill(small_disk, 4 * 1024)
    name = f"retain-full-{os.getpid()}"
    tmux = ["tmux", "-L", name]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMUX", "TEXTUAL"))}
    env["TERM"] = "xterm-256color"
    cmd = f"RETAIN_HOME='{root}' '{sys.executable}' -m retain review t; echo EXIT=$?; sleep 60"
    subprocess.run(
        [*tmux, "new-session", "-d", "-s", name, "-x", "100", "-y", "30", cmd], check=True, env=env
    )
    try:
        import time

        seen = screen = ""
        time.sleep(2)
        for _ in range(150):
            time.sleep(0.15)
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            if "Not saved: no space left on device" in screen:
                seen = screen
                break
            subprocess.run([*tmux, "send-keys", "-t", name, "space"], check=False)
            time.sleep(0.15)
            subprocess.run([*tmux, "send-keys", "-t", name, "3"], check=False)
        assert "Not saved: no space left on device" in seen, screen
        subprocess.run([*tmux, "send-keys", "-t", name, "escape"], check=False)
        time.sleep(0.5)
        subprocess.run([*tmux, "send-keys", "-t", name, "q"], check=False)
        after = ""
        for _ in range(50):
            after = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True
            ).stdout
            if "EXIT=" in after:
                break
            time.sleep(0.2)
        assert "EXIT=0" in after and "Traceback" not in after, after
        assert "not written: snapshots/t.toml (no space left on device)" in after
    finally:
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)


def test_a_read_only_state_folder_gives_one_line_and_leaves_nothing(small_disk: Path) -> None:
    root = _home(small_disk / "home")
    (root / "state").mkdir()
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    env = {**os.environ, "RETAIN_HOME": str(root)}
    done = subprocess.run([sys.executable, "-m", "retain", "due"], env=env, capture_output=True, text=True)
    assert done.returncode == 0 and "Traceback" not in done.stderr
    home = open_home(env)
    with pytest.raises(CollectionError) as info:
        Collection.open(home, NOW, tz=UTC)
    assert "\n" not in str(info.value) and "read-only file system" in str(info.value).lower()
    assert not (root / "state" / "devices").exists() or not any((root / "state" / "devices").iterdir())


def test_directories_where_state_files_belong(tmp_path: Path) -> None:
    root = _home(tmp_path)
    home = open_home({"RETAIN_HOME": str(root)})
    col = Collection.open(home, NOW, tz=UTC)
    _rate(col, "t/c0", NOW)
    col.close(NOW)
    (root / "state" / "snapshots.toml").unlink()
    (root / "state" / "snapshots.toml").mkdir()
    device = next((root / "state" / "devices").iterdir())
    (device / "journal-2026-04.toml").mkdir()  # where the next month's journal goes
    env = {**os.environ, "RETAIN_HOME": str(root)}
    for args in (["due"], ["stats"], ["due", "--json"]):
        done = subprocess.run(
            [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in done.stderr
    col = Collection.open(home, NOW + timedelta(minutes=1), tz=UTC)
    _rate(col, "t/c1", NOW + timedelta(minutes=1))  # this month's journal: fine
    with pytest.raises(CollectionError) as info:
        _rate(col, "t/c2", datetime(2026, 4, 2, tzinfo=UTC))  # next month's "journal" is a folder
    assert "\n" not in str(info.value)
    col.close(NOW + timedelta(minutes=2))
    assert col.close_messages and "snapshots.toml" in col.close_messages[0]
    (root / "state" / "writer.lock").unlink(missing_ok=True)
    (root / "state" / "writer.lock").mkdir()
    with pytest.raises(CollectionError) as info:
        Collection.open(home, NOW, tz=UTC)
    assert "writer lock" in str(info.value)
    done = subprocess.run([sys.executable, "-m", "retain", "review"], env=env, capture_output=True, text=True)
    assert done.returncode != 0 and "Traceback" not in done.stderr and done.stderr.count("\n") == 1


def _past_reviews(count: int) -> list[Review]:
    out = []
    for i in range(count):
        at = NOW - timedelta(days=30) + timedelta(minutes=i)
        after = Scheduler(StudySettings()).preview(f"t/c{10 + i % 60}", None, at)[3]
        out.append(Review(f"t/c{10 + i % 60}", at, after, None, "review", 3, 1000))
    return out


def _rated_once(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Collection, Callable[[], dict[str, bytes]]]:
    """A collection with one rating, history batches of 20, and a reader of every device folder's
    files (an import writes into a folder of its own: taken back, the folder goes too)."""
    monkeypatch.setattr(progress_io, "_BATCH", 20)
    col = Collection.open(open_home({"RETAIN_HOME": str(_home(root))}), NOW, tz=UTC)
    _rate(col, "t/c0", NOW)
    devices = root / "state" / "devices"
    return col, lambda: {
        str(p.relative_to(devices)): p.read_bytes() for p in devices.rglob("*") if p.is_file()
    }


def test_a_full_disk_during_a_history_import_takes_it_back_whole(
    small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Batches written before the one that failed used to stay: a second import then skipped those
    cards (progress here wins) and their history stayed half-imported. Now it is all or nothing."""
    col, journals = _rated_once(small_disk / "home", monkeypatch)
    before, states = journals(), dict(col.states)
    _fill(small_disk, 6 * 1024)
    with pytest.raises(CollectionError, match="no space left on device"):
        progress_io.collection_record_history(col, _past_reviews(400), NOW)
    assert journals() == before
    assert dict(col.states) == states
    assert col.history_index.count(NOW) == 1
    (small_disk / "filler").unlink()
    assert progress_io.collection_record_history(col, _past_reviews(400), NOW)[:2] == (400, 0)
    assert col.history_index.count(NOW) == 401
    col.close(NOW)


def test_a_history_import_that_fails_midway_leaves_the_journal_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same without a small disk: a later batch fails (its write is refused: an I/O error)."""
    from retain.store.state.journal_writer import JournalWriter

    col, journals = _rated_once(tmp_path / "home", monkeypatch)
    before = journals()
    reviews = _past_reviews(100)
    monkeypatch.setattr(progress_io, "_BATCH", 30)
    real = JournalWriter._write
    calls: list[int] = []

    def failing(self: JournalWriter, events: list[Event]) -> object:
        calls.append(len(events))
        if len(calls) == 3:  # two batches are on disk already
            raise OSError(5, "Input/output error")
        return real(self, events)

    monkeypatch.setattr(JournalWriter, "_write", failing)
    with pytest.raises(CollectionError, match=r"(?i)input/output error"):
        progress_io.collection_record_history(col, reviews, NOW)
    assert len(calls) == 3
    assert journals() == before
    assert set(col.states) == {"t/c0"}
    assert col.history_index.count(NOW) == 1
    col.close(NOW)


def test_a_full_disk_during_import_with_history_is_one_line_and_keeps_no_history(
    small_disk: Path, tmp_path: Path
) -> None:
    """The CLI, as a user runs it: a deck with a 2,000-event history sidecar into a nearly full disk."""
    source = _home(tmp_path / "source")
    col = Collection.open(open_home({"RETAIN_HOME": str(source)}), NOW, tz=UTC)
    for i in range(2000):
        _rate(col, f"t/c{i % 80}", NOW - timedelta(days=30) + timedelta(minutes=9 * i))
    col.close(NOW)
    env = {**os.environ, "RETAIN_HOME": str(source)}
    out = tmp_path / "t.toml"
    run = [sys.executable, "-m", "retain"]
    subprocess.run([*run, "export", "t", "-o", str(out), "--with-progress"], env=env, check=True)
    target = small_disk / "home"
    (target / "decks").mkdir(parents=True)
    _fill(small_disk, 160 * 1024)  # room for the deck and the index, not for the history (~400 kB)
    env["RETAIN_HOME"] = str(target)
    done = subprocess.run(
        [*run, "import", str(out), "--with-history"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [
        "retain: import failed: the review history was not recorded (no space left on device); "
        "the decks are imported: import again with --with-history to add their history"
    ]
    assert (target / "decks" / "t.toml").exists()
    journals = list((target / "state" / "devices").glob("*/journal-*.toml"))
    assert all(b"t/c" not in p.read_bytes() for p in journals)  # no event of the history stayed
    (small_disk / "filler").unlink()
    again = subprocess.run(
        [*run, "import", str(out), "--with-history"], env=env, capture_output=True, text=True
    )
    assert again.returncode == 0, again.stderr
    assert "recorded 2000 event(s) of review history" in again.stdout
