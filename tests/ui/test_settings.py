"""The settings screen, driven with Pilot over a real RETAIN_HOME: edit, validate as you type, save, apply."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Select

from retain.store.config import ConfigError, parse_config
from retain.ui.screens.confirm import ChoiceScreen
from retain.ui.screens.home import HomeScreen
from retain.ui.screens.settings import SettingsScreen
from retain.ui.widgets.keymap_panel import KeymapPanel
from retain.ui.widgets.workload_panel import WorkloadPanel

from .conftest import OpenApp
from .decks import write_decks
from .screen import screen_text

CONFIG = "# mine\nrollover_hour = 4  # early\n\n[study]\nfuzz = false  # snapshots\n"


@pytest.fixture
def config_path(retain_home: Path) -> Path:
    path = retain_home / "config.toml"
    path.write_text(CONFIG)
    return path


async def settle(pilot: Pilot[None], rounds: int = 3) -> None:
    for _ in range(rounds):
        await pilot.pause()


async def open_settings(pilot: Pilot[None]) -> SettingsScreen:
    await settle(pilot)
    await pilot.press("comma")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, SettingsScreen)
    return screen


async def tab(pilot: Pilot[None], screen: SettingsScreen, pane: str) -> None:
    await screen.action_show_tab(pane)
    await settle(pilot)


async def type_into(pilot: Pilot[None], field: Input, text: str) -> None:
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await settle(pilot)


def top(app: App[None]) -> Screen[object]:
    """The screen on top now (a function, so type checkers do not carry an earlier isinstance over)."""
    return app.screen


def loader_message(text: str) -> str:
    try:
        parse_config(text)
    except ConfigError as exc:
        return str(exc)
    return ""


def status(screen: SettingsScreen) -> str:
    return str(screen.query_one("#settings-problem").render())


async def test_comma_on_the_deck_list_and_the_palette_open_settings(
    config_path: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        assert "Day starts at (hour)" in screen_text(app)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Settings" not in titles  # not over itself
        await pilot.press("escape")
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Settings" in titles


async def test_a_global_setting_is_saved_with_comments_and_applied(
    config_path: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-rollover_hour", Input), "6")
        assert "Unsaved" in status(screen)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert config_path.read_text() == CONFIG.replace("rollover_hour = 4", "rollover_hour = 6")
        assert app.config.rollover_hour == 6  # the open session
        assert app.collection.rollover_hour == 6 and app.collection.studyday.rollover_hour == 6
        app.collection.progress(app.clock())  # the history reopens under the new study day


async def test_a_bad_value_shows_the_loaders_message_as_you_type(
    config_path: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        field = screen.query_one("#field-rollover_hour", Input)
        await type_into(pilot, field, "25")
        expected = loader_message(CONFIG.replace("rollover_hour = 4", "rollover_hour = 25"))
        assert expected and expected in status(screen)
        assert field.has_class("-invalid")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert config_path.read_text() == CONFIG  # refused
        await pilot.press("backspace")
        await settle(pilot)
        assert not field.has_class("-invalid") and "Unsaved" in status(screen)


async def test_study_defaults_text_fields_use_the_loaders_words(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        grid = "#preset-grid"
        await type_into(pilot, screen.query_one(f"{grid} #field-learning_steps", Input), "1m 5x")
        want = loader_message(CONFIG + 'learning_steps = ["1m", "5x"]\n')
        assert "study.learning_steps" in want and want in status(screen)
        await type_into(pilot, screen.query_one(f"{grid} #field-learning_steps", Input), "2m 20m")
        await type_into(pilot, screen.query_one(f"{grid} #field-new_per_day", Input), "many")
        assert loader_message(CONFIG + 'new_per_day = "many"\n') in status(screen)
        await type_into(pilot, screen.query_one(f"{grid} #field-new_per_day", Input), "12")
        await pilot.press("ctrl+s")
        await settle(pilot)
        study = tomllib.loads(config_path.read_text())["study"]
        assert study == {"fuzz": False, "learning_steps": ["2m", "20m"], "new_per_day": 12}
        assert app.collection.settings_for("kafka").new_per_day == 12  # applied at once


async def test_a_deck_override_applies_to_the_session_at_once(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-decks")
        screen.query_one("#deck-pick", Select).value = "kafka"
        await settle(pilot)
        field = screen.query_one("#deck-grid #field-new_per_day", Input)
        assert field.placeholder == "20 (default)"
        await type_into(pilot, field, "1")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tomllib.loads(config_path.read_text())["decks"] == {"kafka": {"new_per_day": 1}}
        assert app.collection.settings_for("kafka").new_per_day == 1
        assert app.collection.settings_for("redis").new_per_day == 20
        await pilot.press("escape")
        await settle(pilot)
        home = app.screen
        assert isinstance(home, HomeScreen)
        kafka = next(r for r in home.data.rows if r.key == "deck:kafka")
        assert kafka.new == 1  # the deck list counts with the new limit


async def test_a_deck_preset_and_a_preset_are_written_as_the_schema_says(
    config_path: Path, open_app: OpenApp
) -> None:
    """`[presets.NAME]` and `decks.ID.preset`: whether this branch's loader takes them or not, the
    screen says exactly what the loader says about the text."""
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        new = screen.query_one("#preset-new", Input)
        await type_into(pilot, new, "hard")
        await pilot.press("enter")
        await settle(pilot)
        assert screen.query_one("#preset-pick", Select).value == "hard"
        assert screen.query_one(WorkloadPanel).table == ("presets", "hard")
        await type_into(pilot, screen.query_one("#preset-grid #field-desired_retention", Input), "0.95")
        await tab(pilot, screen, "tab-decks")
        screen.query_one("#deck-pick", Select).value = "kafka"
        await settle(pilot)
        screen.query_one("#deck-preset", Select).value = "hard"
        await settle(pilot)
        text = screen.edit.text()
        data = tomllib.loads(text)
        assert data["presets"] == {"hard": {"desired_retention": 0.95}}
        assert data["decks"] == {"kafka": {"preset": "hard"}}
        placeholder = screen.query_one("#deck-grid #field-desired_retention", Input).placeholder
        assert placeholder == "0.95 (preset hard)"
        assert loader_message(text) in status(screen)


async def _keys_for(pilot: Pilot[None], binding_id: str) -> KeymapPanel:
    """The settings screen's Keys tab, with `binding_id` highlighted."""
    screen = await open_settings(pilot)
    await tab(pilot, screen, "tab-keys")
    panel = screen.query_one(KeymapPanel)
    options = panel.query_one("#keymap-list", OptionList)
    options.highlighted = next(
        i for i in range(options.option_count) if options.get_option_at_index(i).id == binding_id
    )
    await settle(pilot)
    return panel


async def test_the_keymap_tab_shows_conflicts_and_saves(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        panel = await _keys_for(pilot, "home.browse")
        await type_into(pilot, panel.query_one("#keymap-keys", Input), "q")
        assert panel.conflict_lines() == ["`q` is both Browse (home.browse) and Quit (app.quit) on Decks"]
        assert "is both Browse" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert tomllib.loads(config_path.read_text())["keymap"] == {"home.browse": "q"}
        assert app._keymap == {"home.browse": "q"}
        assert any("conflict" in n.message for n in app._notifications)


@pytest.mark.parametrize("typed", ["notakey", "ctrl+", "f99"])
async def test_the_keymap_tab_marks_a_key_that_is_no_key_as_it_is_typed(
    config_path: Path, open_app: OpenApp, typed: str
) -> None:
    """A key Textual does not know was saved, and said only by the warning after the save."""
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        panel = await _keys_for(pilot, "home.browse")
        await type_into(pilot, panel.query_one("#keymap-keys", Input), typed)
        assert f"home.browse = {typed!r} is not a key" in screen_text(app)
        assert any("is not a key" in line for line in panel.conflict_lines())


async def test_a_file_changed_on_disk_is_not_overwritten_the_user_is_asked(
    config_path: Path, open_app: OpenApp
) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "5")
        theirs = CONFIG.replace("# mine", '# mine, edited in vim\ntheme = "nord"')
        config_path.write_text(theirs)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(top(app), ChoiceScreen)
        assert config_path.read_text() == theirs
        await pilot.press("escape")  # keep editing
        await settle(pilot)
        assert top(app) is screen and config_path.read_text() == theirs
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#choice-merge")
        await settle(pilot)
        text = config_path.read_text()
        assert "# mine, edited in vim" in text
        assert tomllib.loads(text)["theme"] == "nord" and tomllib.loads(text)["learn_ahead_minutes"] == 5
        assert app.config.learn_ahead_minutes == 5 and app.config.theme == "nord" and app.theme == "nord"


async def test_use_theirs_drops_the_edits(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "5")
        config_path.write_text(CONFIG.replace("= 4", "= 7"))
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.click("#choice-theirs")
        await settle(pilot)
        assert config_path.read_text() == CONFIG.replace("= 4", "= 7")
        assert screen.query_one("#field-rollover_hour", Input).value == "7"
        assert screen.query_one("#field-learn_ahead_minutes", Input).value == ""
        assert app.config.rollover_hour == 7


async def test_closing_with_unsaved_changes_asks(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-learn_ahead_minutes", Input), "5")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(top(app), ChoiceScreen)
        await pilot.click("#choice-discard")
        await settle(pilot)
        assert not isinstance(top(app), SettingsScreen | ChoiceScreen)
        assert config_path.read_text() == CONFIG


async def test_q_outside_a_field_closes_settings_not_the_app(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_settings(pilot)
        app.set_focus(None)
        await pilot.press("q")
        await settle(pilot)
        assert app.is_running and not isinstance(top(app), SettingsScreen)


async def test_new_deck_folders_are_loaded_at_once(
    config_path: Path, open_app: OpenApp, tmp_path: Path
) -> None:
    extra = tmp_path / "more-decks"
    write_decks(extra)
    (extra / "kafka.toml").rename(extra / "kafka2.toml")
    text = (extra / "kafka2.toml").read_text().replace('id = "kafka"', 'id = "kafka-two"', 1)
    (extra / "kafka2.toml").write_text(text)
    for other in extra.glob("*.toml"):
        if other.name != "kafka2.toml":
            other.unlink()
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await type_into(pilot, screen.query_one("#field-deck_folders", Input), str(extra))
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "kafka-two" in {d.id for d in app.collection.library.decks}
        assert app.live_reload is not None and extra in app.live_reload.watcher.folders


async def test_the_theme_choice_is_saved_and_shown(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        screen.query_one("#general-grid #field-theme", Select).value = "gruvbox"
        await settle(pilot)
        assert app.theme != "gruvbox"  # applied when saved
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.theme == "gruvbox"
        assert config_path.read_text().count("theme = ") == 1  # saved once, not again by the watcher


async def test_hostile_names_are_shown_as_text(retain_home: Path, open_app: OpenApp) -> None:
    """Deck names and config values reach the Selects as inert text: no markup, no escape codes."""
    (retain_home / "decks" / "markup.toml").write_text(
        'format = 1\n\n[deck]\nid = "markup"\nname = "[@click=app.quit]Boom[/] [bold]x"\n\n'
        '[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n'
    )
    write_decks(retain_home / "decks", hostile=True)
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        (retain_home / "config.toml").write_text(  # edited on disk after the start: invalid now
            '[study]\nfuzz = false\nleech_action = "[/]\\u001b[2J"\n[decks."[b]odd"]\npreset = "[/x]"\n'
        )
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        await tab(pilot, screen, "tab-decks")
        for deck_id in ("markup", "hostile", "[b]odd"):
            screen.query_one("#deck-pick", Select).value = deck_id
            await settle(pilot)
        text = screen_text(app)
        assert "[b]odd (not in the library)" in text and "[/x] (missing)" in text
        assert "\x1b" not in text and "\x07" not in text
        screen.query_one("#deck-pick", Select).value = "markup"
        await settle(pilot)
        assert "[@click=app.quit]Boom[/] [bold]x" in screen_text(app)  # literally (cut at the width)
        await tab(pilot, screen, "tab-presets")
        assert "[/]" in screen_text(app) and "study.leech_action" in status(screen)
        assert app.is_running


async def test_weights_written_to_the_file_meanwhile_are_used_once_the_settings_open(
    config_path: Path, open_app: OpenApp
) -> None:
    """`retain optimize` wrote weights while the app ran: the settings screen showed them, but
    the app (its chart, ctrl+r, the reviews) kept the ones read at launch."""
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        launched = app.config
        screen = await open_settings(pilot)  # nothing changed: the app's config is left alone
        assert app.config is launched
        await pilot.press("escape")
        await settle(pilot)
        config_path.write_text(CONFIG.replace("fuzz = false", "fuzz = false\nnew_per_day = 7"))
        screen = await open_settings(pilot)
        assert isinstance(screen, SettingsScreen)
        assert app.config.study.new_per_day == 7 and app.collection.home.config.study.new_per_day == 7


async def test_without_decks_the_deck_tab_writes_no_empty_deck_table(
    config_path: Path, retain_home: Path, open_app: OpenApp
) -> None:
    """An empty library: the Decks tab has no deck to pick, so its fields take no typing (an edit
    wrote `[decks.""]` to config.toml)."""
    for deck_file in (retain_home / "decks").glob("*.toml"):
        deck_file.unlink()
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-decks")
        field = screen.query_one("#deck-grid #field-new_per_day", Input)
        assert field.is_disabled
        await type_into(pilot, field, "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "decks" not in tomllib.loads(config_path.read_text())


async def test_a_deck_given_a_new_empty_preset_saves_a_file_that_loads_without_warnings(
    config_path: Path, open_app: OpenApp
) -> None:
    """A preset named in this session and chosen for a deck before it holds a setting: the file
    got `preset = "light"` without `[presets.light]`, and every start warned that it is not
    defined. Choosing the default again takes the empty table back."""
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        await type_into(pilot, screen.query_one("#preset-new", Input), "light")
        await pilot.press("enter")
        await tab(pilot, screen, "tab-decks")
        screen.query_one("#deck-pick", Select).value = "kafka"
        await settle(pilot)
        screen.query_one("#deck-preset", Select).value = "light"
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = config_path.read_text()
        assert tomllib.loads(text)["presets"] == {"light": {}}
        assert parse_config(text).warnings == ()
        assert app.collection.settings_for("kafka").preset == "light"
        screen.query_one("#deck-preset", Select).value = Select.NULL  # back to default
        await settle(pilot)
        data = tomllib.loads(screen.edit.text())
        assert "presets" not in data or "light" not in data["presets"]
        assert parse_config(screen.edit.text()).warnings == ()


async def test_saving_a_file_that_warns_at_start_says_so(config_path: Path, open_app: OpenApp) -> None:
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        await type_into(pilot, screen.query_one("#preset-new", Input), "spare")
        await pilot.press("enter")
        await settle(pilot)
        await type_into(pilot, screen.query_one("#preset-grid #field-new_per_day", Input), "5")
        await pilot.press("ctrl+s")
        await settle(pilot)
        said = [n.message for n in app._notifications]
        assert "config: preset 'spare' is not used by any deck" in said


async def test_no_learning_steps_is_shown_and_entered_as_none(config_path: Path, open_app: OpenApp) -> None:
    """`learning_steps = []` (no steps) showed as an empty field whose grey text said it inherits
    "1m 10m", and an empty field could not write it back."""
    config_path.write_text(CONFIG + "learning_steps = []\n")
    app = open_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_settings(pilot)
        await tab(pilot, screen, "tab-presets")
        assert screen.query_one("#preset-grid #field-learning_steps", Input).value == "none"
        relearning = screen.query_one("#preset-grid #field-relearning_steps", Input)
        await type_into(pilot, relearning, "None")
        await pilot.press("ctrl+s")
        await settle(pilot)
        study = tomllib.loads(config_path.read_text())["study"]
        assert study["learning_steps"] == [] and study["relearning_steps"] == []
        assert app.collection.settings_for("kafka").relearning_steps == ()
        await tab(pilot, screen, "tab-decks")
        screen.query_one("#deck-pick", Select).value = "kafka"
        await settle(pilot)
        assert screen.query_one("#deck-grid #field-learning_steps", Input).placeholder == "none (study)"
