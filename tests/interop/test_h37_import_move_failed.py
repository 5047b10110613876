"""An import that moves a card between two of its decks and then fails (not a kill: a full disk
at one of its deck files) settles the move at once, in its own words, and the card's progress
is never lost: once the import is run again the card is in its new deck with its progress, and
no start says the move was "cut short"."""

from __future__ import annotations

import errno
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.state import CardState
from retain.interop import importer
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.move_intent import intent_path

from .anki_fixture import CARD, LEGACY
from .conftest import run_cli
from .test_h22_cards_moved_between_decks import NEW_KEY, OLD_KEY, SPANISH, _move, _package


def _opened() -> tuple[dict[str, CardState], list[str]]:
    now = datetime.now(UTC)
    col = Collection.open(open_home(), now, cards=False)
    try:
        return dict(col.states), list(col.messages)
    finally:
        col.close(now)


@pytest.mark.parametrize("fails_at", ["general-knowledge.toml", "languages-spanish.toml"])
def test_a_failed_import_that_moves_a_card_keeps_its_progress(
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fails_at: str,
) -> None:
    code, _, said = run_cli(capsys, "import", str(LEGACY), "--with-history")
    assert code == 0, said
    studied = _opened()[0][OLD_KEY]
    assert not studied.is_new
    moved = _package(tmp_path, "v2", _move(CARD, SPANISH))

    real = importer.atomic_write  # type: ignore[attr-defined]

    def full_disk(path: Path, data: str | bytes, **kw: bool) -> None:
        if Path(path).name == fails_at:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, data, **kw)

    monkeypatch.setattr(importer, "atomic_write", full_disk)
    code, _, said = run_cli(capsys, "import", str(moved))
    assert code == 1 and "no space left on device" in said, said
    assert "stopped in the middle" not in said
    assert not intent_path(home / "state").exists()  # settled: no record left for a start to misread
    states, messages = _opened()
    assert not any("middle of moving" in m for m in messages), messages

    monkeypatch.setattr(importer, "atomic_write", real)  # the disk has room again
    code, _, said = run_cli(capsys, "import", str(moved))
    assert code == 0, said
    states, messages = _opened()
    assert not any("middle of moving" in m for m in messages), messages
    assert states.get(NEW_KEY) == studied
    assert OLD_KEY not in states or states[OLD_KEY].is_new


def test_an_import_stopped_between_its_deck_files_keeps_the_moved_cards_progress(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Stopped (Ctrl-C; a kill leaves the same files) after the deck the card goes to was written,
    before the one it leaves: the card is in both. The next start moved its progress along; it
    used to say "left as they are", and the import run again then took the card with the
    progress out of the old deck, leaving the new deck's copy new."""
    assert run_cli(capsys, "import", str(LEGACY), "--with-history")[0] == 0
    studied = _opened()[0][OLD_KEY]
    moved = _package(tmp_path, "v2", _move(CARD, SPANISH))
    real = importer.atomic_write  # type: ignore[attr-defined]

    def stopped(path: Path, data: str | bytes, **kw: bool) -> None:
        if Path(path).name == "general-knowledge.toml":
            raise KeyboardInterrupt
        real(path, data, **kw)

    monkeypatch.setattr(importer, "atomic_write", stopped)
    assert run_cli(capsys, "import", str(moved))[0] == 130
    monkeypatch.setattr(importer, "atomic_write", real)
    assert intent_path(home / "state").exists()
    states, messages = _opened()
    assert any("the move is finished, its progress kept" in m for m in messages), messages
    assert states.get(NEW_KEY) == studied
    assert run_cli(capsys, "import", str(moved))[0] == 0
    states, _ = _opened()
    assert states.get(NEW_KEY) == studied
