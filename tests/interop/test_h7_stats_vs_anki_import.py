"""What `import --with-history` makes of review-log rows real Anki (26.09) writes, as the
statistics read them: found comparing `retain stats --json` with Anki's own graphs on the same
collection (both defects fixed in `interop/anki/apkg_history.py`; more cases in
`test_h9_ankifix_history.py`).

The rows are the ones Anki wrote in that comparison (studying with learning steps 1m 10m under
FSRS): a learning step that ends past the day's rollover is logged with an interval of a day
(`ivl` 1, type 0) while the card stays in learning, and "Set due date" is logged as a manual
row (type 4, ease 0) with `ivl` 0 for "today" and the card's ease factor, where "Forget" has
factor 0.
"""

from __future__ import annotations

from pathlib import Path

from retain.core.state import LEARNING, REVIEW

from .anki_fixture import with_log

T0 = 1_795_857_295_163 - 3 * 86_400_000  # three days before the fixture's first row
MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000


def test_a_learning_step_past_the_rollover_leaves_the_card_in_learning(tmp_path: Path) -> None:
    """Anki counts the next day's answer as a learning answer (reviews graph: learn; buttons:
    learning; not in true retention). retain made the card a review card after the step, so that
    answer counted as a review of a young card: true retention and the young buttons gained it."""
    rows = [
        (T0, 3, -600, 0, 0, 0),  # new -> 10 min step
        (T0 + 10 * MIN, 3, 1, -600, 0, 0),  # the step's end is past the rollover: "1 day", still learning
        (T0 + DAY + HOUR, 3, 3, -600, 2500, 0),  # a learning row again: graduates (3 days)
    ]
    reviews = with_log(tmp_path, rows).reviews
    mine = [r for r in reviews if r.kind == "review" and T0 <= r.time.timestamp() * 1000 < T0 + 2 * DAY]
    assert len(mine) == 3
    third = mine[2]
    assert third.before is not None and third.before.state == LEARNING, third.before
    assert mine[1].after is not None and mine[1].after.state != REVIEW


def test_set_due_date_to_today_is_no_forget(tmp_path: Path) -> None:
    """Anki's "Forget" row has factor 0; "Set due date" keeps the card's factor. Read as a forget,
    the card's history gained a reset: its memory is replayed from there, as a card learned anew."""
    rows = [
        (T0, 3, 1, -600, 2500, 0),  # learned: 1 day
        (T0 + DAY, 3, 3, 1, 2500, 1),  # a review: 3 days
        (T0 + DAY + HOUR, 0, 0, 3, 2500, 4),  # Set due date "0": due today
        (T0 + DAY + 2 * HOUR, 3, 5, 0, 2500, 1),  # reviewed
    ]
    reviews = [r for r in with_log(tmp_path, rows).reviews if r.time.timestamp() * 1000 >= T0]
    # (kept as a reschedule: a reset that keeps the card's memory, only its due date moved)
    assert not any(r.kind == "reset" and (r.after is None or r.after.is_new) for r in reviews), reviews


def test_forget_is_still_a_reset(tmp_path: Path) -> None:
    """The control for the test above: Anki's "Forget" (factor 0) is a reset to new."""
    rows = [
        (T0, 3, 1, -600, 2500, 0),
        (T0 + DAY, 3, 3, 1, 2500, 1),
        (T0 + DAY + HOUR, 0, 0, 3, 0, 4),  # Forget
        (T0 + DAY + 2 * HOUR, 3, 1, -600, 2500, 0),  # learned again
    ]
    kinds = [r.kind for r in with_log(tmp_path, rows).reviews if r.time.timestamp() * 1000 >= T0]
    assert "reset" in kinds, kinds
