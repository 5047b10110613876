"""A SIGHUP (or SIGTERM, Ctrl-C) whose interrupt a TUI task swallowed still makes the command exit
128 + N: in `retain`'s browser, a SIGHUP landing in its table's mount cut the mount short, the
screen then failed to fill the table, and the app ended with exit 1 (seen in CI, about 1 run in
12 of `test_h11_sighup_pty`'s browser moment)."""

from __future__ import annotations

import contextlib
import signal

import pytest

from retain import cli


@pytest.mark.parametrize(
    ("handler", "signum", "code"),
    [("_stop", signal.SIGHUP, 129), ("_stop", signal.SIGTERM, 143), ("_interrupt", signal.SIGINT, 130)],
)
def test_a_stop_the_command_swallowed_still_exits_128_plus_n(
    monkeypatch: pytest.MonkeyPatch, handler: str, signum: int, code: int
) -> None:
    def command(argv: list[str]) -> int:
        with contextlib.suppress(KeyboardInterrupt):  # the signal lands in a task that swallows it,
            getattr(cli, handler)(signum, None)
        return 1  # and the app then ends with an error of its own

    monkeypatch.setattr(cli, "_main", command)
    assert cli.main(["due"]) == code


def test_a_command_no_signal_stopped_keeps_its_code(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "_main", lambda argv: 1)
    assert cli.main(["due"]) == 1
