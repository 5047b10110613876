"""Custom study over a real collection: cram events (journaled, undoable, out of FSRS and stats)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, make_home, open_col, rate, review_state

from retain.core.custom_study import CustomStudy
from retain.core.session import undo_label
from retain.core.state import Event
from retain.store.custom_session import custom_units, forgotten_today, start_custom_session


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    from retain.store import home as store_home

    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    h = make_home(tmp_path)
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
    return h


def test_cram_is_journaled_with_its_own_kind_and_leaves_the_schedule(home) -> None:  # type: ignore[no-untyped-def]
    col = open_col(home)
    rate(col, "tiny/one", NOW - timedelta(days=1))
    before = dict(col.states)
    session = start_custom_session(col, CustomStudy("cram", deck_ids=("tiny",)), NOW)
    assert session.mode.startswith("Cram · ")
    assert session.labels(NOW)[3] == ""  # no interval: nothing is scheduled
    seen = []
    t = NOW
    while session.current is not None:
        seen.append(session.current.key)
        session.reveal()
        session.rate(1 if len(seen) == 1 else 4, t, 900)
        t += timedelta(seconds=5)
    assert seen[0] == "tiny/one" and seen[-1] == "tiny/one"  # Again brings it back at the end
    assert dict(col.states) == before  # nothing rescheduled, the new cards still new
    events = [e for e in col.history(t) if e.kind == "cram"]
    assert len(events) == len(seen) and events[0].rating == 1 and events[0].duration_ms == 900
    assert all(e.after == e.before for e in events)
    # Out of stats retention, the Today counter and the day's limits: only the one real review counts.
    rows = col.history_index.reviews(t)
    assert [r.key for r in rows] == ["tiny/one"]
    assert col.progress(t)[0] == 0  # the real review was yesterday
    activity = col.history_index.activity(t)
    assert activity[""].today == 0 and activity[""].judged == 0
    col.close()
    # Read back after a restart (journal round trip): the same events, still out of the counts.
    col = open_col(home, t)
    assert [e.kind for e in col.history(t)].count("cram") == len(seen)
    assert dict(col.states) == before
    col.close()


def test_cram_rating_is_undoable_also_after_a_restart(home) -> None:  # type: ignore[no-untyped-def]
    col = open_col(home)
    session = start_custom_session(col, CustomStudy("cram", deck_ids=("tiny",)), NOW)
    first = session.current
    assert first is not None
    session.reveal()
    event = session.rate(3, NOW)
    col.close()
    col = open_col(home, NOW + timedelta(minutes=1))
    target = col.last_undoable(NOW + timedelta(minutes=1))
    assert target is not None and target.id == event.id and target.kind == "cram"
    assert undo_label(target) == f"Undid Good (cram) on {first.key}"
    session = start_custom_session(col, CustomStudy("cram", deck_ids=("tiny",)), NOW + timedelta(minutes=1))
    undo = session.undo(NOW + timedelta(minutes=2))
    assert undo is not None and undo.undoes == event.id
    assert session.current is not None and session.current.key == first.key
    assert col.last_undoable(NOW + timedelta(minutes=2)) is None
    col.close()


def test_forgotten_today_and_study_ahead_record_real_reviews(home) -> None:  # type: ignore[no-untyped-def]
    col = open_col(home)
    rate(col, "tiny/one", NOW - timedelta(hours=1), rating=1)
    rate(col, "tiny/two", NOW - timedelta(hours=1), rating=3)  # due in 3 days
    rate(col, "tiny/three:c1", NOW - timedelta(days=2), rating=1)  # yesterday's failure: not today's
    assert forgotten_today(col, NOW) == ["tiny/one"]
    session = start_custom_session(col, CustomStudy("forgotten"), NOW)
    assert session.current is not None and session.current.key == "tiny/one"
    session.reveal()
    event: Event = session.rate(3, NOW)
    assert event.kind == "review" and col.states["tiny/one"] == event.after
    ahead = start_custom_session(col, CustomStudy("ahead", days=5), NOW)
    # Soonest first: yesterday's failure (overdue), then tiny/two (due in 3 days: studied ahead).
    assert [u.key for u in custom_units(col, CustomStudy("ahead", days=5), NOW)][:2] == [
        "tiny/three:c1",
        "tiny/two",
    ]
    assert [u.key for u in custom_units(col, CustomStudy("ahead", days=2), NOW)] == ["tiny/three:c1"]
    assert ahead.current is not None and ahead.current.key == "tiny/three:c1"
    assert ahead.mode == "Custom study · ahead: due in the next 5 days"
    col.close()


def test_search_with_deck_ids_narrows_to_those_decks(home) -> None:  # type: ignore[no-untyped-def]
    col = open_col(home)
    session = start_custom_session(col, CustomStudy("search", query="is:new", deck_ids=("other",)), NOW)
    assert session.current is None
    session = start_custom_session(col, CustomStudy("search", query="kind:cloze"), NOW)
    assert session.queue.size == 2
    col.close()


def test_search_and_browser_take_a_group_name_for_deck(home) -> None:  # type: ignore[no-untyped-def]
    """`retain review --query 'deck:"My Group"'` and the browser find the group's cards."""
    from retain.store.decks.browse import BrowseIndex

    deck = (home.paths.decks_dir / "tiny.toml").read_text(encoding="utf-8")
    (home.paths.decks_dir / "tiny.toml").write_text(
        deck.replace('group = "Tests"', 'group = "My Group"', 1), encoding="utf-8"
    )
    col = open_col(home)
    found = [u.key for u in custom_units(col, CustomStudy("search", query='deck:"my group"'), NOW)]
    assert found and all(k.startswith("tiny/") for k in found)
    index = BrowseIndex.from_collection(col)
    assert [u.key for u in index.search('deck:"My Group"', NOW, NOW.date())] == [
        u.key for u in col.units if u.deck_id == "tiny"
    ]
    col.close()


def test_search_and_browser_take_a_decks_name_for_deck(home) -> None:  # type: ignore[no-untyped-def]
    """`deck:"Tiny Deck"`, the name the deck list shows, found nothing (only ids and groups)."""
    from retain.store.decks.browse import BrowseIndex

    col = open_col(home)
    name = col.library.get("tiny").name  # type: ignore[union-attr]
    query = f'deck:"{name.upper()}"'
    tiny = [u.key for u in col.units if u.deck_id == "tiny"]
    assert [u.key for u in custom_units(col, CustomStudy("search", query=query), NOW)] == tiny
    assert [u.key for u in BrowseIndex.from_collection(col).search(query, NOW, NOW.date())] == tiny
    col.close()


def test_settings_saved_during_a_custom_session_reach_its_next_card(home) -> None:  # type: ignore[no-untyped-def]
    """Learning steps saved in Settings during a custom study session (docs/settings.md: "to the
    next card scheduled") never reached it: its schedulers were kept for the whole session."""
    from dataclasses import replace

    from retain.store.config import parse_config

    col = open_col(home)
    session = start_custom_session(col, CustomStudy("search", query="deck:tiny"), NOW)
    assert session.current is not None
    session.reveal()
    assert session.labels(NOW)[3] == "<10m"
    steps = parse_config('[study]\nlearning_steps = ["30m", "2h"]\nfuzz = false\n').study
    col.home.config = replace(col.home.config, study=steps)  # what saving in Settings does
    session.rate(1, NOW)
    session.reveal()
    assert session.labels(NOW + timedelta(seconds=1))[3] == "2h"
    col.close()


def test_a_theme_saved_mid_session_rebuilds_no_queue_but_steps_do(home) -> None:  # type: ignore[no-untyped-def]
    """Any config save (a theme picked from the palette) made the next card wait for a queue
    rebuild (0.2-0.4 s at 50k cards); only scheduling settings need one."""
    from dataclasses import replace

    from retain.store.config import parse_config

    col = open_col(home)
    session = col.start_session(["tiny"], NOW)
    queue = session.queue
    col.home.config = replace(col.home.config, theme="textual-light")
    session.reveal()
    session.rate(3, NOW)
    assert session.queue is queue  # the same queue: nothing to rebuild
    steps = parse_config('[study]\nlearning_steps = ["30m", "2h"]\nfuzz = false\n').study
    col.home.config = replace(col.home.config, study=steps)
    if session.current is not None:
        session.reveal()
        session.rate(3, NOW + timedelta(seconds=5))
    assert session.queue is not queue  # rebuilt with the new steps
    col.close()


def test_study_ahead_n_days_takes_every_card_due_by_the_nth_study_day(home) -> None:  # type: ignore[no-untyped-def]
    """`--ahead 1` at noon left out a card due tomorrow afternoon: it counted 24 hours from now,
    not study days as `is:due` and `retain stats`' forecast do."""
    col = open_col(home)
    at = NOW - timedelta(hours=2)
    for key, days in (("tiny/one", 1.1), ("tiny/two", 0.9), ("tiny/three:c1", 2.1)):
        before = col.states.get(key)
        col.record(
            Event(col.new_event_id(at), "review", key, at, review_state(at, days=days), before, 3, 1000)
        )
    due = col.states["tiny/one"].due
    assert due is not None and due > NOW + timedelta(days=1)  # 14:24 tomorrow: past 24 hours
    assert col.studyday.of(due) == col.today(NOW) + timedelta(days=1)
    assert [u.key for u in custom_units(col, CustomStudy("ahead", days=1), NOW)] == ["tiny/two", "tiny/one"]
    assert [u.key for u in custom_units(col, CustomStudy("ahead", days=2), NOW)][-1] == "tiny/three:c1"
    col.close()
