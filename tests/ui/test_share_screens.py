"""Import and export from the TUI: `i` previews the diff and imports, `x` exports with a progress bar."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input, Select, Static

from retain.core.deckfile import parse_deck
from retain.ui.app import RetainApp
from retain.ui.screens.share_export import ExportScreen
from retain.ui.screens.share_import import ImportScreen

from .conftest import OpenApp, preview_import

FIXTURE = Path(__file__).parent.parent / "fixtures" / "anki" / "layout-latest.apkg"


def top(app: RetainApp) -> object:
    """The screen on top, read afresh (not narrowed by an earlier isinstance assert)."""
    return app.screen


async def _until(predicate: object, pilot: object, tries: int = 100) -> None:
    for _ in range(tries):
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.05)  # type: ignore[attr-defined]
    raise AssertionError("condition never became true")


async def test_import_shows_diff_then_imports(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        assert isinstance(app.screen, ImportScreen)
        screen = app.screen
        apply_button = screen.query_one("#share-apply", Button)
        assert apply_button.disabled
        screen.query_one(Input).value = str(FIXTURE)
        await pilot.press("enter")
        await _until(lambda: not apply_button.disabled, pilot)
        diff = str(screen.query_one("#share-diff", Static).render())
        assert "deck languages-spanish: 3 added" in diff
        assert not (retain_home / "decks" / "languages-spanish.toml").exists()  # preview writes nothing
        apply_button.press()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        written = retain_home / "decks" / "languages-spanish.toml"
        deck = parse_deck(written.read_text("utf-8")).deck
        assert deck is not None and len(deck.cards) == 3
        assert app.collection.library.get("languages-spanish") is not None  # reloaded


async def test_import_refusal_is_one_line_and_writes_nothing(retain_home: Path, open_app: OpenApp) -> None:
    bad = retain_home / "bad.apkg"
    bad.write_bytes(b"not a zip at all")
    before = sorted(p.name for p in (retain_home / "decks").iterdir())
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("i")
        screen = app.screen
        screen.query_one(Input).value = str(bad)
        await pilot.press("enter")
        status = screen.query_one("#share-diff", Static)
        await _until(lambda: "refused" in str(status.render()), pilot)
        assert "\n" not in str(status.render()).strip()
        await pilot.press("escape")
        assert not isinstance(app.screen, ImportScreen)
    assert sorted(p.name for p in (retain_home / "decks").iterdir()) == before


async def test_export_writes_the_selected_deck(retain_home: Path, open_app: OpenApp, tmp_path: Path) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        assert isinstance(app.screen, ExportScreen)
        screen = app.screen
        deck_id = screen.query_one(Select).value
        assert isinstance(deck_id, str)
        out = tmp_path / "out" / "exported.csv"
        out.parent.mkdir()
        screen.query_one(Input).value = str(out)
        screen.query_one("#share-apply", Button).press()
        await _until(out.exists, pilot)
        await asyncio.sleep(0)
    text = out.read_text("utf-8")
    assert text.startswith("#separator:Comma") and "#guid column:1" in text


async def _preview_with_history(app: RetainApp, pilot: Pilot[None]) -> tuple[ImportScreen, Button]:
    """`i`, tick the history box, preview the fixture; the Import button is then enabled."""
    apply_button = await preview_import(app, pilot, FIXTURE)
    screen = app.screen
    assert isinstance(screen, ImportScreen)
    return screen, apply_button


async def test_import_with_history_records_the_anki_reviews(retain_home: Path, open_app: OpenApp) -> None:
    def clock() -> datetime:
        return datetime.now(UTC)  # the fixture's reviews were made with Anki in 2026

    app = open_app(clock=clock)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen, apply_button = await _preview_with_history(app, pilot)
        diff = str(screen.query_one("#share-diff", Static).render())
        # (an Anki log's size in rows: its events are made a group of cards at a time, when recorded)
        assert "review history: 2 review-log row(s) in the file" in diff
        apply_button.press()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        reviewed = {k: s for k, s in app.collection.states.items() if k.startswith("general-knowledge/")}
        assert len(reviewed) == 1 and next(iter(reviewed.values())).reps == 2
        # (posted by the dialog as it closes: handled a moment after the screen is gone)
        await _until(
            lambda: any(
                "recorded 2 event(s) of review history" in str(n.message) for n in app._notifications
            ),
            pilot,
        )
        assert app.collection.progress(clock())[0] == 0  # the imported reviews are not today's
    app.collection.close()  # as when that retain quits
    again = open_app(clock=clock)  # importing twice adds nothing
    async with again.run_test(size=(100, 30), notifications=True) as pilot:
        _screen, apply_button = await _preview_with_history(again, pilot)
        apply_button.press()
        await _until(lambda: not isinstance(again.screen, ImportScreen), pilot)
        await _until(
            lambda: any("recorded 0 event(s)" in str(n.message) for n in again._notifications), pilot
        )


async def test_import_never_replaces_a_different_deck(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    """A file whose derived id is an installed deck's (`Docker.md`, `docker`): the dialog says so, imports beside it."""
    app = open_app()
    async with app.run_test(size=(110, 34)) as pilot:
        old = app.collection.library.decks[0]
        src = tmp_path / f"{old.id}.md"
        src.write_text(
            "Q: Which command lists running containers?\nA: `docker ps`\n\nC: [docker compose] runs apps.\n"
        )
        before = Path(old.path).read_text("utf-8")
        await pilot.press("i")
        screen = app.screen
        apply_button = screen.query_one("#share-apply", Button)
        screen.query_one(Input).value = str(src)
        await pilot.press("enter")
        await _until(lambda: not apply_button.disabled, pilot)
        diff = str(screen.query_one("#share-diff", Static).render())
        assert (
            f"deck id '{old.id}' is taken by a different deck ({old.name}, user); importing as '{old.id}-2'"
            in diff
        )
        assert f"deck {old.id}-2: 2 added, 0 changed, 0 removed" in diff
        apply_button.press()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        assert app.collection.library.get(f"{old.id}-2") is not None
    assert Path(old.path).read_text("utf-8") == before  # untouched


async def test_export_asks_before_replacing_a_file(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    from retain.ui.screens.confirm import ConfirmScreen

    out = tmp_path / "mine.csv"
    out.write_text("precious", "utf-8")
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Input).value = str(out)
        screen.query_one("#share-apply", Button).press()
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        assert top(app) is screen and out.read_text("utf-8") == "precious"
        screen.query_one("#share-apply", Button).press()
        await pilot.pause()
        await pilot.press("y")
        await _until(lambda: out.read_text("utf-8") != "precious", pilot)
        await screen.workers.wait_for_complete()
    assert out.read_text("utf-8").startswith("#separator:Comma")


async def test_export_with_progress_writes_each_deck_s_history(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    """The dialog's progress box: a group to a folder, each deck's sidecar with its own reviews."""
    import tomllib

    from retain.core.state import REVIEW, CardState, Event

    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        now = datetime.now(UTC)
        col = app.collection
        for deck_id in ("kafka", "redis"):
            unit = next(u for u in col.units if u.deck_id == deck_id)
            after = CardState(REVIEW, None, 5.0, 5.0, now, now, 3, 0)
            col.record(Event(col.new_event_id(now), "review", unit.key, now, after, None, 3))
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Select).value = "group:Distributed Systems Interview"
        out = tmp_path / "out"
        screen.query_one(Input).value = f"{out}/"
        screen.query_one("#share-progress-flag", Checkbox).value = True
        screen.query_one("#share-apply", Button).press()
        await _until(lambda: (out / "redis.progress.toml").exists(), pilot)
        await _until(lambda: not isinstance(app.screen, ExportScreen), pilot)
    for deck_id in ("kafka", "redis"):
        side = tomllib.loads((out / f"{deck_id}.progress.toml").read_text("utf-8"))
        assert [r["key"].split("/")[0] for r in side["review"]] == [deck_id]


async def test_cancel_waits_while_the_import_is_written(
    retain_home: Path, open_app: OpenApp, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Escape while Import writes: the dialog closed and the import went on unseen (its message
    never came); a second Import press wrote it twice. Now it stays, says why, and ends itself."""
    import threading

    from retain.interop.importer import apply_import as real
    from retain.ui.screens import share_import

    gate = threading.Event()

    def slow(*args: object, **kwargs: object) -> int:
        gate.wait(5)  # the deck files are being written (a big package takes seconds)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(share_import, "apply_import", slow)
    app = open_app()
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        screen, apply_button = await _preview_with_history(app, pilot)
        apply_button.press()
        await pilot.pause(0.1)
        assert apply_button.disabled and screen.query_one("#share-cancel", Button).disabled
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert app.screen is screen  # still there: the import is being written
        assert any("Still writing" in str(n.message) for n in app._notifications)
        gate.set()
        await _until(lambda: not isinstance(app.screen, ImportScreen), pilot)
        # (posted by the dialog as it closes: handled a moment after the screen is gone)
        await _until(
            lambda: any(
                "recorded 2 event(s) of review history" in str(n.message) for n in app._notifications
            ),
            pilot,
        )
    assert (retain_home / "decks" / "languages-spanish.toml").is_file()


async def test_export_with_progress_to_csv_says_the_file_cannot_carry_it(
    retain_home: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    """The dialog's "Include my review progress" box was ignored for .csv without a word."""
    out = tmp_path / "mine.csv"
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one("#share-progress-flag", Checkbox).value = True
        screen.query_one(Input).value = str(out)
        screen.query_one("#share-apply", Button).press()
        await pilot.pause()
        shown = str(screen.query_one("#share-diff", Static).render())
    assert (
        "Review progress needs a .toml or .apkg file" in shown
        and "a .csv file cannot carry progress" in shown
    )
    assert not out.exists()


async def test_export_to_a_name_without_extension_says_what_to_write(
    open_app: OpenApp, tmp_path: Path
) -> None:
    """The export dialog made a folder `kafka/` of a path typed as `kafka`, without a word."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("x")
        screen = app.screen
        assert isinstance(screen, ExportScreen)
        screen.query_one(Input).value = str(tmp_path / "kafka")
        screen.query_one("#share-apply", Button).press()
        await pilot.pause(0.3)
        shown = str(screen.query_one("#share-diff", Static).render())
    assert "has no extension" in shown and "end it with / for a folder" in shown, shown
    assert not (tmp_path / "kafka").exists()
