"""Test markers by location: `python -m pytest -m "not slow"` is the quick loop; CI runs everything.

- `e2e`: drives the installed app in a pseudo-terminal or tmux (tests/e2e); also `slow`.
- `slow`: seconds each, or minutes together: SVG snapshots, crash and two-process
  tests, and the larger hypothesis round trips; and the single tests listed in
  tests/slow.txt (0.5 s of CPU or more each, measured).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

SLOW = (
    "tests/e2e/",
    "tests/store/test_store_sigkill.py",
    "tests/store/test_store_two_processes.py",
    "tests/ui/test_snapshots.py",
    "tests/ui/test_stats_snapshots.py",
    "tests/authoring/test_ui_snapshots.py",
    "tests/interop/test_roundtrip.py",
    "tests/interop/test_real_anki.py",
    "tests/foundation/test_roundtrip.py",
    "tests/authoring/test_deckedit.py::test_random_edits_change_only_that_card",
)


def _listed_slow() -> tuple[str, ...]:
    """tests/slow.txt: node ids of the single tests that are slow (0.5 s of CPU or more)."""
    text = (Path(__file__).parent / "slow.txt").read_text(encoding="utf-8")
    return tuple(s for s in (raw.strip() for raw in text.splitlines()) if s and not s.startswith("#"))


SLOW_TESTS = _listed_slow()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        nodeid = item.nodeid
        if nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.e2e)
        if nodeid.startswith(SLOW + SLOW_TESTS) or item.get_closest_marker("e2e") is not None:
            item.add_marker(pytest.mark.slow)


@pytest.fixture
def wide_named_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """RETAIN_HOME with two one-card decks named in wide (CJK) and accented characters, for the
    tables that pad names by terminal columns (`retain due`, `retain stats`)."""
    decks = tmp_path / "decks"
    decks.mkdir()
    for deck_id, name in (("jp", "日本語の単語"), ("es", "Español — niño")):
        (decks / f"{deck_id}.toml").write_text(
            f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{name}"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
            "utf-8",
        )
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture(autouse=True)
def _collector_as_it_was() -> Iterator[None]:
    """The cyclic GC back as it was after each test: a command run in-process (`retain stats`,
    `retain due` turn it off for good: a short-lived process) must not leave it off for the tests
    after it (`test_the_collector_is_on_again_after_an_import` checks an import's own switch)."""
    was_on = gc.isenabled()
    yield
    if was_on:
        gc.enable()
    else:
        gc.disable()
