"""The screen is drawn at the size of the terminal it is drawn on (stderr), stdout redirected or not.

`retain > log` (or `| tee`) is accepted: Textual reads stdin and draws on stderr. But it took the
size from stdout, which then is no terminal: 80x25 on a 100x20 terminal (the home screen scrolled,
its title line lost) and one corner of a big one, resizes ignored.
"""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import termios

import pytest

from retain.ui.driver import drawn_size


def _pty(columns: int, lines: int) -> tuple[int, int]:
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
    return leader, follower


def test_the_size_is_the_drawn_terminals(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.delenv("LINES", raising=False)
    leader, follower = _pty(100, 20)
    try:
        assert drawn_size(follower) == (100, 20)
        fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))  # a resize
        assert drawn_size(follower) == (160, 50)
    finally:
        os.close(leader)
        os.close(follower)
    with open(os.devnull, "w") as null:  # no terminal: Textual's own answer is used
        assert drawn_size(null.fileno()) is None


def test_columns_and_lines_set_by_hand_still_win(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    leader, follower = _pty(100, 20)
    try:
        assert drawn_size(follower) is None
    finally:
        os.close(leader)
        os.close(follower)


def test_the_app_driver_asks_the_drawn_terminal() -> None:
    from textual.drivers.linux_driver import LinuxDriver

    from retain.ui.driver import hangup_driver

    driver = hangup_driver(LinuxDriver, lambda: None)
    assert driver is not LinuxDriver
    assert "_get_terminal_size" in vars(driver)
