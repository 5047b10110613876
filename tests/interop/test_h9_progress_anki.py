"""Progress that travels with a deck to Anki and back (h9): the review log an `.apkg` carries is
the one Anki itself writes (each row's `lastIvl` the interval before it, so Anki's statistics
split young and mature reviews as retain's do), and a card reset to new stays new: Anki gets its
"Reset" row, and an Anki "Forget" comes into retain as a reset after the reviews before it."""

from __future__ import annotations

import itertools
import json
import random
import sqlite3
import subprocess
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.core.state import REVIEW
from retain.interop import progress_io
from retain.interop.bundle import Review
from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.interop.native import deck_file_text
from retain.store.collection import Collection
from retain.store.home import Home, open_home
from retain.store.state.progress_edits import reset_progress

from .anki_fixture import ANKI_PYTHON

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
DECK = Deck(
    id="h9",
    name="H9",
    cards=(
        *(Card(id=f"c{i}", front=f"q{i}", back=f"a{i}") for i in range(4)),
        Card(id="r", kind="reversed", front="rq", back="ra"),
    ),
)


def _home(root: Path) -> Home:
    (root / "decks").mkdir(parents=True)
    (root / "decks" / "h9.toml").write_text(deck_file_text(DECK), "utf-8")
    return open_home({"RETAIN_HOME": str(root)})


def _study(home: Home, seed: int, days: int = 90, easy: bool = False) -> None:
    """Sessions every few days through the store's session API (what the TUI drives)."""
    rnd = random.Random(seed)
    day = days
    while day > 0:
        at = NOW - timedelta(days=day, hours=rnd.randint(0, 6))
        with Collection.open(home, at, tz=UTC) as col:
            session = col.start_session(["h9"], at)
            for _ in range(30):
                if session.refresh(at) is None:
                    break
                session.reveal()
                rating = 4 if easy else rnd.choice([1, 2, 3, 3, 3, 4])
                session.rate(rating, at, rnd.randint(500, 9000))
                at += timedelta(minutes=rnd.randint(1, 12))
        day -= rnd.randint(1, 9)


def _export(home: Home, out: Path) -> Path:
    states, reviews = progress_io.deck_progress(home, "h9", NOW)
    export_decks([DECK], out, now=NOW, states=states, reviews=reviews, decks_dir=home.paths.decks_dir)
    return out


def _revlog(package: Path, tmp: Path) -> dict[int, list[tuple[int, int, int, int, int, int]]]:
    """The package's review log per card: (id, ease, ivl, lastIvl, factor, type), in time order."""
    db_path = tmp / "revlog.anki2"
    with zipfile.ZipFile(package) as zf:
        db_path.write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute(
            "SELECT cid, id, ease, ivl, lastIvl, factor, type FROM revlog ORDER BY id"
        ).fetchall()
        factors = dict(db.execute("SELECT id, factor FROM cards WHERE type = 2").fetchall())
    finally:
        db.close()
    out: dict[int, list[tuple[int, int, int, int, int, int]]] = {}
    for cid, *row in rows:
        out.setdefault(cid, []).append(tuple(row))
    out[-1] = [(cid, 0, 0, 0, f, 0) for cid, f in factors.items()]  # the review cards' own ease
    return out


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000))
def test_each_revlog_row_gives_the_interval_before_it_as_anki_writes_it(seed: int) -> None:
    """Anki's `lastIvl` is the interval the card had before the answer (0 for a new card, minus
    the step's seconds while learning), which its graphs and true retention split young and
    mature by; and a review or relearning row holds the card's ease after it (a new card's
    learning rows none), so the last row's ease is the card's."""
    with tempfile.TemporaryDirectory() as tmp:
        home = _home(Path(tmp) / "home")
        _study(home, seed)
        logs = _revlog(_export(home, Path(tmp) / "h9.apkg"), Path(tmp))
        card_factor = {cid: f for cid, *_, f, _t in logs.pop(-1)}
        assert logs
        for cid, rows in logs.items():
            assert rows[0][3] == 0, rows[0]  # the first answer: a new card's
            for earlier, row in itertools.pairwise(rows):
                # after Hard on a first step, Anki logs the step (1m; relearning 10m), not Hard's wait
                hard_first = earlier[1] == 2 and earlier[2] < 0 and -row[3] in (60, 600)
                assert row[3] == earlier[2] or hard_first, (earlier, row)
            for _id, _ease, _ivl, _last, factor, typ in rows:
                assert (factor == 0) == (typ == 0), rows
            if cid in card_factor:
                assert rows[-1][4] == card_factor[cid]


def _mature_reviews(home: Home) -> int:
    """retain's count of reviews of mature cards (interval of 21 days or more before the review)."""
    with Collection.open(home, NOW, tz=UTC) as col:
        events = col.history(NOW)
    return sum(
        1
        for e in events
        if e.kind == "review"
        and e.before is not None
        and e.before.state == REVIEW
        and e.before.due is not None
        and e.before.last_review is not None
        and round((e.before.due - e.before.last_review) / timedelta(days=1)) >= 21
    )


ANKI_STATS = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions

col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(
    package_path=sys.argv[1], options=ImportAnkiPackageOptions(with_scheduling=True)))
tr = col._backend.graphs(search="", days=3650).true_retention.all_time
print(json.dumps({"mature": tr.mature_passed + tr.mature_failed,
                  "reviews": col.db.scalar("select count() from revlog where type = 1")}))
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_anki_counts_the_mature_reviews_retain_counts(tmp_path: Path) -> None:
    home = _home(tmp_path / "home")
    _study(home, 3, days=200, easy=True)
    expected = _mature_reviews(home)
    assert expected > 0
    script = tmp_path / "anki_stats.py"
    script.write_text(ANKI_STATS)
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), str(_export(home, tmp_path / "h9.apkg"))],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[-1])["mature"] == expected


def _import(root: Path, package: Path) -> tuple[list[Review], Home]:
    dst = open_home({"RETAIN_HOME": str(root)})
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(package, Path(stage), with_history=True)
        apply_import(plan_import(bundle, dst.library(), dst.paths.decks_dir), dst.paths.decks_dir)
        progress_io.record_history(dst, bundle.reviews, NOW)
    return list(bundle.reviews), dst


@pytest.mark.parametrize("studied_again", [False, True])
def test_a_card_reset_to_new_stays_new_through_an_apkg_with_its_reviews(
    tmp_path: Path, studied_again: bool
) -> None:
    src = _home(tmp_path / "src")
    _study(src, 11, days=30)
    states, _ = progress_io.deck_progress(src, "h9", NOW)
    reviewed = sorted(k for k, s in states.items() if s is not None and not s.is_new)
    assert reviewed
    gone = reviewed[0]
    at = NOW - timedelta(hours=3)
    with Collection.open(src, at, tz=UTC) as col:
        reset_progress(col, [gone], at)
    if studied_again:  # learned again from new after the reset: its new history starts there
        with Collection.open(src, at + timedelta(hours=1), tz=UTC) as col:
            session = col.start_session(["h9"], at + timedelta(hours=1))
            unit = session.refresh(at + timedelta(hours=1))
            while unit is not None and unit.key != gone:
                session.bury(at + timedelta(hours=1))
                unit = session.refresh(at + timedelta(hours=1))
            assert unit is not None
            session.reveal()
            session.rate(4, at + timedelta(hours=1), 1000)
    with Collection.open(src, NOW, tz=UTC) as col:
        ratings = [(e.key, e.time, e.rating) for e in col.history(NOW) if e.kind == "review"]
        expected = col.states.get(gone)
    package = _export(src, tmp_path / "h9.apkg")

    logs = _revlog(package, tmp_path)  # Anki's "Reset" row: manual, no rating, interval 0
    resets = [
        row
        for cid, rows in logs.items()
        if cid != -1
        for row in rows
        if (row[5], row[1], row[2]) == (4, 0, 0)
    ]
    assert len(resets) == 1

    reviews, dst = _import(tmp_path / "dst", package)
    after, _ = progress_io.deck_progress(dst, "h9", NOW)
    if expected is None:
        assert after.get(gone) is None or after[gone].is_new
    else:
        got = after[gone]
        assert (got.state, got.reps, got.lapses) == (expected.state, 1, 0)  # counted from new again
        assert got.due is not None and expected.due is not None
        assert abs(got.due - expected.due) < timedelta(seconds=1)
        assert got.stability is not None and expected.stability is not None
        assert got.stability == pytest.approx(expected.stability, rel=1e-3)  # replayed from new
    assert all(after.get(k) is not None and not after[k].is_new for k in reviewed[1:])
    back = sorted((r.key, r.time, r.rating) for r in reviews if r.kind == "review")
    assert back == sorted((k, t.replace(microsecond=t.microsecond // 1000 * 1000), n) for k, t, n in ratings)
