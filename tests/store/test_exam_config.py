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
from retain.store.exam_config import exam_clashes, exam_name_for, exam_table, past_exams
from retain.store.exams import capped_states, exam_lines, exam_messages, exam_plans


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


@pytest.mark.parametrize(
    ("text", "first", "second", "group"),
    [
        ("[exam.infra]\ndate = 2026-12-15\n[exam.INFRA]\ndate = 2027-01-10\n", "infra", "INFRA", "Infra"),
        (
            '[exam."Big Data"]\ndate = 2026-12-15\n[exam." big  DATA"]\ndate = 2027-01-10\n',
            "Big Data",
            " big  DATA",
            "big data",
        ),
        ("[exam]\nkafka = 2026-12-15\n[exam.KAFKA]\ndate = 2027-01-10\n", "kafka", "KAFKA", "Kafka"),
    ],
)
def test_two_exam_entries_matching_a_group_only_loosely_are_a_one_line_warning(
    text: str, first: str, second: str, group: str
) -> None:
    """Group names match in any case and spacing: when no entry names a group exactly and two do
    loosely, its decks follow the first in the file, which is said (not guessed silently)."""
    exams = parse_config(text).exams  # (the config alone cannot tell: no error, every command runs)
    assert list(exams) == [first, second]
    [line] = exam_clashes(exams, [("k", group), ("j", group)], date(2026, 1, 1))
    assert line == (
        f"config: {exam_table(first)} and {exam_table(second)} match group {group!r} only in case or spacing, so its"
        f" decks follow {exam_table(first)}, the first; name the one you mean exactly as the group"
    )
    assert exam_name_for(exams, "k", group) == first
    assert exam_clashes(exams, [("k", first), ("j", group.upper() + "x")]) == []  # one is exact
    assert exam_clashes(exams, [("k", group)], date(2026, 12, 20)) == []  # one has passed


def test_a_deck_id_and_a_group_named_alike_are_no_clash() -> None:
    """`[exam.ops]` is deck ops's own entry, `[exam.OPS]` group OPS's: each is exact."""
    exams = parse_config("[exam.ops]\ndate = 2099-01-10\n[exam.OPS]\ndate = 2099-03-01\n").exams
    decks = [("ops", "Infra"), ("k8s", "OPS"), ("vault", "OPS")]
    assert exam_clashes(exams, decks) == []
    assert [exam_name_for(exams, d, g) for d, g in decks] == ["ops", "OPS", "OPS"]


def test_a_deck_exam_and_its_like_named_group_exam_still_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deck `ops` (group Infra) has its own exam, group `OPS` (other decks) another: every command
    ran into "name the same deck or group" (exit 2) for a config the resolver reads unambiguously."""
    from retain.cli import main

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    decks = tmp_path / "decks"
    decks.mkdir()
    body = '\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n'
    (decks / "ops.toml").write_text('format = 1\n[deck]\nid = "ops"\ngroup = "Infra"\n' + body, "utf-8")
    (decks / "k8s.toml").write_text('format = 1\n[deck]\nid = "k8s"\ngroup = "OPS"\n' + body, "utf-8")
    (tmp_path / "config.toml").write_text("[exam.ops]\ndate = 2099-01-10\n[exam.OPS]\ndate = 2099-03-01\n")
    for command in ("due", "check"):
        code = main([command])
        said = capsys.readouterr()
        assert code == 0, said.err
        assert "[exam." not in said.err + said.out  # no clash, nothing unknown


def test_the_loader_and_check_say_a_loose_clash(home: Path) -> None:
    h = _home(home, "[exam.tests]\ndate = 2099-01-10\n[exam.TESTS]\ndate = 2099-03-01\n")
    col = open_col(h)
    try:
        [line] = [m for m in col.messages if "exam" in m]
        assert line.startswith("config: [exam.tests] and [exam.TESTS] match group 'Tests' only in case")
        assert exam_messages(col, NOW) == [line]
    finally:
        col.close()
    proc = run_retain("check", home=home)
    assert proc.returncode == 0, proc.stderr
    assert [ln for ln in proc.stdout.splitlines() if "exam" in ln] == [
        f"{home / 'config.toml'}: warning: {line}"
    ]
    now = datetime.now(UTC)  # (the launch summary is of today's study day)
    open_col(h, now).close(now, save_summary=True)  # as the TUI closes; an exam ahead makes it a miss
    due = run_retain("due", home=home)
    assert due.returncode == 0, due.stderr
    assert [ln for ln in due.stderr.splitlines() if "exam" in ln] == [f"retain: warning: {line}"]


def test_a_passed_exam_says_what_its_decks_follow_now() -> None:
    exams = {
        "kafka": ExamSetting(date(2026, 3, 1)),
        "Infra": ExamSetting(date(2026, 4, 20)),
        "redis": ExamSetting(date(2026, 5, 1)),
        "Old": ExamSetting(date(2026, 2, 1)),
    }
    decks = [("kafka", "infra"), ("consul", "Infra"), ("redis", "old"), ("etcd", "Old")]
    today = date(2026, 3, 28)
    tail = " (remove it from config.toml)"
    assert past_exams(exams, today, decks) == [
        "config: [exam.kafka] date 2026-03-01 has passed; its deck follows [exam.Infra] (2026-04-20) now"
        + tail,
        "config: [exam.Old] date 2026-02-01 has passed; its decks follow [exam.redis] (2026-05-01) or"
        " normal scheduling now" + tail,
    ]
    alone = {"kafka": ExamSetting(date(2026, 3, 1))}
    assert past_exams(alone, today, decks) == [
        "config: [exam.kafka] date 2026-03-01 has passed; normal scheduling is back" + tail
    ]
    # without the library a deck's group is unknown: what is said must still hold
    assert (
        "follows its group's exam if one is still ahead, else normal scheduling"
        in past_exams(exams, today)[0]
    )
    assert past_exams(exams, today)[1].endswith("has passed; normal scheduling is back" + tail)  # a group


def test_the_collection_note_names_the_group_exam_a_deck_follows_now(home: Path) -> None:
    h = _home(home, "[exam.tiny]\ndate = 2026-03-01\n[exam.Tests]\ndate = 2026-04-20\n")
    col = open_col(h)
    said = [
        "config: [exam.tiny] date 2026-03-01 has passed; its deck follows [exam.Tests] (2026-04-20) now"
        " (remove it from config.toml)"
    ]
    try:
        assert exam_messages(col, NOW) == said
        assert [m for m in col.messages if "exam" in m] == said  # the note said at every start
    finally:
        col.close()


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
    [note] = [m for m in col.messages if "exam" in m]  # (what its decks follow now: see below)
    assert note.startswith("config: [exam.old] date 2026-01-01 has passed; ")
    assert note.endswith("normal scheduling is back (remove it from config.toml)")
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
    assert len(lines) == 2
    assert lines[0].startswith(
        f"{tmp_path / 'config.toml'}: warning: config: [exam.kafka] date 2020-01-01 has passed;"
    )
    assert lines[0].endswith(" normal scheduling is back (remove it from config.toml)")
    assert lines[1] == (
        f"{tmp_path / 'config.toml'}: warning: config: [exam.nothing] names no deck id or group in the library"
    )
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


def test_check_names_the_group_exam_a_deck_follows_after_its_own(tmp_path: Path) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(DECK, encoding="utf-8")
    (tmp_path / "config.toml").write_text("[exam.tiny]\ndate = 2020-01-01\n[exam.tests]\ndate = 2099-01-01\n")
    proc = run_retain("check", home=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert [ln for ln in proc.stdout.splitlines() if "exam" in ln] == [
        f"{tmp_path / 'config.toml'}: warning: config: [exam.tiny] date 2020-01-01 has passed;"
        " its deck follows [exam.tests] (2099-01-01) now (remove it from config.toml)"
    ]
