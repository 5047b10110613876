"""Anki's own bracket markup in a field, kept apart from card text that only looks like it.

Anki acts on some bracket syntax wherever it stands in a field's HTML (text, code, an attribute):
`[sound:NAME]` plays a file, `[anki:tts ...]...[/anki:tts]` speaks (and `[anki:play:...]` is
what a rendered card holds in their place), `[latex]...[/latex]`, `[$]...[/$]` and
`[$$]...[/$$]` are LaTeX images (case-insensitive). A retain card shows such text literally, so
an export writes the `[` of each as `&#91;` (`escape_markup`): Anki shows the text and acts on
none of it. The media retain itself puts in a field (`[sound:DECK.media/NAME]`, the placeholder
the export then points at the packed file) stay as they are.

Reading a field back (`field_text`), an escaped `[` (`&#91;`, `&#x5b;`, `&lsqb;`, ...) before
such syntax is the literal text, as Anki shows it; a bare one is Anki's markup (a sound, math).
"""

from __future__ import annotations

import re

from retain.interop.html import html_to_text
from retain.interop.html_media import MediaFn

__all__ = ["escape_markup", "field_text", "guard_escaped"]

# What follows a `[` that Anki reads as its own markup (`rslib` `text.rs` AV_TAGS, `latex.rs`).
_SYNTAX = r"(?:sound:|/?anki:|/?latex\]|/?\$\$?\])"
_OPENER = re.compile(r"\[(?=" + _SYNTAX + ")", re.IGNORECASE)
# retain's own reference to a file of a deck's media folder (`html.markdown_to_html`'s form)
_OWN_SOUND = re.compile(r"\[sound:[a-z0-9][a-z0-9-]*\.media/[^\"<>/\\\]\n]+\]")
# `[` as an HTML character reference: decimal, hex (leading zeros allowed) or named
_ESCAPED = re.compile(r"&(?:#0*91;|#[xX]0*5[bB];|lsqb;|lbrack;)(?=" + _SYNTAX + ")", re.IGNORECASE)
# a comment or a tag, to its end or the field's (never text; one pass, whatever the field)
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<[^>]*(?:>|\Z)", re.DOTALL)


def escape_markup(html: str) -> str:
    """`html` (rendered from a card's Markdown) with the `[` of each Anki markup as `&#91;`, except
    in retain's own `[sound:DECK.media/NAME]` references."""
    if "[" not in html:
        return html
    out: list[str] = []
    pos = 0
    for m in _OWN_SOUND.finditer(html):
        out += [_OPENER.sub("&#91;", html[pos : m.start()]), m[0]]
        pos = m.end()
    out.append(_OPENER.sub("&#91;", html[pos:]))
    return "".join(out)


def guard_escaped(html: str) -> str:
    """`html` with an empty comment after each escaped `[` before Anki markup in its text, so that
    `html_to_text` (which reads the text with its character references decoded) never reads it
    as the markup: it is the literal text, as Anki shows it."""
    if _ESCAPED.search(html) is None:
        return html
    out: list[str] = []
    pos = 0
    for m in _MARKUP.finditer(html):
        out += [_ESCAPED.sub("[<!---->", html[pos : m.start()]), m[0]]
        pos = m.end()
    out.append(_ESCAPED.sub("[<!---->", html[pos:]))
    return "".join(out)


def field_text(html: str, media: MediaFn | None = None) -> str:
    """An Anki field's Markdown (`html_to_text`), an escaped `[` before Anki markup literal text."""
    return html_to_text(guard_escaped(html), media)
