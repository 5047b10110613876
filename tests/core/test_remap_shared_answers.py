"""Cloze deletions that share an answer keep their own progress across saves and moves."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.model import Card
from retain.core.remap import unit_key_moves
from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardEdit, move_card, read_card, save_card
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

GEO = """format = 1

[deck]
id = "geo"
name = "Geo"

[[cards]]
id = "paris"
kind = "cloze"
text = "{{c1::Paris}} is the capital of France. The Louvre is in {{c2::paris}}."
"""

ATLAS = """format = 1

[deck]
id = "atlas"
name = "Atlas"
"""


def cloze(text: str) -> Card:
    return Card("x", kind="cloze", text=text)


# ---- unit_key_moves -----------------------------------------------------------------


def test_unchanged_text_with_a_shared_answer_moves_nothing() -> None:
    text = "{{c1::Paris}} is the capital. The Louvre is in {{c2::Paris}}."
    assert unit_key_moves("d", cloze(text), cloze(text)) == {}
    assert (
        unit_key_moves("d", cloze("{{c1::Paris}} {{c2::PARIS}}"), cloze("{{c1::Paris}} {{c2::PARIS}} more"))
        == {}
    )


def test_a_surviving_number_is_neither_moved_nor_moved_onto() -> None:
    # c2 keeps "x"; c1 was reworded to "x" as well: two places for one answer, so nothing moves.
    assert unit_key_moves("d", cloze("{{c1::a}} {{c2::x}}"), cloze("{{c1::x}} {{c2::x}}")) == {}
    # c1 keeps "x"; c2 disappeared and its answer now sits under c3.
    assert unit_key_moves("d", cloze("{{c1::x}} {{c2::y}}"), cloze("{{c1::x}} {{c3::y}}")) == {
        "d/x:c2": "d/x:c3"
    }


def test_an_ambiguous_answer_moves_nothing() -> None:
    # Two old numbers had "p"; both disappeared, one new number has it: which one is unknown.
    assert unit_key_moves("d", cloze("{{c1::p}} {{c2::p}}"), cloze("{{c3::p}}")) == {}
    # One old number had "p"; two new numbers have it.
    assert unit_key_moves("d", cloze("{{c1::p}}"), cloze("{{c2::p}} {{c3::p}}")) == {}


def test_deleting_c1_still_renumbers_by_answer() -> None:
    moves = unit_key_moves("d", cloze("{{c1::a}} {{c2::b}} {{c3::c}}"), cloze("{{c1::b}} {{c2::c}}"))
    assert moves == {"d/x:c2": "d/x:c1", "d/x:c3": "d/x:c2"}


# ---- the property -------------------------------------------------------------------

_ANSWERS = st.sampled_from(["Paris", "paris", "PARIS", "Lyon", "a", "b", "x y", "x  y"])
_DELETIONS = st.lists(st.tuples(st.integers(1, 5), _ANSWERS), max_size=6)


def _text(parts: list[tuple[int, str]]) -> str:
    return " and ".join(f"{{{{c{n}::{answer}}}}}" for n, answer in parts)


@given(old=_DELETIONS, others=_DELETIONS, data=st.data())
def test_a_number_the_edit_keeps_never_moves(
    old: list[tuple[int, str]], others: list[tuple[int, str]], data: st.DataObject
) -> None:
    numbers = sorted({n for n, _ in old})
    kept = data.draw(st.sets(st.sampled_from(numbers)) if numbers else st.just(set[int]()))
    # The new text: the kept numbers' deletions as they were, anything else with other numbers.
    new = [d for d in old if d[0] in kept] + [d for d in others if d[0] not in kept]
    new = data.draw(st.permutations(new))
    moves = unit_key_moves("d", cloze(_text(old)), cloze(_text(new)))
    involved = {*moves, *moves.values()}
    assert not {f"d/x:c{n}" for n in kept} & involved
    assert len(set(moves.values())) == len(moves)
    assert unit_key_moves("d", cloze(_text(old)), cloze(_text(old))) == {}


# ---- saving -----------------------------------------------------------------------


@pytest.fixture
def col(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collection]:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "geo.toml").write_text(GEO, "utf-8")
    (tmp_path / "decks" / "atlas.toml").write_text(ATLAS, "utf-8")
    home: Home = open_home()
    collection = Collection.open(home, NOW, tz=UTC)
    for key, lapses in (("geo/paris:c1", 1), ("geo/paris:c2", 7)):
        at = NOW - timedelta(days=1)
        after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 2, lapses)
        collection.record(Event(collection.new_event_id(at), "review", key, at, after, None, 3, 1000))
    yield collection
    collection.close()


def test_saving_a_cloze_with_a_shared_answer_keeps_each_deletions_progress(col: Collection) -> None:
    origin, card = read_card(col, "geo", "paris")
    result = save_card(col, CardEdit("geo", replace(card, extra="a note"), origin, "geo", card), NOW)
    assert result.moves == {}
    assert col.states["geo/paris:c1"].lapses == 1
    assert col.states["geo/paris:c2"].lapses == 7


def test_moving_a_cloze_with_a_shared_answer_keeps_each_deletions_progress(col: Collection) -> None:
    result = move_card(col, "geo", "paris", "atlas", NOW)
    assert result.moves == {"geo/paris:c1": "atlas/paris:c1", "geo/paris:c2": "atlas/paris:c2"}
    assert col.states["atlas/paris:c1"].lapses == 1
    assert col.states["atlas/paris:c2"].lapses == 7


def test_a_number_whose_deletions_only_changed_order_stays_put() -> None:
    """Found by the property above: c1's two deletions swapped places, so its joined answers
    differed, and c1 was paired with c2 (which has the same two answers)."""
    old = cloze("{{c1::Lyon}} {{c1::Paris}} {{c2::Paris}} {{c2::Lyon}}")
    assert unit_key_moves("d", old, cloze("{{c1::Paris}} {{c1::Lyon}}")) == {}
