"""Snapshots of cards with images (half-block fallback), audio, a missing file, and math.

Regenerate with `pytest tests/ui/test_media_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from .conftest import OpenApp
from .media_decks import write_math_deck, write_pics_deck
from .screen import screen_text

SnapCompare = Any
SIZE = (80, 24)


@pytest.fixture(autouse=True)
def halfcell(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_IMAGES", "halfcell")


async def drawn(pilot: Pilot[None]) -> None:
    """Wait for the image's worker to decode it and the card to show it."""
    for _ in range(500):
        if "▀" in screen_text(pilot.app):
            break
        await pilot.pause(0.02)
    await pilot.pause()


async def revealed(pilot: Pilot[None]) -> None:
    await drawn(pilot)
    await pilot.press("space")
    await drawn(pilot)


def test_image_card_front(retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    assert snap_compare(app, terminal_size=SIZE, run_before=drawn)


def test_image_card_back_with_audio_and_missing_file(
    retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare
) -> None:
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    assert snap_compare(app, terminal_size=(80, 34), run_before=revealed)


def test_math_card_back(retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    write_math_deck(retain_home / "decks")
    app = open_app(["math"], start_in_review=True)
    assert snap_compare(app, press=["space"], terminal_size=SIZE)


def test_cloze_inside_math_front(retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    write_math_deck(retain_home / "decks")
    app = open_app(["math"], start_in_review=True)
    assert snap_compare(app, press=["space", "3"], terminal_size=SIZE)
