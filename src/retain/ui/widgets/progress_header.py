"""Study header: what is left in the session (new, learning, due) and a progress bar."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.widgets import ProgressBar, Static

__all__ = ["ProgressHeader"]


class ProgressHeader(Horizontal):
    """`New 3  Learning 1  Due 12` on the left, progress through the session on the right."""

    DEFAULT_CSS = """
    ProgressHeader { height: 1; width: 1fr; }
    ProgressHeader > #counts { width: auto; }
    ProgressHeader > ProgressBar { width: 1fr; margin-left: 2; }
    ProgressHeader > ProgressBar > Bar { width: 1fr; }
    """

    def compose(self) -> ComposeResult:
        yield Static(id="counts")
        yield ProgressBar(total=1, show_eta=False, id="progress")

    def show(self, new: int, learning: int, review: int, done: int) -> None:
        """Remaining counts and how many cards this session has already answered."""
        counts = Content.assemble(
            ("New ", "$text-muted"),
            (str(new), "bold $primary"),
            ("  Learning ", "$text-muted"),
            (str(learning), "bold $error"),
            ("  Due ", "$text-muted"),
            (str(review), "bold $success"),
        )
        self.query_one("#counts", Static).update(counts)
        remaining = new + learning + review
        self.query_one(ProgressBar).update(total=max(1, done + remaining), progress=done)
