"""`{{c0::x}}` hides nothing and shows as a plain `x` (c0 is no cloze number), and `retain check`
warns of it. docs/deck-format.md said the learner would see it "as it is written"."""

from __future__ import annotations

from pathlib import Path

from retain.core.cloze import render_all
from retain.core.deckfile import parse_deck

DOC = Path(__file__).resolve().parents[2] / "docs" / "deck-format.md"


def test_c0_shows_as_its_plain_answer_on_every_side() -> None:
    [(number, front, back)] = render_all("a {{c0::x}} b {{c1::y}}")
    assert number == 1
    assert front == "a x b [...]"
    assert back == "a x b **y**"


def test_c0_is_warned_of() -> None:
    text = (
        'format = 1\n[deck]\nid = "d"\n[[cards]]\nid = "a"\nkind = "cloze"\ntext = "a {{c0::x}} {{c1::y}}"\n'
    )
    [warning] = parse_deck(text).warnings
    assert "`{{c0::` is not a cloze" in warning.message


def test_the_doc_says_what_c0_shows() -> None:
    doc = " ".join(DOC.read_text("utf-8").split())
    seen_as_written = doc.split("which the learner would see as it is written:")[1].split("- **")[0]
    assert "{{c0::" not in seen_as_written.split("A `{{c0::x}}`")[0]
    assert "shows as a plain `x`" in seen_as_written
