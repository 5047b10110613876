"""The history index's own reads of a journal (`ingest._tail`, `parallel.chunks`) opened the file
its caller had checked with `stat`: a FIFO swapped in since (a sync tool) blocked the index
forever, so `retain due`, `stats` and the TUI hung. Each is given the FIFO here."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retain.store.files import NotRegularFileError
from retain.store.index import ingest, parallel

from .test_h12_races import no_hang

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")


def test_the_index_never_waits_on_a_journal_swapped_for_a_fifo(tmp_path: Path) -> None:
    pipe = tmp_path / "journal-2026-03.toml"
    os.mkfifo(pipe)
    with pytest.raises(NotRegularFileError, match="a FIFO"):
        no_hang(pipe, lambda: ingest._tail(pipe, 120))  # (a caller's `except OSError` takes it)
    # the whole file as one piece: its reader (`journal.scan_file`) says the one line about it
    assert no_hang(pipe, lambda: parallel.chunks(pipe, 0, 1 << 30)) == [(pipe, 0, None)]


def test_state_reads_after_a_check_never_wait_on_a_fifo(tmp_path: Path) -> None:
    """The same class in the state folder: a damaged snapshot's quarantine copy, and a conflict
    copy's journal written into its own folder, read a file after checking it."""
    from retain.store.state import journal_copies, snapshot_load

    pipe = tmp_path / "snapshot-kafka.toml"
    os.mkfifo(pipe)
    assert no_hang(pipe, lambda: snapshot_load._read_or_none(pipe)) is None
    journal = tmp_path / "journal-2026-03.toml"
    os.mkfifo(journal)
    no_hang(journal, lambda: journal_copies._write_journal(tmp_path, "dev", journal.name, []))
    assert journal.is_file() and not journal.is_fifo()  # written in its place
