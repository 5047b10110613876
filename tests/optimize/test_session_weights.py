"""A study session schedules with the deck's preset weights from config.toml (previews and stored states)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from optimize_home import deck_text
from optimize_synth import TRUE_WEIGHTS

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.store.collection import Collection
from retain.store.home import open_home

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PERSONAL = (*TRUE_WEIGHTS[:20], 0.5)  # the synthetic learner's weights, with decay 0.5


def test_session_previews_use_the_presets_weights(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "alpha.toml").write_text(deck_text("alpha", 3), encoding="utf-8")
    (tmp_path / "decks" / "beta.toml").write_text(deck_text("beta", 3), encoding="utf-8")
    weights = ", ".join(str(w) for w in PERSONAL)
    (tmp_path / "config.toml").write_text(
        f'[presets.mine]\nparameters = [{weights}]\n[decks.alpha]\npreset = "mine"\n', encoding="utf-8"
    )
    col = Collection.open(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, tz=UTC)
    try:
        assert col.settings_for("alpha").parameters == PERSONAL
        assert col.settings_for("beta").parameters is None
        session = col.start_session(["alpha"], NOW)
        unit = session.refresh(NOW)
        assert unit is not None and unit.deck_id == "alpha"
        shown = session.previews(NOW)
        mine = Scheduler(StudySettings(parameters=PERSONAL)).preview(unit.key, None, NOW)
        default = Scheduler(StudySettings()).preview(unit.key, None, NOW)
        assert shown == mine and shown[4] != default[4]
        session.reveal()
        event = session.rate(4, NOW)
        assert event.after is not None and event.after.due == mine[4].due
    finally:
        col.close(NOW)
