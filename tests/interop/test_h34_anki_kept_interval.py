"""h34: an Anki card retain has not answered since its import goes back with the interval Anki
gave it, and so does the log row that set it.

Found: a card reviewed in Anki with SM-2, then "Set due date 3" (which keeps the card's interval
and moves only its due day), went through `import --with-history` and `export --with-progress`
with a different interval: the days from its last review to the new due day (8, not Anki's 15),
in the card and in its manual log row. The interval is a card field SM-2 reads for the next one,
so an Anki user's next intervals changed. Now the import keeps Anki's `ivl` in `DECK.anki.json`
(`cards`, with the factor and counts); the export gives it back for a card retain has not
answered or reset since (and to the last row of Anki's log that set it, and as the `lastIvl` of
retain's first row after it); a card answered in retain since gets retain's interval."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState
from retain.interop.anki.apkg_write import ApkgOptions, write_apkg
from retain.interop.ankikeep import AnkiKeep, KeptCard, keep_path, load_keep, parse_keep, with_kept_cards
from retain.interop.bundle import Review
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON
from .conftest import run_cli

FAKETIME = shutil.which("faketime")

ANKI_SCRIPT = r"""
import json, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer
step, path = sys.argv[1], sys.argv[2]
col = Collection(path)
def answer(did, rating):
    col.decks.select(did)
    while True:
        q = col.sched.get_queued_cards(fetch_limit=1)
        if not q.cards:
            break
        c = col.get_card(q.cards[0].card.id)
        c.start_timer()
        col.sched.answer_card(col.sched.build_answer(card=c, states=q.cards[0].states, rating=rating))
if step == "create":
    col.set_config("fsrs", sys.argv[3] == "fsrs")
    for name in sys.argv[4:]:
        n = col.new_note(col.models.by_name("Basic")); n["Front"] = name; n["Back"] = "x"
        col.add_note(n, col.decks.id("Kept"))
elif step == "answer":
    answer(col.decks.id("Kept"), CardAnswer.EASY)
elif step == "setdue":
    col.sched.set_due_date(col.find_cards("front:" + sys.argv[3]), sys.argv[4])
elif step == "export":
    col.export_anki_package(out_path=sys.argv[3], options=ExportAnkiPackageOptions(
        with_scheduling=True, with_media=False, legacy=False), limit=None)
elif step == "import":
    col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[3],
        options=ImportAnkiPackageOptions(with_scheduling=True)))
if step in ("dump", "import"):
    today = col.sched.today
    cards = {n: [t, q, d - today if t == 2 else d, i, f, r, l] for n, t, q, d, i, f, r, l in col.db.all(
        "select n.sfld, c.type, c.queue, c.due, c.ivl, c.factor, c.reps, c.lapses"
        " from cards c join notes n on n.id = c.nid")}
    log = col.db.all(
        "select n.sfld, r.id, r.ease, r.ivl, r.lastIvl, r.type from revlog r"
        " join cards c on c.id = r.cid join notes n on n.id = c.nid order by r.id")
    print(json.dumps({"cards": cards, "log": log}))
col.close()
"""


def _anki(tmp_path: Path, at: datetime | None, *args: str) -> str:
    """Run a step of ANKI_SCRIPT (under faketime at `at`, else now); its stdout."""
    script = tmp_path / "anki_kept_ivl.py"
    script.write_text(ANKI_SCRIPT, encoding="utf-8")
    clock = [str(FAKETIME), at.strftime("%Y-%m-%d %H:%M:%S")] if at is not None else []
    for _try in range(3):  # (faketime's own start may fail: a semaphore a killed run left)
        proc = subprocess.run(
            [*clock, str(ANKI_PYTHON), str(script), *args],
            capture_output=True, text=True, timeout=180, check=False,
        )  # fmt: skip
        if not (proc.returncode and proc.stderr.startswith("faketime: ")):
            break
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def _dump(out: str) -> tuple[dict[str, list[int]], dict[str, list[list[int]]]]:
    data = json.loads(out.strip().splitlines()[-1])
    log: dict[str, list[list[int]]] = {}
    for name, *row in data["log"]:
        log.setdefault(name, []).append(row)
    return data["cards"], log


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.skipif(FAKETIME is None, reason="faketime not available")
@pytest.mark.parametrize("mode", ["sm2", "fsrs"])
def test_cards_not_answered_in_retain_go_back_with_ankis_interval(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """Anki learns four cards and reviews them (Easy), then sets due dates: `keep` "5" (SM-2 keeps
    its interval), `reset` "5!" (the interval becomes 5), `twice` "2" then "6", `answered` "0"
    (answered in retain after the import). Through retain and into a fresh Anki: the same cards
    (type, queue, due day, interval, factor, reps, lapses) and log rows, but for `answered`, which
    has retain's interval and a row whose `lastIvl` is the interval Anki had given it."""
    col = str(tmp_path / "src.anki2")
    noon = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)

    def ago(days: int, hours: int = 0) -> datetime:
        return noon - timedelta(days=days) + timedelta(hours=hours)

    _anki(tmp_path, ago(30), "create", col, mode, "keep", "reset", "twice", "answered")
    _anki(tmp_path, ago(30), "answer", col)
    _anki(tmp_path, ago(22), "answer", col)
    _anki(tmp_path, ago(3), "setdue", col, "twice", "2")
    _anki(tmp_path, ago(2), "setdue", col, "keep", "5")
    _anki(tmp_path, ago(2), "setdue", col, "reset", "5!")
    _anki(tmp_path, ago(2, 1), "setdue", col, "twice", "6")
    _anki(tmp_path, ago(1), "setdue", col, "answered", "0")
    sent = tmp_path / "sent.apkg"
    _anki(tmp_path, ago(1, 1), "export", col, str(sent))
    cards, log = _dump(_anki(tmp_path, None, "dump", col))
    if mode == "sm2":  # the case this is about: an interval that is not the days to the due day
        assert cards["keep"][3] > cards["keep"][2] + 2 and cards["reset"][3] == 5, cards

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(sent), "--with-history")
    assert code == 0, err
    now = datetime.now(UTC)
    home = open_home({"RETAIN_HOME": str(tmp_path / "home")})
    with Collection.open(home, now, tz=UTC) as coll:
        session = coll.start_session(["kept"], now)
        unit = session.refresh(now)
        assert unit is not None and unit.key.startswith("kept/")
        session.reveal()
        session.rate(3, now, 3000)
        assert session.refresh(now) is None  # only `answered` was due
    back = tmp_path / "back.apkg"
    code, _out, err = run_cli(capsys, "export", "kept", "-o", str(back), "--with-progress")
    assert code == 0, err
    got_cards, got_log = _dump(_anki(tmp_path, None, "import", str(tmp_path / "fresh.anki2"), str(back)))

    for name in ("keep", "reset", "twice"):
        assert got_cards[name] == cards[name], name
        assert got_log[name] == log[name], name
    answered = got_cards["answered"]
    assert answered[3] == answered[2] >= 1  # retain's interval: from today's answer to its due day
    assert got_log["answered"][:-1] == log["answered"]
    mine = got_log["answered"][-1]
    assert (mine[1], mine[3], mine[4]) == (3, cards["answered"][3], 1)  # Good; lastIvl Anki's interval


# --- without Anki: the kept interval, the export, the file -----------------------------------------

T0 = datetime(2026, 3, 1, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def _written(
    tmp_path: Path, keep: AnkiKeep, reviews: list[Review], state: CardState
) -> tuple[int, list[int]]:
    """The card's `ivl` and the `ivl` of each log row, as `write_apkg` writes deck "d"'s card "c1"
    (its file in `tmp_path`, the keep beside it)."""
    deck_file = tmp_path / "d.toml"
    deck_file.write_text("", "utf-8")
    keep_path(tmp_path, "d").write_text(keep.to_json(), "utf-8")
    deck = Deck(id="d", name="D", cards=(Card("c1", front="Q", back="A"),), path=str(deck_file))
    out = tmp_path / "out.apkg"
    write_apkg([deck], out, ApkgOptions(now=T0 + 40 * DAY, states={"d/c1": state}, reviews=reviews, tz=UTC))
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "c.anki2")
    try:
        (ivl,) = db.execute("SELECT ivl FROM cards").fetchone()
        rows = [r[0] for r in db.execute("SELECT ivl FROM revlog ORDER BY id")]
    finally:
        db.close()
    return ivl, rows


def _anki_history(kept_ivl: int) -> tuple[list[Review], CardState, int]:
    """Anki's history as the import makes it: reviewed at T0 (a 20-day interval), "Set due date"
    (SM-2: the interval kept, `kept_ivl`) at T0 + 10 days to 3 days on; the time after Anki's log."""
    reviewed = CardState(REVIEW, None, 20.0, 5.0, T0 + 20 * DAY, T0, 2, 0)
    moved = CardState(REVIEW, None, 20.0, 5.0, T0 + 13 * DAY, T0, 2, 0)
    reviews = [
        Review("d/c1", T0, reviewed, None, "review", 4),
        Review("d/c1", T0 + 10 * DAY, moved, reviewed, "reset"),
    ]
    return reviews, moved, int((T0 + 10 * DAY).timestamp() * 1000) + 2


@settings(max_examples=25, deadline=None)
@given(kept_ivl=st.integers(min_value=1, max_value=400))
def test_the_kept_interval_goes_back_while_retain_has_not_answered(
    tmp_path_factory: pytest.TempPathFactory, kept_ivl: int
) -> None:
    reviews, state, logged = _anki_history(kept_ivl)
    keep = AnkiKeep(cards={"c1": KeptCard(2500, 2, 0, logged, kept_ivl)})
    ivl, rows = _written(tmp_path_factory.mktemp("k"), keep, reviews, state)
    assert ivl == kept_ivl
    assert rows == [20, kept_ivl]  # the manual row sets the interval the card has


def test_an_answer_in_retain_since_gives_retains_interval(tmp_path: Path) -> None:
    reviews, moved, logged = _anki_history(20)
    at = T0 + 13 * DAY
    after = CardState(REVIEW, None, 40.0, 5.0, at + 30 * DAY, at, 3, 0)
    reviews.append(Review("d/c1", at, after, moved, "review", 3))
    keep = AnkiKeep(cards={"c1": KeptCard(2500, 2, 0, logged, 20)})
    ivl, rows = _written(tmp_path, keep, reviews, after)
    assert ivl == 30
    assert rows == [20, 20, 30]


def test_a_keep_file_without_intervals_reads_as_unknown(tmp_path: Path) -> None:
    """An earlier retain's entry (four numbers) still reads; the export then counts the interval
    from the card's last review to its due day, as before."""
    keep = parse_keep(json.dumps({"format": 1, "cards": {"c1": [2500, 2, 0, 1_700_000_000_000]}}))
    assert keep.cards["c1"] == KeptCard(2500, 2, 0, 1_700_000_000_000, 0)
    reviews, state, logged = _anki_history(20)
    ivl, rows = _written(tmp_path, AnkiKeep(cards={"c1": KeptCard(2500, 2, 0, logged)}), reviews, state)
    assert (ivl, rows) == (13, [20, 13])


@pytest.mark.parametrize(
    ("ivl", "kept"),
    [(15, 15), (0, 0), (-3, 0), (2**31, 0), (True, 0), ("15", 0), (1.5, 0), (None, 0), ([15], 0)],
)
def test_a_kept_interval_out_of_range_is_unknown(tmp_path: Path, ivl: object, kept: int) -> None:
    path = tmp_path / "d.anki.json"
    entry = [2500, 3, 1, 1_700_000_000_000]
    path.write_text(json.dumps({"format": 1, "cards": {"c1": entry}, "ivls": {"c1": ivl}}), "utf-8")
    keep = load_keep(path)
    assert keep is not None and keep.cards["c1"] == KeptCard(2500, 3, 1, 1_700_000_000_000, kept)


def test_an_interval_of_no_kept_card_or_a_hostile_ivls_part_is_ignored() -> None:
    for ivls in ({"c2": 15}, [15], "15", {"c1": {"x": 1}}):
        keep = parse_keep(json.dumps({"format": 1, "cards": {"c1": [2500, 3, 1, 5]}, "ivls": ivls}))
        assert keep.cards == {"c1": KeptCard(2500, 3, 1, 5, 0)}


_VALUES = st.one_of(
    st.integers(min_value=-(2**64), max_value=2**64), st.booleans(), st.none(), st.text(max_size=3)
)


@settings(max_examples=200, deadline=None)
@given(entry=st.lists(_VALUES, max_size=6), ivl=_VALUES)
def test_kept_card_entries_round_trip_or_are_left_out(entry: list[object], ivl: object) -> None:
    """Any entry reads as None or as a card whose written form reads back the same (the entry as
    an earlier retain reads it: four numbers; the interval beside it)."""
    kept = KeptCard.read(entry, ivl)
    if kept is not None:
        text = AnkiKeep(cards={"c": kept}).to_json()
        assert parse_keep(text).cards["c"] == kept
        assert len(json.loads(text)["cards"]["c"]) == 4


def test_an_import_without_history_keeps_the_intervals_kept(tmp_path: Path) -> None:
    """A later import without the history (no `cards`) keeps the intervals an import with it kept."""
    old = keep_path(tmp_path, "d")
    old.write_text(
        AnkiKeep(cards={"c1": KeptCard(2500, 3, 1, 5, 15), "c2": KeptCard(2500, 1, 0, 5, 4)}).to_json()
    )
    fresh = AnkiKeep(cards={"c2": KeptCard(2650, 2, 0, 9, 9)}).to_json()
    keep = parse_keep(with_kept_cards(fresh, old))
    assert keep.cards == {"c1": KeptCard(2500, 3, 1, 5, 15), "c2": KeptCard(2650, 2, 0, 9, 9)}
    keep = parse_keep(with_kept_cards(AnkiKeep(cards={"c2": KeptCard(2650, 2, 0, 9)}).to_json(), old))
    assert keep.cards == {"c1": KeptCard(2500, 3, 1, 5, 15), "c2": KeptCard(2650, 2, 0, 9, 0)}
