"""Two guards on every write of a file a person keeps (a deck file, config.toml):

- A file with no write permission is the person's "do not change this". `retain add`,
  `retain check --fix` and the app's saves replaced a read-only deck file anyway (a rename only
  needs the folder's write permission), and said "added". Now each refuses in one line and the
  file stays as it was, byte for byte.
- An edit made in another editor that landed while the app was writing (after its "changed on
  disk?" check, during the temp file's fsync on a slow disk) was overwritten, and the app said
  "Saved". Now the file is checked again once the temp file is on disk, right before it replaces
  the file: a change means nothing is written and the existing changed-on-disk error is raised.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.cli import main
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardEdit, read_card, save_card
from retain.store.decks.deckedit import DeckChangedOnDisk, DeckEditError, DeckFile
from retain.store.files import ChangedWhileWrittenError, ReadOnlyFileError, atomic_write

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

DECK = """format = 1
[deck]
id = "alpha"

[[cards]]
id = "one"
front = "Capital of France?"
back = "Paris"

[[cards]]
id = "two"
front = "Hund"
back = "dog"
"""

NO_ID = 'format = 1\n[deck]\nid = "ro2"\n\n[[cards]]\nfront = "q"\nback = "a"\n'


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    return home / "decks"


def _read_only(path: Path, text: str) -> bytes:
    path.write_text(text, "utf-8")
    path.chmod(0o444)
    return path.read_bytes()


def _unchanged(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before, "the read-only file was rewritten"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []  # no temp file left


# -- read-only deck files (tested by mode bits: root may write anything) --------------------------


def test_retain_add_refuses_a_read_only_deck_in_one_line(
    decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = decks / "alpha.toml"
    before = _read_only(path, DECK)
    assert main(["add", "--deck", "alpha", "--front", "added to a read-only file", "--back", "x"]) == 1
    said = capsys.readouterr()
    assert "added" not in said.out, said.out
    [line] = said.err.strip().splitlines()
    assert "alpha.toml is read-only; make it writable (chmod u+w)" in line, line
    _unchanged(path, before)


def test_check_fix_leaves_a_read_only_deck_as_it_was(decks: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = decks / "ro2.toml"
    before = _read_only(path, NO_ID)
    assert main(["check", "--fix", str(path)]) == 1  # the card still has no id: an error
    out = capsys.readouterr().out
    assert f"{path} is read-only; make it writable (chmod u+w) to add its 1 missing card id" in out, out
    assert "added 1 card id" not in out, out
    _unchanged(path, before)
    path.chmod(0o644)  # made writable, the same command mends it
    assert main(["check", "--fix", str(path)]) == 0
    assert "id = " in path.read_text("utf-8")


@pytest.mark.parametrize("through_link", [False, True])
def test_an_app_save_of_a_read_only_deck_is_a_one_line_edit_error(decks: Path, through_link: bool) -> None:
    """The editor shows a DeckEditError as one "Not saved" line and keeps the edit on screen."""
    real = decks / "alpha.toml"
    before = _read_only(real, DECK)
    path = real
    if through_link:  # a deck linked from a git checkout: its target's mode counts
        path = decks / "linked.toml"
        path.symlink_to(real)
    deck_file = DeckFile.load(path)
    deck_file.upsert(replace(deck_file.deck().cards[0], back="Paris (edited)"))
    with pytest.raises(DeckEditError) as caught:
        deck_file.save()
    said = str(caught.value)
    assert "\n" not in said and "is read-only; make it writable (chmod u+w)" in said, said
    assert "nothing was written" in said, said
    _unchanged(real, before)
    real.chmod(0o644)
    deck_file.save()  # made writable: the edit kept in memory saves
    assert "Paris (edited)" in real.read_text("utf-8")


def test_every_write_of_a_kept_file_refuses_a_read_only_one(tmp_path: Path) -> None:
    """The guard is in the one write path of files a person keeps (`keep_hard_links`): a writer
    that does not look first (an import's upgrade of a deck) is refused too; a file of the app's
    own (a state file) is written as before."""
    path = tmp_path / "d.toml"
    before = _read_only(path, DECK)
    with pytest.raises(ReadOnlyFileError) as caught:
        atomic_write(path, "new", keep_hard_links=True)
    assert isinstance(caught.value, OSError) and "chmod u+w" in (caught.value.strerror or "")
    _unchanged(path, before)
    atomic_write(path, "new")  # (not a kept file: the app's own files are replaced as before)
    assert path.read_text("utf-8") == "new"


# -- an edit landing while the app writes ----------------------------------------------------------


@pytest.fixture
def slow_disk(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path, Callable[[], None]], list[int]]:
    """`slow_disk(path, edit)`: the first fsync of a temp file beside `path` runs `edit` (another
    editor's save landing while the app's temp file is being made durable); the calls made."""

    def install(path: Path, edit: Callable[[], None]) -> list[int]:
        real = os.fsync
        calls: list[int] = []

        def fsync(fd: int) -> None:
            name = os.readlink(f"/proc/self/fd/{fd}") if os.path.exists("/proc/self/fd") else ""
            if not calls and Path(name).name.startswith(f".{path.name}.") and name.endswith(".tmp"):
                calls.append(fd)
                edit()
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)
        return calls

    if not os.path.exists("/proc/self/fd"):
        pytest.skip("needs /proc to tell the temp file's fsync")
    return install


def _their_edit(path: Path) -> Callable[[], None]:
    def edit() -> None:
        text = path.read_text("utf-8").replace('back = "dog"', 'back = "the dog (edited in vim)"')
        tmp = path.with_name("vim-swap")
        tmp.write_text(text, "utf-8")
        os.replace(tmp, path)  # as `sed -i` and many editors save

    return edit


def test_an_edit_landing_during_a_deck_save_is_kept_and_the_save_refused(
    decks: Path, slow_disk: Callable[[Path, Callable[[], None]], list[int]]
) -> None:
    path = decks / "alpha.toml"
    path.write_text(DECK, "utf-8")
    deck_file = DeckFile.load(path)
    deck_file.upsert(replace(deck_file.deck().cards[0], back="Paris (edited in the app)"))
    calls = slow_disk(path, _their_edit(path))
    with pytest.raises(DeckChangedOnDisk):
        deck_file.save()
    assert calls, "the temp file was never fsynced: the test tested nothing"
    text = path.read_text("utf-8")
    assert "edited in vim" in text and "edited in the app" not in text
    assert [p.name for p in decks.iterdir()] == ["alpha.toml"]  # the temp file is gone


@pytest.fixture
def col(decks: Path) -> Iterator[Collection]:
    from retain.store.home import open_home

    (decks / "alpha.toml").write_text(DECK, "utf-8")
    collection = Collection.open(open_home(), NOW, tz=UTC)
    yield collection
    collection.close()


def test_the_app_says_not_saved_and_the_next_save_keeps_both_edits(
    decks: Path, col: Collection, slow_disk: Callable[[Path, Callable[[], None]], list[int]]
) -> None:
    """The repro: the editor saves card 'one' while the author's own editor saves card 'two'. The
    app said "saved" and 'two' lost its edit; now the save is refused (a DeckEditError the editor
    shows as "Not saved", the form kept), and saving again merges: both edits are in the file."""
    path = decks / "alpha.toml"
    origin, card = read_card(col, "alpha", "one")
    edit = CardEdit("alpha", replace(card, back="Paris (edited in the app)"), origin, "alpha", card)
    slow_disk(path, _their_edit(path))
    with pytest.raises(DeckEditError, match="changed on disk"):
        save_card(col, edit, NOW)
    assert "edited in vim" in path.read_text("utf-8")
    result = save_card(col, edit, NOW)  # ctrl+s again: their edit of another card is merged
    assert result.merged
    text = path.read_text("utf-8")
    assert "edited in vim" in text and "edited in the app" in text, text


def test_a_kept_file_changed_during_any_write_is_not_replaced(
    tmp_path: Path, slow_disk: Callable[[Path, Callable[[], None]], list[int]]
) -> None:
    """The same guard for every writer of a kept file (config.toml, `check --fix`, an import), a
    hard-linked deck written in place too."""
    for linked in (False, True):
        path = tmp_path / f"alpha{int(linked)}.toml"
        path.write_text(DECK, "utf-8")
        if linked:
            os.link(path, tmp_path / "checkout.toml")
        slow_disk(path, _their_edit(path))
        with pytest.raises(ChangedWhileWrittenError) as caught:
            atomic_write(path, "mine\n", keep_hard_links=True)
        assert isinstance(caught.value, OSError)
        assert "edited in vim" in path.read_text("utf-8")
        if linked:
            (tmp_path / "checkout.toml").unlink()


def test_a_move_out_of_a_read_only_deck_writes_neither_file(decks: Path, col: Collection) -> None:
    """The target was written first, then the read-only source refused: the card was in both
    files. Every file of an edit is asked before the first is written."""
    from retain.store.decks.card_edits import delete_cards, move_card

    other = decks / "beta.toml"
    other.write_text(
        'format = 1\n[deck]\nid = "beta"\n\n[[cards]]\nid = "x"\nfront = "f"\nback = "b"\n', "utf-8"
    )
    col.reload_library()
    source = decks / "alpha.toml"
    source.chmod(0o444)
    before = (source.read_bytes(), other.read_bytes())
    with pytest.raises(DeckEditError, match=r"alpha\.toml is read-only"):
        move_card(col, "alpha", "one", "beta", NOW)
    with pytest.raises(DeckEditError, match=r"alpha\.toml is read-only"):
        delete_cards(col, [("beta", "x"), ("alpha", "one")])
    assert (source.read_bytes(), other.read_bytes()) == before
