"""The settings screen's FSRS parameters line says which weights decks without a preset use."""

from __future__ import annotations

from retain.ui.settings_fields import parameters_text

WEIGHTS = [0.4] * 21


def test_study_table_names_the_default_preset_that_optimize_wrote() -> None:
    """`retain optimize --all` writes [presets.default]; the [study] entry said "not optimized yet"."""
    data = {"study": {"desired_retention": 0.9}, "presets": {"default": {"parameters": WEIGHTS}}}
    assert parameters_text(data, ("study",)) == (
        "decks without a preset use [presets.default]: 21 parameters, optimized"
    )
    assert parameters_text(data, ("presets", "default")).startswith("21 parameters, optimized")


def test_without_any_weights_the_line_says_defaults() -> None:
    assert parameters_text({}, ("study",)) == "FSRS defaults (not optimized yet)"
    assert (
        parameters_text({"presets": {"hard": {}}}, ("presets", "hard")) == "FSRS defaults (not optimized yet)"
    )
