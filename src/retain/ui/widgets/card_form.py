"""The fields of one card: deck, kind, front, back, text, extra, accept, answer check, tags.

Only the fields the kind uses are shown (a cloze has `text`, the others `front`
and `back`; `accept` and the answer check (`AnswerFields`) are for typed cards). Every change posts `CardForm.Changed`;
`value()` gives the deck id and the card as typed (hidden fields left empty,
the id and `source` kept from the card being edited).

The fields show card text as every screen does, `sanitize`d (ESC as "␛", a
zero-width joiner as "�"): a TextArea writes its text to the terminal as it is.
So the form never saves what it shows: the characters behind each replacement
the user left alone are put back (a diff of the shown and the edited text), and
only what they typed is new. Showing the original instead would let a hostile
deck's escape sequences reach the terminal, and a lighter sanitiser for the
editor alone would be a second policy to keep safe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from difflib import SequenceMatcher
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
from retain.core.sanitize import sanitize_pieces
from retain.core.typed import answer_spec
from retain.ui.text import line
from retain.ui.widgets.answer_fields import AnswerFields
from retain.ui.widgets.ordered_keys import OrderedInput, OrderedTextArea

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

Pieces = list[tuple[str, str]]  # one per shown character: (shown, the original text it stands for)


def _shown(pieces: Pieces) -> str:
    return "".join(shown for shown, _ in pieces)


def _accept_pieces(accept: Sequence[str]) -> Pieces:
    pieces: Pieces = []
    for i, answer in enumerate(accept):
        pieces += ([("\n", "\n")] if i else []) + sanitize_pieces(answer, one_line=True)
    return pieces


def _originals(pieces: Pieces) -> str:
    return "".join(original for _, original in pieces)


def _shared_start(a: str, b: str) -> int:
    """How many characters `a` and `b` have in common at their start."""
    n = min(len(a), len(b))
    return next((i for i in range(n) if a[i] != b[i]), n)


def _restore(pieces: Pieces, edited: str) -> str:
    """`edited` with every replacement the user left alone turned back into the text it stands for."""
    if all(shown == original for shown, original in pieces):
        return edited
    shown = _shown(pieces)
    # Most edits are one stretch: what comes before and after it is kept exactly, and only the
    # stretch is diffed (a diff alone may pair a kept "\n" with a typed one and lose a CRLF).
    head = _shared_start(shown, edited)
    tail = _shared_start(shown[head:][::-1], edited[head:][::-1])
    end = len(shown) - tail
    middle = _diffed(pieces[head:end], edited[head : len(edited) - tail])
    return _originals(pieces[:head]) + middle + _originals(pieces[end:])


def _diffed(pieces: Pieces, edited: str) -> str:
    """Unchanged runs of the shown text keep their originals; what was typed is taken as typed."""
    opcodes = SequenceMatcher(None, _shown(pieces), edited, autojunk=False).get_opcodes()
    return "".join(
        _originals(pieces[i1:i2]) if op == "equal" else edited[j1:j2] for op, i1, i2, j1, j2 in opcodes
    )


_STACK_BELOW = 38  # a form narrower than this puts the kind under the deck (the deck's name kept readable)


class CardForm(VerticalScroll):
    DEFAULT_CSS = """
    CardForm { height: 1fr; padding: 0 1; }
    CardForm #form-choices { height: auto; }
    CardForm #form-choices Select { width: 1fr; margin-right: 1; }
    CardForm #form-choices #form-kind { width: 16; }
    /* narrow: the deck on its own line (beside the kind it was squeezed to nothing at 40 columns) */
    CardForm.-stacked #form-choices { layout: vertical; }
    CardForm.-stacked #form-choices Select, CardForm.-stacked #form-choices #form-kind {
        width: 1fr; margin-right: 0;
    }
    /* wrapped on a narrow terminal, not cut (`Extra (shown after the ans`) */
    CardForm Label { width: 1fr; color: $text-muted; margin-top: 1; }
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
        self._pieces: dict[str, Pieces] = {}  # each field's shown text and the originals behind it

    def compose(self) -> ComposeResult:
        card = self._card
        ordered = sorted(self._decks, key=lambda d: ((d.group or "").casefold(), (d.name or d.id).casefold()))
        options = [(line(d.name or d.id), d.id) for d in ordered]  # as the deck list orders them
        with Horizontal(id="form-choices"):
            yield Select(options, value=self._deck_id, allow_blank=False, id="form-deck", compact=True)
            kinds = [(Content(k), k) for k in KINDS]
            yield Select(kinds, value=card.kind, allow_blank=False, id="form-kind", compact=True)
        # A TextArea writes its text to the terminal as it is: control characters from a
        # hostile deck are shown as their visible pictures, as everywhere else (saved as they were).
        self._pieces = {
            name: sanitize_pieces(getattr(card, name)) for name in ("front", "back", "text", "extra")
        }
        self._pieces["accept"] = _accept_pieces(card.accept)
        self._pieces["tags"] = sanitize_pieces(", ".join(card.tags), one_line=True)
        self._shown = values = {name: _shown(pieces) for name, pieces in self._pieces.items()}
        for name in (*_AREAS, "tags"):
            with Vertical(classes="field", id=f"field-{name}"):
                yield Label(_LABELS[name])
                if name == "tags":
                    yield OrderedInput(values["tags"], id="form-tags", compact=True)
                else:
                    yield OrderedTextArea(values[name], id=f"form-{name}", compact=True, soft_wrap=True)
            if name == "accept":
                with Vertical(classes="field", id="field-answer"):
                    yield AnswerFields(answer_spec(card), id="form-answer")

    def on_mount(self) -> None:
        for area in self.query(TextArea):
            area.cursor_blink = False
        self.query_one("#form-tags", Input).cursor_blink = False
        self._show_fields(self._card.kind)

    def on_resize(self) -> None:
        self.set_class(self.size.width < _STACK_BELOW, "-stacked")

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
        """The deck id and the card; a field left as it was shown keeps the card's exact value.

        A key the card's kind does not use (an `accept` list on a card whose `kind = "typed"`
        line is still to be written, a draft cloze `text` on a basic card) is the author's and
        kept as it is, unless the kind was changed here: then what the new kind does not use goes.
        """
        kind = self.kind
        used = FIELDS_FOR[kind]
        card = self._card
        same_kind = kind == card.kind

        def get(name: str) -> str:
            if name not in used:
                return str(getattr(card, name)) if same_kind else ""
            text = self._area(name).text
            return (
                str(getattr(card, name)) if text == self._shown[name] else self._original(name, text.strip())
            )

        tags = self.query_one("#form-tags", Input).value
        accept = self._area("accept").text if "accept" in used else ""
        return self.deck_id, replace(
            card,
            kind=kind,
            front=get("front"),
            back=get("back"),
            text=get("text"),
            extra=get("extra"),
            accept=card.accept
            if (accept == self._shown["accept"] and accept) or ("accept" not in used and same_kind)
            else split_list(self._original("accept", accept), "\n"),
            tags=card.tags if tags == self._shown["tags"] else split_list(self._original("tags", tags)),
            line=0,
            **(  # only typed answers are checked; another kind's keys are kept unless it changed
                self._answer_keys() if kind == "typed" else {} if same_kind else _NO_ANSWER_CHECK
            ),
        )

    def _original(self, name: str, text: str) -> str:
        """A field's `text` as edited, with the characters behind the untouched replacements put back."""
        return _restore(self._pieces[name], text)

    def _load(self, name: str, original: str) -> None:
        """Show `original` in a text area, sanitised, remembering what each replacement stands for."""
        self._pieces[name] = sanitize_pieces(original)
        self._area(name).load_text(_shown(self._pieces[name]))

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
        # The tags stay as typed; what their replacements stand for is the kept tags' text.
        self._pieces = {name: [] for name in _AREAS} | {
            "tags": sanitize_pieces(", ".join(current.tags), one_line=True)
        }
        with self.prevent(TextArea.Changed):
            for name in _AREAS:
                self._area(name).load_text("")
        self.focus_first()

    @on(Select.Changed, "#form-kind")
    def _kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        kind = self.kind
        front, text = self._area("front"), self._area("text")
        # Copied from the originals, so the characters behind replacements are copied too.
        if kind == "cloze" and not text.text.strip() and front.text.strip():
            self._load("text", self._original("front", front.text))  # start the cloze from the question
        elif kind != "cloze" and not front.text.strip() and text.text.strip():
            self._load("front", CLOZE_RE.sub(lambda m: m[2], self._original("text", text.text)))
        self._show_fields(kind)
        self.post_message(self.Changed())

    @on(Select.Changed, "#form-deck")
    @on(AnswerFields.Changed)
    @on(TextArea.Changed)
    @on(Input.Changed, "#form-tags")
    def _field_changed(self, event: Message) -> None:
        event.stop()
        self.post_message(self.Changed())
