"""The launch summary read in a forked child (`commands.launch_summary`) gives what reading it here gives."""

from __future__ import annotations

import os
from datetime import UTC
from pathlib import Path

import pytest

from retain.commands import launch_summary
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.index import homesummary

from .conftest import FIXED_NOW

needs_fork = pytest.mark.skipif(not hasattr(os, "fork") or (os.cpu_count() or 1) < 2, reason="no fork")


@pytest.fixture
def summarised(retain_home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr("retain.store.localzone.local_timezone", lambda: UTC)
    Collection.open(open_home(), FIXED_NOW, tz=UTC).close(FIXED_NOW, save_summary=True)
    return retain_home


@needs_fork
def test_the_child_reads_what_this_process_reads(summarised: Path) -> None:
    home = open_home()
    here = launch_summary.load_here(home, FIXED_NOW)
    assert here is not None and here.decks and here.counts
    reading = launch_summary.start(home, FIXED_NOW)
    assert reading is not None
    assert reading.result(home, FIXED_NOW) == here


@needs_fork
def test_no_summary_is_none_from_the_child_too(retain_home: Path) -> None:
    home = open_home()
    reading = launch_summary.start(home, FIXED_NOW)
    assert reading is not None
    assert reading.result(home, FIXED_NOW) is None


@needs_fork
def test_a_failing_child_leaves_the_reading_to_this_process(
    summarised: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    parent = os.getpid()
    load = homesummary.load_summary

    def only_here(*args: object, **kwargs: object) -> object:
        if os.getpid() != parent:
            raise OSError("the child cannot read")
        return load(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(homesummary, "load_summary", only_here)
    home = open_home()
    reading = launch_summary.start(home, FIXED_NOW)
    assert reading is not None
    found = reading.result(home, FIXED_NOW)
    assert found is not None and found == launch_summary.load_here(home, FIXED_NOW)


def test_without_fork_it_is_read_here(summarised: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "fork")
    assert launch_summary.start(open_home(), FIXED_NOW) is None
