"""h13: `retain optimize` saving weights into a multi-line `parameters` array keeps its comments.

`save_parameters` assigned a new array: a hand-laid-out `parameters = [\\n  0.1, # w0 note\\n ...]`
came back as one line, every comment inside it gone. The numbers are now replaced one by one
inside the existing array, so its layout and every comment in it stay, and the rest of the file
is byte-identical. An array of another length (which the loader refuses) is written anew."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.fsrsfit import DEFAULT_WEIGHTS
from retain.store.config import load_config
from retain.store.config_write import save_parameters

OLD = tuple(round(w, 4) for w in DEFAULT_WEIGHTS)  # as `save_parameters` writes them
NEW = (
    0.3, 1.3, 2.3, 8.3, 6.4, 0.83, 3.0, 0.01, 1.8, 0.17, 1.0, 1.5, 0.06, 0.26, 1.6, 0.6, 1.9, 0.54, 0.09,
    0.07, 0.15,
)  # fmt: skip
HEAD = "# my config\n[study]\nfuzz = false  # keep\n\n[presets.default]\n# weights fitted by hand\n"
TAIL = "desired_retention = 0.9  # retention\n\n[presets.other]\nmaximum_interval = 365 # a year\n"


def _layout(values: tuple[float, ...], comments: dict[int, str]) -> str:
    rows = [f"  {v}, # w{i} {comments.get(i, 'note')}" for i, v in enumerate(values)]
    return (
        "parameters = [\n  # initial stability, four grades\n"
        + "\n".join(rows)
        + "\n  # the end\n] # fitted\n"
    )


def test_comments_inside_a_multi_line_parameters_array_are_kept(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEAD + _layout(OLD, {3: "easy"}) + TAIL, encoding="utf-8")
    save_parameters(path, "default", NEW)
    assert path.read_text(encoding="utf-8") == HEAD + _layout(NEW, {3: "easy"}) + TAIL
    assert load_config(path).preset("default").parameters == NEW


def test_weights_saved_twice_keep_the_comments_too(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HEAD + _layout(OLD, {}) + TAIL, encoding="utf-8")
    save_parameters(path, "default", NEW)
    save_parameters(path, "default", OLD)
    assert path.read_text(encoding="utf-8") == HEAD + _layout(OLD, {}) + TAIL


_COMMENT = st.text(alphabet="abc xyz#0123456789-", max_size=12).map(lambda s: s.strip())


@st.composite
def _arrays(draw: st.DrawFn) -> str:
    """A `parameters` array as a person may lay it out, as a format with one `{}` per number:
    one line or many, indents, comments after items and on lines of their own, a trailing comma
    or none, blank lines."""
    multi = draw(st.booleans())
    parts = ["parameters = ["]
    for i in range(21):
        if multi:
            if draw(st.integers(0, 4)) == 0:
                parts.append("\n" + " " * draw(st.integers(0, 4)) + "# " + draw(_COMMENT))
            if draw(st.integers(0, 6)) == 0:
                parts.append("\n")
            parts.append("\n" + " " * draw(st.integers(0, 6)))
        else:
            parts.append(" " * draw(st.integers(0, 1)) if i else draw(st.sampled_from(["", " "])))
        parts.append("{}")
        last = i == 20
        if not last or draw(st.booleans()):
            parts.append(",")
        if multi and draw(st.booleans()):
            parts.append(" " * draw(st.integers(1, 3)) + "# " + draw(_COMMENT))
    if multi:
        parts.append("\n" + (("  # " + draw(_COMMENT) + "\n") if draw(st.booleans()) else ""))
    parts.append("]")
    if draw(st.booleans()):
        parts.append("  # " + draw(_COMMENT))
    return "".join(parts) + "\n"  # (the comments hold no braces)


@settings(max_examples=120, deadline=None)
@given(fmt=_arrays(), super_table=st.booleans())
def test_any_layout_of_the_array_is_kept_byte_for_byte(
    tmp_path_factory: pytest.TempPathFactory, fmt: str, super_table: bool
) -> None:
    head = HEAD.replace("[presets.default]\n", "[presets]\n[presets.default]\n") if super_table else HEAD
    path = tmp_path_factory.mktemp("layout") / "config.toml"
    path.write_text(head + fmt.format(*OLD) + TAIL, encoding="utf-8")
    assert load_config(path).preset("default").parameters == OLD  # (a layout the loader reads)
    save_parameters(path, "default", NEW)
    assert path.read_text(encoding="utf-8") == head + fmt.format(*NEW) + TAIL
    assert tomllib.loads(path.read_text(encoding="utf-8"))["presets"]["default"]["parameters"] == list(NEW)


def test_an_array_of_another_length_is_written_anew_and_the_rest_kept(tmp_path: Path) -> None:
    """19 weights (FSRS-5, refused by the loader): there is nothing to replace one by one; the
    array is written again, on one line, and nothing else in the file changes."""
    path = tmp_path / "config.toml"
    path.write_text(HEAD + _layout(OLD[:19], {}) + TAIL, encoding="utf-8")
    save_parameters(path, "default", NEW)
    assert (
        path.read_text(encoding="utf-8")
        == HEAD + f"parameters = [{', '.join(map(str, NEW))}] # fitted\n" + TAIL
    )
    assert load_config(path).preset("default").parameters == NEW
