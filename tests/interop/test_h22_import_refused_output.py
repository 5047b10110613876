"""An import that is refused lists no changes on stdout: the deck lines (`deck misc: 8 added, ...`)
are printed once the decks are written, never before a refusal that wrote nothing.

`retain import X --with-history` while the TUI held the writer lock printed every deck's "N added"
line, then "import refused: ...; nothing was written" (exit 1), and no deck file existed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.store.state.lock import WriterLock

from .conftest import FIXTURES, run_cli, tree

_LOCKED = (
    "import refused: another retain is writing the progress (close it, or import from its import "
    "dialog: i); nothing was written"
)


@contextmanager
def _writer_lock_held(home: Path) -> Iterator[None]:
    """The writer lock held, as an open TUI holds it."""
    lock = WriterLock(home / "state")
    assert lock.acquire(datetime.now(UTC))
    try:
        yield
    finally:
        lock.release()


def _deck(deck_id: str, *fronts: str, version: str = "1") -> Deck:
    cards = tuple(Card(f.lower(), front=f"{f}?", back=f) for f in fronts)
    return Deck(deck_id, deck_id.title(), version=version, cards=cards)


def test_a_history_import_refused_by_the_lock_lists_no_deck_as_added(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _writer_lock_held(home):
        code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert code == 1
    assert err.strip().splitlines()[-1] == f"retain: {_LOCKED}"
    assert out == ""  # no "deck general-knowledge: 2 added, ..." for decks that were not written
    assert tree(home / "decks") == []
    code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert code == 0, err  # the same import, the lock free: the deck lines, then what was written
    lines = out.splitlines()
    added = next(i for i, line in enumerate(lines) if line.startswith("deck ") and " added" in line)
    assert added < next(i for i, line in enumerate(lines) if line.startswith("imported deck "))


def test_a_folder_import_lists_the_changes_of_the_files_that_went_in_only(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(FIXTURES / "layout-latest.apkg", folder / "anki.apkg")  # has a review log: refused
    (folder / "words.toml").write_text(deck_to_toml(_deck("words", "Hola", "Adios")))  # no history
    with _writer_lock_held(home):
        code, out, err = run_cli(capsys, "import", "--with-history", str(folder))
    assert code == 1
    assert f"retain: anki.apkg: {_LOCKED}" in err.splitlines()
    assert [line for line in out.splitlines() if not line.startswith("words.toml:   ")] == [
        "words.toml: deck words: ? -> 1: 2 added, 0 changed, 0 removed, 0 unchanged",
        "words.toml: imported deck words: 2 notes, 2 cards -> " + str(home / "decks" / "words.toml"),
        "words.toml: recorded 0 event(s) of review history",
        "imported 1 file (1 deck); 1 refused: anki.apkg",
    ]
    assert tree(home / "decks") == ["words.toml"]


def test_an_import_refused_because_the_deck_was_edited_meanwhile_lists_no_changes(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deck edited (in $EDITOR, or by a `retain add`) between the import's plan and its write:
    the import refuses and writes nothing, so it says no card was added."""
    from retain.commands import import_

    mine = home / "decks" / "geo.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text(deck_to_toml(_deck("geo", "France")))
    src = tmp_path / "geo.toml"
    src.write_text(deck_to_toml(_deck("geo", "France", "Germany", version="2")))
    edited = mine.read_text() + '\n[[cards]]\nid = "it"\nfront = "Italy?"\nback = "Rome"\n'
    real_plan = import_.plan_import  # type: ignore[attr-defined]

    def plan_then_edit(*args: object, **kwargs: object) -> object:
        plan = real_plan(*args, **kwargs)  # type: ignore[arg-type]
        mine.write_text(edited)  # the learner's edit, saved while the import runs
        return plan

    monkeypatch.setattr(import_, "plan_import", plan_then_edit)
    code, out, err = run_cli(capsys, "import", str(src))
    assert code == 1 and "changed since the import read it" in err
    assert out == ""
    assert mine.read_text() == edited


def test_a_dry_run_still_shows_its_plan(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with _writer_lock_held(home):  # (a dry run records nothing: the lock does not matter)
        code, out, err = run_cli(
            capsys, "import", "--dry-run", "--with-history", str(FIXTURES / "layout-latest.apkg")
        )
    assert code == 0, err
    assert any(line.startswith("deck ") and " added" in line for line in out.splitlines())
    assert out.splitlines()[-1] == "dry run: nothing written"
    assert tree(home / "decks") == []


def test_a_package_with_history_is_refused_before_it_is_read(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The refusal came only after the whole package was read and planned (12 s and 170 MB for a
    117k-row log): a package that is no zip at all shows it is now refused before any reading."""
    bogus = tmp_path / "big.apkg"
    bogus.write_bytes(b"not a zip at all")
    with _writer_lock_held(home):
        code, out, err = run_cli(capsys, "import", "--with-history", str(bogus))
    assert (code, out) == (1, "")
    assert err.strip().splitlines() == [f"retain: {_LOCKED}"]
    code, _, err = run_cli(capsys, "import", "--with-history", str(bogus))
    assert (
        code == 1 and "zip" in err.lower() and _LOCKED not in err
    )  # (free: read, and refused for what it is)
