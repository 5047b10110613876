"""One rule for "set aside on study day `today`" (h13): suspended, or buried until a LATER study
day (`core.state.set_aside` / `buried_on`). A card buried until today is back (at the rollover);
one buried until tomorrow is not. Each site is checked through its real path just before and at
the rollover hour (4 am, UTC here): the study session's queue and its outside-change and undo
checks, custom study (cram, search), and the .apkg export read back from its SQLite.

The home (deck "tiny", every card recorded on 2025-03-08):
  p: review, overdue, buried until 2025-03-10     i: review, overdue, buried until 2025-03-09
  a: review, suspended and buried until 03-10     o: new, buried until 2025-03-10
  r: new (nothing set)
At 03:59 on 2025-03-10 the study day is 03-09 (p, a, o buried; i is back); at 04:00 it is 03-10
(only a is set aside: suspended).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.interop.anki_fixture import package_rows

from retain.core.custom_study import CustomStudy
from retain.core.session import ReviewSession
from retain.core.state import REVIEW, CardState, Event
from retain.interop.exporter import export_decks
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.custom_session import custom_units, start_custom_session
from retain.store.home import open_home

DECK = 'format = 1\n[deck]\nid = "tiny"\nname = "Tiny"\n' + "".join(
    f'\n[[cards]]\nid = "{c}"\nfront = "{c.upper()}?"\nback = "{c}"\n' for c in "piaor"
)
BEFORE = datetime(2025, 3, 10, 3, 59, tzinfo=UTC)  # study day 2025-03-09 (rollover 4 am)
AT = datetime(2025, 3, 10, 4, 0, tzinfo=UTC)  # study day 2025-03-10
SET = datetime(2025, 3, 8, 12, 0, tzinfo=UTC)
DUE = CardState(
    state=REVIEW,
    stability=3.0,
    difficulty=5.0,
    due=datetime(2025, 3, 8, 13, 0, tzinfo=UTC),
    last_review=datetime(2025, 3, 5, 12, 0, tzinfo=UTC),
    reps=2,
)
# the cards set aside (suspended or buried) on each study day
ASIDE = {BEFORE: {"tiny/p", "tiny/a", "tiny/o"}, AT: {"tiny/a"}}
BURIED = {BEFORE: {"tiny/p", "tiny/a", "tiny/o"}, AT: set()}


def _record(col: Collection, kind: str, key: str, after: CardState, at: datetime) -> None:
    rating = 3 if kind == "review" else 0
    col.record(Event(col.new_event_id(at), kind, key, at, after, col.states.get(key), rating, 1000))  # type: ignore[arg-type]


@pytest.fixture
def home_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "config.toml").write_text("rollover_hour = 4\n[study]\nfuzz = false\n", encoding="utf-8")
    col = Collection.open(open_home(), SET, tz=UTC)
    try:
        for key in ("tiny/p", "tiny/i", "tiny/a"):
            _record(col, "review", key, DUE, SET - timedelta(days=3))
        _record(col, "bury", "tiny/p", DUE.with_flags(buried_until="2025-03-10"), SET)
        _record(col, "bury", "tiny/i", DUE.with_flags(buried_until="2025-03-09"), SET)
        _record(col, "suspend", "tiny/a", DUE.with_flags(suspended=True), SET)
        _record(col, "bury", "tiny/a", DUE.with_flags(suspended=True, buried_until="2025-03-10"), SET)
        _record(col, "bury", "tiny/o", CardState(buried_until="2025-03-10"), SET)
    finally:
        col.close()
    return tmp_path


@pytest.fixture
def opened(home_dir: Path) -> Iterator[Collection]:
    col = Collection.open(open_home(), BEFORE, tz=UTC)
    yield col
    col.close()


def _served(session: ReviewSession, now: datetime) -> list[str]:
    """Every card the session shows, each answered Good once (a new card's step: it waits)."""
    seen: list[str] = []
    for _ in range(20):
        unit = session.current
        if unit is None or unit.key in seen:
            break
        seen.append(unit.key)
        session.reveal()
        session.rate(3, now)
    return seen


@pytest.mark.parametrize("now", [BEFORE, AT], ids=["03:59", "04:00"])
def test_a_session_serves_exactly_the_cards_not_set_aside(opened: Collection, now: datetime) -> None:
    session = opened.start_session(["tiny"], now)
    assert set(_served(session, now)) == {"tiny/p", "tiny/i", "tiny/a", "tiny/o", "tiny/r"} - ASIDE[now]


@pytest.mark.parametrize("now", [BEFORE, AT], ids=["03:59", "04:00"])
def test_cram_and_custom_search_leave_out_exactly_the_cards_set_aside(
    opened: Collection, now: datetime
) -> None:
    cram = custom_units(opened, CustomStudy("cram", deck_ids=("tiny",)), now)
    assert {u.key for u in cram} == {"tiny/p", "tiny/i", "tiny/a", "tiny/o", "tiny/r"} - ASIDE[now]
    due = custom_units(opened, CustomStudy("search", query="is:due"), now)
    assert {u.key for u in due} == {"tiny/p", "tiny/i"} - ASIDE[now]
    ahead = custom_units(opened, CustomStudy("ahead", days=3), now)
    assert {u.key for u in ahead} == {"tiny/p", "tiny/i"} - ASIDE[now]


def test_the_shown_card_stays_when_a_change_elsewhere_leaves_it_buried_only_until_today(
    opened: Collection,
) -> None:
    """Another screen (or device) gives the card shown a state buried until today: it is not set
    aside (a later day's bury is), so the session keeps showing it."""
    session = opened.start_session(["tiny"], AT)
    shown = session.current
    assert shown is not None
    before = opened.states.get(shown.key) or CardState()
    session.reveal()
    _record(opened, "bury", shown.key, before.with_flags(buried_until="2025-03-10"), AT)
    session.sync_states(AT)
    assert session.current is not None and session.current.key == shown.key
    assert session.phase == "back"  # not left and shown anew
    _record(opened, "bury", shown.key, before.with_flags(buried_until="2025-03-11"), AT)
    assert session.sync_states(AT) is True
    assert session.current is None or session.current.key != shown.key


def test_the_shown_card_buried_before_the_rollover_stays_when_synced_after_it(opened: Collection) -> None:
    """The session began at 03:50 (study day 03-09); at 03:55 another device buried the card shown
    until the next study day (03-10); the change arrives at 04:05, in study day 03-10, when that
    bury is over: the card is not set aside, and stays (the session's start day said buried)."""
    start = datetime(2025, 3, 10, 3, 50, tzinfo=UTC)
    session = opened.start_session(["tiny"], start)
    shown = session.current
    assert shown is not None
    before = opened.states.get(shown.key) or CardState()
    session.reveal()
    at = datetime(2025, 3, 10, 3, 55, tzinfo=UTC)
    _record(opened, "bury", shown.key, before.with_flags(buried_until="2025-03-10"), at)
    session.sync_states(datetime(2025, 3, 10, 4, 5, tzinfo=UTC))
    assert session.current is not None and session.current.key == shown.key
    assert session.phase == "back"  # not left and shown anew


def test_an_undone_bury_in_custom_study_shows_a_card_buried_only_until_today_again(
    opened: Collection,
) -> None:
    """Cram at 04:00 shows p (its bury until 03-10 is over); buried again (until 03-11) and the bury
    undone, p's state is the one buried until today: it is shown again at once."""
    session = start_custom_session(opened, CustomStudy("cram", deck_ids=("tiny",)), AT)
    while session.current is not None and session.current.key != "tiny/p":
        session.reveal()
        session.rate(3, AT)
    assert session.current is not None
    session.bury(AT)
    assert opened.states["tiny/p"].buried_until == "2025-03-11"
    assert session.current is None or session.current.key != "tiny/p"
    session.undo(AT)
    assert opened.states["tiny/p"].buried_until == "2025-03-10"
    assert session.current is not None and session.current.key == "tiny/p"


def _queues(apkg: Path, tmp_path: Path) -> dict[str, tuple[int, int]]:
    """(type, queue) of each exported card, by its note's first field."""
    sql = "SELECT n.sfld, c.type, c.queue FROM cards c JOIN notes n ON n.id = c.nid"
    return {str(sfld): (typ, queue) for sfld, typ, queue in package_rows(apkg, tmp_path, sql)}


@pytest.mark.parametrize("now", [BEFORE, AT], ids=["03:59", "04:00"])
def test_the_apkg_export_writes_buried_and_suspended_queues_by_the_study_day(
    opened: Collection, tmp_path: Path, now: datetime
) -> None:
    """Anki's queue -1 for a suspended card (buried or not), -3 for one buried past today, the
    card's own queue (2 review, 0 new) for one whose bury is over."""
    out = tmp_path / "tiny.apkg"
    decks = [d for d in opened.library.decks if d.id == "tiny"]
    export_decks(decks, out, now=now, states=dict(opened.states), reviews=[], rollover_hour=4)
    queues = _queues(out, tmp_path)
    buried = now == BEFORE
    assert queues == {
        "P?": (2, -3 if buried else 2),
        "I?": (2, 2),
        "A?": (2, -1),
        "O?": (0, -3 if buried else 0),
        "R?": (0, 0),
    }
