"""An operating-system error in a user message reads as words, never as Python renders it.

Before: `retain due` with a file named `cache` where the cache folder goes said
"the history index cannot be written ([Errno 17] File exists: '/tmp/x/cache'); using a temporary
one", and other places said `{exc.strerror or exc}` ("File exists", "Not a directory"). Now one
function (`os_error_text`) gives the plain line: "/tmp/x/cache is a file, not a folder".
The errors here are real ones, made by the file system in `tmp_path`.
"""

from __future__ import annotations

import errno
import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.fsrsfit import DEFAULT_WEIGHTS
from retain.store.config import ConfigError
from retain.store.config_edit import ConfigEditError, save_value
from retain.store.config_write import save_parameters
from retain.store.decks.deckedit import DeckEditError, DeckFile, write_new_file
from retain.store.decks.editlock import deck_edit_lock
from retain.store.files import ReadError, read_text_limited
from retain.store.index.db import unusable
from retain.store.oserror import os_error_text, shown_name
from retain.store.state.writer import _reason
from retain.ui.loader import CollectionLoader

REPR_NAME = re.compile(r"'[^']*/[^']*'")  # a path in repr quotes


def _plain(text: str, *, quotes_given: bool = False) -> None:
    """What every message made from an OSError must be (`quotes_given`: the error's own name or
    phrase holds a quote, so a quoted path in the text may be theirs, not a repr)."""
    assert text, "empty"
    assert "[Errno" not in text and "Errno" not in text, text
    assert "\n" not in text and "\r" not in text, text
    assert text.isprintable(), text
    assert quotes_given or not REPR_NAME.search(text), text


def _raised(do: Callable[[], object]) -> OSError:
    with pytest.raises(OSError) as info:
        do()
    return info.value


@pytest.fixture
def a_file(tmp_path: Path) -> Path:
    path = tmp_path / "cache"
    path.write_text("x")
    return path


# --- the function, on real errors ---------------------------------------------------------------


def test_a_folder_made_where_a_file_is(a_file: Path) -> None:
    exc = _raised(lambda: a_file.mkdir(parents=True, exist_ok=True))
    assert exc.errno == errno.EEXIST
    assert os_error_text(exc) == f"{a_file} is a file, not a folder"
    assert os_error_text(exc, name=False) == f"{a_file} is a file, not a folder"  # (it may be another file)


def test_a_file_below_a_file_names_the_file_in_the_way(a_file: Path) -> None:
    exc = _raised(lambda: open(a_file / "deck-edit.lock", "w"))  # noqa: SIM115
    assert exc.errno == errno.ENOTDIR
    assert os_error_text(exc) == f"{a_file} is a file, not a folder"
    exc = _raised(lambda: (a_file / "a" / "b").mkdir(parents=True, exist_ok=True))
    assert os_error_text(exc, name=False) == f"{a_file} is a file, not a folder"


def test_a_fifo_where_a_folder_goes(tmp_path: Path) -> None:
    fifo = tmp_path / "decks"
    os.mkfifo(fifo)
    exc = _raised(lambda: fifo.mkdir(parents=True, exist_ok=True))
    assert os_error_text(exc) == f"{fifo} is a FIFO, not a folder"


def test_a_folder_where_a_file_goes(tmp_path: Path) -> None:
    folder = tmp_path / "x.toml"
    folder.mkdir()
    exc = _raised(lambda: open(folder, "w"))  # noqa: SIM115
    assert os_error_text(exc) == f"{folder} is a folder, not a file"
    assert os_error_text(exc, name=False) == "it is a folder, not a file"


def test_a_missing_file_and_the_name_as_typed(tmp_path: Path) -> None:
    odd = tmp_path / "it's a\tdeck.toml"
    exc = _raised(lambda: open(odd))  # noqa: SIM115
    assert os_error_text(exc) == f"{tmp_path}/it's a\\tdeck.toml: no such file or folder"
    assert os_error_text(exc, name=False) == "no such file or folder"


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        (errno.EACCES, "permission denied"),
        (errno.EPERM, "operation not permitted"),
        (errno.ENOSPC, "no space left on device"),
        (errno.EROFS, "read-only file system"),
        (errno.ELOOP, "a symbolic link loop"),
    ],
)
def test_the_common_reasons(tmp_path: Path, code: int, reason: str) -> None:
    # (root may write anywhere and no disk here is full: the error as the OS builds it)
    exc = OSError(code, os.strerror(code), str(tmp_path / "a b.toml"))
    assert os_error_text(exc) == f"{tmp_path}/a b.toml: {reason}"
    assert os_error_text(exc, name=False) == reason
    assert os_error_text(OSError(code, os.strerror(code))) == reason


def test_a_phrase_of_retains_own_is_kept() -> None:
    exc = OSError(errno.ELOOP, "a symbolic link loop; nothing written", "/d/a.toml")
    assert os_error_text(exc) == "/d/a.toml: a symbolic link loop; nothing written"
    assert os_error_text(OSError("no deck was written; import again")) == "no deck was written; import again"


def test_a_hostile_name_stays_on_one_line() -> None:
    exc = PermissionError(errno.EACCES, os.strerror(errno.EACCES), "/d/a\n\x1b]52;c;eA==\x07.toml")
    text = os_error_text(exc)
    _plain(text)
    assert text == "/d/a\\n\\x1b]52;c;eA==\\x07.toml: permission denied"
    assert shown_name(b"/d/caf\xe9") == "/d/caf\ufffd"


_CODES = sorted(errno.errorcode)
_NAMES = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30),
    st.binary(min_size=1, max_size=20).filter(lambda b: b"\0" not in b),
    st.integers(0, 3),  # (an fd: no name)
)


@settings(max_examples=400, deadline=None)
@given(
    code=st.sampled_from(_CODES),
    strerror=st.one_of(st.none(), st.just("standard"), st.text(max_size=40)),
    filename=_NAMES,
    name=st.booleans(),
)
def test_any_errno_reads_as_one_plain_line(
    code: int, strerror: str | None, filename: object, name: bool
) -> None:
    said = os.strerror(code) if strerror == "standard" else strerror
    exc = OSError(code, said, filename) if filename is not None else OSError(code, said)
    text = os_error_text(exc, name=name)
    _plain(text, quotes_given="'" in f"{said}{shown_name(filename) or ''}")  # ("0'", "/'": "0': /'")
    shown = shown_name(filename)
    if shown is not None:
        assert repr(filename) not in text
        if name and code != errno.ENOTDIR:  # (ENOTDIR names the file in the way: maybe a parent)
            assert shown in text, (text, shown)
    phrase = " ".join((said or "").split())
    if phrase != os.strerror(code) and phrase.isprintable() and not phrase.startswith("["):
        assert phrase[1:] in text, (text, phrase)  # a phrase of its own is kept (first letter lowered)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_other_error_is_its_own_message_on_one_line(message: str) -> None:
    text = os_error_text(ValueError(message))
    assert "\n" not in text and text.isprintable()
    if message.isprintable():
        assert text == (" ".join(message.split()) or "ValueError")


# --- the places that show one -------------------------------------------------------------------


def test_the_history_index_warning(a_file: Path) -> None:
    exc = _raised(lambda: (a_file / "history.sqlite3").parent.mkdir(parents=True, exist_ok=True))
    line = unusable(exc)
    _plain(line)
    assert (
        line
        == f"the history index cannot be written ({a_file} is a file, not a folder); using a temporary one"
    )


def test_the_writer_keeps_its_words(a_file: Path) -> None:
    for code, said in [
        (errno.ENOSPC, "no space left on device"),
        (errno.EROFS, "read-only file system"),
        (errno.EACCES, "permission denied"),
    ]:
        assert _reason(OSError(code, os.strerror(code), "/s/journal")) == said
    exc = _raised(lambda: (a_file / "devices").mkdir(parents=True, exist_ok=True))
    assert _reason(exc) == f"{a_file} is a file, not a folder"


def test_reading_a_file_below_a_file(a_file: Path) -> None:
    with pytest.raises(ReadError) as info:
        read_text_limited(a_file / "x.toml")
    _plain(str(info.value))
    assert str(info.value) == f"cannot read file: {a_file} is a file, not a folder"


def test_a_deck_file_that_cannot_be_written(tmp_path: Path, a_file: Path) -> None:
    with pytest.raises(DeckEditError) as info:
        write_new_file(a_file / "new.toml", b"format = 1\n")
    _plain(str(info.value))
    assert f"{a_file} is a file, not a folder" in str(info.value)
    with pytest.raises(DeckEditError) as info:
        DeckFile.load(a_file / "x.toml")
    _plain(str(info.value))
    assert str(info.value) == f"{a_file}/x.toml: cannot read file: {a_file} is a file, not a folder"


def test_the_deck_edit_lock_in_a_cache_that_is_a_file(a_file: Path) -> None:
    with pytest.raises(DeckEditError) as info, deck_edit_lock(a_file, timeout=0.1):
        pass
    _plain(str(info.value))
    assert f"({a_file} is a file, not a folder)" in str(info.value)


def test_settings_that_cannot_be_saved(a_file: Path) -> None:
    config = a_file / "config.toml"  # its folder is a file
    with pytest.raises(ConfigEditError) as info:
        save_value(config, ("theme",), "nord")
    _plain(str(info.value))
    assert str(info.value) == f"cannot write {config}: {a_file} is a file, not a folder"
    with pytest.raises(ConfigError) as caught:
        save_parameters(config, "default", DEFAULT_WEIGHTS)
    _plain(str(caught.value))
    assert str(caught.value) == f"{config}: cannot be written: {a_file} is a file, not a folder"


def test_the_app_that_cannot_open_its_collection(a_file: Path) -> None:
    def open_() -> object:
        (a_file / "state").mkdir(parents=True, exist_ok=True)  # a real error, no collection
        raise AssertionError("unreachable")

    loader = CollectionLoader(open_)  # type: ignore[arg-type]
    said: list[str] = []
    loader.start(lambda _col, error: said.append(error))
    loader.wait()
    assert said == [f"cannot open the collection: {a_file} is a file, not a folder"]


def test_no_message_formats_an_oserror_itself() -> None:
    """The class, not the cases: every message goes through `os_error_text`. A place that puts
    `exc.strerror` (capitalised, no file in the way named) or an OSError's own text into a
    message is a new way to print `[Errno 17] File exists: '...'`."""
    src = Path(__file__).resolve().parents[2] / "src" / "retain"
    allowed = {
        "store/oserror.py",
        "store/files.py",
        "store/inplace.py",
        "interop/md_media.py",
    }  # (the rule; a phrase test)
    found = [
        f"{path.relative_to(src)}:{n}"
        for path in sorted(src.rglob("*.py"))
        if path.relative_to(src).as_posix() not in allowed
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"(?<!\bos)\.strerror\b", line)  # (`os.strerror(code)` is a phrase, not an error)
    ]
    assert found == []
