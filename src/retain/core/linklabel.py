"""Link labels and images read by markdown-it in linear time, whatever the brackets.

markdown-it reads a `[` by looking ahead for the `]` that closes it (`parseLinkLabel`),
token by token. Each `[` met on the way is skipped by trying to read a link there, which looks
ahead again, down to `maxNesting` levels; and the next `[` walks the same tokens again. A card
of 200 KB of `[` (or `![`, `[a`, `[ `, with or without one `]` at the end) took the study screen
12 s to draw, about 75 s per MB, deaf to keys all the while.

`parse_link_label` gives the same answer (where the label's `]` is, or -1), but keeps each label's
answer for the rest of the paragraph. A `[` inside a label was just tried as a link, so its own
label was just read: the look-ahead jumps past that label's `]`, or gives up at once when it
never closes (nor can the outer one, then). Each label walks only its own tokens, not those of
the labels inside it, and no label is read twice: a run of `[` reads at about 2 s per MB.

The answers could differ from markdown-it's only past `maxNesting` nested labels, where its own
answer is a stopgap (its source says so); the tests compare the two on random text. Images
nested in images' descriptions are read at most `MAX_IMAGE_DEPTH` deep (`_shallow_images`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline

__all__ = ["MAX_IMAGE_DEPTH", "linear_labels", "parse_link_label"]

# An image's description is Markdown, read anew by its own parse, so an image in an image in an
# image... reads the inner ones again at each level: `![` 90 deep took 50 s per MB. Deeper than
# this, `![` is text (a link holding an image is one level; nobody nests images in images).
MAX_IMAGE_DEPTH = 4
_image_depth: ContextVar[int] = ContextVar("retain_image_depth", default=0)  # (per thread)

_MEMO = "_retain_labels"  # the attribute of a paragraph's StateInline that keeps its `_Labels`
# a label's answer: (where its `[` is, whether a link inside ends it) -> (its `]` or -1, the text end)
_Ends = dict[tuple[int, bool], tuple[int, int]]
# markdown-it's inline rules that never match at a `[` (each looks for another first character)
_NEVER_AT_BRACKET = frozenset(
    {"text", "linkify", "newline", "escape", "backticks", "strikethrough", "emphasis", "image"}
    | {"autolink", "html_inline", "entity"}
)


def linear_labels(md: MarkdownIt) -> MarkdownIt:
    """`md`, reading link and image labels with `parse_link_label` (its own helpers: markdown-it's
    module, which every other parser in the process shares, is left as it is), and images at most
    `MAX_IMAGE_DEPTH` deep. Call it once the parser's rules are set."""
    from markdown_it import helpers

    md.helpers = SimpleNamespace(  # type: ignore[assignment]  # (read by attribute only)
        parseLinkDestination=helpers.parseLinkDestination,
        parseLinkLabel=parse_link_label,
        parseLinkTitle=helpers.parseLinkTitle,
    )
    ruler = md.inline.ruler
    image = dict(zip(ruler.get_active_rules(), ruler.getRules(""), strict=True)).get("image")
    if image is not None and not hasattr(image, "__wrapped__"):  # (once: each wrap is a level)
        ruler.at("image", _shallow_images(image))
    return md


def _shallow_images(image: Callable[[StateInline, bool], bool]) -> Callable[[StateInline, bool], bool]:
    """markdown-it's image rule, which reads no image inside `MAX_IMAGE_DEPTH` others' descriptions
    (there `![` is text: the description is read once, with the text it is in)."""

    @functools.wraps(image)
    def shallow_image(state: StateInline, silent: bool) -> bool:
        depth = _image_depth.get()
        if depth >= MAX_IMAGE_DEPTH:
            return False
        if silent:
            return image(state, silent)  # (a look-ahead: no description read)
        token = _image_depth.set(depth + 1)
        try:
            return image(state, silent)
        finally:
            _image_depth.reset(token)

    return shallow_image


@dataclass(slots=True)
class _Labels:
    """What one paragraph's labels are known to do (kept on its StateInline)."""

    ends: _Ends
    last_close: dict[int, int]  # text end: where the last `]` before it is (-1: none)
    bracket_rule: Callable[[StateInline, bool], bool] | None  # the only rule that reads a `[`


def _labels(state: StateInline) -> _Labels:
    labels: _Labels | None = getattr(state, _MEMO, None)
    if labels is None:
        labels = _Labels({}, {}, _bracket_rule(state.md))
        setattr(state, _MEMO, labels)
    return labels


def _bracket_rule(md: MarkdownIt) -> Callable[[StateInline, bool], bool] | None:
    """The link rule, when it is the only inline rule that may match at a `[` (None otherwise: a
    plugin's rule might, so a `[` is skipped markdown-it's way, trying every rule)."""
    ruler = md.inline.ruler
    rules = dict(zip(ruler.get_active_rules(), ruler.getRules(""), strict=True))
    if "link" not in rules or not set(rules) - {"link"} <= _NEVER_AT_BRACKET:
        return None
    return rules["link"]


def parse_link_label(state: StateInline, start: int, disableNested: bool = False) -> int:
    """Where the label opened by the `[` at `start` ends (its `]`), or -1: markdown-it's
    `parseLinkLabel`, with each answer kept (the argument names are markdown-it's)."""
    labels = _labels(state)
    pos_max = state.posMax
    last_close = labels.last_close.get(pos_max)
    if last_close is None:
        last_close = labels.last_close[pos_max] = state.src.rfind("]", 0, pos_max)
    if last_close <= start:
        return -1  # no `]` after it: nothing to walk
    end = _answer(labels.ends, start, disableNested, pos_max)
    if end is None:
        end = _walk(state, start, disableNested, labels)
        labels.ends[start, disableNested] = (end, pos_max)
    return end


def _answer(ends: _Ends, start: int, nested_ends: bool, pos_max: int) -> int | None:
    """The kept answer for the label at `start`, if it holds for a text that ends at `pos_max`
    (a link's text is read with its `]` as the end): a `]` found before that end is found again,
    and a label that did not close in a longer text does not close in a shorter one."""
    kept = ends.get((start, nested_ends))
    if kept is None:
        return None
    end, read_to = kept
    if end >= 0:
        return end if end < pos_max else None
    return end if pos_max <= read_to else None


def _known(ends: _Ends, start: int, nested_ends: bool, pos_max: int) -> int | None:
    """The end of the label at `start` as a walk that `nested_ends` (or not) would find it, when
    a walk from there is already done: either kind tells the other what it cannot differ in."""
    end = _answer(ends, start, nested_ends, pos_max)
    if end is not None:
        return end
    other = _answer(ends, start, not nested_ends, pos_max)
    if other is None:
        return None
    if nested_ends:  # the other stepped over links: its end may be past one; its -1 never closed
        return other if other < 0 else None
    return other if other >= 0 else None  # (the other's -1 may be a link inside, which we step over)


def _walk(state: StateInline, start: int, nested_ends: bool, labels: _Labels) -> int:
    """markdown-it's look-ahead from `start`, jumping over the labels inside already read."""
    old_pos = state.pos
    src, pos_max = state.src, state.posMax
    skip = state.md.inline.skipToken
    bracket_rule = labels.bracket_rule
    state.pos = start + 1
    level = 1
    end = -1
    try:
        while state.pos < pos_max:
            marker = src[state.pos]
            if marker == "]":
                level -= 1
                if level == 0:
                    end = state.pos
                    break
            at = state.pos
            if marker != "[":
                skip(state)
                continue
            if bracket_rule is None:
                skip(state)  # (which tries a link there, so its label is read: `_known` has it)
            else:
                _skip_bracket(state, bracket_rule)
            if state.pos != at + 1:  # a link (or image) inside
                if nested_ends:
                    break
                continue
            inner = _known(labels.ends, at, nested_ends, pos_max)
            if inner is None:
                level += 1  # a plain `[`: markdown-it's way, one token at a time
            elif inner < 0:
                break  # it never closes, nor does this one
            else:
                state.pos = inner + 1  # past its `]`: the level is this label's again
    finally:
        state.pos = old_pos
    return end


def _skip_bracket(state: StateInline, link: Callable[[StateInline, bool], bool]) -> None:
    """markdown-it's `skipToken` at a `[`, trying only the link rule (the only one that may match
    there: `_bracket_rule`); the same answer, the same cache, about a tenth of the calls."""
    pos = state.pos
    cache = state.cache
    if pos in cache:
        state.pos = cache[pos]
        return
    ok = False
    if state.level < state.md.options["maxNesting"]:
        state.level += 1
        ok = link(state, True)
        state.level -= 1
    else:
        state.pos = state.posMax  # (markdown-it's stopgap for deep nesting: the rest is skipped)
    if not ok:
        state.pos += 1
    cache[pos] = state.pos
