"""The card editor's save path: the originals behind untouched display replacements are put back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from retain.core.sanitize import sanitize, sanitize_line, sanitize_pieces
from retain.ui.widgets.card_form import _restore

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"


def restored(original: str, edit: str) -> str:
    return _restore(sanitize_pieces(original), edit)


def test_restore_keeps_untouched_replacements_and_takes_typed_ones_as_typed() -> None:
    original = f"a\x1bb {FAMILY}\r\nc"
    shown = sanitize(original)
    assert shown == "a␛b \U0001f468\u200d\U0001f469\u200d\U0001f467\nc"  # (joiners are shown)
    assert restored(original, shown) == original
    assert restored(original, shown + " ␛ typed") == original + " ␛ typed"
    assert restored(original, shown.replace("b", "B")) == original.replace("b", "B")
    assert restored(original, shown.replace("␛", "")) == original.replace("\x1b", "")  # deleted by the user
    assert restored("plain", "plain text") == "plain text"


_ORIGINAL = st.lists(
    st.sampled_from(
        ["a", "b", " ", "\n", "\r\n", "\r", "\x1b", "\x07", "\x9b", "\u200d", "\u200f", "\U000e0067", "é"]
    )
).map("".join)
_TYPED = st.text(st.sampled_from(["x", "y", " ", "é", "\U0001f468"]), min_size=1)


@given(original=_ORIGINAL, typed=_TYPED, data=st.data())
def test_typing_anywhere_changes_only_what_was_typed(original: str, typed: str, data: st.DataObject) -> None:
    pieces = sanitize_pieces(original)
    at = data.draw(st.integers(0, len(pieces)))
    shown = "".join(s for s, _ in pieces)
    before = "".join(o for _, o in pieces[:at])
    assert _restore(pieces, shown[:at] + typed + shown[at:]) == before + typed + original[len(before) :]


def test_edits_at_both_ends_keep_the_replacements_between() -> None:
    original = f"x {FAMILY} \x1b\r\n y"
    shown = sanitize(original)
    assert restored(original, "A" + shown[1:-1] + "Z") == "A" + original[1:-1] + "Z"


@given(text=_ORIGINAL)
def test_pieces_are_the_sanitised_text_and_the_original(text: str) -> None:
    for one_line, shown in ((False, sanitize(text)), (True, sanitize_line(text))):
        pieces = sanitize_pieces(text, one_line=one_line)
        assert "".join(s for s, _ in pieces) == shown
        assert "".join(o for _, o in pieces) == text
