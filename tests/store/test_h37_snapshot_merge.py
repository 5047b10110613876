"""A snapshot (or manifest) that is not exactly as retain wrote it is not trusted.

Attacker 58: the data folder kept in git, both computers rate the same card before syncing,
and the pull is resolved with `git pull -X theirs`, which merges a snapshot hunk by hunk: this
computer's journal positions stay, the card's record is the other side's, and the `written`
stamp matches the manifest. That mixed file was trusted: this computer's later rating was gone
from the card's state, without a word. Each snapshot and the manifest now carry a digest of
their content in their `[end]` table; a file that does not match it is read as if it were not
there (its deck rebuilt from the journals), with one line.

Also: a synced computer whose clock runs days ahead gave the one-line note about events dated
ahead only when its journal was read past the snapshot; with its snapshot synced along, none.
"""

from __future__ import annotations

import contextlib
import re
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from store_helpers import NOW, delete_snapshots, make_home, open_col, rate, review_state

import retain.store.state.device as device_mod
from retain.core.state import CardState
from retain.store.collection import Collection
from retain.store.state.journal import Position
from retain.store.state.snapshot import (
    Manifest,
    SnapshotDamaged,
    encode_snapshot,
    parse_snapshot,
    read_manifest,
    write_manifest,
)

KEY = "tiny/one"
UNTRUSTED = "not as retain wrote it"


@contextlib.contextmanager
def _computer(name: str) -> Iterator[None]:
    was = device_mod.host_key
    device_mod.host_key = lambda: f"computer-{name}"
    try:
        yield
    finally:
        device_mod.host_key = was


@contextlib.contextmanager
def _opened(root: Path, computer: str, at: datetime) -> Iterator[Collection]:
    with _computer(computer):
        col = open_col(make_home(root), at, fsync=False)
        try:
            yield col
        finally:
            col.close(at)


def _open(root: Path, computer: str, at: datetime) -> tuple[dict[str, CardState], list[str]]:
    with _opened(root, computer, at) as col:
        return dict(col.states), list(col.messages)


def _replayed(root: Path, computer: str, at: datetime, scratch: Path) -> dict[str, CardState]:
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(root, scratch, symlinks=True)
    delete_snapshots(scratch, cache=True)
    return _open(scratch, computer, at)[0]


def _journals(src: Path, dst: Path) -> None:
    """Every device folder of `src` into `dst` (a journal only grows: the longer copy wins)."""
    for folder in sorted((src / "state" / "devices").iterdir()):
        target = dst / "state" / "devices" / folder.name
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(p for p in folder.iterdir() if p.is_file()):
            out = target / path.name
            if not out.is_file() or out.stat().st_size < path.stat().st_size:
                shutil.copyfile(path, out)


def _split(text: str, at: str) -> tuple[str, str]:
    i = text.index(at)
    return text[:i], text[i:]


def _hunk_mix(mine: str, theirs: str, table: str) -> str:
    """What a hunk-by-hunk merge leaves when it takes one side's lines from `table` on (the card
    records, or the manifest's `[snapshots]`) and the other side's before: positions of one file,
    records (and `[end]`) of the other."""
    return _split(mine, table)[0] + _split(theirs, table)[1]


def _two_computers(tmp_path: Path) -> tuple[Path, Path, datetime]:
    """Computer a rates the card, b gets the folder and rates it at +1 h, a (not synced yet)
    rates it again at +2 h: a's is the latest rating. Each has compacted its own snapshots."""
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a)
    with _opened(a, "a", NOW) as col:
        rate(col, KEY, NOW, 3)
    shutil.copytree(a, b, symlinks=True)
    shutil.rmtree(b / "cache", ignore_errors=True)
    with _opened(b, "b", NOW + timedelta(hours=1)) as col:
        rate(col, KEY, NOW + timedelta(hours=1), 4)
    with _opened(a, "a", NOW + timedelta(hours=2)) as col:
        rate(col, KEY, NOW + timedelta(hours=2), 1)
    return a, b, NOW + timedelta(hours=3)


@pytest.mark.parametrize("records_from", ["theirs", "mine"])
@pytest.mark.parametrize("manifest", ["theirs", "mine", "mixed"])
def test_a_hunk_merged_snapshot_gives_what_the_journals_give(
    tmp_path: Path, records_from: str, manifest: str
) -> None:
    a, b, later = _two_computers(tmp_path)
    _journals(b, a)
    snap_a, snap_b = (r / "state" / "snapshots" / "tiny.toml" for r in (a, b))
    mine, theirs = snap_a.read_text("utf-8"), snap_b.read_text("utf-8")
    if records_from == "theirs":  # `git pull -X theirs`: a's positions, b's card records
        mixed = _hunk_mix(mine, theirs, "[cards.")
    else:  # `-X ours` from b's side: b's positions, a's card records
        mixed = _hunk_mix(theirs, mine, "[cards.")
    assert mixed not in (mine, theirs)
    snap_a.write_text(mixed, "utf-8")
    man_a, man_b = (r / "state" / "snapshots.toml" for r in (a, b))
    written = re.search(r"(?m)^written = .*$", theirs if records_from == "theirs" else mine)
    assert written is not None
    if manifest == "theirs":
        shutil.copyfile(man_b, man_a)
    elif manifest == "mixed":
        man_a.write_text(_hunk_mix(man_a.read_text("utf-8"), man_b.read_text("utf-8"), "[snapshots]"))
    # the `written` stamp of the record side: the manifest's [snapshots] names that very file
    snap_a.write_text(re.sub(r"(?m)^written = .*$", written[0], mixed), "utf-8")
    shutil.rmtree(a / "cache", ignore_errors=True)
    want = _replayed(a, "a", later, tmp_path / "replay")
    assert want[KEY].last_review == NOW + timedelta(hours=2)  # a's rating is the latest
    got, said = _open(a, "a", later)
    assert got == want
    lines = [m for m in said if UNTRUSTED in m]
    assert lines and all("\n" not in m for m in lines)
    assert any("snapshots/tiny.toml" in m or "tiny.toml" in m for m in lines)
    # the compaction wrote a snapshot retain trusts again: the next start says nothing
    got, said = _open(a, "a", later + timedelta(minutes=1))
    assert got == want
    assert not [m for m in said if UNTRUSTED in m]


def test_a_hunk_merged_manifest_is_not_trusted(tmp_path: Path) -> None:
    """b's whole snapshot, and a manifest with a's positions but b's `[snapshots]` stamps: read
    whole, b's snapshot was taken to be complete up to a's positions, past a's latest rating."""
    a, b, later = _two_computers(tmp_path)
    _journals(b, a)
    shutil.copyfile(b / "state" / "snapshots" / "tiny.toml", a / "state" / "snapshots" / "tiny.toml")
    man_a, man_b = (r / "state" / "snapshots.toml" for r in (a, b))
    man_a.write_text(_hunk_mix(man_a.read_text("utf-8"), man_b.read_text("utf-8"), "[snapshots]"))
    shutil.rmtree(a / "cache", ignore_errors=True)
    want = _replayed(a, "a", later, tmp_path / "replay")
    got, said = _open(a, "a", later)
    assert got == want
    assert [m for m in said if "snapshots.toml" in m and UNTRUSTED in m]


def test_a_snapshot_from_an_older_retain_without_a_digest_reads_as_before(tmp_path: Path) -> None:
    text = encode_snapshot(
        "tiny", {KEY: review_state(NOW)}, {"dev1": Position("journal-2026-03.toml", 9)}, NOW
    )
    old = re.sub(r'(?m)^digest = ".*"\n', "", text)
    assert old != text
    snap = parse_snapshot(Path("tiny.toml"), old, NOW)
    assert snap.trusted and snap.states == {KEY: review_state(NOW)} and not snap.problems


_STATES = st.dictionaries(
    st.sampled_from(["tiny/one", "tiny/two", "tiny/two:reverse", "tiny/three:c1"]),
    st.builds(
        review_state,
        st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)),
        st.floats(min_value=0.5, max_value=300),
        st.floats(min_value=0.1, max_value=900),
    ),
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(states=_STATES, offset=st.integers(0, 10**9), crlf=st.booleans(), cut=st.data())
def test_the_digest_holds_for_the_file_as_written_and_for_no_edit(
    states: dict[str, CardState], offset: int, crlf: bool, cut: st.DataObject
) -> None:
    path = Path("tiny.toml")
    text = encode_snapshot("tiny", states, {"dev1": Position("journal-2026-03.toml", offset)}, NOW)
    if crlf:  # (git's autocrlf on checkout): the same content
        text = text.replace("\n", "\r\n")
    snap = parse_snapshot(path, text, NOW)
    assert snap.trusted and set(snap.states) == set(states) and not snap.problems
    # any one line of the content changed (not the comment line above it): not trusted
    lines = text.splitlines(keepends=True)
    i = cut.draw(st.integers(1, len(lines) - 1))
    if lines[i].strip() in ("", "[end]") or lines[i].startswith("digest"):
        return
    edited = "".join([*lines[:i], lines[i].rstrip("\r\n") + " # edited\n", *lines[i + 1 :]])
    try:
        snap = parse_snapshot(path, edited, NOW)
    except SnapshotDamaged:
        return  # (a count line edited so it no longer parses as one)
    assert not snap.trusted


def test_a_backup_that_does_not_match_its_digest_is_passed_over(tmp_path: Path) -> None:
    text = encode_snapshot("tiny", {KEY: review_state(NOW)}, {}, NOW)
    edited = text.replace("reps = 2", "reps = 3")
    assert edited != text
    with pytest.raises(SnapshotDamaged, match=UNTRUSTED):
        parse_snapshot(Path("tiny.toml"), edited, NOW, whole=True)


def test_a_manifest_edited_is_not_trusted_and_one_as_written_is(tmp_path: Path) -> None:
    state = tmp_path / "state"
    state.mkdir()
    write_manifest(
        state, ["tiny"], {"dev1": Position("journal-2026-03.toml", 40)}, NOW, written={"tiny": NOW}
    )
    assert read_manifest(state).positions == {"dev1": Position("journal-2026-03.toml", 40)}
    path = state / "snapshots.toml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("\n", "\r\n"), "utf-8")
    assert read_manifest(state).decks == {"tiny"}
    path.write_text(text.replace("offset = 40", "offset = 400"), "utf-8")
    assert read_manifest(state) == Manifest(set(), {}, {}, trusted=False)
    path.write_text(re.sub(r'(?m)^digest = ".*"\n', "", text), "utf-8")  # an older retain's
    assert read_manifest(state).positions == {"dev1": Position("journal-2026-03.toml", 40)}


# -- a synced computer's clock days ahead ---------------------------------------------------


@pytest.mark.parametrize("snapshots", [True, False])
def test_events_dated_days_ahead_are_noted_once_with_or_without_their_snapshot(
    tmp_path: Path, snapshots: bool
) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    make_home(a)
    with _opened(a, "a", NOW) as col:
        rate(col, KEY, NOW, 3)
    shutil.copytree(a, b, symlinks=True)
    shutil.rmtree(b / "cache", ignore_errors=True)
    ahead = NOW + timedelta(days=3)
    with _opened(b, "b", ahead) as col:  # b's clock runs 3 days ahead
        rate(col, KEY, ahead, 3)
        rate(col, "tiny/two", ahead + timedelta(seconds=5), 3)
    _journals(b, a)
    if snapshots:  # the sync brings b's snapshots (written last) too
        for path in (b / "state" / "snapshots").glob("*.toml"):
            shutil.copyfile(path, a / "state" / "snapshots" / path.name)
        shutil.copyfile(b / "state" / "snapshots.toml", a / "state" / "snapshots.toml")
    later = NOW + timedelta(hours=2)
    _states, said = _open(a, "a", later)
    notes = [m for m in said if "more than a day after this computer's clock" in m]
    assert len(notes) == 1, said
    assert "2 " in notes[0]


def test_a_read_only_start_gives_the_replay_without_a_word_and_leaves_the_files(tmp_path: Path) -> None:
    """`due`/`stats` (read-only) rebuild the deck in memory, say nothing (the next start that
    may write says it, once, and writes the files again) and change no file."""
    a, b, later = _two_computers(tmp_path)
    _journals(b, a)
    snap_a = a / "state" / "snapshots" / "tiny.toml"
    mixed = _hunk_mix(
        snap_a.read_text("utf-8"), (b / "state/snapshots/tiny.toml").read_text("utf-8"), "[cards."
    )
    snap_a.write_text(mixed, "utf-8")
    want = _replayed(a, "a", later, tmp_path / "replay")
    with _computer("a"):
        col = Collection.open(make_home(a), later, tz=UTC, read_only=True, cards=False)
        try:
            assert dict(col.states) == want
            assert not [m for m in col.messages if UNTRUSTED in m]
        finally:
            col.close()
    assert snap_a.read_text("utf-8") == mixed
    said = _open(a, "a", later)[1]
    assert len([m for m in said if UNTRUSTED in m]) == 1
