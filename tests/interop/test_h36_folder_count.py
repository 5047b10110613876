"""h36 attack: a folder import counts decks, not files' decks.

Before: two files holding deck `same` made `imported 2 files (2 decks)` (and the import dialog's
preview `would import 5 files (5 decks)` for five copies), though one deck file was written.
`import_summary` takes the decks' ids and counts each once."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.interop.folder_import import import_summary

from .conftest import run_cli, tree

DECK = 'format = 1\n[deck]\nid = "{id}"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'


def _folder(tmp_path: Path, ids: list[str]) -> Path:
    folder = tmp_path / "src"
    folder.mkdir()
    for n, deck_id in enumerate(ids):
        (folder / f"f{n}.toml").write_text(DECK.format(id=deck_id), encoding="utf-8")
    return folder


@given(st.lists(st.sampled_from(["a", "b", "c-1", "same"]), max_size=8), st.booleans())
def test_the_summary_counts_each_deck_once(ids: list[str], dry_run: bool) -> None:
    line = import_summary(len(ids), ids, [], dry_run=dry_run)
    n = len(set(ids))
    assert line.endswith(f"({n} {'deck' if n == 1 else 'decks'})"), line
    assert line.startswith("would import" if dry_run else "imported")


def test_five_copies_of_one_deck_are_one_deck() -> None:
    assert import_summary(5, ["same"] * 5, [], dry_run=True) == "would import 5 files (1 deck)"
    assert import_summary(2, ["x", "y", "x"], ["bad.md"]) == "imported 2 files (2 decks); 1 refused: bad.md"


@pytest.mark.parametrize("dry", [False, True])
def test_a_folder_of_two_files_with_one_deck_says_one_deck(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], dry: bool
) -> None:
    folder = _folder(tmp_path, ["same", "same", "other"])
    code, out, err = run_cli(capsys, "import", *(["--dry-run"] if dry else []), str(folder))
    assert code == 0, err
    summary = [line for line in out.splitlines() if "import" in line and "files (" in line]
    verb = "would import" if dry else "imported"
    assert summary == [f"{verb} 3 files (2 decks)"], out
    if not dry:
        assert tree(home / "decks") == ["other.toml", "same.toml"]


def test_a_folder_imported_again_still_counts_each_deck_once(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second run replays each file's lines (the re-import memo): counted the same way."""
    folder = _folder(tmp_path, ["same", "same"])
    for _ in range(2):
        code, out, err = run_cli(capsys, "import", str(folder))
        assert code == 0, err
        assert out.splitlines()[-1] == "imported 2 files (1 deck)", out
