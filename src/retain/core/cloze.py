"""Anki-style cloze deletions: `{{c1::answer}}` and `{{c1::answer::hint}}`."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["CLOZE_RE", "Deletion", "cloze_numbers", "deletions", "render_back", "render_front"]

CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


@dataclass(frozen=True, slots=True)
class Deletion:
    number: int
    answer: str
    hint: str


def deletions(text: str) -> list[Deletion]:
    return [Deletion(int(m[1]), m[2], m[3] or "") for m in CLOZE_RE.finditer(text)]


def cloze_numbers(text: str) -> list[int]:
    """Distinct cloze numbers in order of first appearance (c0 is not a cloze)."""
    seen: list[int] = []
    for d in deletions(text):
        if d.number > 0 and d.number not in seen:
            seen.append(d.number)
    return sorted(seen)


def render_front(text: str, number: int) -> str:
    """The question side: cloze `number` hidden as `[...]` or `[hint]`, others shown."""

    def sub(m: re.Match[str]) -> str:
        if int(m[1]) == number:
            return f"[{m[3]}]" if m[3] else "[...]"
        return m[2]

    return CLOZE_RE.sub(sub, text)


def render_back(text: str, number: int) -> str:
    """The answer side: every deletion shown, the asked one emphasised."""

    def sub(m: re.Match[str]) -> str:
        return f"**{m[2]}**" if int(m[1]) == number else m[2]

    return CLOZE_RE.sub(sub, text)
