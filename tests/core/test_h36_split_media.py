"""The study screen cuts card text only where each piece is still the Markdown it was.

`split_media` gives text pieces, each rendered as a Markdown document of its own, and the media
drawn between them. A picture inside a table cell, emphasis, a link, a list item, a quote or a
heading (a revealed cloze's `**...**` too) keeps its construct whole: the picture is drawn after
the top-level block that holds it. A picture standing at the top level is drawn where it stands.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from retain.core.answer.shown import card_parser
from retain.core.mediaref import MAX_SHOWN, REF_RE, MediaRef, media_refs, split_media

FLAG = "![image](geo.media/flag.png)"
REF = MediaRef("image", "geo", "flag.png")


def _walk(tokens: list[Token], out: list[str]) -> None:
    for t in tokens:
        if t.type in ("text", "code_inline", "code_block", "fence"):
            out.append(t.content)
        elif t.type in ("paragraph_open", "paragraph_close", "softbreak", "hardbreak", "image", "inline"):
            pass  # (a cut paragraph is two paragraphs; an image shows no text of its own)
        else:
            out.append(f"<{t.type}{t.markup}{t.attrs.get('start', '')}>")
        if t.children and t.type != "image":
            _walk(t.children, out)


def shown(markdown: str) -> str:
    """What Markdown makes of the text, its blanks and paragraph breaks left out: the text, and a
    mark for each construct (a table cell, a list item and its number, emphasis, a link, ...)."""
    out: list[str] = []
    _walk(card_parser().parse(markdown), out)
    return re.sub(r"\s", "", "".join(out))


def pieces_shown(text: str) -> str:
    return "".join(shown(p) for p in split_media(text) if isinstance(p, str))


@pytest.mark.parametrize(
    "text",
    [
        f"| {FLAG} | Spain |\n| --- | --- |\n| capital | Madrid |",  # an Anki table with a flag in a cell
        f"Flag of Spain: **{FLAG}**",  # a revealed image cloze
        f"**a {FLAG} b**",
        f"*it {FLAG}* after",
        f"- {FLAG} Spain\n- France",
        f"> the flag {FLAG} of Spain",
        f"[see {FLAG} here](https://example.com)",
        f"# Spain {FLAG}",
        f"1. one\n2. {FLAG} two",
    ],
)
def test_a_picture_inside_a_construct_keeps_it_whole_and_is_drawn_after_it(text: str) -> None:
    assert split_media(text) == [text, REF]
    assert pieces_shown(text) == shown(text)


def test_the_picture_goes_right_after_its_block_not_after_the_card() -> None:
    text = f"Which country?\n\n| {FLAG} | Spain |\n| --- | --- |\n\nName its capital."
    assert split_media(text) == [
        f"Which country?\n\n| {FLAG} | Spain |\n| --- | --- |\n",
        REF,
        "\nName its capital.",
    ]


def test_a_picture_at_the_top_level_is_drawn_where_it_stands() -> None:
    text = f"What is this?\n\n{FLAG}\n\nName it. ![audio](geo.media/hi.mp3) end\nWhat?<br>\n{FLAG}"
    assert split_media(text) == [
        "What is this?\n\n",
        REF,
        "\n\nName it. ",
        MediaRef("audio", "geo", "hi.mp3"),
        " end\nWhat?<br>\n",
        REF,
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"{FLAG}    code",  # the rest alone would be an indented code block
        f"a\n{FLAG}\n2. b",  # ... an ordered list starting at 2
        f"a\n--- {FLAG}",  # the text before alone would be a heading
        f"[foo] {FLAG}\n\n[foo]: https://example.com",  # the link's definition would be elsewhere
    ],
)
def test_a_cut_that_would_change_the_markdown_is_not_made(text: str) -> None:
    parts = split_media(text)
    assert REF in parts
    assert pieces_shown(text) == shown(text)


def test_references_markdown_does_not_read_as_images_stay_text() -> None:
    for text in (f"    {FLAG}", f"\\{FLAG}", f"<https://x/{FLAG}>", f"$a {FLAG} b$"):
        assert split_media(text) == [text], text
        assert media_refs(text) == [REF]  # (exports still carry the file)


def test_every_reference_still_counts_for_exports_and_the_limit_holds() -> None:
    rows = "\n".join(f"| ![image](m.media/p{i}.png) | {i} |" for i in range(40))
    text = f"| pic | n |\n| --- | --- |\n{rows}"
    parts = split_media(text)
    assert parts[0] == text
    assert [p.name for p in parts[1:] if isinstance(p, MediaRef)] == [f"p{i}.png" for i in range(MAX_SHOWN)]
    assert len(media_refs(text)) == 40


def test_split_media_gives_a_new_list_each_time() -> None:
    first = split_media(f"x {FLAG}")
    first.clear()
    assert split_media(f"x {FLAG}") == ["x ", REF]


# Lines of card Markdown made of constructs, plain text and pictures, in any order.
_BITS = [FLAG, FLAG, "![audio](geo.media/a.mp3)", "text", " ", "  ", "\n", "\n\n", "**", "*", "_", "~~"]
_BITS += ["[", "](u)", "`", "| a | b |", "| --- | --- |", "- ", "* ", "1. ", "2. ", "> ", "# ", "    "]
_BITS += ["===", "---", "\\", "<br>", "```", "[r]: /u", "[r]", "$x$"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_BITS), max_size=14))
def test_the_pieces_show_what_the_whole_text_shows(bits: list[str]) -> None:
    text = "".join(bits)
    parts = split_media(text)
    assert pieces_shown(text) == shown(text)
    # nothing lost: the pieces are the text, in order, but for references drawn where they stood
    drawn = [p for p in parts if isinstance(p, MediaRef)]
    pos = 0
    for piece in [*(p for p in parts if isinstance(p, str)), ""]:
        while not text.startswith(piece, pos) or (not piece and pos < len(text)):
            m = REF_RE.match(text, pos)
            assert m is not None, (text, parts)
            pos = m.end()
        pos += len(piece)
    assert pos == len(text)
    assert len(drawn) <= min(MAX_SHOWN, len(media_refs(text)))


def test_a_text_slow_to_parse_is_not_cut_and_costs_one_parse_at_most(monkeypatch: pytest.MonkeyPatch) -> None:
    """h36 (attacker 54): one picture in a long card made showing it several times slower (the
    whole text parsed with markers, then each piece, twice when the first cuts failed): a 60 KB
    run of `[a` took 9.3 s with a picture against 2.8 s without. Over `PLACE_BUDGET` characters,
    or when the first parse takes longer than `PARSE_BUDGET`, the media go after the text."""
    import time

    from retain.core import mediaref
    from retain.core.mediaref import PLACE_BUDGET, split_media

    img = "![flag](d.media/flag.png)"
    long = "\n".join(f"- item {i} with some words here" for i in range(800)) + "\n- " + img
    assert len(long) > PLACE_BUDGET
    assert [type(p).__name__ for p in split_media(long)] == ["str", "MediaRef"]
    slow = "[a" * 9_900 + " " + img  # (19.8 KB: under PLACE_BUDGET)
    # A run of `[a` parses in linear time now (h39): any parse is over a budget of 0, as this one was.
    monkeypatch.setattr(mediaref, "PARSE_BUDGET", 0.0)
    began = time.process_time()
    parts = split_media(slow)
    took = time.process_time() - began
    assert [type(p).__name__ for p in parts] == ["str", "MediaRef"]
    from retain.core.mediaref import _parser

    began = time.process_time()
    _parser().parse(slow)
    once = time.process_time() - began
    assert took < 2 * once + 0.05, (took, once)  # (the marked parse, and no piece parsed after it)
