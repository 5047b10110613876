"""The study screen: one card at a time, reveal, rate with interval previews, undo, suspend, bury."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime, tzinfo
from pathlib import Path
from typing import ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center
from textual.content import Content
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static

from retain.core.queue import StudyQueue
from retain.core.scheduler import interval_label
from retain.core.session import ReviewSession, action_label
from retain.core.state import Event
from retain.core.statstext import plural
from retain.core.studyday import StudyDay
from retain.core.summary_figures import SummaryFigures, summary_figures
from retain.core.typed import MAX_ANSWER, TypedCheck, check_unit
from retain.store.collection import CollectionError
from retain.store.decks.reload import deck_changes, files_by_deck
from retain.ui.access import retain_app
from retain.ui.gc_defer import DeferredGC
from retain.ui.key_names import key_label
from retain.ui.text import line
from retain.ui.widgets.card_view import CardView
from retain.ui.widgets.key_bar import KeyBar
from retain.ui.widgets.ordered_keys import OrderedInput
from retain.ui.widgets.progress_header import ProgressHeader
from retain.ui.widgets.rating_bar import RATING_NAMES, RatingBar

__all__ = [
    "ANSWER_PLACEHOLDERS",
    "AnswerInput",
    "StudyScreen",
    "answer_placeholder",
    "buried_until_words",
]

Clock = Callable[[], datetime]
MAX_ANSWER_MS = 60_000  # time on one card counted at most (a learner who walked away)
# A front's first rows: the deck line, a blank row, the question's first line. A terminal with
# fewer rows for the card than these, besides the card's top margin, is short (`_short`).
FRONT_ROWS = 3
_BELOW_CARD = 3 + 1  # the rating bar's 3 rows and the key bar's
_ANSWER_ROWS = 3  # the typed-answer box (its border included)
_CARD_MARGIN = 1  # `StudyScreen CardView`'s top margin (app.tcss)
_RATING_ACTIONS = {"rate", "accept"}
_CARD_ACTIONS = {"suspend", "bury", "edit", "open_media"}


# The typed-answer box's placeholder, longest first: the first that fits the box is shown (at 40
# columns the first was cut to "Type the answer, then press", which lost the key to press).
ANSWER_PLACEHOLDERS = (
    "Type the answer, then press Enter",
    "Type the answer, then Enter",
    "Answer, then Enter",
    "Answer + Enter",
)


def answer_placeholder(width: int) -> str:
    """The longest `ANSWER_PLACEHOLDERS` form of at most `width` cells (the shortest if none fits)."""
    return next((p for p in ANSWER_PLACEHOLDERS if len(p) <= width), ANSWER_PLACEHOLDERS[-1])


def buried_until_words(buried_until: str, now: datetime, day: StudyDay, tz: tzinfo) -> str | None:
    """When a card buried until study day `buried_until` comes back, said from `now` in the zone
    `tz`: "04:00" (the same morning: buried at 02:30, before the 4 am rollover), "tomorrow 04:00",
    "Thu 13 Mar 04:00" ("Mon 6 Dec 2027 04:00" in another year); None when `buried_until` is no
    date (or no moment)."""
    try:
        back = day.start_of(date.fromisoformat(buried_until)).astimezone(tz)
    except (ValueError, OverflowError):
        return None
    clock = back.strftime("%H:%M")
    local = now.astimezone(tz).date()
    days = (back.date() - local).days
    if days <= 0:
        return clock
    if days == 1:
        return f"tomorrow {clock}"
    year = "" if back.year == local.year else f" {back.year}"  # (a day next year is no day this year)
    return f"{back.strftime('%a')} {back.day} {back.strftime('%b')}{year} {clock}"


class AnswerInput(OrderedInput):
    """The typed-answer box: its placeholder in the longest form the box has room for."""

    def on_resize(self) -> None:
        self.placeholder = answer_placeholder(self.content_size.width)


class StudyScreen(Screen[None]):
    """Shows `session.current`; every rating is on disk (via the session's recorder) before the next card."""

    AUTO_FOCUS = ""  # no auto focus: the answer Input gets it only on typed cards
    POLL_SECONDS: ClassVar[float] = 15.0  # while nothing is due, look again this often (tests set it low)

    # These only decide which keys apply (`check_action`, the key bar): no repaint of the screen.
    phase: reactive[str] = reactive("done", bindings=True, repaint=False)  # "done": no card
    typing: reactive[bool] = reactive(False, bindings=True, repaint=False)  # a typed card's answer box is up
    can_undo: reactive[bool] = reactive(False, bindings=True, repaint=False)
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,enter", "reveal", "Show answer", id="review.reveal"),
        Binding(
            "space,enter",
            "accept",
            "Suggested rating",
            id="review.answer_good",
            show=False,
            tooltip="Good, or what a typed answer's check suggests",
        ),
        Binding("1", "rate(1)", "Again", id="review.again"),
        Binding("2", "rate(2)", "Hard", id="review.hard"),
        Binding("3", "rate(3)", "Good", id="review.good"),
        Binding("4", "rate(4)", "Easy", id="review.easy"),
        Binding("u,ctrl+z", "undo", "Undo", id="review.undo"),
        Binding("s", "suspend", "Suspend", id="review.suspend"),
        Binding("b", "bury", "Bury", id="review.bury"),
        Binding("e", "edit", "Edit", id="review.edit", show=False),
        Binding("o", "open_media", "Open media", id="review.open_media", show=False),
        Binding("escape", "end", "End", id="review.end"),
        Binding("down,j", "scroll_card('down')", "Scroll down", id="review.scroll_down", show=False),
        Binding("up,k", "scroll_card('up')", "Scroll up", id="review.scroll_up", show=False),
        Binding(
            "pagedown,ctrl+d", "scroll_card('page_down')", "Page down", id="review.page_down", show=False
        ),
        Binding("pageup,ctrl+u", "scroll_card('page_up')", "Page up", id="review.page_up", show=False),
        Binding("end", "scroll_card('end')", "End of card", id="review.card_end", show=False),
        Binding("home", "scroll_card('home')", "Top of card", id="review.card_top", show=False),
    ]

    def __init__(
        self,
        session: ReviewSession,
        *,
        clock: Clock,
        deck_names: Mapping[str, str],
        can_undo: Callable[[], bool],
        cards_at: Callable[[datetime], bool] | None = None,
    ) -> None:
        super().__init__()
        self.session = session
        self._clock = clock
        self._deck_names = deck_names
        self._can_undo_fn = can_undo
        self._cards_at = cards_at  # would a session of these decks have cards at that time?
        self._shown_at = clock()
        self._check: TypedCheck | None = None
        self._typed_answer: str | None = None  # what was typed and submitted for the card shown
        self._shown_key: str | None = None  # the card on screen (a refresh keeps its answer and time)
        self._poll_timer: Timer | None = None
        # "Nothing due": when the next study day brings cards held back today, and by which limit
        # (`_next_day`), as found when the screen was drawn; each poll says the time left again.
        self._held: tuple[datetime | None, str | None] = (None, None)
        self._empty_words = ""  # the "Nothing due" text's words as last drawn
        self._deck_files: dict[str, Path] = {}  # each deck's file at the last (re)load (`deck_changes`)
        self._gc = DeferredGC()  # collections after the paint, not between a key and its paint

    def compose(self) -> ComposeResult:
        yield ProgressHeader(self.session.mode)  # a custom study says which mode is on
        with Center(id="card-column"):  # a wide terminal: a comfortable column, centred over the buttons
            yield CardView(deck_file=self._deck_file)
        yield Static(id="empty")
        with Center(id="answer-column"):
            yield AnswerInput(placeholder=ANSWER_PLACEHOLDERS[0], max_length=MAX_ANSWER, id="answer")
        yield RatingBar()
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one(Input).cursor_blink = False
        collection = getattr(self.app, "collection", None)
        if collection is not None:
            self._deck_files = files_by_deck(collection.library.entries)
        self._show_current()
        self._poll_timer = self.set_interval(self.POLL_SECONDS, self._poll, name="study-poll")

    def on_screen_resume(self) -> None:
        self._gc.hold()
        # a card suspended, buried, reset or undone up there (the undone one is shown next)
        redraw = self.session.sync_states(self._clock(), self._undos_since)
        collection = getattr(self.app, "collection", None)
        if collection is not None and collection.units_by_key is not self.session.units_by_key:
            redraw = self.reload_decks() or redraw  # the browser (or an editor) above changed the decks
        if redraw:
            self.refresh_card()
        else:
            self._relabel(self._clock())  # (settings saved up there: the intervals a rating stores)
            self._fit_height()  # (the terminal resized up there)
        self._update_header(self._clock())  # (a card added up there counts)

    def on_resize(self, event: events.Resize) -> None:
        self._fit_height()

    def _short(self) -> bool:
        """Whether the screen is too short to show the card's question under the usual layout: the
        card column under `FRONT_ROWS` rows once the header (a custom study's mode line wrapped),
        a typed card's answer box, the rating bar kept blank on the front, the key bar and the
        card's top margin have theirs. At 40x10 a typed card, or any card of a cram (its mode line
        on two rows), showed its deck line and nothing of the question."""
        unit = self.session.current
        height, width = self.size.height, self.size.width
        if unit is None or height <= 0:
            return False
        taken = self.query_one(ProgressHeader).rows(width) + _BELOW_CARD + _CARD_MARGIN
        if unit.kind == "typed":
            taken += _ANSWER_ROWS
        return height - taken < FRONT_ROWS

    def _fit_height(self) -> None:
        """On a short screen (`_short`) the card gets the rows the question needs: no top margin,
        a custom study's mode line on one row (the deck name shortened), and the rating bar takes
        no rows before the reveal (its rows come with the buttons: a new layout, only there).
        Decided per card (a typed card keeps the layout of its front on its back), so the card
        does not jump at the reveal; any other size keeps the usual layout, with no new one."""
        short = self._short()
        self.set_class(short, "-short")
        self.query_one(ProgressHeader).mode_on_one_row = short
        if self.session.current is not None:
            bar = self.query_one(RatingBar)
            bar.display = bar.shown or not short

    def _undos_since(self, since: datetime) -> list[Event]:
        """The undo events recorded since `since` (the browser's ctrl+z above this screen), for
        `ReviewSession.sync_states`; none when the journal cannot be read now (each change is
        then taken as no undo)."""
        collection = getattr(self.app, "collection", None)
        if collection is None:
            return []
        try:
            events = collection.history_index.events(self._clock(), since=since)
        except (CollectionError, OSError):
            return []
        return [e for e in events if e.kind == "undo"]

    def reload_decks(self) -> bool:
        """Take the decks as the app's library has them now (an edit, a reload): the session's
        cards with their new texts, a card deleted or added, a deck gone; the cards of a deck
        whose file does not load right now stay (`deck_changes`), and a deck whose file now holds
        another id is followed under it; the decks' names as the files give them now. True when
        the card on screen is to be drawn again (another card, a new text, a new deck name)."""
        if getattr(self.app, "collection", None) is None:
            return False
        collection = retain_app(self).collection
        session, now = self.session, self._clock()
        shown = session.current
        queue = session.queue
        decks = set(queue.deck_ids) if isinstance(queue, StudyQueue) else set()
        entries = collection.library.entries
        held, renamed = deck_changes(self._deck_files, entries, decks)
        moved = session.refresh_units(collection.units_by_key, now, held=held)
        joined = session.queue.deck_ids if isinstance(session.queue, StudyQueue) else []
        if any(new not in joined for new in renamed.values()):  # (a session of every deck has them)
            moved = self._follow(sorted((decks - renamed.keys()) | set(renamed.values())), now) or moved
        self._deck_files = {
            **{d: p for d, p in self._deck_files.items() if d in held},
            **files_by_deck(entries),
        }
        renamed_deck = self._rename_decks(held)
        unit = session.current
        return moved or (unit is not None and (unit != shown or unit.deck_id in renamed_deck))

    def _follow(self, deck_ids: list[str], now: datetime) -> bool:
        """Study `deck_ids` from now on (a deck's id changed in its file): the session's queue is
        built over them, as is the next study day's (`cards_at`). True when the card shown changed."""
        app = retain_app(self)
        collection = app.collection
        if self._cards_at is not None:
            self._cards_at = lambda at: app.cards_at(deck_ids, at)
        return self.session.follow_decks(lambda at: collection.study_queue(deck_ids, at), now)

    def _rename_decks(self, held: Collection[str]) -> set[str]:
        """The decks' names as the library gives them now (a held deck keeps its last one); the
        decks whose name changed."""
        old = self._deck_names
        new: dict[str, str] = {**{d: old[d] for d in held if d in old}, **retain_app(self).deck_names()}
        self._deck_names = new
        return {d for d, name in new.items() if old.get(d, name) != name}

    def on_screen_suspend(self) -> None:
        self._gc.release()

    def on_unmount(self) -> None:
        self._gc.release()

    def _after_paint(self) -> None:
        """Work nobody waits for, done once the card is on the screen: the back of the card is
        rendered ahead (the reveal then only draws it), and the garbage collector has its turn."""
        unit = self.session.current
        if unit is not None and self.session.phase == "front" and unit.kind != "typed" and self.is_current:
            self.query_one(CardView).prepare_back(unit, self._deck_names.get(unit.deck_id, unit.deck_id))
        self._gc.collect_due()

    # ---- state -> widgets -------------------------------------------------

    @property
    def _typing(self) -> bool:
        unit = self.session.current
        return unit is not None and unit.kind == "typed" and self.session.phase == "front"

    def _sync_phase(self) -> None:
        """Copy the session's phase into the reactives the bindings follow (`check_action`)."""
        self.phase = self.session.phase if self.session.current is not None else "done"
        self.typing = self._typing
        self.can_undo = self._can_undo_fn()

    def _show_current(self) -> None:
        now = self._clock()
        unit = self.session.current
        self._check = None
        self._typed_answer = None
        self._shown_key = unit.key if unit is not None else None
        answer = self.query_one(Input)
        rating_bar = self.query_one(RatingBar)
        empty = self.query_one("#empty", Static)
        card_view = self.query_one(CardView)
        self._update_header(now)
        if unit is None:
            if self.session.studied:
                self.app.call_later(self._end_when_done)
            card_view.display = answer.display = rating_bar.display = False
            self.query_one("#card-column").display = False
            self._fit_height()  # (no card: the usual header)
            # Studied: the summary replaces this screen at once, and says when the next cards come.
            self._held = (None, None) if self.session.studied else self._next_day()
            text = Content("") if self.session.studied else self._empty_text(now)
            self._empty_words = text.plain
            empty.update(text)
            empty.display = True
            self._sync_phase()
            return
        empty.display = False
        card_view.display = True
        self.query_one("#card-column").display = True
        card_view.show_front(unit, self._deck_names.get(unit.deck_id, unit.deck_id))
        # Blank, not removed or made invisible: the bar keeps its place, so showing it needs no new
        # layout (but on a short screen its rows go to the question until the reveal: `_fit_height`).
        rating_bar.display = True
        rating_bar.hide()
        self._fit_height()
        answer.display = self._typing
        if self._typing:
            answer.value = ""
            answer.focus()
        else:
            self.set_focus(None)
        self._shown_at = now
        self._sync_phase()
        self.call_after_refresh(self._after_paint)

    def _poll(self) -> None:
        """Look again now and then. With a card on screen, the header counts as they are now: a
        learning step come due (within learn-ahead), a new study day begun (the session builds
        its queue for it; the card stays). While nothing is due, a learning step may have come
        due, or a new study day begun; else the text says the time left again ("next card in
        <4m", not the "<9m" of five minutes ago)."""
        now = self._clock()
        if self.session.current is not None:
            if self.is_current:  # (under another screen: `on_screen_resume` takes its changes first)
                self._update_header(now)
                self._relabel(now)
            return
        queue = self.session.queue
        if self.session.refresh(now) is not None or self.session.queue is not queue:
            self._show_current()  # a card, or the new day's counts and text
        elif not self.session.studied:
            text = self._empty_text(now)
            if text.plain != self._empty_words:  # (a new layout only when the words change)
                self._empty_words = text.plain
                self.query_one("#empty", Static).update(text)

    def _relabel(self, now: datetime) -> bool:
        """The rating buttons' intervals as a rating now stores them (`ReviewSession.labels`):
        the ones shown, unless what the scheduler's output depends on changed since the reveal
        (the study day rolled over, new settings, an exam's cap); a repaint only when they
        changed. True when they did."""
        if self.session.phase != "back":
            return False
        bar = self.query_one(RatingBar)
        labels = self.session.labels(now)
        if bar.shown and labels != bar.intervals:
            bar.show(labels, bar.suggested)
            return True
        return False

    def _update_header(self, now: datetime) -> None:
        counts = self.session.counts(now)
        header = self.query_one(ProgressHeader)
        header.show(counts.new, counts.learning, counts.review, self.session.studied)

    def _next_day(self, queue: StudyQueue | None = None) -> tuple[datetime | None, str | None]:
        """(the next study day's start, the daily limit that holds its cards back today, as
        `StudyQueue.limit_reached` words it) when that day brings this session's decks cards held
        back today (by a daily limit, as a sibling of a card studied today, or buried); (None,
        None) when it brings none (a limit of 0 holds cards back, yet none come tomorrow either).
        `queue`: the one normal study serves the decks from (`ReviewSession.serving`); None: the
        session's own (a custom study's list brings nothing on the next day)."""
        own = self.session.queue
        served = own if queue is None else queue
        if not isinstance(served, StudyQueue) or served.day_span is None:
            return None, None
        start = served.day_span[1]
        limited = served.limit_reached()
        if self._cards_at is not None and served is own:
            comes = self._cards_at(start)
        elif served is not own and self._app_has_collection():  # a custom study's decks, as home counts them
            comes = retain_app(self).cards_at(served.deck_ids, start)
        else:
            comes = bool(limited)
        return (start, limited) if comes else (None, None)

    def _app_has_collection(self) -> bool:
        return getattr(self.app, "collection", None) is not None

    def _empty_text(self, now: datetime) -> Content:
        next_due = self.session.summary().next_due
        queue = self.session.queue
        hidden = queue.hidden_count()
        next_day, limited = self._held
        # (`>=`: a step of days is due at the rollover itself, with the cards the limit holds back)
        if next_day is not None and (next_due is None or next_due >= next_day):
            more = f"{limited}; more" if limited else "next card"
            detail = f"{more} in {interval_label(now, next_day)}"
        elif next_due is not None:
            detail = f"next card in {interval_label(now, next_due)}"
        elif hidden:
            detail = f"{hidden} card{'s are' if hidden != 1 else ' is'} suspended or buried"
        elif not queue.size:
            detail = "there are no cards here yet"
        else:
            detail = "nothing more to study today"
        return Content.assemble(
            ("Nothing due", "bold"),
            f" — {detail}\n\n",
            (f"Press {key_label(self.app, 'review.end', 'Esc')} to go back.", "$text-muted"),
        )

    def _show_back(self) -> None:
        unit = self.session.current
        if unit is None:
            return
        now = self._clock()
        answer = self.query_one(Input)
        if answer.display:
            answer.display = False
            self.set_focus(None)
        clear = getattr(self.app, "clear_passing_toasts", None)
        if clear is not None:  # (a toast over the answer: it says what is done, the back what is next)
            clear()
        self.query_one(CardView).show_back(
            unit, self._deck_names.get(unit.deck_id, unit.deck_id), self._check
        )
        bar = self.query_one(RatingBar)
        bar.show(self.session.labels(now), self._check.suggested_rating if self._check else None)
        bar.display = True  # (a short screen's front gave its rows to the question: `_fit_height`)
        self._sync_phase()
        self.call_after_refresh(self._after_paint)

    # ---- actions ------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Bindings follow the phase reactives (`bindings=True` refreshes the footer when they change)."""
        if action == "reveal":
            return self.phase == "front" and not self.typing
        if action in _RATING_ACTIONS:
            return self.phase == "back"
        if action in _CARD_ACTIONS:
            return self.phase != "done"
        if action == "undo":
            return self.can_undo
        return True

    def action_reveal(self) -> None:
        if self.session.current is None or self.session.phase != "front":
            return
        self.session.reveal()
        self._show_back()

    @on(Input.Submitted, "#answer")
    def _answer_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        unit = self.session.current
        if unit is None or self.session.phase != "front":
            return
        self._check = check_unit(event.value, unit)
        self._typed_answer = event.value
        self.session.reveal()
        self._show_back()

    @on(RatingBar.Rated)
    def _rated_by_mouse(self, event: RatingBar.Rated) -> None:
        self.action_rate(event.rating)

    def action_accept(self) -> None:
        """Space/Enter after the reveal: the typed answer's suggested rating, else Good."""
        self.action_rate(self._check.suggested_rating if self._check is not None else 3)

    def action_rate(self, rating: int) -> None:
        if self.session.current is None or self.session.phase != "back" or rating not in RATING_NAMES:
            return
        now = self._clock()
        if self._relabel(now):  # (the study day rolled over since the buttons were drawn: a key
            self.notify(  # rates only what its button said, so this one shows the new intervals)
                "The intervals changed since the answer was shown (a new study day): press again to rate.",
                markup=False,
            )
            return
        elapsed = int((now - self._shown_at).total_seconds() * 1000)
        events: list[Event] = []
        if self._recorded(
            lambda: events.append(self.session.rate(rating, now, max(0, min(elapsed, MAX_ANSWER_MS))))
        ):
            self._said_leech(events[0])
            self._show_current()

    def _said_leech(self, event: Event) -> None:
        """As Anki does: say when a lapse made the card a leech, or suspended it as one."""
        before, after = event.before, event.after
        if after is None or not after.leech or after.lapses <= (before.lapses if before else 0):
            return
        suspended = after.suspended and not (before is not None and before.suspended)
        if not suspended and before is not None and before.leech:
            return  # a leech already, and not suspended again by this lapse: nothing new
        what = "suspended as a leech" if suspended else "now a leech"
        self.notify(
            line(
                f"{event.key} is {what} ({plural(after.lapses, 'lapse')}): edit it, or find it with is:leech"
            ).plain,
            severity="warning",
            markup=False,
        )

    def _recorded(self, change: Callable[[], object]) -> bool:
        """Run a change that writes the journal; if the write fails, say so and keep the card as it is."""
        try:
            change()
        except (CollectionError, OSError) as exc:
            self.notify(f"Not saved: {exc}", severity="error", markup=False)
            return False
        return True

    def action_undo(self) -> None:
        events: list[object] = []
        if not self._recorded(lambda: events.append(self.session.undo(self._clock()))):
            return
        if events[0] is None:
            from retain.ui.undo import nothing_undone

            self.notify(nothing_undone(self), markup=False)
        elif self.session.last_undone is not None:
            self.notify(line(action_label(self.session.last_undone_action)).plain, markup=False)
        self._show_current()

    def action_suspend(self) -> None:
        if self.session.current is not None and self._recorded(lambda: self.session.suspend(self._clock())):
            self.notify(f"Card suspended ({self._undo_key()} to undo)", markup=False)
            self._show_current()

    def action_bury(self) -> None:
        buried: list[Event] = []
        if self.session.current is not None and self._recorded(
            lambda: buried.append(self.session.bury(self._clock()))
        ):
            self.notify(self._buried_words(buried[0]), markup=False)
            self._show_current()

    def _buried_words(self, event: Event) -> str:
        """What `b` says: when the card comes back, the start of the next study day (at 02:30,
        before a 4 am rollover, that is 04:00 the same morning, not "tomorrow")."""
        collection = getattr(self.app, "collection", None)
        until = event.after.buried_until if event.after is not None else None
        when = None
        if collection is not None and until:
            when = buried_until_words(until, self._clock(), collection.studyday, collection.tz)
        if when is None:
            return f"Card buried until the next study day ({self._undo_key()} to undo)"
        return f"Card buried until {when} ({self._undo_key()} to undo)"  # (a toast: short; `when`: rollover)

    def _undo_key(self) -> str:
        """`u`, or the key `[keymap]` gave `review.undo`: what the toasts name."""
        return key_label(self.app, "review.undo", "u")

    def action_scroll_card(self, where: str) -> None:
        """Scroll a card taller than the screen (j/k too: typed cards' answer box takes letters first)."""
        view = self.query_one(CardView)
        scroll = {
            "down": view.scroll_down,
            "up": view.scroll_up,
            "page_down": view.scroll_page_down,
            "page_up": view.scroll_page_up,
            "end": view.scroll_end,
            "home": view.scroll_home,
        }.get(where)
        if scroll is not None:
            scroll(animate=False)

    def _deck_file(self, deck_id: str) -> Path | None:
        """The deck's file (its media folder is beside it), from the app's library."""
        collection = getattr(self.app, "collection", None)
        entry = collection.library.entry(deck_id) if collection is not None else None
        return entry.path if entry is not None else None

    def action_open_media(self) -> None:
        """`o`: open the shown side's media in the system viewer or player (each press the next one)."""
        from retain.ui.widgets.card_media import open_next

        open_next(self, self.query_one(CardView))

    def action_edit(self) -> None:
        """Edit the current card (`retain.ui.authoring`), then come back to it with the new text."""
        from retain.ui.authoring import edit_in_session

        edit_in_session(self)

    def now(self) -> datetime:
        """The screen's clock (a test's fixed one, or the wall clock)."""
        return self._clock()

    def refresh_card(self) -> None:
        """Show the current card again (its text was edited), on the side it was on.

        The same card keeps what the learner did with it: the answer being typed, the answer
        submitted (checked again against the new text, so the diff and the suggested rating
        follow the edit) and the time spent on it. A different card (the one shown was deleted)
        starts afresh."""
        unit = self.session.current
        same = unit is not None and unit.key == self._shown_key
        revealed = unit is not None and self.session.phase == "back"
        answer = self.query_one(Input)
        typing = answer.value if same and answer.display else None
        submitted = self._typed_answer if same else None
        shown_at = self._shown_at
        self._show_current()
        unit = self.session.current
        if not same or unit is None:
            if revealed:
                self._show_back()
            return
        self._shown_at = shown_at
        if revealed:
            if submitted is not None and unit.kind == "typed":
                self._check = check_unit(submitted, unit)
                self._typed_answer = submitted
            self._show_back()
        elif typing is not None and answer.display:
            answer.value = typing
            answer.cursor_position = len(typing)

    def on_decks_reloaded(self) -> None:
        """Deck files changed on disk (`retain.ui.live_reload`): show the current card's new text
        and deck name, and a card added to the session's decks (the header counts it; with no card
        up, it is shown); a deck gone leaves the session (`reload_decks`)."""
        if self.reload_decks():
            self.refresh_card()
        if self.session.current is None:
            self._show_current()  # "Nothing due": its words follow the decks ("no cards here yet")
        else:
            self._update_header(self._clock())

    def _end_when_done(self) -> None:
        """The session ran out of cards: the summary, unless a key that came right behind the last
        rating (`u`, typed fast) brought a card back, or Esc already ended it."""
        if self.is_current and self.session.current is None and self.session.studied:
            self.action_end()

    def action_end(self) -> None:
        """Esc: show the summary if anything was studied, else go back."""
        from retain.ui.screens.summary import SummaryScreen

        if not self.session.studied:
            self.dismiss()
            return
        self.app.switch_screen(
            SummaryScreen(
                self._summary_figures(),
                clock=self._clock,
                session=self.session,
                resume=self._go_on,
                refigure=self._refigured,
            )
        )

    def _summary_figures(self) -> SummaryFigures:
        """The summary's figures now (`core.summary_figures`). One rule for every session: left
        with cards of its decks that normal study serves now (`ReviewSession.serving`: a custom
        study's list is not what is due, its decks' queue is), else when the next come."""
        session = self.session
        if session.decks_queue is None and self._app_has_collection():
            # (a custom study: its summary names the next card normal study serves of its decks)
            session.decks_queue = retain_app(self).collection.study_queue
        return summary_figures(session, self._clock(), self._next_day)

    def _refigured(self) -> SummaryFigures:
        """The summary's figures again, once the session has taken what changed while its summary
        was up, as this screen takes it on its return (`on_screen_resume`): card states changed in
        the browser, the decks reloaded (a card added or deleted); new settings are taken by
        `ReviewSession.serving`."""
        self.session.sync_states(self._clock(), self._undos_since)
        collection = getattr(self.app, "collection", None)
        if collection is not None and collection.units_by_key is not self.session.units_by_key:
            self.reload_decks()
        return self._summary_figures()

    def _go_on(self) -> StudyScreen:
        """A study screen for this session again (undo on its summary brought a card back)."""
        return StudyScreen(
            self.session,
            clock=self._clock,
            deck_names=self._deck_names,
            can_undo=self._can_undo_fn,
            cards_at=self._cards_at,
        )
