"""Cloze renumbering keeps the progress of the clozes that survive."""

from __future__ import annotations

from retain.core.model import Card
from retain.core.remap import unit_key_moves


def cloze(text: str) -> Card:
    return Card("x", kind="cloze", text=text)


def test_deleting_c1_moves_later_clozes_down() -> None:
    moves = unit_key_moves("d", cloze("{{c1::a}} {{c2::b}} {{c3::c}}"), cloze("{{c1::b}} {{c2::c}}"))
    assert moves == {"d/x:c2": "d/x:c1", "d/x:c3": "d/x:c2"}


def test_swap_and_unchanged_and_reworded() -> None:
    assert unit_key_moves("d", cloze("{{c1::a}} {{c2::b}}"), cloze("{{c2::a}} {{c1::b}}")) == {
        "d/x:c1": "d/x:c2",
        "d/x:c2": "d/x:c1",
    }
    assert unit_key_moves("d", cloze("{{c1::a}} x"), cloze("y {{c1::a::hint}}")) == {}
    assert unit_key_moves("d", cloze("{{c1::a}}"), cloze("{{c1::A new answer}}")) == {}


def test_non_cloze_edits_move_nothing() -> None:
    assert unit_key_moves("d", Card("x", front="q", back="a"), Card("x", front="q2", back="b")) == {}
