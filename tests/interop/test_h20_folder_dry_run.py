"""`retain import --dry-run FOLDER` says what the real run does, file after file.

With `vocab.csv` and `vocab.md` (different cards) in a folder, the dry run said
both go into deck `vocab`; the real run put the second into `vocab-2`: each file
was planned against the library as it was, not as the files before it leave it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "vocab.csv").write_text("hola,hello\nadios,goodbye\n", encoding="utf-8")
    (folder / "vocab.md").write_text("Q: gato\nA: cat\n", encoding="utf-8")
    return folder


def test_the_dry_run_of_a_folder_names_the_decks_the_real_run_makes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    folder = _folder(tmp_path)
    assert main(["import", "--dry-run", str(folder)]) == 0
    dry = capsys.readouterr().out
    assert not (tmp_path / "home" / "decks").exists() or not any((tmp_path / "home" / "decks").iterdir())
    assert main(["import", str(folder)]) == 0
    real = capsys.readouterr().out
    assert "vocab-2" in real
    said = [line.split("importing as ")[-1] for line in real.splitlines() if "importing as" in line]
    assert said and all(f"importing as {name}" in dry for name in said), (dry, real)
