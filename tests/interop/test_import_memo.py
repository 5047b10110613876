"""A re-import that changes nothing is recognised from the memo of the last import (issue 10).

The quick answer must print exactly what the full import would print, and give
way to the full import whenever anything it depends on changed.
"""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.interop import import_memo

from .conftest import FIXTURES, run_cli, tree

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
        "another deck touched",
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
    elif change == "another deck touched":  # a deck the import did not write: only its identity is kept
        mine = home / "decks" / "mine.toml"
        mine.write_text(
            'format = 1\n[deck]\nid = "mine"\nname = "Mine"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n',
            "utf-8",
        )
        run_cli(capsys, "import", *flags, str(_APKG))  # its memo now knows mine.toml
        os.utime(mine, ns=(mine.stat().st_atime_ns, mine.stat().st_mtime_ns + 10**9))
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


@pytest.mark.parametrize("how", ["touched", "saved again", "moved and back"])
def test_a_deck_file_it_wrote_with_the_same_bytes_is_still_answered_from_the_memo(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    """A deck file the import wrote, touched or saved again with the same content (an editor, a
    `git checkout`), sent the re-import to a full reading of the package (4.2 s at 20,000 notes,
    against Anki's 0.5 s): its bytes, checked by SHA-256, say nothing changed."""
    full = _imported(home, capsys)
    deck = _deck_file(home)
    if how == "touched":
        os.utime(deck, ns=(deck.stat().st_atime_ns, deck.stat().st_mtime_ns + 10**9))
    elif how == "saved again":
        deck.write_bytes(deck.read_bytes())
    else:  # a new inode, as an editor's save-by-rename makes
        deck.rename(deck.with_suffix(".bak"))
        deck.with_suffix(".bak").rename(deck)
        shutil.copy(deck, deck.with_suffix(".tmp"))
        deck.with_suffix(".tmp").replace(deck)
    with monkeypatch.context() as m:
        _full_import_forbidden(m)
        code, quick, err = run_cli(capsys, "import", "--with-history", str(_APKG))
    assert (code, err) == (0, "")
    assert quick == full


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


# -- the memo covers every input the import reads and every name it derives ids from -------------


def _review(home: Path, key: str, at: datetime, now: datetime) -> None:
    from retain.core.scheduler import Scheduler
    from retain.core.settings import StudySettings
    from retain.interop import progress_io
    from retain.interop.bundle import Review
    from retain.store.home import open_home

    after = Scheduler(StudySettings()).preview(key, None, at)[3]
    progress_io.record_history(
        open_home({"RETAIN_HOME": str(home)}), [Review(key, at, after, None, "review", 3, 900)], now
    )


@pytest.mark.parametrize("sidecar", ["newer", "added later"])
def test_reimport_with_history_reads_a_newer_progress_sidecar(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, sidecar: str
) -> None:
    """Moving progress again (`export -o t.toml --with-progress --force`, `import t.toml
    --with-history`): the deck file is byte-identical, but its NAME.progress.toml is not, so the
    cards first reviewed since the last move get their progress."""
    from retain.interop import progress_io
    from retain.store.home import open_home

    a, b = tmp_path / "A", tmp_path / "B"
    (a / "decks").mkdir(parents=True)
    deck = Deck("t", "T", cards=tuple(Card(f"c{i}", front=f"Q{i}", back=f"A{i}") for i in range(3)))
    (a / "decks" / "t.toml").write_text(deck_to_toml(deck))
    now = datetime.now(UTC)
    out = tmp_path / "move" / "t.toml"
    side = out.with_name("t.progress.toml")
    out.parent.mkdir()
    _review(a, "t/c0", now - timedelta(hours=3), now)
    monkeypatch.setenv("RETAIN_HOME", str(a))
    code, _, err = run_cli(capsys, "export", "t", "-o", str(out), "--with-progress")
    assert code == 0, err
    if sidecar == "added later":  # the deck file went first, alone
        side.rename(tmp_path / "later.toml")
    monkeypatch.setenv("RETAIN_HOME", str(b))
    code, _, err = run_cli(capsys, "import", str(out), "--with-history")
    assert code == 0, err

    if sidecar == "newer":
        _review(a, "t/c1", now - timedelta(hours=1), now)  # studied on A after the first move
        monkeypatch.setenv("RETAIN_HOME", str(a))
        code, _, err = run_cli(capsys, "export", "t", "-o", str(out), "--with-progress", "--force")
        assert code == 0, err
        monkeypatch.setenv("RETAIN_HOME", str(b))
        want = ["t/c0", "t/c1"]
    else:
        (tmp_path / "later.toml").rename(side)
        want = ["t/c0"]
    code, msg, err = run_cli(capsys, "import", str(out), "--with-history")
    assert code == 0, err
    assert "recorded 0 event(s)" not in msg
    states = progress_io.deck_progress(open_home({"RETAIN_HOME": str(b)}), "t", now)[0]
    assert sorted(states) == want, msg


_PICS = (
    'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n[[cards]]\nid = "a"\n'
    'front = "What is this? ![image](pics.media/dot.png)"\nback = "a dot"\n'
)
_PNG = b"\x89PNG\r\n\x1a\n not really"


def _stored(home: Path) -> list[str]:
    return tree(home / "decks" / "pics.media")


@pytest.mark.parametrize("change", ["added", "changed", "removed", "folder removed"])
def test_reimport_of_a_toml_sees_its_media_folder_change(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], change: str
) -> None:
    """The files of `DECK.media/` beside a .toml are inputs of its import: adding, changing or
    removing one (or the folder) makes the re-import read the file again and say what it finds."""
    src = tmp_path / "share" / "pics.toml"
    src.parent.mkdir()
    src.write_text(_PICS)
    media = src.parent / "pics.media"
    if change != "added":
        media.mkdir()
        (media / "dot.png").write_bytes(_PNG)
    code, _, err = run_cli(capsys, "import", str(src))
    assert code == 0, err
    before = _stored(home)
    if change == "added":
        media.mkdir()
        (media / "dot.png").write_bytes(_PNG)
    elif change == "changed":
        (media / "dot.png").write_bytes(_PNG + b" redrawn")
    elif change == "removed":
        (media / "dot.png").unlink()
    else:
        shutil.rmtree(media)
    code, msg, err = run_cli(capsys, "import", str(src))
    assert code == 0, err
    deck_text = (home / "decks" / "pics.toml").read_text()
    if change in ("added", "changed"):
        assert len(_stored(home)) == len(before) + 1, msg
        assert "1 changed" in msg
        assert "pics.media/dot.png" not in deck_text
    else:  # the full import warns, as the first one of a deck shared without its media does
        assert "1 media file(s) not found" in err, err


def test_an_unchanged_toml_with_media_is_still_answered_from_the_memo(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With its media folder untouched, the re-import is quick, and says again what it warned."""
    src = tmp_path / "share" / "pics.toml"
    src.parent.mkdir()
    src.write_text(_PICS.replace('back = "a dot"', 'back = "a dot ![image](pics.media/gone.png)"'))
    (src.parent / "pics.media").mkdir()
    (src.parent / "pics.media" / "dot.png").write_bytes(_PNG)
    code, _, first_err = run_cli(capsys, "import", str(src))
    assert code == 0, first_err
    code, full, full_err = run_cli(capsys, "import", str(src))  # unchanged; keeps a memo
    assert "1 media file(s) not found" in full_err and "gone.png" in full_err
    with monkeypatch.context() as m:
        _full_import_forbidden(m)
        code, quick, quick_err = run_cli(capsys, "import", str(src))
    assert (code, quick, quick_err) == (0, full, full_err)


@pytest.mark.parametrize("suffix", [".csv", ".tsv", ".txt", ".md"])
def test_a_renamed_copy_is_imported_as_the_deck_its_name_gives(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    """Anki text files and Markdown decks take their id from the file name: the same bytes under
    another name are another deck, never the memo of the first."""
    bodies = {".md": "Q: q1\nA: a1\n\nQ: q2\nA: a2\n", ".csv": "q1,a1\nq2,a2\n"}
    body = bodies.get(suffix, "q1\ta1\nq2\ta2\n")
    first, other = tmp_path / f"x{suffix}", tmp_path / f"other{suffix}"
    first.write_text(body)
    other.write_text(body)
    for _ in range(2):  # the second one keeps a memo
        code, _, err = run_cli(capsys, "import", str(first))
        assert code == 0, err
    code, msg, err = run_cli(capsys, "import", str(other))
    assert code == 0, err
    assert "imported deck other:" in msg, msg
    assert (home / "decks" / "other.toml").is_file()


def test_the_same_relative_path_in_another_folder_is_another_import(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`import pics.toml` from two folders: the same bytes, but only the second has the media."""
    bare, full = tmp_path / "bare", tmp_path / "full"
    for folder in (bare, full):
        folder.mkdir()
        (folder / "pics.toml").write_text(_PICS)
    (full / "pics.media").mkdir()
    (full / "pics.media" / "dot.png").write_bytes(_PNG)
    monkeypatch.chdir(bare)
    for _ in range(2):
        code, _, err = run_cli(capsys, "import", "pics.toml")
        assert code == 0, err
    monkeypatch.chdir(full)
    code, msg, err = run_cli(capsys, "import", "pics.toml")
    assert code == 0, err
    assert len(_stored(home)) == 1, msg


@pytest.mark.parametrize("change", ["added", "changed"])
def test_reimport_of_a_md_sees_its_images_change(
    tmp_path: Path,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    change: str,
) -> None:
    """The images a .md names (found or not) are inputs of its import; unchanged, the memo answers."""
    src = tmp_path / "notes" / "Pics.md"
    (src.parent / "img").mkdir(parents=True)
    src.write_text("Q: What is this?\n\n![dot](img/dot.png)\n\nA: a dot\n")
    image = src.parent / "img" / "dot.png"
    if change == "changed":
        image.write_bytes(_PNG)
    for _ in range(2):
        code, full, err = run_cli(capsys, "import", str(src))
        assert code == 0, err
    with monkeypatch.context() as m:
        _full_import_forbidden(m)
        code, quick, _ = run_cli(capsys, "import", str(src))
    assert (code, quick) == (0, full)
    image.write_bytes(_PNG + b" redrawn" if change == "changed" else _PNG)
    code, msg, err = run_cli(capsys, "import", str(src))
    assert code == 0, err
    assert "1 changed" in msg, msg
    assert len(tree(home / "decks" / "pics.media")) == (2 if change == "changed" else 1)
