"""Cloze numbers: one limit shared by the parser, `retain check` and the unit-key codec (items 4-5, 8)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.cloze import (
    CLOZE_RE,
    MAX_CLOZE,
    cloze_numbers,
    deletions,
    render_all,
    render_back,
    render_front,
)
from retain.core.deckfile import parse_deck
from retain.core.units import expand_deck
from retain.store.state.statecodec import KEY_RE

from .worst import deck_with_text

# The regex the scanner replaces, restricted to what the scanner accepts (ASCII digits, <= MAX_CLOZE).
OLD = re.compile(r"\{\{c([0-9]+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
TOO_BIG = re.compile(r"\{\{c0*[1-9][0-9]{4}")


def test_the_key_codec_takes_every_number_the_parser_makes_and_no_other() -> None:
    assert KEY_RE.match(f"d/c:c{MAX_CLOZE}")
    assert not KEY_RE.match(f"d/c:c{MAX_CLOZE + 1}")
    assert cloze_numbers(f"{{{{c{MAX_CLOZE}::x}}}}") == [MAX_CLOZE]
    assert cloze_numbers(f"{{{{c{MAX_CLOZE + 1}::x}}}}") == []


def test_a_cloze_number_above_the_limit_is_text_and_check_says_so() -> None:
    result = parse_deck(deck_with_text("{{c10000::answer}} and {{c2::b}}"), "d.toml")
    assert result.deck is not None and not result.errors
    assert any("c10000" in p.message and "not a cloze" in p.message for p in result.warnings)
    units = expand_deck(result.deck)
    assert [u.key for u in units] == ["hostile/c1:c2"]
    assert all(KEY_RE.match(u.key) for u in units)  # what the study screen records
    assert "{{c10000::answer}}" in units[0].front


@pytest.mark.parametrize("digits", ["9" * 5000, "0" * 5000 + "1", "1" + "0" * 100_000])
def test_huge_digit_counts_never_reach_int(digits: str) -> None:
    text = "{{c" + digits + "::x}} {{c3::y}}"
    result = parse_deck(deck_with_text(text), "d.toml")
    assert result.deck is not None
    numbers = [u.key.rsplit(":", 1)[1] for u in expand_deck(result.deck)]
    assert numbers in (["c3"], ["c1", "c3"])  # leading zeros: still c1


@given(
    st.lists(st.sampled_from(["{{c", "1", "2", "0", "::", "}}", "}", ":", "{", "a", "\n"]), max_size=30).map(
        "".join
    )
)
@settings(max_examples=400, deadline=None)
def test_the_scanner_finds_what_the_old_regex_found(text: str) -> None:
    if TOO_BIG.search(text):
        return
    old = [(m.start(), m.end(), int(m[1]), m[2], m[3]) for m in OLD.finditer(text)]
    new = [(m.start(), m.end(), m.number, m[2], m[3]) for m in CLOZE_RE.finditer(text)]
    assert new == old
    assert CLOZE_RE.sub(lambda m: m[2], text) == OLD.sub(lambda m: m[2], text)
    for n, front, back in render_all(text):
        assert front == render_front(text, n) and back == render_back(text, n)


def test_rendering_every_number_is_one_pass() -> None:
    text = " ".join(f"{{{{c{i}::w{i}::h{i}}}}}" for i in range(1, 4))
    assert render_all(text) == [
        (1, "[h1] w2 w3", "**w1** w2 w3"),
        (2, "w1 [h2] w3", "w1 **w2** w3"),
        (3, "w1 w2 [h3]", "w1 w2 **w3**"),
    ]
    assert [d.number for d in deletions(text)] == [1, 2, 3]


def test_a_card_too_big_to_expand_is_an_error_not_gigabytes() -> None:
    text = " ".join(f"{{{{c{i}::w}}}}" for i in range(1, 3001)) + " pad" * 100_000
    result = parse_deck(deck_with_text(text), "d.toml")
    assert result.deck is not None and result.deck.cards == ()
    assert any("too big to study" in p.message for p in result.errors)


def test_study_screen_of_a_deck_with_c10000(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reproduction of item 4: `check` passed it, then rating it crashed with `bad unit key`."""
    import asyncio
    from datetime import UTC, datetime

    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app

    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    deck = (
        deck_with_text("{{c10000::answer}}")
        + '\n[[cards]]\nid = "c2"\nkind = "cloze"\ntext = "{{c1::one}}"\n'
    )
    (home / "decks" / "hostile.toml").write_text(deck, "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(home))
    h = open_home()
    col = Collection.open(h, datetime.now(UTC))
    try:
        app = make_app(
            col, config=h.config, decks_dir=h.paths.decks_dir, review=["hostile"], start_in_review=True
        )

        async def run() -> None:
            async with app.run_test(size=(100, 30)) as pilot:
                for _ in range(3):
                    await pilot.press("space")
                    await pilot.press("3")
                    await pilot.pause(0.1)

        asyncio.run(run())
    finally:
        col.close()
    assert app.return_code in (None, 0)
    journals = list((home).rglob("*.toml"))
    assert any("hostile/c2:c1" in p.read_text("utf-8") for p in journals if "decks" not in p.parts)
