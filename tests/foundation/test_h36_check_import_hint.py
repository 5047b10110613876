"""`retain check FILE.csv` suggests `retain import FILE --dry-run`: that command must run as shown,
for a name that starts with '-' (`./-x.csv`) or holds spaces and shell characters (quoted)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from retain.cli import main

NAMES = ["-x.csv", "--notes.tsv", "my cards.csv", "it's $HOME;(x).csv", "-a b.txt", "plain.csv"]


@pytest.mark.parametrize("name", NAMES)
def test_the_suggested_import_runs_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text("q1\ta1\n" if name.endswith((".tsv", ".txt")) else "q1,a1\n", "utf-8")
    assert main(["check", "--", name]) == 1
    said = capsys.readouterr().out
    found = re.search(r"with `(retain [^`]*)`", said)
    assert found is not None, said
    words = shlex.split(found.group(1))
    assert words[:2] == ["retain", "import"] and words[-1] == "--dry-run", words
    assert Path(words[2]) == Path(name) and not words[2].startswith("-"), words
    assert main(words[1:]) == 0, capsys.readouterr().err
    assert not (tmp_path / "home" / "decks").exists() or not any((tmp_path / "home" / "decks").iterdir())
