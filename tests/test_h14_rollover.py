"""h14: a custom study left open across the study day's rollover judges "set aside today"
(`core.state.set_aside`) by the study day of the moment, not the one it started on.

The home: deck "tiny" with four new cards a, b, c, d; rollover at 4 am, UTC. Each custom study
starts at 03:50 on 2025-03-10 (study day 03-09) and goes on past 04:00 (study day 03-10). A bury
"elsewhere" is recorded straight into the collection, as another screen's is, and reaches the
session with `sync_states`:
- a bury until 03-10 is over at 04:00: the card is (back) in the custom study from then on,
  whether it was buried before the rollover or the change only arrives after it;
- a bury made after the rollover (until 03-11) keeps the card out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.custom_study import CustomQueue, CustomStudy
from retain.core.session import ReviewSession
from retain.core.state import NEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.custom_session import start_custom_session
from retain.store.home import open_home

DECK = 'format = 1\n[deck]\nid = "tiny"\nname = "Tiny"\n' + "".join(
    f'\n[[cards]]\nid = "{c}"\nfront = "{c.upper()}?"\nback = "{c}"\n' for c in "abcd"
)
START = datetime(2025, 3, 10, 3, 50, tzinfo=UTC)  # study day 2025-03-09
BURY = datetime(2025, 3, 10, 3, 55, tzinfo=UTC)  # still 03-09: buried until 03-10
AFTER = datetime(2025, 3, 10, 4, 5, tzinfo=UTC)  # study day 2025-03-10
UNTIL_TODAY = "2025-03-10"  # the bury of BURY: over at 04:00
UNTIL_TOMORROW = "2025-03-11"  # a bury made after the rollover
ALL = ["tiny/a", "tiny/b", "tiny/c", "tiny/d"]

# Two modes: cram (cram events, the schedule untouched) and a search (ordinary reviews).
STUDIES = [CustomStudy("cram", deck_ids=("tiny",)), CustomStudy("search", query="deck:tiny is:new")]
IDS = ["cram", "search"]


@pytest.fixture
def col(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Collection]:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "config.toml").write_text("rollover_hour = 4\n[study]\nfuzz = false\n", encoding="utf-8")
    opened = Collection.open(open_home(), START, tz=UTC)
    yield opened
    opened.close()


def _bury_elsewhere(col: Collection, key: str, until: str, at: datetime) -> None:
    """Another screen (or device) buries `key` until study day `until`."""
    before = col.states.get(key)
    after = (before or CardState()).with_flags(buried_until=until)
    col.record(Event(col.new_event_id(at), "bury", key, at, after, before, 0, 0))


def _served(session: ReviewSession, now: datetime) -> list[str]:
    """Every card the session shows from `now` on, each answered Good once (a new card's learning
    step then waits: it is not shown twice here)."""
    seen: list[str] = []
    for _ in range(20):
        unit = session.current
        if unit is None or unit.key in seen:
            break
        seen.append(unit.key)
        session.reveal()
        session.rate(3, now)
    return seen


def _first(session: ReviewSession, now: datetime) -> None:
    """Answer the first card shown (a, the deck's first) Easy, so the rest are still to come and
    a is not (an Easy new card is due in days, not a learning step)."""
    assert session.current is not None and session.current.key == "tiny/a"
    session.reveal()
    session.rate(4, now)


@pytest.mark.parametrize("study", STUDIES, ids=IDS)
def test_a_bury_until_today_that_arrives_after_the_rollover_keeps_the_card(
    col: Collection, study: CustomStudy
) -> None:
    """c (b is shown) is buried at 03:55 until 03-10 elsewhere; the change arrives at 04:05, when
    that bury is over: c stays in the custom study. It was dropped (judged by the study day 03-09
    the custom study started on)."""
    session = start_custom_session(col, study, START)
    _first(session, START)
    _bury_elsewhere(col, "tiny/c", UNTIL_TODAY, BURY)
    session.sync_states(AFTER)
    assert _served(session, AFTER) == ["tiny/b", "tiny/c", "tiny/d"]


@pytest.mark.parametrize("study", STUDIES, ids=IDS)
@pytest.mark.parametrize("where", ["elsewhere", "in-session"])
def test_a_card_buried_until_today_comes_back_after_the_rollover(
    col: Collection, study: CustomStudy, where: str
) -> None:
    """Buried at 03:55 until 03-10 (on another screen, or with the session's own bury), b leaves
    the custom study at once; at 04:05 its bury is over and it is back. It never came back."""
    session = start_custom_session(col, study, START)
    _first(session, START)
    if where == "elsewhere":
        _bury_elsewhere(col, "tiny/b", UNTIL_TODAY, BURY)
        session.sync_states(BURY)
    else:
        assert session.current is not None and session.current.key == "tiny/b"
        session.bury(BURY)
    assert col.states["tiny/b"].buried_until == UNTIL_TODAY
    assert session.current is not None and session.current.key == "tiny/c"
    counts = session.queue.counts(BURY)
    assert counts.new + counts.review == 2  # c and d
    assert session.queue.counts(AFTER).new + session.queue.counts(AFTER).review == 3  # b is back
    assert sorted(_served(session, AFTER)) == ["tiny/b", "tiny/c", "tiny/d"]


@pytest.mark.parametrize("study", STUDIES, ids=IDS)
def test_a_bury_made_after_the_rollover_keeps_the_card_out(col: Collection, study: CustomStudy) -> None:
    """The other side: buried at 04:05 until 03-11 (elsewhere), c is out of the custom study on
    the new study day, and stays out, the b that came back notwithstanding."""
    session = start_custom_session(col, study, START)
    _first(session, START)
    _bury_elsewhere(col, "tiny/b", UNTIL_TODAY, BURY)
    session.sync_states(BURY)
    _bury_elsewhere(col, "tiny/c", UNTIL_TOMORROW, AFTER)
    session.sync_states(AFTER)
    assert sorted(_served(session, AFTER)) == ["tiny/b", "tiny/d"]
    later = AFTER + timedelta(hours=5)
    assert session.sync_states(later) is False
    assert session.current is None or session.current.key != "tiny/c"


def test_a_learning_step_after_the_rollover_comes_back_with_a_bury_over(col: Collection) -> None:
    """A search's ordinary reviews: b, buried until 03-10 at 03:55 (the change arriving at 04:05),
    is answered Again at 04:05; its step (its state still says buried until 03-10, a bury that is
    over) comes back when due. It never did (the step counted as buried on 03-09)."""
    session = start_custom_session(col, STUDIES[1], START)
    _first(session, START)
    _bury_elsewhere(col, "tiny/b", UNTIL_TODAY, BURY)
    session.sync_states(AFTER)
    assert session.current is not None and session.current.key == "tiny/b"
    session.reveal()
    session.rate(1, AFTER)
    assert col.states["tiny/b"].buried_until == UNTIL_TODAY  # a rating keeps the flag
    for _ in range(2):  # c and d, Good: their steps wait
        session.reveal()
        session.rate(3, AFTER)
    step = col.states["tiny/b"].due
    assert step is not None
    session.refresh(step)
    assert session.current is not None and session.current.key == "tiny/b"


@pytest.mark.parametrize("study", STUDIES, ids=IDS)
def test_an_undo_after_the_rollover_puts_a_card_buried_until_today_back(
    col: Collection, study: CustomStudy
) -> None:
    """b (buried until 03-10 at 03:55, the change arriving at 04:05) is answered at 04:05 and the
    answer undone at 04:06: b's state is again the one buried until 03-10, which is over. It is
    shown again and the queue counts it (the count said one card less: the queue judged that
    state buried, by its start day)."""
    session = start_custom_session(col, study, START)
    _first(session, START)
    _bury_elsewhere(col, "tiny/b", UNTIL_TODAY, BURY)
    session.sync_states(AFTER)
    assert session.queue.counts(AFTER).new == 3  # b, c, d
    session.reveal()
    session.rate(3, AFTER)
    assert session.queue.counts(AFTER).new == 2
    undo = AFTER + timedelta(minutes=1)
    session.undo(undo)
    assert col.states["tiny/b"].buried_until == UNTIL_TODAY and col.states["tiny/b"].state == NEW
    assert session.current is not None and session.current.key == "tiny/b"
    assert session.queue.counts(undo).new == 3


def test_the_queue_alone_judges_each_moment_by_its_study_day(col: Collection) -> None:
    """`CustomQueue` with a study day and an explicit moment (the core reads no clock): a state
    buried until 03-10 is set aside at 03:59 and not at 04:00, in every one of its checks."""
    units = [u for u in col.units if u.deck_id == "tiny"]
    queue = CustomQueue(units, {}, col.today(START), studyday=col.studyday)
    before, at = datetime(2025, 3, 10, 3, 59, tzinfo=UTC), datetime(2025, 3, 10, 4, 0, tzinfo=UTC)
    buried = {"tiny/a": CardState(buried_until=UNTIL_TODAY)}
    queue.restate(["tiny/a"], buried, before)
    assert queue.counts(before).new == 3
    assert queue.counts(at).new == 4
    queue.restate(["tiny/b"], {"tiny/b": CardState(buried_until=UNTIL_TODAY)}, at)
    assert queue.counts(at).new == 4
    queue.apply("tiny/c", CardState(buried_until=UNTIL_TOMORROW), at)
    assert queue.counts(at).new == 3
    queue.put_back("tiny/c", CardState(buried_until=UNTIL_TODAY), at)
    assert queue.counts(at).new == 4
