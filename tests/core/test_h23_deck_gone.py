"""A deck gone from the library during a session (its file moved away, or its `id` changed) takes
its cards out of the session; a deck whose file is there but does not load right now keeps them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from queue_helpers import NOW, TODAY, basic, settings_map
from test_review_session import MemoryRecorder

from retain.core.model import Unit
from retain.core.queue import DayLog, StudyQueue, build_queue, removed_keys
from retain.core.scheduler import Scheduler
from retain.core.session import ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import CardState

T = [basic("t", f"c{i}") for i in (1, 2, 3)]
U = [basic("u", "x")]


def _session(
    library: dict[str, list[Unit]], decks: list[str], states: dict[str, CardState], recorder: MemoryRecorder
) -> ReviewSession:
    """A daily session over `decks` of `library` (deck id -> its cards, as the files hold them
    now: the test changes it), rebuilt from it as the store's is."""
    recorder.states = states
    settings_for = settings_map(StudySettings())
    rebuild = rebuild_of(library, decks, states, recorder)
    return ReviewSession(
        rebuild(NOW),
        states,
        lambda deck: Scheduler(settings_for(deck)),
        recorder,
        {u.key: u for d in decks for u in library[d]},
        NOW,
        rebuild=rebuild,
    )


def rebuild_of(
    library: dict[str, list[Unit]], decks: list[str], states: dict[str, CardState], recorder: MemoryRecorder
) -> Callable[[datetime], StudyQueue]:
    """The queue over `decks` as `library` holds them when it is called (the store's rebuild)."""

    def rebuild(at: datetime) -> StudyQueue:
        units = [u for d in decks for u in library.get(d, [])]
        log = DayLog.from_events(recorder.events, NOW - timedelta(hours=8))
        return build_queue(units, states, log, settings_map(StudySettings()), at, TODAY)

    return rebuild


def _units(library: dict[str, list[Unit]]) -> dict[str, Unit]:
    return {u.key: u for units in library.values() for u in units}


def _key(session: ReviewSession) -> str | None:
    unit = session.current  # (read again after each call)
    return unit.key if unit is not None else None


def test_a_deck_gone_takes_its_cards_out_of_the_queue() -> None:
    queue = build_queue(T + U, {}, DayLog(), settings_map(), NOW, TODAY)
    queue.refresh_units({u.key: u for u in U}, held=set())  # t.toml moved away
    assert all(u.key not in queue for u in T)
    assert queue.next(NOW) == U[0]


def test_a_deck_whose_file_does_not_load_keeps_its_cards() -> None:
    queue = build_queue(T + U, {}, DayLog(), settings_map(), NOW, TODAY)
    queue.refresh_units({u.key: u for u in U}, held={"t"})  # t.toml has a syntax error mid-edit
    assert all(u.key in queue for u in T)


@given(
    st.sets(st.sampled_from([u.key for u in T + U])),
    st.one_of(st.none(), st.sets(st.sampled_from(["t", "u", "v"]))),
)
def test_removed_keys_is_every_key_gone_but_a_held_decks(kept: set[str], held: set[str] | None) -> None:
    units = {u.key: u for u in T + U}
    fresh = {k: u for k, u in units.items() if k in kept}
    removed = set(removed_keys(units, fresh, held))
    loaded = {u.deck_id for u in fresh.values()}
    for key, unit in units.items():
        gone = key not in fresh
        deck_held = unit.deck_id not in loaded and (held is None or unit.deck_id in held)
        assert (key in removed) == (gone and not deck_held), (key, held)


def test_the_current_card_of_a_deck_gone_leaves_and_no_rating_goes_to_it() -> None:
    """`id = "t"` became `id = "u"` in the deck's file while a card of t was shown: the session
    shows no card of t any more (a rating would go to a key no card has)."""
    library = {"t": T, "u": U}
    recorder = MemoryRecorder()
    session = _session(library, ["t"], {}, recorder)
    session.reveal()
    session.rate(3, NOW)
    assert _key(session) == "t/c2"
    del library["t"]
    assert session.refresh_units(_units(library), NOW, held=set()) is True
    assert _key(session) not in {u.key for u in T}
    while (unit := session.current) is not None:
        session.reveal()
        session.rate(4, NOW)
        assert not unit.key.startswith("t/")


def test_a_deck_held_while_its_file_does_not_load_keeps_the_card_shown() -> None:
    library = {"t": T}
    session = _session(library, ["t"], {}, MemoryRecorder())
    assert session.refresh_units({}, NOW, held={"t"}) is False
    assert _key(session) == "t/c1"


def test_a_deck_followed_under_its_new_id_joins_the_session() -> None:
    """The deck's file now says `id = "t2"`: the same deck to the learner. The session over t,
    told to follow it, serves t2's cards (new: progress follows the key)."""
    t2 = [basic("t2", f"c{i}") for i in (1, 2, 3)]
    library = {"t": T}
    recorder = MemoryRecorder()
    states: dict[str, CardState] = {}
    session = _session(library, ["t"], states, recorder)
    session.reveal()
    session.rate(3, NOW)
    library.pop("t")
    library["t2"] = t2
    session.refresh_units(_units(library), NOW, held=set())
    assert _key(session) is None  # nothing of t is left, and t2 is not its deck (yet)

    assert session.follow_decks(rebuild_of(library, ["t2"], states, recorder), NOW) is True
    assert _key(session) == "t2/c1"
    library["t2"] = [*t2, basic("t2", "added")]  # later, a card written into the file joins too
    session.refresh_units(_units(library), NOW, held=set())
    seen = []
    at = NOW
    while (unit := session.current) is not None:
        seen.append(unit.key)
        session.reveal()
        session.rate(4, at)
        at += timedelta(seconds=5)
    assert seen == ["t2/c1", "t2/c2", "t2/c3", "t2/added"]
    assert session.studied == 5


def test_a_custom_study_drops_a_deck_gone_and_keeps_a_held_one() -> None:
    """`CustomQueue.refresh_units` takes `held` as the daily queue does: a custom study kept the
    cards of a deck whose file was moved away."""
    from retain.core.custom_study import CustomQueue

    queue = CustomQueue([*T, *U], {}, TODAY)
    queue.refresh_units({u.key: u for u in U}, held=set())
    assert [k for k in ("t/c1", "t/c2", "t/c3", "u/x") if k in queue] == ["u/x"]
    kept = CustomQueue([*T, *U], {}, TODAY)
    kept.refresh_units({u.key: u for u in U}, held={"t"})
    assert all(u.key in kept for u in T)
