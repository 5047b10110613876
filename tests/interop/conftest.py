"""Shared helpers for interop tests: a fresh RETAIN_HOME and the `retain` CLI in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from retain.cli import main

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "anki"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(root))
    yield root


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def tree(root: Path) -> list[str]:
    """Every file under root (relative), to prove a refusal wrote nothing."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []
