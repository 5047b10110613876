"""Config values the docs promise: leeches off with 0, and warnings that stay readable."""

from __future__ import annotations

import pytest

from retain.store.config import ConfigError, parse_config


def test_leech_threshold_zero_turns_leeches_off() -> None:
    """The loader refused 0, so the documented setting stopped every retain command."""
    assert parse_config("[study]\nleech_threshold = 0\n").study.leech_threshold == 0
    with pytest.raises(ConfigError, match="from 0 to 99"):
        parse_config("[study]\nleech_threshold = 100\n")


def test_many_decks_naming_an_undefined_preset_give_one_warning() -> None:
    """40,000 `[decks.X]` tables naming a missing preset printed 40,000 warning lines."""
    text = "".join(f'[decks.d{i}]\npreset = "fast"\n' for i in range(500))
    config = parse_config(text)
    assert config.warnings == (
        "config: decks 'd0', 'd1', 'd2' and 497 more use preset 'fast', which is not defined; using default",
    )
    one = parse_config('[decks.solo]\npreset = "slow"\n')
    assert one.warnings == ("config: deck 'solo' uses preset 'slow', which is not defined; using default",)
