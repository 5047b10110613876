"""Snapshots of custom study and exam dates at 80x24 (fixed clock and decks, as test_snapshots.py).

Regenerate with `pytest tests/ui/test_custom_study_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import OpenApp
from .test_snapshots import counted

SnapCompare = Any
SIZE = (80, 24)


def test_custom_study_chooser(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(), press=["down", "C"], terminal_size=SIZE)


def test_cram_session_header_and_buttons(open_app: OpenApp, snap_compare: SnapCompare) -> None:
    assert snap_compare(open_app(), press=["down", "C", "c", "space"], terminal_size=SIZE)


def test_home_with_exam_forecast(retain_home: Path, open_app: OpenApp, snap_compare: SnapCompare) -> None:
    (retain_home / "config.toml").write_text(
        "[study]\nfuzz = false\n\n[exam.kafka]\ndate = 2025-03-24\nrecall = 0.9\n", encoding="utf-8"
    )
    assert snap_compare(open_app(), terminal_size=SIZE, run_before=counted)
