"""State loading: a late journal file after an upgrade, a renamed device folder's positions."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from store_helpers import NOW, make_home, open_col, rate, review_state

from retain.core.state import Event
from retain.store.state.journal import JournalWriter

FEB = NOW - timedelta(days=40)
LATER = NOW + timedelta(minutes=5)


def _write(folder: Path, events: list[Event]) -> None:
    writer = JournalWriter(folder, fsync=False)
    writer.append_many(events)
    writer.close()


def _review(device: str, n: int, key: str, at: datetime) -> Event:
    return Event(f"{device}-{n}", "review", key, at, review_state(at, days=2), None, 3)


def _laptop(tmp_path: Path, events: list[Event]) -> tuple[Path, Path, Path]:
    """The laptop's journal files written in a staging folder: (device folder in state, feb, mar)."""
    staging = tmp_path / "laptop-staging"
    _write(staging, events)
    folder = tmp_path / "state" / "devices" / "laptop-1"
    folder.mkdir(parents=True)
    (feb,) = staging.glob("journal-*-02.toml")
    (mar,) = staging.glob("journal-*-03.toml")
    return folder, feb, mar


def test_upgrade_manifest_without_files_then_a_late_file_after_a_session_with_nothing_to_compact(
    tmp_path: Path,
) -> None:
    """A manifest from before [files] counts older files as applied; a first session after the
    upgrade that rates nothing never writes the table, so February synced after it is lost."""
    home = make_home(tmp_path)
    feb = _review("laptop-1", 1, "tiny/two", FEB)
    mar = _review("laptop-1", 2, "tiny/one", NOW - timedelta(days=1))
    folder, feb_file, mar_file = _laptop(tmp_path, [feb, mar])
    shutil.copy2(mar_file, folder)
    col = open_col(home, NOW)
    rate(col, "tiny/three:c1", NOW)
    col.close(NOW)
    manifest = tmp_path / "state" / "snapshots.toml"
    text = manifest.read_text()
    old = text[: text.index("\n[files.")] + "\n"  # as the retain before today wrote it
    manifest.write_text(old)
    col = open_col(home, NOW + timedelta(minutes=1))  # the upgraded retain: a look, no rating
    col.close(NOW + timedelta(minutes=1))
    shutil.copy2(feb_file, folder)  # then February lands
    col = open_col(home, LATER)
    try:
        assert col.states.get("tiny/two") == feb.after, col.messages
    finally:
        col.close(LATER)


def test_a_renamed_device_folder_does_not_resuspend_a_card_unsuspended_since(tmp_path: Path) -> None:
    """`mv devices/laptop-1 devices/laptop` (now read as a device of its own): its whole journal is
    applied again from the start, so the laptop's February suspend comes back over the
    desktop's later March unsuspend."""
    from dataclasses import replace

    home = make_home(tmp_path)
    folder = tmp_path / "state" / "devices" / "laptop-1"
    reviewed = review_state(FEB - timedelta(hours=1))
    on = replace(reviewed, suspended=True)
    _write(
        folder,
        [
            Event("laptop-1-1", "review", "tiny/one", FEB - timedelta(hours=1), reviewed, None, 3),
            Event("laptop-1-2", "suspend", "tiny/one", FEB, on, reviewed),
        ],
    )
    (folder / "device.toml").write_text(
        'format = 1\nid = "laptop-1"\nhost = "laptop"\nhost_key = "00000000000000000000"\n'
        "created = 2026-01-01T00:00:00Z\n"
    )
    col = open_col(home, NOW)
    assert col.states["tiny/one"].suspended
    col.record(Event(col.new_event_id(NOW), "unsuspend", "tiny/one", NOW, reviewed, on))
    col.close(NOW)
    col = open_col(home, NOW + timedelta(minutes=1))
    assert not col.states["tiny/one"].suspended
    col.close(NOW + timedelta(minutes=1))
    folder.rename(folder.with_name("laptop"))
    col = open_col(home, LATER)
    try:
        assert not col.states["tiny/one"].suspended, col.messages
    finally:
        col.close(LATER)
