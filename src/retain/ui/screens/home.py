"""Home: decks grouped with New / Learn / Due counts, today's progress, broken decks, empty-library help."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.content import Content
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from retain.core.deckrows import DeckRow
from retain.ui.access import retain_app
from retain.ui.text import line
from retain.ui.widgets.deck_table import DeckTable
from retain.ui.widgets.key_bar import KeyBar

__all__ = ["HomeData", "HomeScreen", "empty_library_text", "today_content"]


@dataclass(frozen=True, slots=True)
class HomeData:
    """Everything the home screen shows, gathered by the app from the collection."""

    rows: list[DeckRow]
    broken: list[str] = field(default_factory=list)  # "path:line:col: message" per broken deck
    messages: list[str] = field(default_factory=list)  # warnings (damaged state, read-only, ...)
    read_only: bool = False
    decks_dir: str = ""
    loaded: bool = True  # False while painted from the launch summary (the collection is opening)
    progress: tuple[int, int] | None = None  # (reviews today, streak) when known without counting
    exams: list[str] = field(default_factory=list)  # "Kafka: exam in 14 days · predicted recall …"


def empty_library_text(decks_dir: str) -> Content:
    folder = decks_dir or "your decks folder (see `retain locate`)"
    return Content.assemble(
        ("Your library is empty.\n\n", "bold"),
        "Add a card:      ",
        ("retain add --deck my-deck --new-deck --front 'Question' --back 'Answer'\n", "$accent"),
        "Import a deck:   ",
        ("retain import FILE", "$accent"),
        "  (.toml .apkg .csv .tsv .txt .md)\n",
        "Or copy deck files (*.toml) into:\n  ",
        (folder, "$accent"),
    )


def today_content(progress: tuple[int, int] | None, width: int | None = None) -> Content:
    """`Today 12 reviews  ·  streak 3 days` (dashes while it is being counted), in the longest
    form that fits `width` cells: `Today 12 · streak 3 days`, then `Today 12 · 3d`."""
    if progress is None:
        forms = [Content.styled(text, "$text-muted") for text in ("Today …  ·  streak …", "Today … · …")]
    else:
        reviews_today, streak = progress
        reviews = "review" if reviews_today == 1 else "reviews"
        days = f"{streak} {'day' if streak == 1 else 'days'}"
        count = (str(reviews_today), "bold")
        forms = [
            Content.assemble(("Today ", "$text-muted"), (f"{reviews_today} {reviews}", "bold"),
                             ("  ·  streak ", "$text-muted"), (days, "bold")),
            Content.assemble(("Today ", "$text-muted"), count, (" · streak ", "$text-muted"), (days, "bold")),
            Content.assemble(("Today ", "$text-muted"), count, (" · ", "$text-muted"), (f"{streak}d", "bold")),
        ]  # fmt: skip
    return next((f for f in forms if width is None or f.cell_length <= width), forms[-1])


class TodayLine(Widget):
    """The home screen's `Today … · streak …`, in the longest form its width holds (a 40-column
    terminal showed `retainToday 3 reviews  ·  streak 1 d`: no gap, the end cut)."""

    DEFAULT_CSS = "TodayLine { height: 1; width: 1fr; text-align: right; }"

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.progress: tuple[int, int] | None = None

    def show(self, progress: tuple[int, int] | None) -> None:
        self.progress = progress
        self.refresh()

    def render(self) -> Content:
        return today_content(self.progress, self.size.width or None)


def _same_but_progress(a: HomeData, b: HomeData) -> bool:
    """Whether `a` and `b` show the same, the Today line aside (it is compared on its own)."""
    return dataclasses.replace(a, progress=None) == dataclasses.replace(b, progress=None)


PROGRESS_WORKER = "home-progress"  # the worker group that counts reviews today and the streak


class HomeScreen(Screen[None]):
    REFRESH_SECONDS: ClassVar[float] = 20.0  # counts are looked at again this often (tests set it low)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,s", "study", "Study selected", id="home.study"),
        Binding("a", "study_all", "Study all due", id="home.study_all"),
        Binding("b", "browse", "Browse", id="home.browse"),
        Binding("c", "add_card", "Add card", id="home.add_card", show=False),
        Binding("n", "new_deck", "New deck", id="home.new_deck", show=False),
        Binding("i", "import_deck", "Import", id="home.import", show=False),
        Binding("x", "export_deck", "Export", id="home.export", show=False),
        Binding("u,ctrl+z", "undo", "Undo", id="home.undo", show=False),
        Binding("U", "unbury", "Unbury", id="home.unbury", show=False),
        Binding("C", "custom_study", "Custom study", id="home.custom_study"),
        Binding("comma", "app.settings", "Settings", id="home.settings", show=False),
        Binding("t", "stats", "Statistics", id="home.stats", show=False),
    ]

    def __init__(
        self,
        load: Callable[[], HomeData],
        progress: Callable[[datetime], tuple[int, int]],  # (reviews today, streak) at a time
        on_study: Callable[[Sequence[str] | None, str], None],
    ) -> None:
        super().__init__()
        self._load = load
        self._progress = progress
        self._on_study = on_study
        self.data = HomeData(rows=[])
        self.progress: tuple[int, int] | None = None
        self._counting = False  # reviews today / streak are being counted in the background

    def compose(self) -> ComposeResult:
        with Horizontal(id="home-top"):
            yield Static(Content.styled("retain", "bold $accent"), id="home-title")
            yield TodayLine(id="home-today")
        yield Static(id="home-messages")
        yield Static(id="home-exams")
        # Flat on purpose: each container level cost ~15 ms of the launch's first paint.
        yield DeckTable(id="decks")  # scrolls itself, header fixed
        yield Static(id="home-empty")
        yield Static(id="home-broken")
        yield KeyBar()

    def on_mount(self) -> None:
        self.set_interval(self.REFRESH_SECONDS, self._refresh_counts, name="home-refresh")

    def _refresh_counts(self) -> None:
        """Learning steps fall due and the study day rolls over while the list is open: count again."""
        if not self.is_current or not self.data.loaded or not retain_app(self).ready:
            return
        data = self._load()
        if data.progress is None and self.progress is not None and not self._counting:
            self.progress = None  # a new study day (or an imported history): count it again
        elif _same_but_progress(data, self.data) and data.progress in (None, self.progress):
            return  # (the exam lines and messages too: "exam in 13 days" the day after)
        self.reload(data)

    def on_screen_resume(self) -> None:
        # Loaded when shown, not when mounted: `retain review` puts a study screen on top at once.
        if self.is_current:
            self.reload()

    def reload(self, data: HomeData | None = None) -> None:
        self.data = data = data if data is not None else self._load()
        if data.progress is not None:
            self.progress = data.progress
        self.query_one("#home-today", TodayLine).show(self.progress)
        if data.loaded and data.progress is None and not self._counting:
            self._counting = True
            self.call_after_refresh(self._start_progress)  # count it from the history, once
        messages = self.query_one("#home-messages", Static)
        messages.update(Content("\n").join(line(f"⚠ {m}") for m in data.messages))
        messages.display = bool(data.messages)
        exams = self.query_one("#home-exams", Static)
        exams.update(Content("\n").join(line(f"◷ {e}", "$accent") for e in data.exams))
        exams.display = bool(data.exams)
        table = self.query_one(DeckTable)
        table.show_rows(data.rows)
        table.display = bool(data.rows)
        empty = self.query_one("#home-empty", Static)
        empty.display = not data.rows and not data.broken
        if empty.display:
            empty.update(empty_library_text(data.decks_dir))
        broken = self.query_one("#home-broken", Static)
        broken.display = bool(data.broken)
        if data.broken:
            title = Content.styled(
                f"Broken decks ({len(data.broken)}) — fix them and run `retain check`", "bold $error"
            )
            broken.update(Content("\n").join([title, *(line(f"✗ {b}") for b in data.broken)]))
        if data.rows and self.focused is None:
            table.focus()
        self.refresh_bindings()

    def _start_progress(self) -> None:
        # After the first paint (the list is usable at once); the clock is read here, on the UI thread.
        self._count_progress(retain_app(self).clock())

    @work(thread=True, exclusive=True, group=PROGRESS_WORKER, exit_on_error=False)
    def _count_progress(self, now: datetime) -> tuple[int, int]:
        """Reviews today and the streak come from the history index: off the UI thread, shown when ready."""
        return self._progress(now)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != PROGRESS_WORKER:
            return
        if event.state == WorkerState.SUCCESS and isinstance(worker.result, tuple):
            self._show_progress(worker.result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._counting = False  # an unreadable journal: leave the dashes, count again on a reload

    def _show_progress(self, progress: tuple[int, int]) -> None:
        self._counting = False
        self.progress = progress
        self.query_one("#home-today", TodayLine).show(progress)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("study", "study_all", "unbury"):
            return bool(self.data.rows)  # read-only: allowed, so the app can say why it cannot study
        return True

    def _when_ready(self, action: Callable[[], None], *, slot: str | None = None) -> None:
        """Run `action` now, or once the app has opened the collection (see `RetainApp.when_ready`:
        pressed again while it opens, only the latest action of a slot runs; by default the one
        slot of the actions that open a screen)."""
        app = retain_app(self)
        if slot is None:
            app.when_ready(action)
        else:
            app.when_ready(action, slot=slot)

    def action_study(self) -> None:
        row = self.query_one(DeckTable).selected_row()
        if row is not None:
            self._on_study(list(row.deck_ids), row.label)

    def action_study_all(self) -> None:
        self._on_study(None, "All decks")

    def action_custom_study(self) -> None:
        """The custom-study chooser (search, ahead, forgotten, cram the selected deck or group)."""
        row = self.query_one(DeckTable).selected_row()
        ids, label = (list(row.deck_ids), row.label) if row is not None else ([], "")
        retain_app(self).open_custom_study(ids, label)

    def action_cram(self) -> None:
        """Cram the selected deck or group at once (from the command palette)."""
        from retain.core.custom_study import CustomStudy

        row = self.query_one(DeckTable).selected_row()
        if row is not None:
            app = retain_app(self)
            app.start_custom_study(CustomStudy("cram", deck_ids=tuple(row.deck_ids), label=row.label))

    def action_undo(self) -> None:
        """Take back the last rating, suspend or bury (also from an earlier session): it is in the journal."""
        self._when_ready(self._undo, slot="undo")

    def _undo(self) -> None:
        from retain.ui.undo import undo_last

        if undo_last(self):
            self.reload()

    def action_unbury(self) -> None:
        """Bring back today every card of the selected deck or group buried until a later study
        day (by `b` in a session or the browser), as Anki's deck overview "Unbury": one action,
        which undo takes back."""
        row = self.query_one(DeckTable).selected_row()
        if row is not None:
            self._when_ready(lambda: self._unbury(row), slot="unbury")

    def _unbury(self, row: DeckRow) -> None:
        from retain.store.collection import CollectionError
        from retain.store.state.progress_edits import unbury_decks

        app = retain_app(self)
        if app.refuse_read_only("unbury cards", after=" Nothing was unburied."):
            return
        try:
            events = unbury_decks(app.collection, row.deck_ids, app.clock())
        except (CollectionError, OSError) as exc:
            app.notify(f"Not unburied: {line(str(exc)).plain}", severity="error", markup=False)
            return
        name = line(row.label).plain
        if not events:
            app.notify(f"No buried cards in {name}", markup=False)
            return
        from retain.ui.key_names import key_label

        cards = f"{len(events):,} card{'' if len(events) == 1 else 's'}"
        undo = key_label(app, "home.undo", "u")
        app.notify(f"Unburied {cards} in {name}: back in today's study ({undo} to undo)", markup=False)
        self.reload()

    def action_browse(self) -> None:
        row = self.query_one(DeckTable).selected_row()  # a deck: its cards; a group: everything
        query = f"deck:{row.deck_ids[0]}" if row is not None and not row.is_group else ""
        self._when_ready(lambda: self._browse(query))

    def _browse(self, query: str) -> None:
        from retain.ui.authoring import open_browser

        open_browser(self.app, query)

    def action_add_card(self) -> None:
        row = self.query_one(DeckTable).selected_row()
        self._when_ready(lambda: self._add_card(row))

    def _add_card(self, row: DeckRow | None) -> None:
        from retain.ui.authoring import open_editor

        open_editor(self.app, row.deck_ids[0] if row is not None else None)  # a group: its first deck

    def action_new_deck(self) -> None:
        self._when_ready(self._new_deck)

    def _new_deck(self) -> None:
        from retain.ui.authoring import open_new_deck

        open_new_deck(self.app)

    def action_import_deck(self) -> None:
        self._when_ready(self._import_deck)

    def _import_deck(self) -> None:
        from retain.ui.screens.share_import import ImportScreen

        app = retain_app(self)
        screen = ImportScreen(app.collection, clock=app.clock, live=app.live_reload)
        self.app.push_screen(screen, lambda written: self.reload() if written else None)

    def action_export_deck(self) -> None:
        row = self.query_one(DeckTable).selected_row()
        self._when_ready(lambda: self._export_deck(row))

    def _export_deck(self, row: DeckRow | None) -> None:
        from retain.ui.screens.share_export import ExportScreen

        deck_id = row.deck_ids[0] if row is not None else None
        group = row.label if row is not None and row.is_group else None  # a group: all of it
        self.app.push_screen(ExportScreen(retain_app(self).collection, deck_id, group=group))

    def action_stats(self) -> None:
        """The statistics screen for the selected deck or group (`ui.stats_open`)."""
        row = self.query_one(DeckTable).selected_row()

        def open_it() -> None:
            from retain.ui.stats_open import open_stats

            open_stats(self.app, row)

        self._when_ready(open_it)

    def on_decks_reloaded(self) -> None:
        """Deck files changed on disk (`retain.ui.live_reload`)."""
        self.reload()

    @on(DeckTable.Selected, "#decks")
    def _row_selected(self, event: DeckTable.Selected) -> None:
        event.stop()
        self.action_study()
