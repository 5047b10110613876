"""The author lint's warnings at the place in the deck file they are about.

`core.lint` finds a warning from the parsed card, at the card's line; each names the field it
is about (`LintProblem.key`, and in a string the character). `retain check` and `retain add`
print it at that field's line and column (the `back =` of "the answer appears in the
question", the `{{c2::` of a cloze answer visible elsewhere), as the parser's own problems are.
The file is read once per deck that has a warning; a file changed since it was read leaves its
warnings at their cards' lines.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from retain.core.deckfile import FieldSpots
from retain.core.lint import LintProblem
from retain.core.model import Problem
from retain.store.media import deck_text

__all__ = ["placed"]


def placed(problems: Iterable[Problem]) -> list[Problem]:
    """`problems` with each lint warning moved to the field it is about (others as they are)."""
    out = list(problems)
    by_path: dict[str, list[int]] = {}
    for i, p in enumerate(out):
        if isinstance(p, LintProblem) and p.key:
            by_path.setdefault(p.path, []).append(i)
    for path, indexes in by_path.items():
        text = deck_text(path)
        if text is None:
            continue
        spots = FieldSpots(text, path)
        # one search per (card, field, value), all its characters at once: two warnings about
        # one card's `back` searched one after the other took the second to the next card's
        # `back` of the same text (`FieldSpots.at` moves on past each place it found)
        groups: dict[tuple[int, str, str], list[int]] = {}
        for i in indexes:
            p = out[i]
            assert isinstance(p, LintProblem)
            groups.setdefault((p.line, p.key, p.value), []).append(p.offset)
        places: dict[tuple[int, str, str, int], tuple[int, int]] = {}
        for (line, key, value), offsets in sorted(groups.items()):  # (`FieldSpots.at`: file order)
            found = spots.at(line, key, value, offsets) if value else [spots.key_at(line, key)] * len(offsets)
            places.update(((line, key, value, o), at) for o, at in zip(offsets, found, strict=True))
        for i in indexes:
            p = out[i]
            assert isinstance(p, LintProblem)
            line, col = places[p.line, p.key, p.value, p.offset]
            out[i] = replace(p, line=line, col=col)
    return out
