"""The last check-then-open races of the state folder and the exports, and exports through links.

A state file (a device.toml, a journal) was looked at with `stat` and opened afterwards: a FIFO
put in its place meanwhile (a sync tool, another user of a shared folder) blocked the start
forever. A half-made device folder was removed with `shutil.rmtree` after an `is_dir` check:
a FIFO swapped in blocked it. An export read the deck's media after `media_file` checked them:
a FIFO swapped in blocked it, a symbolic link swapped in was followed out of the media folder.
And `retain export DECK -o out.apkg --force` wrote through a symbolic link `out.apkg` into the
file it names (a `~/.bashrc`): an export now replaces the link itself, never its target.

Each race is made real: the check itself swaps the file right after it answered, as another
process could at that moment; a hang fails the test after a timeout (`no_hang`).
"""

from __future__ import annotations

import json
import os
import types
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.files import NotRegularFileError
from retain.store.home import open_home
from retain.store.state import device as device_mod
from retain.store.state import journal_format
from retain.store.state.journal import Position, read_records, repair_tail, scan_file
from retain.store.state.journal_format import check_at, read_bytes, verify_position
from retain.store.state.writer import StateWriter, _remove_folder

from .conftest import retain
from .test_h12_races import PNG, no_hang, to_fifo

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
DECK = 'format = 1\n[deck]\nid = "t"\nname = "T"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Question {i}?"\nback = "Answer {i}"\n' for i in range(5)
)
PICS = (
    'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n'
    '[[cards]]\nid = "a"\nfront = "What?"\nback = "![x](pics.media/pic.png)"\n'
)
SECRET = b"export PATH=/home/me/bin:$PATH  # the user's own .bashrc\n"


# -- 1. state files swapped for a FIFO after their check ------------------------------------


def _home(root: Path) -> Path:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    (root / "decks" / "t.toml").write_text(DECK, encoding="utf-8")
    return root


def _rated_home(root: Path) -> tuple[Path, dict[str, Any]]:
    """A home whose own journal holds three reviews; (its device folder, the states)."""
    home = open_home({"RETAIN_HOME": str(_home(root))})
    col = Collection.open(home, NOW, tz=UTC, fsync=False)
    for i in range(3):
        key = f"t/c{i}"
        before = col.states.get(key)
        after = Scheduler(StudySettings()).preview(key, before, NOW)[3]
        col.record(
            Event(col.new_event_id(NOW), "review", key, NOW + timedelta(seconds=i), after, before, 3, 900)
        )
    states = dict(col.states)
    assert col.device is not None
    folder = root / "state" / "devices" / col.device
    col.close(NOW)
    return folder, states


def test_a_journal_swapped_for_a_fifo_after_its_check_never_hangs_a_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder, states = _rated_home(tmp_path / "home")
    (journal,) = folder.glob("journal-*.toml")
    kept = tmp_path / "kept-journal"
    kept.write_bytes(journal.read_bytes())
    for snap in (tmp_path / "home" / "state" / "snapshots").iterdir():  # read the journal from its start
        snap.unlink()
    (tmp_path / "home" / "state" / "snapshots.toml").unlink()
    real = journal_format.not_a_file
    checks: list[int] = []

    def not_a_file(path: Path) -> str:
        """Each check sees the journal; each read after it, a FIFO (the worst the race can do)."""
        if path != journal:
            return real(path)
        if journal.is_fifo():
            journal.unlink()
            journal.write_bytes(kept.read_bytes())
        answer = real(path)
        to_fifo(journal)
        checks.append(1)
        return answer

    monkeypatch.setattr(journal_format, "not_a_file", not_a_file)
    home = open_home({"RETAIN_HOME": str(tmp_path / "home")})
    col = no_hang(journal, lambda: Collection.open(home, NOW, tz=UTC, fsync=False, read_only=True))
    assert checks
    said = [m for m in col.messages if journal.name in m]
    assert len(said) == 1 and "a FIFO" in said[0] and "\n" not in said[0], col.messages
    col.close(NOW)
    monkeypatch.undo()
    journal.unlink()  # the sync tool puts the file back: nothing was lost
    journal.write_bytes(kept.read_bytes())
    again = Collection.open(home, NOW, tz=UTC, fsync=False)
    assert dict(again.states) == states
    again.close(NOW)


def test_journal_reads_of_a_fifo_are_refused_not_a_hang(tmp_path: Path) -> None:
    """Each reader of a journal file its caller checked, given the FIFO swapped in since."""
    pipe = tmp_path / "journal-2026-03.toml"
    os.mkfifo(pipe)
    scan = no_hang(pipe, lambda: scan_file(pipe, 0, NOW))
    assert (scan.events, scan.end, scan.torn) == ([], 0, b"")
    assert scan.problems == [
        f"{tmp_path.name}/{pipe.name} is not a file (a FIFO); its reviews cannot be read"
    ]
    later = no_hang(pipe, lambda: scan_file(pipe, 120, NOW, max_bytes=4096, index=True))
    assert later.end == 120  # nothing read past where it was: the position never goes back
    assert no_hang(pipe, lambda: read_records(pipe, {0, 80}, NOW)) == {}
    with pytest.raises(NotRegularFileError, match=r"a FIFO"):
        no_hang(pipe, lambda: read_bytes(pipe, 0, 10))
    assert no_hang(pipe, lambda: check_at(pipe, 40)) == ""
    assert no_hang(pipe, lambda: verify_position(tmp_path, Position(pipe.name, 40, "abcd1234"))) == ""


def test_repairing_a_torn_tail_of_a_journal_swapped_for_a_fifo_is_one_line(tmp_path: Path) -> None:
    pipe = tmp_path / "journal-2026-03.toml"
    os.mkfifo(pipe)
    line = no_hang(pipe, lambda: repair_tail(pipe, 60, b'7={t="2026', NOW))
    assert "\n" not in line and "a FIFO" in line, line
    assert pipe.is_fifo()  # never replaced by a cut copy of nothing
    assert list(tmp_path.glob("*.torn-*")) == []


def test_a_device_toml_swapped_for_a_fifo_after_its_check_is_damaged_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "state" / "devices" / "abc123"
    folder.mkdir(parents=True)
    path = folder / "device.toml"
    path.write_text('format = 1\nid = "abc123"\nhost_key = "k"\n', encoding="utf-8")
    real = Path.stat
    done: list[int] = []

    def stat(self: Path, **kwargs: Any) -> os.stat_result:
        answer = real(self, **kwargs)
        if not done and self == path:
            done.append(1)
            to_fifo(path)
        return answer

    monkeypatch.setattr(Path, "stat", stat)
    got = no_hang(path, lambda: device_mod._device_file(folder))
    monkeypatch.undo()
    if done:  # a check, then the open: what the open met must be what is reported
        assert got.named is None and got.damaged == "is not a file", got
    else:  # no check to race with: the file was read as it was
        assert got.named == "abc123", got
    to_fifo(path)
    got = no_hang(path, lambda: device_mod._device_file(folder))
    assert got.named is None and got.damaged == "is not a file", got


def test_this_devices_toml_swapped_for_a_fifo_before_it_is_read_again_never_hangs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`folder_messages` reads this machine's device.toml twice (`_own_home` keeps its date)."""
    state = tmp_path / "state"
    folder = state / "devices" / "abc123"
    folder.mkdir(parents=True)
    path = folder / "device.toml"
    path.write_text(
        'format = 1\nid = "abc123"\nhost_key = "k"\n', encoding="utf-8"
    )  # no `path`: from an older retain
    real = device_mod._own_home
    done: list[int] = []

    def own_home(state_dir: Path, at: Path, file: Any, now: datetime) -> list[str]:
        done.append(1)  # checked (and read) by `_device_file`; a FIFO in its place from now on
        to_fifo(at / "device.toml")
        return real(state_dir, at, file, now)

    monkeypatch.setattr(device_mod, "_own_home", own_home)
    lines = no_hang(path, lambda: device_mod.folder_messages(state, "abc123", NOW))
    assert done == [1]
    assert all("\n" not in line for line in lines), lines


# -- 2. removals after an is_dir check -------------------------------------------------------


@pytest.mark.parametrize("what", ["fifo", "link"])
def test_a_half_made_device_folder_swapped_after_its_check_is_removed_safely(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    """`is_dir()` said a folder, then it is a FIFO (which blocked `rmtree`) or a link to the
    user's documents (never removed through)."""
    state = tmp_path / "state"
    making = state / "devices" / f"{device_mod.MAKING_PREFIX}abc123"
    making.mkdir(parents=True)
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work", encoding="utf-8")
    real = Path.is_symlink
    done: list[int] = []

    def is_symlink(self: Path) -> bool:
        answer = real(self)
        if not done and self == making:
            done.append(1)
            making.rmdir()
            if what == "fifo":
                os.mkfifo(making)
            else:
                making.symlink_to(mine)
        return answer

    monkeypatch.setattr(Path, "is_symlink", is_symlink)
    writer: Any = types.SimpleNamespace(state_dir=state, device=None)
    no_hang(making, lambda: StateWriter._remove_temp_files(writer))
    monkeypatch.undo()
    assert done == [1]
    assert (mine / "thesis.txt").read_text(encoding="utf-8") == "years of work"
    if what == "fifo":
        assert not os.path.lexists(making)


@pytest.mark.parametrize("what", ["fifo", "link"])
def test_an_import_folder_taken_back_is_removed_safely(tmp_path: Path, what: str) -> None:
    """`_remove_folder` (an import's device folder, taken back) given what was swapped in for it."""
    mine = tmp_path / "documents"
    mine.mkdir()
    (mine / "thesis.txt").write_text("years of work", encoding="utf-8")
    folder = tmp_path / "state" / "devices" / "import-20260328-abcdef"
    folder.parent.mkdir(parents=True)
    if what == "fifo":
        os.mkfifo(folder)
    else:
        folder.symlink_to(mine)
    no_hang(folder, lambda: _remove_folder(folder))
    assert not os.path.lexists(folder)
    assert (mine / "thesis.txt").read_text(encoding="utf-8") == "years of work"


def test_a_device_folder_being_made_swapped_for_a_fifo_is_cleaned_up_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"

    def fail(folder: Path, *args: Any, **kwargs: Any) -> None:
        for entry in folder.iterdir():
            entry.unlink()
        folder.rmdir()
        os.mkfifo(folder)  # swapped in, then the write fails (a full disk)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(device_mod, "_write_device_file", fail)
    made = list((state / "devices").glob(".making-*")) if (state / "devices").exists() else []
    assert made == []

    def make() -> None:
        with pytest.raises(OSError, match="No space"):
            device_mod.make_device(state, NOW)

    no_hang(state / "devices" / "x", make)
    assert list((state / "devices").iterdir()) == []


def test_an_import_folder_being_made_swapped_for_a_fifo_is_cleaned_up_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = tmp_path / "state"
    folder = state / "devices" / "import-20260328-abcdef"

    def fail(path: Path, *args: Any, **kwargs: Any) -> None:
        path.parent.rmdir()
        os.mkfifo(path.parent)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(device_mod, "atomic_write", fail)

    def make() -> None:
        with pytest.raises(OSError, match="No space"):
            device_mod.make_import_folder(state, folder.name, "abc123", NOW)

    no_hang(folder, make)
    assert not os.path.lexists(folder)


# -- 3. the user's media, swapped after the export checked them ------------------------------


def _pics_home(root: Path) -> Path:
    decks = root / "decks"
    (decks / "pics.media").mkdir(parents=True)
    (decks / "pics.media" / "pic.png").write_bytes(PNG)
    (decks / "pics.toml").write_text(PICS, encoding="utf-8")
    return root


def _export_in_process(
    monkeypatch: pytest.MonkeyPatch, home: Path, out: Path
) -> tuple[list[Path], list[str]]:
    from retain.interop.group_export import plan_export, run_export

    col_home = open_home({"RETAIN_HOME": str(home)})
    library = col_home.library(cards=True)
    decks = [d for d in library.decks if d.id == "pics"]
    warnings: list[str] = []
    written = run_export(plan_export(decks, str(out)), now=NOW, warnings=warnings)
    return written, warnings


def _swap_media(
    monkeypatch: pytest.MonkeyPatch, module: Any, pic: Path, swap: Callable[[Path], None]
) -> list[int]:
    """`module.media_file` (the export's check of a media file) swaps it right after it answered."""
    real = module.media_file
    done: list[int] = []

    def media_file(folder: Path | None, name: str) -> Path | None:
        answer: Path | None = real(folder, name)
        if not done and answer is not None and os.path.abspath(answer) == os.path.abspath(pic):
            done.append(1)
            swap(pic)
        return answer

    monkeypatch.setattr(module, "media_file", media_file)
    return done


def _to_link(secret: Path) -> Callable[[Path], None]:
    def swap(path: Path) -> None:
        path.unlink()
        path.symlink_to(secret)

    return swap


@pytest.mark.parametrize("suffix", [".toml", ".md", ".apkg"])
def test_a_media_file_swapped_for_a_fifo_during_an_export_is_left_out_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    from retain.interop import exporter
    from retain.interop.anki import apkg_write

    home = _pics_home(tmp_path / "home")
    pic = home / "decks" / "pics.media" / "pic.png"
    done = _swap_media(monkeypatch, apkg_write if suffix == ".apkg" else exporter, pic, to_fifo)
    out = tmp_path / "out" / f"pics{suffix}"
    out.parent.mkdir()
    written, warnings = no_hang(pic, lambda: _export_in_process(monkeypatch, home, out))
    assert done == [1]
    assert out in written and out.is_file()
    said = [w for w in warnings if "pic.png" in w]
    assert len(said) == 1 and "a FIFO" in said[0] and "\n" not in said[0], warnings
    if suffix == ".apkg":
        with zipfile.ZipFile(out) as zf:
            assert "pic.png" not in zf.read("media").decode()
    else:
        assert not (out.parent / "pics.media" / "pic.png").exists()


@pytest.mark.parametrize("suffix", [".toml", ".apkg"])
def test_a_media_file_swapped_for_a_link_out_during_an_export_is_never_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str
) -> None:
    from retain.interop import exporter
    from retain.interop.anki import apkg_write

    home = _pics_home(tmp_path / "home")
    secret = tmp_path / "id_rsa"
    secret.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n" + PNG)
    pic = home / "decks" / "pics.media" / "pic.png"
    done = _swap_media(monkeypatch, apkg_write if suffix == ".apkg" else exporter, pic, _to_link(secret))
    out = tmp_path / "out" / f"pics{suffix}"
    out.parent.mkdir()
    _written, warnings = no_hang(pic, lambda: _export_in_process(monkeypatch, home, out))
    assert done == [1]
    assert any("pic.png" in w and "symbolic link" in w for w in warnings), warnings
    for path in out.parent.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".apkg":
                with zipfile.ZipFile(path) as zf:
                    data = b"".join(zf.read(n) for n in zf.namelist())
            assert b"OPENSSH" not in data, path


# -- 4. an export never writes through a symbolic link at its output ------------------------


def _victim(tmp_path: Path) -> Path:
    victim = tmp_path / "bashrc"
    victim.write_bytes(SECRET)
    return victim


def _assert_link_replaced(link: Path, victim: Path) -> None:
    assert victim.read_bytes() == SECRET  # the link's target is untouched
    assert not link.is_symlink() and link.is_file()  # the link itself was replaced by the export


@pytest.mark.parametrize("name", ["out.apkg", "out.toml", "out.csv", "out.md"])
def test_export_force_replaces_a_link_at_the_output_never_its_target(tmp_path: Path, name: str) -> None:
    home = _pics_home(tmp_path / "home")
    victim = _victim(tmp_path)
    out = tmp_path / name
    out.symlink_to(victim)
    got = retain(home, "export", "pics", "-o", str(out), "--force", timeout=60)
    assert got.code == 0, got.err
    _assert_link_replaced(out, victim)
    assert os.stat(out).st_mode & 0o777 == 0o666 & ~_umask()  # a new file's mode, not the target's


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def test_export_with_progress_replaces_a_link_at_the_sidecar_never_its_target(tmp_path: Path) -> None:
    home = _pics_home(tmp_path / "home")
    victim = _victim(tmp_path)
    side = tmp_path / "out.progress.toml"
    side.symlink_to(victim)
    got = retain(
        home, "export", "pics", "-o", str(tmp_path / "out.toml"), "--with-progress", "--force", timeout=60
    )
    assert got.code == 0, got.err
    _assert_link_replaced(side, victim)


def test_a_group_export_to_a_folder_replaces_links_in_it_never_their_targets(tmp_path: Path) -> None:
    home = _pics_home(tmp_path / "home")
    (home / "decks" / "pics.toml").write_text(
        PICS.replace('name = "Pics"', 'name = "Pics"\ngroup = "G"'), "utf-8"
    )
    (home / "decks" / "more.toml").write_text(
        'format = 1\n[deck]\nid = "more"\nname = "More"\ngroup = "G"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n',
        "utf-8",
    )
    victim = _victim(tmp_path)
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "more.toml").symlink_to(victim)
    got = retain(home, "export", "G", "-o", f"{folder}/", "--force", timeout=60)
    assert got.code == 0, got.err
    _assert_link_replaced(folder / "more.toml", victim)


def test_export_without_force_refuses_a_dangling_link_at_the_output(tmp_path: Path) -> None:
    """A link is an entry already there: replacing it needs --force, as a file does."""
    home = _pics_home(tmp_path / "home")
    out = tmp_path / "out.apkg"
    out.symlink_to(tmp_path / "nowhere" / "x.apkg")
    got = retain(home, "export", "pics", "-o", str(out), timeout=60)
    assert got.code == 1, got.out
    assert got.err_lines == [f"retain: {out} already exists; add --force to replace it"]
    assert out.is_symlink() and not (tmp_path / "nowhere").exists()
    got = retain(home, "export", "pics", "-o", str(out), "--force", timeout=60)
    assert got.code == 0, got.err
    assert out.is_file() and not out.is_symlink() and not (tmp_path / "nowhere").exists()


def test_an_apkg_export_packs_a_media_file_dated_before_1980(tmp_path: Path) -> None:
    """ZIP dates begin in 1980: a picture dated 1970 (a `tar` without dates, `touch -d @0`) made
    `zipfile` raise, and the export ended in a traceback. It is packed, dated 1980-01-01."""
    home = _pics_home(tmp_path / "home")
    pic = home / "decks" / "pics.media" / "pic.png"
    os.utime(pic, (0, 0))
    out = tmp_path / "pics.apkg"
    got = retain(home, "export", "pics", "-o", str(out), timeout=60)
    assert got.code == 0, got.err
    with zipfile.ZipFile(out) as zf:
        mapping = {v: k for k, v in json.loads(zf.read("media")).items()}
        assert zf.read(mapping["pic.png"]) == PNG
        assert zf.getinfo(mapping["pic.png"]).date_time[0] == 1980
