"""A typed answer compared with the expected one (a Rich `Text`): characters, or set items and
command words, then what is missing or extra, and the verdict."""

from __future__ import annotations

from rich.text import Text

from retain.core.sanitize import sanitize_line
from retain.core.typed import DiffPart, TypedCheck

__all__ = ["diff_text"]

_STYLES = {"same": "green", "wrong": "bold red strike", "missing": "bold yellow underline"}
_RATING_NAMES = {1: "Again", 2: "Hard", 3: "Good"}


def _parts(parts: tuple[DiffPart, ...]) -> list[tuple[str, str]]:
    return [(sanitize_line(p.text), _STYLES[p.kind]) for p in parts]


def diff_text(check: TypedCheck) -> Text:
    """Three lines: what was typed (wrong characters struck), the answer (missing ones underlined), verdict."""
    if check.answer:
        typed = Text.assemble(("You typed  ", "dim"), *_parts(check.typed_parts))
    else:
        typed = Text("You typed  (nothing)", style="dim")
    answer = Text.assemble(("Answer     ", "dim"), *_parts(check.expected_parts))
    if check.correct:
        verdict = Text("✓ correct", style="bold green")
    elif check.suggested_rating == 2:
        verdict = Text("≈ close", style="bold yellow")
    else:
        verdict = Text("✗ not quite", style="bold red")
    name = _RATING_NAMES.get(check.suggested_rating, "")
    suggestion = Text.assemble(verdict, ("  suggested rating: ", "dim"), (name, "bold"))
    lines = [typed, answer, *_lists(check), suggestion]
    if check.note:
        lines.insert(-1, Text.assemble(("Note       ", "dim"), (sanitize_line(check.note), "italic")))
    return Text("\n").join(lines)


def _lists(check: TypedCheck) -> list[Text]:
    """`Missing    --follow, -n prod` and `Extra      -x`: the set items or flags, one line each."""
    noun = {"set": "", "command": ""}.get(check.mode)
    if noun is None:
        return []
    out: list[Text] = []
    for label, items, style in (
        ("Missing    ", check.missing, _STYLES["missing"]),
        ("Extra      ", check.extra, _STYLES["wrong"]),
    ):
        if items:
            shown = [(sanitize_line(item), style) for item in items]
            joined: list[tuple[str, str] | str] = []
            for i, part in enumerate(shown):
                if i:
                    joined.append(", ")
                joined.append(part)
            out.append(Text.assemble((label, "dim"), *joined))
    return out
