"""`retain add` to a deck whose file is broken says so, rather than "no deck … add --new-deck"."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main


def test_add_to_a_broken_deck_says_it_is_broken_not_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """It said "no deck 'broken2' …; add --new-deck to create it", and --new-deck was then refused."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    deck = tmp_path / "decks" / "broken2.toml"
    deck.parent.mkdir(parents=True)
    deck.write_text('format = 1\n[deck]\nid = "broken2"\nname = "B"\n[[cards]\n', encoding="utf-8")
    for extra in ([], ["--new-deck"]):
        assert main(["add", "--deck", "broken2", "--front", "q", "--back", "a", *extra]) == 2
        (line,) = capsys.readouterr().err.splitlines()
        assert "broken2.toml:5:8: error" in line and "does not load" in line and "--new-deck" not in line, (
            line
        )
