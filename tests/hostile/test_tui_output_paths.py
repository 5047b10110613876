"""Every screen of the TUI, on a library of hostile names and card text: the bytes the terminal
would get hold no escape, C1 or bidi character from a deck, no deck text is read as markup, and
nothing breaks at small or large sizes or when the terminal is resized during a review.

The check is on what the real driver writes (`render_segments`), Textual's own cursor and colour
sequences taken out: ESC, BEL, C1 CSI, U+202E and the like from a deck must be shown as inert
pictures ("␛", "�"), never sent.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

import pytest
from rich.cells import cell_len
from textual.pilot import Pilot

from retain.core.sanitize import is_unsafe
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, make_app

pytestmark = pytest.mark.slow

# OSC 52 (clipboard), OSC 0 (title), C1 CSI, a bidi override, a zero-width space, and Rich/Textual
# markup that would make a link, run an action, or crash the parser when read as markup.
EVIL = (
    "E\x1b]52;c;cHduZWQ=\x07 \x1b]0;T\x07 \x9b31m \u202e [link=https://x.example]L[/link] "
    "[/] [@click=app.quit]q[/] [b]B z\u200bw"
)
CJK = "漢字カード"


def _toml(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _write_library(decks: Path) -> None:
    decks.mkdir(parents=True, exist_ok=True)
    (decks / "evil.toml").write_text(
        f"""format = 1
[deck]
id = "evil"
name = {_toml("D " + EVIL)}
group = {_toml("G " + EVIL)}
description = {_toml("desc " + EVIL)}
tags = [{_toml("dt" + EVIL)}]

[[cards]]
id = "c1"
front = {_toml("F " + EVIL)}
back = {_toml("B " + EVIL)}
extra = {_toml("X " + EVIL)}
tags = [{_toml("tag" + EVIL)}]

[[cards]]
id = "c2"
kind = "cloze"
text = {_toml("{{c1::" + EVIL + "::" + EVIL + "}} after")}
""",
        "utf-8",
    )
    for deck_id, name in (("cjk", CJK * 2), ("latin", "Latin"), ("mixed", "Mix 漢字 é")):
        (decks / f"{deck_id}.toml").write_text(
            f'format = 1\n[deck]\nid = "{deck_id}"\nname = {_toml(name)}\n'
            f'[[cards]]\nid = "a"\nfront = {_toml(CJK)}\nback = "b"\n',
            "utf-8",
        )
    (decks / "broken \x1b]0;FILE\x07 \u202e.toml").write_text("format = 1\n[deck]\nid = \x1b\n", "utf-8")


@pytest.fixture
def library(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    _write_library(tmp_path / "decks")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", "utf-8")
    return tmp_path


def terminal_output(app: RetainApp) -> str:
    """What the real driver would write for the whole current screen."""
    from textual._compositor import CompositorUpdate

    update = cast(CompositorUpdate, app.screen._compositor.render_update(full=True))
    return update.render_segments(app.console)


def shown_text(app: RetainApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def unsafe(raw: str) -> list[str]:
    """Unsafe characters in terminal output, once Textual's own CSI sequences are taken out."""
    inert = re.sub(r"\x1b\[[0-9;?<>]*[ -/]*[@-~]", "", raw)
    return sorted({repr(ch) for ch in inert if ch != "\n" and is_unsafe(ch)})


Steps = Callable[[Pilot[Any]], Coroutine[Any, Any, None]]


async def _keys(pilot: Pilot[Any], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause(0.05)


def _pressing(*keys: str) -> Steps:
    async def steps(pilot: Pilot[Any]) -> None:
        await _keys(pilot, *keys)

    return steps


async def _first_card(pilot: Pilot[Any]) -> None:
    """The evil deck's row (the group's first deck), then study."""
    await _keys(pilot, "down", "enter")


async def _revealed(pilot: Pilot[Any]) -> None:
    await _first_card(pilot)
    await _keys(pilot, "space")


async def _summary(pilot: Pilot[Any]) -> None:
    await _revealed(pilot)
    await _keys(pilot, "3", "escape")


PATHS: dict[str, tuple[Steps, str]] = {
    "home": (_pressing(), "HomeScreen"),
    "browser": (_pressing("b"), "BrowserScreen"),
    "browser preview": (_pressing("b", "down", "down", "down"), "BrowserScreen"),
    "stats of the group": (_pressing("t"), "StatsScreen"),
    "stats of the deck": (_pressing("down", "t"), "StatsScreen"),
    "help": (_pressing("question_mark"), "HelpScreen"),
    "custom study": (_pressing("C"), "CustomStudyScreen"),
    "import dialog": (_pressing("i"), "ImportScreen"),
    "settings, decks tab": (_pressing("comma", "ctrl+n", "ctrl+n"), "SettingsScreen"),
    "study front": (_first_card, "StudyScreen"),
    "study back": (_revealed, "StudyScreen"),
    "session summary": (_summary, "SummaryScreen"),
    "export dialog": (_pressing("x"), "ExportScreen"),
}


def _run(home: Path, size: tuple[int, int], body: Callable[[RetainApp, Pilot[Any]], Any]) -> Any:
    h = open_home()
    col = Collection.open(h, datetime.now(UTC))
    try:
        app = make_app(col, config=h.config, decks_dir=h.paths.decks_dir)

        async def run() -> Any:
            async with app.run_test(size=size) as pilot:
                await pilot.pause(0.1)
                return await body(app, pilot)

        return asyncio.run(run())
    finally:
        col.close()


@pytest.mark.parametrize("path", list(PATHS))
def test_no_deck_text_reaches_the_terminal_raw(library: Path, path: str) -> None:
    steps, screen = PATHS[path]

    async def body(app: RetainApp, pilot: Pilot[Any]) -> tuple[str, str, str]:
        await steps(pilot)
        await pilot.pause(0.2)
        return type(app.screen).__name__, terminal_output(app), shown_text(app)

    name, raw, text = _run(library, (120, 40), body)
    assert name == screen
    assert unsafe(raw) == [], text
    assert "\x1b]8;" not in raw  # no hyperlink (OSC 8) from a deck's [link=...]


def test_wide_names_line_up_in_the_deck_table(library: Path) -> None:
    """The New / Learn / Due counts of a CJK-named deck stand under those of a Latin-named one."""

    async def body(app: RetainApp, pilot: Pilot[Any]) -> str:
        return shown_text(app)

    text = _run(library, (100, 30), body)
    rows = [r for r in text.splitlines() if any(n in r for n in (CJK * 2, "Latin", "Mix 漢字 é"))]
    ends = {cell_len(r.rstrip()) for r in rows}
    assert len(rows) == 3 and len(ends) == 1, rows


@pytest.mark.parametrize("size", [(40, 12), (60, 20), (200, 60)])
def test_unusual_sizes_and_a_resize_during_a_review(library: Path, size: tuple[int, int]) -> None:
    """Home, browser and a review at the size, then the terminal resized with the answer shown:
    the card and the rating stay there, a rating still records, and nothing unsafe is written."""
    other = (200, 60) if size[0] < 100 else (40, 12)

    async def body(app: RetainApp, pilot: Pilot[Any]) -> list[tuple[str, list[str]]]:
        seen: list[tuple[str, list[str]]] = []
        seen.append(("home", unsafe(terminal_output(app))))
        await _keys(pilot, "b")
        seen.append(("browser", unsafe(terminal_output(app))))
        await _keys(pilot, "escape")
        await _revealed(pilot)
        assert type(app.screen).__name__ == "StudyScreen"
        await pilot.resize_terminal(*other)
        await pilot.pause(0.2)
        text = shown_text(app)
        assert "Again" in text and "Good" in text, text
        seen.append(("resized review", unsafe(terminal_output(app))))
        session = app.screen.session  # type: ignore[attr-defined]
        await _keys(pilot, "3")
        await pilot.pause(0.2)
        assert app.is_running and session.studied == 1
        return seen

    seen = _run(library, size, body)
    assert all(not bad for _, bad in seen), seen
