"""A path that names a FIFO, a device, a socket or a folder where a file is read: one line, never a hang.

Opening a FIFO for reading waits for a writer, forever when none comes. Library
scans only take regular files; a path given on the command line, or a
`config.toml` that is not a file, went straight to the reader and blocked.
"""

from __future__ import annotations

import os
import socket
import subprocess
from pathlib import Path

import pytest

from retain.store.files import ReadError, read_text_limited

from .conftest import Run, retain

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def _run(home: Path, *args: str) -> Run:
    try:
        return retain(home, *args, timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"`retain {' '.join(args)}` still blocked after 30 s")


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@needs_fifo
def test_check_of_a_fifo_is_one_error_line(tmp_path: Path) -> None:
    pipe = _fifo(tmp_path / "pipe.toml")
    got = _run(tmp_path / "home", "check", str(pipe))
    assert got.code == 1
    assert got.out.decode() == f"{pipe}:1:1: error: not a regular file (a FIFO)\n"
    assert got.err_lines == ["1 deck file(s): 0 ok, 1 error(s), 0 warning(s)"]


@needs_fifo
@pytest.mark.parametrize("suffix", [".toml", ".tsv", ".csv", ".txt", ".md", ".apkg"])
def test_import_of_a_fifo_is_refused_in_one_line(tmp_path: Path, suffix: str) -> None:
    pipe = _fifo(tmp_path / f"pipe{suffix}")
    got = _run(tmp_path / "home", "import", str(pipe))
    assert got.code == 1
    assert got.err_lines == [f"retain: import refused: {pipe}: not a regular file"]  # was "no such file"
    assert not (tmp_path / "home" / "decks").exists() or not any((tmp_path / "home" / "decks").iterdir())


@needs_fifo
def test_a_config_file_that_is_a_fifo_is_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    config = _fifo(home / "config.toml")
    got = _run(home, "due")
    assert got.code == 2
    assert got.err_lines == [f"retain: {config}: not a regular file (a FIFO)"]


@needs_fifo
def test_a_fifo_in_a_deck_folder_is_passed_over(tmp_path: Path) -> None:
    decks = tmp_path / "home" / "decks"
    decks.mkdir(parents=True)
    _fifo(decks / "pipe.toml")
    got = _run(tmp_path / "home", "check", str(decks))
    assert (got.code, got.out) == (0, b"")
    assert got.err_lines == ["no deck files found", "0 deck file(s): 0 ok, 0 error(s), 0 warning(s)"]


@pytest.mark.skipif(not Path("/dev/null").exists() or os.name == "nt", reason="no /dev/null")
def test_check_of_a_device_is_one_error_line(tmp_path: Path) -> None:
    got = _run(tmp_path / "home", "check", "/dev/null")
    assert got.code == 1
    assert got.out.decode() == "/dev/null:1:1: error: not a regular file (a character device)\n"


def test_reading_a_folder_says_it_is_one(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"^not a regular file \(a folder\)$"):
        read_text_limited(tmp_path)


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets")
def test_reading_a_socket_says_it_is_one(tmp_path: Path) -> None:
    path = tmp_path / "s.toml"
    with socket.socket(socket.AF_UNIX) as sock:
        try:
            sock.bind(str(path))
        except OSError:
            pytest.skip("cannot bind a Unix socket here")
        with pytest.raises(ReadError, match=r"^not a regular file \(a socket\)$"):
            read_text_limited(path)


def test_a_regular_file_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_bytes(b"\xef\xbb\xbfformat = 1\n")
    assert read_text_limited(path) == "format = 1\n"
    with pytest.raises(ReadError, match="limit"):
        read_text_limited(path, limit=4)


def test_a_deck_file_whose_name_is_not_utf8_is_read_by_every_command(tmp_path: Path) -> None:
    """`decks/caf\\xe9.toml` (a Latin-1 name): the deck cache keyed its files by the name encoded
    as UTF-8, and every command crashed with a UnicodeEncodeError traceback."""
    home = tmp_path / "home"
    decks = home / "decks"
    decks.mkdir(parents=True)
    name = os.fsdecode(b"caf\xe9.toml")
    (decks / name).write_text(
        'format = 1\n[deck]\nid = "cafe"\nname = "Cafe"\n\n[[cards]]\nid = "a"\nfront = "f"\nback = "b"\n'
    )
    for args in (("due",), ("check",), ("stats",)):
        got = _run(home, *args)
        assert got.code == 0 and b"Traceback" not in got.err, (args, got.err)
    assert "Cafe" in _run(home, "due").out.decode()
