"""config.toml edited in place whatever its TOML layout: inline tables (`decks = {}`) and dotted keys
(`decks.kafka.new_per_day = 2`) take a new table without a crash and without moving any other line's
setting; an edit tomlkit cannot make in a layout is refused in one line, never written wrong."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.store.config import parse_config
from retain.store.config_edit import ConfigDocument, ConfigEditError

LAYOUTS = {
    "headers": (
        "[study]\nnew_per_day = 5  # mine\n\n# hard decks\n[presets.hard]\ndesired_retention = 0.9\n\n"
        '[decks.a]\npreset = "hard"\n\n[groups."G 1"]\nnew_per_day = 3\n\n[keymap]\n"home.browse" = "z"\n'
    ),
    "inline empty": "study = {}\npresets = {}\ndecks = {}\ngroups = {}\nkeymap = {}\n",
    "inline": (
        "study = { new_per_day = 5 }\npresets = { hard = { desired_retention = 0.9 } }\n"
        'decks = { a = { preset = "hard" } }\ngroups = { "G 1" = { new_per_day = 3 } }\n'
    ),
    "dotted": (
        'study.new_per_day = 5\npresets.hard.desired_retention = 0.9\ndecks.a.preset = "hard"\n'
        'groups."G 1".new_per_day = 3\nkeymap."home.browse" = "z"\nrollover_hour = 4\n'
    ),
    "dotted in headers": (
        '[presets]\nhard.desired_retention = 0.9\n[decks]\na.preset = "hard"\n[groups]\n"G 1".new_per_day = 3\n'
    ),
    "apart": (
        "[decks.a]\nnew_per_day = 1\n[presets.b]\nnew_per_day = 2\n[decks.c]\nnew_per_day = 3\n"
        "[groups.X]\nnew_per_day = 1\n[presets.c]\n[groups.Y]\nreviews_per_day = 2\n"
    ),
    "empty": "",
    "crlf": "# mine\r\n[study]\r\nnew_per_day = 5\r\n",
}

# The places the settings screen writes, with values of their kind (None: the field cleared).
PLACES: list[tuple[tuple[str, ...], st.SearchStrategy[Any]]] = [
    (("rollover_hour",), st.integers(0, 23)),
    (("deck_folders",), st.just(["~/decks"])),
    (("study", "new_per_day"), st.integers(0, 9999)),
    (("study", "learning_steps"), st.just(["1m", "10m"])),
    (("presets", "hard", "desired_retention"), st.just(0.95)),
    (("presets", "new", "fuzz"), st.booleans()),
    (("presets", "new"), st.just({})),
    (("decks", "a", "preset"), st.just("hard")),
    (("decks", "a", "new_per_day"), st.integers(0, 9999)),
    (("decks", "zz", "new_per_day"), st.integers(0, 9999)),
    (("decks", "a.b", "leech_action"), st.just("suspend")),
    (("groups", "G 1", "new_per_day"), st.integers(0, 9999)),
    (("groups", "G 1", "reviews_per_day"), st.integers(0, 9999)),
    (("groups", "New G", "new_per_day"), st.integers(0, 9999)),
    (("keymap", "home.browse"), st.just("q")),
]


@st.composite
def edits(draw: st.DrawFn, *, clear: bool) -> list[tuple[tuple[str, ...], Any]]:
    out = []
    for _ in range(draw(st.integers(1, 6))):
        keys, values = draw(st.sampled_from(PLACES))
        value = None if clear and len(keys) > 2 and draw(st.booleans()) else draw(values)
        out.append((keys, value))
    return out


def _at(data: dict[str, Any], keys: tuple[str, ...]) -> Any:
    node: Any = data
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def _open(tmp_path: Path, text: str) -> ConfigDocument:
    path = tmp_path / "config.toml"
    path.write_bytes(text.encode())
    return ConfigDocument.open(path)


@pytest.mark.parametrize("table", ["presets = {}", "decks = {}", "groups = {}"])
def test_an_inline_table_takes_a_new_table(tmp_path: Path, table: str) -> None:
    """`decks = {}` in the file, then a first deck override: tomlkit raised ValueError ("Inline
    tables cannot contain a table"), which closed the settings screen with a traceback."""
    edit = _open(tmp_path, f"rollover_hour = 4\n{table}\n")
    keys = {
        "presets": ("presets", "hard", "desired_retention"),
        "decks": ("decks", "kafka", "new_per_day"),
        "groups": ("groups", "Interview", "new_per_day"),
    }[table.split()[0]]
    value = 0.95 if keys[0] == "presets" else 3
    edit.set(keys, value)
    data = tomllib.loads(edit.text())
    assert _at(data, keys) == value and data["rollover_hour"] == 4
    parse_config(edit.text())


def test_a_new_deck_table_among_dotted_keys_takes_no_line_after_it(tmp_path: Path) -> None:
    """`decks.kafka.new_per_day = 2` then `rollover_hour = 4`: a `[decks.redis]` header put after the
    first line made `rollover_hour` a setting of deck redis ("unknown setting
    `decks.redis.rollover_hour`", and nothing could be saved)."""
    text = "study.fuzz = false\ndecks.kafka.new_per_day = 2\nrollover_hour = 4\n"
    edit = _open(tmp_path, text)
    edit.set(("decks", "redis", "new_per_day"), 3)
    config = parse_config(edit.text())
    assert config.rollover_hour == 4 and config.deck_overrides["redis"].new_per_day == 3
    assert config.deck_overrides["kafka"].new_per_day == 2
    assert edit.text().startswith("study.fuzz = false\ndecks.kafka.new_per_day = 2\n")  # their lines stay


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(sorted(LAYOUTS)), changes=edits(clear=False))
def test_setting_values_in_any_layout_reads_back_as_set(
    tmp_path_factory: pytest.TempPathFactory, layout: str, changes: list[tuple[tuple[str, ...], Any]]
) -> None:
    """Values typed in the screen, on any layout TOML allows: the text reads back with exactly those
    values and every other setting as it was."""
    text = LAYOUTS[layout]
    edit = _open(tmp_path_factory.mktemp("cfg"), text)
    for keys, value in changes:
        edit.set(keys, value)
    data = tomllib.loads(edit.text())
    before = tomllib.loads(text)
    final = dict(changes)
    for keys, value in final.items():
        got = _at(data, keys)
        if value == {}:
            assert isinstance(got, dict)
        else:
            assert got == value, (keys, edit.text())
    for section, table in before.items():  # nothing else moved
        if not isinstance(table, dict):
            assert data[section] == table or (section,) in final
            continue
        for name, inner in table.items():
            if isinstance(inner, dict):
                for key, value in inner.items():
                    assert _at(data, (section, name, key)) == value or (section, name, key) in final
            else:
                assert _at(data, (section, name)) == inner or (section, name) in final


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=st.sampled_from(sorted(LAYOUTS)), changes=edits(clear=True))
def test_clearing_fields_in_any_layout_is_made_or_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, layout: str, changes: list[tuple[tuple[str, ...], Any]]
) -> None:
    """With fields cleared too: every edit is either made (the text reads back so) or refused as a
    ConfigEditError of one line; never another exception, never a text that reads otherwise."""
    edit = _open(tmp_path_factory.mktemp("cfg"), LAYOUTS[layout])
    for keys, value in changes:
        before = edit.text()
        try:
            edit.set(keys, value)
        except ConfigEditError as exc:
            assert "\n" not in str(exc)
            assert edit.text() == before  # refused: nothing changed
            continue
        got = _at(tomllib.loads(edit.text()), keys)
        if value is None:
            assert got is None
        elif value == {}:
            assert isinstance(got, dict)
        else:
            assert got == value


def test_nan_typed_in_a_field_does_not_block_later_edits(tmp_path: Path) -> None:
    """`nan` is a TOML float the loader refuses in one line; the read-back check sees it as itself."""
    edit = _open(tmp_path, "[study]\nfuzz = false\n")
    edit.set(("study", "desired_retention"), math.nan)
    edit.set(("study", "new_per_day"), 3)
    data = tomllib.loads(edit.text())
    assert math.isnan(data["study"]["desired_retention"]) and data["study"]["new_per_day"] == 3
