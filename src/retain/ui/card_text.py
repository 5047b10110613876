"""Card Markdown as deck authors mean it, applied to the parsed tokens before Rich renders them.

- A single newline is a line break, as in Anki and hashcards: Markdown's soft
  breaks become hard breaks (code blocks already keep their lines).
- An image shows its description, never its file name: the name often holds
  the answer (`181 Fremont.jpg`). An empty description, or one that is just
  the file name, shows as `image`. It stays where it stands in the text, as
  `🖼 image` (`♪ audio`): Rich draws an image token in front of its paragraph.
  (The study screen draws the deck's own media in place: `core.mediaref`.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from urllib.parse import unquote

from markdown_it.token import Token

__all__ = ["shape_tokens"]

_FILE_LIKE = re.compile(r"\.[A-Za-z0-9]{2,5}$")


def _alt(token: Token) -> str:
    return "".join(c.content for c in token.children or [] if c.type in ("text", "code_inline"))


def _is_name(alt: str, src: str) -> bool:
    alt = alt.strip()
    if not alt or _FILE_LIKE.search(alt):
        return True
    base = unquote(PurePosixPath(src).name)
    return alt in (base, PurePosixPath(base).stem, src)


def shape_tokens(tokens: Iterable[Token]) -> None:
    for token in tokens:
        if token.type == "softbreak":
            token.type = "hardbreak"
        elif token.type == "image":
            src = str(token.attrs.get("src", ""))
            kind = "audio" if _alt(token).strip() == "audio" else "image"
            alt = kind if _is_name(_alt(token), src) else _alt(token)
            # Inline text in place of the image token: nothing downstream may fall back to the name.
            token.type = "text"
            token.content = f"{'♪' if kind == 'audio' else '🖼'} {alt}"
            token.children = None
            token.attrs = {}
        if token.children:
            shape_tokens(token.children)
