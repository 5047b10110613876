"""What the import's speed-ups must keep: the same refusals, kinds, ids and output.

`validate_state` checks the 200-year limit only for a date near it; the .apkg reader works a
note type's kind out once; the CLI imports the progress store's modules only for an import
with history. These pin what each of them must not change.
"""

from __future__ import annotations

import gc
import sqlite3
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.state import REVIEW, CardState, StateError, _years_after, validate_state

from .anki_fixture import LEGACY, changed_package, read_history
from .conftest import run_cli

# -- validate_state at the 200-year limit --------------------------------------------------------

_ZONES = [
    UTC,
    timezone(timedelta(hours=14)),
    timezone(timedelta(hours=-12)),
    timezone(timedelta(minutes=-30)),
]
_NOWS = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone),
    st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(9998, 12, 31)),
    st.sampled_from(_ZONES),
)


def _ref_limit_check(state: CardState, now: datetime) -> str:
    """The rule as written out: a date later than 200 years after `now` is refused."""
    limit = _years_after(now, 200)
    for name, value in (("due", state.due), ("last_review", state.last_review)):
        if value is not None and value > limit:
            return f"{name} is absurdly far in the future"
    return ""


@given(_NOWS, st.integers(-3 * 86400, 3 * 86400), st.integers(-3 * 86400, 3 * 86400), st.booleans())
def test_dates_around_the_limit_are_refused_as_the_rule_says(
    now: datetime, due_s: int, last_s: int, with_last: bool
) -> None:
    """Every UTC date within days of the limit, `now` in any zone (its year is not UTC's at New Year)."""
    limit = _years_after(now, 200).astimezone(UTC)
    try:
        due = limit + timedelta(seconds=due_s)
        last = limit + timedelta(seconds=last_s) if with_last else now.astimezone(UTC)
    except OverflowError:
        return  # (past year 9999: no datetime holds it)
    state = CardState(REVIEW, None, 3.0, 5.0, due, last, 1, 0)
    expected = _ref_limit_check(state, now)
    try:
        got = validate_state(state, now)
    except StateError as exc:
        assert str(exc) == expected
    else:
        assert expected == ""
        assert got is state


def test_new_years_eve_in_a_zone_ahead_of_utc() -> None:
    """`now` in 2027 in its zone but 2026 in UTC: a due 10 hours past the limit is refused."""
    now = datetime(2027, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=14)))  # 2026-12-31 11:00 UTC
    due = _years_after(now, 200).astimezone(UTC) + timedelta(hours=10)  # 2226-12-31 21:00 UTC
    assert due.year == 2226
    with pytest.raises(StateError, match="absurdly far in the future"):
        validate_state(CardState(REVIEW, None, 3.0, 5.0, due, now.astimezone(UTC), 1, 0), now)


@given(st.sampled_from([float("nan"), float("inf"), -1.0, 0.0, 1e6 + 1, True, 3, None]))
def test_odd_stabilities_are_refused_or_taken_as_before(value: object) -> None:
    """The float fast path leaves every other value to the full check (ints are numbers)."""
    t = datetime(2026, 5, 1, tzinfo=UTC)
    state = CardState(REVIEW, None, value, 5.0, t, t, 1, 0)  # type: ignore[arg-type]
    if value == 3:
        assert validate_state(state, t) is state
    else:
        with pytest.raises(StateError, match="stability"):
            validate_state(state, t)
    local = replace(state, stability=2.0, due=t.astimezone(timezone(timedelta(hours=2))))
    assert validate_state(local, t).due.tzinfo is UTC  # type: ignore[union-attr]


# -- the .apkg reader: a note type's kind once, each note's own cards ----------------------------

_REVERSED_TYPE = 1795857294863
_REVERSED_NOTE = 1795857295147


def _one_sided_copy(conn: sqlite3.Connection) -> None:
    """A second note of the reversed type with only its first card in the package."""
    conn.execute(
        "INSERT INTO notes SELECT id + 1000, 'copy-guid-1', mid, mod, usn, tags, flds, sfld, csum, flags, data"
        " FROM notes WHERE id = ?",
        (_REVERSED_NOTE,),
    )
    conn.execute(
        "INSERT INTO cards SELECT id + 1000, nid + 1000, did, ord, mod, usn, type, queue, due, ivl, factor,"
        " reps, lapses, left, odue, odid, flags, data FROM cards WHERE nid = ? AND ord = 0",
        (_REVERSED_NOTE,),
    )


def test_a_reversed_types_note_with_one_card_is_basic_beside_a_reversed_one(tmp_path: Path) -> None:
    bundle = read_history(tmp_path, changed_package(tmp_path, _one_sided_copy))
    kinds = {c.id: c.kind for deck in bundle.decks for c in deck.cards}
    assert kinds["copy-guid-1"] == "basic"  # (a GUID in the id charset is the card's id)
    reversed_ids = [i for i, k in kinds.items() if k == "reversed"]
    assert len(reversed_ids) == 1  # the type's own note keeps both cards


# -- the CLI: the progress store only for an import with history ---------------------------------

_PROBE = """
import sys
from retain.cli import main
code = main(sys.argv[1:])
print("LOADED", "retain.store.collection" in sys.modules, "retain.interop.progress_io" in sys.modules)
sys.exit(code)
"""


def _probe(home: Path, *args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        env={"RETAIN_HOME": str(home), "PATH": "/usr/bin:/bin", "TERM": "dumb"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


def test_an_import_without_history_leaves_the_progress_store_alone(tmp_path: Path) -> None:
    code, out = _probe(tmp_path / "home", "import", str(LEGACY))
    assert code == 0, out
    assert "LOADED False False" in out
    assert "recorded" not in out
    code, out = _probe(tmp_path / "home2", "import", str(LEGACY), "--with-history")
    assert code == 0, out
    assert "recorded 2 event(s) of review history" in out
    assert "LOADED True True" in out


def test_a_dry_run_with_history_still_counts_it(tmp_path: Path) -> None:
    code, out = _probe(tmp_path / "home", "import", str(LEGACY), "--dry-run", "--with-history")
    assert code == 0, out
    assert "would record 2 event(s)" in out and "dry run: nothing written" in out


def test_the_collector_is_on_again_after_an_import(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert gc.isenabled()
    code, _out, err = run_cli(capsys, "import", str(LEGACY), "--with-history")
    assert code == 0, err
    assert gc.isenabled()
    gc.disable()
    try:  # a caller that had it off keeps it off
        assert run_cli(capsys, "import", str(LEGACY), "--with-history")[0] == 0
        assert not gc.isenabled()
    finally:
        gc.enable()
