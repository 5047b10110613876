"""Group limits on the settings screen (Decks tab), driven with Pilot over a real RETAIN_HOME:
each group of the library with its `[groups."NAME"]` limits, validated as you type, saved with
the file's comments kept, applied to the deck list at once; tables for other groups kept."""

from __future__ import annotations

import tomllib
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Input

from retain.core.model import group_key
from retain.store.config import parse_config
from retain.ui.app import RetainApp
from retain.ui.screens.confirm import ChoiceScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.settings import SettingsScreen
from retain.ui.widgets.group_limits import GroupLimits, group_rows

from .conftest import OpenApp
from .screen import screen_text
from .test_settings import loader_message, open_settings, settle, status, tab, type_into

GROUP = "Distributed Systems Interview"  # kafka (5 new), redis and consul (1 new each) in tests/ui/decks.py
ROW = f"group:{GROUP}"
CONFIG = "# mine\nrollover_hour = 4  # early\n\n[study]\nfuzz = false  # snapshots\n"


def _rows(app: RetainApp) -> dict[str, tuple[int, int]]:
    home = app.screen
    assert isinstance(home, HomeScreen)
    return {r.key: (r.new, r.review) for r in home.data.rows}


async def _decks_tab(pilot: Pilot[None]) -> SettingsScreen:
    screen = await open_settings(pilot)
    await tab(pilot, screen, "tab-decks")
    return screen


def _field(screen: SettingsScreen, label: str, key: str) -> Input:
    panel = screen.query_one(GroupLimits)
    index = next(i for i, row in enumerate(panel.rows) if row.label == label)
    return panel.query_one(f"#group-{key}-{index}", Input)


async def test_a_group_limit_is_saved_with_comments_and_the_deck_list_counts_with_it(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert _rows(app)[ROW] == (7, 0)  # 5 + 1 + 1: no group limit yet
        screen = await _decks_tab(pilot)
        panel = screen.query_one(GroupLimits)
        assert [(r.label, r.table, r.decks) for r in panel.rows] == [(GROUP, GROUP, 3)]
        field = _field(screen, GROUP, "new_per_day")
        assert field.value == "" and field.placeholder == "none"
        await type_into(pilot, field, "3")
        assert "Unsaved" in status(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text() == CONFIG + f'\n[groups."{GROUP}"]\nnew_per_day = 3\n'
        assert app.config.groups[GROUP.casefold()].new_per_day == 3  # the running app has it
        await pilot.press("escape")
        await settle(pilot)
        rows = _rows(app)
        assert rows[ROW] == (3, 0)  # the group's row is held to its limit at once
        assert rows["deck:kafka"] == (3, 0)  # a deck alone: min(own 20-limited 5, the group's 3)


async def test_a_bad_group_limit_shows_the_loaders_message_and_is_not_saved(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _decks_tab(pilot)
        field = _field(screen, GROUP, "reviews_per_day")
        for typed, toml in (("lots", '"lots"'), ("-1", "-1"), ("2.5", "2.5"), ("10000", "10000")):
            await type_into(pilot, field, typed)
            expected = loader_message(CONFIG + f'\n[groups."{GROUP}"]\nreviews_per_day = {toml}\n')
            assert expected and expected in status(screen), typed
            assert "0 to 9999" in expected
            assert field.has_class("-invalid")
            assert not _field(screen, GROUP, "new_per_day").has_class("-invalid")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert path.read_text() == CONFIG  # refused
        await type_into(pilot, field, "9999")
        assert not field.has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tomllib.loads(path.read_text())["groups"] == {GROUP: {"reviews_per_day": 9999}}


FILE_GROUPS = """\
# mine
[study]
fuzz = false  # snapshots

# renamed since: no deck has it
[groups."Old: \\"Group\\" v1.2"]  # keep me
new_per_day = 3

# spelt my way
[groups."distributed  systems INTERVIEW"]  # the loader matches any case and spacing
reviews_per_day = 50  # fifty
new_per_day = 9
"""


async def test_the_files_spelling_is_edited_and_a_table_for_no_group_is_kept(
    retain_home: Path, open_app: OpenApp
) -> None:
    path = retain_home / "config.toml"
    path.write_text(FILE_GROUPS)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _decks_tab(pilot)
        panel = screen.query_one(GroupLimits)
        assert [(r.label, r.table, r.decks) for r in panel.rows] == [
            (GROUP, "distributed  systems INTERVIEW", 3),  # one row: never a second table
            ('Old: "Group" v1.2', 'Old: "Group" v1.2', 0),
        ]
        assert _field(screen, GROUP, "reviews_per_day").value == "50"
        assert _field(screen, 'Old: "Group" v1.2', "new_per_day").value == "3"
        assert "not in the library" in str(panel.query(".hint").last().render())
        await type_into(pilot, _field(screen, GROUP, "reviews_per_day"), "40")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert path.read_text() == FILE_GROUPS.replace("= 50  # fifty", "= 40  # fifty")
        # Clearing one field removes the key; both, the table (never an empty one).
        await type_into(pilot, _field(screen, GROUP, "new_per_day"), "")
        assert "new_per_day = 9" not in screen.edit.text() and "= 40  # fifty" in screen.edit.text()
        await type_into(pilot, _field(screen, GROUP, "reviews_per_day"), "")
        assert "INTERVIEW" not in screen.edit.text()
        # The row stays, and a value typed back goes to the file's table, with its comments.
        await type_into(pilot, _field(screen, GROUP, "reviews_per_day"), "40")
        expected = FILE_GROUPS.replace("= 50  # fifty\nnew_per_day = 9\n", "= 40  # fifty\n")
        assert screen.edit.text() == expected
        await type_into(pilot, _field(screen, GROUP, "reviews_per_day"), "")
        await type_into(pilot, _field(screen, 'Old: "Group" v1.2', "new_per_day"), "")
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = path.read_text()
        assert "[groups" not in text and "# mine\n[study]\nfuzz = false  # snapshots\n" in text
        assert parse_config(text).groups == {}
        # Both rows are still there, to be typed back.
        assert [r.label for r in panel.rows] == [GROUP, 'Old: "Group" v1.2']
        await pilot.press("escape")
        await settle(pilot)
        assert _rows(app)[ROW] == (7, 0)  # no limit any more


async def test_tab_goes_along_a_groups_row(retain_home: Path, open_app: OpenApp) -> None:
    (retain_home / "config.toml").write_text(FILE_GROUPS)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _decks_tab(pilot)
        _field(screen, GROUP, "new_per_day").focus()
        await pilot.press("tab")
        assert app.focused is _field(screen, GROUP, "reviews_per_day")
        await pilot.press("tab")
        assert app.focused is _field(screen, 'Old: "Group" v1.2', "new_per_day")


async def test_fast_typing_ends_with_what_the_field_shows(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _decks_tab(pilot)
        field = _field(screen, GROUP, "new_per_day")
        field.focus()
        await pilot.press("5", "x", "backspace", "backspace", "7", "tab", "5", "0", "backspace")
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tomllib.loads(path.read_text())["groups"] == {GROUP: {"new_per_day": 7, "reviews_per_day": 5}}


async def test_a_hostile_group_name_round_trips(retain_home: Path, open_app: OpenApp) -> None:
    """Quotes, dots, runs of spaces, non-ASCII and a control character in a deck's group."""
    group = '[/b] [bold Ops  "α".v2 \\ ünï\x1b[31m'
    deck = 'format = 1\n\n[deck]\nid = "ops"\nname = "Ops"\ngroup = ' + _basic(group) + "\n"
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "q{i}"\nback = "a"\n' for i in range(4))
    (retain_home / "decks" / "ops.toml").write_text(deck + cards, encoding="utf-8")
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    label = " ".join(group.split())
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert _rows(app)[f"group:{label}"] == (4, 0)
        screen = await _decks_tab(pilot)
        field = _field(screen, label, "new_per_day")
        assert "[/b] [bold" in screen_text(app)  # shown as text, not read as markup
        tooltip = field.tooltip
        assert isinstance(tooltip, Content) and "[/b] [bold" in tooltip.plain
        await type_into(pilot, field, "2")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tomllib.loads(path.read_text())["groups"] == {label: {"new_per_day": 2}}
        assert "\x1b" not in path.read_text()  # escaped in the key, never raw in the file
        await pilot.press("escape")
        await settle(pilot)
        assert _rows(app)[f"group:{label}"] == (2, 0)
        assert _rows(app)[ROW] == (7, 0)  # the other group untouched


def _basic(text: str) -> str:
    """A TOML basic string."""
    import json

    return json.dumps(text, ensure_ascii=False)


async def test_changed_on_disk_asks_and_merges_a_group_limit(retain_home: Path, open_app: OpenApp) -> None:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await _decks_tab(pilot)
        await type_into(pilot, _field(screen, GROUP, "new_per_day"), "4")
        path.write_text(CONFIG + "\n# theirs\n[groups.other]\nreviews_per_day = 8\n")
        await pilot.press("ctrl+s")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        dialog.dismiss("merge")
        await settle(pilot)
        text = path.read_text()
        assert "# theirs\n[groups.other]\nreviews_per_day = 8\n" in text
        assert tomllib.loads(text)["groups"][GROUP] == {"new_per_day": 4}
        assert app.config.groups[GROUP.casefold()].new_per_day == 4
        # The merged file's table for a group no deck has gets its row.
        assert [r.label for r in screen.query_one(GroupLimits).rows] == [GROUP, "other"]
        assert _field(screen, "other", "reviews_per_day").value == "8"


_names = st.text(alphabet=st.sampled_from(["a", "A", "b", " ", "\t", ".", '"', "ü"]), max_size=5)


@settings(max_examples=200, deadline=None)
@given(library=st.lists(_names, max_size=5), tables=st.lists(_names, max_size=5), cleared=st.data())
def test_group_rows_one_row_per_group_editing_the_files_table(
    library: list[str], tables: list[str], cleared: st.DataObject
) -> None:
    """Whatever the library's groups and the file's tables: one row per group (as the loader
    matches names), a library group edits the file's table for it when there is one, and a row
    shown once stays when its table is gone."""
    groups = [(label, 1) for label in dict.fromkeys(" ".join(n.split()) for n in library) if label]
    groups = list({group_key(label): (label, n) for label, n in groups}.values())  # as group_names
    in_file = {name: {"new_per_day": 1} for name in tables}
    rows = group_rows(groups, in_file)
    keys = [r.key for r in rows]
    assert len(keys) == len(set(keys))
    assert set(keys) == {group_key(n) for n in [*(g for g, _ in groups), *in_file]}
    assert [r.label for r in rows[: len(groups)]] == [g for g, _ in groups]  # the library's first
    first: dict[str, str] = {}
    for name in in_file:
        first.setdefault(group_key(name), name)
    for row in rows:
        assert row.table == first.get(row.key, row.label)
        assert (row.decks > 0) == (row.key in {group_key(g) for g, _ in groups})
    gone = cleared.draw(st.lists(st.sampled_from(list(in_file)), unique=True)) if in_file else []
    left = {n: v for n, v in in_file.items() if n not in gone}
    later = group_rows(groups, left, rows)
    assert sorted(r.key for r in later) == sorted(keys)  # a row cleared in this session stays
    now: dict[str, str] = {}
    for name in left:
        now.setdefault(group_key(name), name)
    before = {r.key: r.table for r in rows}
    assert all(r.table == now.get(r.key, before[r.key]) for r in later)
