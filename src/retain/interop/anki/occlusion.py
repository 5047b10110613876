"""Anki's Image Occlusion notes, which an import leaves out.

An Image Occlusion note (Anki's stock "Image Occlusion" type since 23.10, renamed or translated
copies of it too) is a cloze note whose deletions are shapes drawn over its Image field:
`{{c1::image-occlusion:rect:left=.1:top=.2:width=.3:height=.1:oi=1}}` (also `ellipse`, `polygon`,
and `text`, a label Anki draws on every card of the note, numbered c0 so it makes no card). Anki's
rule is the deletion's own: one whose text starts with `image-occlusion:` is a shape, whatever the
note type (Anki's text export, "Notes in Plain Text", of such notes too). Each card asks "what is under this mask?", which needs the masks drawn over the image;
retain cannot draw them, and the markup as card text (what earlier versions imported) asks
nothing. So such a note is left out, its image too, and one warning line counts them; the notes stay
in the Anki collection as they are, and an export back to Anki does not touch them (a package
without a note leaves that note alone). A package of nothing else is refused in one line saying why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from retain.core.model import Kind
from retain.interop.anki.ankidb import NoteType
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError

__all__ = ["MARK", "LeftOut", "is_occlusion_note"]

MARK = "image-occlusion:"  # a deletion whose text starts with this is a shape (Anki's rule)
_SHAPE = re.compile(r"\{\{c\d{1,4}::image-occlusion:")  # (no space: Anki strips no prefix)
_NUMBER = re.compile(r"\{\{c(\d{1,4})::")
_CLOZE_REF = re.compile(r"\{\{([^{}]*)\}\}")


def _cloze_fields(nt: NoteType) -> set[int]:
    """The fields the note type's question templates show as cloze text (`{{cloze:Occlusion}}`)."""
    out: set[int] = set()
    for q in nt.qfmts:
        for ref in _CLOZE_REF.findall(q):
            *filters, name = (part.strip() for part in ref.split(":"))
            if "cloze" in filters and name in nt.fields:
                out.add(nt.fields.index(name))
    return out


def is_occlusion_note(nt: NoteType, fields: list[str]) -> bool:
    """Whether the note is an Image Occlusion note: a cloze note with a shape among the deletions of
    a field its templates show as cloze text (any field, when they name none)."""
    if not nt.is_cloze:
        return False
    indices = _cloze_fields(nt) or set(range(len(fields)))
    return any(i < len(fields) and _SHAPE.search(fields[i]) for i in indices)


@dataclass(slots=True)
class LeftOut:
    """The Image Occlusion notes an import leaves out, counted for its one warning line."""

    notes: int = 0
    cards: int = 0

    def takes(self, nt: NoteType, flds: str, cards: int) -> bool:
        """Whether the note (its fields as the collection holds them, `\\x1f` between them; `cards` of
        its cards in the package) is left out; counted if so. Cheap for every other note."""
        if MARK not in flds or not is_occlusion_note(nt, flds.split("\x1f")):
            return False
        self.notes += 1
        self.cards += cards
        return True

    def takes_row(self, kind: Kind, fields: list[str]) -> bool:
        """Whether a row of an Anki text file ("Notes in Plain Text") is left out: a cloze row whose
        cloze text (its first field) holds a shape; counted, its cards by its deletions' numbers."""
        text = fields[0] if fields else ""
        if kind != "cloze" or not _SHAPE.search(text):
            return False
        self.notes += 1
        self.cards += len({int(n) for n in _NUMBER.findall(text)} - {0})
        return True

    def line(self) -> str | None:
        if not self.notes:
            return None
        cards = f" ({self.cards} card{'s' if self.cards != 1 else ''})" if self.cards else ""
        return f"{self.notes} Image Occlusion note(s){cards} left out: retain cannot draw their masks"

    def finish(self, bundle: Bundle) -> None:
        """Add the warning line to `bundle`; refuse a package that held nothing else, saying why."""
        line = self.line()
        if line is None:
            return
        if not bundle.decks:
            raise InteropError(f"nothing to import: {line}")
        bundle.warnings.append(line)
