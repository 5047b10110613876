"""The installed `retain` in broken surroundings: each operating-system error is one plain line.

Before: `retain due` with a file named `cache` in RETAIN_HOME warned "the history index cannot be
written ([Errno 17] File exists: '/tmp/x/cache'); using a temporary one"; `retain add --new-deck`
with a file named `decks` said "retain: File exists: /tmp/x/decks", `retain import` "import
failed: File exists", `retain add` "cannot take the deck-edit lock ... (File exists)" and
`retain export -o below/a/file` "cannot write ...: File exists". Now they name the file in the
way: "/tmp/x/cache is a file, not a folder"; and the commands that worked still work.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

RETAIN = Path(sys.executable).with_name("retain")  # the installed command
REPR_NAME = re.compile(r"'[^']*/[^']*'")  # a path in repr quotes
DECK = 'format = 1\n[deck]\nid = "{id}"\nname = "{id}"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'


def _retain(home: Path, *args: str) -> tuple[int, str, list[str]]:
    env = {**os.environ, "RETAIN_HOME": str(home), "PYTHONUTF8": "1", "COLUMNS": "120"}
    done = subprocess.run(
        [str(RETAIN), *args], capture_output=True, env=env, timeout=120, stdin=subprocess.DEVNULL, cwd=home
    )
    err = done.stderr.decode("utf-8", "replace").splitlines()
    for line in err:
        assert "Errno" not in line and "Traceback" not in line, err
        assert not REPR_NAME.search(line), err
    return done.returncode, done.stdout.decode("utf-8", "replace"), err


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "mine.toml").write_text(DECK.format(id="mine"), "utf-8")
    return tmp_path


@pytest.mark.skipif(not RETAIN.exists(), reason="no installed retain command")
def test_a_file_where_the_cache_folder_goes(home: Path) -> None:
    (home / "cache").write_text("not a folder")
    warning = (
        f"retain: warning: the history index cannot be written ({home}/cache is a file, not a folder); "
        "using a temporary one"
    )
    for command in ("due", "stats"):
        code, out, err = _retain(home, command)
        assert code == 0 and "mine" in out, (out, err)
        assert err == [warning]
    code, _out, err = _retain(home, "add", "--deck", "mine", "--front", "q2", "--back", "b2")
    assert code == 1 and len(err) == 1, err
    assert f"({home}/cache is a file, not a folder)" in err[0] and "nothing was changed" in err[0]
    assert (home / "cache").read_text() == "not a folder"


@pytest.mark.skipif(not RETAIN.exists(), reason="no installed retain command")
def test_a_deck_file_that_is_a_folder_or_a_fifo(home: Path) -> None:
    (home / "decks" / "x.toml").mkdir()  # (we run as root: chmod 000 would still be read)
    os.mkfifo(home / "decks" / "y.toml")
    for command in ("due", "stats", "check"):
        code, out, err = _retain(home, command)
        assert code == 0, (command, out, err)
        if command == "check":  # (its summary goes to stderr)
            assert err[-1].endswith("ok, 0 error(s), 0 warning(s)"), err
        else:
            assert "mine" in out and not err, (out, err)
    for deck in ("x", "y"):
        code, _out, err = _retain(home, "add", "--deck", deck, "--new-deck", "--front", "q", "--back", "a")
        assert code == 1 and len(err) == 1, err
        assert err[0].startswith(f"retain add: {home}/decks/{deck}.toml "), err


@pytest.mark.skipif(not RETAIN.exists(), reason="no installed retain command")
def test_a_config_file_that_is_a_folder(home: Path) -> None:
    (home / "config.toml").mkdir()
    code, _out, err = _retain(home, "due")
    assert (code, err) == (2, [f"retain: {home}/config.toml: not a regular file (a folder)"])
    code, out, err = _retain(home, "locate")
    assert code == 1 and f"config:  {home}/config.toml" in out and len(err) == 1, (out, err)


@pytest.mark.skipif(not RETAIN.exists(), reason="no installed retain command")
def test_a_file_where_the_deck_folder_goes(tmp_path: Path) -> None:
    (tmp_path / "decks").write_text("not a folder")
    code, _out, err = _retain(tmp_path, "add", "--deck", "new", "--new-deck", "--front", "q", "--back", "a")
    assert (code, err) == (1, [f"retain: {tmp_path}/decks is a file, not a folder"])
    source = tmp_path / "in.toml"
    source.write_text(DECK.format(id="imp"), "utf-8")
    code, _out, err = _retain(tmp_path, "import", str(source))
    assert code == 1 and len(err) == 1, err
    assert err[0] == (
        f"retain: import failed: {tmp_path}/decks is a file, not a folder; no deck was written; import again to finish"
    )
    assert (tmp_path / "decks").read_text() == "not a folder"


@pytest.mark.skipif(not RETAIN.exists(), reason="no installed retain command")
def test_an_export_below_a_file(home: Path) -> None:
    (home / "file").write_text("x")
    code, _out, err = _retain(home, "export", "mine", "-o", str(home / "file" / "out.toml"))
    assert (code, err) == (
        1,
        [f"retain: export failed: cannot write {home}/file/out.toml: {home}/file is a file, not a folder"],
    )
