"""`leech_threshold = 0` turns leeches off, as docs/authoring.md says."""

from __future__ import annotations

import pytest

from retain.store.config import ConfigError, parse_config


def test_leech_threshold_zero_turns_leeches_off() -> None:
    """The loader refused 0, so the documented setting stopped every retain command."""
    assert parse_config("[study]\nleech_threshold = 0\n").study.leech_threshold == 0
    with pytest.raises(ConfigError, match="from 0 to 99"):
        parse_config("[study]\nleech_threshold = 100\n")
