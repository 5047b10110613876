"""Keys that reach a text field in one burst take effect in the order they were typed
(Textual ran a field's bound keys, like backspace, after the characters behind them)."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import Input, TextArea

from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.ordered_keys import OrderedInput, OrderedTextArea
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp
from .screen import screen_text

BURSTS = [
    ("5x", ["backspace", "backspace", "7"], "7"),
    ("87", ["backspace", "backspace", "backspace", "6"], "6"),
    ("kafak", ["backspace", "backspace", "k", "a"], "kafka"),
    ("ab", ["left", "x"], "axb"),
    ("one two", ["ctrl+w", "3"], "one 3"),
]


class Fields(App[None]):
    def __init__(self, area: bool) -> None:
        super().__init__()
        self.area = area

    def compose(self) -> ComposeResult:
        yield OrderedTextArea(id="field") if self.area else OrderedInput(id="field")


def _key(key: str) -> events.Key:
    return events.Key(key, key if len(key) == 1 else None)


async def _typed_in_one_burst(area: bool, start: str, keys: list[str]) -> str:
    app = Fields(area)
    async with app.run_test() as pilot:
        field = app.query_one("#field")
        assert isinstance(field, Input | TextArea)
        if isinstance(field, Input):
            field.value, field.cursor_position = start, len(start)
        else:
            field.text = start
            field.move_cursor((0, len(start)))
        await pilot.pause()
        for key in keys:  # posted at once: each waits in the queue behind the one before
            app.post_message(_key(key))
        for _ in range(5):
            await pilot.pause()
        return field.value if isinstance(field, Input) else field.text


async def test_an_input_applies_a_burst_of_keys_in_order() -> None:
    for start, keys, want in BURSTS:
        assert await _typed_in_one_burst(False, start, keys) == want, (start, keys)


async def test_a_text_area_applies_a_burst_of_keys_in_order() -> None:
    for start, keys, want in BURSTS[:4]:  # (ctrl+w is no TextArea key)
        assert await _typed_in_one_burst(True, start, keys) == want, (start, keys)


async def test_the_plain_textual_input_reorders_them() -> None:
    """The defect this module works around: should Textual fix it, this fails and the module can go."""

    class Plain(App[None]):
        def compose(self) -> ComposeResult:
            yield Input(id="field")

    app = Plain()
    async with app.run_test() as pilot:
        field = app.query_one(Input)
        field.value, field.cursor_position = "5x", 2
        await pilot.pause()
        for key in ["backspace", "backspace", "7"]:
            app.post_message(_key(key))
        for _ in range(5):
            await pilot.pause()
        assert field.value != "7"


def test_every_text_field_retain_composes_keeps_keys_in_order() -> None:
    """The class of the defect: a field made as a plain Input or TextArea reorders keys. The path
    fields of the import and export dialogs stay plain: their completion (textual-autocomplete)
    takes enter, tab and the arrows from the Input's own key events."""
    import re
    from pathlib import Path

    import retain.ui

    plain = re.compile(r"(?<![\w.])(Input|TextArea)\(")
    allowed = {"share_import.py", "share_export.py"}
    found = [
        f"{path.name}:{n}"
        for path in Path(retain.ui.__file__).parent.rglob("*.py")
        if path.name not in allowed
        for n, text in enumerate(path.read_text("utf-8").splitlines(), 1)
        if plain.search(text)
    ]
    assert found == [], found


async def test_a_typed_answer_corrected_in_one_burst_is_checked_as_corrected(open_app: OpenApp) -> None:
    """`Raff`, backspace, `t`, enter, typed fast: the check saw `Raff` (the t went in before the
    backspace ran, then the backspace took it) and marked a right answer wrong."""
    app = open_app(["consul"], start_in_review=True)  # its first card asks for "Raft"
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        for key in [*"Raff", "backspace", "t", "enter"]:
            app.post_message(_key(key))
        for _ in range(10):
            await pilot.pause()
        assert screen.query_one("#answer", Input).value == "Raft"
        assert screen.query_one(RatingBar).suggested == 3, screen_text(app)
