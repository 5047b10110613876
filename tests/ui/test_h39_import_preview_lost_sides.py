"""Attack 73: the import dialog's preview names the studied review units a new version of a deck
leaves out (a cloze number gone, a reversed card made basic, a card removed), as `retain import`
does; before, it said only `~ c` / `~ d`, and their progress was gone from view after Import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from textual.widgets import Static

from retain.core.state import REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.screens.share_import import ImportScreen

from .conftest import FIXED_NOW, OpenApp, preview_import

V1 = """format = 1
[deck]
id = "up"
version = "1.0.0"
[[cards]]
id = "c"
kind = "cloze"
text = "{{c1::x}} and {{c2::y}}"
[[cards]]
id = "d"
kind = "reversed"
front = "D"
back = "dee"
[[cards]]
id = "x"
front = "X"
back = "ex"
"""
V2 = (
    V1.replace("1.0.0", "1.1.0")
    .replace(" and {{c2::y}}", " and y")
    .replace('kind = "reversed"', 'kind = "basic"')
    .split('[[cards]]\nid = "x"')[0]
)


def _studied_v1(retain_home: Path) -> None:
    (retain_home / "decks" / "up.toml").write_text(V1, encoding="utf-8")
    at = FIXED_NOW - timedelta(days=1)
    col = Collection.open(open_home(), FIXED_NOW)
    try:
        for key in ("up/c:c1", "up/c:c2", "up/d", "up/d:reverse", "up/x"):
            after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 1, 0)
            col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3, 1000))
    finally:
        col.close()


@pytest.mark.parametrize("folder", [False, True], ids=["file", "folder"])
async def test_the_preview_names_the_studied_units_the_upgrade_leaves_out(
    open_app: OpenApp, retain_home: Path, tmp_path: Path, folder: bool
) -> None:
    _studied_v1(retain_home)
    given = tmp_path / "in"
    given.mkdir()
    (given / "up.toml").write_text(V2, encoding="utf-8")
    app = open_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await preview_import(app, pilot, given if folder else given / "up.toml", history=False)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        diff = str(screen.query_one("#share-diff", Static).render())
    prefix = "up.toml: " if folder else ""
    assert f"{prefix}  ~ c (studied up/c:c2 no longer exists)" in diff, diff
    assert f"{prefix}  ~ d (studied up/d:reverse no longer exists)" in diff, diff
    assert f"{prefix}  - x (studied)" in diff, diff
    assert f"{prefix}  3 studied review units (3 reviews) leave the deck" in diff, diff
