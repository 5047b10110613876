"""Statistics: due forecast, review calendar, reviews per day, true retention, card counts,
distributions, answer buttons and hours, added cards; for a deck, a group or everything.

The figures come from `store.statsdata.gather_figures` (the same call `retain
stats` makes), computed in a thread worker so key presses never wait for a
query; the first panel (the forecast) is shown from a quick first pass, the
rest follows. `1`-`4` (or `p`) switch the period, `d` the deck, `e` saves an SVG.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from retain.core.statsfigures import PERIODS
from retain.core.statstext import plural
from retain.ui.from_thread import call_soon
from retain.ui.picture import save_picture
from retain.ui.text import line
from retain.ui.widgets import stats_charts as charts
from retain.ui.widgets.key_bar import KeyBar

__all__ = ["PERIOD_NAMES", "Scope", "StatsScreen"]

PERIOD_NAMES = {"1m": "1 month", "3m": "3 months", "1y": "1 year", "all": "all"}
NO_REVIEWS = "No reviews yet."
NO_SCHEDULED = "No cards with a schedule here (new and suspended cards are left out)."
Compute = Callable[[Sequence[str] | None, int | None, bool], dict[str, Any]]


@dataclass(frozen=True, slots=True)
class Scope:
    """What the figures cover: a deck, a group's decks, or everything (`deck_ids` None)."""

    label: str
    deck_ids: tuple[str, ...] | None = None


class CalendarView(Static):
    """The year heatmap; redrawn for the width it gets."""

    data: dict[str, Any] | None = None
    pal: charts.Palette | None = None

    def show(self, data: dict[str, Any], pal: charts.Palette) -> None:
        self.data, self.pal = data, pal
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.data is None or self.pal is None or not self.size.width:
            return
        cal = self.data["calendar"]
        if not cal["total"] and not cal["longest_streak"]:  # none ever (a year may be empty after a break)
            self.update(Content.styled(NO_REVIEWS, "$text-muted"))
        else:
            self.update(charts.calendar_content(self.data, self.pal, self.size.width))


class RetentionView(Static):
    """The true retention table; redrawn for the width it gets (the rates only when the full
    table would wrap)."""

    data: dict[str, Any] | None = None

    def show(self, data: dict[str, Any], ever: bool) -> None:
        self.data = data if ever else None
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        if self.data is None:
            self.update(Content.styled(NO_REVIEWS, "$text-muted"))
        else:
            self.update(charts.retention_content(self.data, self.size.width or None))


class StatsScreen(Screen[None]):
    # Loaded when the screen is first shown, not parsed at launch (app.tcss holds what the
    # home and study screens need); unscoped, as when it lived in app.tcss.
    SCOPED_CSS = False
    CSS = """
    #stats-head { height: auto; padding: 0 1; background: $panel; }  /* wraps on a narrow terminal: the study day is never cut */
    #stats-body { padding: 0 1; }
    .stats-title { margin-top: 1; }
    .stats-note { color: $text-muted; }
    .stats-plot { height: 12; background: $surface; }
    .stats-pair { height: auto; }
    .stats-pair > .stats-plot { width: 1fr; }
    #calendar, #retention, #counts { height: auto; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,t", "close", "Back", id="stats.close"),
        Binding("1", "period('1m')", "1 month", id="stats.month", show=False),
        Binding("2", "period('3m')", "3 months", id="stats.quarter", show=False),
        Binding("3", "period('1y')", "1 year", id="stats.year", show=False),
        Binding("4", "period('all')", "All", id="stats.all", show=False),
        Binding("p", "next_period", "Period", id="stats.next_period"),
        Binding("d", "pick_scope", "Deck", id="stats.deck"),
        Binding("e", "save_svg", "Save SVG", id="stats.svg"),
    ]

    def __init__(
        self, compute: Compute, scope: Scope, scopes: Sequence[Scope], *, period: str = "1m"
    ) -> None:
        super().__init__()
        self._compute = compute
        self.scope = scope
        self.scopes = list(scopes)
        self.period = period
        self.custom_days: int | None = None  # `retain stats --svg --days N` with another N
        self.data: dict[str, Any] | None = None  # the figures on screen (the JSON form)
        self._token = 0
        self.quick_token = -1
        self._forecast_shown: tuple[int, object] | None = None
        self._rest_ready = False
        self.painted: dict[
            int, dict[str, float]
        ] = {}  # request -> "first"/"all" -> perf_counter (benchmarks)
        self._pending: tuple[dict[str, Any], charts.Palette] | None = None
        self._head_pieces: list[tuple[str, Content]] = []  # (spaces before it, piece) of the head
        self._notes: dict[str, tuple[str, Content | None]] = {}  # a panel's note and its legend

    def compose(self) -> ComposeResult:
        # Only the first panel at first: the rest is mounted after the first paint (`_mount_rest`).
        yield Static(id="stats-head")
        with VerticalScroll(id="stats-body"):
            yield from self._panel("forecast", "Due forecast")
        yield KeyBar()

    def _rest(self) -> list[Widget]:
        def title(text: str) -> Static:
            return Static(Content.styled(text, "bold $accent"), classes="stats-title")

        def chart(name: str) -> charts.Chart:
            plot = charts.Chart(id=f"{name}-plot", classes="stats-plot")
            plot.display = False
            return plot

        def pair(a: str, b: str) -> Horizontal:
            return Horizontal(chart(a), chart(b), classes="stats-pair")

        return [
            title("Review calendar"),
            CalendarView(id="calendar"),
            *self._panel("reviews", "Reviews per day"),
            title("True retention"),
            RetentionView(id="retention"),
            title("Card counts"),
            Static(id="counts"),
            title("Distributions"),
            Static(id="distributions-note", classes="stats-note"),
            pair("intervals", "stability"),
            pair("difficulty", "retrievability"),
            title("Answer buttons and hours"),
            Static(id="buttons-note", classes="stats-note"),
            pair("buttons", "hours"),
            *self._panel("added", "Added (first studied)"),
        ]

    def _panel(self, name: str, title: str) -> list[Widget]:
        plot = charts.Chart(id=f"{name}-plot", classes="stats-plot")
        plot.display = False
        return [
            Static(Content.styled(title, "bold $accent"), classes="stats-title"),
            Static(id=f"{name}-note", classes="stats-note"),
            plot,
        ]

    def on_mount(self) -> None:
        self._head()
        self.reload()
        # The charts carry the theme's colours: draw them again in a new theme (the figures are cached).
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.reload())
        self.call_after_refresh(self._mount_rest)

    async def _mount_rest(self) -> None:
        await self.query_one("#stats-body", VerticalScroll).mount_all(self._rest())
        self._rest_ready = True
        if self._pending is not None:
            self._show_rest(*self._pending)

    # -- loading -------------------------------------------------------------------------

    def reload(self) -> None:
        """Compute the figures for the current scope and period in a thread; show them when ready."""
        self._token += 1
        days = self.custom_days if self.custom_days is not None else PERIODS[self.period]
        token, decks = self._token, self.scope.deck_ids
        self._head(loading=True)

        painted = threading.Event()

        def work() -> None:
            # (`call_soon`: never waits; a quitting app left this thread waiting, and retain
            # with it, for ever)
            quick = self._compute(decks, days, True)  # the forecast first: states only
            call_soon(self.app, self._show, token, quick, False)
            call_soon(self.app, self.call_after_refresh, painted.set)
            painted.wait(0.5)  # let it paint before this thread takes the interpreter for the rest
            full = self._compute(decks, days, False)
            call_soon(self.app, self._show, token, full, True)

        self.run_worker(work, thread=True, exclusive=True, group="stats", exit_on_error=False)

    def _show(self, token: int, data: dict[str, Any], complete: bool) -> None:
        if token != self._token or not self.is_attached:
            return  # a newer period or deck was asked for meanwhile
        pal = charts.palette(self.app.theme_variables, mono=self.app.no_color)
        f = data["forecast"]
        if self._forecast_shown == (token, f):
            return self._show_rest(data, pal) if complete else None  # the quick pass drew it already
        self._forecast_shown = (token, f)
        self._plot("forecast", any(self._due(data)), charts.draw_forecast, data, pal)  # (all 0: no chart)
        self._forecast_note(data, pal, complete)
        self.quick_token = token  # the first panel shows this request's figures (benchmarks wait for it)
        self.call_after_refresh(self._painted, token, "first")
        if complete:
            self._show_rest(data, pal)

    def _show_rest(self, data: dict[str, Any], pal: charts.Palette) -> None:
        """Every panel but the forecast (once they are mounted)."""
        if not self._rest_ready:
            self._pending = (data, pal)
            return
        self._pending = None
        self.data = data
        self.call_after_refresh(self._painted, self._token, "all")
        self._head()
        self._forecast_note(data, pal, True)
        self.query_one(CalendarView).show(data, pal)
        rev = data["reviews"]
        has = bool(rev["total"])
        ever = self._ever(data)
        none = NO_REVIEWS if not ever else f"No reviews in the last {plural(data['days'], 'day')}."
        self._plot("reviews", has, charts.draw_reviews, data, pal)
        self._note(
            "reviews",
            f"{plural(rev['total'], 'review')} in {rev['minutes']:g} min on {rev['days_studied']} of"
            f" {plural(data['days'], 'day')}"
            f"{self._per(data['days'])}   "
            if has
            else none,
            charts.legend(charts.REVIEW_KINDS, pal) if has else None,
        )
        self.query_one(RetentionView).show(data, ever)
        counts = self.query_one("#counts", Static)
        if data["counts"]["total"]:
            counts.update(charts.counts_content(data, pal, max(30, self.size.width - 4)))
        else:
            counts.update(Content.styled("No cards here.", "$text-muted"))
        dist = data["distributions"]
        known = sum(dist["stability"]["counts"]) > 0
        self._note(
            "distributions",
            "intervals · stability (days) / difficulty · retrievability (%)"
            if known
            else NO_SCHEDULED
            if ever
            else NO_REVIEWS,
        )
        for name, color in (
            ("intervals", "primary"),
            ("stability", "accent"),
            ("difficulty", "warning"),
            ("retrievability", "success"),
        ):
            self._plot(
                name,
                known,
                lambda plt, d, p, n=name, c=color, width=80: charts.draw_distribution(
                    plt, d["distributions"][n], p, c, width
                ),
                data,
                pal,
            )
        self._note(
            "buttons",
            "answers by card type (%) · reviews by hour of day, passed under Again   " if has else none,
            charts.legend(charts.BUTTONS, pal) if has else None,
        )
        self._plot("buttons", has, charts.draw_buttons, data, pal)
        self._plot("hours", has, charts.draw_hours, data, pal)
        self._plot("added", bool(data["added"]), charts.draw_added, data, pal)
        self._note(
            "added",
            f"{sum(a['cards'] for a in data['added'])} cards studied for the first time"
            if data["added"]
            else f"No cards studied for the first time in the last {plural(data['days'], 'day')}."
            if ever
            else NO_REVIEWS,
        )

    @staticmethod
    def _ever(data: dict[str, Any]) -> bool:
        """Whether the scope has any counted rating, in any period (the longest streak is over
        the whole history; the calendar's total over the last year)."""
        cal = data["calendar"]
        return bool(cal["total"] or cal["longest_streak"] or data["reviews"]["total"])

    def _forecast_note(self, data: dict[str, Any], pal: charts.Palette, complete: bool) -> None:
        """The backlog and the period's sum; with nothing scheduled, why: no reviews yet (known
        once the history is read: the first pass has the card states only), or every card new
        or suspended. A card set aside today (`core.state.set_aside`) counts only as suspended or
        buried; the counts say how many of the buried are new (`_scheduled`)."""
        f = data["forecast"]
        counts = data["counts"]
        if self._scheduled(data):
            per = self._per(len(f["days"]))
            due = sum(self._due(data))
            text = f"Due today (backlog) {f['backlog']}  ·  next {len(f['days'])} days {due}{per}   "
            self._note("forecast", text, charts.legend(charts.FORECAST_KINDS, pal))
        elif complete and not self._ever(data):
            self._note("forecast", f"{NO_REVIEWS} Nothing is scheduled.")
        elif counts["suspended"]:
            self._note("forecast", "Nothing is scheduled: every card is new or suspended.")
        else:
            self._note("forecast", "Nothing is scheduled: every card is new.")

    @staticmethod
    def _scheduled(data: dict[str, Any]) -> bool:
        """Whether a card in scope has a schedule: one neither new nor suspended (a buried one
        included: `counts` says how many of the buried are new), on the first pass as well."""
        counts: dict[str, int] = data["counts"]
        return counts["total"] - counts["new"] - counts["suspended"] - counts["buried_new"] > 0

    def _painted(self, token: int, what: str) -> None:
        self.painted.setdefault(token, {})[what] = time.perf_counter()

    def _per(self, days: int) -> str:
        size = charts.bucket_days(days, self.size.width - 4)
        return "" if size == 1 else f"  (a bar is {size} days)"

    @staticmethod
    def _due(data: dict[str, Any]) -> list[int]:
        return [d["young"] + d["mature"] for d in data["forecast"]["days"]]

    def _note(self, name: str, text: str, extra: Content | None = None) -> None:
        self._notes[name] = (text, extra)
        self._lay_note(name)

    def _lay_note(self, name: str) -> None:
        """A panel's note, its legend after it on the same line when the whole legend fits there,
        else on the next: at 80 columns `■ young  ■` ended a line and `mature` began the next
        (without colours the fills are the only way to tell the series apart)."""
        text, extra = self._notes[name]
        note = line(text, "$text-muted")
        widget = self.query_one(f"#{name}-note", Static)
        if extra is not None:
            width = widget.content_region.width or self.size.width - 2  # (before the first layout)
            last = note.wrap(width)[-1] if width > 0 else note
            note = note + ("\n" if last.cell_length + extra.cell_length > width else "") + extra
        widget.update(note)

    def _plot(
        self, name: str, show: bool, draw: Callable[..., None], data: dict[str, Any], pal: charts.Palette
    ) -> None:
        plot = self.query_one(f"#{name}-plot", charts.Chart)
        plot.display = bool(show)
        if show:
            wide = self.size.width - 4
            draw(plot.plt, data, pal, width=wide // 2 if "stats-pair" in plot.parent.classes else wide)  # type: ignore[union-attr]
            plot.drawn()

    def _head(self, *, loading: bool = False) -> None:
        pieces: list[tuple[str, Content]] = [
            ("", Content.assemble(("Statistics  ", "bold $accent"), line(self.scope.label, "bold")))
        ]
        lead = "   "
        for key, name in PERIOD_NAMES.items():
            on = key == self.period and self.custom_days is None
            pieces.append((lead, Content.styled(f" {name} ", "reverse bold" if on else "$text-muted")))
            lead = ""
        if self.custom_days is not None:
            pieces.append(("", Content.styled(f" {plural(self.custom_days, 'day')} ", "reverse bold")))
        if loading:
            pieces.append(("   ", Content.styled("counting…", "$text-muted")))
        elif self.data is not None:
            pieces.append(("   ", Content.styled(f"study day {self.data['today']}", "$text-muted")))
        self._head_pieces = pieces
        self._draw_head()

    def on_resize(self) -> None:
        if self._head_pieces:
            self._draw_head()
        for name in self._notes:
            self._lay_note(name)

    def _draw_head(self) -> None:
        """The head's pieces, a line broken only between two of them when the next does not fit:
        on a narrow terminal a period's name was cut in two (`... 1` / `month  3 months`)."""
        head = self.query_one("#stats-head", Static)
        width = max(1, self.size.width - 2)  # the head spans the screen, less its padding
        lines: list[Content] = []
        current = Content("")
        for lead, piece in self._head_pieces:
            joined = current + Content(lead) + piece if current.cell_length else piece
            if current.cell_length and joined.cell_length > width:
                lines.append(current)
                joined = piece
            current = joined
        lines.append(current)
        head.update(Content("\n").join(lines))

    # -- actions ---------------------------------------------------------------------------

    def action_close(self) -> None:
        self.dismiss()

    def action_period(self, period: str) -> None:
        if period in PERIODS and (period != self.period or self.custom_days is not None):
            self.period, self.custom_days = period, None
            self.reload()

    def action_next_period(self) -> None:
        names = list(PERIODS)
        self.action_period(names[(names.index(self.period) + 1) % len(names)])

    def action_pick_scope(self) -> None:
        from retain.ui.screens.scope_picker import ScopePickerScreen

        self.app.push_screen(ScopePickerScreen(self.scopes, self.scope), self._scope_picked)

    def _scope_picked(self, scope: Scope | None) -> None:
        if scope is not None and scope != self.scope:
            self.scope = scope
            self.reload()

    def action_save_svg(self) -> None:
        stamp = self.data["today"] if self.data else "now"
        save_picture(self.app, f"retain-stats-{stamp}", "retain stats", "the statistics")
