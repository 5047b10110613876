"""A typed answer compared with the expected one, character by character."""

from __future__ import annotations

from textual.content import Content
from textual.widgets import Static

from retain.core.sanitize import sanitize_line
from retain.core.typed import DiffPart, TypedCheck

__all__ = ["TypedDiff", "diff_content"]

_STYLES = {"same": "$success", "wrong": "bold $error strike", "missing": "bold $warning underline"}
_RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good"}


def _parts(parts: tuple[DiffPart, ...]) -> list[tuple[str, str]]:
    return [(sanitize_line(p.text), _STYLES[p.kind]) for p in parts]


def diff_content(check: TypedCheck) -> Content:
    """Three lines: what was typed (wrong characters struck), the answer (missing ones underlined), verdict."""
    if check.answer:
        typed = Content.assemble(("You typed  ", "$text-muted"), *_parts(check.typed_parts))
    else:
        typed = Content.styled("You typed  (nothing)", "$text-muted")
    answer = Content.assemble(("Answer     ", "$text-muted"), *_parts(check.expected_parts))
    if check.correct:
        verdict = Content.styled("✓ correct", "bold $success")
    elif check.suggested_rating == 2:
        verdict = Content.styled("≈ close", "bold $warning")
    else:
        verdict = Content.styled("✗ not quite", "bold $error")
    name = _RATING_NAMES.get(check.suggested_rating, "")
    suggestion = Content.assemble(verdict, ("  suggested rating: ", "$text-muted"), (name, "bold"))
    return Content("\n").join([typed, answer, suggestion])


class TypedDiff(Static):
    """Shows a `TypedCheck` after a typed card is revealed."""

    DEFAULT_CSS = """
    TypedDiff { height: auto; padding: 0 1; margin-bottom: 1; border-left: thick $accent; }
    """

    def show(self, check: TypedCheck) -> None:
        self.update(diff_content(check))
