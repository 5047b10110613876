"""Every crafted `.apkg` (tests/fixtures/make_hostile_apkg.py) through the real `retain import`.

A refused package gives exit 1 and exactly one line, `retain: import refused: ...`,
naming why, and leaves nothing in the deck folder. An accepted one imports with
no terminal escape in the output. Nothing is ever written outside RETAIN_HOME,
and a bomb never fills the temp folder: the expansion stops at its limit.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .conftest import retain, unsafe_in

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fixtures"))
from make_hostile_apkg import CASES, Case, build_all

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Case]]:
    return build_all(tmp_path_factory.mktemp("hostile-apkg"))


def _files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.mark.parametrize("name", [c.name for c in CASES])
def test_crafted_package(name: str, packages: dict[str, tuple[Path, Case]], tmp_path: Path) -> None:
    path, case = packages[name]
    home = tmp_path / "home"
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    run = retain(home, "import", str(path), timeout=120, cwd=tmp)
    assert unsafe_in(run.out) == [] and unsafe_in(run.err) == []
    if case.expect == "refuse":
        assert run.code == 1, (run.out, run.err)
        assert len(run.err_lines) == 1, run.err
        assert run.err_lines[0].startswith("retain: import refused:"), run.err
        assert case.needle in run.err_lines[0], run.err_lines[0]
        assert "Traceback" not in run.err.decode()
        assert not [f for f in _files(home / "decks") if f.endswith(".toml")]
        assert not _files(home / "decks")  # no media either
    else:
        assert run.code == 0, run.err
        assert case.needle in run.out.decode()
    assert _files(tmp) == []  # nothing written where the command ran


def test_every_attack_is_small_on_disk(packages: dict[str, tuple[Path, Case]]) -> None:
    """The bombs are bombs: tiny packages that expand to gigabytes if nothing stops them."""
    assert all(path.stat().st_size < 300_000 for path, _ in packages.values())
