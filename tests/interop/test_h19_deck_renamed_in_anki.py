"""A deck renamed in Anki is the same deck when it comes back (h19).

Anki keeps a note's GUID whatever its deck is called, and retain's card ids come from the GUIDs;
but a deck's id comes from its name. Imported again after a rename in Anki, the deck was new to
retain: a second copy of every card beside the first, and with `--with-history` every review
recorded again under the copy's cards (the day's reviews counted twice).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from .anki_fixture import LEGACY, changed_package
from .conftest import run_cli


def _renamed(tmp_path: Path, old: str, new: str, *, other_notes: bool = False) -> Path:
    """The fixture package with its deck `old` (and its subdecks) called `new`; `other_notes`:
    every note with another GUID too."""

    def rename(conn: sqlite3.Connection) -> None:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for deck in decks.values():
            if deck["name"] == old or deck["name"].startswith(old + "::"):
                deck["name"] = new + deck["name"][len(old) :]
        conn.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
        if other_notes:
            conn.execute("UPDATE notes SET guid = guid || 'x'")

    return changed_package(tmp_path, rename)


def _stats(capsys: pytest.CaptureFixture[str]) -> dict[str, int]:
    code, out, _ = run_cli(capsys, "stats", "--json", "--days", "all")
    assert code == 0
    total = json.loads(out)["total"]
    return {
        "cards": total["cards"],
        "reviews": sum(d["reviews"] for d in json.loads(out)["calendar"]["days"]),
    }


def _deck_files(home: Path) -> list[str]:
    return sorted(p.name for p in (home / "decks").glob("*.toml"))


@pytest.mark.parametrize(("old", "new"), [("General Knowledge", "Trivia"), ("Languages", "Idiomas")])
def test_a_deck_renamed_in_anki_updates_the_deck_it_was(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str
) -> None:
    assert run_cli(capsys, "import", "--with-history", str(LEGACY))[0] == 0
    files, before = _deck_files(home), _stats(capsys)
    assert before["reviews"] > 0
    code, out, err = run_cli(capsys, "import", "--with-history", str(_renamed(tmp_path, old, new)))
    assert code == 0, err
    assert _deck_files(home) == files, out
    assert _stats(capsys) == before
    assert "recorded" not in out or "recorded 0" in out, out
    decks = json.loads(run_cli(capsys, "due", "--json")[1])["decks"]
    shown = {"::".join(filter(None, (d["group"], d["name"]))) for d in decks}
    assert any(name.startswith(new) for name in shown), shown
    assert not any(name.startswith(old) for name in shown), shown
    assert f"renamed in Anki to '{new}" in out, out


def test_a_deck_of_other_cards_under_a_new_name_is_still_a_new_deck(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Only the same cards make the same deck: notes with other GUIDs under a new name are new."""
    assert run_cli(capsys, "import", str(LEGACY))[0] == 0
    files = _deck_files(home)
    package = _renamed(tmp_path, "General Knowledge", "Trivia", other_notes=True)
    assert run_cli(capsys, "import", str(package))[0] == 0
    assert set(files) < set(_deck_files(home)) and "trivia.toml" in _deck_files(home)
