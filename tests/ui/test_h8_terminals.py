"""Every screen in small, monochrome and odd terminals, as a new user meets them (task h8).

Each test drives the real app at the size or in the environment where a defect was seen in tmux.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.widgets import Input

from retain.ui.ascii_only import ascii_terminal, ascii_text
from retain.ui.screens.help import HelpScreen

from .conftest import OpenApp
from .screen import screen_text


def _flat(app: object) -> str:
    """The screen's text with runs of spaces and the box edges squeezed, so wrapped words still read."""
    text = screen_text(app)  # type: ignore[arg-type]
    for edge in "│▊▎▏":
        text = text.replace(edge, " ")
    return " ".join(text.split())


# ---- no UTF-8 (a latin-1 locale, a stream that cannot encode it): only ASCII reaches the terminal ------------------------------

NO_UTF8_SCREENS = {
    "home": [],
    "help": ["question_mark"],
    "study": ["s"],
    "revealed": ["s", "space"],
    "browser": ["b"],
    "stats": ["t"],
    "settings": ["comma"],
    "editor": ["c"],
    "export": ["x"],
}


def _no_utf8(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    for name in ("LC_ALL", "LC_CTYPE", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize("keys", NO_UTF8_SCREENS.values(), ids=list(NO_UTF8_SCREENS))
async def test_a_locale_without_utf8_gets_only_ascii(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, keys: list[str]
) -> None:
    """Under a latin-1 locale the screens were drawn in UTF-8 all the same (`⏎ ━ ▔ ✗ · …`): a terminal
    that is not UTF-8 showed each as two or three bytes of garbage, and with Python's UTF-8 mode off
    as `?`, so the key bar read `? Study selected … ? Help`."""
    _no_utf8(monkeypatch, LC_ALL="en_US.ISO-8859-1")
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.1)
        await pilot.pause(0.2)
        text = screen_text(app)
        odd = sorted({ch for ch in text if not ch.isascii()})
        assert odd == [], text
        said = (
            text.replace("? Help", "")
            .replace("?, f1", "")
            .replace("use?", "")
            .replace("q and ? are typed", "")
        )
        assert "?" not in said, text


async def test_without_utf8_the_keys_are_named(open_app: OpenApp, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Enter key is `enter` in the key bar and in the help, where `⏎` could not be drawn."""
    _no_utf8(monkeypatch, LANG="en_US.ISO-8859-1")
    app = open_app()
    async with app.run_test(size=(100, 200)) as pilot:
        await pilot.pause()
        assert "enter Study selected" in screen_text(app).splitlines()[-1]
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert "enter, s" in screen_text(app)


async def test_a_utf8_locale_keeps_its_symbols(open_app: OpenApp, monkeypatch: pytest.MonkeyPatch) -> None:
    _no_utf8(monkeypatch, LANG="de_DE.utf8")
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "⏎ Study selected" in screen_text(app)


async def test_without_utf8_accented_card_text_is_spelt_in_ascii(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, retain_home: Path
) -> None:
    """A card's `café` was sent as UTF-8 to a terminal that is not: now `cafe`, in the same cells."""
    (retain_home / "decks" / "fr.toml").write_text(
        'format = 1\n[deck]\nid = "fr"\nname = "Français"\n[[cards]]\nid = "a"\nfront = "café"\nback = "b"\n',
        "utf-8",
    )
    _no_utf8(monkeypatch, LC_ALL="fr_FR.ISO-8859-15")
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "Francais" in screen_text(app)


@pytest.mark.parametrize("env", [{}, {"LC_ALL": "C"}, {"LANG": "POSIX"}])
async def test_no_locale_or_the_c_locale_keeps_card_text(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, retain_home: Path, env: dict[str, str]
) -> None:
    """A container or a bare ssh session has no locale (or `C`), behind a UTF-8 terminal: Python
    writes UTF-8 there, and a Japanese deck must not be drawn as `???`."""
    (retain_home / "decks" / "ja.toml").write_text(
        'format = 1\n[deck]\nid = "ja"\nname = "日本語"\n[[cards]]\nid = "a"\nfront = "犬"\nback = "dog"\n',
        "utf-8",
    )
    _no_utf8(monkeypatch, **env)
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "日本語" in screen_text(app)


# ---- dialogs on a small terminal: the title and the first label stay in sight -------------------


async def test_new_deck_shows_its_title_and_first_label_at_60x20(open_app: OpenApp) -> None:
    """At 60x20 the dialog opened scrolled down to centre the Name field: its title and the Name
    label were out of sight, and the first line read only "e.g. Apache Kafka"."""
    app = open_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("n")
        await pilot.pause(0.2)
        rows = [r.strip(" │") for r in screen_text(app).splitlines()]
        assert "New deck" in rows, screen_text(app)
        assert "Name" in rows, screen_text(app)
        assert app.focused is not None and app.focused.id == "new-deck-name"


async def test_export_shows_its_title_at_60x20(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.press("x")
        await pilot.pause(0.2)
        assert "Export a deck or a group" in _flat(app), screen_text(app)


@pytest.mark.parametrize(("key", "title"), [("i", "or a folder of them"), ("x", "or a folder/)")])
async def test_share_titles_wrap_at_60_columns(open_app: OpenApp, key: str, title: str) -> None:
    """At 60 columns the import title ended `... .md) or a fold`: cut, not wrapped."""
    app = open_app()
    async with app.run_test(size=(60, 30)) as pilot:
        await pilot.press(key)
        await pilot.pause(0.2)
        assert title in _flat(app), screen_text(app)


async def test_editor_labels_wrap_at_60x20(open_app: OpenApp) -> None:
    """At 60 columns the editor's labels were cut: `Extra (shown after the ans`, `Tags, comma-sep`."""
    app = open_app()
    async with app.run_test(size=(60, 40)) as pilot:
        await pilot.press("c")
        await pilot.pause(0.2)
        text = _flat(app)
        assert "Extra (shown after the answer; optional)" in text, screen_text(app)
        assert "Tags, comma-separated (optional)" in text, screen_text(app)


async def test_editor_typed_labels_wrap_at_60_columns(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(60, 60)) as pilot:
        await pilot.press("c")
        await pilot.pause(0.2)
        app.screen.query_one("#form-kind").value = "typed"  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        assert "Other accepted answers, one per line (optional)" in _flat(app), screen_text(app)


async def test_new_deck_labels_wrap_at_40_columns(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(40, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause(0.2)
        assert "Id (lowercase letters, digits and -; never changes)" in _flat(app), screen_text(app)


# ---- help: how to leave it ---------------------------------------------------------------------


async def test_help_says_how_to_close_it(open_app: OpenApp) -> None:
    """The help covers the key bar, and nowhere said that Esc (or `q`, `?`) closes it."""
    app = open_app()
    async with app.run_test(size=(60, 15)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause()
        first_rows = " ".join(screen_text(app).splitlines()[:3])
        assert "esc closes" in first_rows, screen_text(app)


# ---- home at 40 columns ------------------------------------------------------------------------


async def test_deck_names_stay_readable_at_40_columns(open_app: OpenApp) -> None:
    """At 40x15 the names were cut to 7 cells (`Apache …`, `HashiCo…`) to keep 8-cell count
    columns for numbers of one digit."""
    app = open_app()
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "Apache Kafka" in text and "HashiCorp Consul" in text, text
        header = next(r for r in text.splitlines() if "Deck" in r)
        assert header.split() == ["Deck", "New", "Learn", "Due"], header


async def test_focus_comes_back_to_the_deck_list_after_a_dialog(open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        before = app.focused
        for keys in (["n", "escape"], ["x", "escape"], ["i", "escape"], ["question_mark", "escape"]):
            await pilot.press(*keys)
            await pilot.pause(0.1)
            assert app.focused is before, keys


async def test_import_path_field_is_typed_into_at_40x15(open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app()
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.press("i")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "share-path"


# ---- NO_COLOR: a focused drop-down is marked by more than a shade ------------------------------


def _reversed_cells(app: object, widget_id: str) -> int:
    """How many cells of the widget are drawn in reverse video."""
    screen = app.screen  # type: ignore[attr-defined]
    region = screen.query_one(f"#{widget_id}").region
    found = 0
    for y, strip in enumerate(screen._compositor.render_strips()):
        if region.y <= y < region.bottom:
            for seg in strip.crop(region.x, region.right):
                if seg.style is not None and seg.style.reverse:
                    found += len(seg.text)
    return found


@pytest.mark.parametrize(("keys", "select_id"), [(["c"], "form-kind"), (["comma"], "field-theme")])
async def test_no_color_marks_the_focused_drop_down(
    open_app: OpenApp, monkeypatch: pytest.MonkeyPatch, keys: list[str], select_id: str
) -> None:
    """Under NO_COLOR the editor's deck and kind and the settings' theme, focused, differed from
    the others only by one grey level (234 against 235): no one could tell which had the focus."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = open_app()
    async with app.run_test(size=(100, 32)) as pilot:
        await pilot.press(*keys)
        await pilot.pause(0.2)
        assert _reversed_cells(app, select_id) == 0
        app.screen.query_one(f"#{select_id}").focus()
        await pilot.pause(0.2)
        assert _reversed_cells(app, select_id) >= 4, screen_text(app)


def test_a_stream_that_cannot_encode_utf8_is_an_ascii_terminal(tmp_path: Path) -> None:
    """`PYTHONIOENCODING=latin-1` under a UTF-8 locale: `⏎` went out as `\\u23ce`, six cells."""
    utf8 = {"LANG": "C.UTF-8"}
    with (tmp_path / "a").open("w", encoding="latin-1") as latin1:
        assert ascii_terminal(utf8, latin1)
    with (tmp_path / "b").open("w", encoding="utf-8") as good:
        assert not ascii_terminal(utf8, good)
        assert ascii_terminal({"LC_ALL": "en_US.ISO-8859-1", "LANG": "C.UTF-8"}, good)
        # the C locale or none: Python writes UTF-8 there (PEP 538/540), and so do we
        assert not ascii_terminal({"LC_ALL": "C", "LANG": "en_US.ISO-8859-1"}, good)
        assert not ascii_terminal({}, good)
        assert not ascii_terminal({"LC_CTYPE": "en_US.UTF8"}, good)


@pytest.mark.parametrize(
    ("text", "ascii"),
    [
        ("╭─╮│╰━╯", "+-+|+=+"),
        ("café · 12…", "cafe . 12."),
        ("日本", "????"),
        ("a\u0301", "a"),
        ("▊▔▁▎", "|-_|"),
    ],
)
def test_ascii_text_keeps_every_cell(text: str, ascii: str) -> None:
    from rich.cells import cell_len

    assert ascii_text(text) == ascii
    assert cell_len(ascii_text(text)) == cell_len(text)


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cc", "Cs"))))
def test_ascii_text_is_ascii_in_the_same_cells(text: str) -> None:
    from rich.cells import cell_len

    shown = ascii_text(text)
    assert shown.isascii()
    assert cell_len(shown) == sum(cell_len(ch) for ch in text)
