"""The project's own checks cover what they claim: mypy checks every test file."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _mypy_config() -> dict[str, object]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mypy: dict[str, object] = config["tool"]["mypy"]
    return mypy


def test_mypy_checks_every_test_file() -> None:
    files = _mypy_config()["files"]
    assert isinstance(files, list)
    roots = [ROOT / f for f in files]
    unchecked = [
        p.relative_to(ROOT).as_posix()
        for p in sorted((ROOT / "tests").rglob("*.py"))
        if not any(p == r or r in p.parents for r in roots)
    ]
    assert unchecked == [], f"mypy leaves out {unchecked}"


def test_every_slow_listing_names_a_test_that_exists() -> None:
    """tests/slow.txt (read by tests/conftest.py) never keeps a name whose test was renamed."""
    for raw in (ROOT / "tests" / "slow.txt").read_text(encoding="utf-8").splitlines():
        entry = raw.strip()
        if not entry or entry.startswith("#"):
            continue
        path, _, name = entry.partition("::")
        assert (ROOT / path).is_file(), entry
        if name:
            assert f"def {name}(" in (ROOT / path).read_text(encoding="utf-8"), entry
