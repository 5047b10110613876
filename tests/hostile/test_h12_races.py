"""A file swapped for a FIFO (or a symbolic link, or other bytes) between a check and its read.

The importers checked `is_file()` and opened the path afterwards: a FIFO put in its place
meanwhile blocked the import forever (opening a FIFO for reading waits for a writer), and a
symbolic link put there was followed out of the collection. Reads of untrusted paths now open
non-blocking, without following a link below the folder they were checked in, and check the type
with `fstat` on the opened descriptor.

Each race is made real: the check itself (`Path.is_file` on that one path) swaps the file after it
answered, as another process could at that moment.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from retain.interop.errors import InteropError
from retain.interop.limits import Limits
from retain.interop.markdown import read_markdown
from retain.interop.media import sha256_file, store_media
from retain.interop.native import read_native
from retain.store.files import NotRegularFileError, open_regular

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")

_T = TypeVar("_T")
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 32


def _unblock(path: Path) -> None:
    """Open the FIFO at `path` for writing and close it: a reader blocked on it goes on (EOF)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NONBLOCK)
    except OSError:
        return
    os.close(fd)


def no_hang(fifo: Path, fn: Callable[[], _T], timeout: float = 5) -> _T:
    """`fn()`, failing the test when it is still blocked after `timeout` seconds (then the FIFO
    is opened for writing, so the blocked reader and the test go on)."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the test
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        for _ in range(50):
            _unblock(fifo)
            t.join(0.1)
            if not t.is_alive():
                break
        pytest.fail(f"blocked on the FIFO {fifo.name} for {timeout} s")
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


@contextmanager
def swapped_after_check(
    monkeypatch: pytest.MonkeyPatch, path: Path, swap: Callable[[Path], None]
) -> Iterator[list[int]]:
    """`swap(path)` runs right after the first `path.is_file()` answered: a file replaced between
    the check and the open. Yields a list that holds 1 once the swap ran."""
    real = Path.is_file
    done: list[int] = []

    def is_file(self: Path, *args: object, **kwargs: object) -> bool:
        answer = real(self)
        if not done and os.path.abspath(self) == os.path.abspath(path):
            done.append(1)
            swap(path)
        return answer

    monkeypatch.setattr(Path, "is_file", is_file)
    yield done


def to_fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _md(folder: Path, image: str = "pic.png") -> Path:
    (folder / "hashcards.db").write_bytes(b"")
    (folder / image).write_bytes(PNG)
    md = folder / "deck.md"
    md.write_text(f"Q: What is shown?\nA: ![a picture]({image})\n", encoding="utf-8")
    return md


def test_md_image_swapped_for_a_fifo_is_a_warning_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    md = _md(tmp_path)
    stage = tmp_path / "stage"
    stage.mkdir()
    pic = tmp_path / "pic.png"
    with swapped_after_check(monkeypatch, pic, to_fifo) as done:
        bundle = no_hang(pic, lambda: read_markdown(md, Limits(), stage))
    assert done == [1]
    assert bundle.media == {}
    assert "![a picture](pic.png)" in bundle.decks[0].cards[0].back  # kept as written
    assert any("pic.png" in w and "not a regular file (a FIFO)" in w for w in bundle.warnings), (
        bundle.warnings
    )


def test_md_image_swapped_for_a_symlink_out_of_the_root_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    md = _md(root)
    secret = tmp_path / "id_rsa"
    secret.write_bytes(b"-----BEGIN OPENSSH PRIVATE KEY-----\n")
    stage = tmp_path / "stage"
    stage.mkdir()
    pic = root / "pic.png"

    def to_link(path: Path) -> None:
        path.unlink()
        path.symlink_to(secret)

    with swapped_after_check(monkeypatch, pic, to_link), pytest.raises(InteropError, match="symbolic link"):
        read_markdown(md, Limits(), stage)
    assert not any(p.read_bytes() == secret.read_bytes() for p in stage.iterdir())


def _native(folder: Path) -> Path:
    media = folder / "pics.media"
    media.mkdir(parents=True)
    (media / "pic.png").write_bytes(PNG)
    deck = folder / "pics.toml"
    deck.write_text(
        'format = 1\n[deck]\nid = "pics"\nname = "Pics"\n\n'
        '[[cards]]\nid = "a"\nfront = "What?"\nback = "![x](pics.media/pic.png)"\n',
        encoding="utf-8",
    )
    return deck


def test_toml_media_swapped_for_a_fifo_is_a_warning_not_a_hang(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = _native(tmp_path / "shared")
    pic = tmp_path / "shared" / "pics.media" / "pic.png"
    with swapped_after_check(monkeypatch, pic, to_fifo) as done:
        bundle = no_hang(pic, lambda: read_native(deck, Limits()))
    assert done == [1]
    assert bundle.media == {}
    assert any("not being regular files: pic.png (a FIFO)" in w for w in bundle.warnings), bundle.warnings


def test_toml_media_folder_swapped_for_a_symlink_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = _native(tmp_path / "shared")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "pic.png").write_bytes(b"a private picture")
    folder = tmp_path / "shared" / "pics.media"
    pic = folder / "pic.png"

    def to_link(path: Path) -> None:
        path.unlink()
        folder.rmdir()
        folder.symlink_to(elsewhere)

    with swapped_after_check(monkeypatch, pic, to_link):
        bundle = read_native(deck, Limits())
    assert bundle.media == {}
    assert any("symbolic link" in w for w in bundle.warnings), bundle.warnings


def test_store_media_of_a_source_swapped_for_a_fifo_is_one_error_not_a_hang(tmp_path: Path) -> None:
    """A `.toml` import stages the files where they are: the write reads them again, later."""
    deck = _native(tmp_path / "shared")
    bundle = read_native(deck, Limits())
    (hashed,) = bundle.media
    src = bundle.media[hashed]
    to_fifo(src)
    decks = tmp_path / "decks"
    with pytest.raises(OSError, match=r"not a regular file \(a FIFO\)") as err:
        no_hang(src, lambda: store_media(decks, "pics", [hashed], bundle.media))
    assert "\n" not in str(err.value.strerror)
    folder = decks / "pics.media"
    assert (list(folder.iterdir()) if folder.exists() else []) == []  # no file, no temp file


def test_store_media_of_a_source_changed_since_it_was_read_writes_nothing(tmp_path: Path) -> None:
    """The bytes are named by their hash when read: other bytes under that name are refused."""
    deck = _native(tmp_path / "shared")
    bundle = read_native(deck, Limits())
    (hashed,) = bundle.media
    bundle.media[hashed].write_bytes(b"other bytes")
    decks = tmp_path / "decks"
    with pytest.raises(OSError, match="changed since"):
        store_media(decks, "pics", [hashed], bundle.media)
    folder = decks / "pics.media"
    assert (list(folder.iterdir()) if folder.exists() else []) == []


def test_store_media_never_writes_through_a_stray_fifo_temp_name(tmp_path: Path) -> None:
    stage = tmp_path / "stage"
    stage.mkdir()
    digest = hashlib.sha256(PNG).hexdigest()
    name = f"{digest}.png"
    (stage / name).write_bytes(PNG)
    target = tmp_path / "decks" / "d.media"
    target.mkdir(parents=True)
    os.mkfifo(target / f".{name}.tmp")
    written = no_hang(
        target / f".{name}.tmp", lambda: store_media(tmp_path / "decks", "d", [name], {name: stage / name})
    )
    assert written == 1
    assert (target / name).read_bytes() == PNG


def test_sha256_of_a_fifo_is_refused_not_a_hang(tmp_path: Path) -> None:
    pipe = tmp_path / "x.png"
    os.mkfifo(pipe)
    with pytest.raises(NotRegularFileError, match=r"not a regular file \(a FIFO\)"):
        no_hang(pipe, lambda: sha256_file(pipe))


def test_open_regular_below_a_folder_follows_no_link_in_it(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.png").write_bytes(PNG)
    (tmp_path / "link").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "g.png").symlink_to(tmp_path / "real" / "f.png")
    with open_regular(tmp_path / "real" / "f.png", under=tmp_path) as fh:
        assert fh.read() == PNG
    for path in (tmp_path / "link" / "f.png", tmp_path / "real" / "g.png"):
        with pytest.raises(NotRegularFileError, match="symbolic link"):
            open_regular(path, under=tmp_path)
    with open_regular(tmp_path / "real" / "g.png") as fh:  # without `under`: a link to a file is that file
        assert fh.read() == PNG


def test_import_memo_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    """`retain import` keys its memo by the file's bytes, read after an `is_file()` check."""
    from retain.interop import import_memo

    pipe = tmp_path / "deck.apkg"
    os.mkfifo(pipe)
    with pytest.raises(OSError, match=r"not a regular file \(a FIFO\)"):
        no_hang(pipe, lambda: import_memo.digest(pipe))
    with pytest.raises(OSError, match=r"not a regular file \(a FIFO\)"):  # the sidecar, after its check
        no_hang(pipe, lambda: import_memo._sha(pipe))


def test_the_deck_file_lock_never_blocks_on_a_fifo(tmp_path: Path) -> None:
    """A save locks the deck file by opening it: a FIFO swapped in for it blocked the save."""
    from retain.store.decks.deckedit import _held

    pipe = tmp_path / "d.toml"
    os.mkfifo(pipe)

    def hold() -> bool:
        with _held(pipe):
            return True

    assert no_hang(pipe, hold)
