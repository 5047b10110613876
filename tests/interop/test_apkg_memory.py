"""Imported Anki history gets FSRS memory states from fsrs-rs, not a hand-made ease formula."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import fsrs_rs_python as rs
import pytest

from retain.interop.anki.ankidb import AnkiCard
from retain.interop.anki.apkg_history import card_state, memory_from_log, sm2_memory
from retain.interop.importer import read_file

from .anki_fixture import LogOnly

MODEL = rs.FSRS(list(rs.DEFAULT_PARAMETERS))
DAY_MS = 86_400_000
T0 = 1_700_000_000_000 + 5 * 3_600_000  # 05:00 UTC: after the 4 am rollover


def row(day: float, ease: int, ivl: int, typ: int, factor: int = 2500) -> tuple[int, int, int, int, int, int]:
    return (T0 + int(day * DAY_MS), ease, ivl, factor, 5000, typ)


def test_memory_from_a_full_log_is_fsrs_replaying_it() -> None:
    log = [
        row(0, 3, -600, 0),
        row(0.01, 3, 1, 0),
        row(1, 3, 3, 1),
        row(4, 1, -600, 1),
        row(4.01, 3, 1, 2),
        row(6, 4, 9, 1),
    ]
    [memories] = memory_from_log([log])
    assert len(memories) == len(log)
    deltas = [0, 0, 1, 3, 0, 2]
    for n in range(1, len(log) + 1):
        item = rs.FSRSItem([rs.FSRSReview(r[1], d) for r, d in zip(log[:n], deltas[:n], strict=True)])
        expected = MODEL.memory_state(item)
        assert memories[n - 1][0] == pytest.approx(expected.stability, rel=1e-5)
        assert memories[n - 1][1] == pytest.approx(expected.difficulty, rel=1e-5)


def test_a_log_without_its_learning_start_begins_from_sm2() -> None:
    log = [row(0, 3, 20, 1, factor=2300), row(21, 3, 45, 1, factor=2300)]
    [memories] = memory_from_log([log])
    start = MODEL.memory_state_from_sm2(2.3, 20.0, 0.9)
    assert memories[0] == pytest.approx((start.stability, start.difficulty), rel=1e-5)
    after = MODEL.memory_state(rs.FSRSItem([rs.FSRSReview(3, 21)]), start)
    assert memories[1] == pytest.approx((after.stability, after.difficulty), rel=1e-5)


def test_card_without_fsrs_data_or_log_gets_memory_state_from_sm2() -> None:
    card = AnkiCard(
        id=1, nid=1, did=1, ord=0, type=2, queue=2, due=100, ivl=30, factor=2100, reps=6, lapses=1, data=""
    )
    state = card_state(card, 1_600_000_000, None, datetime(2026, 1, 1, tzinfo=UTC))
    assert state is not None
    expected = MODEL.memory_state_from_sm2(2.1, 30.0, 0.9)
    assert state.stability == pytest.approx(expected.stability, rel=1e-5)
    assert state.difficulty == pytest.approx(expected.difficulty, rel=1e-5)
    # Anki's own FSRS memory wins when the card has it
    fsrs_card = AnkiCard(1, 1, 1, 0, 2, 2, 100, 30, 2100, 6, 1, '{"s": 41.5, "d": 3.25}')
    kept = card_state(fsrs_card, 1_600_000_000, None, datetime(2026, 1, 1, tzinfo=UTC))
    assert kept is not None and (kept.stability, kept.difficulty) == (41.5, 3.25)


@pytest.mark.parametrize(("factor", "ivl"), [(0, 0), (1300, 1), (9999, 36500), (-5, -3)])
def test_sm2_memory_is_always_a_valid_state(factor: int, ivl: int) -> None:
    s, d = sm2_memory(factor, ivl)
    assert s > 0 and 1.0 <= d <= 10.0


def test_imported_fixture_history_has_fsrs_memory(tmp_path: Path) -> None:
    fixture = Path(__file__).parent.parent / "fixtures" / "anki" / "layout-latest.apkg"
    bundle = read_file(fixture, tmp_path, with_history=True)
    assert bundle.reviews
    for review in bundle.reviews:
        assert review.after is not None and review.after.stability is not None
        assert review.after.stability > 0 and review.after.difficulty is not None
        assert 1.0 <= review.after.difficulty <= 10.0


def test_a_log_with_dates_past_year_9999_leaves_out_those_values_only() -> None:
    """An interval of a billion days (a hostile package) used to end the import in a traceback,
    then to drop the card's whole history; now that row and that due date are left out, counted."""
    from retain.core.model import Card
    from retain.interop.anki.apkg_history import card_reviews

    card = Card("one", front="Q", back="A")
    notes = {1: ("deck", card), 2: ("deck", Card("two", front="Q2", back="A2"))}
    cards = [
        AnkiCard(10, 1, 1, 0, 2, 2, 100, 30, 2500, 2, 0, ""),
        AnkiCard(20, 2, 1, 0, 2, 2, 10**9, 10**9, 2500, 2, 0, ""),
    ]
    rows = [
        (T0, 10, 3, -600, 2500, 5000, 0),
        (T0 + DAY_MS, 10, 3, 3, 2500, 5000, 1),
        (T0, 20, 3, -600, 2500, 5000, 0),
        (T0 + DAY_MS, 20, 3, 10**9, 2500, 5000, 1),
    ]
    warnings: list[str] = []
    reviews = card_reviews(LogOnly(rows), cards, notes, warnings)  # type: ignore[arg-type]
    assert sorted(r.key for r in reviews) == ["deck/one", "deck/one", "deck/two"]
    assert warnings == [
        "review history: 1 review-log row(s) and 1 card due date(s) left out:"
        " their dates or intervals are out of range"
    ]
