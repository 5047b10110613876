"""A history import reports its progress batch by batch, up to the number of events it records."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.interop import progress_io
from retain.interop.bundle import Review
from retain.store.home import open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


def test_the_import_reports_each_batch_and_ends_at_its_total(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress_io, "_BATCH", 64)
    (tmp_path / "decks").mkdir()
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(30))
    (tmp_path / "decks" / "t.toml").write_text(f'format = 1\n[deck]\nid = "t"\nname = "T"\n{cards}')
    reviews = []
    for i in range(300):
        at = NOW - timedelta(days=20) + timedelta(minutes=7 * i)
        after = Scheduler(StudySettings()).preview(f"t/c{i % 30}", None, at)[3]
        reviews.append(Review(f"t/c{i % 30}", at, after, None, "review", 3, 900))
    seen: list[tuple[str, int, int]] = []
    got = progress_io.record_history(
        open_home({"RETAIN_HOME": str(tmp_path)}),
        reviews,
        NOW,
        consume=True,
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    assert got[:2] == (300, 0)
    assert reviews == []  # consumed: each review was let go once recorded
    assert seen[0] == ("history", 0, 300) and seen[-1] == ("history", 300, 300)
    assert [done for _s, done, _t in seen] == sorted(done for _s, done, _t in seen)
    assert len(seen) >= 300 // 64 + 1


def test_reviews_dated_after_this_clock_are_kept_and_counted(tmp_path: Path) -> None:
    """A package made on a device whose clock ran ahead: its last reviews are dated after this
    computer's clock. They are recorded (never dropped for their time: the card's progress is in
    its last review), and counted so the import can say so."""
    (tmp_path / "decks").mkdir()
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(3))
    (tmp_path / "decks" / "t.toml").write_text(f'format = 1\n[deck]\nid = "t"\nname = "T"\n{cards}')
    reviews = []
    for i, hours in enumerate((-30, 20, 50)):  # one in the past, two up to ~2 days ahead
        at = NOW + timedelta(hours=hours)
        after = Scheduler(StudySettings()).preview(f"t/c{i}", None, at)[3]
        reviews.append(Review(f"t/c{i}", at, after, None, "review", 3, 900))
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    got = progress_io.record_history(home, reviews, NOW)
    assert got[:2] == (3, 0)  # were (1, 0): the two ahead were dropped
    assert got.ahead == 2
    assert got.ahead_by == timedelta(hours=50)
    states = progress_io.deck_progress(home, "t", NOW)[0]
    assert sorted(states) == ["t/c0", "t/c1", "t/c2"]  # every card keeps its progress
    again = progress_io.record_history(home, reviews, NOW + timedelta(days=3))
    assert (again.recorded, again.kept) == (0, 3)  # importing twice adds nothing


def test_a_review_dated_centuries_ahead_is_left_out_and_the_journal_stays_readable(tmp_path: Path) -> None:
    """Hostile input: every journal reader refuses a record dated 200 years ahead, so the writer
    never writes one; the rest of the import goes in and the history reads back whole."""
    (tmp_path / "decks").mkdir()
    cards = "".join(f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(2))
    (tmp_path / "decks" / "t.toml").write_text(f'format = 1\n[deck]\nid = "t"\nname = "T"\n{cards}')
    reviews = []
    for i, at in enumerate((NOW - timedelta(days=2), NOW + timedelta(days=365 * 300))):
        after = Scheduler(StudySettings()).preview(f"t/c{i}", None, min(at, NOW))[3]
        reviews.append(Review(f"t/c{i}", at, after, None, "review", 3, 900))
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    got = progress_io.record_history(home, reviews, NOW)
    assert (got.recorded, got.ahead) == (1, 0)
    states, history = progress_io.deck_progress(home, "t", NOW)
    assert sorted(states) == ["t/c0"] and [r.key for r in history] == ["t/c0"]
