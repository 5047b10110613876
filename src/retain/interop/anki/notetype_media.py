"""The media files a note type uses, as Anki finds them: its `_`-prefixed files.

Anki's convention for a file a note type's styling or templates load (a font, a script, a
stylesheet) is a name beginning with `_`: its media check never deletes one, and its package
export carries every such file a note type of the exported notes names (rslib `text.rs`,
`UNDERSCORED_CSS_IMPORTS` in the CSS and `UNDERSCORED_REFERENCES` in each template's question
and answer; `exchange.rs`, `gather_media_names_from_notetype`). The patterns here are Anki's, so
an import keeps the files Anki would pack and an export packs them again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["kept_type_media", "notetype_media_names"]

# Files the CSS loads: `@import "_x.css"` (quoted, `.css`), or `url(...)` quoted or not.
_CSS = re.compile(
    r"""(?:@import\s+"(_[^"]*.css)"|'(_[^']*.css)')"""
    r"""|(?:url\(\s*"(_[^"]+)"|'(_[^']+)'|(_.+?)\s*\))""",
    re.IGNORECASE,
)
# Files a template names: `[sound:_x]`, any quoted string starting with `_`, an unquoted
# `src=`/`data=` value.
_TEMPLATE = re.compile(r"""\[sound:(_[^\]]+)\]|"(_[^"]+)"|'(_[^']+)'|\b(?:src|data)=(_[^ >]+)""")


def _names(pattern: re.Pattern[str], text: str) -> Iterable[str]:
    for m in pattern.finditer(text):
        found = next((g for g in m.groups() if g), None)
        if found is not None:
            yield found


def notetype_media_names(css: str, templates: Iterable[str]) -> list[str]:
    """The `_` file names the note type's `css` and `templates` (each side's format) name, in
    first-use order, as Anki's package export gathers them."""
    seen: dict[str, None] = dict.fromkeys(_names(_CSS, css))
    for side in templates:
        seen.update(dict.fromkeys(_names(_TEMPLATE, side)))
    return list(seen)


def kept_type_media(notetype: Mapping[str, Any]) -> list[str]:
    """`notetype_media_names` of a note type as `DECK.anki.json` keeps it (`css`, `tmpls` of
    [name, question, answer]); a malformed part names none."""
    css = notetype.get("css")
    tmpls = notetype.get("tmpls")
    sides = [
        side
        for t in (tmpls if isinstance(tmpls, list) else ())
        if isinstance(t, list)
        for side in t[1:3]
        if isinstance(side, str)
    ]
    return notetype_media_names(css if isinstance(css, str) else "", sides)
