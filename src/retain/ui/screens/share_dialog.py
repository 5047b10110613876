"""What the import and export dialogs share: a progress bar fed from a worker thread and a status line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Button, ProgressBar, Static

from retain.ui.from_thread import call_and_wait, call_soon
from retain.ui.text import plain
from retain.ui.widgets.key_bar import Dialog

__all__ = ["ShareDialog", "ShareText"]


class ShareText(VerticalScroll):
    """The box of the dialog's preview and status text (a `Static` with id `share-diff`): when
    the text is longer than the box (an upgrade that changes many cards), the box takes the focus
    on Tab and scrolls with the arrows, PageUp/PageDown, Home and End, so the cards an import
    deletes and "Press Import" can be read; when it fits it is no tab stop."""

    def allow_focus(self) -> bool:
        return self.max_scroll_y > 0


class ShareDialog(Dialog[list[Path] | None]):
    """Dismisses with the files written, or None when cancelled. PageUp and PageDown scroll the
    preview from anywhere in the dialog (the path, the box, the buttons).

    Subclasses compose a `ProgressBar` and a `Static` with id `share-diff` in a `ShareText`.
    """

    # Loaded when the screen is first shown, not parsed at launch (app.tcss holds what the
    # home and study screens need); unscoped, as when it lived in app.tcss.
    SCOPED_CSS = False
    CSS = """
    ImportScreen, ExportScreen {
        align: center middle;
    }
    #share-dialog {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;  /* of the rows above the key bar: at 60x20 the import form fits */
        overflow-y: auto;  /* a small terminal: scroll to the buttons and the status */
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #share-title {
        width: 1fr;  /* wrapped on a narrow terminal, not cut (`... .md) or a fold`) */
        text-style: bold;
        margin-bottom: 1;
    }
    #share-diff-box {
        height: auto;
        max-height: 12;
        margin: 1 0;
    }
    #share-diff-box:focus {
        background-tint: $foreground 5%;
    }
    #share-diff {
        height: auto;
    }
    #share-diff.share-error {
        color: $error;
    }
    #share-buttons {
        height: auto;
    }
    #share-buttons Button {
        margin-right: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("pagedown", "page_preview(1)", "Scroll the preview", id="share.page_down", show=False),
        Binding("pageup", "page_preview(-1)", "Scroll the preview back", id="share.page_up", show=False),
    ]

    def action_page_preview(self, direction: int) -> None:
        box = self.query_one(ShareText)
        if direction > 0:
            box.scroll_page_down(animate=False)
        else:
            box.scroll_page_up(animate=False)

    # The first field is focused in `on_mount`, not by Textual, which scrolls the focused widget
    # to the middle of the box: at 60x20 the export dialog opened with its title out of sight.
    AUTO_FOCUS = ""

    writing = False  # a worker is writing files: Cancel waits for it (half an import helps no one)
    _owner_app: App[Any] | None = None

    def on_mount(self) -> None:
        self._owner_app = self.app  # a dismissed screen no longer finds its app from a thread
        first = next((w for w in self.query("#share-dialog *") if w.focusable), None)
        if first is not None:
            first.focus(scroll_visible=False)

    def _start_writing(self) -> bool:
        """On the UI thread, before a worker writes: False when one already is; else the buttons
        are disabled until it ends (a second press would write the same files twice)."""
        if self.writing:
            return False
        self.writing = True
        for button in self.query("#share-buttons Button").results(Button):
            button.disabled = True
        return True

    def _stop_writing(self) -> None:
        self.writing = False
        for button in self.query("#share-buttons Button").results(Button):
            button.disabled = False

    def _refuse_cancel(self) -> bool:
        """Cancel while files are being written: say why it waits (True), else False."""
        if self.writing:
            self.app.notify(
                "Still writing; stopping halfway would leave only part of it written. It ends by itself.",
                title="Please wait",
                severity="warning",
            )
        return self.writing

    # -- from a worker thread (`retain.ui.from_thread`): never `App.call_from_thread`, which waits
    # for ever once a closed terminal has stopped the app's loop (retain then never exited); the
    # DOM is read only on the UI thread; a dialog closed meanwhile ignores what comes.

    def _post(self, fn: Callable[..., object], *args: Any) -> None:
        """From a worker thread: have the app run `fn(*args)` if this dialog is still shown then,
        in the order posted; never waits."""
        app = self._owner_app
        if app is not None:
            call_soon(app, self._if_shown, fn, *args)

    def _end(self, fn: Callable[..., object], *args: Any) -> None:
        """A worker's last call (its result): as `_post`, then wait until it has run (or the app
        has stopped), so that a worker that has ended has its result shown."""
        app = self._owner_app
        if app is not None:
            call_and_wait(app, self._if_shown, fn, *args)

    def _if_shown(self, fn: Callable[..., object], *args: Any) -> None:
        if self.is_attached:
            fn(*args)

    def _busy(self) -> None:
        """From a worker thread: the bar pulses (no total) until the first counted step."""
        self._post(self._bar, None, 0)

    def _progress(self, stage: str, done: int, total: int) -> None:
        """The interop `ProgressFn`, called from a worker thread."""
        self._post(self._bar, max(total, 1), done)

    def _bar(self, total: int | None, done: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)

    def _show(self, text: str, error: bool = False) -> None:
        if error and self.writing:  # the write failed: the form is the user's again
            self._stop_writing()
        bar = self.query_one(ProgressBar)
        if bar.total is None:  # pulsing since `_busy`: the work is over
            bar.update(total=1, progress=0)
        status = self.query_one("#share-diff", Static)
        status.set_class(error, "share-error")
        status.update(plain(text))
        # on a small terminal the dialog scrolls: bring the status into sight once laid out
        self.call_after_refresh(status.scroll_visible, animate=False, top=True)
