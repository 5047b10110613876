"""h14: a link destination with balanced, unescaped parentheses (`![v](a(1).png)`, valid
CommonMark) is one media reference, as the Markdown-to-HTML export reads it: the study screen,
the imports and the exports agree on it (one level of nesting; CommonMark allows more, retain
reads one). Matching stays linear in the text, and `written_target` writes any target so that
it reads back.

Before: `REF_RE` refused any unescaped `(` in a bare target, so `![v](vid.media/a(1).png)` stayed
text on the study screen while an export rendered it as an image."""

from __future__ import annotations

import time
from urllib.parse import unquote

from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from retain.core.mediaref import REF_RE, image_refs, media_refs, ref_target, split_media, written_target
from retain.interop.html import markdown_to_html

_MD = MarkdownIt("commonmark")


def test_balanced_parentheses_are_part_of_the_name() -> None:
    parts = split_media("see ![v](vid.media/a(1).png) now")
    assert parts[0] == "see " and parts[2] == " now"
    assert [(p.folder, p.name) for p in parts if not isinstance(p, str)] == [("vid", "a(1).png")]
    (ref,) = media_refs('![v](vid.media/(x)y(z)\\).png "a title")')
    assert ref.name == "(x)y(z)).png"
    assert [r.name for r in media_refs("x ![a](vid.media/f(a\\)b).png) y ![b](vid.media/()w.png)")] == [
        "f(a)b).png",
        "()w.png",
    ]


def test_the_export_and_the_study_screen_agree() -> None:
    html = markdown_to_html("![v](vid.media/a(1).png)")
    assert 'src="vid.media/a(1).png"' in html, html
    assert [r.name for r in media_refs("![v](vid.media/a(1).png)")] == ["a(1).png"]


def test_an_unbalanced_or_outer_parenthesis_still_ends_it() -> None:
    assert [r.name for r in media_refs("(see ![v](vid.media/a.png))")] == ["a.png"]
    assert [r.name for r in media_refs("(see ![v](vid.media/a(1).png))")] == ["a(1).png"]
    assert media_refs("![v](vid.media/a(1.png)") == []  # (CommonMark: no image either)
    assert media_refs("![v](vid.media/a(b c).png)") == []  # a blank ends it: not an image
    assert [r.name for r in media_refs("![v](vid.media/a.png)(b)")] == ["a.png"]


# (No lone backslash before a blank: markdown-it ends a destination there, CommonMark and retain
# do not; such a target is no file's name either way, a backslash being no part of a safe name.)
_PIECES = st.sampled_from(["a", ".", "/", "(", ")", "\\(", "\\)", "\\a", "\\\\", "b(c)", "((d))"])


def _depth(target: str) -> int:
    """The deepest nesting of unescaped parentheses in `target`."""
    depth = deepest = 0
    i = 0
    while i < len(target):
        if target[i] == "\\":
            i += 2
            continue
        depth += {"(": 1, ")": -1}.get(target[i], 0)
        deepest = max(deepest, depth)
        i += 1
    return deepest


@given(pieces=st.lists(_PIECES, min_size=1, max_size=12), tail=st.sampled_from([")", ") x", ' "t")', ")\\)"]))
def test_an_image_for_commonmark_is_one_for_retain(pieces: list[str], tail: str) -> None:
    """What CommonMark (markdown-it, the export's renderer) reads as an image at the start of the
    text, `REF_RE` reads as the same one, whenever its parentheses nest one level at most; and
    `REF_RE` reads no image that CommonMark does not."""
    target = "".join(pieces)
    text = f"![v]({target}{tail}"
    (inline,) = [t for t in _MD.parseInline(text) if t.type == "inline"]
    first = inline.children[0] if inline.children else None
    md_src = unquote(str(first.attrs["src"])) if first is not None and first.type == "image" else None
    m = REF_RE.match(text)
    ours = ref_target(m) if m is not None else None
    if ours is not None:
        assert md_src == ours, text
    elif md_src:  # (an empty destination, `![v]()`, is an image of nothing: no reference)
        assert _depth(md_src) > 1 or _depth(target) > 1, text


_HOSTILE = [
    "![a](" + "(" * 10_000,
    "![a](" + "(a" * 5_000,
    "![a](" + "a(b)" * 2_500,
    "![a](" + "\\(" * 5_000,
    "![a](" + "(\\)" * 3_400,
    "![a](x(" + "\\" * 10_000,
    "![a](b(c)" * 1_100,
    "![a](" + "b(c)" * 300 + " " + '"' * 5_000,
]


def test_hostile_targets_are_matched_in_linear_time() -> None:
    """10,000-character targets built to make a backtracking matcher try every split: each is
    read in well under a second (a catastrophic pattern would take minutes)."""
    for text in _HOSTILE:
        start = time.perf_counter()
        list(image_refs(text))
        split_media(text)
        list(REF_RE.finditer(text + ")"))
        assert time.perf_counter() - start < 2.0, text[:40]


_NAMES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=40)


@given(target=_NAMES)
def test_written_target_reads_back(target: str) -> None:
    """Any target `written_target` writes is one reference read back as it; it refuses only
    what no reference can hold (a line break, blanks at its ends)."""
    written = written_target(target)
    if written is None:
        assert "\n" in target or "\r" in target or target != target.strip()
        return
    m = REF_RE.fullmatch(f"![x]({written} 'title')")
    assert m is not None and ref_target(m) == target and m["title"] == "'title'"
