"""A card made of `[` is read in linear time, as a card of letters is, and shown as markdown-it shows it.

A stranger's card `front = "[[[[…"` of 300 KB (far under the 10 MiB deck limit) took the study
screen 13 s to draw and the browser 45 s to open, deaf to `q`: for each `[` markdown-it looked
ahead for its `]`, trying a link at each `[` on the way, down to `maxNesting` (100) levels, about
75 s per MB. `![`, `[a`, `[ `, a `]` at the end, or `[`s nested inside a link did the same, and so
did `retain check` reading such typed answers (17 s for 180 KB) or a cloze text with code in it.
`core.linklabel` keeps each label's answer; the card view shows at most `MAX_SHOWN_CHARS`.

The work is counted (markdown-it's rule calls: no clock), and the clock bounds are those of
`test_parse_time` (CPU seconds, several times the 2 s per MB goal).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt, helpers
from rich.console import Console

from retain.core import cloze_back
from retain.core.answer.shown import MAX_NESTING, card_parser
from retain.core.deckfile import parse_deck
from retain.core.linklabel import MAX_IMAGE_DEPTH
from retain.core.lint import lint_deck
from retain.core.units import expand_deck
from retain.ui.text import MAX_SHOWN_CHARS, card_markdown

from .worst import HEAD

SECONDS_PER_MB = 10.0  # as `test_parse_time`: the goal is 2; CI machines are shared
CALLS_PER_CHAR = 40  # markdown-it's inline rule calls per character (the old code: 200 and more)

# Each a unit repeated: a paragraph of it, then the same with one `]` at the end.
RUNS = [
    "[",
    "![",
    "[a",
    "[ ",
    "[[]",
    "[]]",
    "[!",
    "[`",
    "[`]`",
    "[\\]",
    "[(",
    "[](",
    "[a][",
    "*[",
    "[*",
    "_[",
    "[<",
    "<",
    "`",
    "**a",
    "[a]",
    "[x](y) ",
]
NESTED: list[
    Callable[[int], str]
] = [  # `[`s inside a link's text, each label closed (the old code: 40 s per MB)
    lambda n: ("[" * 98 + "]" * 98 + "(x)") * (n // 199),
    lambda n: ("[a" * 90 + "]" * 90 + "(x)") * (n // 273),
    lambda n: ("![" * 40 + "a" + "](x)" * 40) * (n // 241),
    lambda n: ("![" * 90 + "a" + "](x)" * 90) * (n // 541),  # images in images: each read anew
]


def _stock() -> MarkdownIt:
    """The card parser's configuration (`card_parser`), read markdown-it's own way."""
    md = (
        MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING})
        .enable("strikethrough")
        .enable("table")
    )
    md.normalizeLink = md.normalizeLinkText = lambda url: url  # type: ignore[method-assign, assignment]
    return md


def _stock_labels() -> MarkdownIt:
    """The card parser reading labels markdown-it's own way (images as deep as `MAX_IMAGE_DEPTH`)."""
    md = card_parser()
    md.helpers = helpers
    return md


def _counted(md: MarkdownIt) -> tuple[MarkdownIt, list[int]]:
    """`md`, counting every call of an inline rule and of `skipToken` (each a step of a look-ahead)."""
    calls = [0]
    ruler = md.inline.ruler
    for name, rule in zip(ruler.get_active_rules(), ruler.getRules(""), strict=True):

        def counted(state: Any, silent: bool, rule: Callable[[Any, bool], bool] = rule) -> bool:
            calls[0] += 1
            return rule(state, silent)

        ruler.at(name, counted)
    skip = md.inline.skipToken

    def counted_skip(state: Any) -> None:
        calls[0] += 1
        skip(state)

    md.inline.skipToken = counted_skip  # type: ignore[method-assign]
    return md, calls


def _calls(md: MarkdownIt, calls: list[int], text: str) -> int:
    calls[0] = 0
    md.parse(text)
    return calls[0]


def _texts(n: int) -> list[str]:
    runs = [unit * (n // len(unit)) for unit in RUNS]
    return [*runs, *(run + "]" for run in runs), *(make(n) for make in NESTED)]


def _cloze_parser() -> MarkdownIt:
    """A new one of `cloze_back`'s parser (what of a cloze text is code)."""
    made: MarkdownIt = cloze_back._markdown.__wrapped__()
    return made


PARSERS: dict[str, Callable[[], MarkdownIt]] = {
    "card": card_parser,  # the card view, typed answers, the lint, media places
    "cloze-code": _cloze_parser,
}


@pytest.mark.parametrize("parser", sorted(PARSERS))
def test_markdown_work_is_linear_in_the_text(parser: str) -> None:
    """A bounded number of rule calls per character, the same for 1,000 and 4,000 characters."""
    md, calls = _counted(PARSERS[parser]())
    for small, large in zip(_texts(1_000), _texts(4_000), strict=True):
        few, many = _calls(md, calls, small), _calls(md, calls, large)
        assert many <= CALLS_PER_CHAR * len(large), (large[:12], many / len(large))
        assert many / len(large) <= 1.2 * few / len(small) + 2, (large[:12], few, many)  # (no growth)


def _tokens(md: MarkdownIt, text: str) -> list[tuple[Any, ...]]:
    return [
        (
            t.type,
            t.tag,
            t.content,
            t.markup,
            dict(t.attrs),
            [(c.type, c.content, dict(c.attrs)) for c in t.children or ()],
        )
        for t in md.parse(text)
    ]


SAMPLES = [
    '[link](https://example.com) and ![an image](a.png "title")',
    "[a [nested] label](x) [not [a link]",
    "[outer [inner](y) text](x)",
    "![outer [inner](y) ![img](z)](x)",
    "[ref] and [ref][] and [other][ref] and [x][ref2]\n\n[ref]: /url\n[ref2]: /u2 'T'",
    "[`]`](code) [\\]](esc) [<http://a]b>](auto) [a](<b c>)",
    "[[[[[[[[[[x]]]]]]]]]](deep) and [[[[open",
    "*[em](x)* **[[b]](y)** ~~[s](z)~~",
    "| a | [b](c) |\n|---|---|\n| [d] | ![e](f) |",
    "[" * 150 + "x" + "]" * 150 + "(past the nesting limit)",
]


@pytest.mark.parametrize("text", SAMPLES, ids=range(len(SAMPLES)))
def test_links_read_as_markdown_it_reads_them(text: str) -> None:
    assert _tokens(card_parser(), text) == _tokens(_stock(), text)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["[", "]", "![", "(x)", "](y)", " ", "a", "`", "*", "\\", "<", "<http://a>", "\n", "[r]: /u\n"]
        ),
        max_size=40,
    )
)
def test_any_brackets_read_as_markdown_it_reads_them(parts: list[str]) -> None:
    """(Past `MAX_IMAGE_DEPTH` images in images, the labels are still read as markdown-it reads them.)"""
    text = "".join(parts)
    shallow = text.count("![") <= MAX_IMAGE_DEPTH
    assert _tokens(card_parser(), text) == _tokens(_stock() if shallow else _stock_labels(), text)
    if shallow:
        assert cloze_back._markdown().parse(text) == MarkdownIt("commonmark", {"html": False}).parse(text)


def _image_depth_and_text(tokens: list[Any]) -> tuple[int, str]:
    """How deep images nest in `tokens`, and the text of all of them."""
    depth, text = 0, []
    for t in tokens:
        inner, inner_text = _image_depth_and_text(t.children or [])
        depth = max(depth, inner + (t.type == "image"))
        text.append(t.content if t.type == "text" else inner_text)
    return depth, "".join(text)


def test_images_nested_past_the_bound_keep_their_text() -> None:
    deep = "![" * 9 + "core" + "](x)" * 9
    depth, text = _image_depth_and_text(card_parser().parse(deep))
    assert depth == MAX_IMAGE_DEPTH and "core" in text and "![" in text
    assert _image_depth_and_text(_stock().parse(deep))[0] == 9
    at_bound = "![" * MAX_IMAGE_DEPTH + "a" + "](x)" * MAX_IMAGE_DEPTH
    assert _tokens(card_parser(), at_bound) == _tokens(_stock(), at_bound)


def _timed(fn: Callable[[], object]) -> float:
    """CPU seconds of this thread (a machine shared by other jobs does not count)."""
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def _bound(size: int) -> float:
    return 1.0 + SECONDS_PER_MB * size / 1e6


def _draw(text: str) -> None:
    """What the study screen, the browser preview and the editor preview do with a card side."""
    with open("/dev/null", "w", encoding="utf-8") as sink:
        Console(width=100, file=sink).print(card_markdown(text))


@pytest.mark.parametrize("unit", ["[", "[|]", "![|]", "[a|]"])
def test_a_card_of_brackets_is_drawn_in_time(unit: str) -> None:
    """300 KB: 20 s on the old code."""
    run, _, end = unit.partition("|")
    card = run * (300_000 // len(run)) + end
    assert _timed(lambda: _draw(card)) < _bound(len(card))


def test_a_card_too_long_to_study_shows_its_start_and_says_how_much_is_left() -> None:
    card = "word " * 60_000
    console = Console(width=100, record=True, file=open("/dev/null", "w", encoding="utf-8"))  # noqa: SIM115
    console.print(card_markdown(card))
    shown = console.export_text()
    assert f"{len(card) - MAX_SHOWN_CHARS:,} more characters not shown" in shown
    assert shown.count("word") == MAX_SHOWN_CHARS // 5
    assert card_markdown(card[:MAX_SHOWN_CHARS]).markup == card[:MAX_SHOWN_CHARS]  # (up to it: whole)


def _check_and_due(text: str) -> None:
    """What `retain check` and `retain due` do with one deck file's text."""
    result = parse_deck(text, "hostile.toml")
    assert result.deck is not None
    expand_deck(result.deck)
    lint_deck(result.deck)


def _typed_deck(back: str, cards: int) -> str:
    return HEAD + "".join(
        f'[[cards]]\nid = "c{i}"\nkind = "typed"\nfront = "q{i}"\nback = {json.dumps(back)}\n'
        for i in range(cards)
    )


def _cloze_deck(text: str) -> str:
    return HEAD + f'[[cards]]\nid = "c1"\nkind = "cloze"\ntext = {json.dumps(text)}\n'


@pytest.mark.parametrize(
    "deck",
    [
        _typed_deck("[" * 9_000, 10),  # each answer the lint reads (under PARSE_BUDGET)
        _typed_deck("![" * 4_500 + "]", 10),
        _cloze_deck("`code` {{c1::a}} " + "[" * 100_000 + "]"),  # a cloze back with code is parsed whole
    ],
    ids=["typed-answers", "typed-image-openers", "cloze-with-code"],
)
def test_check_of_a_deck_of_brackets_is_linear(deck: str) -> None:
    assert _timed(lambda: _check_and_due(deck)) < _bound(len(deck))
