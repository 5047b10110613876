"""The editor from a study session when the card's deck file no longer loads."""

from __future__ import annotations

from pathlib import Path

from authoring_data import OpenApp


async def test_e_on_a_card_whose_deck_broke_never_opens_another_decks_card(
    retain_home: Path, open_app: OpenApp
) -> None:
    """Studying kafka, the author saves kafka.toml with a typo (the deck is now broken); `e` opens
    "Edit card redis/<same id>", another deck's card, and ctrl+s writes the edit into redis.toml."""
    from retain.ui.screens.editor import EditorScreen

    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        unit = app.screen.session.current  # type: ignore[attr-defined]
        assert unit is not None and unit.deck_id == "kafka"
        redis = retain_home / "decks" / "redis.toml"
        redis.write_text(
            redis.read_text("utf-8")
            + f'\n[[cards]]\nid = "{unit.card_id}"\nfront = "A Redis question"\nback = "A Redis answer"\n',
            "utf-8",
        )
        (retain_home / "decks" / "kafka.toml").write_text('format = 1\n[deck\nid = "kafka"\n', "utf-8")
        assert app.live_reload is not None and app.live_reload.check(settled=False)
        await pilot.pause()
        await pilot.press("space", "e")
        await pilot.pause()
        screen = app.screen
        opened = screen._origin_deck if isinstance(screen, EditorScreen) else None
        assert opened in (None, "kafka"), (
            f"`e` on kafka/{unit.card_id} opened the editor on {opened}/{unit.card_id}"
        )

        assert not isinstance(screen, EditorScreen)
        said = [n.message for n in app._notifications]
        assert any("deck kafka is not loaded" in m for m in said), said


async def test_the_broken_deck_toast_names_the_file_once_with_its_line(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The toast read `kafka.toml: /home/…/kafka.toml:2:1: error: …`: the name twice, the path long."""
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        path = retain_home / "decks" / "kafka.toml"
        path.write_text('format = 1\n[deck\nid = "kafka"\n', "utf-8")
        assert app.live_reload is not None and app.live_reload.check(settled=False)
        await pilot.pause()
        (toast,) = [n for n in app._notifications if n.title == "Deck has an error"]
        assert toast.message.startswith("kafka.toml:2:"), toast.message
        assert str(path) not in toast.message and toast.message.count("kafka.toml") == 1


async def test_a_reload_that_takes_studied_cards_away_says_which(
    retain_home: Path, open_app: OpenApp
) -> None:
    """A card id renamed by hand (or a cloze renumbered, a card deleted) starts over as a new card:
    the reload said only `kafka.toml changed on disk`, and the card's progress vanished without a
    word. Now the toast names the studied units no longer in the decks (a warning)."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        path = retain_home / "decks" / "kafka.toml"
        path.write_text(path.read_text("utf-8").replace('id = "partitions"', 'id = "partitioning"'), "utf-8")
        assert app.live_reload is not None and app.live_reload.check(settled=False)
        await pilot.pause()
        (toast,) = [n for n in app._notifications if n.title == "Decks reloaded"]
        assert toast.severity == "warning"
        assert "1 studied card(s) no longer in the decks: kafka/partitions" in toast.message, toast.message
        # a change that keeps every studied unit says only that the file changed
        app._notifications.clear()
        path.write_text(path.read_text("utf-8") + "\n# a comment\n", "utf-8")
        assert app.live_reload.check(settled=False)
        await pilot.pause()
        (toast,) = [n for n in app._notifications if n.title == "Decks reloaded"]
        assert toast.message == "kafka.toml changed on disk" and toast.severity == "information"
