"""`[groups."NAME"]` through `ConfigDocument`: any group name round-trips (quotes, dots, spaces,
non-ASCII, control characters), the file's comments stay, and a table whose last limit is
removed goes with it (never an empty `[groups."NAME"]`)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
import tomlkit
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from retain.core.model import group_key
from retain.store.config import parse_config
from retain.store.config_edit import ConfigDocument

HEAD = "# mine\nrollover_hour = 4  # early\n\n[study]\nfuzz = false  # keep\n"
TAIL = '\n# keys\n[keymap]\n"review.reveal" = "space"  # mine\n'
names = st.text(max_size=24)
limits = st.integers(min_value=0, max_value=9999)


def _key(name: str) -> str:
    """`name` as a TOML basic string (json's escapes, and DEL, which TOML does not take raw)."""
    return json.dumps(name, ensure_ascii=False).replace("\x7f", "\\u007f")


def _doc(tmp_path: Path, text: str) -> ConfigDocument:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return ConfigDocument.open(path)


@settings(max_examples=150, deadline=None)
@given(name=names, new=limits, reviews=limits)
def test_a_new_group_table_round_trips_any_name(
    tmp_path_factory: object, name: str, new: int, reviews: int
) -> None:
    tmp_path = tmp_path_factory.mktemp("g")  # type: ignore[attr-defined]
    original = HEAD + TAIL
    edit = _doc(tmp_path, original)
    edit.set(("groups", name, "new_per_day"), new)
    edit.set(("groups", name, "reviews_per_day"), reviews)
    text = edit.text()
    assert tomllib.loads(text)["groups"] == {name: {"new_per_day": new, "reviews_per_day": reviews}}
    limit = parse_config(text).groups[group_key(name)]
    assert (limit.name, limit.new_per_day, limit.reviews_per_day) == (name, new, reviews)
    assert text.startswith(HEAD) and TAIL.strip() in text  # comments and layout kept
    edit.save()
    again = ConfigDocument.open(edit.path)  # read back from the file
    assert again.get(("groups", name, "new_per_day")) == new
    again.set(("groups", name, "new_per_day"), None)
    assert tomllib.loads(again.text())["groups"] == {name: {"reviews_per_day": reviews}}
    again.set(("groups", name, "reviews_per_day"), None)
    assert again.text() == original  # both cleared: no table left, the file as it was


@settings(max_examples=150, deadline=None)
@given(name=names, new=limits, reviews=limits, typed=limits)
def test_a_group_table_in_the_file_keeps_its_comments_and_goes_when_emptied(
    tmp_path_factory: object, name: str, new: int, reviews: int, typed: int
) -> None:
    tmp_path = tmp_path_factory.mktemp("g")  # type: ignore[attr-defined]
    table = (
        f"\n# my group\n[groups.{_key(name)}]  # its header\n"
        f"new_per_day = {new}  # new\nreviews_per_day = {reviews}  # reviews\n"
    )
    original = HEAD + table + TAIL
    assert tomllib.loads(original)["groups"] == {name: {"new_per_day": new, "reviews_per_day": reviews}}
    edit = _doc(tmp_path, original)
    edit.set(("groups", name, "new_per_day"), typed)
    assert edit.text() == original.replace(f"new_per_day = {new}  # new", f"new_per_day = {typed}  # new")
    edit.set(("groups", name, "new_per_day"), None)
    assert edit.text() == original.replace(f"new_per_day = {new}  # new\n", "")  # just the key
    edit.set(("groups", name, "reviews_per_day"), None)
    emptied = edit.text()
    assert "groups" not in tomllib.loads(emptied)  # never an empty table
    assert emptied.startswith(HEAD) and "# my group" in emptied and TAIL.strip() in emptied
    parse_config(emptied)
    edit.set(("groups", name, "reviews_per_day"), typed)  # typed back: in its place, comments too
    assert edit.text() == original.replace(f"new_per_day = {new}  # new\n", "").replace(
        f"reviews_per_day = {reviews}  # reviews", f"reviews_per_day = {typed}  # reviews"
    )


@settings(max_examples=60, deadline=None)
@given(name=names, new=limits)
def test_a_merge_keeps_their_group_tables_and_prunes_mine(
    tmp_path_factory: object, name: str, new: int
) -> None:
    assume(name != "their group")
    tmp_path = tmp_path_factory.mktemp("g")  # type: ignore[attr-defined]
    original = HEAD + f"\n[groups.{_key(name)}]\nnew_per_day = {new}\n" + TAIL
    edit = _doc(tmp_path, original)
    edit.set(("groups", name, "new_per_day"), None)
    theirs = original + '\n[groups."their group"]  # theirs\nreviews_per_day = 1\n'
    edit.path.write_text(theirs, encoding="utf-8")
    merged = edit.merged()
    assert merged.text() == theirs.replace(f"\n[groups.{_key(name)}]\nnew_per_day = {new}\n", "")


def test_an_inline_group_table_loses_its_last_key_and_itself(tmp_path: Path) -> None:
    original = '[groups]\n"a.b" = { new_per_day = 5 }  # inline\nOps = { reviews_per_day = 3 }\n'
    edit = _doc(tmp_path, original)
    edit.set(("groups", "a.b", "new_per_day"), None)
    assert tomllib.loads(edit.text()) == {"groups": {"Ops": {"reviews_per_day": 3}}}
    edit.set(("groups", "a.b", "new_per_day"), 7)
    assert tomllib.loads(edit.text()) == {
        "groups": {"a.b": {"new_per_day": 7}, "Ops": {"reviews_per_day": 3}}
    }


def test_a_dotted_group_key_is_removed_without_an_empty_table(tmp_path: Path) -> None:
    original = "groups.Ops.new_per_day = 5  # dotted\n\n[study]\nfuzz = false\n"
    edit = _doc(tmp_path, original)
    edit.set(("groups", "Ops", "new_per_day"), None)
    assert tomllib.loads(edit.text()) == {"study": {"fuzz": False}}
    parse_config(edit.text())


def test_an_empty_group_table_in_the_file_is_kept_as_it_is(tmp_path: Path) -> None:
    """Not the screen's to tidy: only an edit to that group's limits changes its table."""
    original = HEAD + '\n[groups."Some group"]  # nothing yet\n' + TAIL
    edit = _doc(tmp_path, original)
    edit.set(("groups", "Some group", "new_per_day"), 4)
    edit.set(("groups", "Some group", "new_per_day"), None)  # typed and cleared: as it was
    edit.set(("study", "new_per_day"), 9)
    assert edit.text() == original.replace(
        "fuzz = false  # keep\n", "fuzz = false  # keep\nnew_per_day = 9\n"
    )
    assert tomlkit.parse(edit.text())["groups"]["Some group"] == {}


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (  # the first table of the file: the comment over the next header stays
            "x = 1  # top\n\n[groups.A]  # hdr\nnew_per_day = 5\n\n# keys\n[keymap]\n",
            "x = 1  # top\n\n# keys\n[keymap]\n",
        ),
        (  # between two groups
            "[study]\nfuzz = false\n\n[groups.A]\nnew_per_day = 5\n\n# b\n[groups.B]\nnew_per_day = 1\n",
            "[study]\nfuzz = false\n\n# b\n[groups.B]\nnew_per_day = 1\n",
        ),
        (  # the last table: the comment at the end of the file stays
            "[groups.B]\nnew_per_day = 1\n\n[groups.A]\nnew_per_day = 5\n\n# the end\n",
            "[groups.B]\nnew_per_day = 1\n\n# the end\n",
        ),
        (  # under an explicit [groups] header
            "[groups]  # mine\n\n[groups.A]\nnew_per_day = 5\n\n# b\n[groups.B]\nnew_per_day = 1\n",
            "[groups]  # mine\n\n# b\n[groups.B]\nnew_per_day = 1\n",
        ),
        (  # the groups' tables apart in the file (tomlkit's out-of-order proxy)
            "[groups.B]\nnew_per_day = 6\n\n[study]\nx = 1\n\n[groups.A]\nnew_per_day = 5\n\n# k\n[keymap]\n",
            "[groups.B]\nnew_per_day = 6\n\n[study]\nx = 1\n\n# k\n[keymap]\n",
        ),
        (
            "[groups.A]\nnew_per_day = 5\n\n# s\n[study]\nx = 1\n\n[groups.B]\nnew_per_day = 6\n",
            "\n# s\n[study]\nx = 1\n\n[groups.B]\nnew_per_day = 6\n",
        ),
    ],
)
def test_an_emptied_group_table_leaves_the_next_headers_comment(
    tmp_path: Path, before: str, after: str
) -> None:
    """tomlkit keeps the comment over a header with the table before it: deleting that table
    must not take the comment with it."""
    edit = _doc(tmp_path, before)
    edit.set(("groups", "A", "new_per_day"), None)
    assert edit.text() == after
    edit.set(("groups", "A", "new_per_day"), 5)  # typed back: the file as it was
    assert edit.text() == before
