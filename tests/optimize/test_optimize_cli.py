"""`retain optimize` as a user runs it: real files, the real history index, config.toml rewritten."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from optimize_home import NOW, make_home

from retain.cli import main
from retain.store.collection import Collection
from retain.store.config import load_config
from retain.store.home import open_home

COMMENTED = "# my settings\n[study]\ndesired_retention = 0.9  # keep this comment\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_home(tmp_path_factory.mktemp("opt") / "home")


@pytest.fixture
def home(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = tmp_path / "home"
    shutil.copytree(built, root)
    (root / "config.toml").write_text(COMMENTED, encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(root))
    yield root


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["optimize", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def states(root: Path) -> dict[str, tuple[float | None, object]]:
    col = Collection.open(open_home({"RETAIN_HOME": str(root)}), NOW, read_only=True)
    try:
        return {k: (s.stability, s.due) for k, s in col.states.items()}
    finally:
        col.close()


def test_optimize_all_saves_better_weights_keeping_comments(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "--all", "--no-reschedule")
    assert code == 0, err
    assert "preset default" in out and "log loss" in out and "RMSE" in out and "better, saved" in out
    text = (home / "config.toml").read_text()
    assert text.startswith(COMMENTED.rstrip("\n")) and "# keep this comment" in text
    config = load_config(home / "config.toml")
    weights = config.for_deck("alpha").parameters
    assert weights is not None and len(weights) == 21
    # a second run is not better than the weights it just fitted: nothing changes
    code, out, _ = run(capsys, "--all", "--no-reschedule")
    assert code == 0 and "not better, kept the current weights" in out
    assert load_config(home / "config.toml").for_deck("alpha").parameters == weights


def test_dry_run_and_simulate_write_nothing(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "alpha", "--dry-run")
    assert code == 0 and "dry run: not saved" in out
    code, out, _ = run(capsys, "Tests", "--simulate")
    assert code == 0
    rows = [
        line
        for line in out.splitlines()
        if line.strip()[:4] in ("0.70", "0.75", "0.80", "0.85", "0.90", "0.95", "0.97")
    ]
    assert len(rows) == 7 and "<- desired retention" in out
    assert "suggestion: desired retention 0." in out
    assert (home / "config.toml").read_text() == COMMENTED


@pytest.mark.parametrize("flag", ["--dry-run", "--simulate"])
def test_dry_run_and_simulate_need_no_writer_lock(
    home: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    """They write nothing, yet stopped with "cannot take the writer lock" (exit 2) where the state
    folder cannot be written (here the lock file cannot be made: a folder is in its place)."""
    lock = home / "state" / "writer.lock"
    lock.unlink(missing_ok=True)
    lock.mkdir(parents=True)
    code, _out, err = run(capsys, "--all", flag)
    assert code == 0, err
    assert "writer lock" not in err
    assert (home / "config.toml").read_text() == COMMENTED


def test_simulate_suggests_nothing_when_nothing_is_retained(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With new_per_day = 0 every simulated retention retains 0 cards (min/retained `inf`): the
    output used to suggest "desired retention 0.70 needs the least time per retained card"."""
    (home / "config.toml").write_text("[study]\nnew_per_day = 0\n", encoding="utf-8")
    code, out, err = run(capsys, "alpha", "--simulate")
    assert code == 0, err
    assert "inf" in out  # nothing retained at any retention
    assert "suggestion: desired retention" not in out and "needs the least time" not in out
    (reason,) = [line for line in out.splitlines() if "no suggestion" in line]
    assert reason.strip() == (
        "no suggestion: nothing is retained at any retention "
        "(the simulation starts from new cards, and new_per_day is 0)"
    )


def test_reschedule_backs_up_shows_the_backlog_and_undoes(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = states(home)
    code, out, err = run(capsys, "--all", "--reschedule")
    assert code == 0, err
    assert "due in the next 7 days:" in out and "rescheduled" in out
    assert list((home / "state" / "backups").glob("reschedule-*/devices"))
    after = states(home)
    assert after != before and after.keys() == before.keys()
    code, out, _ = run(capsys, "--undo-reschedule")
    assert code == 0 and "put back the previous state of" in out
    restored = states(home)
    for key, (stability, due) in before.items():
        assert restored[key][1] == due
        assert restored[key][0] == pytest.approx(stability, rel=1e-5)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        ((), "name one deck id or group, or --all"),
        (("alpha", "--all"), "name one deck id or group, or --all"),
        (("--all", "--since", "last week"), "--since wants a date"),
        (("nosuchdeck",), "no deck or group named 'nosuchdeck'"),
    ],
)
def test_bad_arguments_are_one_line(
    home: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needle: str
) -> None:
    code, _out, err = run(capsys, *args)
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert (home / "config.toml").read_text() == COMMENTED


def test_too_few_reviews_is_one_line_and_writes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "config.toml").write_text(COMMENTED + '[presets.other]\n[decks.beta]\npreset = "other"\n')
    code, out, _ = run(capsys, "beta")
    assert code == 0
    assert "preset other" in out and "no reviews to learn from" in out
    assert "parameters" not in (home / "config.toml").read_text()


def test_ignore_reviews_before_a_date(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "alpha", "--dry-run", "--since", NOW.date().isoformat())
    assert code == 0 and "0 reviews of 0 cards" in out and "no reviews to learn from" in out


def test_missing_preset_warns_and_uses_default(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "config.toml").write_text(COMMENTED + '[decks.alpha]\npreset = "gone"\n')
    code, out, err = run(capsys, "alpha", "--dry-run")
    assert code == 0
    assert "preset 'gone', which is not defined; using default" in err
    assert "preset default" in out


def test_bad_weights_in_config_are_one_line(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (home / "config.toml").write_text("[presets.default]\nparameters = [1, 2, nan]\n")
    code, _, err = run(capsys, "--all")
    assert code == 2 and "presets.default.parameters" in err and len(err.strip().splitlines()) == 1


def test_the_reschedule_hint_reschedules_with_the_kept_weights(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """After saving, optimize says "`retain optimize ... --reschedule` reschedules them"; running
    that refits, finds the saved weights not better, and used to reschedule nothing."""
    code, out, _ = run(capsys, "alpha", "--no-reschedule")
    assert code == 0 and "saved to [presets.default]" in out and "--reschedule` reschedules them" in out
    saved = load_config(home / "config.toml").for_deck("alpha").parameters
    before = states(home)
    code, out, err = run(capsys, "alpha", "--reschedule")
    assert code == 0, err
    assert "not better, kept the current weights" in out
    assert "rescheduling with the current weights would change" in out and "rescheduled" in out
    assert load_config(home / "config.toml").for_deck("alpha").parameters == saved
    assert states(home) != before
    # the same weights again change nothing; --dry-run only says so, and no flag never reschedules
    code, out, _ = run(capsys, "alpha", "--reschedule")
    assert code == 0 and "would change 0 card(s)" in out and "rescheduled" not in out
    code, out, _ = run(capsys, "alpha", "--reschedule", "--dry-run")
    assert code == 0 and "not better" in out and "would change 0 card(s)" in out
    code, out, _ = run(capsys, "alpha", "--no-reschedule")
    assert code == 0 and "not better" in out and "would change" not in out


def test_the_reschedule_question_goes_to_the_terminal_not_into_the_output(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`input()` wrote the question to stdout: with `> log` it went into the file, and the
    command seemed to hang, waiting for an answer nobody saw asked."""
    import io
    import sys

    answers = io.StringIO("n\n")
    monkeypatch.setattr(answers, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys, "stdin", answers)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)  # stdout: not a terminal
    code, out, err = run(capsys, "alpha")
    assert code == 0, err
    assert "reschedule them with the new weights? [y/N]" in err
    assert "reschedule them" not in out and "not rescheduled" in out


def test_no_question_when_stderr_is_not_a_terminal(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No terminal to ask on: nothing waits for an answer; the hint says how to reschedule."""
    import io
    import sys

    answers = io.StringIO("y\n")
    monkeypatch.setattr(answers, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys, "stdin", answers)
    code, out, err = run(capsys, "alpha")
    assert code == 0, err
    assert "[y/N]" not in out + err and "--reschedule` reschedules them" in out
    assert answers.read() == "y\n"


def test_no_question_when_another_retain_is_writing(
    home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the TUI open, `optimize` asked "reschedule them? [y/N]" and only after a yes said
    that another retain is writing: the answer could never be acted on."""
    import io
    import sys

    from retain.store.state.lock import WriterLock

    answers = io.StringIO("y\n")
    monkeypatch.setattr(answers, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(sys, "stdin", answers)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    other = WriterLock(home / "state")
    assert other.acquire(NOW)  # another retain holds the progress
    try:
        code, _out, err = run(capsys, "alpha")
    finally:
        other.release()
    assert code == 1 and "[y/N]" not in err and "another retain is writing" in err
    assert answers.read() == "y\n"  # nothing was asked


def test_a_read_only_config_is_said_before_fitting(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The read-only config.toml was found only when the weights were saved, after every
    preset's fit had run (minutes on a big history)."""
    config = home / "config.toml"
    config.chmod(0o444)
    try:
        code, out, err = run(capsys, "alpha")
    finally:
        config.chmod(0o644)
    assert code == 1 and "read-only" in err and "--dry-run" in err and len(err.strip().splitlines()) == 1
    assert out == ""  # no fit ran
    assert config.read_text() == COMMENTED
    code, out, _err = run(capsys, "alpha", "--dry-run")  # a dry run saves nothing: it still fits
    assert code == 0 and "preset" in out
