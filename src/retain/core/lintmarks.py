"""Emphasis marks an author means as characters, for the lint of typed answers.

A typed answer is compared with what its Markdown shows (`core.answer.shown`), and Markdown reads
`_` and `*` as emphasis in places where a technical answer means the characters: `__init__` shows
a bold `init`, `_private_` an italic `private`, `2*3*4` shows `234`. The learner who types the
answer as written is then told it is wrong. `read_inline` finds those marks and what the answer
means with them kept, read as the answer check reads inline Markdown (math first, then the card
parser); the lint then asks the answer check whether typing that would count.

Which marks are meant as characters, judged from the emphasis Markdown made of them:
- `_` around one word that is all letters, digits and underscores (`__init__`, `_id_`): a name,
  whose underscores are part of it. Emphasis of words (`_the leader_`) is meant as emphasis.
- `*` with a letter or digit right before its opening mark and right after its closing one
  (`2*3*4`, `a**b**c`): a product or a pattern. Bold (`**Raft**`) is meant as bold.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from retain.core.answer.shown import as_written, card_parser, needs_parser

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

__all__ = ["LiteralMarks", "read_inline"]

_OPENS = frozenset({"em_open", "strong_open"})
_CLOSES = frozenset({"em_close", "strong_close"})
_NAME_RE = re.compile(r"\w+")
_MARK_RE = re.compile(r"[_*]")
_SHOWN_WORD = 60  # a word longer than this is not repeated in the advice
# What a kept mark needs in the source, checked before the (slow) parser: two `_` with no space
# between them (around a name), or a `*` right after a letter or digit and before a non-space.
_MAY_KEEP = re.compile(r"_\S*?_|[^\W_]\*+[^\s*]")


@dataclass(frozen=True, slots=True)
class LiteralMarks:
    """What an answer means to be typed (`meant`: its inline text with the marks kept), the marks
    Markdown took (`marks`: "`_`", "`*`" or both) and the advice for the author."""

    meant: str
    marks: str
    word: str  # the first word holding such marks, as it is meant (`__init__`)
    whole: bool  # nothing else in the answer is Markdown: the advice may show all of it

    @property
    def advice(self) -> str:
        """How to write it so that it shows as meant: the whole answer, when nothing else in it is
        Markdown (then each way shown counts when typed), else the first word with such marks."""
        shown, what = (self.meant, "it") if self.whole else (self.word, "that word")
        if not shown.isprintable() or len(shown) > _SHOWN_WORD:
            return f"write {what} as code (`...`) or put a backslash before each mark (\\_, \\*)"
        escaped = _MARK_RE.sub(lambda m: "\\" + m.group(), shown)
        return f"write {what} as code (`{shown}`) or put a backslash before each mark ({escaped})"


@functools.cache
def _markdown() -> MarkdownIt:
    return card_parser()


def read_inline(text: str) -> tuple[str, LiteralMarks | None]:
    """What a one-line answer shows read as inline Markdown only (`shown.inline_text`, the same
    text), and the marks in it the author means as characters (see the module docstring) with
    what it means with them kept (None: no such mark). One parse gives both: the lint reads each
    answer's Markdown once for all its rules (the parser is slow)."""
    source = text
    if "$" in source:  # (as the check reads it: math first)
        from retain.core.mathtext import render_math

        source = render_math(source)
    if "$" not in source and not needs_parser(source):
        return as_written(source), None
    may_keep = "\n" not in text and "\r" not in text and _MAY_KEEP.search(source) is not None
    plain: list[str] = []
    out: list[str] = []  # with the kept marks
    marks: list[str] = []
    first = 0  # where the first kept mark is: the word the advice shows
    for token in _markdown().parseInline(source):
        children = token.children or []
        kept = _kept(children) if may_keep else set()
        for i, child in enumerate(children):
            piece = ""
            if child.type in ("text", "code_inline"):
                piece = child.content
            elif child.type in ("softbreak", "hardbreak"):
                piece = "\n"  # the display keeps the author's line breaks
            plain.append(piece)
            if i in kept:
                if not marks:
                    first = sum(map(len, out))
                marks.append(child.markup[0])
                piece = child.markup
            out.append(piece)
    inline = as_written("".join(plain)) or as_written(text)
    if not marks:
        return inline, None
    raw = "".join(out)
    meant = as_written(raw)
    return inline, LiteralMarks(meant, _named(marks), _word_at(raw, first), meant == as_written(text))


def _kept(children: list[Token]) -> set[int]:
    """The indexes of the emphasis tokens (opening and closing) whose marks are meant as characters."""
    kept: set[int] = set()
    opened: list[int] = []
    for i, child in enumerate(children):
        if child.type in _OPENS:
            opened.append(i)
        elif child.type in _CLOSES and opened:
            start = opened.pop()
            if _meant_as_characters(children, start, i):
                kept.update((start, i))
    return kept


def _meant_as_characters(children: list[Token], start: int, end: int) -> bool:
    inner = children[start + 1 : end]
    if children[start].markup.startswith("_"):
        if any(t.type != "text" and t.type not in _OPENS and t.type not in _CLOSES for t in inner):
            return False
        return _NAME_RE.fullmatch("".join(t.content for t in inner if t.type == "text")) is not None
    before = children[start - 1].content if start and children[start - 1].type == "text" else ""
    after = children[end + 1].content if end + 1 < len(children) and children[end + 1].type == "text" else ""
    return before[-1:].isalnum() and after[:1].isalnum()


def _named(marks: list[str]) -> str:
    found = sorted(set(marks), key="_*".index)
    return " and ".join(f"`{m}`" for m in found)


def _word_at(text: str, at: int) -> str:
    """The word (run of non-space characters) of `text` that holds the character at `at`."""
    start = at
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    end = at
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]
