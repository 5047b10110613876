"""The card browser: every review unit in a table, a search box, sorting, a preview and card actions.

Search uses the query language of `core.search` (free text, "phrases",
deck:, tag:, is:due|new|learning|review|suspended|buried|leech, kind:,
prop:r<0.9 (current recall with the deck's preset weights), -term, OR, (grouping)). The matches are sorted, then shown one page at a time (the table never
holds more than `PAGE_SIZE` rows, so 50k cards stay responsive; `[` `]` page, `{` `}` go to
the first and last page); the status line says how many match and how long the search took.
While the search box has focus, the two lines under it list the whole query language (the
placeholder is cut at 80 columns), and `/` is typed there (card keys hold one).

Actions work on the marked rows (Space marks or unmarks the highlighted row,
`*` marks every match or clears the marks), else on the highlighted row:
suspend, bury and reset act on the rows (a cloze deletion, a reverse); delete and
move act on their whole entries in the deck file, and say so when that is more
than was marked. Edit always opens the highlighted card. Many cards are suspended,
buried or reset as one durable batch behind the table's loading indicator, and ctrl+z right
after a suspend or unsuspend of many takes all of it back. `b` buries until the next study
day, as a session's bury does, or, when every card it acts on is buried, unburies: back today.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from datetime import datetime
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from retain.core.cardlog import log_lines
from retain.core.model import KINDS, Unit
from retain.core.search import IS_VALUES, QueryError
from retain.core.state import CardState
from retain.store.collection import Collection, CollectionError
from retain.store.decks.browse import COLUMNS, BrowseIndex
from retain.store.state.progress_edits import buried_keys, set_buried, set_suspended
from retain.ui.key_names import key_label
from retain.ui.live_reload import DecksReloaded, LiveReload
from retain.ui.screens.card_actions import ask_delete, ask_move, ask_reset
from retain.ui.screens.confirm import ConfirmScreen
from retain.ui.text import line
from retain.ui.widgets.browse_table import PAGE_SIZE, BrowseTable
from retain.ui.widgets.card_preview import CardPreview
from retain.ui.widgets.key_bar import KeyBar
from retain.ui.widgets.ordered_keys import OrderedInput

__all__ = ["BrowserScreen"]

Clock = Callable[[], datetime]
SLOW_SEARCH_MS = 100.0  # a search this slow shows how long it took
_ROW_ACTIONS = {"edit", "suspend", "toggle_bury", "reset", "delete", "move"}


def _writes(doing: str) -> Callable[[Callable[[BrowserScreen], None]], Callable[[BrowserScreen], None]]:
    """An action that changes the cards or their progress: in a read-only retain it says why it
    cannot (`refuse_read_only`, as the deck list does), never silently nothing."""

    def wrap(action: Callable[[BrowserScreen], None]) -> Callable[[BrowserScreen], None]:
        @functools.wraps(action)
        def run(self: BrowserScreen) -> None:
            from retain.ui.access import retain_app

            if not retain_app(self).refuse_read_only(doing):
                action(self)

        return run

    return wrap


# The whole query language (`core.search`) besides words, under the box while it has focus:
# two lines of at most 78 columns (80 less the padding).
SEARCH_HINT = (
    f"deck:kafka  tag:x  is:{'|'.join(IS_VALUES)}\n"
    f'kind:{"|".join(KINDS)}  prop:r<0.9  "a phrase"  -term  (a OR b) c'
)


class BrowserScreen(Screen[None]):
    # Loaded when the screen is first shown, not parsed at launch (app.tcss holds what the
    # home and study screens need); unscoped, as when it lived in app.tcss.
    SCOPED_CSS = False
    CSS = """
    #browser-status {
        height: 1;
        padding: 0 1;
        background: $boost;
    }
    #browser-search {
        margin: 0 1;
        background: $boost;
    }
    #browser-search:focus {
        background: $surface-lighten-1;
    }
    #browser-error {
        height: auto;
        padding: 0 1;
    }
    #browser-hint {
        height: auto;
        padding: 0 1;
        color: $text-muted;
    }
    #browser-table {
        height: 1fr;
    }
    #browser-preview {
        height: 1fr;
        border-top: hkey $boost;
    }
    """
    SEARCH_DELAY: ClassVar[float] = 0.25  # seconds after the last keystroke before searching (tests: 0)
    # From this many cards the screen paints with a loading indicator over the table first, then the
    # first page (laying out the full table takes ~1-2 s at 20k cards). Tests set it to 0.
    LOADING_FROM_CARDS: ClassVar[int] = 2000
    FIRST_PAGE_DELAY: ClassVar[float] = 0.05  # seconds for the indicator's first frame to reach the screen
    # From this many cards a suspend or reset runs behind the loading indicator (50k: ~5 s). Tests: 0.
    BUSY_FROM_CARDS: ClassVar[int] = 1000

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "Search", id="browser.search"),
        Binding("space", "mark", "Mark", id="browser.mark"),
        Binding("asterisk", "mark_all", "Mark all", id="browser.mark_all", show=False),
        Binding("e,enter", "edit", "Edit", id="browser.edit"),
        Binding("a", "add", "Add", id="browser.add"),
        Binding("s", "suspend", "Suspend", id="browser.suspend"),
        Binding(
            "b", "toggle_bury", "Bury", id="browser.bury", show=False
        ),  # (help, palette: the footer is full)
        Binding("r", "reset", "Reset", id="browser.reset"),
        Binding("d,delete", "delete", "Delete", id="browser.delete"),
        Binding("m", "move", "Move", id="browser.move"),
        Binding("o", "sort", "Sort", id="browser.sort"),
        Binding("S", "study_results", "Study these", id="browser.study"),
        Binding("i", "invert", "Invert", id="browser.invert", show=False),
        Binding("right_square_bracket", "page(1)", "Next page", id="browser.next_page"),
        Binding("left_square_bracket", "page(-1)", "Prev page", id="browser.prev_page"),
        Binding("left_curly_bracket", "first_page", "First page", id="browser.first_page", show=False),
        Binding("right_curly_bracket", "last_page", "Last page", id="browser.last_page", show=False),
        Binding("down", "focus_table", "Results", id="browser.results", show=False),
        Binding("ctrl+z", "undo", "Undo", id="browser.undo", show=False),
        Binding("escape", "close", "Back", id="browser.close"),
    ]

    def __init__(
        self,
        collection: Collection,
        clock: Clock,
        *,
        query: str = "",
        live: LiveReload | None = None,
        open_editor: Callable[[str, str | None, Callable[[object], None]], None] | None = None,
    ) -> None:
        super().__init__()
        self.collection = collection
        self._clock = clock
        self._live = live
        self._open_editor = open_editor
        self._query = query
        self.index = BrowseIndex.from_collection(collection)
        # What `index` was built from (held, so `is` tells a rebuilt library from this one).
        self._indexed: tuple[object, object] = (collection.units, collection.states)
        self._resumed = False  # the first ScreenResume is the first showing
        self.matches: list[Unit] = []
        self.marked: dict[str, None] = {}  # unit keys, in the order they were marked
        self.sort: tuple[str, bool] | None = None  # (column, descending)
        self.page = 0
        self.search_ms = 0.0
        self._timer: Timer | None = None
        self._bulk = 0  # cards of the last suspend or reset of many here (ctrl+z: the indicator first)

    def compose(self) -> ComposeResult:
        yield Static(id="browser-status")
        yield OrderedInput(
            self._query,
            placeholder="Search: words, deck:, tag:, is:, kind:, prop:, -not, OR, ( )",
            id="browser-search",
            compact=True,
        )
        yield Static(id="browser-error")
        yield Static(Content(SEARCH_HINT), id="browser-hint")
        yield BrowseTable(id="browser-table")
        yield CardPreview(id="browser-preview")
        yield KeyBar()  # (one line that drops whole keys when narrow; Footer overflowed at 80 columns)

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        self.query_one("#browser-error", Static).display = False
        self.query_one(Input).focus()  # typing searches; the letter keys act only on the table
        self._fit_deck_ids()
        if len(self.index) >= self.LOADING_FROM_CARDS:
            self.query_one(BrowseTable).loading = True
            self.set_timer(self.FIRST_PAGE_DELAY, self._first_page)  # once the indicator is on screen
        else:
            self.run_search()

    def _first_page(self) -> None:
        self.run_search()
        self.query_one(BrowseTable).loading = False

    def on_screen_resume(self) -> None:
        """Back from a screen on top (a study session from `S`, an editor, a dialog): the cards may
        have been rated, suspended, edited or moved meanwhile, so search again (`is:new` no longer
        matches a card just studied) and show the rows as they are now, the cursor on the same card.
        Outside changes to the deck files reached only the screen on top: the index follows them."""
        if not self._resumed:
            self._resumed = True
            return  # first shown: `on_mount` searches
        if self.query_one(BrowseTable).loading:
            return  # the first page is still on its way
        keep = self.query_one(BrowseTable).selected_key()
        units, states = self._indexed
        if units is not self.collection.units or states is not self.collection.states:
            self.library_changed(keep)
        else:
            self.run_search(keep)

    # ---- searching and paging --------------------------------------------------

    def run_search(self, keep: str | None = None) -> None:
        """Search, sort and show the first page (or the page holding `keep`)."""
        text = self.query_one(Input).value
        now = self._clock()
        error = self.query_one("#browser-error", Static)
        started = time.perf_counter()
        try:
            matches = self.index.search(text, now, self.collection.today(now))
        except QueryError as exc:
            error.update(line(f"✗ {exc}", "$error"))
            error.display = True
            self._sync_hint()
            return
        error.display = False
        self._sync_hint()
        if self.sort is not None:
            matches = self.index.sort(matches, self.sort[0], now, descending=self.sort[1])
        self.search_ms = (time.perf_counter() - started) * 1000
        previous, self.matches = self.matches, matches
        self.page = 0
        if keep is not None:
            at = _position(matches, keep)
            if at is None:  # it left the search (edited, moved, deleted): the next card that stays
                keep = _successor(previous, matches, keep)
                at = None if keep is None else _position(matches, keep)
            if at is not None:
                self.page = at // PAGE_SIZE
        self.show_page(keep)

    def show_page(self, keep: str | None = None) -> None:
        now = self._clock()
        today = self.collection.today(now)
        start = self.page * PAGE_SIZE
        rows = [self.index.row(u, now, today) for u in self.matches[start : start + PAGE_SIZE]]
        table = self.query_one(BrowseTable)
        table.show_page(rows, keep, self.marked)
        self._update_status()
        self._preview()
        self.refresh_bindings()

    def _keys(self, binding: str, default: str) -> str:
        """The key of `browser.<binding>` (the user's keymap may move it), for the line on top."""
        return key_label(self.app, f"browser.{binding}", default)

    def _update_status(self) -> None:
        """The counts on top. Narrow, the key hints go first, then the time and the rows: at 60
        columns the line was cut before it said how many cards were marked."""
        total, shown = len(self.index), len(self.matches)
        start = self.page * PAGE_SIZE
        end = min(start + PAGE_SIZE, shown)
        paged, marked = shown > PAGE_SIZE, bool(self.marked)
        slow = self.search_ms >= SLOW_SEARCH_MS  # worth saying only when it is noticeable
        room = (self.size.width or self.app.size.width) - 2  # (the padding)
        # (rows, page keys, mark keys, time): dropped from the right end of this list first
        for rows, keys, mark_keys, ms in (
            (1, 1, 1, 1),
            (1, 0, 1, 1),
            (1, 0, 0, 1),
            (1, 0, 0, 0),
            (0, 0, 0, 0),
        ):
            parts = [("Browse  ", "bold $accent"), (f"{shown:,} of {total:,} cards", "bold")]
            if paged and rows:
                hint = (
                    f" ( {self._keys('prev_page', '[')} {self._keys('next_page', ']')} pages, "
                    if keys
                    else ""
                )
                hint += (
                    f"{self._keys('first_page', '{')} {self._keys('last_page', '}')} first/last )"
                    if keys
                    else ""
                )
                parts.append((f" · rows {start + 1:,}–{end:,}{hint}", ""))
            if self.sort is not None:
                parts.append((f" · by {self.sort[0]} {'▼' if self.sort[1] else '▲'}", ""))
            if marked:
                parts.append(
                    (
                        f" · {len(self.marked):,} marked"
                        + (
                            f" ({self._keys('mark', 'Space')}, {self._keys('mark_all', '*')} for all)"
                            if mark_keys
                            else ""
                        ),
                        "bold $accent",
                    )
                )
            if slow and ms:
                parts.append((f" · {self.search_ms:.0f} ms", "$text-muted"))
            status = Content.assemble(*parts)
            if status.cell_length <= room:
                break
        self.query_one("#browser-status", Static).update(status)

    def on_resize(self) -> None:
        if self.is_mounted and not self.query_one(BrowseTable).loading:
            self._update_status()

    def on_descendant_focus(self) -> None:
        self._sync_hint()
        self.refresh_bindings()  # `/` is typed in the box: the key bar leaves it out there

    def on_descendant_blur(self) -> None:
        self._sync_hint()
        self.refresh_bindings()

    def _sync_hint(self) -> None:
        """The query language under the box while the box has focus (an error takes the place)."""
        hint = self.query_one("#browser-hint", Static)
        hint.display = self.query_one(Input).has_focus and not self.query_one("#browser-error").display

    @on(Input.Changed, "#browser-search")
    def _search_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        if self.SEARCH_DELAY <= 0:
            self.run_search()
        else:
            self._timer = self.set_timer(self.SEARCH_DELAY, self.run_search)

    @on(Input.Submitted, "#browser-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self._timer is not None:
            self._timer.stop()
        self.run_search()
        if not self.query_one("#browser-error", Static).display:
            self.query_one(BrowseTable).focus()

    # ---- preview ----------------------------------------------------------------------

    def selected_unit(self) -> Unit | None:
        key = self.query_one(BrowseTable).selected_key()
        return self.collection.units_by_key.get(key) if key else None

    def _preview(self) -> None:
        preview = self.query_one(CardPreview)
        unit = self.selected_unit()
        if unit is None:
            preview.show_message("No card matches." if not self.matches else "")
            return
        now = self._clock()
        row = self.index.row(unit, now, self.collection.today(now))
        state = self.collection.states.get(unit.key)
        facts = [unit.key, row.state]
        if row.due:
            facts.append(f"due {row.due}")
        if row.interval:
            facts.append(f"interval {row.interval}")
        if state is not None:
            reviews = "review" if state.reps == 1 else "reviews"
            lapses = "lapse" if state.lapses == 1 else "lapses"
            facts.append(f"{state.reps} {reviews}, {state.lapses} {lapses}")
        facts += [self._buried(f, state, now) for f in row.flags if f != "leech"]
        info = line(" · ".join(facts), "$text-muted")
        if row.leech:
            info = Content.assemble(line("⚠ leech ", "bold $error"), info)
        logged = self.collection.history_index.card_reviews(now, unit.key)
        preview.show_units([unit], info, titles=False, log=log_lines(logged, self.collection.tz))

    def _buried(self, flag: str, state: CardState | None, now: datetime) -> str:
        """A flag of the preview; "buried" says until when: the next study day's start ("buried
        until 04:00" at 02:30, before a 4 am rollover; "buried until tomorrow 04:00" at 21:00)."""
        if flag != "buried" or state is None or not state.buried_until:
            return flag
        from retain.ui.screens.study import buried_until_words

        col = self.collection
        when = buried_until_words(state.buried_until, now, col.studyday, col.tz)
        return flag if when is None else f"buried until {when}"

    @on(DataTable.RowHighlighted, "#browser-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        self._preview()

    @on(DataTable.RowSelected, "#browser-table")
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    @on(DataTable.HeaderSelected, "#browser-table")
    def _header(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        column = str(event.column_key.value)
        descending = self.sort is not None and self.sort[0] == column and not self.sort[1]
        self._sort_by(column, descending)

    @on(DecksReloaded)
    def _reloaded(self, event: DecksReloaded) -> None:
        self.library_changed()

    def library_changed(self, keep: str | None = None) -> None:
        """The deck files changed (here or on disk): rebuild the index, keep the cursor's card."""
        keep = keep or self.query_one(BrowseTable).selected_key()
        self.index = BrowseIndex.from_collection(self.collection)
        self._indexed = (self.collection.units, self.collection.states)
        by_key = self.collection.units_by_key
        self.marked = {k: None for k in self.marked if k in by_key}
        self._fit_deck_ids()
        self.run_search(keep)

    def _fit_deck_ids(self) -> None:
        longest = max((len(d.id) for d in self.collection.library.decks), default=0)
        self.query_one(BrowseTable).fit_deck_ids(longest)

    # ---- actions ---------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in _ROW_ACTIONS:
            return self.is_mounted and (self.selected_unit() is not None or bool(self.marked))
        if action == "mark":
            return self.is_mounted and self.selected_unit() is not None
        if action == "page":
            step = parameters[0] if parameters and isinstance(parameters[0], int) else 1
            return 0 <= self.page + step <= self._last_page()
        if action in ("first_page", "last_page"):
            return self._last_page() > 0
        if action == "focus_search":  # in the box `/` is typed (kafka/isr): not a key there
            return not (self.is_mounted and self.query_one(Input).has_focus)
        return True

    def _last_page(self) -> int:
        return max(0, (len(self.matches) - 1) // PAGE_SIZE)

    def action_focus_search(self) -> None:
        self.query_one(Input).focus()

    def action_focus_table(self) -> None:
        self.query_one(BrowseTable).focus()

    def action_close(self) -> None:
        self.dismiss()

    @_writes("study")
    def action_study_results(self) -> None:
        """S: a custom-study session over the current search's results (`core.custom_study`)."""
        from retain.core.custom_study import CustomStudy
        from retain.ui.access import retain_app

        retain_app(self).start_custom_study(CustomStudy("search", query=self.query_one(Input).value))

    def action_page(self, step: int) -> None:
        self.page = min(max(self.page + step, 0), self._last_page())
        self.show_page()

    def action_first_page(self) -> None:
        self.page = 0
        self.show_page()

    def action_last_page(self) -> None:
        self.page = self._last_page()
        self.show_page()

    def _sort_by(self, column: str, descending: bool) -> None:
        self.sort = (column, descending)
        self.query_one(BrowseTable).set_sort(column, descending)
        self.run_search(self.query_one(BrowseTable).selected_key())

    def action_sort(self) -> None:
        current = self.sort[0] if self.sort else None
        column = COLUMNS[(COLUMNS.index(current) + 1) % len(COLUMNS)] if current else COLUMNS[0]
        self._sort_by(column, False)

    def action_invert(self) -> None:
        column, descending = self.sort or ("deck", False)
        self._sort_by(column, not descending)

    def action_mark(self) -> None:
        """Mark or unmark the highlighted row, then go to the next one."""
        table = self.query_one(BrowseTable)
        key = table.selected_key()
        if key is None:
            return
        if key in self.marked:
            del self.marked[key]
        else:
            self.marked[key] = None
        after = table.key_at(table.cursor_row + 1) or key
        self.show_page(after)

    def action_mark_all(self) -> None:
        """Mark every match; when they all are marked already, clear the marks."""
        keys = [u.key for u in self.matches]
        if keys and all(k in self.marked for k in keys):
            self.marked = {}
        else:
            self.marked.update(dict.fromkeys(keys))
        self.show_page(self.query_one(BrowseTable).selected_key())

    def targets(self) -> list[Unit]:
        """The marked units, else the highlighted one (what an action works on)."""
        by_key = self.collection.units_by_key
        if self.marked:
            return [by_key[k] for k in self.marked if k in by_key]
        unit = self.selected_unit()
        return [unit] if unit is not None else []

    @_writes("edit")
    def action_suspend(self) -> None:
        """Suspend (or, when all are suspended, unsuspend): one card at once (ctrl+z undoes), several ask."""
        units = self.targets()
        if not units:
            return
        states = self.collection.states
        suspend = not all((st := states.get(u.key)) is not None and st.suspended for u in units)
        if len(units) == 1:
            self._set_suspended(units, suspend)
            return
        verb = "Suspend" if suspend else "Unsuspend"
        held = sum(1 for u in units if (st := states.get(u.key)) is not None and st.suspended)
        message = Content.assemble(
            f"{verb} the {len(units):,} marked cards?",
            f" ({held:,} {'is' if held == 1 else 'are'} suspended already)" if suspend and held else "",
            "\nThey stay out of every study session until unsuspended." if suspend else "",
        )

        def answered(yes: bool | None) -> None:
            if yes:
                self._set_suspended(units, suspend)

        self.app.push_screen(ConfirmScreen(f"{verb} {len(units):,} cards?", message, yes=verb), answered)

    def _set_suspended(self, units: list[Unit], suspend: bool) -> None:
        keys = [u.key for u in units]

        def work() -> None:  # (behind_indicator says a store error, a full disk, in one line)
            events = set_suspended(self.collection, keys, suspend, self._clock())
            if len(units) == 1:
                self._said_suspended(units, suspend)
                return
            self._bulk = len(events)  # (ctrl+z takes the suspend or unsuspend back, all of it)
            self._said_suspended(units, suspend, changed=len(events))

        self.behind_indicator(len(units), work, "Not suspended" if suspend else "Not unsuspended")

    def _said_suspended(self, units: list[Unit], suspend: bool, changed: int | None = None) -> None:
        """Say how many changed: `Suspended kafka/isr`, `Suspended 6 cards; 1 was already suspended`."""
        done = "Suspended" if suspend else "Unsuspended"
        if len(units) == 1:
            what = line(units[0].key).plain
        else:
            changed = len(units) if changed is None else changed
            what = f"{changed:,} card{'' if changed == 1 else 's'}"
            if changed < len(units):
                what += f"; {_already(len(units) - changed)} {done.lower()}"
        undo = f" ({self._keys('undo', 'ctrl+z')} to undo)" if changed != 0 else ""
        self.notify(f"{done} {what}{undo}", markup=False)
        self.show_page(self.query_one(BrowseTable).selected_key())

    @_writes("edit")
    def action_toggle_bury(self) -> None:
        """Bury until the next study day (or, when all are buried, unbury: back today), as `s`
        suspends: one card at once, several ask; ctrl+z takes either back, many in one step."""
        from retain.ui.screens.browser_bury import bury_question

        units = self.targets()
        if not units:
            return
        held = len(buried_keys(self.collection, [u.key for u in units], self._clock()))
        bury = held < len(units)
        if len(units) == 1:
            self._set_buried(units, bury)
            return
        title, message, verb = bury_question(len(units), held, bury, self._buried_until())
        self.app.push_screen(
            ConfirmScreen(title, message, yes=verb),
            lambda yes: self._set_buried(units, bury) if yes else None,
        )

    def _set_buried(self, units: list[Unit], bury: bool) -> None:
        from retain.ui.screens.browser_bury import bury_said

        def work() -> None:  # (behind_indicator says a store error, a full disk, in one line)
            events = set_buried(self.collection, [u.key for u in units], bury, self._clock())
            self._bulk = len(events) if len(units) > 1 else 0
            undo = self._keys("undo", "ctrl+z") if events else None
            said = bury_said([u.key for u in units], len(events), bury, self._buried_until(), undo)
            self.notify(said, markup=False)
            self.show_page(self.query_one(BrowseTable).selected_key())

        self.behind_indicator(len(units), work, "Not buried" if bury else "Not unburied")

    def _buried_until(self) -> str:
        """When a card buried now comes back: "tomorrow 04:00" (`buried_until_words`)."""
        from datetime import timedelta

        from retain.ui.screens.study import buried_until_words

        col, now = self.collection, self._clock()
        until = (col.today(now) + timedelta(days=1)).isoformat()
        return buried_until_words(until, now, col.studyday, col.tz) or "the next study day"

    def behind_indicator(self, cards: int, work: Callable[[], None], failed: str) -> None:
        """Run `work` (a change of `cards` cards' progress); from `BUSY_FROM_CARDS` cards, behind the
        table's loading indicator, drawn first. A store error is one line; the rows are shown again."""
        table = self.query_one(BrowseTable)

        def run() -> None:
            try:
                work()
            except CollectionError as exc:
                self.notify(line(str(exc)).plain, title=failed, severity="error", markup=False)
                self.show_page(table.selected_key())
            finally:
                table.loading = False

        if cards < self.BUSY_FROM_CARDS:
            run()
            return
        table.loading = True
        self.set_timer(self.FIRST_PAGE_DELAY, run)  # once the indicator is on screen

    def action_undo(self) -> None:
        """ctrl+z: take back the last change; a suspend or reset of many cards (one action, also
        one made before a restart) in one step, behind the loading indicator when it was made here."""
        from retain.ui.undo import undo_last

        cards, self._bulk = self._bulk, 0

        def work() -> None:
            if undo_last(self) or cards:  # searched again: the cards put back may match it again
                self.run_search(self.query_one(BrowseTable).selected_key())

        self.behind_indicator(cards, work, "Not undone")

    @_writes("edit")
    def action_reset(self) -> None:
        """Reset the progress (asks first); ctrl+z takes it back, many cards in one step."""
        units = self.targets()
        if units:
            keep = self.query_one(BrowseTable).selected_key()

            def run(work: Callable[[], None]) -> None:
                def reset() -> None:
                    self._bulk = 0
                    work()  # (a store error stops here: nothing to undo)
                    self._bulk = len(units) if len(units) > 1 else 0

                self.behind_indicator(len(units), reset, "Not reset")

            ask_reset(
                self.app, self.collection, units, self._clock, lambda _key: self.show_page(keep), run=run
            )

    @_writes("edit")
    def action_delete(self) -> None:
        units = self.targets()
        if units:
            notes = {u.note_key for u in units}
            siblings = [u for u in self.index.units if u.note_key in notes]
            ask_delete(
                self.app,
                self.collection,
                units,
                siblings,
                self._live,
                self._after_card_change,
                run=lambda work: self.behind_indicator(len(units), work, "Not deleted"),
            )

    @_writes("edit")
    def action_move(self) -> None:
        units = self.targets()
        if units:
            ask_move(
                self.app,
                self.collection,
                units,
                self._clock,
                self._live,
                self._after_card_change,
                run=lambda work: self.behind_indicator(len(units), work, "Not moved"),
            )

    def _after_card_change(self, keep: str | None) -> None:
        self.marked = {}  # the marked cards moved or are gone
        self.library_changed(keep)

    @_writes("edit")
    def action_edit(self) -> None:
        unit = self.selected_unit()
        if unit is not None and self._open_editor is not None:
            self._open_editor(unit.deck_id, unit.card_id, lambda _result: self.library_changed())

    @_writes("edit")
    def action_add(self) -> None:
        unit = self.selected_unit()
        decks = self.collection.library.decks
        deck_id = unit.deck_id if unit is not None else (decks[0].id if decks else "")
        if self._open_editor is not None and deck_id:
            self._open_editor(deck_id, None, lambda _result: self.library_changed())


def _position(units: list[Unit], key: str) -> int | None:
    """Where the unit of `key` is in `units` (None: not there)."""
    return next((i for i, unit in enumerate(units) if unit.key == key), None)


def _successor(before: list[Unit], after: list[Unit], key: str) -> str | None:
    """The card to show in place of `key`, which `after` (the new matches) lacks: the first card
    after it in `before` (the matches it was shown among) that is still there, else the last one
    before it. The cursor stays where it was (editing a card out of the search on page 40 went
    back to page 1); None when `key` was not in `before` or nothing of it stayed."""
    at = _position(before, key)
    if at is None:
        return None
    kept = {unit.key for unit in after}
    following = (u.key for u in before[at + 1 :] if u.key in kept)
    preceding = (u.key for u in reversed(before[:at]) if u.key in kept)
    return next(following, None) or next(preceding, None)


def _already(cards: int) -> str:
    """`1 was already`, `2 were already` (empty for none)."""
    if not cards:
        return ""
    return f"{cards:,} {'was' if cards == 1 else 'were'} already"
