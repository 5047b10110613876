"""A FIFO named `DECK.anki.json` (or an import memo) never blocks: `load_keep` read it with
`read_text`, so `retain export DECK -o x.apkg`, a re-import and the browser's `m` (which reads
both decks' kept files) waited forever for a writer."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

PACKAGE = FIXTURES / "layout-latest.apkg"


def _quick(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(args, capture_output=True, text=True, timeout=60, env=env, check=False)
    except subprocess.TimeoutExpired:
        pytest.fail(f"{args[2:]} blocked on the FIFO")


def test_load_keep_takes_a_fifo_for_no_kept_file(tmp_path: Path) -> None:
    fifo = tmp_path / "deck.anki.json"
    os.mkfifo(fifo)
    code = "import sys; from pathlib import Path; from retain.interop.ankikeep import load_keep; print(load_keep(Path(sys.argv[1])))"
    done = _quick([sys.executable, "-c", code, str(fifo)], dict(os.environ))
    assert done.stdout.strip() == "None", done.stderr


def test_export_and_reimport_go_on_past_a_fifo(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run_cli(capsys, "import", str(PACKAGE))
    assert code == 0, err
    kept = home / "decks" / "general-knowledge.anki.json"
    kept.unlink()
    os.mkfifo(kept)
    env = dict(os.environ, RETAIN_HOME=str(home))
    retain = [sys.executable, "-m", "retain"]
    done = _quick([*retain, "export", "general-knowledge", "-o", str(tmp_path / "gk.apkg")], env)
    assert done.returncode == 0, done.stderr
    done = _quick([*retain, "import", str(PACKAGE)], env)
    assert done.returncode == 0, done.stderr
