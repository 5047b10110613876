"""Deck writes from the app and `retain add` / `retain check --fix` take turns (the deck-edit lock).

Races are made deterministic: the test holds the lock itself, or runs a real `retain add`
at the very moment the app is between its check of the file and its write.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import filelock
import pytest
from authoring_data import SIZE, TINY
from textual.widgets import TextArea

from retain.core.model import Card, Deck
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks import deckedit, editlock
from retain.store.decks.card_edits import CardEdit, create_deck, delete_card, move_card, read_card, save_card
from retain.store.decks.deckedit import DeckEditError
from retain.store.home import Home, open_home
from retain.ui.app import RetainApp, make_app
from retain.ui.authoring import open_editor
from retain.ui.screens.editor import EditorScreen

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

OTHER = """format = 1

[deck]
id = "other"
name = "Other deck"

[[cards]]
id = "uno"
front = "Uno?"
back = "1"
"""

# a real `retain add`, its wait for the deck-edit lock cut short (a test holds it)
ADD = """import sys
import retain.store.decks.editlock as m
m.WAIT_SECONDS = 0.3
from retain.cli import main
sys.exit(main(sys.argv[1:]))
"""


def run_add(home: Home, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": os.environ["RETAIN_HOME"]}
    return subprocess.run(
        [sys.executable, "-c", ADD, "add", *args], capture_output=True, text=True, env=env, timeout=60
    )


def short_app_wait(monkeypatch: pytest.MonkeyPatch) -> None:
    """The app waits a moment for the lock (a test holding it would make every test wait 2 s)."""
    monkeypatch.setattr(editlock, "APP_WAIT_SECONDS", 0.05)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(TINY, "utf-8")
    (tmp_path / "decks" / "other.toml").write_text(OTHER, "utf-8")
    short_app_wait(monkeypatch)
    return open_home()


@pytest.fixture
def col(home: Home) -> Iterator[Collection]:
    collection = Collection.open(home, NOW, tz=UTC)
    yield collection
    collection.close()


@contextlib.contextmanager
def holding(home: Home) -> Iterator[None]:
    """The deck-edit lock, held as another process's `retain add` holds it."""
    path = home.paths.cache_dir / "deck-edit.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(path, thread_local=False)
    lock.acquire(timeout=5)
    try:
        yield
    finally:
        lock.release()


def _edit(col: Collection) -> None:
    origin, card = read_card(col, "tiny", "one")
    save_card(col, CardEdit("tiny", replace(card, back="uno"), origin, "tiny", card), NOW)


def _new(col: Collection) -> None:
    save_card(col, CardEdit("tiny", Card(id="", front="New?", back="yes")), NOW)


def _delete(col: Collection) -> None:
    delete_card(col, "tiny", "one")


def _move(col: Collection) -> None:
    move_card(col, "tiny", "one", "other", NOW)


def _create(col: Collection) -> None:
    create_deck(col, Deck(id="fresh", name="Fresh"))


@pytest.mark.parametrize("write", [_edit, _new, _delete, _move, _create], ids=lambda f: f.__name__[1:])
def test_every_app_deck_write_waits_for_the_deck_edit_lock(
    home: Home, col: Collection, write: Callable[[Collection], None]
) -> None:
    decks = home.paths.decks_dir
    before = {p.name: p.read_bytes() for p in decks.iterdir()}
    with holding(home), pytest.raises(DeckEditError) as info:
        write(col)
    said = str(info.value)
    assert "\n" not in said and "another retain" in said and "try again" in said
    assert {p.name: p.read_bytes() for p in decks.iterdir()} == before  # nothing written
    write(col)  # the lock let go: done
    assert {p.name: p.read_bytes() for p in decks.iterdir()} != before


def test_the_first_edit_of_a_bundled_deck_waits_for_the_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The copy into the deck folder is part of the edit: never made while `retain add` makes it."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    short_app_wait(monkeypatch)
    home = open_home()
    col = Collection.open(home, NOW, tz=UTC)
    try:
        with holding(home), pytest.raises(DeckEditError):
            save_card(col, CardEdit("kafka", Card(id="", front="Broker?", back="A server")), NOW)
        assert not (home.paths.decks_dir / "kafka.toml").exists()
    finally:
        col.close()


def test_a_new_deck_from_the_app_and_add_new_deck_at_that_moment_lose_no_card(
    home: Home, col: Collection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real `retain add --new-deck` runs between the app's "no such file yet" and its write."""
    real = deckedit.deck_to_toml  # type: ignore[attr-defined]
    added: list[subprocess.CompletedProcess[str]] = []

    def meanwhile_add(deck: Deck) -> str:
        if not added:
            added.append(run_add(home, "--deck", "fresh", "--new-deck", "--front", "Q?", "--back", "A"))
        return real(deck)

    monkeypatch.setattr(deckedit, "deck_to_toml", meanwhile_add)
    created = True
    try:
        create_deck(col, Deck(id="fresh", name="Fresh"))
    except DeckEditError:
        created = False
    text = (home.paths.decks_dir / "fresh.toml").read_text("utf-8")
    if added[0].returncode == 0:  # `retain add` said "added": its card is in the file
        assert 'front = "Q?"' in text, added[0].stdout
    else:  # it waited for the app, then said so in one line; the app made the deck
        assert len(added[0].stderr.strip().splitlines()) == 1 and created


def test_add_and_check_fix_say_in_one_line_that_the_lock_is_held(
    home: Home, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from retain.cli import main

    noid = home.paths.decks_dir / "noid.toml"
    noid.write_text('format = 1\n[deck]\nid = "noid"\nname = "N"\n\n[[cards]]\nfront = "Q"\nback = "A"\n')
    monkeypatch.setattr(editlock, "WAIT_SECONDS", 0.05)
    with holding(home):
        added = run_add(home, "--deck", "tiny", "--front", "Q?", "--back", "A")
        assert main(["check", "--fix", str(noid)]) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert added.returncode == 1 and added.stderr.startswith("retain add: another retain")
    assert len(added.stderr.strip().splitlines()) == 1
    assert len(said) == 1 and said[0].startswith("retain check: another retain"), said
    assert noid.read_text("utf-8").count("id =") == 1  # the deck's: no card id written


def _app(home: Home) -> tuple[RetainApp, Collection]:
    collection = Collection.open(home, NOW, tz=UTC)
    app = make_app(collection, lambda: NOW, config=home.config, decks_dir=home.paths.decks_dir)
    return app, collection


async def test_the_editor_save_tells_when_another_retain_holds_the_lock(home: Home) -> None:
    """ctrl+s while `retain add` holds the lock: a moment's wait, one line, the form kept; then it saves."""
    app, collection = _app(home)
    path = home.paths.decks_dir / "tiny.toml"
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            open_editor(app, "tiny", "one")
            await pilot.pause()
            assert isinstance(app.screen, EditorScreen)
            app.screen.query_one("#form-back", TextArea).text = "uno"
            await pilot.pause()
            with holding(home):
                await pilot.press("ctrl+s")
                await pilot.pause()
                assert isinstance(app.screen, EditorScreen)  # still open, the text kept
                said = [n.message for n in app._notifications]
                assert any(m.startswith("another retain") and "\n" not in m for m in said), said
                assert path.read_text("utf-8") == TINY
            await pilot.press("ctrl+s")
            await pilot.pause()
            shown: object = app.screen
            assert not isinstance(shown, EditorScreen)  # saved and closed
        assert 'back = "uno"' in path.read_text("utf-8")
    finally:
        collection.close()


async def test_an_add_right_after_an_app_save_is_reloaded_not_swallowed(
    home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app's own save is not an outside edit, but a `retain add` landing just after it is:
    the app took the file's stamp after the add, as its own, and never showed the card."""
    from retain.ui.screens import editor

    app, collection = _app(home)
    real = editor.save_card  # type: ignore[attr-defined]
    added: list[subprocess.CompletedProcess[str]] = []

    def save_then_add(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        added.append(run_add(home, "--deck", "tiny", "--front", "Added from a script?", "--back", "A"))
        return result

    monkeypatch.setattr(editor, "save_card", save_then_add)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            open_editor(app, "tiny", "one")
            await pilot.pause()
            app.screen.query_one("#form-back", TextArea).text = "uno"
            await pilot.pause()
            await pilot.press("ctrl+s")
            await pilot.pause()
            assert added and added[0].returncode == 0, added[0].stderr
            assert app.live_reload is not None
            app.live_reload.check(settled=False)
            tiny = collection.library.get("tiny")
            assert tiny is not None and "Added from a script?" in {c.front for c in tiny.cards}
    finally:
        collection.close()


def test_import_waits_for_the_lock_and_says_so_in_one_line(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain import` checked that a deck was unchanged, then wrote it, outside the lock: a
    `retain add` between the two was overwritten. It now holds the lock around both."""
    from retain.cli import main

    source = tmp_path / "in" / "tiny.toml"
    source.parent.mkdir()
    source.write_text(TINY.replace('back = "1"', 'back = "one"'), "utf-8")
    monkeypatch.setattr(editlock, "WAIT_SECONDS", 0.05)
    path = home.paths.decks_dir / "tiny.toml"
    with holding(home):
        assert main(["import", str(source)]) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "another retain" in said[0], said
    assert path.read_text("utf-8") == TINY  # nothing written while the lock was held
    assert main(["import", str(source)]) == 0
    assert 'back = "one"' in path.read_text("utf-8")
