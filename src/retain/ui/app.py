"""The review TUI. Build it with `make_app(collection=..., clock=...)` so tests inject data and time."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.filter import Monochrome, NoColor
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.theme import Theme

from retain.core.deckrows import deck_rows
from retain.core.due import Counts
from retain.core.sanitize import sanitize, sanitize_line
from retain.store.config import Config
from retain.store.decks.library import DeckEntry
from retain.ui.access import read_only_line
from retain.ui.ascii_only import AsciiOnly, ascii_terminal, display_key
from retain.ui.from_thread import Call
from retain.ui.monochrome import ReadableMonochrome, mono_terminal
from retain.ui.screens.home import HomeData, HomeScreen
from retain.ui.widgets.key_bar import APP_HELP, Dialog

if TYPE_CHECKING:
    from retain.core.custom_study import CustomStudy
    from retain.store.collection import Collection
    from retain.store.index.homesummary import LaunchHome
    from retain.ui.live_reload import LiveReload
    from retain.ui.loader import CollectionLoader

# The study, summary and authoring screens are imported when first needed, so
# the home screen paints without loading them (launch time at 50k cards).

__all__ = [
    "OPEN_SLOT",
    "Clock",
    "RetainApp",
    "binding_sections",
    "make_app",
    "system_clock",
]

Clock = Callable[[], datetime]
OPEN_SLOT = "open"  # `RetainApp.when_ready`: the one pending action that opens a screen
# Under NO_COLOR: what marks a cursor or a focused widget when colours do not (reverse video).
MONO_MARKS = {
    "retain-focus-text-style": "reverse",  # a focused compact drop-down (app.tcss)
    "block-cursor-text-style": "bold reverse",
    "block-cursor-blurred-text-style": "reverse",
    "button-focus-text-style": "bold reverse",
    "input-cursor-text-style": "reverse",
}


def system_clock() -> datetime:
    return datetime.now(UTC)


class CollectionOpened(Message):
    """Posted from the loader's thread when the collection is open (or could not be)."""

    def __init__(self, collection: Collection | None, error: str) -> None:
        super().__init__()
        self.collection = collection
        self.error = error


class IndexProgress(Message):
    """Posted from the loader's thread while the review history index is rebuilt."""

    def __init__(self, done: int, total: int) -> None:
        super().__init__()
        self.done = done
        self.total = total


class RetainApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "retain"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+c", "quit", "Quit", id="app.quit_now", show=False, priority=True),
        APP_HELP,  # every dialog has it too (Textual runs no other app key over a modal screen)
        Binding("ctrl+p", "command_palette", "Commands", id="app.palette", show=False, priority=True),
    ]

    collection: Collection  # set once open: at once, or by the loader after the first paint
    TAKE_OVER_SECONDS: ClassVar[float] = 2.0  # a read-only retain tries the writer lock this often

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every toast, from any screen or worker: control and bidi characters made inert, since
        messages carry config keys, deck names and file names (an OSC in a [keymap] id retitled
        the terminal)."""
        super().notify(
            sanitize(message), title=sanitize_line(title), severity=severity, timeout=timeout, markup=markup
        )

    def clear_passing_toasts(self) -> None:
        """Take down the information toasts (an undo's "Undid Good on ..."): the back of a card
        revealed within their 5 s drew under them. Warnings and errors stay their time."""
        shown = getattr(self, "_notifications", None)  # (Textual's own list: no public way to
        passing = [n for n in shown or () if n.severity == "information"]  # take down a few)
        for notification in passing:
            self._unnotify(notification, refresh=False)
        if passing:
            self._refresh_notifications()

    def __init__(
        self,
        collection: Collection | None,
        clock: Clock = system_clock,
        *,
        config: Config | None = None,
        decks_dir: Path | str = "",
        review: Sequence[str] | None = None,
        start_in_review: bool = False,
        loader: CollectionLoader | None = None,
        launch_home: LaunchHome | None = None,
        custom: CustomStudy | None = None,
    ) -> None:
        super().__init__()
        self._readable_monochrome()
        # A locale that is not UTF-8: every cell drawn in ASCII, keys by name (ui/ascii_only.py).
        self.ascii_only = ascii_terminal()
        if self.ascii_only:
            self._filters.append(AsciiOnly())
        self._custom = custom  # `retain review --query/--ahead/--forgotten/--cram`
        if collection is not None:
            self.collection = collection
        elif loader is None or launch_home is None or start_in_review:
            raise ValueError("without a collection the app needs a loader and a launch summary")
        self._loader = loader
        self._launch_home = launch_home
        self._indexing = False
        # Actions asked for before the collection was ready, one per slot (`when_ready`).
        self._pending: dict[str, Callable[[], None]] = {}
        self.load_error = ""
        self.clock = clock
        self.config = config or Config()
        self._decks_dir = str(decks_dir)
        self._review = review
        self._start_in_review = start_in_review
        self.live_reload: LiveReload | None = None  # polls deck files for outside edits once mounted
        self._take_over_error = ""  # why the last `take_over` could not write here (said once)
        self._theme_in_force = ""  # the theme shown: a change to another one is saved (`_theme_changed`)

    def _readable_monochrome(self) -> None:
        """Under NO_COLOR (or on a TERM without colours) draw greys that stay readable: Textual's
        own monochrome filter left blue counts dark grey on black and button labels white on light
        grey (see ui/monochrome.py). An empty NO_COLOR is no request (no-color.org: "present and
        not an empty string"); Textual took any NO_COLOR, even `NO_COLOR=`."""
        if self.no_color and not os.environ.get("NO_COLOR"):
            self.no_color = False
            self._filters = [f for f in self._filters if not isinstance(f, Monochrome | NoColor)]
        if not self.no_color and mono_terminal(os.environ):
            self.no_color = True
            self._filters.append(NoColor() if self.native_ansi_color else Monochrome())
        colours = self.console.color_system  # (what Textual writes in: the greys the terminal shows)
        self._filters = [
            ReadableMonochrome(colours) if isinstance(f, Monochrome) else f for f in self._filters
        ]

    def get_key_display(self, binding: Binding) -> str:
        """Textual's `⏎ ↑ ↓`, or `enter up down` when the locale is not UTF-8."""
        if not self.ascii_only or binding.key_display:
            return super().get_key_display(binding)
        modifiers, key = binding.parse_key()
        shown = display_key(key, ascii_only=True)
        if "ctrl" in modifiers:
            modifiers.remove("ctrl")
            shown = f"^{shown}"
        return "+".join([*modifiers, shown])

    def get_css_variables(self) -> dict[str, str]:
        """The theme's variables; without colours every cursor and focus mark in reverse video.

        A highlighted row (the deck list, the browser, every list and menu), the focused button
        and an input's cursor were marked by their background colour (and bold, in some themes
        not even that): in greys, and on a terminal that shows no colours, the cursor on a
        group row, or on any row in the nord theme, could not be seen."""
        variables = super().get_css_variables()
        variables["retain-focus-text-style"] = "none"
        if self.no_color:
            variables.update(MONO_MARKS)  # the same dict as `theme_variables`
        return variables

    # ---- start-up ------------------------------------------------------------

    def get_default_screen(self) -> Screen[object]:
        # The home screen is the bottom of the stack itself: pushing it over Textual's blank
        # default screen cost a second screen's layout before the first paint. `retain review`
        # keeps the blank one, so the home screen is not loaded under the session.
        if self._start_in_review:
            return super().get_default_screen()
        return HomeScreen(self.home_data, self.today_progress, self.start_study)  # type: ignore[return-value]

    def on_mount(self) -> None:
        self._apply_theme()
        self._theme_in_force = self.theme
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        # back from Ctrl-Z / `fg` (SIGTSTP, SIGCONT): Textual 8 starts the terminal again but draws
        # nothing until the next key; its own `App.suspend` repaints the same way
        self.app_resume_signal.subscribe(self, lambda _app: self.refresh(layout=True))
        self._apply_keymap()
        if self._start_in_review:
            self.push_screen(HomeScreen(self.home_data, self.today_progress, self.start_study))
        if self.ready:
            self._start_live_reload()  # ~3 ms: one stat per deck file
            self._watch_the_lock()
        else:
            self.call_after_refresh(self._start_loading)
        if self._start_in_review and self._custom is not None:
            self.start_custom_study(self._custom)
        elif self._start_in_review:
            self.start_study(self._review, "")

    # ---- opening the collection after the first paint (launch summary) ----------

    @property
    def ready(self) -> bool:
        """The collection is open (always, except just after a launch from the summary)."""
        return hasattr(self, "collection")

    def when_ready(self, action: Callable[[], None], *, slot: str = OPEN_SLOT) -> None:
        """Run `action` now, or as soon as the collection is open.

        While it opens, each `slot` keeps only the latest action asked for: a key pressed again
        because nothing seemed to happen meant once (Enter twice stacked two study sessions).
        Every action that opens a screen (study, browse, add, import, export, statistics,
        settings) shares `OPEN_SLOT`, so only the last one opens; side effects such as an undo
        or a theme to save keep their own slots and run first, in the order they were asked.
        """
        if self.ready:
            action()
            return
        self._pending.pop(slot, None)  # the latest goes last
        self._pending[slot] = action

    def _start_loading(self) -> None:
        import gc

        if not gc.isenabled():  # `retain` starts with the collector off (commands/home.py)
            gc.freeze()  # what the start-up built lives as long as the app
            gc.enable()
        if self._loader is not None:
            self._loader.progress = self._index_progress_in_thread
            self._loader.start(self._loaded_in_thread)

    def _loaded_in_thread(self, collection: Collection | None, error: str) -> None:
        # post_message never waits (call_from_thread would, forever, once the app is quitting,
        # while the launcher waits for this thread): if the app has gone, the launcher closes it.
        with contextlib.suppress(RuntimeError):
            self.post_message(CollectionOpened(collection, error))

    def _index_progress_in_thread(self, stage: str, done: int, total: int) -> None:
        with contextlib.suppress(RuntimeError):  # never wait on a quitting app
            self.post_message(IndexProgress(done, total))

    def on_call(self, message: Call) -> None:
        """A callable a worker thread posted (`ui.from_thread.call_soon`)."""
        message.fn(*message.args, **message.kwargs)

    def on_index_progress(self, message: IndexProgress) -> None:
        """Say once that the history is being indexed, and once that it is done."""
        if message.done >= message.total:
            if self._indexing:
                self.notify("The review history is indexed.", markup=False)
            self._indexing = False
        elif not self._indexing:
            self._indexing = True
            self.notify(
                "Indexing the review history; counts follow in a moment…",  # (why: the store's line)
                timeout=30,
                markup=False,
            )

    def on_collection_opened(self, message: CollectionOpened) -> None:
        self._collection_ready(message.collection, message.error)

    def _collection_ready(self, collection: Collection | None, error: str) -> None:
        if collection is None:
            self.load_error = error  # the launcher prints it once the terminal is restored
            self.exit(return_code=2)
            return
        self.collection = collection
        self._launch_home = None
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.reload()
        self._start_live_reload()
        self._watch_the_lock()
        pending, self._pending = self._pending, {}
        opening = pending.pop(OPEN_SLOT, None)
        for action in pending.values():
            action()
        if opening is not None:
            opening()  # last: it opens a screen over the deck list the other actions act on

    def _apply_theme(self) -> None:
        if self.config.theme in self.available_themes:
            self.theme = self.config.theme
        else:
            self.notify(f"config: unknown theme {self.config.theme!r}; using {self.theme}", markup=False)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme chosen from the palette is saved to config.toml (the settings screen saves its own)."""
        if theme.name in (self._theme_in_force, self.config.theme):
            self._theme_in_force = theme.name
            return
        self._theme_in_force = theme.name
        from retain.ui.settings_apply import save_theme

        self.when_ready(lambda: save_theme(self, theme.name), slot="theme")

    def _start_live_reload(self) -> None:
        from retain.ui.live_reload import LiveReload

        self.live_reload = LiveReload(self.collection)
        self.live_reload.start(self)

    def _watch_the_lock(self) -> None:
        """A retain read-only because another one held the writer lock tries the lock every
        `TAKE_OVER_SECONDS`, whatever screen is shown, and takes over once it is free."""
        if not self.collection.waiting_for_lock:
            return

        def attempt() -> None:
            if self.take_over() or self._take_over_error:  # (an error is said once, not every time)
                timer.stop()

        timer = self.set_interval(self.TAKE_OVER_SECONDS, attempt, name="take-over")

    def _apply_keymap(self) -> None:
        self.set_keymap(dict(self.config.keymap))
        self.call_after_refresh(self._check_keymap)

    def _check_keymap(self) -> None:
        """Unknown binding ids, and keys a remapping takes from another binding (`"home.browse" = "q"`
        would hide Quit): said once at start, not silently applied."""
        if not self.config.keymap:
            return  # nothing to check: do not import every screen at start-up
        from retain.ui.settings_apply import keymap_warnings

        for warning in keymap_warnings(self.config.keymap):
            self.notify(warning, severity="warning", timeout=10, markup=False)

    # ---- data for screens -------------------------------------------------

    def home_data(self) -> HomeData:
        if not self.ready:
            return self._summary_home_data()
        collection = self.collection
        now = self.clock()
        collection.reread_states(now)  # read-only: the other retain's ratings, as `retain due` counts them
        library = collection.library
        return HomeData(
            rows=deck_rows(library.decks, self.due_counts(now), collection.cards_per_deck()),
            broken=[broken_line(e, self._decks_dir) for e in library.broken],
            messages=[*collection.messages, *skipped_lines(library.entries, self._decks_dir)],
            read_only=collection.read_only,
            decks_dir=self._decks_dir,
            progress=collection.progress(now),
            exams=self.exam_lines(now),
        )

    def exam_lines(self, now: datetime) -> list[str]:
        """`Kafka: exam in 14 days · predicted recall 0.87 → 0.90 if you keep up`, per exam."""
        if not self.config.exams:
            return []
        from retain.store.exams import exam_lines

        return exam_lines(self.collection, now)

    def due_counts(self, now: datetime) -> dict[str, Counts]:
        """Due counts per deck as a session would start with them (`Collection.due_counts`)."""
        return self.collection.due_counts(now)

    def _summary_home_data(self) -> HomeData:
        launch = self._launch_home
        assert launch is not None
        return HomeData(
            rows=deck_rows(launch.decks, launch.counts, launch.cards),
            broken=[broken_line(e, self._decks_dir) for e in launch.broken],
            decks_dir=self._decks_dir,
            loaded=False,
            progress=launch.progress,
        )

    def today_progress(self, now: datetime) -> tuple[int, int]:
        """Reviews in today's study day and the streak in days at `now` (runs in a worker thread)."""
        return self.collection.progress(now)

    def deck_names(self) -> dict[str, str]:
        return {d.id: d.name or d.id for d in self.collection.library.decks}

    # ---- actions --------------------------------------------------------------

    def start_study(self, deck_ids: Sequence[str] | None, label: str) -> None:
        if not self.ready:
            self.when_ready(lambda: self.start_study(deck_ids, label))
            return
        if self.refuse_read_only("study"):
            return
        from retain.ui.screens.study import StudyScreen

        session = self.collection.start_session(deck_ids, self.clock())
        self.push_screen(
            StudyScreen(
                session,
                clock=self.clock,
                deck_names=self.deck_names(),
                can_undo=self.collection.can_undo,
                cards_at=lambda at: self.cards_at(deck_ids, at),
            )
        )

    def cards_at(self, deck_ids: Sequence[str] | None, at: datetime) -> bool:
        """Whether a session over `deck_ids` (None: all) started at `at` would have cards, counted
        as the home screen and `retain due` count them (the study day of `at`, its limits)."""
        counts = self.collection.due_counts(at)
        wanted = counts.values() if deck_ids is None else (counts.get(d) for d in set(deck_ids))
        return any(c is not None and c.total > 0 for c in wanted)

    def start_custom_study(self, study: CustomStudy) -> None:
        """A custom-study session (search, ahead, forgotten, cram); one line when there is nothing."""
        if not self.ready:
            self.when_ready(lambda: self.start_custom_study(study))
            return
        if self.refuse_read_only("study"):
            return
        from retain.core.search import QueryError
        from retain.store.custom_session import start_custom_session
        from retain.ui.screens.study import StudyScreen

        try:
            session = start_custom_session(self.collection, study, self.clock())
        except (QueryError, ValueError) as exc:
            self.notify(f"Custom study: {exc}", severity="error", markup=False)
            return
        if session.current is None:
            self.notify(f"{study.title()}: no cards to study", markup=False)
            return
        self.push_screen(
            StudyScreen(
                session,
                clock=self.clock,
                deck_names=self.deck_names(),
                can_undo=lambda: self.collection.last_undoable() is not None,
            )
        )

    def refuse_read_only(self, doing: str, *, after: str = "") -> bool:
        """True, after one line saying why (and `after`), when this retain is read-only and so
        cannot `doing`: another retain holds the writer lock. Once that one has closed, this one
        takes over the recording first (`take_over`): False, and the action goes on."""
        if not self.collection.read_only or self.take_over():
            return False
        if not self._take_over_error:  # (else `take_over` has just said why)
            said = f"{read_only_line(doing)}{after}"
            self.notify(said, severity="warning", markup=False)
        return True

    def take_over(self) -> bool:
        """A retain opened read-only records from now on when the retain that held the writer lock
        has closed (`Collection.take_over`): said in one line, and the deck list's read-only line
        goes. True when this retain records; False while the lock is held, or after one line
        saying why the progress cannot be written here (`_take_over_error`)."""
        collection = self.collection
        if not collection.read_only:
            return True
        from retain.store.collection import CollectionError

        self._take_over_error = ""
        try:
            taken = collection.take_over(self.clock())
        except CollectionError as exc:
            self._take_over_error = str(exc)
            self.notify(f"Still read-only: {exc}", severity="error", markup=False)
            return False
        if not taken:
            return False
        self.notify("The other retain has closed: this one records your progress now.", markup=False)
        for screen in self.screen_stack:
            if isinstance(screen, HomeScreen):
                screen.reload()
        return True

    def open_custom_study(self, cram_ids: Sequence[str] = (), cram_label: str = "", query: str = "") -> None:
        """The custom-study chooser; the session starts when a mode is picked."""
        if not self.ready:
            self.when_ready(lambda: self.open_custom_study(cram_ids, cram_label, query))
            return
        from retain.core.custom_study import CustomStudy
        from retain.store.custom_session import custom_units
        from retain.ui.screens.custom_study import CustomStudyScreen

        # the cards the session would show: not those suspended, buried or deleted since
        forgotten = len(custom_units(self.collection, CustomStudy("forgotten"), self.clock()))
        screen = CustomStudyScreen(cram_ids, cram_label, forgotten, query)
        self.push_screen(screen, lambda study: self.start_custom_study(study) if study else None)

    def action_settings(self) -> None:
        """`,` on the deck list, or Settings in the palette: the settings screen (once the collection is open)."""
        from retain.ui.screens.settings import open_settings

        self.when_ready(lambda: open_settings(self))

    def action_help(self) -> None:
        from retain.ui.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(binding_sections(), self._keymap))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        from retain.ui.authoring import authoring_commands
        from retain.ui.key_names import key_label
        from retain.ui.screens.browser import BrowserScreen
        from retain.ui.screens.settings import SettingsScreen
        from retain.ui.screens.study import StudyScreen

        if not self.ready or isinstance(screen, Dialog):
            # over a dialog no screen to open over its question (the browser, an editor, the
            # settings): the dialog closes what is open over it when it closes itself
            yield SystemCommand("Help", "Show every key binding", self.action_help)
            yield from self._textual_commands(screen)
            return
        if isinstance(screen, HomeScreen) and not self.collection.read_only:
            from retain.core.custom_study import CustomStudy

            yield SystemCommand(
                "Study all due", "Start a session with every due card", screen.action_study_all
            )
            yield SystemCommand(
                "Study selected deck", "Start a session with the selected deck", screen.action_study
            )
            yield SystemCommand(
                "Custom study…", "Search, study ahead, today's forgotten, cram", screen.action_custom_study
            )
            yield SystemCommand(
                "Study ahead",
                "Cards due in the next 3 days",
                lambda: self.start_custom_study(CustomStudy("ahead", days=3)),
            )
            yield SystemCommand(
                "Study today's forgotten cards",
                "The cards you rated Again today",
                lambda: self.start_custom_study(CustomStudy("forgotten")),
            )
            yield SystemCommand(
                "Cram selected deck", "Every card, without touching its schedule", screen.action_cram
            )
            yield SystemCommand(
                "Unbury selected deck",
                f"Bring its buried cards back today ({key_label(self, 'home.unbury', 'U')})",
                screen.action_unbury,
            )
            yield SystemCommand(
                "Import deck",
                "Anki .apkg, Anki text, hashcards .md or retain .toml",
                screen.action_import_deck,
            )
            yield SystemCommand(
                "Export deck", "To .apkg .csv .tsv .txt .md or .toml", screen.action_export_deck
            )
        if isinstance(screen, HomeScreen):
            yield SystemCommand(
                "Statistics",
                f"Forecast, calendar, retention, card counts ({key_label(self, 'home.stats', 't')})",
                screen.action_stats,
            )
        if isinstance(screen, StudyScreen):
            yield SystemCommand("Undo", "Take back the last rating, suspend or bury", screen.action_undo)
            yield SystemCommand(
                "Suspend card", "Hide this card until you unsuspend it", screen.action_suspend
            )
            yield SystemCommand("Bury card", "Hide this card until the next study day", screen.action_bury)
            yield SystemCommand("End session", "Stop and show the summary", screen.action_end)
        if isinstance(screen, BrowserScreen) and not self.collection.read_only:
            yield SystemCommand(
                "Bury or unbury cards",
                f"Until the next study day, or back today ({key_label(self, 'browser.bury', 'b')})",
                screen.action_toggle_bury,
            )
        yield from authoring_commands(self, screen)
        if not isinstance(screen, StudyScreen | SettingsScreen):
            yield SystemCommand(
                "Settings", "Study settings, presets, decks, theme and keys", self.action_settings
            )
        yield SystemCommand("Help", "Show every key binding", self.action_help)
        yield from self._textual_commands(screen)

    def deliver_screenshot(
        self, filename: str | None = None, path: str | None = None, time_format: str | None = None
    ) -> str | None:
        """The palette's "Screenshot": saved in the current folder, as the statistics screen's `e`
        saves, with its path or the reason it could not be written said (Textual's own wrote to
        ~/Downloads and said only "Failed to save screenshot" where that folder is missing)."""
        from datetime import datetime

        from retain.ui.picture import save_picture

        stem = filename.removesuffix(".svg") if filename else f"retain-{datetime.now():%Y-%m-%d-%H%M%S}"
        save_picture(self, stem, "retain", "the screen")
        return None

    def _textual_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's own commands (theme, quit, screenshot, ...), but not its "Keys": "Help" is ours."""
        return (c for c in super().get_system_commands(screen) if c.title != "Keys")


def broken_line(entry: DeckEntry, decks_dir: str) -> str:
    """`file:line:col: message` with the file relative to the decks folder when it is inside it."""
    path = entry.path
    with contextlib.suppress(ValueError):
        path = path.relative_to(decks_dir) if decks_dir else path
    problem = next((p for p in entry.problems if p.severity == "error"), None)
    if problem is None:
        return f"{path}: cannot be loaded"
    return f"{path}:{problem.line}:{problem.col}: {problem.message}"


def skipped_lines(entries: Iterable[DeckEntry], decks_dir: str) -> list[str]:
    """`3 cards skipped in kafka.toml · run retain check to see why`, per loaded deck with card errors:
    the cards left out, however many errors each has (three cards sharing an id are three); a deck
    whose errors leave every card in (a `name = 3`) has `1 error in kafka.toml · …`."""
    out: list[str] = []
    for entry in entries:
        errors = sum(1 for p in entry.problems if p.severity == "error")
        if entry.deck is None or not errors:
            continue
        path = entry.path
        with contextlib.suppress(ValueError):
            path = path.relative_to(decks_dir) if decks_dir else path
        left_out = entry.left_out
        if left_out:
            cards = "card" if left_out == 1 else "cards"
            out.append(f"{left_out} {cards} skipped in {path} · run retain check to see why")
        else:
            said = "error" if errors == 1 else "errors"
            out.append(f"{errors} {said} in {path} · run retain check to see why")
    return out


def binding_sections() -> list[tuple[str, list[BindingType]]]:
    """Bindings by screen, as the help screen lists them and `[keymap]` is checked against: every
    screen with bindings is here (tests/ui/test_keymap_conflicts.py finds any left out)."""
    from retain.ui.authoring import authoring_binding_sections
    from retain.ui.screens.busy import BusyScreen
    from retain.ui.screens.custom_study import CustomStudyScreen
    from retain.ui.screens.help import HelpScreen
    from retain.ui.screens.scope_picker import ScopePickerScreen
    from retain.ui.screens.settings import SettingsScreen
    from retain.ui.screens.share_dialog import ShareDialog
    from retain.ui.screens.share_export import ExportScreen
    from retain.ui.screens.share_import import ImportScreen
    from retain.ui.screens.stats import StatsScreen
    from retain.ui.screens.study import StudyScreen
    from retain.ui.screens.summary import SummaryScreen

    return [
        ("Everywhere", list(RetainApp.BINDINGS)),
        ("Decks", list(HomeScreen.BINDINGS)),
        ("Custom study", list(CustomStudyScreen.BINDINGS)),
        ("Study", list(StudyScreen.BINDINGS)),
        ("Summary", list(SummaryScreen.BINDINGS)),
        ("Statistics", list(StatsScreen.BINDINGS)),
        ("Help", list(HelpScreen.BINDINGS)),
        ("Settings", list(SettingsScreen.BINDINGS)),
        *authoring_binding_sections(),
        (
            "Dialogs",  # import, export, the statistics' deck picker, work in progress
            [
                *ImportScreen.BINDINGS,
                *ExportScreen.BINDINGS,
                *ShareDialog.BINDINGS,
                *ScopePickerScreen.BINDINGS,
                *BusyScreen.BINDINGS,
            ],
        ),
    ]


def make_app(
    collection: Collection | None,
    clock: Clock = system_clock,
    *,
    config: Config | None = None,
    decks_dir: Path | str = "",
    review: Sequence[str] | None = None,
    start_in_review: bool = False,
    loader: CollectionLoader | None = None,
    launch_home: LaunchHome | None = None,
    custom: CustomStudy | None = None,
) -> RetainApp:
    """The app over an open collection; `start_in_review` opens straight into a session of `review` decks.

    With `collection=None`, the home screen paints from `launch_home` (the launch
    summary) and `loader` opens the collection after the first paint.
    """
    return RetainApp(
        collection,
        clock,
        config=config,
        decks_dir=decks_dir,
        review=review,
        start_in_review=start_in_review,
        loader=loader,
        launch_home=launch_home,
        custom=custom,
    )
