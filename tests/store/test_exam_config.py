"""`[exam.<deck or group>]` in config.toml: parsing, one-line errors, notes from the loader and `check`."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from store_helpers import DECK, NOW, make_home, open_col

from retain.core.exam import ExamSetting
from retain.store import home as store_home
from retain.store.config import ConfigError, parse_config
from retain.store.exams import capped_states, exam_lines, exam_plans


def test_a_deck_or_group_gets_a_date_and_a_target() -> None:
    config = parse_config(
        '[exam.kafka]\ndate = 2026-12-15\nrecall = 0.95\n\n[exam."Distributed Systems"]\ndate = "2027-01-10"\n'
        "[exam]\nshort = 2027-02-01\n"
    )
    assert config.exams == {
        "kafka": ExamSetting(date(2026, 12, 15), 0.95),
        "Distributed Systems": ExamSetting(date(2027, 1, 10), 0.9),
        "short": ExamSetting(date(2027, 2, 1), 0.9),
    }


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[exam.kafka]\ndate = "soon"\n', "`exam.kafka.date` must be a date like 2026-12-15, got 'soon'"),
        ("[exam.kafka]\ndate = 15\n", "`exam.kafka.date` must be a date"),
        ('[exam.kafka]\ndate = "2026-02-30"\n', "must be a date"),
        ("[exam.kafka]\nrecall = 0.9\n", "[exam.kafka] needs date = 2026-12-15"),
        ("[exam.kafka]\ndate = 2026-12-15\nrecall = 1.5\n", "`exam.kafka.recall` must be a number from 0.5"),
        ("[exam.kafka]\ndate = 2026-12-15\nrecall = true\n", "`exam.kafka.recall` must be a number"),
        ("[exam.kafka]\ndate = 2026-12-15\nwhen = 1\n", "unknown setting `exam.kafka.when`"),
        ("exam = 3\n", "[exam] must hold tables"),
        ("[exam]\nkafka = [1]\n", "[exam.kafka] must be a table"),
    ],
)
def test_bad_exam_settings_are_one_line_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@given(st.text(max_size=300))
def test_any_date_string_is_a_date_or_one_line_error(value: str) -> None:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in escaped)
    try:
        config = parse_config(f'[exam.k]\ndate = "{escaped}"\n')
    except ConfigError as exc:
        assert "\n" not in str(exc) and len(str(exc)) <= 300
    else:
        assert isinstance(config.exams["k"].day, date)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    return tmp_path


def _home(root: Path, config: str):  # type: ignore[no-untyped-def]
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(config, encoding="utf-8")
    return make_home(root, DECK)


def test_group_exam_applies_to_its_decks_and_past_dates_are_a_note(home: Path) -> None:
    h = _home(home, "[exam.Tests]\ndate = 2026-04-20\nrecall = 0.95\n[exam.old]\ndate = 2026-01-01\n")
    col = open_col(h)
    plans = exam_plans(col, NOW)
    assert set(plans) == {"tiny"}
    assert plans["tiny"].moment == datetime(2026, 4, 20, 4, tzinfo=UTC) and plans["tiny"].recall == 0.95
    assert exam_lines(col, NOW) == ["Tests: exam in 23 days · predicted recall 0.00 → 0.95 if you keep up"]
    assert [m for m in col.messages if "exam" in m] == [
        "config: [exam.old] date 2026-01-01 has passed; normal scheduling is back (remove it from config.toml)"
    ]
    assert exam_plans(col, datetime(2026, 4, 20, 5, tzinfo=UTC)) == {}  # the exam has begun
    col.close()


def test_capped_view_never_changes_the_stored_states(home: Path) -> None:
    from store_helpers import rate

    h = _home(home, "[exam.tiny]\ndate = 2026-06-01\nrecall = 0.97\n")
    col = open_col(h)
    rate(col, "tiny/one", NOW - timedelta(days=1), rating=4)  # review state, stability 3, due in 4 days
    stored = dict(col.states)
    view = capped_states(col.states, col.units, exam_plans(col, NOW), NOW)
    assert view["tiny/one"].due < stored["tiny/one"].due  # type: ignore[operator]
    assert dict(col.states) == stored
    assert col.due_counts(NOW)["tiny"].review == 1  # due now for the exam; FSRS alone: in 3 days
    col.close()


def run_retain(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_check_and_the_loader_say_it_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        "[exam.kafka]\ndate = 2020-01-01\n[exam.nothing]\ndate = 2099-01-01\n"
    )
    proc = run_retain("check", home=tmp_path)
    lines = [ln for ln in proc.stdout.splitlines() if "exam" in ln]
    assert proc.returncode == 0
    assert lines == [
        f"{tmp_path / 'config.toml'}: warning: config: [exam.kafka] date 2020-01-01 has passed;"
        " normal scheduling is back (remove it from config.toml)",
        f"{tmp_path / 'config.toml'}: warning: config: [exam.nothing] names no deck id or group in the library",
    ]
    (tmp_path / "config.toml").write_text('[exam.kafka]\ndate = "next tuesday"\n')
    for command in ("check", "due", "stats"):
        proc = run_retain(command, home=tmp_path)
        assert proc.returncode == 2
        assert proc.stderr.strip().count("\n") == 0 and "Traceback" not in proc.stderr
        assert "`exam.kafka.date` must be a date like 2026-12-15, got 'next tuesday'" in proc.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--ahead", "0"], "--ahead takes 1 to 365 days, not 0"),
        (["--query", "is:nope"], "--query: is:nope is unknown"),
        (["--cram"], "--cram needs the decks or groups to cram"),
        (["--forgotten", "--cram"], "not allowed with argument"),
    ],
)
def test_review_custom_options_refuse_bad_input_in_one_line(
    tmp_path: Path, args: list[str], message: str
) -> None:
    proc = run_retain("review", *args, home=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr and proc.stderr.strip().count("\n") == 0
