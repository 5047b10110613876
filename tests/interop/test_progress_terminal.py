"""What a progress bar or spinner draws, decided in one place (`progress._Line`).

Nothing for a stream that cannot redraw a line (`TERM=dumb`, a pipe, a file, a closed
stderr); lines cut to the terminal's width (a wrapped line is redrawn below itself);
an ASCII spinner unless the locale says UTF-8; text sanitised; a failing write ends
the drawing, never the command or its thread with a traceback.
"""

from __future__ import annotations

import io
import re
import time

import pytest

from retain.interop.progress import TerminalProgress, TerminalStatus, render_bar


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def _draw(kind: str, stream: io.TextIOBase, text: str = "reading the decks") -> None:
    if kind == "bar":
        bar = TerminalProgress(stream)  # type: ignore[arg-type]
        bar(text, 100, 1000)
        bar.finish()
    else:
        with TerminalStatus(text, stream, delay=0.0):  # type: ignore[arg-type]
            time.sleep(0.15)


@pytest.mark.parametrize("kind", ["bar", "status"])
def test_a_dumb_terminal_gets_nothing_drawn(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """TERM=dumb (Emacs' shell, some CI logs) cannot redraw a line: it got `\\r\\x1b[K` for each."""
    monkeypatch.setenv("TERM", "dumb")
    stream = Tty()
    _draw(kind, stream)
    assert stream.getvalue() == ""


@pytest.mark.parametrize("kind", ["bar", "status"])
def test_a_narrow_terminal_gets_lines_that_fit(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "20")
    monkeypatch.setenv("TERM", "xterm")
    stream = Tty()
    _draw(kind, stream, "reading a-very-long-file-name.apkg")
    drawn = [part for part in re.split(r"\r|\x1b\[K", stream.getvalue()) if part]
    assert drawn and all(len(part) < 20 for part in drawn), drawn


def test_a_bar_too_narrow_for_its_bar_keeps_the_numbers() -> None:
    assert render_bar("indexing history", 400, 800, columns=20) == "indexin 50% 400/800"
    assert render_bar("import", 5, 10, columns=40) == "import           [#####.....]  50% 5/10"


@pytest.mark.parametrize("locale", [{"LC_ALL": "POSIX"}, {"LANG": "C"}, {}])
def test_a_non_utf8_locale_gets_an_ascii_spinner(
    locale: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Python writes UTF-8 even under LANG=C: the braille spinner and `…` were mojibake there."""
    monkeypatch.setenv("TERM", "xterm")
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in locale.items():
        monkeypatch.setenv(name, value)
    stream = Tty()
    _draw("status", stream)
    assert stream.getvalue().isascii() and "| reading the decks... 0 s" in stream.getvalue()


def test_an_ascii_stream_gets_question_marks_and_no_thread_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # the locale says UTF-8, the stream cannot
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding="ascii", errors="strict", write_through=True)
    stream.isatty = lambda: True  # type: ignore[method-assign]
    with TerminalStatus("reading é.md", stream, delay=0.0) as status:
        time.sleep(0.15)
    assert status.drawn >= 1 and b"| reading ?.md... 0 s" in raw.getvalue()


def test_a_file_names_escape_sequence_never_acts(monkeypatch: pytest.MonkeyPatch) -> None:
    """`retain import` shows `reading NAME`: a name's `ESC ]52;` wrote the user's clipboard."""
    monkeypatch.setenv("TERM", "xterm")
    stream = Tty()
    _draw("status", stream, "reading a\x1b]52;c;aGk=\x07.md")
    _draw("bar", stream, "a\x1b[2Jb")
    assert "\x1b]" not in stream.getvalue() and "\x07" not in stream.getvalue()
    assert "\x1b[2J" not in stream.getvalue()


def test_a_terminal_gone_ends_the_drawing_not_the_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")

    class Gone(Tty):
        def write(self, text: str) -> int:
            raise OSError(5, "Input/output error")

    bar = TerminalProgress(Gone())
    bar("import", 100, 1000)  # no OSError: the import goes on
    assert bar.enabled is False
    with TerminalStatus("reading", Gone(), delay=0.0) as status:
        time.sleep(0.15)
    assert status.drawn == 0
