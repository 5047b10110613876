"""`retain stats --svg FILE` writes FILE with the care `retain export -o` takes (h21).

It opened FILE with a plain write: a symbolic link at FILE (`stats.svg -> ~/precious.txt`, left
in a shared folder) had the file it names overwritten with SVG, a FIFO blocked the command until
it was killed, and `--svg sub/` wrote a file called `sub`. Now the link itself is replaced, a
FIFO, device or folder is one line and exit 1 with nothing written, a name ending in `/` is a
usage error, and the picture is written atomically (a temp file renamed into place).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retain.cli import main

DECK = 'format = 1\n[deck]\nid = "k1"\nname = "K one"\n\n[[cards]]\nid = "c1"\nfront = "Q?"\nback = "A"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home with one small deck (a quick picture), and the current folder beside it."""
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "k1.toml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(home))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    return home


def _stats_svg(home: Path, target: str) -> subprocess.CompletedProcess[str]:
    """The real command in a subprocess: a write that blocks (a FIFO) fails the test, not the run."""
    env = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "retain", "stats", "--svg", target],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


def test_a_symbolic_link_is_replaced_never_the_file_it_names(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("precious\n", encoding="utf-8")
    link = tmp_path / "work" / "stats.svg"
    link.symlink_to(precious)
    assert main(["stats", "--svg", "stats.svg", "--force"]) == 0, capsys.readouterr().err
    assert precious.read_text(encoding="utf-8") == "precious\n"
    assert not link.is_symlink() and link.read_text(encoding="utf-8").startswith("<svg")


def test_an_existing_picture_is_replaced_whole_by_a_new_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The new picture is renamed into place: a second name of the old file (a hard link) keeps
    the old picture, and no temp file is left behind (a write in place truncated the old one
    first, so a crash half-way left half a picture)."""
    work = tmp_path / "work"
    old = work / "stats.svg"
    old.write_text("<svg>old</svg>", encoding="utf-8")
    os.link(old, work / "kept.svg")
    assert main(["stats", "--svg", str(old), "--force"]) == 0, capsys.readouterr().err
    assert old.read_text(encoding="utf-8").startswith("<svg class=")
    assert (work / "kept.svg").read_text(encoding="utf-8") == "<svg>old</svg>"
    assert sorted(p.name for p in work.iterdir()) == ["kept.svg", "stats.svg"]


@pytest.mark.parametrize("kind", ["fifo", "folder"])
def test_a_fifo_or_a_folder_is_one_line_and_nothing_written(home: Path, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "work" / "out.svg"
    if kind == "fifo":
        os.mkfifo(target)
    else:
        target.mkdir()
    done = _stats_svg(home, str(target))
    assert done.returncode == 1, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"retain: cannot write {target}: "), lines
    assert "nothing written" in lines[0] or "folder" in lines[0], lines
    assert done.stdout == ""
    assert target.is_fifo() if kind == "fifo" else target.is_dir() and not any(target.iterdir())
    assert sorted(p.name for p in target.parent.iterdir()) == ["out.svg"]


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="no /dev/null")
def test_a_device_is_one_line_and_nothing_written(home: Path) -> None:
    done = _stats_svg(home, "/dev/null")  # (h22: no .svg name: a usage error, before anything)
    assert done.returncode == 2, done
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "--svg needs a file name ending in .svg" in lines[0], lines


@pytest.mark.parametrize("name", ["sub/", "sub//", "new/"])
def test_a_name_ending_in_a_slash_names_a_folder_not_the_file(
    home: Path, tmp_path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--svg sub/` wrote a file called `sub` (Path() drops the slash)."""
    work = tmp_path / "work"
    (work / "sub").mkdir()
    with pytest.raises(SystemExit) as exc:
        main(["stats", "--svg", name])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"argument --svg: {name!r} names a folder; name a file (in it)" in err[0], err
    assert sorted(p.name for p in work.iterdir()) == ["sub"] and not any((work / "sub").iterdir())


def test_a_missing_folder_is_still_not_made(home: Path, tmp_path: Path) -> None:
    """As before: `--svg missing/x.svg` is one line, and no folder `missing` appears."""
    done = _stats_svg(home, str(tmp_path / "work" / "missing" / "x.svg"))
    assert done.returncode == 1 and done.stderr.startswith("retain: cannot write"), done
    assert not (tmp_path / "work" / "missing").exists()
