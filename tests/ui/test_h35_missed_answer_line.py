"""Hunt 35 in the study screen: a wrong typed answer's Answer line shows the card's own answer
(not the `accept` spelling that looks most like what was typed, with the real back below it),
and a number card's note says what was expected with its unit, `accept_range` included."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from retain.ui.app import RetainApp

from .conftest import OpenApp
from .screen import screen_text, until

DECK = """format = 1

[deck]
id = "h35"
name = "H35"

[[cards]]
id = "consensus"
kind = "typed"
front = "Which consensus algorithm does Consul use?"
back = "Raft"
accept = ["the raft algorithm", "raft consensus"]

[[cards]]
id = "shard-size"
kind = "typed"
front = "What shard size should you aim for?"
back = "20–50 GB"
match = "number"
accept_range = [10, 50]
accept = ["between 20 and 50 GB", "between 10 and 50 GB"]
"""


@pytest.fixture
def h35_deck(retain_home: Path) -> Path:
    (retain_home / "decks" / "h35.toml").write_text(DECK, encoding="utf-8")
    return retain_home


def _answer_line(app: RetainApp) -> str:
    found = re.search(r"^\s*Answer\s+(.*?)\s*$", screen_text(app), re.MULTILINE)
    return found[1] if found else ""


@pytest.mark.parametrize("typed", ["idk", "raft protocol"])
async def test_a_wrong_text_answer_shows_the_cards_answer(
    open_app: OpenApp, h35_deck: Path, typed: str
) -> None:
    app = open_app(["h35"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: "consensus algorithm" in screen_text(app))
        await pilot.press(*typed, "enter")
        assert await until(pilot, lambda: "You typed" in screen_text(app))
        text = screen_text(app)
        assert "not quite" in text
        assert _answer_line(app) == "Raft"
        assert "the raft algorithm" not in text and "raft consensus" not in text


async def test_a_number_miss_shows_the_back_and_the_unit(open_app: OpenApp, h35_deck: Path) -> None:
    app = open_app(["h35"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: "consensus algorithm" in screen_text(app))
        await pilot.press(*"Raft", "enter")
        assert await until(pilot, lambda: "You typed" in screen_text(app))
        await pilot.press("enter")
        assert await until(pilot, lambda: "shard size" in screen_text(app))
        await pilot.press(*"0.03 TB", "enter")
        assert await until(pilot, lambda: "You typed" in screen_text(app))
        text = screen_text(app)
        assert "expected 10 to 50 GB" in text
        assert _answer_line(app) == "20–50 GB"
