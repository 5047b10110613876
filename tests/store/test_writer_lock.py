"""The single-writer lock's info file (`state/writer.toml`) is anyone's to write: it never stops a
second instance from opening read-only, and only well-typed fields reach the message."""

from __future__ import annotations

from pathlib import Path

import pytest
from store_helpers import make_home, open_col

from retain.store.state.lock import WriterLock


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
