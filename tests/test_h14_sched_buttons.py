"""The study screen's rating buttons in Europe/Berlin the night before the spring-forward of
2027 (Sunday 28 March): each passing button names the study day its rating then stores (h14).

A card learnt with Good on 22 March (no learning steps) is due on the 25th; at 03:30 on
Saturday the 27th (study day Friday the 26th) its reviews fall on study days after the 23-hour
Sunday, due from those days' 04:00, and the buttons said a day less ("10d" for the study day 11
days on).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from retain.core.scheduler import interval_label
from retain.core.state import REVIEW
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import make_app
from retain.ui.screens.study import StudyScreen
from retain.ui.widgets.rating_bar import RatingBar

BERLIN = ZoneInfo("Europe/Berlin")
DECK = 'format = 1\n\n[deck]\nid = "solo"\nname = "Solo"\n\n[[cards]]\nid = "q"\nfront = "Q?"\nback = "A."\n'
KEY = "solo/q"
LEARNT = datetime(2027, 3, 22, 12, 0, tzinfo=BERLIN).astimezone(UTC)
NIGHT = datetime(2027, 3, 27, 3, 30, tzinfo=BERLIN).astimezone(UTC)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "solo.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "config.toml").write_text("[study]\nfuzz = false\nlearning_steps = []\n", encoding="utf-8")
    col = Collection.open(open_home(), LEARNT, tz=BERLIN)
    try:
        session = col.start_session(["solo"], LEARNT)
        session.reveal()
        session.rate(3, LEARNT)  # Good, no learning steps: a review card, due on the 25th
        assert col.states[KEY].state == REVIEW
    finally:
        col.close(LEARNT)
    return tmp_path


async def _buttons_and_previews(home: Path) -> tuple[str, dict[int, int], dict[int, str]]:
    col = Collection.open(open_home(), NIGHT, tz=BERLIN)
    app = make_app(col, lambda: NIGHT, config=col.home.config, review=["solo"], start_in_review=True)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, StudyScreen) and screen.session.current is not None
            await pilot.press("space")
            await pilot.pause()
            bar = " ".join(str(screen.query_one(RatingBar).render()).split())
            previews = screen.session.previews(NIGHT)
            day = col.studyday
            days = {r: (day.of(previews[r].due) - day.of(NIGHT)).days for r in (2, 3, 4)}  # type: ignore[arg-type]
            hours = {r: interval_label(NIGHT, previews[r].due) for r in (2, 3, 4)}  # type: ignore[arg-type]
            return bar, days, hours
    finally:
        col.close(NIGHT)


def test_the_buttons_count_study_days_over_the_spring_forward(home: Path) -> None:
    bar, days, hours = asyncio.run(_buttons_and_previews(home))
    for rating, name in ((2, "Hard"), (3, "Good"), (4, "Easy")):
        assert f"{rating} {name} {days[rating]}d" in bar, (bar, days)
    # the 24-hour count, what the buttons said before, is a day short for every rating
    assert all(hours[r] == f"{days[r] - 1}d" for r in (2, 3, 4)), hours
