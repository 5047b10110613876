"""h36: importing retain's own `.apkg --with-progress` export back adds no set-aside event.

Found: each round trip of a suspended new card (export `--with-progress`, `import --with-history`)
recorded another `suspend` event, dated at the export (4 after 3 round trips), which also hid the
card's reverse side for the rest of that day: the export wrote every card's `mod` as the export
time, and the import dates a set-aside new card's event by `mod`. Now a card's `mod` is the time
of its last event retain knows (to the second, as Anki keeps it)."""

from __future__ import annotations

import sqlite3
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.core.state import CardState
from retain.interop.anki.apkg_write import ApkgOptions, write_apkg
from retain.interop.bundle import Review

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli


def _mods(path: Path, tmp: Path) -> list[int]:
    db = tmp / "c.anki2"
    with zipfile.ZipFile(path) as zf:
        db.write_bytes(zf.read("collection.anki2"))
    conn = sqlite3.connect(db)
    try:
        return [row[0] for row in conn.execute("SELECT mod FROM cards ORDER BY ord")]
    finally:
        conn.close()


def test_mod_is_the_last_change(tmp_path: Path) -> None:
    deck = Deck(id="d", name="D", cards=(Card(id="a", kind="reversed", front="q", back="a"),))
    suspended = CardState(0, suspended=True)
    at = datetime(2026, 3, 1, 8, 30, 15, 345_678, tzinfo=UTC)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    reviews = [
        Review("d/a", datetime(2026, 2, 1, tzinfo=UTC), suspended, None, "suspend"),
        Review("d/a", at, suspended, suspended, "suspend"),
    ]
    out = tmp_path / "d.apkg"
    write_apkg([deck], out, ApkgOptions(now=now, states={"d/a": suspended}, reviews=reviews))
    assert _mods(out, tmp_path) == [int(at.timestamp()), int(now.timestamp())]  # reverse: no event


MAKE = r"""
import sys, os
from anki.collection import Collection, ExportAnkiPackageOptions
w = sys.argv[1]; os.makedirs(w + "/anki")
col = Collection(w + "/anki/col.anki2")
n = col.new_note(col.models.by_name("Basic (and reversed card)")); n["Front"] = "perro"; n["Back"] = "dog"
col.add_note(n, col.decks.id("Rev"))
col.sched.suspend_cards([c.id for c in n.cards() if c.ord == 0])
col.db.execute("update cards set mod = 1700000000 where ord = 0")  # suspended long ago
col.export_anki_package(out_path=w + "/rev.apkg", options=ExportAnkiPackageOptions(with_scheduling=True,
    with_media=True, legacy=False), limit=None)
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")
def test_round_trips_add_no_suspend(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run_anki(tmp_path, MAKE, str(tmp_path))
    code, out, err = run_cli(capsys, "import", str(tmp_path / "rev.apkg"), "--with-history")
    assert code == 0, err
    for i in range(3):
        package = tmp_path / f"rev-{i}.apkg"
        code, _, err = run_cli(capsys, "export", "rev", "-o", str(package), "--with-progress")
        assert code == 0, err
        code, out, err = run_cli(capsys, "import", str(package), "--with-history")
        assert code == 0, err
        assert "recorded 0 event" in out + err or "recorded" not in out + err, out + err
    journal = "".join(p.read_text(encoding="utf-8") for p in home.rglob("journal-*.toml"))
    assert journal.count('k="suspend"') == 1


def test_a_suspend_made_here_comes_back_held_the_first_time(
    home: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A suspend made in retain is dated to the microsecond, Anki keeps `mod` in whole seconds:
    the first round trip found no held event at the second and recorded the suspend again."""
    from retain.store.collection import Collection
    from retain.store.home import open_home

    at = datetime.now(UTC).replace(microsecond=456_789)
    col = Collection.open(open_home(), at)
    try:
        session = col.start_session(["kafka"], at)
        assert session.current is not None
        session.suspend(at)
    finally:
        col.close(at)
    package = tmp_path / "kafka.apkg"
    code, _, err = run_cli(capsys, "export", "kafka", "-o", str(package), "--with-progress")
    assert code == 0, err
    code, out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    assert "recorded 0 event(s)" in out, out
    journal = "".join(p.read_text(encoding="utf-8") for p in home.rglob("journal-*.toml"))
    assert journal.count('k="suspend"') == 1
