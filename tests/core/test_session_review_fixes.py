"""Study sessions: an exam saved mid-session caps the previews, a custom session buries past the
rollover, a sibling unsuspended elsewhere waits for tomorrow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from queue_helpers import NOW, reversed_pair
from test_review_session import MemoryRecorder, open_session

from retain.core.custom_study import CustomStudy
from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.custom_session import start_custom_session
from retain.store.home import open_home

T0 = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)


def _home(root: Path, deck_id: str, cards: int, config: str = "") -> Path:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    body = "".join(f'[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(cards))
    (root / "decks" / f"{deck_id}.toml").write_text(
        f'format = 1\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\n{body}', encoding="utf-8"
    )
    (root / "config.toml").write_text("[study]\nfuzz = false\n" + config, encoding="utf-8")
    return root


def _open(root: Path, now: datetime = T0) -> Collection:
    return Collection.open(open_home({"RETAIN_HOME": str(root)}), now, tz=UTC)


def _review(col: Collection, key: str, at: datetime, due: datetime, stability: float = 2.0) -> None:
    after = CardState(REVIEW, None, stability, 5.0, due, at, 3, 0)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3))


def _exam_deck(root: Path) -> Path:
    """Deck `exd`: 5 reviews (stability 2, last seen 3 days ago) due in 10 days: with an exam in
    20 days the cap (recall 0.9 on the exam day) makes each due now."""
    _home(root, "exd", 5)
    col = _open(root)
    try:
        for i in range(5):
            at = T0 - timedelta(days=3, minutes=i)
            _review(col, f"exd/c{i}", at, T0 + timedelta(days=10))
    finally:
        col.close(T0)
    return root


def _exam_config(root: Path) -> str:
    day = (T0 + timedelta(days=20)).date().isoformat()
    return f"[study]\nfuzz = false\n[exam]\nexd = {day}\n"


# -- 1. an exam saved mid-session: the queue is rebuilt with caps, the previews are not --------


def test_exam_saved_mid_session_caps_the_rebuilt_sessions_previews(tmp_path: Path) -> None:
    """The settings token includes the exams, so the queue is rebuilt and serves the now-capped
    cards; but `adjust` (preview_adjuster) was made from the plans at session start (none), so
    the card is rated with an uncapped interval, past what the exam allows."""
    root = _exam_deck(tmp_path)
    col = _open(root)
    try:
        session = col.start_session(["exd"], T0)
        assert session.current is None  # nothing due without an exam
        (root / "config.toml").write_text(_exam_config(root), encoding="utf-8")
        col.use_config(open_home({"RETAIN_HOME": str(root)}).config)
        unit = session.refresh(T0)
        assert unit is not None  # rebuilt: the exam cap made the cards due
        fresh = col.start_session(["exd"], T0)
        assert fresh.current is not None and fresh.current.key == unit.key
        assert session.labels(T0) == fresh.labels(T0)  # the exam caps the intervals here too
    finally:
        col.close(T0)


# -- 2. bury after the rollover in a custom study session -------------------------------------


def test_custom_study_bury_after_the_rollover_hides_the_card(tmp_path: Path) -> None:
    """`bury` renews only a StudyQueue; a custom study left open over the 04:00 rollover buries
    until queue.today + 1 = the new today, which hides nothing."""
    root = _home(tmp_path, "cus", 3)
    late = datetime(2026, 3, 29, 3, 50, tzinfo=UTC)  # still study day 2026-03-28
    col = _open(root, late)
    try:
        session = start_custom_session(col, CustomStudy("cram", deck_ids=("cus",)), late)
        assert session.current is not None
        event = session.bury(late + timedelta(minutes=20))  # 04:10: study day 2026-03-29
        assert event.after is not None and event.after.buried_until == "2026-03-30"
    finally:
        col.close(late)


# -- 3. siblings: a card unsuspended elsewhere after its sibling was studied ---------------------


def test_a_sibling_unsuspended_elsewhere_waits_for_tomorrow() -> None:
    """restate puts a changed card back through `_place`, which (made for undo) ignores the note's
    seen mark: the reverse, unsuspended in the browser after its forward side was rated, is shown
    right away, showing the answer just studied (a session opened afresh holds it back)."""
    fwd, rev = reversed_pair("d", "p")
    states: dict[str, CardState] = {rev.key: CardState().with_flags(suspended=True)}
    recorder = MemoryRecorder()
    session = open_session([fwd, rev], states, recorder)
    assert session.current is not None and session.current.key == fwd.key
    session.reveal()
    session.rate(3, NOW)
    states[rev.key] = states[rev.key].with_flags(suspended=False)  # the browser's unsuspend
    session.sync_states(NOW + timedelta(seconds=1))
    served: list[str] = []
    t = NOW + timedelta(seconds=2)
    while (unit := session.refresh(t)) is not None and len(served) < 5:
        served.append(unit.key)
        session.reveal()
        session.rate(4, t)
        t += timedelta(seconds=5)
    assert rev.key not in served, served
