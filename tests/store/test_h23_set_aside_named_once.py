"""h23: a damaged journal record is said once, naming its device folder.

One damaged record in a synced journal gave two lines: `journal-2026-12.toml: damaged event at
byte 124 set aside` (the state load's: every device folder has a file of that name, so it did not
say which) and `<device>/journal-2026-12.toml: 1 damaged record(s) at byte 124 left out of the
history; ...` (the history index's, about the same bytes). Every set-aside line now names
`<device>/<name>` and the bytes it takes, and the history index leaves out the records its
owner's lines have set aside already: one line per problem.
"""

from __future__ import annotations

import shutil
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import KEYS, NOW, make_home, open_col, review_state
from test_store_journal_v1 import V1_HEADER, v1_block

from retain.core.state import Event
from retain.core.studyday import StudyDay
from retain.store.index import History
from retain.store.state.journal import JournalWriter, scan_file
from retain.store.state.statecodec import encode_event

LAPTOP = "laptop0000aa"


def _events(device: str, n: int) -> list[Event]:
    return [
        Event(
            f"{device}-{i}",
            "review",
            KEYS[i % len(KEYS)],
            NOW - timedelta(hours=n - i),
            review_state(NOW),
            None,
            3,
        )
        for i in range(n)
    ]


def _journal(root: Path, device: str = LAPTOP, n: int = 6) -> Path:
    writer = JournalWriter(root / "state" / "devices" / device, fsync=False)
    writer.append_many(_events(device, n))
    writer.close()
    (path,) = (root / "state" / "devices" / device).glob("journal-*.toml")
    return path


def _records(path: Path) -> list[int]:
    """Where each record line starts."""
    data, at, out = path.read_bytes(), 0, []
    for line in data.split(b"\n"):
        if line[:1].isdigit():
            out.append(at)
        at += len(line) + 1
    return out


def _break(path: Path, offsets: list[int]) -> None:
    """A wrong byte in each record at `offsets` (its CRC no longer matches)."""
    data = bytearray(path.read_bytes())
    for off in offsets:
        data[off + 2 : off + 3] = b"#"
    path.write_bytes(bytes(data))


def _hostile(path: Path) -> int:
    """A record appended with a NaN stability under a matching CRC; returns its offset."""
    at = path.stat().st_size
    line = encode_event(_events(LAPTOP, 1)[0], offset=at).replace(b"S=3.0", b"S=nan")
    body = line[: line.rindex(b'c="')]
    path.write_bytes(path.read_bytes() + body + b'c="%08x"}\n' % zlib.crc32(body))
    return at


def test_every_set_aside_line_names_the_device_folder(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    starts = _records(path)
    _break(path, [starts[1], starts[3], starts[4]])
    hostile = _hostile(path)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    label = f"{LAPTOP}/{path.name}"
    end = starts[5] - 1  # the last byte of the second run (records 3 and 4)
    assert scan.problems[:2] == [
        f"{label}: damaged event at byte {starts[1]} set aside",
        f"{label}: damaged event at bytes {starts[3]} to {end} set aside",
    ]
    assert scan.problems[2].startswith(f"{label}: event at byte {hostile} set aside: ")
    assert len(scan.problems) == 3


def test_a_format_1_journals_lines_name_the_device_folder_too(tmp_path: Path) -> None:
    folder = tmp_path / "state" / "devices" / LAPTOP
    folder.mkdir(parents=True)
    events = _events(LAPTOP, 3)
    blocks = [v1_block(e) for e in events]
    blocks[1] = blocks[1].replace(b"rating = 3", b"rating = 4")  # its CRC no longer matches
    path = folder / "journal-2026-03.toml"
    path.write_bytes(V1_HEADER + b"".join(blocks))
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    at = len(V1_HEADER) + len(blocks[0])
    assert scan.problems == [f"{LAPTOP}/journal-2026-03.toml: damaged event at byte {at} set aside"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(broken=st.sets(st.integers(0, 11), max_size=8), hostile=st.booleans())
def test_the_set_aside_lines_read_back_as_exactly_the_bytes_set_aside(
    tmp_path: Path, broken: set[int], hostile: bool
) -> None:
    """`set_aside_spans` of a scan's lines covers every record it set aside, and nothing else."""
    from retain.store.state.journal import set_aside_spans

    shutil.rmtree(tmp_path / "state", ignore_errors=True)
    path = _journal(tmp_path, n=12)
    starts = _records(path)
    _break(path, [starts[i] for i in sorted(broken)])
    if hostile:
        _hostile(path)
    scan = scan_file(path, 0, NOW + timedelta(days=1))
    spans = set_aside_spans(scan.problems)
    assert set(spans) <= {f"{LAPTOP}/{path.name}"}
    flat = spans.get(f"{LAPTOP}/{path.name}", [])
    good = {pos.offset for pos, _e in scan.events}
    assert all(any(a <= o <= b for a, b in flat) for o in scan.bad_at)
    assert not any(a <= o <= b for a, b in flat for o in good)
    assert sorted(a for a, _b in flat) == sorted({a for a, _b in flat}) and {a for a, _b in flat} <= set(
        scan.bad_at
    )


def _history(root: Path, said: list[str] | None) -> History:
    return History(
        root / "state", root / "cache", StudyDay(4, UTC), said=None if said is None else lambda: said
    )


def test_the_history_index_leaves_out_the_records_its_owner_said(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    starts = _records(path)
    _break(path, [starts[1], starts[4]])
    label = f"{LAPTOP}/{path.name}"
    store = scan_file(path, 0, NOW).problems  # what the state load said of the file
    assert len(store) == 2
    history = _history(tmp_path, store)
    history.count(NOW)
    assert [m for m in history.messages if "damaged" in m] == []  # both said: nothing more
    history.close()
    shutil.rmtree(tmp_path / "cache")
    history = _history(tmp_path, store[1:])  # one said (a state load read on from a position)
    history.count(NOW)
    assert [m for m in history.messages if "damaged" in m] == [
        f"{label}: 1 damaged record(s) at byte {starts[1]} left out of the history; the file is unchanged"
    ]
    history.close()
    shutil.rmtree(tmp_path / "cache")
    other = [f"other/{path.name}: damaged event at byte {starts[1]} set aside"]  # another folder's file
    history = _history(tmp_path, other)
    history.count(NOW)
    assert len([m for m in history.messages if "damaged" in m]) == 1
    history.close()


def test_a_history_without_an_owner_says_every_damaged_record(tmp_path: Path) -> None:
    path = _journal(tmp_path)
    starts = _records(path)
    _break(path, [starts[2]])
    history = _history(tmp_path, None)
    history.count(NOW)
    assert [m for m in history.messages if "damaged" in m] == [
        f"{LAPTOP}/{path.name}: 1 damaged record(s) at byte {starts[2]} left out of the history; "
        "the file is unchanged"
    ]
    history.close()


def test_a_files_other_line_stays_when_its_damaged_records_were_said(tmp_path: Path) -> None:
    """A record line repeated (copied whole) is the history index's alone to say."""
    path = _journal(tmp_path)
    starts = _records(path)
    data = path.read_bytes()
    first = data[starts[0] : data.index(b"\n", starts[0]) + 1]
    path.write_bytes(data + first)  # the first record's line again at the end (its offset differs)
    _break(path, [starts[3]])
    store = scan_file(path, 0, NOW).problems
    history = _history(tmp_path, store)
    history.count(NOW)
    (line,) = [m for m in history.messages if path.name in m]
    assert "damaged" not in line and "repeat an event already read" in line
    history.close()


@pytest.mark.parametrize("read_only", [True, False])
def test_a_damaged_record_of_a_synced_journal_is_said_once(tmp_path: Path, read_only: bool) -> None:
    """The attack's case: the laptop's journal, damaged in place, read on this computer."""
    home = make_home(tmp_path)
    open_col(home).close(NOW)
    path = _journal(tmp_path)
    starts = _records(path)
    _break(path, [starts[2]])
    col = open_col(home, NOW + timedelta(minutes=1), read_only=read_only)
    try:
        col.history(NOW)  # (what `retain due` and the home screen read)
        said = [m for m in col.messages if str(starts[2]) in m]
        assert said == [f"{LAPTOP}/{path.name}: damaged event at byte {starts[2]} set aside"], col.messages
    finally:
        col.close(NOW + timedelta(minutes=1))


def test_retain_due_says_a_damaged_record_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from retain.cli import main

    home = make_home(tmp_path)
    open_col(home, datetime.now(UTC)).close()
    path = _journal(tmp_path)
    starts = _records(path)
    _break(path, [starts[2]])
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    capsys.readouterr()
    assert main(["due"]) == 0
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if "damaged" in line or "set aside" in line] == [
        f"retain: warning: {LAPTOP}/{path.name}: damaged event at byte {starts[2]} set aside"
    ]


def test_the_torn_tail_and_header_lines_name_the_device_folder_too(tmp_path: Path) -> None:
    """Every line about a journal names `<device>/<file>`: the cut-off tail's and the header's."""
    from store_helpers import NOW, journal_paths, make_home, open_col, rate

    home = make_home(tmp_path)
    col = open_col(home)
    rate(col, "tiny/one", NOW)
    col.close(NOW)
    (journal,) = journal_paths(tmp_path)
    label = f"{journal.parent.name}/{journal.name}"
    with journal.open("ab") as fh:
        fh.write(b'99999={i=1,u="tiny/two",t=2026-03-28T12:0')  # a crash mid-write
    col = open_col(home)
    try:
        assert any(m.startswith(f"{label}: an unfinished event at the end") for m in col.messages), (
            col.messages
        )
    finally:
        col.close(NOW)
    data = journal.read_bytes()
    journal.write_bytes(b"garbage header\n" + data.split(b"\n", 1)[1])
    col = open_col(home)
    try:
        assert any(m.startswith(f"{label}: ") and "header" in m for m in col.messages), col.messages
    finally:
        col.close(NOW)
