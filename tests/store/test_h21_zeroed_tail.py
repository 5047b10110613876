"""A journal whose end was zeroed or overwritten (power loss, disk damage) is cut at its last good
record as a torn tail is, but the line says what it is: "an unfinished event (from a crash)"
was said of 700 zeroed bytes that held five complete reviews."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from store_helpers import KEYS, NOW, journal_paths, make_home, open_col, rate


def _rated(root: Path) -> Path:
    col = open_col(make_home(root), NOW)
    for n in range(12):
        rate(col, KEYS[n % len(KEYS)], NOW + timedelta(minutes=n))
    col.close(NOW + timedelta(minutes=12))
    (journal,) = journal_paths(root)
    return journal


def _said(root: Path) -> list[str]:
    at = NOW + timedelta(hours=1)
    col = open_col(make_home(root), at)
    try:
        return [m for m in col.messages if "journal-" in m and "cut off" in m]
    finally:
        col.close(at)


def test_a_zeroed_tail_is_said_to_be_damage_with_its_size(tmp_path: Path) -> None:
    journal = _rated(tmp_path)
    data = journal.read_bytes()
    journal.write_bytes(data[:-700] + b"\0" * 700)
    (line,) = _said(tmp_path)
    cut = re.search(r"its last (\d+) bytes were damaged", line)
    assert cut is not None and int(cut.group(1)) >= 700, line  # (and the record the zeros began in)
    assert "unfinished event" not in line, line
    assert "reviews in them are missing from the history" in line, line


def test_a_tail_torn_by_a_crash_is_still_said_so(tmp_path: Path) -> None:
    journal = _rated(tmp_path)
    data = journal.read_bytes()
    journal.write_bytes(data[:-40])  # the last record cut short: a crash in the middle of a write
    (line,) = _said(tmp_path)
    assert "an unfinished event at the end (from a crash) was cut off" in line, line
