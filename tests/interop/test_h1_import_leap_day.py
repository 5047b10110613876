"""`import --with-history` of a review logged on 28 February 2000, and the reader's fast paths.

The store refuses a state dated more than 200 years after its event (plus a day of clock
skew); that limit was `replace(year=+200)` of 29 February 2000, a date 2200 has not, and the
ValueError ended the import in a traceback (the decks written, the history not). The limit of
a 29 February is now 28 February 200 years on.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.interop.anki.apkg_history import _clean

from .anki_fixture import changed_package
from .conftest import run_cli

REVIEWED = 1_795_857_295_140  # the fixture's one review card (two log rows)


def _logged_on(tmp_path: Path, moment: datetime) -> Path:
    """The legacy fixture package with its review card's log moved to start at `moment`."""
    return changed_package(
        tmp_path,
        lambda conn: conn.execute(
            "UPDATE revlog SET id = id - (SELECT min(id) FROM revlog) + ? WHERE cid = ?",
            (int(moment.timestamp() * 1000), REVIEWED),
        ),
    )


@pytest.mark.parametrize(
    "day", [datetime(2000, 2, 28, 10, tzinfo=UTC), datetime(2000, 2, 29, 10, tzinfo=UTC)]
)
def test_a_review_logged_around_29_february_2000_is_imported(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], day: datetime
) -> None:
    package = _logged_on(tmp_path, day)
    code, out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    assert "recorded 2 event(s) of review history" in out
    journals = list((home / "state" / "devices").glob("import-*/journal-2000-0*.toml"))
    assert journals and f"t={day:%Y-%m-%d}T10:00:00Z" in journals[0].read_text(encoding="utf-8")


def _ref_clean(s: float, d: float) -> tuple[float, float]:
    s = float(s) if math.isfinite(s) and s > 0 else 0.001
    d = min(10.0, max(1.0, float(d))) if math.isfinite(d) else 5.0
    return min(max(s, 0.001), 1e6), d  # (0.001: FSRS-6's least stability)


memory = st.floats(allow_nan=True, allow_infinity=True) | st.floats(0.0, 12.0) | st.integers(-2, 11)


@given(memory, memory)
def test_the_memory_bounds_are_the_reference(s: float, d: float) -> None:
    """FSRS memory is kept in the store's bounds: a value in them as it is (the fast path)."""
    got, expected = _clean(s, d), _ref_clean(s, d)
    assert got == expected and [type(v) for v in got] == [type(v) for v in expected]
