"""The stats follow the settings the decks are scheduled with: the retrievability distribution
each deck's preset weights (issue 16: parameters everywhere), "desired" retention its preset's."""

from __future__ import annotations

import json
from bisect import bisect_right
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from store_helpers import KEYS, NOW, make_home, open_col, rate

from retain.commands.stats import stats_report
from retain.core.scheduler import retrievability
from retain.core.statscards import RET_EDGES
from retain.store.collection import Collection
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


TINY2 = """format = 1

[deck]
id = "tiny2"
name = "Tiny two"
group = "Tests"

[[cards]]
id = "a"
front = "A?"
back = "a"
"""
HARD = "[presets.hard]\ndesired_retention = 0.95\n\n"


def _desired(root: Path, config: str, deck: str | None) -> float:
    """`retain stats --json`'s desired retention for `deck` (None: all decks)."""
    (root / "config.toml").write_text(config, encoding="utf-8")
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, read_only=True, cards=False, tz=UTC)
    try:
        data: dict[str, Any] = json.loads(json.dumps(stats_report(col, NOW, deck, 30)))
    finally:
        col.close()
    return float(data["retention"]["desired"])


def test_desired_retention_of_all_decks_is_the_default_presets(tmp_path: Path) -> None:
    """`[presets.default]` schedules every deck without settings of its own: "all decks" shows
    it, not `[study]`'s (which it overrides)."""
    make_home(tmp_path)
    config = "[study]\ndesired_retention = 0.8\n\n[presets.default]\ndesired_retention = 0.85\n\n"
    assert open_home({"RETAIN_HOME": str(tmp_path)}).config.for_deck("tiny").desired_retention == 0.9
    assert _desired(tmp_path, config, None) == 0.85
    assert _desired(tmp_path, "[study]\ndesired_retention = 0.8\n", None) == 0.8  # no default preset
    on_its_own = f'{config}{HARD}[decks.tiny]\npreset = "hard"\n'  # does not change "all"
    assert _desired(tmp_path, on_its_own, None) == 0.85


@pytest.mark.parametrize(
    ("config", "deck", "expected"),
    [
        pytest.param(f'{HARD}[decks.tiny]\npreset = "hard"\n', "Tests", 0.9, id="first-deck-differs"),
        pytest.param(f'{HARD}[decks.tiny2]\npreset = "hard"\n', "Tests", 0.9, id="last-deck-differs"),
        pytest.param(f'{HARD}[decks.tiny]\npreset = "hard"\n', "tiny", 0.95, id="one-deck-its-own"),
        pytest.param(f'{HARD}[decks.tiny]\npreset = "hard"\n', "tiny2", 0.9, id="one-deck-default"),
        pytest.param(
            f'{HARD}[decks.tiny]\npreset = "hard"\n\n[decks.tiny2]\npreset = "hard"\n',
            "Tests",
            0.95,
            id="all-agree",
        ),
        pytest.param("[presets.default]\ndesired_retention = 0.85\n", "Tests", 0.85, id="all-default"),
    ],
)
def test_desired_retention_of_a_group_is_its_decks_when_they_agree_else_the_global(
    tmp_path: Path, config: str, deck: str, expected: float
) -> None:
    """One deck: its own; a group: its decks' when they all agree, else the global (default
    preset's) one, as docs/stats.md says (not whichever deck comes first)."""
    make_home(tmp_path)
    (tmp_path / "decks" / "tiny2.toml").write_text(TINY2, encoding="utf-8")
    assert _desired(tmp_path, config, deck) == expected
