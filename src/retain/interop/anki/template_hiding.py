"""Where a browser shows nothing of an Anki card template as Anki renders it (`hidden_spans`):
its HTML comments, and the elements the import leaves out of a field. The template reading
(`apkg_templates`) asks with no field that only such a part holds: people switch a field off
that way (`{{Front}}<!-- {{Back}} -->`), and scripted templates keep the answer in a hidden
element.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from retain.interop.html_layout import Hidden

__all__ = ["hidden_spans"]


# An HTML comment as a browser ends it (`<!-->` and `<!--->` are empty ones; one never closed
# runs to the end); elements whose content a card never shows.
_COMMENT_RE = re.compile(r"<!--(?:-?>|.*?--!?>)|<!--.*\Z", re.DOTALL)
_UNRENDERED = frozenset({"script", "style", "template"})
# A tag whose parts hold no `<` or `>` (`html._TAG`'s): trying one at each `<` stops at the next
# `<` or `>`, so finding the `<` that open none is linear.
_TAG = re.compile(
    r"""</?[A-Za-z][^<>"']*+(?:(?:"[^"<>]*+"|'[^'<>]*+')[^<>"']*+)*+>|<![^<>-][^<>]*+>|<!>|<\?[^<>]*+>"""
)
_NOT_SHOWN: list[tuple[str, str | None]] = [("style", "display: none !important")]


def hidden_spans(template: str) -> tuple[tuple[int, int], ...]:
    """The (start, end) offsets of a template's parts that Anki renders where nothing shows them,
    sorted by start: its HTML comments, and the elements the import leaves out of a field
    (`html_layout.hides`: `display: none`, `hidden`) with all they hold, an `<input
    type="hidden">`, a `<script>`, `<style>` or `<template>`. No cache: its caller keeps what it
    reads (`apkg_templates._refs`), and a template as rendered for each note would fill one."""
    if "<" not in template:
        return ()
    comments = [m.span() for m in _COMMENT_RE.finditer(template)]
    blanked = _plain(_COMMENT_RE.sub(lambda m: " " * len(m[0]), template) if comments else template)
    parser = _HiddenSpans(blanked)
    parser.feed(blanked)
    parser.close()
    parser.end_at(len(blanked))
    return tuple(sorted(comments + parser.spans))


def _plain(text: str) -> str:
    """`text` with every `<` that opens no complete tag made a space (its offsets kept): Python's
    HTMLParser re-scans to the end for each construct that never closes (`<a b='` repeated: 120 kB
    took 40 s), as `html._defuse` says; a browser shows such a `<` as text, which hides nothing."""
    out: list[str] = []
    pos = 0
    i = text.find("<")
    while i >= 0:
        m = _TAG.match(text, i)
        if m is None:
            out.append(text[pos:i] + " ")
            pos = i + 1
            i = text.find("<", pos)
        else:
            i = text.find("<", m.end())
    return "".join(out) + text[pos:] if out else text


class _HiddenSpans(HTMLParser):
    """Where a template's hidden elements begin and end (its comments blanked): the element that
    hides, and every element open in it, tracked as the import tracks a field's (`Hidden`)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.lines = [0, *(i + 1 for i, c in enumerate(text) if c == "\n")]
        self.hidden = Hidden(frozenset())
        self.spans: list[tuple[int, int]] = []
        self.since: int | None = None  # where the hidden element open now began

    def _at(self) -> int:
        line, column = self.getpos()
        return self.lines[line - 1] + column

    def end_at(self, end: int) -> None:
        """Close the span of the hidden element at `end`, if one is open."""
        if self.since is not None:
            self.spans.append((self.since, end))
            self.since = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        at = self._at()
        input_hidden = tag == "input" and any(
            k == "type" and (v or "").strip().lower() == "hidden" for k, v in attrs
        )
        if self.hidden.start(tag, _NOT_SHOWN if tag in _UNRENDERED or input_hidden else attrs):
            self.since = at if self.since is None else self.since
            if not self.hidden.inside:  # (a void element: hidden is the tag itself, its attributes)
                self.end_at(at + len(self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # (`/>` ends no element but a void one, as browsers read it)

    def handle_endtag(self, tag: str) -> None:
        at = self._at()
        self.hidden.end(tag)
        if not self.hidden.inside:
            self.end_at(at)
