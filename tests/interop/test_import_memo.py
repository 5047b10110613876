"""A re-import that changes nothing is recognised from the memo of the last import (issue 10).

The quick answer must print exactly what the full import would print, and give
way to the full import whenever anything it depends on changed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from retain.interop import import_memo

from .conftest import FIXTURES, run_cli

_APKG = FIXTURES / "layout-latest.apkg"


def _full_import_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    """The package must not be read: the memo answers."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the package was read again")

    monkeypatch.setattr("retain.commands.import_.read_file", refuse)


def _memos(home: Path) -> list[Path]:
    return sorted((home / "cache" / "imports").glob("*.toml"))


@pytest.mark.parametrize("history", [True, False])
def test_a_second_import_prints_what_the_full_one_prints_without_reading_the_package(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, history: bool
) -> None:
    flags = ["--with-history"] if history else []
    code, _, err = run_cli(capsys, "import", *flags, str(_APKG))
    assert code == 0, err
    assert len(_memos(home)) == 1
    _memos(home)[0].unlink()
    code, full, err = run_cli(capsys, "import", *flags, str(_APKG))  # a full re-import (it writes a memo)
    assert code == 0, err
    assert "0 added, 0 changed, 0 removed" in full
    with monkeypatch.context() as m:
        _full_import_forbidden(m)
        code, quick, err = run_cli(capsys, "import", *flags, str(_APKG))
    assert (code, err) == (0, "")
    assert quick == full
    if history:
        assert "recorded 0 event(s) of review history; 1 card(s) already had progress here" in quick


def _imported(home: Path, capsys: pytest.CaptureFixture[str]) -> str:
    code, _, err = run_cli(capsys, "import", "--with-history", str(_APKG))
    assert code == 0, err
    code, full, err = run_cli(capsys, "import", "--with-history", str(_APKG))
    assert code == 0, err
    return full


def _deck_file(home: Path) -> Path:
    return sorted((home / "decks").glob("*.toml"))[0]


@pytest.mark.parametrize(
    "change",
    [
        "deck edited",
        "deck touched",
        "another deck added",
        "memo damaged",
        "other options",
        "other build",
        "reset",
    ],
)
def test_anything_the_answer_depends_on_sends_it_to_the_full_import(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    _imported(home, capsys)
    flags = ["--with-history"]
    if change == "deck edited":
        deck = _deck_file(home)
        deck.write_text(
            deck.read_text(encoding="utf-8").replace('front = "', 'front = "Edited: ', 1), "utf-8"
        )
    elif change == "deck touched":
        deck = _deck_file(home)
        deck.write_bytes(deck.read_bytes())  # same bytes, another modification time
    elif change == "another deck added":
        (home / "decks" / "mine.toml").write_text(
            'format = 1\n[deck]\nid = "mine"\nname = "Mine"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n',
            "utf-8",
        )
    elif change == "memo damaged":
        _memos(home)[0].write_text("format = [", "utf-8")
    elif change == "other options":
        flags = []
    elif change == "other build":
        monkeypatch.setattr(import_memo, "code_fingerprint", lambda: "another build")
    elif change == "reset":
        shutil.rmtree(home / "state")  # the progress is gone: the full import records the history again
    read: list[Path] = []
    from retain.interop import importer

    real = importer.read_file

    def counting(path: Path, *args: object, **kwargs: object) -> object:
        read.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("retain.commands.import_.read_file", counting)
    code, out, err = run_cli(capsys, "import", *flags, str(_APKG))
    assert code == 0, err
    assert read == [_APKG], change
    if change == "reset":
        assert "recorded 2 event(s) of review history" in out
    if change == "deck edited":
        assert "1 changed" in out


def test_a_dry_run_always_reads_the_package(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _imported(home, capsys)
    _full_import_forbidden(monkeypatch)
    with pytest.raises(AssertionError, match="read again"):
        run_cli(capsys, "import", "--dry-run", "--with-history", str(_APKG))


def test_a_package_that_is_not_a_regular_file_is_never_read_for_its_digest(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A FIFO named like a package would block the digest's read forever (nothing ever writes)."""
    import os
    import threading

    fifo = tmp_path / "deck.apkg"
    os.mkfifo(fifo)
    result: list[tuple[int, str, str]] = []
    worker = threading.Thread(target=lambda: result.append(run_cli(capsys, "import", str(fifo))), daemon=True)
    worker.start()
    worker.join(10)
    assert result, "the import blocked on a FIFO"
    code, _, err = result[0]
    assert code == 1 and err.count("\n") == 1
