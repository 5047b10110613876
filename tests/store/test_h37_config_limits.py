"""h37: no write of config.toml leaves a file retain refuses to start with, its size limit included.

A config.toml 3 bytes under the loader's 1 MiB limit loaded; `30` typed into Learn ahead and
saved made it 1,048,598 bytes, and every `retain` command then exited 2 ("file is 1.1 MiB; the
limit is 1 MiB"): the edit's check ran the loader's parser on the text but not its size limit,
and so did `retain optimize`'s weights write. Every writer (the settings screen, the theme from
the palette, `retain optimize`, the Anki import's presets, all through `ConfigDocument` or
`config_write`) now refuses, in one line and writing nothing, a text the loader would refuse.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.store.config import ConfigError, load_config
from retain.store.config_edit import MAX_CONFIG_BYTES, ConfigDocument, problem, save_value
from retain.store.config_write import save_parameters

HEAD = (
    "# my settings, with a long notes block below\nrollover_hour = 4\n\n[presets.default]\nnew_per_day = 20\n"
)
WEIGHTS = (
    0.3, 1.3, 2.3, 8.3, 6.4, 0.83, 3.0, 0.01, 1.8, 0.17, 1.0, 1.5, 0.06, 0.26, 1.6, 0.6, 1.9, 0.54, 0.09,
    0.07, 0.15,
)  # fmt: skip


def padded(size: int, *, bom: bool = False, crlf: bool = False) -> bytes:
    """A config.toml of exactly `size` bytes (BOM and line ends counted): HEAD, then comment lines."""
    nl = b"\r\n" if crlf else b"\n"
    data = (b"\xef\xbb\xbf" if bom else b"") + HEAD.encode().replace(b"\n", nl)
    line = b"# " + b"n" * 97 + nl
    while len(data) + len(line) + len(nl) + 1 < size:
        data += line
    return data + b"#" * (size - len(data) - len(nl)) + nl


def loads(path: Path) -> bool:
    try:
        load_config(path)
    except ConfigError:
        return False
    return True


def test_the_attackers_file_an_edit_over_the_limit_is_refused_as_you_type_and_on_save(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    before = padded(MAX_CONFIG_BYTES - 3)
    path.write_bytes(before)
    assert loads(path)
    edit = ConfigDocument.open(path)
    edit.set(("learn_ahead_minutes",), 30)
    said = problem(edit)  # the as-you-type check: the same one a save makes
    assert "1 MiB" in said and "\n" not in said
    with pytest.raises(ConfigError) as caught:
        edit.save()
    assert str(caught.value) == said
    assert path.read_bytes() == before and loads(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def grown(tmp: Path, bom: bool, crlf: bool, minutes: int | None) -> int:
    """How many bytes setting `learn_ahead_minutes` adds to a `padded` file (worked out on a small one:
    the padding is comments after the settings, which the edit does not touch)."""
    path = tmp / "small" / "config.toml"
    path.parent.mkdir()
    path.write_bytes(padded(4000, bom=bom, crlf=crlf))
    edit = ConfigDocument.open(path)
    edit.set(("learn_ahead_minutes",), minutes)
    return len(edit.to_write(edit.text()).encode("utf-8")) - 4000


@pytest.mark.parametrize("over", [0, 1])
@pytest.mark.parametrize(
    ("bom", "crlf", "minutes"), [(False, False, 30), (True, False, 5), (False, True, 1440), (True, True, 0)]
)
def test_a_save_is_refused_exactly_when_the_loader_would_refuse_the_file(
    tmp_path: Path, over: int, bom: bool, crlf: bool, minutes: int
) -> None:
    """With the edit taking the file to exactly the limit, and one byte over; with a BOM (which the
    loader counts) and CRLF line ends: a save writes the text `load_config` reads, and refuses
    (nothing written) the one it does not."""
    path, oracle = tmp_path / "config.toml", tmp_path / "oracle" / "config.toml"
    oracle.parent.mkdir()
    before = padded(MAX_CONFIG_BYTES - grown(tmp_path, bom, crlf, minutes) + over, bom=bom, crlf=crlf)
    path.write_bytes(before)
    assert loads(path)
    edit = ConfigDocument.open(path)
    edit.set(("learn_ahead_minutes",), minutes)
    oracle.write_bytes(edit.to_write(edit.text()).encode("utf-8"))  # what the save would write
    assert oracle.stat().st_size == MAX_CONFIG_BYTES + over
    if over:
        assert not loads(oracle)
        with pytest.raises(ConfigError, match="1 MiB"):
            edit.save()
        assert path.read_bytes() == before
    else:
        assert loads(oracle)
        edit.save()
        assert loads(path) and path.read_bytes() == oracle.read_bytes()


def test_the_theme_from_the_palette_is_not_saved_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    before = padded(MAX_CONFIG_BYTES - 3)
    path.write_bytes(before)
    with pytest.raises(ConfigError, match="1 MiB"):
        save_value(path, ("theme",), "nord")
    assert path.read_bytes() == before


def test_optimize_does_not_save_weights_over_the_limit(tmp_path: Path) -> None:
    """`retain optimize` promises a write never leaves a config.toml retain refuses to start with."""
    path = tmp_path / "config.toml"
    before = padded(MAX_CONFIG_BYTES - 3)
    path.write_bytes(before)
    with pytest.raises(ConfigError) as caught:
        save_parameters(path, "default", WEIGHTS)
    said = str(caught.value)
    assert "1 MiB" in said and "the weights were not saved" in said and str(path) in said
    assert "\n" not in said
    assert path.read_bytes() == before and loads(path)


def test_weights_that_fit_are_saved_right_up_to_the_limit(tmp_path: Path) -> None:
    """The limit is the loader's, not a stricter one: a file that ends exactly at it is written."""
    path = tmp_path / "config.toml"
    path.write_bytes(padded(MAX_CONFIG_BYTES - 400))
    edit = ConfigDocument.open(path)
    edit.set(("presets", "default", "parameters"), [round(w, 4) for w in WEIGHTS])
    grown = len(edit.text().encode()) - (MAX_CONFIG_BYTES - 400)
    path.write_bytes(padded(MAX_CONFIG_BYTES - grown))  # the weights take it to exactly 1 MiB
    save_parameters(path, "default", WEIGHTS)
    assert path.stat().st_size == MAX_CONFIG_BYTES
    assert load_config(path).preset("default").parameters == WEIGHTS
