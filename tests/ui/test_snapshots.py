"""Snapshot tests (pytest-textual-snapshot) at 80x24 with a fixed clock and fixed decks.

Regenerate with `pytest tests/ui/test_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

from retain.core.state import LEARNING, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home

from .conftest import FIXED_NOW, OpenApp
from .decks import write_decks

SnapCompare = Any
SIZE = (80, 24)


async def counted(pilot: Pilot[None]) -> None:
    """Wait for the home screen's background count of today's reviews and streak."""
    for _ in range(250):
        if getattr(pilot.app.screen, "progress", None) is not None:
            break
        await pilot.pause(0.02)
    await pilot.pause()


def test_home(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(), terminal_size=SIZE, run_before=counted)


def test_home_with_broken_deck(retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    write_decks(retain_home / "decks", broken=True)
    assert snap_compare(open_app(), terminal_size=SIZE, run_before=counted)


def test_front(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(["kafka"], start_in_review=True), terminal_size=SIZE)


def test_revealed_with_interval_buttons(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(["kafka"], start_in_review=True), press=["space"], terminal_size=SIZE)


def test_typed_diff(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    app = open_app(["consul"], start_in_review=True)
    assert snap_compare(app, press=[*"Rafft", "enter"], terminal_size=SIZE)


def test_command_diff(open_app: OpenApp, retain_home: Path, snap_compare: SnapCompare) -> None:
    """A `match = "command"` card: the words of the answer marked, then the missing and extra flags."""
    from .test_answer_modes_ui import CLI

    (retain_home / "decks" / "cli.toml").write_text(CLI, encoding="utf-8")
    app = open_app(["cli"], start_in_review=True)
    assert snap_compare(app, press=[*"kubectl logs -n prod --previous web", "enter"], terminal_size=SIZE)


def test_cloze(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(["redis"], start_in_review=True), terminal_size=SIZE)


def test_summary(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    app = open_app(["kafka"], start_in_review=True)
    press = ["space", "3", "space", "1", "space", "4", "escape"]
    assert snap_compare(app, press=press, terminal_size=SIZE)


def test_help(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(["kafka"], start_in_review=True), press=["f1"], terminal_size=SIZE)


def test_nothing_due(retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    """The only card is a learning step due in 3 hours: "Nothing due — next card in 3h" (a review
    due in 3 hours is due now: a review is due all its study day)."""
    collection = Collection.open(open_home(), FIXED_NOW)
    reviewed = FIXED_NOW - timedelta(days=1)
    state = CardState(LEARNING, 0, 3.0, 5.0, FIXED_NOW + timedelta(hours=3), reviewed, reps=1)
    collection.record(
        Event(collection.new_event_id(reviewed), "review", "consul/consensus", reviewed, state, None, 3)
    )
    collection.close()

    async def settle(pilot: Pilot[None]) -> None:
        await pilot.pause()

    app = open_app(["consul"], start_in_review=True)
    assert snap_compare(app, run_before=settle, terminal_size=SIZE)
