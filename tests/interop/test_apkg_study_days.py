""".apkg due days: a review card's due is an Anki day number, counted from the collection's
creation (`crt`) as Anki counts it: 4 am local time (Anki's rollover), the date `crt` falls on in
its `creationOffset` zone. A card exported and imported again, by retain or by Anki, comes due on
the study day it was due."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import tempfile
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.interop import progress_io
from retain.interop.anki.ankidb import AnkiCard
from retain.interop.anki.apkg_history import AnkiDays, card_state
from retain.interop.bundle import Review
from retain.interop.exporter import export_decks
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON
from .conftest import run_cli

ZONES = ["UTC", "America/Los_Angeles", "Pacific/Auckland", "Asia/Kolkata"]
# a card due just after the day begins, at noon-ish, and just before the next day begins
OFFSETS = {"early": timedelta(minutes=1), "mid": timedelta(hours=8), "late": timedelta(hours=23, minutes=59)}


def _rollover(root: Path, hour: int) -> None:
    root.mkdir(parents=True, exist_ok=True)
    (root / "config.toml").write_text(f"rollover_hour = {hour}\n")


ROUND_TRIPS = [(zone, 4) for zone in ZONES] + [
    (zone, hour) for zone in ("UTC", "America/Los_Angeles", "Pacific/Auckland") for hour in (0, 23)
]


@pytest.mark.parametrize(("zone", "hour"), ROUND_TRIPS)
def test_apkg_progress_round_trip_keeps_the_study_day_a_card_is_due(
    zone: str,
    hour: int,
    tmp_path: Path,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A review card due on study day D (rollover 4 am) used to come back from `export -o X.apkg
    --with-progress` / `import --with-history` due at 00:00 UTC of D: study day D-1 in UTC and
    west of it, a day early. With another rollover hour the package counted 4 am days."""
    monkeypatch.setenv("TZ", zone)
    day = StudyDay(hour, ZoneInfo(zone))
    _rollover(home, hour)
    deck = Deck("geo", "Geo", cards=tuple(Card(k, front=f"Q {k}?", back=k) for k in OFFSETS))
    src = tmp_path / "src" / "geo.toml"
    src.parent.mkdir()
    src.write_text(deck_to_toml(deck))
    assert run_cli(capsys, "import", str(src))[0] == 0
    now = datetime.now(UTC)
    at = now - timedelta(hours=1)
    begins = day.start_of(day.today(now) + timedelta(days=5))
    dues = {f"geo/{k}": begins + off for k, off in OFFSETS.items()}
    reviews = []
    for key, due in dues.items():
        good = Scheduler(StudySettings()).preview(key, None, at)[3]
        after = replace(good, state=REVIEW, step=None, due=due, last_review=at)
        reviews.append(Review(key, at, after, None, "review", 3, 900))
    progress_io.record_history(open_home({"RETAIN_HOME": str(home)}), reviews, now)
    out = tmp_path / "geo.apkg"
    code, _, err = run_cli(capsys, "export", "geo", "-o", str(out), "--with-progress")
    assert code == 0, err
    other = tmp_path / "other-home"
    _rollover(other, hour)
    monkeypatch.setenv("RETAIN_HOME", str(other))
    code, _, err = run_cli(capsys, "import", str(out), "--with-history")
    assert code == 0, err
    got = progress_io.deck_progress(open_home({"RETAIN_HOME": str(other)}), "geo", now)[0]
    for key, due in dues.items():
        back = got[key].due
        assert back is not None
        assert day.of(back) == day.of(due), (key, back, due)


@pytest.mark.parametrize("zone", ["UTC", "America/Los_Angeles", "Pacific/Auckland"])
@pytest.mark.parametrize("hour", [0, 4, 23])
@pytest.mark.parametrize("clock", [1, 12, 22])  # the local hour of the export
def test_a_package_counts_due_days_by_the_rollover_hour_it_was_made_with(
    zone: str, hour: int, clock: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Export and import at a given local hour, both with `rollover_hour = hour`: every card comes
    back due on the study day it was due (the package counted 4 am days: with a day that begins at
    midnight or 11 pm, a card due between the two came back a day early or late)."""
    monkeypatch.setenv("TZ", zone)
    tz = ZoneInfo(zone)
    day = StudyDay(hour, tz)
    now = datetime(2026, 12, 2, clock, 30, tzinfo=tz).astimezone(UTC)
    begins = day.start_of(day.today(now) + timedelta(days=5))
    deck = Deck("geo", "Geo", cards=tuple(Card(k, front=f"Q {k}?", back=k) for k in OFFSETS))
    dues = {f"geo/{k}": begins + off for k, off in OFFSETS.items()}
    states = {
        key: CardState(REVIEW, None, 10.0, 5.0, due, now - timedelta(days=3), 2, 0)
        for key, due in dues.items()
    }
    reviews = [
        Review(key, now - timedelta(days=3), state, None, "review", 3, 900) for key, state in states.items()
    ]
    out = tmp_path / "geo.apkg"
    export_decks([deck], out, now=now, states=states, reviews=reviews, rollover_hour=hour)
    stage = tmp_path / "stage"
    stage.mkdir()
    from retain.interop.importer import read_file

    bundle = read_file(out, stage, with_history=True, rollover_hour=hour)
    back = {r.key: r.after for r in bundle.reviews}
    for key, due in dues.items():
        state = back[key]
        assert state is not None and state.due is not None
        assert day.of(state.due) == day.of(due), (key, state.due, due)


def _package_crt(path: Path) -> tuple[int, dict[str, object], list[int]]:
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as zf:
        db = Path(zf.extract("collection.anki2", tmp))
        conn = sqlite3.connect(db)
        crt, conf = conn.execute("SELECT crt, conf FROM col").fetchone()
        dues = [row[0] for row in conn.execute("SELECT due FROM cards ORDER BY id")]
        conn.close()
    return crt, json.loads(conf), dues


@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York", "Asia/Tokyo"])
def test_a_package_is_made_at_4_am_local_with_its_zone_as_anki_makes_one(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone)
    tz = ZoneInfo(zone)
    now = datetime(2026, 3, 28, 2, 30, tzinfo=tz)  # before the rollover: still the 27th's study day
    due = datetime(2026, 4, 2, 3, 0, tzinfo=tz)  # study day April 1st (Berlin: DST began in between)
    state = CardState(REVIEW, None, 10.0, 5.0, due.astimezone(UTC), now.astimezone(UTC), 2, 0)
    deck = Deck("geo", "Geo", cards=(Card("fr", front="Capital of France?", back="Paris"),))
    out = tmp_path / "geo.apkg"
    export_decks([deck], out, now=now.astimezone(UTC), states={"geo/fr": state})
    crt, conf, dues = _package_crt(out)
    made = datetime(2026, 3, 27, 4, 0, tzinfo=tz)
    assert datetime.fromtimestamp(crt, tz) == made
    offset = made.utcoffset()
    assert offset is not None and conf["creationOffset"] == -int(offset.total_seconds()) // 60
    assert dues == [5]  # March 27th -> April 1st


def test_anki_day_numbers_are_dates_in_the_creation_zone_from_4_am_local() -> None:
    """Day n begins at 4 am local time on crt's date (in its `creationOffset` zone) plus n days:
    DST between the two does not move the card to the evening before."""
    berlin = ZoneInfo("Europe/Berlin")
    crt = int(datetime(2026, 7, 1, 4, 0, tzinfo=berlin).timestamp())  # summer: UTC+2
    days = AnkiDays(crt, -120, berlin)
    start = days.start(150)  # late November: UTC+1
    assert start is not None
    assert datetime.fromtimestamp(start, berlin) == datetime(2026, 11, 28, 4, 0, tzinfo=berlin)
    # made in Tokyo (crt 4 am there, the evening before in UTC), read in New York
    tokyo_crt = int(datetime(2026, 12, 2, 4, 0, tzinfo=ZoneInfo("Asia/Tokyo")).timestamp())
    ny = ZoneInfo("America/New_York")
    start = AnkiDays(tokyo_crt, -540, ny).start(5)
    assert start is not None and StudyDay(4, ny).of(datetime.fromtimestamp(start, UTC)) == date(2026, 12, 7)
    # without `creationOffset`: the reader's zone, and a UTC-midnight crt (retain's old packages) in UTC
    assert AnkiDays(crt, None, berlin).start(150) == days.start(150)
    old = int(datetime(2026, 12, 2, tzinfo=UTC).timestamp())
    start = AnkiDays(old, None, ny).start(5)
    assert start is not None and StudyDay(4, ny).of(datetime.fromtimestamp(start, UTC)) == date(2026, 12, 7)
    assert AnkiDays(crt, None, berlin).start(10**9) is None  # no date: left out, never a traceback


def test_card_state_takes_its_due_day_from_anki_days() -> None:
    card = AnkiCard(1, 1, 1, 0, 2, 2, 3, 30, 2500, 2, 0, "")
    crt = int(datetime(2026, 1, 1, 4, tzinfo=UTC).timestamp())
    state = card_state(card, AnkiDays(crt, 0, UTC), None, datetime(2026, 1, 1, tzinfo=UTC))
    assert state is not None and state.due == datetime(2026, 1, 4, 4, tzinfo=UTC)


ANKI_DUE = r"""
import json, os, sys, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1],
    options=ImportAnkiPackageOptions(with_scheduling=True)))
print(json.dumps([due - col.sched.today for due in col.db.list("SELECT due FROM cards ORDER BY id")]))
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.parametrize("zone", ["America/Los_Angeles", "Asia/Tokyo"])
def test_anki_puts_an_exported_card_on_the_study_day_it_was_due(
    zone: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TZ", zone)
    day = StudyDay(4, ZoneInfo(zone))
    now = datetime.now(UTC)
    begins = day.start_of(day.today(now) + timedelta(days=5))
    deck = Deck("geo", "Geo", cards=tuple(Card(k, front=f"Q {k}?", back=k) for k in OFFSETS))
    states = {
        f"geo/{k}": CardState(REVIEW, None, 10.0, 5.0, begins + off, now - timedelta(days=3), 2, 0)
        for k, off in OFFSETS.items()
    }
    out = tmp_path / "geo.apkg"
    export_decks([deck], out, now=now, states=states)
    script = tmp_path / "anki_due.py"
    script.write_text(ANKI_DUE)
    proc = subprocess.run(
        [str(ANKI_PYTHON), str(script), str(out)], capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == [5, 5, 5]
