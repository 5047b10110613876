"""The import dialog previews a stranger's `Catalan.csv` as the CLI does: beside the learner's deck."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from retain.cli import main
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp, preview_import, until

MINE = ["hola,hello"] + [f"palabra{i},word{i}" for i in range(50)]
STRANGER = ["hola,hello"] + [f"frase{i},sentence{i}" for i in range(5)]


def _write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


async def test_the_dialog_imports_a_strangers_deck_beside_mine(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    assert main(["import", str(_write(tmp_path / "mine" / "Catalan.csv", MINE))]) == 0
    mine = retain_home / "decks" / "catalan.toml"
    before = mine.read_bytes()
    stranger = _write(tmp_path / "stranger" / "Catalan.csv", STRANGER)
    app = open_app()
    async with app.run_test(size=(140, 34)) as pilot:
        apply_button = await preview_import(app, pilot, stranger, history=False)
        diff = str(app.screen.query_one("#share-diff", Static).render())
        assert (
            "deck id 'catalan' is taken by a different deck (Catalan, user): only 1 of its 51 notes "
            "is in this file; importing as 'catalan-2'"
        ) in " ".join(diff.split())
        assert "deck catalan-2: 6 added, 0 changed, 0 removed, 0 unchanged" in diff
        apply_button.press()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        assert app.collection.library.get("catalan-2") is not None
    assert mine.read_bytes() == before


async def test_the_dialog_updates_my_own_file_in_place_and_keeps_my_added_cards(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    """My own `Catalan.csv` again after I added cards to its deck: the dialog previews the update in
    place with the cards kept, as the CLI does, and the import keeps them."""
    mine = _write(tmp_path / "Catalan.csv", [f"question {n},answer {n}" for n in range(1, 5)])
    assert main(["import", str(mine)]) == 0
    for i in range(1, 6):
        assert main(["add", "--deck", "catalan", "--front", f"my own {i}", "--back", f"b{i}"]) == 0
    app = open_app()
    async with app.run_test(size=(140, 34)) as pilot:
        apply_button = await preview_import(app, pilot, mine, history=False)
        diff = " ".join(str(app.screen.query_one("#share-diff", Static).render()).split())
        assert "deck catalan: 0 added, 0 changed, 0 removed, 9 unchanged" in diff
        assert (
            "kept, not in this file: 5 cards (a file without card ids never removes cards; "
            "delete them in the browser)"
        ) in diff
        assert "importing as" not in diff
        apply_button.press()
        await until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        assert app.collection.library.get("catalan-2") is None
        deck = app.collection.library.get("catalan")
        assert deck is not None and len(deck.cards) == 9
    assert not (retain_home / "decks" / "catalan-2.toml").exists()
