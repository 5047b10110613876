"""Hypothesis strategies for decks that must survive export -> import unchanged."""

from __future__ import annotations

from hypothesis import strategies as st

from retain.core.model import KINDS, Card, Deck

__all__ = ["decks"]

_CHARS = st.characters(codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="\xa0\u3000")
_TRICKY = st.sampled_from(
    [
        "Q: not a tag",
        "A: nor this",
        "C: [x]",
        "<!-- retain {} -->",
        "a < b & c",
        "=1+1",
        "-5",
        "@x",
        "**bold**",
        "`code`",
        "[link](u)",
        "![i](x)",
        "back\\slash",
        "wow!",
        "line\nnext",
        "  Q: indented",
    ]
)
_PLAIN = st.one_of(st.text(_CHARS, min_size=1, max_size=30), _TRICKY)


@st.composite
def _text(draw: st.DrawFn, allow_empty: bool = False) -> str:
    parts = draw(st.lists(_PLAIN, min_size=0 if allow_empty else 1, max_size=3))
    text = draw(st.sampled_from(["\n", " ", "\n\n"])).join(parts).strip()
    if not text and not allow_empty:
        return "x"
    return text


_CLOZE_CHARS = st.characters(
    codec="utf-8", categories=("L", "N", "P", "S", "Zs"), exclude_characters="{}:\xa0\u3000"
)


@st.composite
def _cloze(draw: st.DrawFn) -> str:
    n = draw(st.integers(1, 4))
    out: list[str] = []
    for i in range(n):
        out.append(draw(st.text(_CLOZE_CHARS, max_size=12)))
        num = draw(st.integers(1, 3)) if i else 1
        answer = draw(st.text(_CLOZE_CHARS, min_size=1, max_size=10).filter(lambda s: s.strip() == s and s))
        hint = draw(
            st.one_of(
                st.just(""),
                st.text(_CLOZE_CHARS, min_size=1, max_size=6).filter(lambda s: s.strip() == s and s),
            )
        )
        out.append(f"{{{{c{num}::{answer}{'::' + hint if hint else ''}}}}}")
    out.append(draw(st.text(_CLOZE_CHARS, max_size=12)))
    text = "".join(out)
    return text if text.strip() == text else text.strip()


_TAG = st.text("abcdefghijklmnopqrstuvwxyz0123456789-_:=@+", min_size=1, max_size=8)
_ID = st.from_regex(r"[a-z0-9][a-z0-9-]{0,15}", fullmatch=True)
_NAME = (
    st.text(
        st.characters(codec="utf-8", categories=("L", "N", "Zs"), exclude_characters="\xa0\u3000"),
        min_size=1,
        max_size=20,
    )
    .map(str.strip)
    .filter(bool)
)


@st.composite
def _card(draw: st.DrawFn, card_id: str, deck_tags: tuple[str, ...]) -> Card:
    kind = draw(st.sampled_from(KINDS))
    tags = tuple(t for t in draw(st.lists(_TAG, max_size=3, unique=True)) if t not in deck_tags)
    extra = draw(_text(allow_empty=True))
    source = draw(st.sampled_from(["", "Q2", "chapter 3"]))
    accept = tuple(
        draw(st.lists(st.text(_CHARS, min_size=1, max_size=8).map(str.strip).filter(bool), max_size=2))
    )
    if kind == "cloze":
        return Card(id=card_id, kind="cloze", text=draw(_cloze()), extra=extra, tags=tags, source=source)
    back = draw(_text(allow_empty=kind == "basic"))
    return Card(
        id=card_id,
        kind=kind,
        front=draw(_text()),
        back=back,
        extra=extra,
        tags=tags,
        source=source,
        accept=accept,
    )


@st.composite
def decks(draw: st.DrawFn) -> Deck:
    deck_tags = tuple(draw(st.lists(_TAG, max_size=2, unique=True)))
    ids = draw(st.lists(_ID, min_size=1, max_size=6, unique=True))
    cards = tuple(draw(_card(i, deck_tags)) for i in ids)
    return Deck(
        id=draw(_ID),
        name=draw(_NAME),
        group=draw(st.one_of(st.just(""), _NAME)),
        version=draw(st.sampled_from(["", "1.0.0", "2.1.3"])),
        description=draw(_text(allow_empty=True)),
        tags=deck_tags,
        cards=cards,
    )
