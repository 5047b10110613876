"""Path completion under a file-name Input (textual-autocomplete's PathAutoComplete).

Lists the folders and the files with the wanted extensions in the folder being
typed, `~` expanded; dotfiles only once the name typed starts with a dot; never a
name holding a control or invisible format character (it would reach the terminal). Down
opens the list, Tab or Enter takes the highlighted entry, Esc closes it.
The list shows only while a name is being typed that does not name an existing
path yet nor ends with a wanted extension, so Enter on a complete path, or on a
whole new file name, submits the dialog.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Input
from textual_autocomplete import AutoComplete, DropdownItem, PathAutoComplete, TargetState

from retain.core.sanitize import sanitize_line

__all__ = ["PathComplete"]


class PathComplete(PathAutoComplete):
    def __init__(self, target: Input, suffixes: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(target, ".", folder_prefix=Content(""), file_prefix=Content(""), id=id)
        self.suffixes = tuple(s.lower() for s in suffixes)

    def get_candidates(self, target_state: TargetState) -> list[DropdownItem]:
        typed = target_state.text[: target_state.cursor_position]
        expanded = os.path.expanduser(typed) if typed.startswith("~") else typed
        self.show_dotfiles = self.get_search_string(target_state).startswith(".")
        items = super().get_candidates(TargetState(expanded, len(expanded)))
        return [item for item in items if self._wanted(item.main.plain) and _shown_as_is(item.main.plain)]

    def should_show_dropdown(self, search_string: str) -> bool:
        typed = os.path.expanduser(self.target.value)
        if os.path.exists(typed):
            return False  # a complete path: Enter submits it (Down still opens the list)
        if search_string.lower().endswith(self.suffixes):
            # a whole new file name (`redis.apkg`): Enter submits it. The fuzzy list had matched
            # `redis-full.apkg`, and Enter put that existing file's name in the box instead.
            return False
        return AutoComplete.should_show_dropdown(self, search_string)

    def post_completion(self) -> None:
        self.action_hide()  # the list followed the old text; typing on shows the new folder's

    def _wanted(self, name: str) -> bool:
        return name.endswith("/") or name.lower().endswith(self.suffixes)


def _shown_as_is(name: str) -> bool:
    """A name with no control or invisible format character (`sanitize_line` keeps it): only such a
    name is offered, as the list and Tab would put it on the terminal as it is (a stranger's
    `a\x1b]52;c;...` writes the clipboard). Typed by hand, the box takes any path."""
    return sanitize_line(name) == name
