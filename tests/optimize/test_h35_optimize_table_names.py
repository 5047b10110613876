"""optimize names the TOML tables it wrote as TOML spells them: `[presets."a.b"]`.

It said `saved to [presets.a.b]` (TOML reads that as preset "b" inside "a") and
`[presets.Anki: Tuned]` (no table at all). Every table named in optimize's lines (the saved
preset, the preset whose weights a deck's own `parameters` override, that deck's table) is
now the header as written: bare when the name is a bare key, else a quoted basic string.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from optimize_home import copy_home, make_home, run


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("tables") / "home", cards=150)


@given(st.text(min_size=1, max_size=30))
def test_a_preset_table_reads_back_as_that_preset(name: str) -> None:
    from retain.store.fsrs_presets import preset_table, toml_key

    header = preset_table(name)
    assert "\n" not in header and "\r" not in header
    assert tomllib.loads(f"{header}\nx = 1\n") == {"presets": {name: {"x": 1}}}
    assert tomllib.loads(f"{toml_key(name)} = 1\n") == {name: 1}


@pytest.mark.parametrize("name", ["default", "Hard_1", "a-b"])
def test_a_bare_name_stays_bare(name: str) -> None:
    from retain.store.fsrs_presets import preset_table

    assert preset_table(name) == f"[presets.{name}]"


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("a.b", '[presets."a.b"]'),
        ("Anki: Tuned", '[presets."Anki: Tuned"]'),
        ('say "hi"', r'[presets."say \"hi\""]'),
    ],
)
def test_the_saved_line_names_the_table_in_the_file(
    built: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    name: str,
    header: str,
) -> None:
    root = copy_home(built, tmp_path, monkeypatch)
    quoted = header.removeprefix("[presets.").removesuffix("]")
    (root / "config.toml").write_text(
        f"[decks.alpha]\npreset = {quoted}\n\n{header}\ndesired_retention = 0.9\n", encoding="utf-8"
    )
    code, out, err = run(capsys, "alpha", "--no-reschedule")
    assert code == 0, err
    saved = re.search(r"saved to (\[.*?\]) in ", out)
    assert saved is not None, out
    assert saved.group(1) == header
    text = (root / "config.toml").read_text(encoding="utf-8")
    assert header in text.splitlines()  # the very table header the file has
    assert tomllib.loads(text)["presets"][name]["parameters"]


def test_the_own_parameters_line_names_both_tables(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_home(built, tmp_path, monkeypatch)
    weights = [round(w, 4) for w in (0.3, 1.2, 2.4, 8.0, 6.8, 0.5, 1.8, 0.01, 1.5, 0.1, 1.0)] + [
        2.0,
        0.08,
        0.3,
        1.6,
        0.2,
        2.6,
        0.5,
        0.3,
        0.1,
        0.3,
    ]
    (root / "config.toml").write_text(
        f'[presets."a.b"]\n\n[decks.alpha]\npreset = "a.b"\nparameters = {weights}\n\n[decks.beta]\npreset = "a.b"\n',
        encoding="utf-8",
    )
    code, out, err = run(capsys, "alpha", "--dry-run")
    assert code == 0, err
    line = next(s for s in out.splitlines() if "own `parameters`" in s)
    assert "[decks.alpha]" in line and """[presets."a.b"]'s weights""" in line, line
