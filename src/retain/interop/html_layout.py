"""How the HTML converter (`interop.html`) lays its Markdown out: list items and their blocks
indented to the item's text, a blank line after a list, bold and italic closed at each block
boundary and opened again after it (`Lines`, `OpenList`, `Span`), so that Markdown reads back the
blocks Anki shows."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LEAD_PIECES", "MAX_SPANS", "Lines", "OpenList", "Span"]

LEAD_PIECES = 32  # output pieces looked back over for where a line begins
_LINE_BEGUN = re.compile(r"\n(?=[^\n])")  # a line with text in a piece of the output


class Lines(list[str]):
    """The converter's output, in pieces, laid out so that Markdown reads back the blocks Anki
    shows. A line begun inside list items is indented to their text (`indent`), so that what
    follows a nested list, a rule or a code block stays in its item; text after a list or an item
    (`gap`) comes after a blank line, which Markdown does not read as the item's next line (a lazy
    continuation); text that begins a Markdown block (after an item's marker, a `gap`, or `fresh`:
    after a rule, a code block or a table) loses its leading spaces, as a browser drops them (four
    would make it code). Indexes into it stay valid: text added to a piece goes into that piece."""

    def __init__(self) -> None:
        super().__init__()
        self.indent = ""
        self.marker = -1  # the index of the last list item's marker
        self.bare = -1  # the placeholder (`hold`) to fill if the item just begun has an empty first line
        self.gap = False
        self.fresh = False
        self.after_list: tuple[int, bool, str] | None = None  # a list just ended: depth, ordered, marker
        self.texts = 0  # pieces written that hold more than spaces
        self.line_blank = True  # the line being written holds only spaces so far
        self.blank_before = True  # it follows a blank line (or begins the output): a block begins

    def _track(self, piece: str) -> None:
        """Keep `line_blank` and `blank_before` (Markdown's blank line: spaces and tabs only)."""
        end = piece.rfind("\n")
        if end < 0:
            self.line_blank = self.line_blank and not piece.strip(" \t")
            return
        before = piece.rfind("\n", 0, end)
        self.blank_before = not piece[before + 1 : end].strip(" \t") and (before >= 0 or self.line_blank)
        self.line_blank = not piece[end + 1 :].strip(" \t")

    def block_begins(self) -> bool:
        """Whether text written now begins a Markdown block after a blank line (its leading spaces
        are no indentation a browser shows: four would make it code)."""
        return self.line_blank and self.blank_before

    def ends_line(self) -> bool:
        """True at the output's start or a line's (a `hold` placeholder is no text)."""
        for piece in self[-1:-3:-1]:
            if piece:
                return piece.endswith("\n")
        return True

    def at_marker(self) -> bool:
        return self.marker == len(self) - 1

    def hold(self) -> int:
        """A placeholder piece: a blank line before a list whose first item turns out to start with
        an empty line (`-` under text is a heading's underline, `1.` its next line)."""
        super().append("")
        return len(self) - 1

    def item(self, marker: str, hold: int) -> None:
        """A list item's marker, on its own line or on the line of the item it is nested in."""
        if self.ends_line():
            marker = self.indent + marker
        super().append(marker)
        self._track(marker)
        self.marker, self.bare = len(self) - 1, hold
        self.gap = self.fresh = False
        self.after_list = None

    def end_bare(self) -> None:
        """End the line of an item that holds nothing (it stays empty: Markdown's item could hold
        one blank line at most before its text, and shows none)."""
        if self.at_marker():
            if 0 <= self.bare < len(self) and not self[self.bare]:
                self[self.bare] = "\n"
            self.bare = -1
            super().append("\n")
            self._track("\n")

    def settle(self) -> None:
        """Write the blank line a `gap` needs now (before text marked where it stands)."""
        if self.gap:
            self.gap, self.fresh = False, True
            blank = "\n" if self.ends_line() else "\n\n"
            super().append(blank)
            self._track(blank)

    def append(self, piece: str) -> None:
        if not piece:
            return
        at_marker = self.at_marker()
        line_start = not at_marker and self.ends_line()
        if at_marker:  # an item's text begins on its marker's line
            piece = piece.lstrip(" \t\n")
            if not piece:
                return
            self.bare = -1
        elif piece[0] != "\n" and (self.gap or (self.fresh and line_start)):
            piece = piece.lstrip(" \t")
            if not piece:
                return
        content = bool(piece.strip())
        if self.gap and content:
            piece = ("\n" if line_start else "\n\n") + piece
            self.gap, line_start = False, False
        if self.indent:
            if line_start and piece[0] != "\n":
                piece = self.indent + piece
            piece = _LINE_BEGUN.sub("\n" + self.indent, piece)
        if content:
            self.fresh = False
            self.after_list = None
            self.texts += 1
        super().append(piece)
        self._track(piece)

    def close_mark(self, mark: str) -> None:
        """Write `mark` (closing emphasis) after the last text, before the spaces and line ends
        that follow it (`a **` closes nothing in Markdown)."""
        for i in range(len(self) - 1, max(-1, len(self) - 1 - LEAD_PIECES), -1):
            core = self[i].rstrip()
            if core:
                self[i] = core + mark + self[i][len(core) :]
                return
        self.append(mark)


@dataclass(slots=True)
class Span:
    """An open `<b>`/`<i>` (`INLINE`): its mark, where it is written in the output (-1 while it
    waits for text after a block boundary), and `Lines.texts` just after it."""

    mark: str
    at: int
    texts: int
    seq: int  # (its place among the spans and marks begun: which is inside which)


MAX_SPANS = 8  # open spans kept across block boundaries (after `_unnested`, two at most in a real field)


@dataclass(slots=True)
class OpenList:
    """An open list (`<ul>`, `<ol>`, `<menu>`, `<dir>`, or an `<li>` outside any)."""

    ordered: bool
    marker: str  # "-" or "+"; "." or ")"
    hold: int = -1  # its `Lines.hold` placeholder, or -1
    number: int = 1  # the next item's number
    width: int = 0  # the open item's marker width (its text's indentation), 0 when none is open
    first: bool = True  # no item yet
    implicit: bool = False  # an `<li>` outside any list: it ends with the item
    plain: bool = False  # in `<pre>`: markers are code text, nothing is indented
