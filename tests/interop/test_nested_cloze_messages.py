"""A cloze whose deletions nest, which retain cannot hold, is named as nested wherever it comes from."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.core.model import Card
from retain.interop.assemble import card_problem
from retain.interop.errors import InteropError
from retain.interop.importer import read_file
from retain.interop.limits import Limits


def test_a_nested_cloze_the_import_cannot_flatten_is_named_nested() -> None:
    """An outer deletion left open around a closed one: the note is skipped as nested, not as a note
    'without {{c1::...}} deletions' (it has one)."""
    card = Card(id="x", kind="cloze", text="{{c1::x}} {{c1::a {{c2::b}}")
    problem = card_problem(card, Limits())
    assert "nested cloze" in problem and "retain has no nested clozes" in problem, problem


def test_a_toml_deck_with_a_nested_cloze_is_refused_in_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "geo.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "geo"\nname = "Geo"\n\n[[cards]]\nid = "fuji"\nkind = "cloze"\n'
        'text = "{{c1::Tokyo}} is in Japan. {{c2::Mt {{c3::Fuji}}}}"\n\n'
        '[[cards]]\nid = "fuji"\nfront = "a"\nback = "b"\n'
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(InteropError) as caught:
        read_file(path, stage)
    message = str(caught.value)
    assert "\n" not in message and "error: " not in message, message
    assert f"{path}:9:36: cloze card 'fuji': nested cloze" in message, message  # (at the outer opener, h36)
    assert "(and 1 more problem(s): `retain check " in message, message
