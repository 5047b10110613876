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
    assert got == (300, 0)
    assert reviews == []  # consumed: each review was let go once recorded
    assert seen[0] == ("history", 0, 300) and seen[-1] == ("history", 300, 300)
    assert [done for _s, done, _t in seen] == sorted(done for _s, done, _t in seen)
    assert len(seen) >= 300 // 64 + 1
