"""End of a study session: cards studied, time spent, Again rate, when the next cards are due.

`u` (ctrl+z) undoes the last rating as on the study screen: when the session serves the card
again, it is shown (the session goes on), else the figures follow the undo.

The figures are worked out again (`refigure`, the study screen's rule: `core.summary_figures`)
when a screen opened over the summary closes (settings saved, a card deleted or suspended in the
browser) and when the deck files change on disk: "Next due" follows the decks and the limits as
the deck list counts them, not as they were when the session ended.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from retain.core.scheduler import interval_label
from retain.core.session import ReviewSession, SessionSummary, action_label
from retain.core.summary_figures import DEFAULT_LIMIT, SummaryFigures
from retain.store.collection import CollectionError
from retain.ui.text import line
from retain.ui.widgets.key_bar import KeyBar

__all__ = ["SummaryScreen", "format_duration", "summary_content"]


def format_duration(seconds: float) -> str:
    """`45 s`, `3 min 20 s`, `1 h 05 min`."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes, secs = divmod(total, 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def summary_content(
    summary: SessionSummary,
    now: datetime,
    limit_lifts_at: datetime | None = None,
    next_day_at: datetime | None = None,
    waiting: bool = False,
    limit: str = DEFAULT_LIMIT,
) -> Content:
    """The figures; `limit_lifts_at`: a daily limit held cards back, and they come then (the next
    study day's start), so the next cards are due no later than that. `next_day_at`: the next
    study day's start, when it brings cards for another reason (a sibling of a card studied
    today, a buried card, a review due that day). `waiting`: the session was left with cards
    due now (Esc before the end): they are next. `limit`: which limit held them back, as
    `StudyQueue.limit_reached` words it (a group's is named); not said once `now` is past
    `limit_lifts_at` (the summary left open over the rollover: the cards are due now)."""
    cards = "card" if summary.studied == 1 else "cards"
    due = now if waiting else summary.next_due
    lifts = limit_lifts_at
    # (`>=`: a step of days due at the rollover itself comes with the cards the limit held back)
    held_back = not waiting and lifts is not None and (due is None or due >= lifts)
    if held_back and lifts is not None and lifts <= now:  # left open past the rollover: lifted
        held_back, due = False, lifts
    elif held_back:
        due = lifts
    elif next_day_at is not None and (due is None or due > next_day_at):
        due = next_day_at
    if due is None:
        next_due = "nothing scheduled"
    elif due <= now:
        next_due = "now"
    else:
        next_due = f"in {interval_label(now, due)}"
    rows = [
        ("Studied", f"{summary.studied} {cards}"),
        ("Time", format_duration(summary.seconds)),
        ("Again", f"{summary.again_rate:.0%} ({summary.again} of {summary.studied})"),
        ("Next due", next_due),
    ]
    if held_back:  # a group's limit names the group: wrapped under its column, not under "Limit"
        rows.append(("Limit", "\n          ".join(textwrap.wrap(limit, 28, break_on_hyphens=False))))
    lines = [Content.assemble((f"{label:<10}", "$text-muted"), (value, "bold")) for label, value in rows]
    return Content("\n").join(lines)


class SummaryScreen(Screen[None]):
    # Loaded when the screen is first shown, not parsed at launch (app.tcss holds what the
    # home and study screens need); unscoped, as when it lived in app.tcss.
    SCOPED_CSS = False
    CSS = """
    SummaryScreen {
        align: center middle;
    }
    #summary-box {
        width: 44;
        max-width: 100%;  /* a 40-column terminal: the box whole, not cut at its right edge */
        height: auto;
        padding: 1 2;
        border: round $accent;
    }
    #summary-title {
        margin-bottom: 1;
    }
    """
    REFRESH_SECONDS: ClassVar[float] = 15.0  # "Next due in 6h" said again this often (tests set it low)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,escape,space", "close", "Back", id="summary.close"),  # to the decks, or the browser
        Binding("u,ctrl+z", "undo", "Undo", id="summary.undo"),
    ]

    def __init__(
        self,
        figures: SummaryFigures,
        *,
        clock: Callable[[], datetime],
        session: ReviewSession | None = None,
        resume: Callable[[], Screen[None]] | None = None,
        refigure: Callable[[], SummaryFigures] | None = None,
    ) -> None:
        """`session`: the session summed up, for `u`; `resume`: a study screen that goes on with it
        (when undo brought a card back); `refigure`: the figures as they are now, the changes made
        meanwhile taken by the session first (new settings, the decks reloaded)."""
        super().__init__()
        self.figures = figures
        self._clock = clock
        self._session = session
        self._resume = resume
        self._refigure = refigure
        self._shown = ""  # the body's words as last drawn
        self._resumed = False  # (the first resume is the screen being shown: its figures are new)

    @property
    def summary(self) -> SessionSummary:
        return self.figures.summary

    def compose(self) -> ComposeResult:
        with Center(), Vertical(id="summary-box"):
            yield Static(Content.styled("Session summary", "bold $accent"), id="summary-title")
            body = self._body()
            self._shown = body.plain
            yield Static(body, id="summary-body")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_interval(self.REFRESH_SECONDS, self._tick, name="summary-refresh")

    def _tick(self) -> None:
        """Left open, the summary says the time left until the next cards as it is now (it said
        "in 16h" into the evening)."""
        body = self._body()
        if body.plain != self._shown:  # (a new layout only when the words change)
            self._show(body)

    def _show(self, body: Content) -> None:
        self._shown = body.plain
        self.query_one("#summary-body", Static).update(body)

    def _body(self) -> Content:
        f = self.figures
        return summary_content(f.summary, self._clock(), f.limit_lifts_at, f.next_day_at, f.waiting, f.limit)

    def on_screen_resume(self) -> None:
        """A screen opened over the summary closed: the settings, the browser, an editor may have
        changed what the figures depend on."""
        if self._resumed:
            self._refresh_figures()
        self._resumed = True

    def on_decks_reloaded(self) -> None:
        """Deck files changed on disk (`retain.ui.live_reload`): a card added or deleted."""
        self._refresh_figures()

    def _refresh_figures(self) -> None:
        """The figures as the session's decks and settings are now, drawn when their words change."""
        if self._refigure is None:
            return
        try:
            self.figures = self._refigure()
        except (CollectionError, OSError) as exc:  # (the figures as they were: say why)
            self.notify(line(f"Summary not updated: {exc}").plain, severity="warning", markup=False)
            return
        self._tick()

    def action_close(self) -> None:
        self.dismiss()

    def action_undo(self) -> None:
        """Take back the last rating (suspend, bury), as `u` on the study screen does, and say what
        it was; its card is shown again when the session serves it now."""
        session = self._session
        if session is None:  # (no session to go on with: as on the deck list)
            from retain.ui.undo import undo_last

            undo_last(self)
            return
        try:
            event = session.undo(self._clock())
        except (CollectionError, OSError) as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
            return
        if event is None:
            from retain.ui.undo import nothing_undone

            self.notify(nothing_undone(self), markup=False)
            return
        undone = session.last_undone
        if undone is not None:
            self.notify(line(action_label(session.last_undone_action)).plain, markup=False)
        card = session.current
        if undone is not None and card is not None and card.key == undone.key and self._resume is not None:
            self.app.switch_screen(self._resume())  # its card again: the session goes on
            return
        # (an older rating, or a card this session does not serve)
        if self._refigure is not None:
            self._refresh_figures()
            return
        self.figures = replace(self.figures, summary=session.summary())
        self._show(self._body())
