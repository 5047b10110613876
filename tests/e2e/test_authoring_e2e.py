"""End to end, as a person uses it: `retain add` a card, study it in the TUI (in tmux), change its text
in the deck file, and check that its progress is kept (on disk, and in the browser of a running app that
reloads the edited file by itself).

Runs the installed `retain` in a real tmux session with RETAIN_HOME=tmp_path; skipped without tmux.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.store.collection import Collection
from retain.store.home import open_home

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def retain_command() -> list[str]:
    script = shutil.which("retain", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "retain"]


class Tmux:
    """One detached tmux session running a command at 100x30."""

    def __init__(self, home: Path, args: list[str]) -> None:
        self.home = home
        self.name = f"retain-e2e-{uuid.uuid4().hex[:8]}"
        # A private server: a tmux server already running (the developer's own) would
        # start the command with its environment, not ours (RETAIN_HOME above all).
        self.tmux = ["tmux", "-L", self.name]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "TMUX"))}
        env["RETAIN_HOME"] = str(home)
        command = " ".join(f"'{part}'" for part in [*retain_command(), *args])
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", self.name, "-x", "100", "-y", "30", command],
            check=True,
            env={**env, "TERM": "xterm-256color"},
        )

    def screen(self) -> str:
        done = subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True, check=False
        )
        return done.stdout

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen shows:\n{self.screen()}")

    def press(self, *keys: str) -> None:
        for key in keys:
            subprocess.run([*self.tmux, "send-keys", "-t", self.name, key], check=True)
            time.sleep(0.15)

    def alive(self) -> bool:
        return (
            subprocess.run([*self.tmux, "has-session", "-t", self.name], capture_output=True).returncode == 0
        )

    def wait_closed(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while self.alive() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not self.alive(), f"retain did not quit; the screen shows:\n{self.screen()}"
        # The pane can close while retain still writes its snapshots: wait for the writer lock to go.
        info = self.home / "state" / "writer.toml"
        while info.exists() and time.monotonic() < deadline + timeout:
            time.sleep(0.2)
        assert not info.exists(), "retain still holds the writer lock"

    def kill(self) -> None:
        subprocess.run([*self.tmux, "kill-session", "-t", self.name], capture_output=True, check=False)


@pytest.fixture
def sessions() -> Iterator[list[Tmux]]:
    started: list[Tmux] = []
    yield started
    for session in started:
        session.kill()


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run([*retain_command(), *args], capture_output=True, text=True, env=env, timeout=120)


def progress(home: Path, key: str) -> object:
    with Collection.open(open_home({"RETAIN_HOME": str(home)}), datetime.now(UTC), read_only=True) as col:
        return col.states.get(key)


def test_add_study_edit_text_progress_kept(tmp_path: Path, sessions: list[Tmux]) -> None:
    added = run(
        tmp_path,
        "add",
        "--deck",
        "geo",
        "--new-deck",
        "--front",
        "What is the capital of France?",
        "--back",
        "Paris",
    )
    assert added.returncode == 0, added.stderr
    card_id = added.stdout.split("geo/")[1].split()[0]
    key = f"geo/{card_id}"
    deck_file = tmp_path / "decks" / "geo.toml"

    # Study it: reveal, rate Good (it comes back as a learning card), end the session, quit.
    study = Tmux(tmp_path, ["review", "geo"])
    sessions.append(study)
    study.wait_for("What is the capital of France?")
    study.press("Space")
    study.wait_for("Paris")
    study.press("3")
    study.wait_for("Learning 1")
    study.press("Escape")
    study.wait_for("Studied   1 card")  # then q, alone  # the session summary
    study.press("q")
    study.wait_closed()
    before = progress(tmp_path, key)
    assert before is not None and before.reps == 1  # type: ignore[attr-defined]

    # The app is open on the browser while the author edits the card's text in their editor.
    app = Tmux(tmp_path, [])
    sessions.append(app)
    app.wait_for("Study selected")
    app.press("b")
    app.wait_for("Browse")
    time.sleep(1)
    app.press("deck:geo")  # the search box has the focus when the browser opens
    app.wait_for(" deck:geo")  # typed into the search box
    app.press("Enter")
    screen = app.wait_for("What is the capital of France?")
    assert "learning" in screen
    text = deck_file.read_text("utf-8")
    deck_file.write_text(
        text.replace("What is the capital of France?", "Which city is the capital of France?")
    )
    app.wait_for("geo.toml changed on disk")  # the notification
    screen = app.wait_for("Which city is the capital of France?")  # reloaded by itself
    assert "learning" in screen and "What is the capital" not in screen
    app.press("Escape")  # alone: Esc then q at once would read as alt+q
    app.wait_for("Study selected")
    app.press("q")
    app.wait_closed()

    # On disk: same id, same progress; `retain due` no longer counts it as new.
    assert progress(tmp_path, key) == before
    due = run(tmp_path, "due", "--json")
    assert due.returncode == 0, due.stderr
    deck = next(d for d in json.loads(due.stdout)["decks"] if d["id"] == "geo")
    assert (deck["cards"], deck["new"]) == (1, 0)
    check = run(tmp_path, "check", str(deck_file))
    assert check.returncode == 0, check.stdout + check.stderr
