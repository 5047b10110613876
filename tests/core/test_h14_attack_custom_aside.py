"""h14 attack: a custom study shows each card once. A card already studied in it (rated, its
next review days away) that another screen buries or suspends, and that is then back (the bury
over at the rollover, or taken back), is not shown a second time: only the cards the queue still
had to show wait while set aside (`CustomQueue._aside`).

Before: `restate` put every card set aside meanwhile in `_aside`, done or not, and it came back
last of the cards left, to be studied again."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from retain.core.custom_study import CustomQueue
from retain.core.model import Unit
from retain.core.state import LEARNING, REVIEW, CardState
from retain.core.studyday import StudyDay

START = datetime(2025, 3, 10, 3, 50, tzinfo=UTC)  # study day 2025-03-09 (rollover 4 am, UTC)
AFTER = datetime(2025, 3, 10, 4, 5, tzinfo=UTC)  # study day 2025-03-10
DAY = StudyDay(4, UTC)


def _units() -> list[Unit]:
    return [Unit(f"d/{c}", "d", c, "", "basic", f"{c.upper()}?", c) for c in "ab"]


def _studied(queue: CustomQueue, key: str, now: datetime) -> CardState:
    """`key` shown and rated Good: its next review is days away."""
    unit = queue.next(now)
    assert unit is not None and unit.key == key
    after = CardState(state=REVIEW, due=now + timedelta(days=3), stability=3.0, difficulty=5.0)
    queue.apply(key, after, now)
    return after


def _shown(queue: CustomQueue, now: datetime, limit: int = 10) -> list[str]:
    """The keys the queue serves from `now` on, each rated Good as it comes."""
    out: list[str] = []
    for _ in range(limit):
        unit = queue.next(now)
        if unit is None:
            break
        out.append(unit.key)
        queue.apply(unit.key, CardState(state=REVIEW, due=now + timedelta(days=3)), now)
    return out


@pytest.mark.parametrize(
    ("flag", "back"), [("bury", "rollover"), ("bury", "taken back"), ("suspend", "taken back")]
)
def test_a_card_done_in_the_custom_study_and_set_aside_elsewhere_is_not_shown_again(
    flag: str, back: str
) -> None:
    queue = CustomQueue(_units(), {}, date(2025, 3, 9), studyday=DAY)
    keys = [u.key for u in _units()]
    done = _studied(queue, keys[0], START)
    aside = done.with_flags(buried_until="2025-03-10") if flag == "bury" else done.with_flags(suspended=True)
    queue.restate([keys[0]], {keys[0]: aside}, START)  # another screen sets it aside
    now = START
    if back == "taken back":
        queue.restate([keys[0]], {keys[0]: done}, START)
    else:
        now = AFTER
    assert _shown(queue, now) == [keys[1]]


def test_a_card_still_to_be_shown_comes_back_after_a_bury_elsewhere() -> None:
    """The rule's other half (h14's): a card not yet shown, buried elsewhere, is back at the
    rollover; a learning step set aside is back as a step."""
    queue = CustomQueue(_units(), {}, date(2025, 3, 9), studyday=DAY)
    keys = [u.key for u in _units()]
    queue.restate([keys[1]], {keys[1]: CardState(buried_until="2025-03-10")}, START)
    step = CardState(state=LEARNING, due=START + timedelta(minutes=1), step=0)
    unit = queue.next(START)
    assert unit is not None and unit.key == keys[0]
    queue.apply(keys[0], step, START)
    queue.restate([keys[0]], {keys[0]: step.with_flags(buried_until="2025-03-10")}, START)
    assert queue.next(START) is None
    assert queue.next(AFTER) is not None
    assert sorted(_shown(queue, AFTER)) == sorted(keys)
