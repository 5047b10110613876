"""The four rating buttons, each labelled with the interval it would lead to."""

from __future__ import annotations

from collections.abc import Mapping

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.message import Message
from textual.widgets import Button

__all__ = ["RATING_NAMES", "RatingBar"]

RATING_NAMES: dict[int, str] = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
_VARIANTS = {1: "error", 2: "warning", 3: "success", 4: "primary"}


class RatingBar(Horizontal):
    """Again / Hard / Good / Easy. The keyboard (1-4) is the main way; buttons are for the mouse."""

    DEFAULT_CSS = """
    RatingBar { height: auto; width: 1fr; align-horizontal: center; }
    RatingBar > Button { width: 1fr; max-width: 20; margin: 0 1; }
    RatingBar > Button.suggested { text-style: bold underline; }
    """

    class Rated(Message):
        """A rating button was clicked."""

        def __init__(self, rating: int) -> None:
            super().__init__()
            self.rating = rating

    def compose(self) -> ComposeResult:
        for rating, name in RATING_NAMES.items():
            button = Button(Content(name), variant=_VARIANTS[rating], id=f"rate-{rating}")  # type: ignore[arg-type]
            button.can_focus = False  # Enter and Space stay with the screen's bindings
            yield button

    def show(self, intervals: Mapping[int, str], suggested: int | None = None) -> None:
        """Label each button `1 Again <10m`; mark the suggested rating (typed cards)."""
        for rating, name in RATING_NAMES.items():
            button = self.query_one(f"#rate-{rating}", Button)
            button.label = Content.assemble(
                (f"{rating} ", "dim"), name, "  ", (intervals.get(rating, ""), "bold")
            )
            button.set_class(rating == suggested, "suggested")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id and event.button.id.startswith("rate-"):
            self.post_message(self.Rated(int(event.button.id.removeprefix("rate-"))))
