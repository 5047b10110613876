"""What reaches the terminal from the command line's own edges (h2 CLI hunt).

- A usage error quotes the argument it could not use (`retain due $'\\e]52;c;...\\a'`): argparse
  wrote it raw, so a word pasted from a web page wrote the terminal's clipboard, and a newline
  in it split the "one line" error in two.
- `--help` and `--version` to a full disk: argparse swallowed the write error, exit 0, no text.
- A closed stdout (`retain due >&-`): the report went nowhere, exit 0.
- No home folder to be found (`RETAIN_HOME=~nosuchuser/x`, `deck_folders = ["~nosuchuser"]`,
  `-o ~nosuchuser/x.toml`, no HOME for a user with no passwd entry): a RuntimeError traceback.
- RETAIN_HOME naming a file: every command ran as if on an empty home (exit 0).
- `PYTHONUTF8=0 LC_ALL=C`: Python reads the UTF-8 words of the command line as ASCII; a
  `--front é` was refused as "not valid UTF-8 text".
- `retain review` with stderr closed printed its error on stdout.
- `check`'s hint to run `retain import PATH --dry-run` named a path with a space unquoted.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.store.config import ConfigError
from retain.store.paths import get_paths

from .conftest import retain, unsafe_in

OSC52 = "\x1b]52;c;aGk=\x07"


def _run(
    home: Path,
    *args: str,
    env: dict[str, str] | None = None,
    stdout: int | None = subprocess.PIPE,
    close: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    base = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1"}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args],
        stdout=stdout,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        env={**base, **(env or {})},
        cwd=home if home.is_dir() else None,
        preexec_fn=(lambda: os.close(close)) if close is not None else None,
        timeout=120,
    )


def _usage_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as raised:
        main(argv)
    assert raised.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    return captured.err


# ---- usage errors ----------------------------------------------------------------------------


def test_an_argument_error_does_not_write_an_escape_sequence(tmp_path: Path) -> None:
    done = retain(tmp_path, "due", f"x{OSC52}\u202ey\nz")
    assert done.code == 2
    assert unsafe_in(done.err) == []
    assert len(done.err_lines) == 1, done.err_lines
    assert "unrecognized arguments: x" in done.err_lines[0]


WORDS = st.text(st.characters(codec=None, exclude_characters="\x00"), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=WORDS, at=st.sampled_from(["positional", "option", "command", "dash-value"]))
def test_any_word_in_a_usage_error_is_one_safe_line(
    word: str, at: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))  # (no command runs: each argv is refused)
    argv = {
        "positional": ["due", "x" + word],
        "option": ["due", "--z" + word],
        "command": ["z" + word],
        # a word starting with '-' and holding no space is read as an option, not --back's value
        "dash-value": ["add", "--deck", "x", "--front", "a", "--back", "-z" + word.replace(" ", "_")],
    }[at]
    text = _usage_error(argv, capsys)
    assert text.endswith("\n") and text.count("\n") == 1, repr(text)
    assert unsafe_in(text.encode("utf-8", "surrogateescape")) == [], repr(text)


# ---- help and version ------------------------------------------------------------------------


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full on this system")
@pytest.mark.parametrize("args", [("--help",), ("--version",), ("due", "--help")], ids=" ".join)
def test_help_to_a_full_disk_is_an_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    with open("/dev/full", "wb") as full:
        done = _run(tmp_path, *args, stdout=full.fileno())
    assert done.returncode == 1, done.stderr
    assert done.stderr.decode().splitlines() == ["retain: no space left on device"]


@pytest.mark.parametrize("args", [("--help",), ("--version",), ("add", "--help")], ids=" ".join)
def test_help_to_a_reader_that_left_is_no_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    read, write = os.pipe()
    os.close(read)
    try:
        done = _run(tmp_path, *args, stdout=write)
    finally:
        os.close(write)
    assert done.returncode == 0, done.stderr
    assert done.stderr == b""


def test_help_is_still_printed(tmp_path: Path) -> None:
    done = _run(tmp_path, "due", "--help")
    assert done.returncode == 0
    assert b"usage: retain due" in done.stdout and b"--json" in done.stdout


# ---- a closed stdout -------------------------------------------------------------------------


@pytest.mark.parametrize("args", [("due", "--json"), ("locate",), ("check",)], ids=" ".join)
def test_a_report_to_a_closed_stdout_is_an_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    done = _run(tmp_path, *args, stdout=None, close=1)
    assert done.returncode == 1, done.stderr
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and "standard output is closed" in lines[0], lines


def test_add_to_a_closed_stdout_changes_nothing(tmp_path: Path) -> None:
    done = _run(
        tmp_path, "add", "--deck", "d", "--new-deck", "--front", "q", "--back", "a", stdout=None, close=1
    )
    assert done.returncode == 1, done.stderr
    assert not (tmp_path / "decks" / "d.toml").exists()


def test_a_closed_stderr_is_still_no_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "retain", "due", "--json"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "RETAIN_HOME": str(tmp_path), "PYTHONUTF8": "1"},
        preexec_fn=lambda: os.close(2),
        timeout=120,
    )
    assert done.returncode == 0
    assert done.stdout.startswith(b'{"decks"')


def test_review_with_stderr_closed_keeps_its_error_off_stdout(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "retain", "review"],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "RETAIN_HOME": str(tmp_path), "PYTHONUTF8": "1"},
        preexec_fn=lambda: os.close(2),
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == b""


# ---- where home is ---------------------------------------------------------------------------


def test_a_home_with_an_unknown_user_is_one_line(tmp_path: Path) -> None:
    for args in (("due",), ("locate",), ("add", "--deck", "d", "--new-deck", "--front", "q", "--back", "a")):
        done = _run(tmp_path, *args, env={"RETAIN_HOME": "~no-such-user-h2/x"})
        assert done.returncode == 2, (args, done.stderr)
        lines = done.stderr.decode().splitlines()
        assert len(lines) == 1 and "~no-such-user-h2" in lines[0], lines


def test_get_paths_says_an_unknown_user_as_a_config_error() -> None:
    with pytest.raises(ConfigError, match="RETAIN_HOME"):
        get_paths({"RETAIN_HOME": "~no-such-user-h2/x"})


def test_a_deck_folder_with_an_unknown_user_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('deck_folders = ["~no-such-user-h2/decks"]\n')
    done = _run(tmp_path, "due")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and "deck_folders" in lines[0] and "~no-such-user-h2" in lines[0], lines


def test_export_to_an_unknown_users_home_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "d.toml").write_text(
        'format = 1\n[deck]\nid = "d"\nname = "D"\n\n[[cards]]\nid = "c"\nfront = "q"\nback = "a"\n'
    )
    for output in ("~no-such-user-h2/x.toml", "~no-such-user-h2/"):
        done = _run(tmp_path, "export", "d", "-o", output)
        assert done.returncode == 2, done.stderr
        lines = done.stderr.decode().splitlines()
        assert len(lines) == 1 and "~no-such-user-h2" in lines[0], lines


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root to run as a user with no passwd entry",
)
def test_no_home_and_no_passwd_entry_is_one_line(tmp_path: Path) -> None:
    tmp_path.chmod(0o777)
    env = {
        k: v for k, v in os.environ.items() if k not in ("HOME", "RETAIN_HOME") and not k.startswith("XDG_")
    }
    done = subprocess.run(
        [
            "setpriv",
            "--reuid",
            "54321",
            "--regid",
            "54321",
            "--clear-groups",
            sys.executable,
            "-m",
            "retain",
            "due",
        ],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and "RETAIN_HOME" in lines[0], lines
    assert list(tmp_path.iterdir()) == []  # nothing made in the folder it ran in


@pytest.mark.parametrize(
    "args",
    [("due",), ("locate",), ("check",), ("add", "--deck", "d", "--new-deck", "--front", "q", "--back", "a")],
    ids=" ".join,
)
def test_a_home_that_is_a_file_is_one_line(tmp_path: Path, args: tuple[str, ...]) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder\n")
    done = _run(home, *args)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.decode().splitlines()
    assert len(lines) == 1 and "not a folder" in lines[0] and str(home) in lines[0], lines
    assert home.read_text() == "not a folder\n"


# ---- the locale --------------------------------------------------------------------------------


def test_utf8_words_under_an_ascii_locale_are_read_as_utf8(tmp_path: Path) -> None:
    env = {"PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C", "PYTHONCOERCECLOCALE": "0"}
    done = _run(tmp_path, "add", "--deck", "d", "--new-deck", "--front", "café 中", "--back", "a", env=env)
    assert done.returncode == 0, done.stderr
    assert "café 中" in (tmp_path / "decks" / "d.toml").read_text(encoding="utf-8")


def test_bytes_that_are_not_utf8_under_an_ascii_locale_are_still_refused(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "RETAIN_HOME": str(tmp_path),
        "PYTHONUTF8": "0",
        "LC_ALL": "C",
        "PYTHONCOERCECLOCALE": "0",
    }
    done = subprocess.run(
        [
            os.fsencode(sys.executable),
            b"-m",
            b"retain",
            b"add",
            b"--deck",
            b"d",
            b"--new-deck",
            b"--front",
            b"caf\xe9",
            b"--back",
            b"a",
        ],
        capture_output=True,
        stdin=subprocess.DEVNULL,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2
    assert b"--front: not valid UTF-8 text" in done.stderr
    assert not (tmp_path / "decks").exists()


# ---- check's hints -----------------------------------------------------------------------------


def test_checks_import_hint_quotes_a_path_with_a_space(tmp_path: Path) -> None:
    named = tmp_path / "my cards.csv"
    named.write_text("q,a\n")
    done = retain(tmp_path, "check", str(named))
    assert done.code == 1
    assert f"`retain import '{named}' --dry-run`" in done.out.decode()


@pytest.mark.parametrize(
    "argv",
    [
        ["due", "A" * 120_000],
        ["due", "--deck", "k" * 120_000],
        ["z" * 120_000],
        ["due", "--" + "o" * 120_000],
    ],
    ids=["positional", "option-value", "command", "option"],
)
def test_a_huge_word_in_a_usage_error_is_shown_clipped(
    argv: list[str], capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 120 KB argument was echoed whole: one "line" of 120 KB is no clear error."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code  # type: ignore[assignment]
    captured = capsys.readouterr()
    assert code == 2 and captured.out == ""
    text = captured.err
    assert text.count("\n") == 1 and len(text) < 1000, len(text)
    assert "…" in text
