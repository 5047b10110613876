"""`import --with-history` of an intraday (re)learning step that Anki logged in days because it
ended past the rollover (a `10m` step set at 03:50: the lapse row's `ivl` is 1, the next row's
`lastIvl` -600): the step is due at its own time, as retain's scheduler keeps such a step, not
from the start of the next study day, so true retention leaves the answer after it out, as
Anki's does. A step of days (`lastIvl` 1 on the next row) is still due from that day's start."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from retain.core.state import RELEARNING

from .anki_fixture import LogRow, with_log
from .test_h9_ankifix_history import STUDY, T0, _mine

MIN, HOUR, DAY = 60_000, 3_600_000, 86_400_000


@pytest.mark.parametrize(("last_ivl", "own_time"), [(-600, True), (1, False)])
def test_a_step_past_the_rollover_is_due_as_the_next_row_logs_it(
    tmp_path: Path, last_ivl: int, own_time: bool
) -> None:
    rows: list[LogRow] = [
        (T0, 3, 1, -600, 2500, 0),  # learned: 1 day
        (T0 + DAY, 1, 1, 1, 2300, 1),  # a lapse, its relearning step logged in days
        (T0 + DAY + 8 * HOUR, 3, 2, last_ivl, 2300, 2),  # the relearning answer
    ]
    lapse, step = _mine(with_log(tmp_path, rows))[1:3]
    assert lapse.after is not None and lapse.after.state == RELEARNING and lapse.after.due is not None
    assert step.before == lapse.after
    if own_time:
        assert lapse.after.due == lapse.time + timedelta(seconds=600)
    else:
        assert lapse.after.due == STUDY.start_of(STUDY.of(lapse.time) + timedelta(days=1))
