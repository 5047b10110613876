"""h14: one media reference, whatever its target holds: `core.mediaref.REF_RE` reads a link
destination's backslash escapes as CommonMark does (`![v](a\\)b.mov)` names `a)b.mov`), so the
study screen, the importers and the exports agree on it.

Before: `![v](vid.media/a\\)b.mov)` was read as a reference to `a\\` (the escaped `)` taken for
the end), shown as "image a\\ not found"; every name retain itself writes still reads back."""

from __future__ import annotations

import hashlib
import re

from hypothesis import given
from hypothesis import strategies as st

from retain.core.mediaref import REF_RE, is_safe_name, media_refs, ref_target, split_media
from retain.interop.media import hash_name, placeholder

_PUNCT = re.compile(r"([!-/:-@\[-`{-~])")


def _escaped(name: str) -> str:
    """`name` with every ASCII punctuation character backslash-escaped (CommonMark's escapes)."""
    return _PUNCT.sub(r"\\\1", name)


def test_an_escaped_parenthesis_is_part_of_the_name() -> None:
    (ref,) = media_refs("Watch ![v](vid.media/a\\)b.mov) now")
    assert (ref.folder, ref.name, ref.alt) == ("vid", "a)b.mov", "v")
    parts = split_media("before ![v](vid.media/a\\(1\\).png) after")
    assert parts[0] == "before " and parts[2] == " after"
    assert [p.name for p in parts if not isinstance(p, str)] == ["a(1).png"]


def test_escapes_in_angle_brackets_and_a_title() -> None:
    (ref,) = media_refs('![v](<vid.media/a \\<b\\>.png> "t")')
    assert ref.name == "a <b>.png"
    (ref,) = media_refs('![v](vid.media/q\\"x.png "title")')
    assert ref.name == 'q"x.png'


def test_a_backslash_before_no_punctuation_stays_a_backslash() -> None:
    (m,) = REF_RE.finditer("![v](vid.media/a\\b.png)")
    assert ref_target(m) == "vid.media/a\\b.png"  # (not a safe name: never read as a file)


def test_an_unescaped_parenthesis_still_ends_the_target() -> None:
    (ref,) = media_refs("(see ![v](vid.media/a.png))")
    assert ref.name == "a.png"


_NAMES = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40)


@given(
    original=_NAMES,
    data=st.binary(max_size=16),
    deck=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
)
def test_every_name_retain_writes_reads_back(original: str, data: bytes, deck: str) -> None:
    """An import's content-hash name, in the placeholder it writes, is one reference to it."""
    name = hash_name(hashlib.sha256(data).hexdigest(), original)
    (ref,) = media_refs(f"x {placeholder(deck, name)} y")
    assert (ref.folder, ref.name) == (deck, name)


@given(name=_NAMES.filter(lambda n: is_safe_name(n) and n.strip() == n), alt=st.sampled_from(["", "a clip"]))
def test_any_safe_name_escaped_reads_back(name: str, alt: str) -> None:
    """An author's name with its punctuation escaped: bare when it has no blanks, else in angles."""
    target = f"vid.media/{_escaped(name)}"
    if re.search(r"\s", name):
        target = f"<{target}>"
    refs = media_refs(f"see ![{alt}]({target}) here")
    assert [(r.folder, r.name) for r in refs] == [("vid", name)]
