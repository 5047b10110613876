"""An SVG picture of the screen saved in the current folder: the statistics screen's `e` and the
command palette's "Screenshot" (Textual's own wrote to ~/Downloads, and said only "Failed to
save screenshot" where that folder does not exist)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from textual.app import App

from retain.store.oserror import os_error_text


def free_name(folder: Path, stem: str) -> Path:
    """`folder/stem.svg`, or the first of `stem-2.svg`, `stem-3.svg`, ... not there: a second
    picture the same day, or a file of the user's that has the name, is never replaced."""
    path = folder / f"{stem}.svg"
    n = 1
    while os.path.lexists(path):
        n += 1
        path = folder / f"{stem}-{n}.svg"
    return path


def save_picture(app: App[Any], stem: str, title: str, what: str) -> Path | None:
    """The screen as `stem.svg` (a free name) in the current folder, said in one line either way
    (`what`: "the statistics", "the screen"); the path, or None when it could not be written."""
    name = f"{stem}.svg"
    try:
        # the current folder may be gone (removed after retain started): `cwd` raises then
        path = free_name(Path.cwd(), stem)
        name = path.name
    except OSError as exc:
        why = os_error_text(exc, name=False)
        app.notify(
            f"Cannot save {what} as {name}: the current folder is gone ({why})",
            severity="error",
            markup=False,
        )
        return None
    try:
        from retain.ui.stats_open import write_svg

        write_svg(path, app.export_screenshot(title=title))
    except OSError as exc:
        app.notify(
            f"Cannot save {what} as {path}: {os_error_text(exc, name=False)}", severity="error", markup=False
        )
        return None
    app.notify(f"Saved {path}", markup=False)
    return path
