"""A file with other hard links (a deck also kept in a git checkout, a config.toml in a dotfiles
repo) is written in place, which is not atomic: a kill between the write and the truncate left the
new text with the old file's tail, a deck that no longer loaded (attacker 50). Each such write now
makes a recovery record first, and the next load finds the file whole: the new text put in place
from the record, with one line, or the old text; never a file the user changed since, never a
record that is not whole, never through a symbolic link."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.store import inplace
from retain.store.config import load_config
from retain.store.decks.library import load_library, load_paths
from retain.store.files import atomic_write

pytestmark = pytest.mark.skipif(os.name != "posix", reason="hard links, SIGKILL")


def _deck(back: str, cards: int) -> bytes:
    parts = ['format = 1\n\n[deck]\nid = "big"\nname = "Big"\n\n']
    parts += [
        f'[[cards]]\nid = "c{i}"\nfront = "front number {i}"\nback = "{back}{i}"\n\n' for i in range(cards)
    ]
    return "".join(parts).encode()


LONG = _deck("a longer back text ", 200)  # ~ 13 KB: several pages
SHORT = _deck("b", 200)

# The child does one write in place, and kills itself (SIGKILL) at the Nth system call of the kinds
# a write makes (a `write` is half done first): every step of the write is a place it is cut.
CHILD = r"""
import os, signal, sys
from pathlib import Path
from retain.store.files import atomic_write

target, data, kill_at = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), int(sys.argv[3])
calls = 0

def hook(name, real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == kill_at:
            if name == "write":
                real(args[0], bytes(args[1][: max(1, len(args[1]) // 2)]))
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call

for name in ("write", "ftruncate", "fsync", "link", "unlink", "replace", "rename", "posix_fallocate", "lseek"):
    setattr(os, name, hook(name, getattr(os, name)))
atomic_write(target, data, keep_hard_links=True)
sys.stdout.write(f"{calls}\n")
"""


def _linked(tmp_path: Path, text: bytes) -> tuple[Path, Path]:
    """(`decks/big.toml` holding `text`, its other name in a checkout)."""
    (tmp_path / "decks").mkdir()
    (tmp_path / "checkout").mkdir()
    deck = tmp_path / "decks" / "big.toml"
    deck.write_bytes(text)
    other = tmp_path / "checkout" / "big.toml"
    os.link(deck, other)
    return deck, other


def _run_child(tmp_path: Path, target: Path, new: bytes, kill_at: int) -> subprocess.CompletedProcess[str]:
    script, data = tmp_path / "child.py", tmp_path / "new.bin"
    script.write_text(CHILD, "utf-8")
    data.write_bytes(new)
    return subprocess.run(
        [sys.executable, str(script), str(target), str(data), str(kill_at)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(("old", "new"), [(LONG, SHORT), (SHORT, LONG)], ids=["shorter", "longer"])
def test_a_kill_at_any_step_leaves_the_old_or_the_new_file(tmp_path: Path, old: bytes, new: bytes) -> None:
    deck, other = _linked(tmp_path, old)
    whole = _run_child(tmp_path, deck, new, 0)
    assert whole.returncode == 0, whole.stderr
    steps = int(whole.stdout)
    assert steps >= 3
    seen: set[bytes] = set()
    for kill_at in range(1, steps + 1):
        deck.write_bytes(old)  # (in place: still one file with two names)
        for left in deck.parent.iterdir():
            if left.name.startswith("."):
                left.unlink()
        cut = _run_child(tmp_path, deck, new, kill_at)
        assert cut.returncode == -signal.SIGKILL, (kill_at, cut.stderr)
        at_kill = deck.read_bytes()
        library = load_library([(deck.parent, "user")])
        after = deck.read_bytes()
        assert after in (old, new), f"torn after a kill at step {kill_at} of {steps}"
        assert os.path.samefile(deck, other), "the checkout's name was cut from the deck's"
        assert not library.broken, library.broken[0].error
        assert not [p for p in deck.parent.iterdir() if p.name.endswith(".inplace")], (
            "the record is removed once used"
        )
        if after != at_kill:  # (put right from the record: said in one line)
            assert library.finished_saves == [f"{deck}: {inplace._FINISHED}"]
            assert library.entries[0].problems[0].severity == "warning"
        else:
            assert library.finished_saves == []
        seen.add(after)
    assert seen == {old, new}  # (killed before the record: old; after it: the new text)


@pytest.mark.skipif(shutil.which("strace") is None, reason="strace injects the kill")
@pytest.mark.parametrize("call", ["fallocate", "write", "ftruncate", "fsync"])
def test_a_kill_at_each_system_call_on_the_file(tmp_path: Path, call: str) -> None:
    """The attacker's way: the kernel kills the process at its first `call` on the deck file
    (strace `inject`), whatever the code that makes it."""
    deck, other = _linked(tmp_path, LONG)
    script, data = tmp_path / "child.py", tmp_path / "new.bin"
    script.write_text(CHILD, "utf-8")
    data.write_bytes(SHORT)
    strace = ["strace", "-f", "-qq", "-o", "/dev/null", "-P", str(deck), "-e", f"trace={call}"]
    strace += ["-e", f"inject={call}:signal=SIGKILL"]
    subprocess.run([*strace, sys.executable, str(script), str(deck), str(data), "0"], timeout=60, check=False)
    library = load_library([(deck.parent, "user")])
    assert deck.read_bytes() in (LONG, SHORT), f"torn by a kill at its {call}"
    assert not library.broken and os.path.samefile(deck, other)
    assert [p.name for p in deck.parent.iterdir()] == ["big.toml"]  # (nothing left behind)


class _Killed(BaseException):
    """Stands for the SIGKILL of the write in place (nothing after it runs but `finally`s)."""


def _cut_in_place(
    monkeypatch: pytest.MonkeyPatch, target: Path, new: bytes, keep: int, *, grow: bool
) -> None:
    """A write in place of `new` into `target`, cut after its first `keep` bytes (the room for a
    longer text taken first when `grow`): what a kill leaves, the record included."""

    def cut(path: Path, data: bytes, durable: bool, *, grow_first: bool) -> None:
        with open(path, "r+b") as fh:
            if grow and len(data) > os.fstat(fh.fileno()).st_size:
                os.posix_fallocate(fh.fileno(), 0, len(data))
            fh.write(data[:keep])
        raise _Killed

    with monkeypatch.context() as m:
        m.setattr(inplace, "_overwrite", cut)
        with pytest.raises(_Killed):
            atomic_write(target, new, keep_hard_links=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    old=st.binary(max_size=300),
    new=st.binary(max_size=300),
    cut=st.floats(0, 1),
    grow=st.booleans(),
)
def test_every_cut_short_write_is_finished(
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
    old: bytes,
    new: bytes,
    cut: float,
    grow: bool,
) -> None:
    folder = tmp_path_factory.mktemp("cut")
    a, b = folder / "a.toml", folder / "b.toml"
    a.write_bytes(old)
    os.link(a, b)
    _cut_in_place(monkeypatch, a, new, int(len(new) * cut), grow=grow)
    assert inplace.in_place_record(a).exists()
    torn = a.read_bytes()
    said = inplace.finish_in_place_write(a)
    assert a.read_bytes() == b.read_bytes() == new
    assert said == (None if torn == new else f"{a}: {inplace._FINISHED}")
    assert sorted(p.name for p in folder.iterdir()) == ["a.toml", "b.toml"]


@pytest.fixture
def cut_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`a.toml` (hard-linked as `b.toml`) in the middle of a write in place of SHORT over LONG."""
    a = tmp_path / "a.toml"
    a.write_bytes(LONG)
    os.link(a, tmp_path / "b.toml")
    _cut_in_place(monkeypatch, a, SHORT, len(SHORT) // 2, grow=False)
    return a


def test_a_file_changed_since_is_left_alone(cut_short: Path) -> None:
    edited = b"# the user's own repair\n" + cut_short.read_bytes()[30:]
    cut_short.write_bytes(edited)  # (in place: the same inode)
    said = inplace.finish_in_place_write(cut_short)
    assert cut_short.read_bytes() == edited
    assert said is not None and "changed since" in said and "a.toml.unsaved" in said
    assert (cut_short.parent / "a.toml.unsaved").read_bytes() == SHORT
    assert not inplace.in_place_record(cut_short).exists()
    assert inplace.finish_in_place_write(cut_short) is None  # (said once)


def test_a_file_replaced_since_is_left_alone(cut_short: Path) -> None:
    """`git checkout` writes a new file under the name: not the file the save wrote into."""
    fresh = cut_short.with_name("fresh")
    fresh.write_bytes(LONG)
    os.replace(fresh, cut_short)
    said = inplace.finish_in_place_write(cut_short)
    assert cut_short.read_bytes() == LONG
    assert said is not None and "changed since" in said
    assert (cut_short.parent / "a.toml.unsaved").read_bytes() == SHORT


def test_a_record_that_is_not_whole_is_never_used(cut_short: Path) -> None:
    record = inplace.in_place_record(cut_short)
    torn = cut_short.read_bytes()
    raw = record.read_bytes()
    for broken in (raw[:-1], raw[: len(SHORT)], raw.replace(b"front number 1", b"front number 7", 1), b""):
        record.write_bytes(broken)
        said = inplace.finish_in_place_write(cut_short)
        assert said is not None and "not a whole record" in said
        assert cut_short.read_bytes() == torn and record.exists()


def test_a_record_held_by_a_save_under_way_is_left_to_it(cut_short: Path) -> None:
    import fcntl

    with open(inplace.in_place_record(cut_short), "rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # (another open file: as another process's)
        torn = cut_short.read_bytes()
        assert inplace.finish_in_place_write(cut_short) is None
        assert cut_short.read_bytes() == torn
    assert inplace.finish_in_place_write(cut_short) == f"{cut_short}: {inplace._FINISHED}"


def test_no_symbolic_link_is_followed_out(cut_short: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.toml"
    victim.write_bytes(LONG)
    cut_short.unlink()
    cut_short.symlink_to(victim)  # the file's name is now a link: a deck linked in follows it...
    record = inplace.in_place_record(cut_short)
    said = inplace.finish_in_place_write(cut_short)  # ...to outside/, where there is no record
    assert said is None and victim.read_bytes() == LONG
    # A record beside a name that is a link: the link is not written through.
    assert record.exists()
    folder = inplace._Folder(tmp_path)
    try:
        said = inplace._finish(folder, "a.toml", record.name)
    finally:
        folder.close()
    assert victim.read_bytes() == LONG
    assert said is not None and "changed since" in said
    # A record that is itself a link is never read.
    record2 = inplace.in_place_record(victim)
    record2.symlink_to(tmp_path / "a.toml.unsaved")
    said = inplace.finish_in_place_write(victim)
    assert said is not None and "a symbolic link" in said and victim.read_bytes() == LONG


def test_the_config_is_put_right_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "config.toml"
    old = b"# my settings\n" + b"# " + b"x" * 4000 + b"\nrollover_hour = 4\n"
    config.write_bytes(old)
    os.link(config, tmp_path / "dotfiles-config.toml")
    new = b"rollover_hour = 6\n"
    _cut_in_place(monkeypatch, config, new, len(new), grow=False)
    assert config.read_bytes() != new  # new text and the old file's tail
    loaded = load_config(config)
    assert config.read_bytes() == new and loaded.rollover_hour == 6
    assert loaded.warnings == (f"config: {config}: {inplace._FINISHED}",)


def test_check_of_a_named_file_says_the_save_was_finished(cut_short: Path) -> None:
    entries = load_paths([cut_short])
    assert cut_short.read_bytes() == SHORT and entries[0].deck is not None
    assert entries[0].finished == f"{cut_short}: {inplace._FINISHED}"
