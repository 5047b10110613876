"""The fields of one card: deck, kind, front, back, text, extra, accept, answer check, tags.

Only the fields the kind uses are shown (a cloze has `text`, the others `front`
and `back`; `accept` and the answer check (`AnswerFields`) are for typed cards). Every change posts `CardForm.Changed`;
`value()` gives the deck id and the card as typed (hidden fields left empty,
the id and `source` kept from the card being edited).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Select, TextArea

from retain.core.answer.spec import AnswerSpec, Finding
from retain.core.cardcheck import split_list
from retain.core.cloze import CLOZE_RE
from retain.core.model import KINDS, Card, Deck, Kind
from retain.core.sanitize import sanitize, sanitize_line
from retain.core.typed import answer_spec
from retain.ui.text import line
from retain.ui.widgets.answer_fields import AnswerFields

__all__ = ["FIELDS_FOR", "CardForm"]

# A card that is not typed has no answer to check: its answer-check keys go when its kind changes.
_NO_ANSWER_CHECK: dict[str, Any] = AnswerSpec().card_fields()

FIELDS_FOR: dict[str, tuple[str, ...]] = {
    "basic": ("front", "back", "extra", "tags"),
    "reversed": ("front", "back", "extra", "tags"),
    "typed": ("front", "back", "accept", "answer", "extra", "tags"),
    "cloze": ("text", "extra", "tags"),
}
_LABELS = {
    "front": "Front (Markdown)",
    "back": "Back",
    "text": "Text: {{c1::answer}} or {{c1::answer::hint}}",
    "extra": "Extra (shown after the answer; optional)",
    "accept": "Other accepted answers, one per line (optional)",
    "tags": "Tags, comma-separated (optional)",
}
_AREAS = ("front", "back", "text", "extra", "accept")


class CardForm(VerticalScroll):
    DEFAULT_CSS = """
    CardForm { height: 1fr; padding: 0 1; }
    CardForm #form-choices { height: auto; }
    CardForm #form-choices Select { width: 1fr; margin-right: 1; }
    CardForm #form-choices #form-kind { width: 16; }
    CardForm Label { color: $text-muted; margin-top: 1; }
    CardForm TextArea { height: auto; min-height: 2; max-height: 10; background: $boost; }
    CardForm TextArea:focus, CardForm Input:focus { background: $surface-lighten-1; }
    CardForm Input { background: $boost; }
    CardForm .field { height: auto; }
    """

    class Changed(Message):
        """A field, the deck or the kind changed."""

    def __init__(self, decks: Sequence[Deck], deck_id: str, card: Card, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._decks = list(decks)
        self._deck_id = deck_id
        self._card = card
        self._shown: dict[str, str] = {}  # each field's text as first shown (sanitised)

    def compose(self) -> ComposeResult:
        card = self._card
        ordered = sorted(self._decks, key=lambda d: ((d.group or "").casefold(), (d.name or d.id).casefold()))
        options = [(line(d.name or d.id), d.id) for d in ordered]  # as the deck list orders them
        with Horizontal(id="form-choices"):
            yield Select(options, value=self._deck_id, allow_blank=False, id="form-deck", compact=True)
            kinds = [(Content(k), k) for k in KINDS]
            yield Select(kinds, value=card.kind, allow_blank=False, id="form-kind", compact=True)
        # A TextArea writes its text to the terminal as it is: control characters from a
        # hostile deck are shown (and saved) as their visible pictures, as everywhere else.
        self._shown = values = {
            "front": sanitize(card.front),
            "back": sanitize(card.back),
            "text": sanitize(card.text),
            "extra": sanitize(card.extra),
            "accept": "\n".join(sanitize_line(a) for a in card.accept),
            "tags": sanitize_line(", ".join(card.tags)),
        }
        for name in (*_AREAS, "tags"):
            with Vertical(classes="field", id=f"field-{name}"):
                yield Label(_LABELS[name])
                if name == "tags":
                    yield Input(values["tags"], id="form-tags", compact=True)
                else:
                    yield TextArea(values[name], id=f"form-{name}", compact=True, soft_wrap=True)
            if name == "accept":
                with Vertical(classes="field", id="field-answer"):
                    yield AnswerFields(answer_spec(card), id="form-answer")

    def on_mount(self) -> None:
        for area in self.query(TextArea):
            area.cursor_blink = False
        self.query_one("#form-tags", Input).cursor_blink = False
        self._show_fields(self._card.kind)

    def _show_fields(self, kind: str) -> None:
        wanted = FIELDS_FOR.get(kind, FIELDS_FOR["basic"])
        for name in (*_AREAS, "answer", "tags"):
            self.query_one(f"#field-{name}").display = name in wanted

    def _area(self, name: str) -> TextArea:
        return self.query_one(f"#form-{name}", TextArea)

    def focus_first(self) -> None:
        kind = self.kind
        self._area("text" if kind == "cloze" else "front").focus()

    @property
    def kind(self) -> Kind:
        value = self.query_one("#form-kind", Select).value
        return next((k for k in KINDS if k == value), "basic")

    @property
    def deck_id(self) -> str:
        value = self.query_one("#form-deck", Select).value
        return value if isinstance(value, str) else self._deck_id

    def value(self) -> tuple[str, Card]:
        """The deck id and the card; a field left as it was shown keeps the card's exact value."""
        kind = self.kind
        used = FIELDS_FOR[kind]
        card = self._card

        def get(name: str) -> str:
            if name not in used:
                return ""
            text = self._area(name).text
            return str(getattr(card, name)) if text == self._shown[name] else text.strip()

        tags = self.query_one("#form-tags", Input).value
        accept = self._area("accept").text if "accept" in used else ""
        return self.deck_id, replace(
            card,
            kind=kind,
            front=get("front"),
            back=get("back"),
            text=get("text"),
            extra=get("extra"),
            accept=card.accept if accept == self._shown["accept"] and accept else split_list(accept, "\n"),
            tags=card.tags if tags == self._shown["tags"] else split_list(tags),
            line=0,
            **(
                self._answer_keys() if kind == "typed" else _NO_ANSWER_CHECK
            ),  # only typed answers are checked
        )

    def _answer_keys(self) -> dict[str, Any]:
        """The answer-check keys as typed; the card's own when the fields are as first shown."""
        fields = self.query_one(AnswerFields)
        if not fields.changed:
            return {}
        spec, _found = fields.read()
        return spec.card_fields()

    def answer_findings(self) -> list[Finding]:
        """What `retain check` says about the types of the answer-check fields (a typed card only)."""
        if self.kind != "typed":
            return []
        fields = self.query_one(AnswerFields)
        return fields.read()[1] if fields.changed else []

    def clear(self, deck_id: str) -> None:
        """An empty card of the same kind in `deck_id`, the tags kept (the next card of a series)."""
        _, current = self.value()
        self._card = Card(id="", kind=current.kind, tags=current.tags)
        self._deck_id = deck_id
        tags = self.query_one("#form-tags", Input).value
        self._shown = dict.fromkeys(_AREAS, "") | {"tags": tags}
        with self.prevent(TextArea.Changed):
            for name in _AREAS:
                self._area(name).load_text("")
        self.focus_first()

    @on(Select.Changed, "#form-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        kind = self.kind
        front, text = self._area("front"), self._area("text")
        if kind == "cloze" and not text.text.strip() and front.text.strip():
            text.load_text(front.text)  # start the cloze from the question
        elif kind != "cloze" and not front.text.strip() and text.text.strip():
            front.load_text(CLOZE_RE.sub(lambda m: m[2], text.text))
        self._show_fields(kind)
        self.post_message(self.Changed())

    @on(Select.Changed, "#form-deck")
    @on(AnswerFields.Changed)
    @on(TextArea.Changed)
    @on(Input.Changed, "#form-tags")
    def _field_changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed())
