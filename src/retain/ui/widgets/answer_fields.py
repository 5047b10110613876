"""The editor's answer-check fields of a typed card: `match` and the keys that mode uses.

A select picks the mode (text, set, command, number, regex); only the fields
the mode reads are shown: `pattern` for regex; `accept_range` and `tolerance`
for number; `aliases` for set, command and number. Their text is turned into a
card's TOML keys by `core.answer.formtext` and checked by `core.answer.spec`,
the same rules and messages as `retain check`. Every change posts
`AnswerFields.Changed`.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Select

from retain.core.answer.formtext import FIELDS_FOR_MATCH, MATCH_LABELS, raw_keys, texts
from retain.core.answer.spec import AnswerSpec, Finding, read_keys
from retain.core.sanitize import sanitize_line
from retain.ui.widgets.ordered_keys import OrderedInput

__all__ = ["AnswerFields"]

_KEYS = ("pattern", "accept_range", "tolerance", "aliases")
_LABELS = {
    "pattern": "Pattern (RE2), matched against the whole answer",
    "accept_range": "Accepted range (optional): low, high",
    "tolerance": "Tolerance (optional): ± this much is right",
}
_ALIAS_LABELS = {
    "set": "Item aliases (optional), like rps = traffic",
    "command": "Flag aliases (optional), like -n = --namespace",
    "number": "Unit aliases (optional), like gigabytes = GB",
}
_PLACEHOLDERS = {
    "pattern": r"kafka-topics(\.sh)? --create --topic \S+",
    "accept_range": "20, 50",
    "tolerance": "0.5",
    "aliases": "-n = --namespace",
}


class AnswerFields(Vertical):
    DEFAULT_CSS = """
    AnswerFields { height: auto; }
    AnswerFields #form-match { width: 1fr; }
    AnswerFields .answer-key { height: auto; }
    """

    class Changed(Message):
        """The mode or a field changed."""

    def __init__(self, spec: AnswerSpec, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown = texts(spec)  # as first shown: unchanged fields keep the card's exact values
        self._shown = {k: sanitize_line(v) for k, v in self._shown.items()}

    def compose(self) -> ComposeResult:
        options = [(Content(label), match) for match, label in MATCH_LABELS.items()]
        yield Label("Answer check")
        yield Select(options, value=self._shown["match"], allow_blank=False, id="form-match", compact=True)
        for key in _KEYS:
            with Vertical(classes="answer-key", id=f"field-{key}"):
                yield Label(_LABELS.get(key, ""), id=f"label-{key}")
                yield OrderedInput(
                    self._shown[key], placeholder=_PLACEHOLDERS[key], id=f"form-{key}", compact=True
                )

    def on_mount(self) -> None:
        for field in self.query(Input):
            field.cursor_blink = False
        self._show_keys()

    @property
    def match(self) -> str:
        value = self.query_one("#form-match", Select).value
        return value if isinstance(value, str) and value in MATCH_LABELS else ""

    def fields(self) -> dict[str, str]:
        return {key: self.query_one(f"#form-{key}", Input).value for key in _KEYS}

    @property
    def changed(self) -> bool:
        """The mode or a field the mode uses differs from what was first shown."""
        fields = self.fields()
        used = FIELDS_FOR_MATCH.get(self.match, ())
        return self.match != self._shown["match"] or any(fields[k] != self._shown[k] for k in used)

    def read(self) -> tuple[AnswerSpec, list[Finding]]:
        """The settings as typed, and what `retain check` would say about their types."""
        return read_keys(raw_keys(self.match, self.fields()))

    def _show_keys(self) -> None:
        match = self.match
        used = FIELDS_FOR_MATCH.get(match, ())
        for key in _KEYS:
            self.query_one(f"#field-{key}").display = key in used
        self.query_one("#label-aliases", Label).update(_ALIAS_LABELS.get(match, ""))

    @on(Select.Changed, "#form-match")
    def _match_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._show_keys()
        self.post_message(self.Changed())

    @on(Input.Changed)
    def _field_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.post_message(self.Changed())
