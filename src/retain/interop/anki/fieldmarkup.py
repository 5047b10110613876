"""Anki's own bracket markup in a field read back, kept apart from card text that only looks like it.

Anki acts on some bracket syntax wherever it stands in a field's HTML (text, code, an attribute):
`[sound:NAME]` plays a file, `[anki:tts ...]...[/anki:tts]` speaks (and `[anki:play:...]` is
what a rendered card holds in their place), `[latex]...[/latex]`, `[$]...[/$]` and
`[$$]...[/$$]` are LaTeX images (case-insensitive). A retain card shows such text literally, so
an export writes the `[` of each as `&#91;` (`html.escape_anki`, in `markdown_to_html`'s text and
code: only a card's own media are written `[sound:]`).

Reading a field back (`field_text`), an escaped `[` (`&#91;`, `&#x5b;`, `&lsqb;`, ...) before
such syntax is the literal text, as Anki shows it; a bare one is Anki's markup (a sound, math).
"""

from __future__ import annotations

import re

from retain.interop.html import ANKI_SYNTAX, html_to_text
from retain.interop.html_media import MediaFn

__all__ = ["field_text", "guard_escaped"]

# `[` as an HTML character reference: decimal, hex (leading zeros allowed) or named
_ESCAPED = re.compile(r"&(?:#0*91;|#[xX]0*5[bB];|lsqb;|lbrack;)(?=" + ANKI_SYNTAX + ")", re.IGNORECASE)
# a comment or a tag, to its end or the field's (never text; one pass, whatever the field); and
# MathJax (`\(...\)`, `\[...\]`), which `html_to_text` reads as math only without a tag inside
_MARKUP = re.compile(r"<!--.*?(?:-->|\Z)|<[^>]*(?:>|\Z)|\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)


def guard_escaped(html: str) -> str:
    """`html` with an empty comment after each escaped `[` before Anki markup in its text, so that
    `html_to_text` (which reads the text with its character references decoded) never reads it
    as the markup: it is the literal text, as Anki shows it. Inside math it is left as it is:
    `html_to_text` keeps math's text as written (`\\(x = &#91;latex]\\)` is `$x = [latex]$`)."""
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
