"""Typed cards with an answer mode in the study screen: the diff names missing and extra flags or
items, a bad answer says so, and Enter records the verdict's suggested rating."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.ui.app import RetainApp

from .conftest import OpenApp
from .screen import screen_text

CLI = """format = 1

[deck]
id = "cli"
name = "CLI"

[[cards]]
id = "logs"
kind = "typed"
front = "Follow the logs of pod web in namespace prod"
back = "kubectl logs -f -n prod web"
match = "command"
aliases = { "-n" = "--namespace", "-f" = "--follow" }
"""

SIGNALS = """format = 1

[deck]
id = "sre"
name = "SRE"

[[cards]]
id = "signals"
kind = "typed"
front = "The four golden signals?"
back = "Latency, Traffic, Errors, Saturation"
match = "set"
"""


def ratings(app: RetainApp) -> list[int]:
    return [e.rating for e in app.collection.history() if e.kind == "review"]


@pytest.fixture
def answer_decks(retain_home: Path) -> Path:
    (retain_home / "decks" / "cli.toml").write_text(CLI, encoding="utf-8")
    (retain_home / "decks" / "sre.toml").write_text(SIGNALS, encoding="utf-8")
    return retain_home


@pytest.mark.parametrize(
    ("typed", "shown", "expected"),
    [
        ("kubectl logs web --namespace=prod --follow", "✓ correct", 3),
        ("kubectl logs -n prod --previous web", "Missing    -f", 1),
        ("kubectl logs -n prod --previous web", "Extra      --previous", 1),
        ("kubectl logs -f -n prod 'web", "could not parse your answer", 1),
    ],
)
async def test_command_card_verdict_and_enter(
    open_app: OpenApp, answer_decks: Path, typed: str, shown: str, expected: int
) -> None:
    app = open_app(["cli"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*typed, "enter")
        assert shown in screen_text(app)
        await pilot.press("enter")
        assert ratings(app) == [expected]


async def test_set_card_names_missing_and_extra_items(open_app: OpenApp, answer_decks: Path) -> None:
    app = open_app(["sre"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"errors, latency, cpu", "enter")
        text = screen_text(app)
        assert "Missing    Traffic, Saturation" in text
        assert "Extra      cpu" in text
        assert "suggested rating: Again" in text
        await pilot.press("enter")
        assert ratings(app) == [1]


async def test_set_card_accent_is_hard(open_app: OpenApp, answer_decks: Path) -> None:
    app = open_app(["sre"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press(*"saturation, érrors, traffic, latency", "enter")
        assert "suggested rating: Hard" in screen_text(app)
        await pilot.press("space")
        assert ratings(app) == [2]
