"""A `.md` cloze card's metadata that is not what retain writes is ignored, never a traceback.

The cloze numbers (`n`) of a card's `[retain]` entry (or an old export's `<!-- retain -->`
line) were iterated as they came: `n = 5` crashed the import with a TypeError, and `n = [true]`
made a `{{cTrue::...}}` that is no deletion (the card was skipped).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from retain.interop.importer import read_file
from retain.interop.markdown import block_key

from .conftest import run_cli

ODD = ["5", '"12"', "{}", "[true, false]", "[0, -1, 1000]", "true", "[[1], {}]"]


def _front_matter(n: str) -> str:
    key = block_key(["C: a [b] c [d]"])
    return (
        f'---\nname = "m"\n[retain]\ncards = [{{ h = "{key}", id = "c1", n = {n} }}]\n---\nC: a [b] c [d]\n'
    )


def _legacy(n: str) -> str:
    return f'<!-- retain {{"id": "c1", "n": {n}}} -->\nC: a [b] c [d]\n'


@pytest.mark.parametrize("n", ODD)
@pytest.mark.parametrize("form", [_front_matter, _legacy])
def test_odd_cloze_numbers_are_ignored(tmp_path: Path, form: Callable[[str], str], n: str) -> None:
    path = tmp_path / "m.md"
    path.write_text(form(n), encoding="utf-8")
    (card,) = read_file(path, tmp_path / "stage").decks[0].cards
    assert (card.id, card.text) == ("c1", "a {{c1::b}} c {{c2::d}}")


def test_good_cloze_numbers_still_apply(tmp_path: Path) -> None:
    path = tmp_path / "m.md"
    for form in (_front_matter, _legacy):
        path.write_text(form("[3, 1]"), encoding="utf-8")
        (card,) = read_file(path, tmp_path / "stage").decks[0].cards
        assert card.text == "a {{c3::b}} c {{c1::d}}"


def test_the_cli_imports_the_card_in_one_go(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "m.md"
    path.write_text(_legacy("5"), encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "--dry-run", str(path))
    assert code == 0 and "Traceback" not in out + err and "1 added" in out
