"""A deck file edited between an import's preview (the plan) and its apply is never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.interop.errors import InteropError
from retain.interop.importer import apply_import, plan_import, read_file
from retain.store.home import open_home


def test_an_edit_made_after_the_preview_is_kept_and_the_import_refused(tmp_path: Path) -> None:
    """The TUI's import dialog plans, shows the changes, and writes when Import is pressed; an
    edit saved in the meantime (in $EDITOR) was overwritten by the planned text."""
    home_dir = tmp_path / "home"
    (home_dir / "decks").mkdir(parents=True)
    mine = home_dir / "decks" / "geo.toml"
    mine.write_text(deck_to_toml(Deck("geo", "Geo", cards=(Card("fr", front="France?", back="Paris"),))))
    src = tmp_path / "share" / "geo.toml"
    src.parent.mkdir()
    newer = Deck(
        "geo",
        "Geo",
        version="2",
        cards=(Card("fr", front="France?", back="Paris"), Card("de", front="Germany?", back="Berlin")),
    )
    src.write_text(deck_to_toml(newer))
    home = open_home({"RETAIN_HOME": str(home_dir)})
    stage = tmp_path / "stage"
    stage.mkdir()
    plan = plan_import(read_file(src, stage), home.library(), home.paths.decks_dir)
    edited = mine.read_text() + '\n[[cards]]\nid = "it"\nfront = "Italy?"\nback = "Rome"\n'
    mine.write_text(edited)  # the learner's edit, saved while the preview is shown
    with pytest.raises(InteropError, match="changed since the import read it"):
        apply_import(plan, home.paths.decks_dir)
    assert mine.read_text() == edited


def test_retrying_an_import_stopped_by_a_failed_write_is_not_called_an_edit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ImportStopped says "import again to finish", and the TUI re-enables Import with the same
    plan; apply_import then finds the first deck it wrote itself "changed since the import read
    it (an edit?)" and refuses for ever, though nobody edited anything."""
    import retain.interop.importer as importer
    from retain.interop.bundle import Bundle
    from retain.store.home import open_home

    home_dir = tmp_path / "home"
    decks = home_dir / "decks"
    decks.mkdir(parents=True)
    for deck_id in ("geo", "hist"):
        (decks / f"{deck_id}.toml").write_text(
            deck_to_toml(Deck(deck_id, deck_id, cards=(Card("a", front=f"{deck_id}?", back="x"),)))
        )
    home = open_home({"RETAIN_HOME": str(home_dir)})
    newer = [
        Deck(d, d, version="2", cards=(Card("a", front=f"{d}?", back="x"), Card("b", front="b?", back="y")))
        for d in ("geo", "hist")
    ]
    plan = importer.plan_import(Bundle("toml", decks=newer), home.library(), decks)
    from retain.store.files import atomic_write as real

    calls = {"n": 0}

    def full_disk(path: Path, text: str, *, keep_hard_links: bool = False) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise OSError(28, "No space left on device")
        real(path, text, keep_hard_links=keep_hard_links)

    monkeypatch.setattr(importer, "atomic_write", full_disk)
    with pytest.raises(importer.ImportStopped, match="import again to finish"):
        importer.apply_import(plan, decks)
    monkeypatch.setattr(importer, "atomic_write", real)  # space freed; Import pressed again
    importer.apply_import(plan, decks)
    assert "b?" in (decks / "hist.toml").read_text()
