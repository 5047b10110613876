"""Saving a card from the editor keeps keys its kind does not use, unless the kind was changed.

An author who wrote a typed card but not yet its `kind = "typed"` line (so `accept` is unused),
or left a draft cloze `text` on a basic card, fixed a typo in the back in the app: "Saved", and
the `accept` list and the `text` were gone from the file (`retain check` had warned about them,
and no longer could). An unknown key on the same card was kept, so only these went.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace

from textual.app import App, ComposeResult
from textual.widgets import Select, TextArea

from retain.core.model import Card, Deck
from retain.ui.widgets.card_form import CardForm

CARD = Card(
    id="one",
    kind="basic",
    front="Q one",
    back="A one",
    text="draft {{c1::cloze}}",
    accept=("alt answer",),
    match="set",
)


class _Host(App[None]):
    def compose(self) -> ComposeResult:
        yield CardForm([Deck(id="tg", name="TG", cards=(CARD,))], "tg", CARD)


def _edit_back(kind: str | None) -> Card:
    async def run() -> Card:
        app = _Host()
        async with app.run_test() as pilot:
            form = app.query_one(CardForm)
            if kind is not None:
                form.query_one("#form-kind", Select).value = kind
                await pilot.pause()
            back = form.query_one("#form-back", TextArea)
            back.load_text("A one2")
            await pilot.pause()
            return form.value()[1]

    return asyncio.run(run())


def test_an_edit_of_the_back_keeps_the_keys_the_kind_does_not_use() -> None:
    card = _edit_back(None)
    assert card == replace(CARD, back="A one2", line=0)


def test_a_kind_changed_in_the_form_still_drops_what_the_new_kind_does_not_use() -> None:
    card = _edit_back("reversed")
    assert card.kind == "reversed" and card.back == "A one2"
    assert (card.text, card.accept, card.match) == ("", (), "")
