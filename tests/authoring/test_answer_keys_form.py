"""The editor's card form keeps a typed card's answer-check keys, and drops them with the kind."""

from __future__ import annotations

import asyncio

from textual.app import App, ComposeResult
from textual.widgets import Select

from retain.core.model import Card, Deck
from retain.ui.widgets.card_form import CardForm

CARD = Card(
    id="logs",
    kind="typed",
    front="Follow the logs",
    back="kubectl logs -f web",
    match="command",
    aliases=(("-f", "--follow"),),
)


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield CardForm([Deck(id="cli", name="CLI", cards=(CARD,))], "cli", CARD)


def test_form_keeps_the_keys_of_a_typed_card_and_drops_them_with_another_kind() -> None:
    async def run() -> tuple[Card, Card]:
        app = _Host()
        async with app.run_test() as pilot:
            form = app.query_one(CardForm)
            kept = form.value()[1]
            form.query_one("#form-kind", Select).value = "basic"
            await pilot.pause()
            return kept, form.value()[1]

    kept, basic = asyncio.run(run())
    assert (kept.match, kept.aliases) == ("command", (("-f", "--follow"),))
    assert basic.kind == "basic" and (basic.match, basic.aliases) == ("", ())
