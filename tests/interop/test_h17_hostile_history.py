"""Hostile review logs and `cards` rows under `import --with-history`: what a damaged or crafted
package holds must never cost the history the parts of it that are sound."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from retain.cli import main

from .anki_fixture import CARD, changed_package


def _history_line(
    tmp_path: Path, name: str, data: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """The fixture with its reviewed card's `cards.data` set to `data`, imported with its history
    into a home of its own; what the import said of the history (stdout and stderr)."""
    folder = tmp_path / name
    folder.mkdir()

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE cards SET data = ? WHERE id = ?", (data, CARD))

    package = changed_package(folder, change)
    monkeypatch.setenv("RETAIN_HOME", str(folder / "home"))
    assert main(["import", str(package), "--with-history"]) == 0
    said = capsys.readouterr()
    return "\n".join(line for line in (said.out + said.err).splitlines() if "history" in line)


def test_an_fsrs_memory_too_big_for_a_float_in_cards_data_keeps_the_cards_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cards.data` is Anki's JSON; its FSRS memory `s`/`d` is used when it is a usable number and
    the replayed log's otherwise (`_memory`). An integer literal of 400 digits (valid JSON, well
    under Python's digit limit) is no usable number, but `math.isfinite`/`float` raise
    OverflowError on it: `_card_events` then drops the card's whole log, its two sound rows
    counted "left out: a date, state or rating out of range". `1e308` (a float) is fine."""
    sound = _history_line(tmp_path, "float", '{"s": 1e308, "d": 5}', monkeypatch, capsys)
    huge = _history_line(tmp_path, "int", '{"s": 1' + "0" * 400 + ', "d": 5}', monkeypatch, capsys)
    assert sound.startswith("recorded 2 event(s)"), sound
    assert huge == sound  # before the fix: "recorded 0 event(s) ...; 2 left out: ..."


def test_a_dry_run_counts_what_the_import_records_of_a_log_dated_centuries_ahead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Reviews dated 300 years ahead (revlog ids a crafted package can hold; `_in_range` takes
    any date before year 10000) are refused by the store (`validate_state`: more than 200 years
    after now). The import says "recorded 0 event(s) ...; 2 left out", but `--dry-run` said
    "would record 2 event(s) ...; 2 of them dated up to ... days ahead ..., kept"."""
    ahead = 300 * 365 * 86_400_000

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE revlog SET id = id + ? WHERE cid = ?", (ahead, CARD))

    package = changed_package(tmp_path, change)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    said = []
    for dry in (["--dry-run"], []):
        assert main(["import", str(package), "--with-history", *dry]) == 0
        out = capsys.readouterr()
        said += [line for line in (out.out + out.err).splitlines() if "event(s) of review history" in line]
    would, did = said
    assert did.startswith("recorded 0 event(s)"), did
    assert would.startswith("would record 0 event(s)"), would  # before the fix: "would record 2 event(s) ..."
