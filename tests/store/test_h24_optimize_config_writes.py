"""h24: `retain optimize` saving weights into config.toml of any layout TOML allows.

`save_parameters` took `presets` for a plain table: `[presets.hard]`, then `[decks.x]`, then
`[presets.default]` (the `presets` table apart in the file, tomlkit's out-of-order proxy) was
refused as "`presets` is not a table", and so was the second preset once the first was saved as
dotted keys. It now writes through the settings screen's document (`ConfigDocument`), which
reads every layout, so the weights go where the loader reads them, every comment stays and
nothing else in the file changes. A CRLF file stays CRLF (the weights came in bare-LF lines).

A file nested too deep was "too deep to be a deck file" whatever the file was: the message no
longer names a kind of file (every caller names its own) and points at the value."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.tomlsafe import loads_careful, loads_safe
from retain.interop.errors import InteropError
from retain.interop.history import history_from_toml
from retain.store.config import ConfigError, load_config
from retain.store.config_edit import ConfigDocument, ConfigEditError
from retain.store.config_write import save_parameters

NEW = (
    0.3, 1.3, 2.3, 8.3, 6.4, 0.83, 3.0, 0.01, 1.8, 0.17, 1.0, 1.5, 0.06, 0.26, 1.6, 0.6, 1.9, 0.54, 0.09,
    0.07, 0.15,
)  # fmt: skip
OLD = (
    0.4, 1.2, 3.2, 15.7, 7.2, 0.53, 1.5, 0.01, 1.5, 0.12, 1.0, 1.9, 0.11, 0.3, 2.3, 0.23, 2.9, 0.5, 0.66,
    0.15, 0.2,
)  # fmt: skip
PRESETS = ("default", "hard", "light")
NESTING_TOO_DEEP = "TOML nesting is too deep (arrays or inline tables inside one another)"


def _write(path: Path, text: str) -> None:
    path.write_bytes(text.encode("utf-8"))


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


# ---- the reported layouts ------------------------------------------------------------------------


SPLIT = '[presets.hard]\ndesired_retention = 0.95\n\n[decks.bench-00]\npreset = "hard"\n\n[presets.default]\nnew_per_day = 25\n'


def test_presets_apart_in_the_file_take_the_weights(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    _write(path, SPLIT)
    save_parameters(path, "default", NEW)
    save_parameters(path, "hard", OLD)
    config = load_config(path)
    assert config.preset("default").parameters == NEW
    assert config.preset("hard").parameters == OLD
    assert _read(path) == (
        f"[presets.hard]\ndesired_retention = 0.95\nparameters = {list(OLD)}\n\n"
        '[decks.bench-00]\npreset = "hard"\n\n'
        f"[presets.default]\nnew_per_day = 25\nparameters = {list(NEW)}\n"
    )


def test_top_level_dotted_presets_take_every_presets_weights(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    _write(path, "presets.hard.desired_retention = 0.95  # hard\npresets.default.new_per_day = 25\n")
    save_parameters(path, "hard", NEW)
    save_parameters(path, "default", OLD)  # (refused once the first was saved)
    config = load_config(path)
    assert (config.preset("hard").parameters, config.preset("default").parameters) == (NEW, OLD)
    assert "# hard" in _read(path)


def test_weights_written_into_a_crlf_config_are_crlf(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    _write(path, "# mine\r\nrollover_hour = 5\r\n[study]\r\nnew_per_day = 20\r\n")
    save_parameters(path, "default", NEW)
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n")
    assert raw.startswith(b"# mine\r\nrollover_hour = 5\r\n[study]\r\nnew_per_day = 20\r\n")
    assert load_config(path).preset("default").parameters == NEW


def test_a_layout_the_weights_cannot_go_into_is_one_line_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    for text in ("presets = 3\n", "[presets]\nhard = 1\n", "[[presets.hard]]\nx = 1\n"):
        _write(path, text)
        with pytest.raises(ConfigError, match="the weights were not saved") as info:
            save_parameters(path, "hard", NEW)
        assert "\n" not in str(info.value) and str(path) in str(info.value)
        assert _read(path) == text


# ---- every layout --------------------------------------------------------------------------------

# How a preset is written: a `[presets.NAME]` header; dotted keys at the top of the file
# (`presets.NAME.k = v`, before any header); dotted keys inside a `[presets]` table (`NAME.k = v`);
# an inline table inside it (`NAME = {k = v}`); or the whole `presets = {NAME = {...}}` inline.
STYLES = ("header", "top", "sub", "subinline")
_WORD = st.text(alphabet="abcxyz 0123456789-", min_size=1, max_size=10).map(str.strip).filter(bool)


def _comment(draw: st.DrawFn, tag: list[int]) -> str:
    """A comment that is told apart from every other (`#c7 ...`), so each can be found again."""
    tag[0] += 1
    return f"#c{tag[0]} {draw(_WORD)}"


def _params(draw: st.DrawFn, tag: list[int], indent: str = "") -> str:
    """An existing `parameters` array of 21 numbers: on one line or many, with comments."""
    if draw(st.booleans()):
        return f"parameters = [{', '.join(map(str, OLD))}]"
    rows = [
        f"{indent}  {v},{(' ' + _comment(draw, tag)) if draw(st.integers(0, 5)) == 0 else ''}" for v in OLD
    ]
    return "parameters = [\n" + "\n".join(rows) + f"\n{indent}]"


@st.composite
def layouts(draw: st.DrawFn) -> tuple[str, list[str]]:
    """(a config.toml as a person may lay it out, the presets to save in the order saved)."""
    tag = [0]
    names = draw(st.lists(st.sampled_from(PRESETS), unique=True, max_size=3))
    inline_all = bool(names) and draw(st.integers(0, 5)) == 0
    styles = {n: "inline" if inline_all else draw(st.sampled_from(STYLES)) for n in names}
    if "top" in styles.values():  # (a `[presets]` header after `presets.x.y = 1` is no TOML)
        styles = {n: "header" if style.startswith("sub") else style for n, style in styles.items()}
    settings_of: dict[str, list[str]] = {}
    for n in names:
        keys = [f"desired_retention = 0.{draw(st.integers(80, 95))}"]
        if draw(st.booleans()):
            keys.append(f"maximum_interval = {draw(st.integers(30, 3650))}")
        if draw(st.booleans()):
            keys.append(_params(draw, tag) if styles[n] in ("header", "top", "sub") else "parameters = "
                        f"[{', '.join(map(str, OLD))}]")  # fmt: skip
        settings_of[n] = draw(st.permutations(keys))

    def note() -> str:
        return (" " + _comment(draw, tag)) if draw(st.booleans()) else ""

    def above() -> str:
        return (_comment(draw, tag) + "\n") if draw(st.integers(0, 2)) == 0 else ""

    top: list[str] = []  # dotted keys at the top (before any header), in any order
    blocks: list[str] = []  # `[header]` blocks, in any order
    for n in names:
        style, keys = styles[n], settings_of[n]
        if style == "header":
            body = "".join(f"{above()}{k}{note()}\n" for k in keys)
            blocks.append(f"{above()}[presets.{n}]{note()}\n{body}")
        elif style == "top":
            top.extend(f"{above()}presets.{n}.{k}{note()}\n" for k in keys)
    sub = [f"{above()}{n}.{k}{note()}\n" for n in names if styles[n] == "sub" for k in settings_of[n]] + [
        f"{above()}{n} = {{{', '.join(settings_of[n])}}}{note()}\n" for n in names if styles[n] == "subinline"
    ]
    if sub:
        blocks.append(f"{above()}[presets]{note()}\n" + "".join(draw(st.permutations(sub))))
    if inline_all:
        inner = ", ".join(f"{n} = {{{', '.join(settings_of[n])}}}" for n in names)
        top.append(f"{above()}presets = {{{inner}}}{note()}\n")
    top.append(f"{above()}rollover_hour = {draw(st.integers(0, 23))}{note()}\n")
    if draw(st.booleans()):
        top.append(f"study.new_per_day = {draw(st.integers(0, 99))}{note()}\n")
    else:
        blocks.append(f"{above()}[study]{note()}\nnew_per_day = 20{note()}\n")
    for i, n in enumerate(draw(st.lists(st.sampled_from(PRESETS), max_size=3))):
        blocks.append(f'{above()}[decks.d{i}]{note()}\npreset = "{n}"{note()}\n')
    blank = "\n" if draw(st.booleans()) else ""
    text = "".join(draw(st.permutations(top))) + blank + blank.join(draw(st.permutations(blocks)))
    saved = draw(st.lists(st.sampled_from(PRESETS), unique=True, min_size=1, max_size=3))
    return text, saved


def _comments(text: str) -> list[str]:
    return sorted(re.findall(r"#c\d+ [^\n\r]*", text))


def _lines_kept(old: str, new: str) -> bool:
    """Every line of the old text but the weights' (`parameters = [`, the rows of a multi-line
    array, an inline table that holds them) stands in the new text, in the same order (new lines
    may come between them)."""
    rest = iter(new.splitlines())
    weights = re.compile(r"\{|parameters|^\s*[0-9\]]")
    return all(line in rest for line in old.splitlines() if not weights.search(line))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(layout=layouts(), crlf=st.booleans())
def test_weights_are_saved_into_every_layout(
    tmp_path: Path, layout: tuple[str, list[str]], crlf: bool
) -> None:
    text, saved = layout
    if crlf:
        text = text.replace("\n", "\r\n")
    path = tmp_path / "config.toml"
    _write(path, text)
    load_config(path)  # (a layout retain reads)
    expected = tomllib.loads(text)
    weights = {}
    for i, name in enumerate(saved):
        values = NEW if i % 2 == 0 else OLD
        before = _read(path)
        save_parameters(path, name, values)
        after = _read(path)
        weights[name] = values
        expected.setdefault("presets", {}).setdefault(name, {})["parameters"] = list(values)
        assert tomllib.loads(after) == expected  # there, and nothing else changed
        assert load_config(path).preset(name).parameters == values
        assert _comments(after) == _comments(before)
        assert _lines_kept(before, after)
        if crlf:
            assert after.count("\n") == after.count("\r\n")
    config = load_config(path)
    assert {name: config.preset(name).parameters for name in saved} == weights


# ---- a file nested too deep ----------------------------------------------------------------------

DEEP = "[" * 5000 + "]" * 5000


def test_deep_nesting_names_no_kind_of_file_and_points_at_the_value() -> None:
    for text in (f"a = 1\n# [[[[\ns = '[[['\nx = {DEEP}\n", "a = 1\nx = " + "{a=" * 2000 + "1" + "}" * 2000):
        got = loads_careful(text)
        assert not isinstance(got, dict)
        assert (got.message, got.line, got.col) == (
            NESTING_TOO_DEEP,
            text.count("\n", 0, text.index("x =")) + 1,
            5,
        )
        assert "deck" not in got.message and loads_safe(text) == got


def test_every_reader_of_a_file_nested_too_deep_says_one_right_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    _write(config, f"rollover_hour = 1\nx = {DEEP}\n")
    with pytest.raises(ConfigError) as info:
        load_config(config)
    assert str(info.value) == f"{config}:2:5: {NESTING_TOO_DEEP}"
    with pytest.raises(ConfigEditError) as edit:
        ConfigDocument.open(config)
    assert str(edit.value) == f"{config}:2:5: cannot edit: {NESTING_TOO_DEEP}"
    with pytest.raises(ConfigError) as weights:
        save_parameters(config, "default", NEW)
    said = str(weights.value)
    assert (
        said.startswith(f"{config}:2:5: ") and NESTING_TOO_DEEP in said and "weights were not saved" in said
    )
    deck = parse_deck(f'format = 1\n[deck]\nid = "d"\nname = "D"\nx = {DEEP}\n', "d.toml")
    assert deck.deck is None and [str(p) for p in deck.problems] == [f"d.toml:5:5: error: {NESTING_TOO_DEEP}"]
    with pytest.raises(InteropError) as progress:
        history_from_toml(f"format = 1\nx = {DEEP}\n", {"d"}, 100)
    assert str(progress.value) == f"progress file: line 2: {NESTING_TOO_DEEP}"
    for message in (str(info.value), str(edit.value), said, str(progress.value)):
        assert "deck file" not in message and "\n" not in message


def test_a_config_that_starts_with_a_bom_keeps_it(tmp_path: Path) -> None:
    """A Windows editor's BOM: reading drops it, and the weights' write (and the settings
    screen's) wrote the file without it."""
    path = tmp_path / "config.toml"
    path.write_bytes(b"\xef\xbb\xbf# mine\r\n[study]\r\nnew_per_day = 3\r\n")
    save_parameters(path, "default", NEW)
    raw = path.read_bytes()
    assert (
        raw.startswith(b"\xef\xbb\xbf# mine\r\n[study]\r\nnew_per_day = 3\r\n")
        and raw.count(b"\xef\xbb\xbf") == 1
    )
    assert load_config(path).preset("default").parameters == NEW
    edit = ConfigDocument.open(path)
    edit.set(("study", "new_per_day"), 5)
    edit.save()
    assert path.read_bytes().startswith(b"\xef\xbb\xbf# mine\r\n[study]\r\nnew_per_day = 5\r\n")
    assert not edit.changed_on_disk()
