"""A hostile deck in the real app, in a real pty: nothing from the card reaches the terminal as control."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .ptyapp import PtyApp

# TOML escapes put raw control characters into the card text.
HOSTILE = r"""format = 1

[deck]
id = "hostile"
name = "Hostile \u001b]0;deck-title\u0007 deck"

[[cards]]
id = "evil"
front = "clip \u001b]52;c;aGVsbG8=\u0007 link \u001b]8;;http://evil.example/\u001b\\spoof\u001b]8;;\u001b\\ title \u001b]0;pwned\u0007 \u001b]2;pwned2\u0007 csi \u009b31m c1 \u009d0;c1title\u009c [@click=app.quit]click me[/] and [/bold] bidi \u202egnp.exe"
back = "[link](http://evil.example/) [@click=app.screenshot()]shot[/] \u001b[2J"
"""

# What must never come out of the pty: the card's sequences, raw or as 8-bit C1 controls.
FORBIDDEN = [
    b"\x1b]52",  # OSC 52 clipboard write
    b"\x1b]8;",  # OSC 8 hyperlink
    b"\x1b]0;",  # OSC 0 title
    b"\x1b]2;",  # OSC 2 title
    b"pwned\x07",
    b"\xc2\x9b",  # C1 CSI
    b"\xc2\x9d",  # C1 OSC
    b"\xc2\x9c",  # C1 ST
    b"\xe2\x80\xae",  # RIGHT-TO-LEFT OVERRIDE
    b"evil.example/\x1b\\",  # the OSC 8 target followed by ST
]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="needs a POSIX pty")


def test_hostile_deck_sends_no_control_sequence_and_runs_no_action(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "hostile.toml").write_text(HOSTILE, encoding="utf-8")
    app = PtyApp(["review", "hostile"], tmp_path, size=(120, 30))
    app.wait_for("Show answer")
    app.wait_for("[@click=app.quit]click me[/] and [/bold]")  # markup shown literally
    app.wait_for("␛]52;c;aGVsbG8=␇")  # the escape shown as a visible symbol
    app.step("space", expect="Easy")
    app.wait_for("link (http://evil.example/)")
    app.wait_for("[@click=app.screenshot()]shot[/]")
    assert app.proc.poll() is None  # no action quit the app
    app.step("escape", expect="Study selected")  # home screen, with the deck's name
    app.wait_for("Hostile ␛]0;deck-title␇ deck")
    app.press("q")
    assert app.wait_exit() == 0
    raw = bytes(app.raw)
    for seq in FORBIDDEN:
        assert seq not in raw, f"{seq!r} reached the terminal"
    assert not list(tmp_path.glob("*.svg")) and not list(Path.cwd().glob("*.svg"))
    # The next start paints the deck list from the launch summary: the name is just as inert.
    assert (tmp_path / "cache" / "home-summary.marshal").is_file()
    again = PtyApp([], tmp_path, size=(120, 30))
    again.wait_for("Hostile ␛]0;deck-title␇ deck")
    again.press("q")
    assert again.wait_exit() == 0
    for seq in FORBIDDEN:
        assert seq not in bytes(again.raw), f"{seq!r} reached the terminal from the summary"
