"""What the study screen says names the keys `[keymap]` gives (h34): with the ratings on h/t/g/y
and undo on z, the buttons read "1 Again … 4 Easy" and the suspend toast "(u to undo)", keys
that then did nothing; the media line said "o to play" and the empty session "Press Esc"."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from retain.ui.app import RetainApp
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.rating_bar import RATING_NAMES, button_labels

from .conftest import OpenApp, until
from .media_decks import write_pics_deck
from .screen import screen_text

KEYMAP = """
[keymap]
"review.again" = "h"
"review.hard" = "t"
"review.good" = "g"
"review.easy" = "y"
"review.undo" = "z"
"review.open_media" = "p"
"review.end" = "f9"
"""


def _config(home: Path, keymap: str = KEYMAP) -> None:
    (home / "config.toml").write_text(f"[study]\nfuzz = false\n{keymap}", "utf-8")


def _said(app: RetainApp) -> list[str]:
    return [n.message for n in app._notifications]


def _history(app: RetainApp) -> list[int]:
    return [e.rating for e in app.collection.history()]


async def test_the_buttons_and_toasts_name_the_remapped_keys(retain_home: Path, open_app: OpenApp) -> None:
    _config(retain_home)
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, StudyScreen), pilot)
        await pilot.press("space")
        await until(lambda: "Again" in screen_text(app), pilot)
        buttons = next(r for r in screen_text(app).splitlines() if "Again" in r)
        for key, name in zip("htgy", RATING_NAMES.values(), strict=True):
            assert f"{key} {name}" in buttons, buttons
        assert not any(f"{n} {name}" in buttons for n, name in RATING_NAMES.items()), buttons
        await pilot.press("g")  # the key the Good button names rates Good
        await until(lambda: _history(app) == [3], pilot)
        await pilot.press("s")
        await until(lambda: any("suspended" in m for m in _said(app)), pilot)
        assert "Card suspended (z to undo)" in _said(app)
        await pilot.press("z")
        await until(lambda: any("Undid" in m or "undone" in m.lower() for m in _said(app)[1:]), pilot)
        await pilot.press("b")
        await until(lambda: any("buried" in m for m in _said(app)), pilot)
        buried = next(m for m in _said(app) if "buried" in m)
        assert buried.endswith("(z to undo)"), buried


async def test_the_media_line_names_the_open_key(retain_home: Path, open_app: OpenApp) -> None:
    _config(retain_home)
    write_pics_deck(retain_home / "decks")
    app = open_app(["pics"], start_in_review=True)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("space")
        await until(lambda: "hello.mp3" in screen_text(app), pilot)
        assert "♪ hello.mp3 — p to play" in screen_text(app), screen_text(app)
        assert "o to" not in screen_text(app)


async def test_the_empty_session_names_the_end_key(retain_home: Path, open_app: OpenApp) -> None:
    _config(retain_home)
    app = open_app(["consul"], start_in_review=True)  # (one typed card)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, StudyScreen), pilot)
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        screen.action_suspend()  # (the answer box has the letter keys)
        await until(lambda: "Nothing due" in screen_text(app), pilot)
        assert "Press f9 to go back." in screen_text(app), screen_text(app)
        await pilot.press("f9")
        await until(lambda: not isinstance(app.screen, StudyScreen), pilot)


async def test_without_a_keymap_the_labels_are_as_shipped(retain_home: Path, open_app: OpenApp) -> None:
    _config(retain_home, "")
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await until(lambda: isinstance(app.screen, StudyScreen), pilot)
        await pilot.press("space")
        await until(lambda: "Again" in screen_text(app), pilot)
        buttons = next(r for r in screen_text(app).splitlines() if "Again" in r)
        assert all(f"{n} {name}" in buttons for n, name in RATING_NAMES.items()), buttons
        await pilot.press("s")
        await until(lambda: "Card suspended (u to undo)" in _said(app), pilot)


_KEY = st.sampled_from(["1", "h", "^h", "space", "⏎", "pgdn", "ctrl+shift+f13"])


@given(
    width=st.integers(min_value=8, max_value=20),
    keys=st.lists(_KEY, min_size=4, max_size=4),
    intervals=st.lists(st.sampled_from(["", "<1m", "10m", "1.2mo", "3d"]), min_size=4, max_size=4),
)
def test_each_label_starts_with_its_key_when_it_fits(
    width: int, keys: list[str], intervals: list[str]
) -> None:
    by_rating = dict(zip(RATING_NAMES, keys, strict=True))
    labels = button_labels(dict(zip(RATING_NAMES, intervals, strict=True)), width, by_rating)
    for rating, label in labels.items():
        if len(by_rating[rating]) <= width:
            assert label.startswith(by_rating[rating]), (label, by_rating)
