"""The stats' retrievability distribution uses each deck's preset weights (issue 16: parameters everywhere)."""

from __future__ import annotations

from bisect import bisect_right
from datetime import timedelta
from pathlib import Path

from fsrs.scheduler import DEFAULT_PARAMETERS
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.core.scheduler import retrievability
from retain.core.statscards import RET_EDGES
from retain.store.home import open_home
from retain.store.statsdata import StatsSource

SLOW = [*DEFAULT_PARAMETERS[:20], 0.6]  # a steeper forgetting curve than the default decay (0.1542)


def _histogram(col: object, now: object, parameters: list[float] | None) -> list[int]:
    counts = [0] * len(RET_EDGES)
    for state in col.states.values():  # type: ignore[attr-defined]
        r = 100 * retrievability(state, now, parameters)  # type: ignore[arg-type]
        counts[max(0, bisect_right(RET_EDGES, r) - 1)] += 1
    return counts


def test_retrievability_buckets_follow_the_decks_preset(tmp_path: Path) -> None:
    make_home(tmp_path)
    (tmp_path / "config.toml").write_text(
        f'[presets.slow]\nparameters = {SLOW!r}\n\n[decks.tiny]\npreset = "slow"\n', encoding="utf-8"
    )
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    col = open_col(home)
    for i, key in enumerate(KEYS):
        rate(col, key, NOW - timedelta(days=20 + 9 * i))
    now = NOW + timedelta(days=10)
    shown = list(StatsSource(col, now).cards(["tiny"]).distributions["retrievability"].counts)
    assert shown == _histogram(col, now, SLOW)
    assert shown != _histogram(col, now, None)  # the default decay would put them elsewhere
    everything = list(StatsSource(col, now).cards(None).distributions["retrievability"].counts)
    assert everything == shown  # the bundled decks have no reviewed cards here
    col.close(NOW)
