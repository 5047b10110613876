"""Numbers too large for Python's time types are one-line config errors, never a traceback."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from retain.cli import main
from retain.store.config import ConfigError, parse_config, parse_duration
from retain.store.config_edit import ConfigDocument, problem

RANGE = "must hold durations from 1s to 30d"


@pytest.mark.parametrize(
    "step",
    [
        "100000000000000s",
        pytest.param("9" * 400 + "d", id="400-digits-d"),
        "99999999999999999999h",
        "0.5s",
        "0s",
        "30.5d",
    ],
)
def test_a_step_out_of_range_is_the_range_message(step: str) -> None:
    with pytest.raises(ConfigError, match=RANGE):
        parse_config(f'[study]\nlearning_steps = ["1m", "{step}"]\n')


@pytest.mark.parametrize(("step", "expected"), [("1s", 1), ("30d", 30 * 86400), ("1.5m", 90)])
def test_the_range_ends_are_accepted(step: str, expected: int) -> None:
    config = parse_config(f'[decks.a]\nrelearning_steps = ["{step}"]\n')
    assert config.for_deck("a").relearning_steps == (timedelta(seconds=expected),)


def test_parse_duration_says_value_error_for_a_huge_number() -> None:
    with pytest.raises(ValueError, match="100000000000000s"):
        parse_duration("100000000000000s")


def test_a_huge_integer_is_a_short_line() -> None:
    with pytest.raises(ConfigError, match="maximum_interval") as info:
        parse_config("[study]\nmaximum_interval = " + "9" * 4000 + "\n")
    assert len(str(info.value)) < 200 and "\n" not in str(info.value)


def test_the_settings_screen_gets_the_message_while_typing(tmp_path: Path) -> None:
    edit = ConfigDocument.open(tmp_path / "config.toml")
    edit.set(("presets", "default", "learning_steps"), ["1m", "100000000000000s"])
    assert RANGE in problem(edit)


def test_the_cli_says_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config.toml").write_text('[study]\nlearning_steps = ["1m", "100000000000000s"]\n')
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    code = main(["due"])
    err = capsys.readouterr().err
    assert code != 0 and RANGE in err and len(err.strip().splitlines()) == 1
