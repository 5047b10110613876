"""hashcards' text rules, as retain follows them (see docs/sharing.md, "Markdown").

Lines (after the optional TOML front matter between `---` lines at the top):

- `Q:`, `A:` and `C:` at the very start of a line open a question, its answer
  and a cloze card; the text after the tag is trimmed. Any other line belongs
  to the card being read.
- A line that is only `---` (spaces around it allowed) ends the current card.
- Text outside any card (before the first tag, or after a `---`) is not a card:
  hashcards 0.4 ignores it, newer versions refuse the file. retain ignores it
  and warns with its line numbers. A line starting with `#` outside a card is a
  heading or comment and is ignored without a warning.

In `C:` text every `[...]` is a deletion. `\\[` and `\\]` are literal brackets and
are the only escapes: every other backslash is text (TeX such as `\\Gamma`,
`\\\\` or `\\!` stays as written). `![` starts a Markdown image whose `[...]` is
not a deletion. A `[` inside an open deletion restarts it, and a `]` without
an open deletion is dropped, as in hashcards.

When retain writes a content line that hashcards would read as a tag or a
separator, it puts a backslash before it (after any indentation); the reader
removes it. That is retain's own rule: hashcards shows the backslash.
"""

from __future__ import annotations

import re

from retain.core.cloze import CLOZE_RE

__all__ = [
    "bracket_cloze",
    "escape_line",
    "is_separator",
    "is_tag",
    "read_brackets",
    "unescape_line",
]

_TAGS = ("Q:", "A:", "C:")
IMAGE_START = re.compile(r"!\[[^\[\]\\\n]*\]")


def is_tag(line: str) -> bool:
    return line.startswith(_TAGS)


def is_separator(line: str) -> bool:
    return line.strip() == "---"


# A tag (or retain's metadata line) behind any number of retain's backslashes (none indented:
# an indented tag is text), and a separator behind backslashes each after optional indentation.
_ESCAPED_TAG = re.compile(r"\\*(?:" + "|".join(map(re.escape, (*_TAGS, "<!-- retain "))) + ")")
_ESCAPED_SEPARATOR = re.compile(r"(?:[ \t]*\\)*\s*---\s*")  # (`\s`: what `str.strip` takes)


def _special(line: str) -> bool:
    """A line hashcards would not read as plain card text (or one of retain's escaped lines): a tag
    or separator, or such a line with backslashes put before it (after any indentation), one per
    escape. One pass over the line: a call per backslash hit the recursion limit at ~1000."""
    return bool(_ESCAPED_TAG.match(line) or _ESCAPED_SEPARATOR.fullmatch(line))


def escape_line(line: str) -> str:
    if not _special(line):
        return line
    rest = line.lstrip(" \t")
    return line[: len(line) - len(rest)] + "\\" + rest


def unescape_line(line: str) -> str:
    rest = line.lstrip(" \t")
    indent = line[: len(line) - len(rest)]
    if rest.startswith("\\") and _special(indent + rest[1:]):
        return indent + rest[1:]
    return line


def read_brackets(text: str) -> list[tuple[str, bool]]:
    """hashcards cloze text -> [(piece, is_deletion)], exactly as hashcards reads it."""
    out: list[tuple[str, bool]] = []
    plain: list[str] = []
    current: list[str] | None = None
    image = escape = False
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        sink = current if current is not None else plain
        if ch == "[":
            if image or escape:
                escape = False
                sink.append(ch)
            else:
                if current is not None:  # a second `[` restarts the deletion
                    plain.extend(current)
                current = []
        elif ch == "]":
            if image:
                image = False
                sink.append(ch)
            elif escape:
                escape = False
                sink.append(ch)
            elif current is not None:
                out.append(("".join(plain), False))
                out.append(("".join(current), True))
                plain, current = [], None
        elif ch == "!":
            if not image and nxt == "[":
                image = True
            sink.append(ch)
        elif ch == "\\" and not escape and nxt in ("[", "]"):
            escape = True
        else:
            sink.append(ch)
    if current is not None:
        plain.extend(current)
    out.append(("".join(plain), False))
    return [(piece, deletion) for piece, deletion in out if piece or deletion]


def _escape_plain(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        m = IMAGE_START.match(text, i)
        if m:
            out.append(m[0])
            i = m.end()
            continue
        out.append("\\" + text[i] if text[i] in "[]" else text[i])
        i += 1
    return "".join(out)


def bracket_cloze(text: str) -> tuple[str, list[int], list[str]]:
    """retain cloze text -> (hashcards `C:` text, cloze number per bracket, hint per bracket).

    The result may not read back to `text` (a `!` right before a deletion, a
    backslash right before a bracket): the caller checks and keeps the exact
    text elsewhere when it does not.
    """
    out: list[str] = []
    numbers: list[int] = []
    hints: list[str] = []
    pos = 0
    for m in CLOZE_RE.finditer(text):
        out.append(_escape_plain(text[pos : m.start()]))
        out.append("[" + m[2].replace("[", "\\[").replace("]", "\\]") + "]")
        numbers.append(int(m[1]))
        hints.append(m[3] or "")
        pos = m.end()
    out.append(_escape_plain(text[pos:]))
    return "".join(out), numbers, hints
