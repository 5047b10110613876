"""Counts of one are said in the singular on the stats screen (a `--days 1` period said "1 days")."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.mark.parametrize(("days", "label"), [("1", "1&#160;day&#160;"), ("2", "2&#160;days&#160;")])
def test_a_custom_period_is_named_in_the_singular_for_one_day(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, days: str, label: str
) -> None:
    from retain.cli import main

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    svg = tmp_path / "s.svg"
    assert main(["stats", "--days", days, "--svg", str(svg)]) == 0
    text = svg.read_text(encoding="utf-8")
    assert label in text
    assert "&#160;1&#160;days&#160;" not in text
