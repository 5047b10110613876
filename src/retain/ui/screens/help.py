"""Help: every key binding of the app and of each screen, with the keys in force (after `[keymap]`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.keys import key_to_character
from textual.widgets import Static

from retain.ui.ascii_only import display_key
from retain.ui.keymap_check import EVERYWHERE, binding_keys
from retain.ui.widgets.key_bar import Dialog

__all__ = ["KEYMAP_EXAMPLE", "HelpScreen", "everywhere_notes", "help_content"]

# The remapping shown at the end, as it would be copied into config.toml: `r` is free on the
# Study screen (`j` was not: it is Scroll down there, so the example itself was a conflict).
KEYMAP_EXAMPLE = ("review.reveal", "space,enter,r")


def _bindings(items: Iterable[BindingType]) -> list[Binding]:
    return [b for b in items if isinstance(b, Binding) and b.id]


def _key_display(key: str) -> str:
    """`question_mark` -> `?`, `ctrl+z` stays `ctrl+z`, `enter` is `⏎` (`enter` without UTF-8)."""
    return display_key(key)


def _keys(binding: Binding, keymap: Mapping[str, str]) -> str:
    keys = keymap.get(binding.id or "", binding.key)
    return ", ".join(_key_display(k) for k in keys.split(",") if k.strip())


def _entries(bindings: list[Binding], keymap: Mapping[str, str]) -> list[tuple[str, str, str]]:
    """(keys, description, id) rows, one action per group: bindings that say the same thing (the
    same words in two dialogs, or `q` and ctrl+c for Quit) are listed together under one
    description, one row per binding id (the one to put in `[keymap]`) with that id's keys; a
    row whose keys are those of the row above leaves them out, and only the first row of the
    group has the description."""
    merged: dict[str, dict[str, list[str]]] = {}
    for b in bindings:
        words = b.description or b.action
        keys = merged.setdefault(words, {}).setdefault(b.id or "", [])
        for key in _keys(b, keymap).split(", "):
            if key and key not in keys:
                keys.append(key)
    rows: list[tuple[str, str, str]] = []
    for words, by_id in merged.items():
        above: list[str] | None = None
        for n, (binding_id, keys) in enumerate(by_id.items()):
            rows.append(("" if keys == above else ", ".join(keys), "" if n else words, binding_id))
            above = keys
    return rows


KEYS_WIDTH = 15  # the keys column (a space after keys too long for it)
WORDS_WIDTH = 24  # the description column
ID_INDENT = 4  # a binding id on a line of its own, under its row, when the row would not fit


def _key_lines(keys: str) -> list[str]:
    """`keys` cut after a comma into lines that fit the keys column: a longer list pushed the
    description and the binding id out of their columns (`pgdn, ctrl+d, space Page down`)."""
    lines: list[list[str]] = [[]]
    for key in keys.split(", ") if keys else []:
        if lines[-1] and len(", ".join([*lines[-1], key])) + 1 > KEYS_WIDTH:  # + the comma left behind
            lines.append([])
        lines[-1].append(key)
    return [", ".join(line) + ("," if n < len(lines) - 1 else "") for n, line in enumerate(lines)]


def _and(items: list[str]) -> str:
    return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else "".join(items)


def everywhere_notes(bindings: Iterable[BindingType], keymap: Mapping[str, str]) -> list[str]:
    """Where the app's keys ("Everywhere") do not work, from the bindings after the keymap.

    A dialog runs the app's priority keys (ctrl+c, ctrl+p) and those it has (`Dialog.BINDINGS`:
    Help), not the others (`q`: a question is answered or cancelled first). A text field with the
    focus takes every printable key that is not a priority one (`q`, `?`) as text."""
    in_dialogs = {b.id for b in _bindings(Dialog.BINDINGS)}
    notes: list[str] = []
    typed: list[str] = []
    for b in _bindings(bindings):
        if b.priority:
            continue
        keys = binding_keys(b, keymap)
        if b.id not in in_dialogs and keys:
            shown = ", ".join(_key_display(k) for k in keys)
            notes.append(f"{b.description or b.action} with {shown} works outside dialogs only.")
        for key in keys:
            character = key_to_character(key)
            if character is not None and character.isprintable() and _key_display(key) not in typed:
                typed.append(_key_display(key))
    if typed:
        notes.append(f"In a text field {_and(typed)} {'is' if len(typed) == 1 else 'are'} typed.")
    return notes


def help_content(
    sections: Iterable[tuple[str, Iterable[BindingType]]],
    keymap: Mapping[str, str],
    width: int | None = None,
) -> Content:
    """One section per screen: `keys  description  binding id`, one line per action and more lines
    when several binding ids share the action (each id with its keys, see `_entries`).

    With a `width` (the columns the text has), a row too wide for it puts its binding id on the
    next line, whole: wrapped by the widget it broke mid-id (`export.cance` / `l`), and the id is
    what goes into `[keymap]`."""
    lines: list[Content] = []
    for title, items in sections:
        bindings = _bindings(items)
        if not bindings:
            continue
        if lines:
            lines.append(Content(""))
        lines.append(Content.styled(title, "bold $accent"))
        for all_keys, words, binding_id in _entries(bindings, keymap):
            # keys too many for their column go on below (`space` under `pgdn, ctrl+d,`)
            keys, *more_keys = _key_lines(all_keys)
            below = [Content.styled(f"  {k}", "bold") for k in more_keys]
            head = f"  {keys:<{KEYS_WIDTH}} "
            if width is None or len(head) + max(len(words), WORDS_WIDTH) + len(binding_id) <= width:
                lines.append(
                    Content.assemble(
                        (head, "bold"), (f"{words:<{WORDS_WIDTH}}", ""), (binding_id, "$text-muted")
                    )
                )
                lines += below
                continue
            if keys or words:
                lines.append(Content.assemble((head, "bold"), (words, "")))
            lines += below
            lines.append(Content.styled(f"{'':<{ID_INDENT}}{binding_id}", "$text-muted"))
        if title == EVERYWHERE:
            lines += [
                Content.styled(f"  {note}", "$text-muted") for note in everywhere_notes(bindings, keymap)
            ]
    lines += [
        Content(""),
        Content.styled("Remap a key in config.toml with the id shown after it:", "$text-muted"),
        Content.styled(f'  [keymap]\n  "{KEYMAP_EXAMPLE[0]}" = "{KEYMAP_EXAMPLE[1]}"', "$text-muted"),
    ]
    return Content("\n").join(lines)


class HelpScreen(Dialog[None], inherit_bindings=False):
    """`?` or F1. Esc, `q`, `?` or F1 closes it.

    Its keys are its own only: a dialog's Help (`?`, F1) is its Close, and inherited, those keys
    came first in its key bar (`? Close help`, where the title says `esc closes`)."""

    # Loaded when the screen is first shown, not parsed at launch (app.tcss holds what the
    # home and study screens need); unscoped, as when it lived in app.tcss.
    SCOPED_CSS = False
    CSS = """
    HelpScreen {
        align: center middle;
    }
    #help-box {
        width: 76;  /* BOX_WIDTH */
        max-width: 100%;
        height: auto;
        max-height: 100%;
        padding: 0 1;
        border: round $accent;
        background: $surface;
    }
    #help-title {
        margin-bottom: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close help", id="help.close"),
        Binding("down,j", "scroll('down')", "Scroll down", id="help.scroll_down", show=False),
        Binding("up,k", "scroll('up')", "Scroll up", id="help.scroll_up", show=False),
        Binding("pagedown,ctrl+d,space", "scroll('page_down')", "Page down", id="help.page_down", show=False),
        Binding("pageup,ctrl+u", "scroll('page_up')", "Page up", id="help.page_up", show=False),
        Binding("end", "scroll('end')", "End", id="help.end", show=False),
        Binding("home", "scroll('home')", "Top", id="help.top", show=False),
    ]

    def __init__(self, sections: list[tuple[str, list[BindingType]]], keymap: Mapping[str, str]) -> None:
        super().__init__()
        self._sections = sections
        self._keymap = keymap

    # The box's columns that are not text: its border and padding, and a vertical scrollbar.
    BOX_WIDTH: ClassVar[int] = 76
    BOX_CHROME: ClassVar[int] = 2 + 2 + 2

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help-box"):
            yield Static(self._title(), id="help-title")
            yield Static(self._content(self.app.size.width), id="help-body")

    def _title(self) -> Content:
        """`Help: every key   esc closes`: how to leave, where it is read first (the box is as tall as
        the screen; the dialog's key bar below says it too)."""
        close = next(b for b in _bindings(self.BINDINGS) if b.id == "help.close")
        key = _keys(close, self._keymap).split(", ")[0]
        return Content.assemble(("Help: every key", "bold"), "   ", (f"{key} closes", "$text-muted"))

    def _content(self, screen_width: int) -> Content:
        """The help text laid out for the columns the box has on a screen this wide."""
        width = min(self.BOX_WIDTH, screen_width) - self.BOX_CHROME
        self._laid_out_for = width
        return help_content(self._sections, self._keymap, width)

    def on_resize(self, event: events.Resize) -> None:
        width = min(self.BOX_WIDTH, event.size.width) - self.BOX_CHROME
        if width != getattr(self, "_laid_out_for", None):
            self.query_one("#help-body", Static).update(self._content(event.size.width))

    def action_close(self) -> None:
        self.dismiss()

    def action_scroll(self, where: str) -> None:
        box = self.query_one("#help-box", VerticalScroll)
        scroll = {
            "down": box.scroll_down,
            "up": box.scroll_up,
            "page_down": box.scroll_page_down,
            "page_up": box.scroll_page_up,
            "end": box.scroll_end,
            "home": box.scroll_home,
        }.get(where)
        if scroll is not None:
            scroll(animate=False)
