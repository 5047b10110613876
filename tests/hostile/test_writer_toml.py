"""A hostile `state/writer.toml` (the writer lock's note, in a synced folder): a symbolic link, a FIFO."""

from __future__ import annotations

import os
import threading
from datetime import UTC, datetime
from pathlib import Path

from retain.store.state.lock import WriterLock

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def test_a_symlinked_writer_toml_is_replaced_not_written_through(tmp_path: Path) -> None:
    """The writer's note was written through a link to the file it names (any file of the user)."""
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    state = tmp_path / "home" / "state"
    state.mkdir(parents=True)
    (state / "writer.toml").symlink_to(victim)
    lock = WriterLock(state)
    assert lock.acquire(NOW)
    try:
        assert lock.announce(NOW) is None
        assert not (state / "writer.toml").is_symlink()
        assert f"pid = {os.getpid()}" in (state / "writer.toml").read_text(encoding="utf-8")
    finally:
        lock.release()
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (state / "writer.toml").exists()


def test_a_fifo_as_writer_toml_is_not_waited_on(tmp_path: Path) -> None:
    """Naming the other writer opened the FIFO and waited for a writer that never came."""
    state = tmp_path / "state"
    state.mkdir()
    os.mkfifo(state / "writer.toml")
    lock = WriterLock(state)
    said: list[object] = []
    reader = threading.Thread(target=lambda: said.append(lock.holder()), daemon=True)
    reader.start()
    reader.join(5)
    if not said:  # let the blocked reader go
        os.close(os.open(state / "writer.toml", os.O_WRONLY | os.O_NONBLOCK))
    assert said, "holder() waited on a FIFO"
    assert lock.acquire(NOW)
    try:
        assert lock.announce(NOW) is None  # the FIFO is replaced by the note
    finally:
        lock.release()
