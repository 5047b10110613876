"""Path completion under a file-name Input (textual-autocomplete's PathAutoComplete).

Lists the folders and the files with the wanted extensions in the folder being
typed, `~` expanded; dotfiles only once the name typed starts with a dot; never a
name holding a control or invisible format character (it would reach the terminal). Down
opens the list, Tab or Enter takes the highlighted entry, Esc closes it.
The list shows only while a name is being typed that does not name an existing
path yet nor ends with a wanted extension, so Enter on a complete path, or on a
whole new file name, submits the dialog.

A folder's list is built once (the library reads the folder once too), and a folder of more
than `MANY` entries offers only the names that start with what is typed, at most `MANY` of
them, as a shell does: the list's fuzzy match over 4,000 names on every key left the typing
seconds behind in a Downloads folder.

The folder is listed here, not by the library: it asked each entry `is_dir()` unguarded, and one
entry that cannot be looked at (a symbolic link loop, a link into a dead mount, a folder it may not
read) crashed the app. Such an entry is listed as a file; a folder that cannot be listed offers
nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Input
from textual_autocomplete import AutoComplete, DropdownItem, PathAutoComplete, TargetState

from retain.core.sanitize import sanitize_line

__all__ = ["MANY", "PathComplete"]

MANY = 200  # a folder with more entries offers the names starting with what is typed, so many


class PathComplete(PathAutoComplete):
    def __init__(self, target: Input, suffixes: Sequence[str], *, id: str | None = None) -> None:
        super().__init__(target, ".", folder_prefix=Content(""), file_prefix=Content(""), id=id)
        self.suffixes = tuple(s.lower() for s in suffixes)
        self._offered: dict[tuple[str, bool], list[DropdownItem]] = {}  # (folder, dotfiles) -> list

    def get_candidates(self, target_state: TargetState) -> list[DropdownItem]:
        typed = target_state.text[: target_state.cursor_position]
        expanded = os.path.expanduser(typed) if typed.startswith("~") else typed
        search = self.get_search_string(target_state)
        self.show_dotfiles = search.startswith(".")
        key = (expanded[: expanded.rfind("/") + 1], self.show_dotfiles)
        items = self._offered.get(key)
        if items is None:
            if len(self._offered) >= 16:  # (folders typed through: only the last few kept)
                self._offered.clear()
            items = [
                DropdownItem(name, prefix=self.folder_prefix if name.endswith("/") else self.file_prefix)
                for name in _listing(key[0] or ".", dotfiles=self.show_dotfiles)
                if self._wanted(name) and _shown_as_is(name)
            ]
            self._offered[key] = items
        if len(items) <= MANY:
            return items
        folded = search.casefold()
        return [item for item in items if item.main.plain.casefold().startswith(folded)][:MANY]

    def clear_directory_cache(self) -> None:
        super().clear_directory_cache()
        self._offered.clear()

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


def _listing(folder: str, *, dotfiles: bool) -> list[str]:
    """The names in `folder`, a folder's ending in `/`, folders first then by name (the library's
    order, dotfiles first in each). An entry whose kind cannot be read is a file here; a folder
    that cannot be listed gives no name. Never raises OSError."""
    try:
        with os.scandir(folder) as entries:
            found = [(entry.name, _is_folder(entry)) for entry in entries]
    except OSError:
        return []
    if not dotfiles:
        found = [(name, folder_) for name, folder_ in found if not name.startswith(".")]
    found.sort(key=lambda nf: (not nf[1], not nf[0].startswith("."), nf[0].lower()))
    return [name + "/" if is_folder else name for name, is_folder in found]


def _is_folder(entry: os.DirEntry[str]) -> bool:
    """Whether the entry is (or links to) a folder; False when that cannot be read (a link loop:
    ELOOP, a dead mount: ENOTCONN, a folder it may not look into: EACCES)."""
    try:
        return entry.is_dir()
    except OSError:
        return False


def _shown_as_is(name: str) -> bool:
    """A name with no control or invisible format character (`sanitize_line` keeps it): only such a
    name is offered, as the list and Tab would put it on the terminal as it is (a stranger's
    `a\x1b]52;c;...` writes the clipboard). Typed by hand, the box takes any path."""
    return sanitize_line(name) == name
