"""A group limit is named as the deck list names its group, however config.toml spells its table.

docs/settings.md allows `[groups.interview]` for the group "Interview"; the session summary and
the "Nothing due" line then said "interview's daily limit reached (1 new)" (and kept the odd
spacing of `[groups."distributed systems  interview"]`) where the deck list says "Interview".
"""

from __future__ import annotations

import pytest

from retain.store.config import parse_config


@pytest.mark.parametrize(
    "table",
    ["interview", '"INTERVIEW"', '"  interview "', '"Interview"'],
    ids=["lower", "upper", "spaced", "same"],
)
def test_the_limit_is_named_as_the_decks_name_their_group(table: str) -> None:
    config = parse_config(f"[groups.{table}]\nnew_per_day = 1\n")
    limits = config.group_limits([("ia", "Interview"), ("ib", "interview"), ("solo", "")])
    assert set(limits) == {"ia", "ib"}
    assert limits["ia"].name == "Interview" and limits["ia"] is limits["ib"]  # one group, one limit
    assert limits["ia"].new_per_day == 1
