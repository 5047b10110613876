"""The emphasis a revealed cloze adds shows as emphasis, never as `*` (attack 30, defects 2 and 3).

`{{c1::学生}}{{c1::です}}` showed `学生****です`; an answer that is a Markdown list showed
`**- Latency`. The back is read here as the card view reads it (`ui.text.card_markdown`), and
compared with the same text without emphasis: the same characters shown, and each answer's
letters emphasised.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it.token import Token

from retain.core.cloze import CLOZE_RE, render_all, render_back
from retain.ui.text import card_markdown

LETTERS = {1: "XY", 2: "Z生"}  # the answers of c1 and c2 are written with these, nothing else is
ANSWER_LETTERS = "".join(LETTERS.values())


@dataclass(frozen=True)
class Shown:
    char: str
    em: bool
    strong: bool
    plain: bool  # in code or in a link's address: Markdown emphasises nothing there


def _inline(children: list[Token], out: list[Shown]) -> None:
    em = strong = 0
    hrefs: list[str] = []
    for t in children:
        if t.type in ("em_open", "em_close"):
            em += 1 if t.type == "em_open" else -1
        elif t.type in ("strong_open", "strong_close"):
            strong += 1 if t.type == "strong_open" else -1
        elif t.type == "link_open":
            hrefs.append(str(t.attrs.get("href", "")))
        elif t.type == "link_close":
            out += [Shown(c, False, False, True) for c in f" ({hrefs.pop()})"]  # Rich shows it
        elif t.type in ("softbreak", "hardbreak"):
            out.append(Shown("\n", False, False, False))
        else:
            code = t.type == "code_inline"
            out += [Shown(c, em > 0, strong > 0, code) for c in t.content]


def shown(markdown: str) -> list[Shown]:
    """What the card view shows of `markdown`, character by character, with its emphasis."""
    out: list[Shown] = []
    for token in card_markdown(markdown).parsed:
        if token.type == "inline":
            _inline(token.children or [], out)
        elif token.type in ("fence", "code_block"):
            out += [Shown(c, False, False, True) for c in token.content]
        elif token.nesting == 1:
            out.append(Shown("\0", False, False, True))  # blocks apart
    return out


def plain_back(text: str) -> str:
    """The back as it would be without emphasis: every deletion shown as its answer."""
    return CLOZE_RE.sub(lambda m: m[2], text)


def assert_emphasised(text: str, number: int, back: str, *, emphasis: bool = True) -> None:
    """`back` shows what the text shows without emphasis, and (with `emphasis`) each letter of
    the asked answers emphasised where the text had no emphasis of that kind, unless the text
    shows a `*` or `_` of its own: an added mark may pair with it, and the answer stay plain."""
    want, got = shown(plain_back(text)), shown(back)
    assert "".join(s.char for s in got) == "".join(s.char for s in want), (text, back)
    if not emphasis or any(s.char in "*_" and not s.plain for s in want):
        return  # (where the text shows a `*` or `_` of its own, a mark might pair with it)
    asked = LETTERS.get(number, "")
    for was, now in zip(want, got, strict=True):
        if now.char not in asked or was.plain or (was.em and was.strong):
            continue
        assert (now.em and not was.em) or (now.strong and not was.strong), (text, back, now)


# ---- the defects as found ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "back"),
    [
        ("私は{{c1::学生}}{{c1::です}}。", "私は**学生です**。"),
        ("H{{c1::2}}{{c1::O}}", "H**2O**"),
        ("{{c1::a}}{{c2::}}{{c1::b}}", "**ab**"),
        (
            "The golden signals:\n\n{{c1::- Latency\n- Traffic\n- Errors}}\n\nFrom the SRE book.",
            "The golden signals:\n\n- **Latency**\n- **Traffic**\n- **Errors**\n\nFrom the SRE book.",
        ),
        ("Signals: {{c1::\n- one\n- two\n\n}}", "Signals: \n- **one**\n- **two**\n\n"),
        ("{{c1::# Title}}\n\ntext", "# **Title**\n\ntext"),
        ("one {{c1::first\n\nsecond}} two", "one **first**\n\n**second** two"),
        ("x{{c1::(ISR)}} list", "x(**ISR**) list"),
        ("**bold {{c1::x}}**", "**bold *x***"),
        ("C:\\{{c1::dir}} is it", "C:\\\\**dir** is it"),
    ],
)
def test_each_answer_is_emphasised_as_markdown_shows_it(text: str, back: str) -> None:
    assert render_back(text, 1) == back
    assert_emphasised(text, 1, back)


@pytest.mark.parametrize(
    "text",
    [
        "[a](http://{{c1::XY}}) b",  # in a link's address: no emphasis there
        "*{{c1::X}}",
        "a_{{c1::X}}_b c_",  # the `_` next to it escaped, else `_**X**_b c_` pairs
        "**a{{c1::X}}b**",  # inside bold: in italics
        "$x = {{c1::Y}}$ and *",
        "`a` {{c1::X\n    Y}}",
    ],
)
def test_an_answer_next_to_markdown_is_emphasised_without_asterisks(text: str) -> None:
    for number, _front, back in render_all(text):
        assert_emphasised(text, number, back)


@pytest.mark.parametrize(
    "text",
    [
        "{{c1::-}}\n",  # an answer that is a list item of its own
        "a\n{{c1::---}}",  # a setext underline
        "{{c1::1.}} one",  # a list item's number
        "{{c1::```\nX\n```}}",
        "&{{c1::amp}};",
        "| a | b |\n|---|---|\n| {{c1::X | Y}} | c |",  # over two cells of a table
        "[{{c1::X](u) Y}}",  # over a link's end
        "{{c1::X `Y}} a`",  # over a code span's start
    ],
)
def test_an_answer_markdown_cannot_emphasise_is_shown_plain(text: str) -> None:
    for number, _front, back in render_all(text):
        assert_emphasised(text, number, back, emphasis=False)


# ---- the class: any text around any answers -----------------------------------------------------

_AROUND = st.sampled_from(
    [
        "a",
        "b ",
        " ",
        "学",
        "。",
        "、",
        "(",
        ")",
        "*",
        "**",
        "_",
        "__",
        "\\",
        "~~",
        "-",
        "#",
        "!",
        "`ab`",
        "[ab](u)",
        "\n",
        "\n\n",
        "\n- ",
        "\n# ",
        "\n> ",
        "\n1. ",
        "\n    ",
        "\n===\n",
    ]
)


def _answer(number: int) -> st.SearchStrategy[str]:
    marks = [" ", "(", ")", "。", "\n", "\n- ", "-"]
    return st.lists(st.sampled_from([*LETTERS[number], *marks]), min_size=1, max_size=6).map("".join)


@st.composite
def cloze_texts(draw: st.DrawFn) -> tuple[str, bool]:
    """A text, and whether every answer must show emphasised. Not when an answer (with the
    emphasis around it) touches a `*`, `_` or `~` of the text: there a mark changes how that run
    flanks (`__a_{{c1:: X}}_。`, `{{c1::X}}*{{c1::Y}}*`), and no mark may be the only way. Nor
    when an answer in emphasis starts or ends with punctuation: that emphasis may not pair as
    written (`*{{c1::(}}*a*{{c1::X}}*` is `*(*a*X*`, where `X` is in the first `*`)."""
    text = ""
    units: list[tuple[int, int]] = []
    strict = True
    for _ in range(draw(st.integers(1, 4))):
        text += "".join(draw(st.lists(_AROUND, max_size=4)))
        number = draw(st.integers(1, 2))
        answer = draw(_answer(number))
        deletion = f"{{{{c{number}::{answer}}}}}"
        wrap = draw(st.sampled_from(["", "*", "**", "***", "_", "__", "`"]))
        if wrap.strip("`") and not (answer[0].isalnum() and answer[-1].isalnum()):
            strict = False
        units.append((len(text), len(text) + len(deletion) + 2 * len(wrap)))
        text += f"{wrap}{deletion}{wrap}"
    text += "".join(draw(st.lists(_AROUND, max_size=3)))
    touching = any(text[a - 1 : a] in ("*", "_", "~") or text[b : b + 1] in ("*", "_", "~") for a, b in units)
    return text, strict and not touching


@given(cloze_texts())
@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_a_revealed_back_shows_no_asterisk_and_emphasises_every_answer(case: tuple[str, bool]) -> None:
    text, strict = case
    for number, _front, back in render_all(text):
        assert_emphasised(text, number, back, emphasis=strict)
        assert back == render_back(text, number)
