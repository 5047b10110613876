"""`TerminalStatus`: a spinner line on a terminal for work that cannot count its steps."""

from __future__ import annotations

import io
import time

import pytest

from retain.interop.progress import TerminalStatus


@pytest.fixture(autouse=True)
def _utf8_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal that redraws lines, in a UTF-8 locale (the braille spinner and `…`)."""
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_slow_work_shows_a_spinner_line_then_clears_it() -> None:
    stream = Tty()
    with TerminalStatus("reading your review history", stream, delay=0.05) as status:
        time.sleep(0.4)
    text = stream.getvalue()
    assert status.drawn >= 2
    assert "reading your review history… 0 s" in text
    assert text.endswith("\r\x1b[K")  # the line is cleared for what follows


def test_quick_work_and_pipes_show_nothing() -> None:
    stream = Tty()
    with TerminalStatus("checking the decks", stream, delay=0.5):
        pass
    assert stream.getvalue() == ""
    piped = io.StringIO()
    with TerminalStatus("checking the decks", piped, delay=0.0):
        time.sleep(0.2)
    assert piped.getvalue() == ""


def test_an_error_in_the_block_still_clears_the_line() -> None:
    stream = Tty()
    with pytest.raises(OSError), TerminalStatus("exporting", stream, delay=0.0):
        time.sleep(0.2)
        raise OSError("disk full")
    assert stream.getvalue().endswith("\r\x1b[K")
