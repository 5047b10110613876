"""Config values the docs promise: leeches off with 0, and messages and warnings that stay readable."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.store.config import ConfigError, load_config, parse_config


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


def _message(text: str) -> str:
    with pytest.raises(ConfigError) as caught:
        parse_config(text)
    return str(caught.value)


def test_too_many_steps_says_the_limit() -> None:
    """21 steps said "must be a list of durations", which they were."""
    steps = ", ".join(['"1m"'] * 21)
    said = _message(f"[study]\nrelearning_steps = [{steps}]\n")
    assert said == "config: `study.relearning_steps` holds 21 steps; at most 20"
    twenty = ", ".join(['"1m"'] * 20)
    assert len(parse_config(f"[study]\nlearning_steps = [{twenty}]\n").study.learning_steps) == 20


@pytest.mark.parametrize(
    "text",
    [
        '[study]\nleech_action = "' + "x" * 5000 + '"\n',
        '[presets.p]\nparameters = ["' + "x" * 5000 + '"' + ", 1.0" * 20 + "]\n",
        "[study]\nparameters = [" + "9" * 5000 + ", 1.0" * 20 + "]\n",
        '[keymap]\n"home.browse" = ["' + "x" * 5000 + '"]\n',
    ],
    ids=["leech_action", "parameters-string", "parameters-huge-number", "keymap"],
)
def test_a_long_bad_value_is_cut_in_the_message(text: str) -> None:
    assert len(_message(text)) < 200


def test_a_keymap_value_that_is_not_a_string_names_its_binding() -> None:
    said = _message('[keymap]\n"home.browse" = ["b"]\n')
    assert (
        said == "config: [keymap] home.browse must be its keys in one string, like \"space,enter\", got ['b']"
    )


def test_an_empty_deck_folder_is_refused_not_the_current_folder() -> None:
    """`deck_folders = [""]` loaded decks from the folder retain was started in."""
    for bad in ('""', '"  "'):
        said = _message(f'deck_folders = ["~/decks", {bad}]\n')
        assert said.startswith("config: `deck_folders` holds an empty path")


def test_a_config_that_links_to_nothing_is_said(tmp_path: Path) -> None:
    """A config.toml linked to a dotfiles checkout that is not there gave the defaults silently."""
    path = tmp_path / "config.toml"
    path.symlink_to(tmp_path / "dotfiles" / "retain.toml")
    assert load_config(path).warnings == (
        f"config: {path} is a symbolic link to {tmp_path / 'dotfiles' / 'retain.toml'}, which does not "
        "exist; using the default settings",
    )
    assert load_config(tmp_path / "none.toml").warnings == ()


def test_an_unquoted_dotted_keymap_id_is_not_called_a_binding_named_by_its_first_part() -> None:
    """`review.reveal = "space"` under [keymap] (the id unquoted, as most TOML keys are written) is
    a nested table in TOML. The old message showed the quoted form that fixes it; 6ee89f2's says
    "[keymap] review must be its keys in one string ... got {'reveal': 'space'}": a binding `review`
    that does not exist, and no hint that the id needs quotes."""
    with pytest.raises(ConfigError) as caught:
        parse_config('[keymap]\nreview.reveal = "space"\n')
    said = str(caught.value)
    assert '"review.reveal"' in said, said


def test_a_config_link_in_a_loop_is_not_said_to_point_at_nothing(tmp_path: Path) -> None:
    """config.toml -> b.toml -> config.toml: the load warning says "a symbolic link to b.toml, which
    does not exist" (b.toml is right there), while a save of the same file says "a symbolic link
    loop". _dangling reads one link and calls every unresolvable chain missing; the same holds for
    a chain whose first target exists as a link to a missing file."""
    from retain.store.config import load_config

    path = tmp_path / "config.toml"
    path.symlink_to("b.toml")
    (tmp_path / "b.toml").symlink_to("config.toml")
    (warning,) = load_config(path).warnings
    assert "which does not exist" not in warning, warning


def test_a_config_on_a_read_only_mount_is_not_told_to_chmod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A config.toml with mode 0644 on a read-only mount (os.access(W_OK) False, EROFS: the mount
    is emulated here by os.access) is refused with "make it writable (chmod u+w)": u+w is already
    set, and chmod on that mount fails too. Same for a 0644 file owned by someone else."""
    import os

    from retain.store.config_edit import ConfigEditError, save_value

    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\n')
    path.chmod(0o644)
    monkeypatch.setattr(os, "access", lambda *_a, **_k: False)
    with pytest.raises(ConfigEditError) as caught:
        save_value(path, ("theme",), "gruvbox")
    assert "chmod u+w" not in str(caught.value), str(caught.value)


def test_a_decks_table_naming_no_deck_is_said_with_the_closest_id(tmp_path: Path) -> None:
    """`[decks.kafak] new_per_day = 5` (a typo) applied to nothing, without a word: the learner
    saw the limit ignored. Now each start says so in one line, with the deck id meant."""
    import os
    import subprocess
    import sys

    (tmp_path / "config.toml").write_text("[decks.kafak]\nnew_per_day = 5\n[decks.kafka]\nnew_per_day = 4\n")
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-m", "retain", "due", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stderr.splitlines() if "decks." in line]
    assert lines == [
        "retain: warning: config: [decks.kafak] names no deck in the library (did you mean 'kafka'?); "
        "its settings apply to nothing"
    ]


def test_many_decks_tables_naming_no_deck_give_one_line() -> None:
    from retain.store.config import unknown_decks

    config = parse_config(
        "".join(f"[decks.gone-{i}]\nnew_per_day = 1\n" for i in range(5)) + "[decks.here]\n"
    )
    assert unknown_decks(config, [("here", "")]) == [
        "config: [decks.gone-0], [decks.gone-1], [decks.gone-2] and 2 more name no deck in the library; "
        "their settings apply to nothing"
    ]
    assert unknown_decks(config, [("here", ""), *((f"gone-{i}", "") for i in range(5))]) == []
    lone = parse_config("[decks.zzz]\nnew_per_day = 1\n")
    assert unknown_decks(lone, [("kafka", "Interview")]) == [
        "config: [decks.zzz] names no deck in the library; its settings apply to nothing"
    ]


def test_check_and_every_start_say_the_config_tables_that_name_nothing(tmp_path: Path) -> None:
    """`retain check` said only an [exam.X] naming nothing, and a start said neither: the same
    rule now gives both lines in both places. While a deck file is broken its deck id is unknown
    (its file name need not be it), so neither guesses a typo then."""
    import os
    import subprocess
    import sys

    (tmp_path / "decks").mkdir()
    (tmp_path / "config.toml").write_text(
        "[decks.kafak]\nnew_per_day = 5\n[decks.mine]\nnew_per_day = 2\n[exam.nothing]\ndate = 2099-01-01\n"
    )
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}

    def said(*args: str) -> list[str]:
        run = subprocess.run(
            [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=60
        )
        return [ln for ln in (run.stdout + run.stderr).splitlines() if "[decks." in ln or "[exam." in ln]

    expected = [
        "config: [decks.kafak], [decks.mine] name no deck in the library; their settings apply to nothing",
        "config: [exam.nothing] names no deck id or group in the library",
    ]
    assert said("due") == [f"retain: warning: {m}" for m in expected]
    assert said("check") == [f"{tmp_path / 'config.toml'}: warning: {m}" for m in expected]
    (tmp_path / "decks" / "my-deck.toml").write_text('format = 1\n[deck\nid = "mine"\n', "utf-8")  # broken
    assert said("due") == said("check") == []


def _check_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, config: str) -> None:
    from retain.store import home as store_home

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "kafka.toml").write_text(
        'format = 1\n[deck]\nid = "kafka"\nname = "Apache Kafka"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
        "utf-8",
    )
    (tmp_path / "config.toml").write_text(config, "utf-8")


def test_check_says_the_preset_warnings_every_start_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain check` said "0 warning(s)" of a deck naming a preset that is not there (a typo),
    which `retain due` and the home screen warn about."""
    from retain.cli import main

    _check_home(tmp_path, monkeypatch, '[decks.kafka]\npreset = "hrad"\n[presets.hard]\nnew_per_day = 5\n')
    assert main(["check"]) == 0
    said = capsys.readouterr()
    config = tmp_path / "config.toml"
    assert said.out.splitlines() == [
        f"{config}: warning: config: deck 'kafka' uses preset 'hrad', which is not defined; using default",
        f"{config}: warning: config: preset 'hard' is not used by any deck",
    ]
    assert "0 error(s), 2 warning(s)" in said.err


def test_check_says_a_passed_exam_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A passed [exam.X] naming no deck was said twice: passed, and naming nothing."""
    from retain.cli import main

    _check_home(tmp_path, monkeypatch, "[exam.gone]\ndate = 2020-01-01\n")
    assert main(["check"]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "[exam.gone]" in ln]
    assert len(lines) == 1 and "has passed" in lines[0], lines
