"""`retain export` whose output path meets a symbolic link loop: `-o self.toml` where self.toml is
a link to itself, `-o a.d/x.toml` (or `-o a.d/`) where the folder a.d loops, and a deck with media
exported beside a `DECK.media` that loops. Python 3.11's `Path.resolve()` raises RuntimeError on a
loop, which `except OSError` did not catch: each ended in a traceback. Each is now one line.

Also `store.paths.resolved` / `same_file`, the helpers that turn that RuntimeError into the
OSError (ELOOP) every caller already handles."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from retain.store.paths import resolved, same_file

from .conftest import run_cli

PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)  # (a media file: its bytes are not looked at)


def _loop(folder: Path, a: str, b: str) -> None:
    (folder / a).symlink_to(b)
    (folder / b).symlink_to(a)


@pytest.fixture
def decks(home: Path) -> Path:
    folder = home / "decks"
    (folder / "pics.media").mkdir(parents=True)
    (folder / "pics.media" / "p.png").write_bytes(PNG)
    card = '[[cards]]\nid = "a"\nfront = "{}"\nback = "b"\n'
    (folder / "pics.toml").write_text(
        'format = 1\n[deck]\nid = "pics"\n' + card.format("![x](pics.media/p.png)"), encoding="utf-8"
    )
    (folder / "plain.toml").write_text(
        'format = 1\n[deck]\nid = "plain"\n' + card.format("q"), encoding="utf-8"
    )
    return folder


def _one_line(err: str) -> str:
    assert "Traceback" not in err and "RuntimeError" not in err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize("target", ["a.d/x.toml", "a.d/", "a.d/x.md", "b.d/deep/x.toml"])
@pytest.mark.parametrize("force", [False, True])
def test_a_folder_on_the_way_that_loops(
    decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], target: str, force: bool
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    _loop(out, "a.d", "b.d")
    code, _o, err = run_cli(capsys, "export", "plain", "-o", f"{out}/{target}", *(["--force"] * force))
    line = _one_line(err)
    assert code == 1
    assert line.startswith("retain: export failed: cannot write ") and "symbolic link" in line, line


def test_a_folder_that_loops_is_called_a_loop(
    decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _loop(tmp_path, "a.d", "b.d")
    for target in ("a.d/x.toml", "a.d/x.apkg"):
        _code, _o, err = run_cli(capsys, "export", "plain", "-o", f"{tmp_path}/{target}")
        assert "a.d is a symbolic link loop" in _one_line(err), err


@pytest.mark.parametrize("suffix", [".apkg", ".csv"])
def test_a_file_of_another_type_in_a_folder_that_loops(
    decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    _loop(tmp_path, "a.d", "b.d")
    code, _o, err = run_cli(capsys, "export", "plain", "-o", f"{tmp_path}/a.d/x{suffix}")
    _one_line(err)
    assert code == 1


def test_the_output_file_itself_a_loop(
    decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "self.toml").symlink_to("self.toml")
    code, _o, err = run_cli(capsys, "export", "plain", "-o", f"{tmp_path}/self.toml")
    assert code == 1
    assert "already exists; add --force" in _one_line(err)
    code, _o, err = run_cli(capsys, "export", "plain", "-o", f"{tmp_path}/self.toml", "--force")
    assert code == 0, err  # the link itself replaced, as any link at an export's path is
    assert not (tmp_path / "self.toml").is_symlink()
    assert 'id = "plain"' in (tmp_path / "self.toml").read_text(encoding="utf-8")


def test_a_loop_in_a_deck_folder_is_still_a_second_deck(
    decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (decks / "other.toml").symlink_to("other.toml")
    code, _o, err = run_cli(capsys, "export", "plain", "-o", f"{decks}/other.toml", "--force")
    assert code == 1
    assert "would be a second deck 'plain'" in _one_line(err)
    assert (decks / "other.toml").is_symlink()


@pytest.mark.parametrize("suffix", [".toml", ".md"])
def test_a_media_folder_beside_the_export_that_loops(
    decks: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    out = tmp_path / "out2"
    out.mkdir()
    (out / "pics.media").symlink_to("pics.media")
    for force in ([], ["--force"]):
        code, _o, err = run_cli(capsys, "export", "pics", "-o", f"{out}/x{suffix}", *force)
        line = _one_line(err)
        assert code == 1
        assert "pics.media" in line and "symbolic link" in line, line
    assert sorted(p.name for p in out.iterdir()) == ["pics.media"]  # nothing written


def test_resolved_says_a_loop_as_an_oserror(tmp_path: Path) -> None:
    _loop(tmp_path, "a", "b")
    for path in (tmp_path / "a", tmp_path / "a" / "x"):
        with pytest.raises(OSError) as caught:
            resolved(path)
        assert caught.value.errno == errno.ELOOP
        assert caught.value.filename == str(path)
    (tmp_path / "f").write_text("x", encoding="utf-8")
    (tmp_path / "l").symlink_to("f")
    assert resolved(tmp_path / "l") == (tmp_path / "f").resolve()
    assert resolved(tmp_path / "gone" / "x") == tmp_path.resolve() / "gone" / "x"


def test_same_file(tmp_path: Path) -> None:
    _loop(tmp_path, "a", "b")
    (tmp_path / "f").write_text("x", encoding="utf-8")
    (tmp_path / "l").symlink_to("f")
    assert same_file(tmp_path / "l", tmp_path / "f")
    assert same_file(tmp_path / "a", tmp_path / "a")  # (the very same path, loop or not)
    assert not same_file(tmp_path / "a", tmp_path / "b")
    assert not same_file(tmp_path / "a", tmp_path / "f")
    assert not same_file(tmp_path / "f", tmp_path / "a" / "x")
