"""config.toml edited in place: comments and layout kept, the loader's messages, no silent overwrite."""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.store.config import ConfigError, parse_config
from retain.store.config_edit import (
    ConfigChangedOnDisk,
    ConfigDocument,
    ConfigEditError,
    problem,
    save_value,
)

CONFIG = """\
# my retain settings
rollover_hour = 4   # four in the morning
theme = "textual-dark"

[study]
desired_retention = 0.9  # Anki's default
new_per_day = 20

# per deck
[decks.kafka]
new_per_day = 5

# the keys
[keymap]
"review.reveal" = "space"
"""


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_changing_one_value_keeps_every_other_byte(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("study", "new_per_day"), 7)
    edit.save()
    assert config_file.read_text() == CONFIG.replace("new_per_day = 20", "new_per_day = 7")


def test_a_value_keeps_its_trailing_comment(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("rollover_hour",), 5)
    assert "rollover_hour = 5   # four in the morning\n" in edit.text()


def test_empty_removes_the_key_so_it_is_inherited(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("study", "desired_retention"), None)
    edit.set(("study", "not_there"), None)  # removing what is not set is no error
    edit.set(("presets", "none", "fuzz"), None)  # nor does it create tables
    assert "desired_retention" not in edit.text()
    assert "presets" not in edit.text()
    assert edit.validate().study.desired_retention == 0.9


def test_new_keys_land_in_their_table_not_under_the_next_header_comment(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("decks", "kafka", "maximum_interval"), 365)
    edit.set(("keymap", "home.browse"), "B")
    text = edit.text()
    assert "new_per_day = 5\nmaximum_interval = 365\n\n# the keys\n[keymap]" in text
    assert text.endswith('"review.reveal" = "space"\n"home.browse" = "B"\n')


def test_new_tables_are_created_with_their_headers(tmp_path: Path) -> None:
    edit = ConfigDocument.open(tmp_path / "config.toml")  # no file yet
    edit.set(("study", "learning_steps"), ["1m", "10m"])
    edit.set(("decks", "redis", "new_per_day"), 3)
    edit.set(("rollover_hour",), 6)
    text = edit.text()
    assert tomllib.loads(text) == {
        "rollover_hour": 6,
        "study": {"learning_steps": ["1m", "10m"]},
        "decks": {"redis": {"new_per_day": 3}},
    }
    assert "[decks.redis]" in text and "[decks]\n" not in text  # no empty parent header
    assert not text.endswith("\n\n")
    edit.save()
    config = parse_config((tmp_path / "config.toml").read_text())
    assert config.rollover_hour == 6 and config.for_deck("redis").new_per_day == 3


def test_an_invalid_value_is_refused_with_the_loaders_message(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("study", "new_per_day"), "lots")
    with pytest.raises(ConfigError) as caught:
        parse_config(edit.text())
    assert problem(edit) == str(caught.value)
    assert "study.new_per_day" in problem(edit)
    with pytest.raises(ConfigError):
        edit.save()
    assert config_file.read_text() == CONFIG  # nothing written


def test_an_edit_on_disk_meanwhile_is_not_overwritten(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("study", "new_per_day"), 7)
    theirs = CONFIG.replace('theme = "textual-dark"', 'theme = "nord"')
    config_file.write_text(theirs)
    with pytest.raises(ConfigChangedOnDisk):
        edit.save()
    assert config_file.read_text() == theirs


def test_a_same_size_edit_within_one_mtime_tick_is_seen(config_file: Path) -> None:
    before = config_file.stat()
    edit = ConfigDocument.open(config_file)
    config_file.write_text(CONFIG.replace("new_per_day = 20", "new_per_day = 30"))
    os.utime(config_file, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    assert edit.changed_on_disk()


def test_touch_alone_is_no_conflict(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    os.utime(config_file, ns=(1, 1))
    edit.set(("study", "new_per_day"), 7)
    edit.save()  # no ConfigChangedOnDisk
    assert "new_per_day = 7" in config_file.read_text()


def test_a_deleted_or_created_file_is_a_change(tmp_path: Path, config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    config_file.unlink()
    assert edit.changed_on_disk()
    fresh = ConfigDocument.open(tmp_path / "new.toml")
    (tmp_path / "new.toml").write_text("rollover_hour = 3\n")
    assert fresh.changed_on_disk()


def test_merge_applies_mine_on_top_of_theirs(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("study", "new_per_day"), 7)
    edit.set(("rollover_hour",), 2)
    config_file.write_text(CONFIG.replace('theme = "textual-dark"', 'theme = "nord"').replace("= 4 ", "= 5 "))
    merged = edit.merged()
    merged.save()
    config = parse_config(config_file.read_text())
    assert (config.theme, config.study.new_per_day, config.rollover_hour) == ("nord", 7, 2)
    assert "# the keys" in config_file.read_text()


def test_force_overwrites(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("study", "new_per_day"), 7)
    config_file.write_text("rollover_hour = 1\n")
    edit.save(force=True)
    assert config_file.read_text() == CONFIG.replace("new_per_day = 20", "new_per_day = 7")


def test_the_file_mode_is_kept(config_file: Path) -> None:
    config_file.chmod(0o600)
    save_value(config_file, ("theme",), "nord")
    assert stat.S_IMODE(config_file.stat().st_mode) == 0o600
    assert 'theme = "nord"' in config_file.read_text()


def test_crlf_files_stay_crlf(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(CONFIG.replace("\n", "\r\n").encode())
    save_value(path, ("study", "new_per_day"), 9)
    raw = path.read_bytes()
    assert b"new_per_day = 9\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"[study\n", "cannot edit"),
        (b"\xff\xfe bad", "UTF-8"),
        (b"x" * (1024 * 1024 + 1), "limit"),
    ],
)
def test_an_unreadable_file_is_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    path = tmp_path / "config.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigEditError) as caught:
        ConfigDocument.open(path)
    assert words in str(caught.value) and "\n" not in str(caught.value)


def test_a_value_under_a_non_table_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("decks = 3\n")
    edit = ConfigDocument.open(path)
    with pytest.raises(ConfigEditError, match="`decks` must be a table"):
        edit.set(("decks", "kafka", "new_per_day"), 3)


STUDY_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "desired_retention": st.floats(0.7, 0.99),
    "new_per_day": st.integers(0, 9999),
    "reviews_per_day": st.integers(0, 9999),
    "maximum_interval": st.integers(1, 36500),
    "leech_threshold": st.integers(0, 99),
    "fuzz": st.booleans(),
    "leech_action": st.sampled_from(["tag", "suspend"]),
    "learning_steps": st.lists(st.sampled_from(["1m", "10m", "1h", "1d"]), max_size=4),
}
TABLES = st.sampled_from([("study",), ("decks", "kafka"), ("decks", "redis-2")])
EDITS = st.lists(
    st.tuples(TABLES, st.sampled_from(sorted(STUDY_VALUES))).flatmap(
        lambda place: st.tuples(st.just(place), st.none() | STUDY_VALUES[place[1]])
    ),
    max_size=12,
)


@settings(max_examples=60, deadline=None)
@given(edits=EDITS)
def test_any_edits_load_as_set_and_keep_the_comments(edits: list[Any]) -> None:
    edit = ConfigDocument(Path("config.toml"), CONFIG)
    expected: dict[tuple[str, ...], Any] = {}
    for (table, key), value in edits:
        edit.set((*table, key), value)
        expected[(*table, key)] = value
    text = edit.text()
    data = tomllib.loads(text)
    for (*table, key), value in expected.items():
        node: Any = data
        for part in table:
            node = node.get(part, {})
        assert node.get(key) == value
    for comment in ("# my retain settings", "# four in the morning", "# the keys", "# per deck"):
        assert comment in text
    parse_config(text)  # every value was in range: the loader takes it


def test_a_value_cleared_and_typed_again_keeps_its_place_and_comment(config_file: Path) -> None:
    edit = ConfigDocument.open(config_file)
    edit.set(("rollover_hour",), None)
    assert "rollover_hour" not in edit.text()
    edit.set(("rollover_hour",), 6)
    assert edit.text() == CONFIG.replace("rollover_hour = 4 ", "rollover_hour = 6 ")
    edit.set(("rollover_hour",), 4)
    assert not edit.dirty


@pytest.mark.parametrize(
    ("text", "keys", "value"),
    [  # TOML allows a table in parts and dotted keys; retain reads both, the editor refused them
        (
            '[presets.a]\ndesired_retention = 0.9\n\n[decks.kafka]\npreset = "a"\n\n'
            '[presets.b]\ndesired_retention = 0.85\n\n[decks.redis]\npreset = "b"\n',
            ("decks", "kafka", "new_per_day"),
            7,
        ),
        ("study.new_per_day = 5\nstudy.reviews_per_day = 9\n", ("study", "new_per_day"), 7),
        (
            '[presets.a]\nnew_per_day = 1\n\n[decks.kafka]\npreset = "a"\n\n[presets.b]\nnew_per_day = 2\n',
            ("decks", "redis", "new_per_day"),
            7,
        ),
    ],
)
def test_a_table_written_in_parts_can_be_edited(
    tmp_path: Path, text: str, keys: tuple[str, ...], value: int
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(text)
    parse_config(text)  # the loader takes it
    edit = ConfigDocument.open(path)
    edit.set(keys, value)  # was ConfigEditError: `decks` must be a table
    edit.save()
    data = tomllib.loads(path.read_text())
    node: Any = data
    for key in keys:
        node = node[key]
    assert node == value
    assert parse_config(path.read_text()) is not None


def test_merge_keeps_a_preset_table_filled_by_hand_meanwhile(tmp_path: Path) -> None:
    """A deck moved to a preset named on the settings screen writes its table empty; "Apply mine to
    theirs" emptied the same table that a hand edit had meanwhile filled."""
    path = tmp_path / "config.toml"
    path.write_text("[decks.kafka]\nnew_per_day = 5\n")
    edit = ConfigDocument.open(path)
    edit.set(("presets", "hard"), {})  # what the Decks tab writes for a preset named this session
    edit.set(("decks", "kafka", "preset"), "hard")
    path.write_text("[decks.kafka]\nnew_per_day = 5\n\n[presets.hard]\ndesired_retention = 0.95  # mine\n")
    merged = edit.merged()
    assert "desired_retention = 0.95  # mine" in merged.text()
    data = tomllib.loads(merged.text())
    assert data["presets"]["hard"] == {"desired_retention": 0.95}
    assert data["decks"]["kafka"]["preset"] == "hard"


def test_merge_applies_only_values_that_differ_from_the_file_as_opened(tmp_path: Path) -> None:
    """A value typed and typed back, or a table made and taken back, is no change of mine: the merge
    put the old value back over the new one written by hand meanwhile."""
    path = tmp_path / "config.toml"
    path.write_text("[study]\nnew_per_day = 20\nreviews_per_day = 200\n")
    edit = ConfigDocument.open(path)
    edit.set(("study", "new_per_day"), 7)
    edit.set(("study", "new_per_day"), 20)
    edit.set(("presets", "hard"), {})
    edit.set(("presets", "hard"), None)
    edit.set(("study", "reviews_per_day"), 300)
    path.write_text("[study]\nnew_per_day = 30\nreviews_per_day = 200\n\n[presets.hard]\nfuzz = false\n")
    data = tomllib.loads(edit.merged().text())
    assert data["study"] == {"new_per_day": 30, "reviews_per_day": 300}
    assert data["presets"] == {"hard": {"fuzz": False}}


def test_a_read_only_config_is_not_replaced(tmp_path: Path) -> None:
    """A config.toml made read-only (chmod a-w) was replaced by the rename all the same."""
    path = tmp_path / "config.toml"
    path.write_text("rollover_hour = 4\n")
    path.chmod(0o444)
    edit = ConfigDocument.open(path)
    edit.set(("rollover_hour",), 5)
    with pytest.raises(ConfigEditError, match="read-only") as info:
        edit.save()
    assert "\n" not in str(info.value) and edit.dirty  # the edit is still there to save later
    with pytest.raises(ConfigEditError, match="read-only"):
        save_value(path, ("theme",), "nord")  # the palette's theme
    assert path.read_text() == "rollover_hour = 4\n"
    path.chmod(0o644)
    edit.save()
    assert path.read_text() == "rollover_hour = 5\n"
