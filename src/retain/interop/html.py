"""Card text between retain (Markdown) and Anki (HTML).

`text_to_html` is what exports write: HTML-escaped text, newlines as `<br>`,
so Markdown markers travel unchanged. `html_to_text` reads any Anki field back:
bold/italic/code become Markdown, blocks and `<br>` become newlines, images and
`[sound:...]` become media placeholders through `media`, scripts and styles are
dropped, and every other tag is removed. `html_to_text(text_to_html(s)) == s`
for text without carriage returns, no-break spaces or edge whitespace.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from html.parser import HTMLParser

__all__ = ["MediaFn", "html_to_text", "text_to_html"]

MediaFn = Callable[[str], str | None]  # original media name -> placeholder text, or None

_SOUND_RE = re.compile(r"\[sound:([^\]\n]{1,500})\]")
_BLOCKS = frozenset({"div", "p", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre"})
_SKIP = frozenset({"script", "style", "head", "title", "template"})
_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_MANY_NL = re.compile(r"\n{3,}")
# A tag whose parts hold no `<` or `>`: trying one at each `<` stops at the next `<` or `>`.
_TAG = re.compile(
    r"""</?[A-Za-z][^<>"']*+(?:(?:"[^"<>]*+"|'[^'<>]*+')[^<>"']*+)*+>|<![^<>-][^<>]*+>|<!>|<\?[^<>]*+>"""
)


def _defuse(value: str) -> str:
    """`value` with every `<` that opens no complete tag or comment written as `&lt;`.

    Python's HTMLParser re-scans to the end of the text for each construct that
    never closes (`<a ` or `<!--` repeated: 60 kB took minutes), so such text is
    made plain text first, in one pass.
    """
    out: list[str] = []
    pos = 0
    no_close_from = len(value) + 1  # no `-->` at or after this offset
    i = value.find("<")
    while i >= 0:
        end = -1
        if value.startswith("<!--", i):
            if i < no_close_from:
                close = value.find("-->", i + 4)
                if close < 0:
                    no_close_from = i
                else:
                    end = close + 3
        else:
            m = _TAG.match(value, i)
            if m is not None:
                end = m.end()
        if end < 0:
            out.append(value[pos:i])
            out.append("&lt;")
            pos = i + 1
            i = value.find("<", i + 1)
        else:
            i = value.find("<", end)
    if not out:
        return value
    out.append(value[pos:])
    return "".join(out)


def text_to_html(text: str) -> str:
    """Escape for an Anki field; newlines become `<br>`."""
    return html.escape(text.replace("\r\n", "\n"), quote=False).replace("\n", "<br>")


class _Converter(HTMLParser):
    def __init__(self, media: MediaFn | None) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.media = media
        self.skip = 0
        self.blocks = False

    def _newline(self) -> None:
        if self.out and not self.out[-1].endswith("\n"):
            self.out.append("\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skip += 1
        elif self.skip:
            return
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            self.blocks = True
            self._newline()
            if tag == "li":
                self.out.append("- ")
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "img":
            src = dict(attrs).get("src") or ""
            shown = self.media(src) if self.media and src else None
            self.out.append(shown if shown is not None else "[image]")
        elif tag == "hr":
            self._newline()
            self.out.append("---\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            return
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag in _BLOCKS:
            self._newline()
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        data = data.replace("\r", "").replace("\n", " ").replace("\xa0", " ")
        if self.media is not None:
            media = self.media

            def sound(m: re.Match[str]) -> str:
                shown = media(m[1])
                return shown if shown is not None else "[audio]"

            data = _SOUND_RE.sub(sound, data)
        self.out.append(data)


def html_to_text(value: str, media: MediaFn | None = None) -> str:
    """Anki field HTML to retain Markdown/plain text (stripped at both ends)."""
    if "<" not in value and "&" not in value and "[sound:" not in value:
        return value.replace("\r", "").replace("\n", " ").replace("\xa0", " ").strip()
    conv = _Converter(media)
    conv.feed(_defuse(value))
    conv.close()
    text = "".join(conv.out)
    if conv.blocks:  # layout from <div>/<p>: tidy it; text from `text_to_html` stays exact
        text = "\n".join(line.rstrip(" ") for line in text.split("\n"))
        text = _MANY_NL.sub("\n\n", text)
    return text.strip()
