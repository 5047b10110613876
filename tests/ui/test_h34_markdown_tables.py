"""A table in card Markdown never cuts a cell with "…": the card view scrolls only down, so a cut
cell's end could not be read at all (a Japanese reading at 100 columns, a revealed cloze URL at 60).

Columns share the width as a browser shares it (no word broken while every word fits); a table that
cannot fit whole words shows each row as `header: cell` lines instead.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console

from retain.ui.app import RetainApp
from retain.ui.text import card_markdown

from .conftest import OpenApp
from .screen import screen_text, until

READING = "わたしはまいあさこーひーをのみます"
JAPANESE = f"""Translate:

| 日本語 | 読み方 | English |
|---|---|---|
| 私は毎朝コーヒーを飲みます | {READING} | I drink coffee every morning |
"""
URL = "https://etcd.io/docs/v3.5/op-guide/configuration/"
DOCS = f"| component | documentation |\n|---|---|\n| etcd | {URL} |\n"


def _lines(text: str, width: int) -> list[str]:
    console = Console(width=width, color_system=None, force_terminal=False, legacy_windows=False)
    return ["".join(s.text for s in line).rstrip() for line in console.render_lines(card_markdown(text))]


def test_a_japanese_table_at_100_columns_shows_every_cell_whole() -> None:
    shown = _lines(JAPANESE, 92)  # 100 columns less the card view's padding and scroll bar
    assert any(READING in line for line in shown), shown
    assert any("私は毎朝コーヒーを飲みます" in line for line in shown), shown
    assert not any("…" in line for line in shown), shown
    assert " ".join(" ".join(shown).split()).count("coffee") == 1


def test_a_url_cell_too_wide_for_a_column_shows_whole_on_its_own_line() -> None:
    shown = _lines(DOCS, 56)  # 60 columns less the padding
    assert any(URL in line for line in shown), shown
    assert not any("…" in line for line in shown), shown
    assert any("etcd" in line for line in shown) and any("documentation" in line for line in shown), shown


def test_a_table_of_more_columns_than_the_width_loses_no_cell() -> None:
    head = "|" + "|".join(f"h{i}" for i in range(30)) + "|"
    row = "|" + "|".join(f"v{i}" for i in range(30)) + "|"
    shown = "\n".join(_lines(f"{head}\n|{'---|' * 30}\n{row}\n", 20))
    for i in range(30):
        assert f"h{i}" in shown and f"v{i}" in shown, shown


def test_a_table_that_fits_is_drawn_as_a_table() -> None:
    shown = _lines("| a | b |\n|---|---|\n| 1 | 2 |\n", 40)
    assert any(line.split() == ["a", "b"] for line in shown), shown
    assert any(line.split() == ["1", "2"] for line in shown), shown


_WORD = st.one_of(
    st.text(alphabet="abcdefghij", min_size=1, max_size=12),
    st.text(alphabet="あいうえおかきくけこ", min_size=1, max_size=12),
    st.text(alphabet="xyz/.:-", min_size=20, max_size=70),
)
_CELL = st.lists(_WORD, min_size=0, max_size=4).map(" ".join)


@settings(max_examples=120, deadline=None)
@given(
    st.integers(min_value=1, max_value=6).flatmap(
        lambda n: st.tuples(
            st.lists(_CELL, min_size=n, max_size=n),
            st.lists(st.lists(_CELL, min_size=n, max_size=n), min_size=0, max_size=3),
        )
    ),
    st.integers(min_value=12, max_value=110),
)
def test_no_cell_text_is_lost_and_no_word_that_fits_is_broken(
    table: tuple[list[str], list[list[str]]], width: int
) -> None:
    header, rows = table
    markdown = "\n".join("| " + " | ".join(r) + " |" for r in [header, ["---"] * len(header), *rows]) + "\n"
    shown = _lines(markdown, width)
    joined = "\n".join(shown)
    assert "…" not in joined
    wanted = Counter("".join("".join(c.split()) for r in [header, *rows] for c in r))
    drawn = Counter("".join(joined.split()))
    assert not wanted - drawn, (markdown, shown)  # every character of every cell is drawn
    for cell in [*header, *(c for r in rows for c in r)]:
        for word in cell.split():
            if cell_len(word) <= width - 2:
                assert any(word in line for line in shown), (word, markdown, shown)


def test_a_long_line_of_code_is_wrapped_not_cut() -> None:
    code = "x = '" + "y" * 150 + "'"
    shown = _lines(f"```python\n{code}\n```", 40)
    assert not any("…" in line for line in shown)
    assert "".join("".join(shown).split()) == "".join(code.split())


JA_DECK = f'''format = 1
[deck]
id = "ja"
name = "Japanese"

[[cards]]
id = "coffee"
front = """{JAPANESE}"""
back = "-"
'''
DOCS_DECK = f'''format = 1
[deck]
id = "docs"
name = "Docs"

[[cards]]
id = "where"
kind = "cloze"
text = """Where are the docs?

| component | documentation |
|---|---|
| etcd | {{{{c1::{URL}}}}} |
"""
'''


async def test_the_study_screen_shows_a_japanese_table_whole(open_app: OpenApp, retain_home: Path) -> None:
    (retain_home / "decks" / "ja.toml").write_text(JA_DECK, encoding="utf-8")
    app: RetainApp = open_app(["ja"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        assert await until(pilot, lambda: "English" in screen_text(app))
        text = screen_text(app)
        assert READING in text and "…" not in text, text


async def test_a_revealed_cloze_url_in_a_narrow_table_is_shown_whole(
    open_app: OpenApp, retain_home: Path
) -> None:
    (retain_home / "decks" / "docs.toml").write_text(DOCS_DECK, encoding="utf-8")
    app: RetainApp = open_app(["docs"], start_in_review=True)
    async with app.run_test(size=(60, 20)) as pilot:
        assert await until(pilot, lambda: "[...]" in screen_text(app))
        await pilot.press("space")
        assert await until(pilot, lambda: "Again" in screen_text(app))
        text = screen_text(app)
        assert URL in text and "…" not in text, text
