"""Hostile review history (a stranger's sidecar, a crafted review log): each bad record is left
out with a warning or counted, never a traceback, and the rest of the history goes in whole."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.interop import progress_io
from retain.interop.bundle import Review
from retain.store.home import open_home

from .conftest import run_cli

NOW = datetime.now(UTC).replace(microsecond=0)
DECK = 'format = 1\n[deck]\nid = "t"\nname = "T"\n' + "".join(
    f'\n[[cards]]\nid = "c{i}"\nfront = "Q{i}"\nback = "A{i}"\n' for i in range(3)
)
GOOD_TIME = (NOW - timedelta(days=2)).isoformat().replace("+00:00", "Z")
GOOD_AFTER = (
    f"{{ state = 2, stability = 3.5, difficulty = 5.0, due = {GOOD_TIME.replace('Z', '')}Z, "
    f"last_review = {GOOD_TIME}, reps = 1, lapses = 0 }}"
)


def _record(
    key: str = '"t/c0"', time: str = GOOD_TIME, rating: str = "3", extra: str = "", after: str = ""
) -> str:
    return (
        f'\n[[review]]\nkey = {key}\nkind = "review"\ntime = {time}\nrating = {rating}\n{extra}'
        f"after = {after or GOOD_AFTER}\n"
    )


HOSTILE = {
    "a key with no card": _record(key='"t"'),
    "a key with two slashes": _record(key='"t/c1/x"'),
    "a key with an escape sequence": _record(key='"t/c1\\u001b[31m"'),
    "a float rating": _record(rating="3.0"),
    "a boolean rating": _record(rating="true"),
    "a boolean answer time": _record(extra="duration_ms = true\n"),
    "a date in year 1": _record(time="0001-01-01T00:00:00Z"),
    "a date before 1970": _record(time="1900-01-01T00:00:00Z"),
    "a suspended flag as text": _record(
        after=GOOD_AFTER.replace("lapses = 0", 'lapses = 0, suspended = "no"')
    ),
    "a buried date that is no date": _record(
        after=GOOD_AFTER.replace("lapses = 0", 'lapses = 0, buried_until = "zzzzzzzzzz"')
    ),
    "reps as a float": _record(after=GOOD_AFTER.replace("reps = 1", "reps = 1.5")),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_a_hostile_sidecar_record_is_skipped_with_a_warning(
    case: str, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = tmp_path / "t.toml"
    deck.write_text(DECK)
    good = _record(key='"t/c2"')
    (tmp_path / "t.progress.toml").write_text(f'format = 1\ndeck = "t"\n{good}{HOSTILE[case]}')
    code, out, err = run_cli(capsys, "import", "--with-history", str(deck))
    assert code == 0, err
    assert "recorded 1 event(s) of review history" in out
    assert "warning: progress record 2 skipped" in err and "\x1b" not in err + out
    code, out, err = run_cli(capsys, "stats", "--json")
    assert code == 0 and err == ""
    assert json.loads(out)["reviews"]["total"] == 1  # the good one, read back from the journal


def _review(key: str, at: datetime, rating: object = 3, duration: object = 900) -> Review:
    after = Scheduler(StudySettings()).preview("t/c0", None, NOW - timedelta(days=2))[3]
    return Review(key, at, after, None, "review", rating, duration)  # type: ignore[arg-type]


def test_the_store_refuses_what_no_reader_takes_and_counts_it(tmp_path: Path) -> None:
    """Whatever reader made them (an .apkg, a sidecar, a future format), the store is the last
    gate: a review it cannot write so that every reader takes it back is left out and counted."""
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "t.toml").write_text(DECK)
    past = NOW - timedelta(days=2)
    reviews = [
        _review("t/c0", past),  # the good one
        _review("t", past),
        _review("t/c1/x", past),
        _review("t/c1", past, rating=True),  # (one time each: an import keeps one review per card and time)
        _review("t/c1", past + timedelta(seconds=1), rating=3.0),
        _review("t/c1", past + timedelta(seconds=2), rating=7),
        _review("t/c1", past + timedelta(seconds=3), duration=True),
        _review("t/c1", past + timedelta(seconds=4), duration=10**9),
        _review("t/c2", datetime(1, 1, 1, tzinfo=UTC)),
        _review("t/c2", datetime(1969, 12, 31, tzinfo=UTC)),
    ]
    home = open_home({"RETAIN_HOME": str(tmp_path)})
    got = progress_io.record_history(home, reviews, NOW)
    assert (got.recorded, got.refused) == (1, 9)
    assert "9 left out: a date, state or rating out of range" in got.note()
    states, history = progress_io.deck_progress(home, "t", NOW)
    assert sorted(states) == ["t/c0"] and [(r.key, r.rating) for r in history] == [("t/c0", 3)]


def test_a_deck_that_cannot_be_written_says_which_decks_went_in(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A full disk (here: a file where the second deck's media folder goes) stops a many-deck
    import midway; the one line says which decks are in, and importing again finishes the job."""
    from .conftest import FIXTURES

    blocker = home / "decks" / "languages-spanish.media"
    blocker.parent.mkdir(parents=True)
    blocker.touch()
    code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "import failed: " in err
    assert "1 of 2 decks were written before it stopped (general-knowledge) and are kept" in err
    assert "import again to finish" in err
    blocker.unlink()
    code, out, err = run_cli(capsys, "import", "--with-history", str(FIXTURES / "layout-latest.apkg"))
    assert code == 0, err
    assert (
        "recorded 2 event(s) of review history" in out
        and (home / "decks" / "languages-spanish.toml").is_file()
    )


def _sidecar(records: int) -> str:
    return 'format = 1\ndeck = "t"\n' + "".join(_record(key=f'"t/c{i % 3}"') for i in range(records))


def test_a_sidecar_is_read_one_record_at_a_time() -> None:
    """A 62 MB sidecar peaked at ~500 MB: the whole file's tables were built at once. Reading
    one `[[review]]` block at a time keeps only the reviews (here: under half the whole parse)."""
    import tomllib
    import tracemalloc

    from retain.interop.history import history_from_toml

    text = _sidecar(6000)
    tracemalloc.start()
    whole = tomllib.loads(text)
    whole_peak = tracemalloc.get_traced_memory()[1]
    del whole
    tracemalloc.reset_peak()
    reviews, warnings = history_from_toml(text, {"t"}, 10_000)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert len(reviews) == 6000 and warnings == []
    assert peak < whole_peak / 2, (peak, whole_peak)


def test_a_broken_record_is_skipped_with_its_line_and_the_rest_read() -> None:
    from retain.interop.history import history_from_toml

    text = _sidecar(3).replace("rating = 3\n", "rating = = 3\n", 1)  # the first record, line 8
    reviews, warnings = history_from_toml(text, {"t"}, 10)
    assert len(reviews) == 2
    assert len(warnings) == 1 and warnings[0].startswith("progress record 1 skipped: line 8")


def test_reviews_in_another_layout_are_refused_in_one_line() -> None:
    from retain.interop.errors import InteropError
    from retain.interop.history import history_from_toml

    with pytest.raises(InteropError, match=r"must be `\[\[review\]\]` tables"):
        history_from_toml('format = 1\nreview = [{ key = "t/c0" }]\n', {"t"}, 10)


@pytest.mark.parametrize("head", ["format = 2", 'format = "1"', "format = true"])
def test_a_sidecar_in_another_format_is_refused_in_one_line(
    head: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newer retain's sidecar (or a hand-edited `format`) was read as this retain's format:
    its records may mean something else. The import is refused in one line, nothing written."""
    (tmp_path / "t.toml").write_text(DECK)
    (tmp_path / "t.progress.toml").write_text(_sidecar(2).replace("format = 1", head, 1))
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, out, err = run_cli(capsys, "import", str(tmp_path / "t.toml"), "--with-history")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "import without --with-history" in err
    assert ("is newer than this retain reads" in err) == (head == "format = 2")
    assert not (tmp_path / "home" / "decks" / "t.toml").exists()
