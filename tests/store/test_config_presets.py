"""config.toml presets: [presets.NAME] over [study], decks pointing at them, FSRS weights checked."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS

from retain.store.config import ConfigError, parse_config

W = [round(float(x), 4) for x in DEFAULT_PARAMETERS]


def _toml_list(values: list[float]) -> str:
    return "[" + ", ".join(repr(v) if math.isfinite(v) else "nan" for v in values) + "]"


def test_presets_layer_over_study_and_decks_over_presets() -> None:
    cfg = parse_config(
        f"""
[study]
desired_retention = 0.85
new_per_day = 10
[presets.default]
parameters = {_toml_list(W)}
[presets.hard]
desired_retention = 0.95
[decks.kafka]
preset = "hard"
new_per_day = 5
[decks.plain]
reviews_per_day = 50
"""
    )
    kafka = cfg.for_deck("kafka")
    assert (kafka.preset, kafka.desired_retention, kafka.new_per_day) == ("hard", 0.95, 5)
    assert kafka.parameters is None  # presets are independent: `hard` has no weights of its own
    plain = cfg.for_deck("plain")
    assert plain.preset == "default" and plain.parameters == tuple(W) and plain.reviews_per_day == 50
    other = cfg.for_deck("unlisted")
    assert other.parameters == tuple(W) and other.desired_retention == 0.85 and other.new_per_day == 10
    assert cfg.warnings == ()


def test_missing_preset_warns_and_uses_default() -> None:
    cfg = parse_config('[presets.default]\nnew_per_day = 3\n[decks.a]\npreset = "nope"\n')
    assert cfg.for_deck("a").preset == "default" and cfg.for_deck("a").new_per_day == 3
    assert any("'nope'" in w and "not defined" in w for w in cfg.warnings)


def test_unused_preset_warns() -> None:
    cfg = parse_config("[presets.spare]\nnew_per_day = 3\n")
    assert [w for w in cfg.warnings if "'spare'" in w and "not used" in w]
    assert cfg.for_deck("x").new_per_day == 20


def test_no_config_keeps_defaults() -> None:
    cfg = parse_config("")
    assert cfg.for_deck("x").parameters is None and cfg.for_deck("x").learning_steps[0] == timedelta(
        minutes=1
    )


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ([*W[:20], math.nan], "presets.default.parameters` [20]"),
        ([*W[:3], 1000.0, *W[4:]], "presets.default.parameters` [3] must be from"),
        (W[:17], "must hold 21 numbers, got 17"),
        ([*W[:20], -1.0], "[20] must be from 0.1 to 0.8"),
    ],
)
def test_bad_parameters_name_the_key(values: list[float], needle: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(f"[presets.default]\nparameters = {_toml_list(values)}\n")
    message = str(info.value)
    assert needle in message and "\n" not in message


@pytest.mark.parametrize(
    "text",
    [
        'presets = "x"\n',
        "[presets]\nhard = 3\n",
        "[decks.a]\npreset = 3\n",
        '[presets.hard]\npreset = "x"\n',
        '[presets.default]\nparameters = "fast"\n',
        "[presets.default]\nparameters = [true, 1]\n",
    ],
)
def test_bad_preset_tables_are_one_line_errors(text: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert "\n" not in str(info.value) and "config" in str(info.value)


def test_bounds_agree_with_fsrs() -> None:
    from fsrs.scheduler import LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

    from retain.core.settings import LOWER_BOUNDS, UPPER_BOUNDS

    assert tuple(LOWER_BOUNDS_PARAMETERS) == LOWER_BOUNDS
    assert tuple(UPPER_BOUNDS_PARAMETERS) == UPPER_BOUNDS
