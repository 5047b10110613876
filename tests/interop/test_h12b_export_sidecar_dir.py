"""`export DECK -o out.toml --with-progress --force` where `out.progress.toml` is a folder: refused
in one line naming the folder, before anything is written (it wrote out.toml, then said
"cannot write out.toml: Is a directory", naming the wrong file and leaving half an export)."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.interop.native import deck_file_text

from .conftest import run_cli

DECK = Deck(id="rt", name="Round trip", cards=(Card(id="a", front="q", back="b"),))


def test_a_folder_at_the_sidecars_path_is_refused_before_anything_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "rt.toml").write_text(deck_file_text(DECK), "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(home))
    out = tmp_path / "out"
    out.mkdir()
    side = out / "rt.progress.toml"
    side.mkdir()
    (side / "keep").write_text("mine", "utf-8")
    args = ["export", "rt", "-o", str(out / "rt.toml"), "--with-progress", "--force"]
    code, _out, err = run_cli(capsys, *args)
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"{side} is a folder" in err
    assert sorted(p.name for p in out.iterdir()) == ["rt.progress.toml"]  # no rt.toml left behind
    assert (side / "keep").read_text("utf-8") == "mine"
