"""h21: Anki's review log comes back from `import --with-history` then `export --with-progress`
as Anki wrote it: "Set due date" rows, reviews ahead in a filtered deck, FSRS's least stability.

Found: a "Set due date" row (manual, type 4, the card's factor kept) was dropped on import and the
card's new due date was put on the review before it, so the export wrote that review with the
manual interval (ivl 47 instead of 91) and no manual row; a review before the card was due (Anki
logs it as "Filtered", type 3) came back as an ordinary review (type 1); an FSRS stability of 0.001
(FSRS-6's least) came back 0.01. Now a due date set by hand is a reschedule in retain's history (a
"reset" that keeps the card's reviews, lapses and last review and changes its due date, as
`retain optimize --reschedule` records one), never a forget; the export writes it back as Anki's
manual row, and a review of a card before its due study day as Anki's "Filtered" row."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState
from retain.core.studyday import StudyDay
from retain.interop.anki.ankidb import AnkiCard
from retain.interop.anki.apkg_history import card_reviews
from retain.interop.anki.apkg_write import ApkgOptions, write_apkg
from retain.interop.bundle import Review
from retain.store.localzone import local_timezone

from .anki_fixture import ANKI_PYTHON, CARD, LogOnly, changed_package, read_history
from .conftest import run_cli

FAKETIME = shutil.which("faketime")  # the real-Anki test dates Anki's answers days apart
STUDY = StudyDay(DEFAULT_ROLLOVER_HOUR, local_timezone())  # the study day the reader dates by
CRT = 1_699_920_000  # 2023-11-14 00:00 UTC: a UTC midnight, so day numbers count UTC dates
DATE0 = date(2023, 11, 14)
DAY = timedelta(days=1)
Row = tuple[int, int, int, int, int, int, int]  # id, ease, ivl, lastIvl, factor, time, type


class _Log(LogOnly):
    crt = CRT


def _at(d: int, i: int) -> int:
    """The revlog id of the `i`th row, on study day `d` (from DATE0), mid-day: 8 hours after it begins."""
    return int((STUDY.start_of(DATE0 + timedelta(days=d)) + timedelta(hours=8, seconds=i)).timestamp() * 1000)


def _day(ms: int) -> int:
    return (STUDY.of(datetime.fromtimestamp(ms / 1000, UTC)) - DATE0).days


@st.composite
def anki_logs(draw: st.DrawFn) -> tuple[list[Row], int, int]:
    """A review card's log as Anki (FSRS) writes it: learned in one answer, then reviews on or after
    the due day (type 1), reviews ahead (type 3) and "Set due date" rows (type 4: ease 0, the
    card's factor, `ivl` the days from the last review to the new due day, `lastIvl` the card's
    interval before). With the card's due day number and interval at the end."""
    first = draw(st.integers(min_value=1, max_value=30))
    rows: list[Row] = [(_at(0, 0), draw(st.sampled_from([3, 4])), first, 0, 2500, 3000, 0)]
    reviewed, today, ivl = 0, 0, first  # study days (from DATE0) of the last review and last row
    due = first
    for i, action in enumerate(draw(st.lists(st.sampled_from(["review", "early", "set"]), max_size=8)), 1):
        if action == "set":
            today += draw(st.integers(min_value=0, max_value=20))
            k = draw(st.integers(min_value=0, max_value=40))
            new = today - reviewed + k
            rows.append((_at(today, i), 0, new, ivl, 2500, 0, 4))
            ivl, due = new, today + k
            continue
        if action == "early" and due - today >= 2:
            today = draw(st.integers(min_value=today + 1, max_value=due - 1))
            typ = 3
        else:
            today = max(today + 1, due + draw(st.integers(min_value=0, max_value=10)))
            typ = 1
        new = draw(st.integers(min_value=1, max_value=200))
        rows.append((_at(today, i), draw(st.sampled_from([2, 3, 4])), new, ivl, 2500, 4000, typ))
        reviewed, ivl, due = today, new, today + new
    return rows, due, ivl


CARD_C1 = Card("c1", front="Q", back="A")  # the retain card of the Anki card in `_events`


def _events(rows: list[Row], card: AnkiCard) -> list[Review]:
    """`card_reviews` of one card (`card`, of note 1: CARD_C1 in deck "deck") logged as `rows`."""
    log = _Log([(r[0], card.id, r[1], r[2], r[4], r[5], r[6]) for r in rows])
    warnings: list[str] = []
    events = card_reviews(log, [card], {1: ("deck", CARD_C1)}, warnings)  # type: ignore[arg-type]
    assert warnings == []
    return events


def _written(tmp_path: Path, events: list[Review], sql: str) -> list[tuple[object, ...]]:
    """What `sql` selects from the package `write_apkg` makes of CARD_C1 with `events`."""
    deck = Deck(id="deck", name="Deck", cards=(CARD_C1,))
    last = events[-1].after
    assert last is not None
    out = tmp_path / "out.apkg"
    now = max(e.time for e in events) + timedelta(days=1)
    write_apkg([deck], out, ApkgOptions(now=now, states={"deck/c1": last}, reviews=events))
    with zipfile.ZipFile(out) as zf:
        (tmp_path / "c.anki2").write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "c.anki2")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


LOG_SQL = "SELECT id, ease, ivl, lastIvl, time, type FROM revlog ORDER BY id"


def _as_written(rows: list[Row]) -> list[tuple[object, ...]]:
    """`rows` as LOG_SQL selects them."""
    return [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in rows]


@settings(max_examples=60, deadline=None)
@given(log=anki_logs())
def test_the_log_comes_back_as_anki_wrote_it(
    tmp_path_factory: pytest.TempPathFactory, log: tuple[list[Row], int, int]
) -> None:
    rows, due, ivl = log
    reps = sum(1 for r in rows if r[1])
    events = _events(rows, AnkiCard(1, 1, 1, 0, 2, 2, due, ivl, 2500, reps, 0, ""))
    final = events[-1].after
    assert final is not None and final.due is not None
    assert _day(int(final.due.timestamp() * 1000)) == due  # the card is due on the day Anki has it
    assert _written(tmp_path_factory.mktemp("w"), events, LOG_SQL) == _as_written(rows)


def test_set_due_date_is_a_reschedule_and_the_review_before_it_keeps_its_interval() -> None:
    """The attacker's log: learned (8 days), reviewed (89 days), then "Set due date" 3 days ahead."""
    rows: list[Row] = [
        (_at(0, 0), 4, 8, 0, 2500, 3000, 0),
        (_at(15, 1), 4, 89, 8, 2500, 3000, 1),
        (_at(59, 2), 0, 47, 89, 2500, 0, 4),  # 44 days since the review, due 3 days on
    ]
    events = _events(rows, AnkiCard(1, 1, 1, 0, 2, 2, 62, 47, 2500, 2, 0, ""))
    assert [e.kind for e in events] == ["review", "review", "reset"]
    review, moved = events[1], events[2]
    assert review.after is not None and review.after.due == review.time + 89 * DAY  # its own interval
    assert moved.before == review.after  # no forget: the card as the review left it ...
    after = moved.after
    assert after is not None and after.state == REVIEW and after.due is not None
    assert STUDY.of(after.due) == DATE0 + timedelta(days=62)  # ... due on the day set
    assert (after.reps, after.lapses, after.last_review) == (2, 0, review.time)
    assert (after.stability, after.difficulty) == (review.after.stability, review.after.difficulty)


@pytest.mark.parametrize("forgotten", [False, True])
def test_a_due_date_set_on_a_new_card_comes_back(tmp_path: Path, forgotten: bool) -> None:
    """ "Set due date" on a card never studied (or forgotten: "Reset" first): a review card from then
    on, its row written back."""
    rows: list[Row] = [(_at(3, 0), 0, 5, 0, 2500, 0, 4), (_at(9, 1), 3, 20, 5, 2500, 4000, 1)]
    if forgotten:
        rows[:0] = [(_at(0, 0), 3, 2, 0, 2500, 3000, 0), (_at(1, 1), 0, 0, 2, 0, 0, 4)]
    events = _events(rows, AnkiCard(1, 1, 1, 0, 2, 2, 29, 20, 2500, 1, 0, ""))
    kinds = [e.kind for e in events]
    assert kinds == (["review", "reset", "reset", "review"] if forgotten else ["reset", "review"]), kinds
    moved = events[-2]
    assert moved.before is None and moved.after is not None and moved.after.state == REVIEW
    assert _written(tmp_path, events, LOG_SQL) == _as_written(rows)


def test_fsrs_least_stability_is_kept(tmp_path: Path) -> None:
    """FSRS-6's least stability is 0.001 (fsrs-rs's S_MIN): a card Anki has at 0.001 was read as
    0.01, and exported so."""
    rows: list[Row] = [(_at(0, 0), 3, 1, 0, 2500, 3000, 0), (_at(1, 1), 1, -600, 1, 2500, 3000, 2)]
    data = json.dumps({"s": 0.001, "d": 9.9})
    events = _events(rows, AnkiCard(1, 1, 1, 0, 3, 1, _at(1, 1) // 1000 + 600, 0, 2500, 2, 1, data))
    last = events[-1].after
    assert last is not None and last.stability == 0.001
    ((written,),) = _written(tmp_path, events, "SELECT data FROM cards")
    assert isinstance(written, str) and json.loads(written)["s"] == 0.001


# --- through the CLI, on the fixture package ---------------------------------------------------


def _fixture_with(tmp_path: Path, rows: list[Row], due: int, ivl: int) -> Path:
    """The legacy fixture with its reviewed card's log replaced by `rows`, the card a review card
    due on day `due` of the collection with interval `ivl`."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM revlog WHERE cid = ?", (CARD,))
        conn.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            [(r[0], CARD, *r[1:]) for r in rows],
        )
        conn.execute(
            "UPDATE cards SET type = 2, queue = 2, due = ?, ivl = ?, reps = ? WHERE id = ?",
            (due, ivl, sum(1 for r in rows if r[1]), CARD),
        )

    return changed_package(tmp_path, change)


FIXTURE_CRT = 1_795_838_400  # the fixture collection's creation time (its day 0)


def _this_study_day() -> datetime:
    """An hour into the current study day: a row dated whole days before it falls on the study
    day its calendar date names, whatever the hour the test runs at."""
    return STUDY.start(datetime.now(UTC)) + timedelta(hours=1)


def test_export_writes_the_log_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`import --with-history` then `export --with-progress` to .apkg: the same rows, and the card
    due (`retain due`) on the day Anki had set."""
    now = _this_study_day()
    start = now - timedelta(days=60)
    ms = int(start.timestamp() * 1000)
    day_ms = 86_400_000
    rows: list[Row] = [
        (ms, 4, 8, 0, 2500, 3000, 0),
        (ms + 3 * day_ms, 3, 20, 8, 2500, 3000, 3),  # ahead: due on day 8
        (ms + 25 * day_ms, 4, 89, 20, 2500, 3000, 1),
        (ms + 59 * day_ms, 0, 35, 89, 2500, 0, 4),  # "Set due date" yesterday: today, 35 days on
    ]
    due_day = (STUDY.today(now) - STUDY.of(datetime.fromtimestamp(FIXTURE_CRT, UTC))).days
    package = _fixture_with(tmp_path, rows, due_day, 35)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    code, out, err = run_cli(capsys, "due", "--json")
    assert code == 0, err
    (deck,) = [d for d in json.loads(out)["decks"] if d["id"] == "general-knowledge"]  # the card's
    assert deck["review"] == 1, deck  # due today, as set
    back = tmp_path / "back.apkg"
    code, _out, err = run_cli(capsys, "export", "general-knowledge", "-o", str(back), "--with-progress")
    assert code == 0, err
    with zipfile.ZipFile(back) as zf:
        (tmp_path / "back.anki2").write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(tmp_path / "back.anki2")
    try:
        got = db.execute("SELECT id, ease, ivl, lastIvl, time, type FROM revlog ORDER BY id").fetchall()
    finally:
        db.close()
    assert got == [(r[0], r[1], r[2], r[3], r[5], r[6]) for r in rows]


def _set_due_in_two_days(tmp_path: Path) -> tuple[Path, int]:
    """(the fixture package with a card reviewed twice, then "Set due date" 2 days from today;
    the first row's time, ms)."""
    now = _this_study_day()
    ms = int((now - timedelta(days=60)).timestamp() * 1000)
    day_ms = 86_400_000
    rows: list[Row] = [(ms, 4, 8, 0, 2500, 3000, 0), (ms + 15 * day_ms, 4, 89, 8, 2500, 3000, 1)]
    rows.append((ms + 59 * day_ms, 0, 47, 89, 2500, 0, 4))
    due_day = (STUDY.today(now) + 2 * DAY - STUDY.of(datetime.fromtimestamp(FIXTURE_CRT, UTC))).days
    return _fixture_with(tmp_path, rows, due_day, 47), ms


def test_import_states_a_due_date_set_by_hand(tmp_path: Path) -> None:
    """The card as Anki has it: due on the set day, with the review before it as it was."""
    package, ms = _set_due_in_two_days(tmp_path)
    bundle = read_history(tmp_path, package)
    mine = [r for r in bundle.reviews if r.time.timestamp() * 1000 >= ms]
    assert [r.kind for r in mine] == ["review", "review", "reset"]
    final = mine[-1].after
    assert isinstance(final, CardState) and final.due is not None
    assert STUDY.of(final.due) == STUDY.today(datetime.now(UTC)) + 2 * DAY
    assert mine[1].after is not None and mine[1].after.due == mine[1].time + 89 * DAY


# --- real Anki -----------------------------------------------------------------------------------

ANKI_SCRIPT = r"""
import json, os, sys
from anki.collection import Collection, ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.scheduler.v3 import CardAnswer
step, path = sys.argv[1], sys.argv[2]
col = Collection(path)
def answer(did, rating):
    col.decks.select(did)
    col.set_config("collapseTime", 0)
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
        col.add_note(n, col.decks.id("Resched"))
elif step == "answer":
    answer(col.decks.id("Resched"), CardAnswer.EASY)
elif step == "ahead":  # a filtered deck that reschedules: the cards are not due yet
    did = col.decks.new_filtered("Ahead")
    deck = col.decks.get(did); deck["terms"] = [["deck:Resched", 100, 0]]; deck["resched"] = True
    col.decks.save(deck); col.sched.rebuild_filtered_deck(did)
    answer(did, CardAnswer.GOOD)
    col.sched.empty_filtered_deck(did); col.decks.remove([did])
elif step == "setdue":
    col.sched.set_due_date(col.find_cards("front:" + sys.argv[3]), sys.argv[4])
elif step == "export":
    col.export_anki_package(out_path=sys.argv[3], options=ExportAnkiPackageOptions(
        with_scheduling=True, with_media=False, legacy=False), limit=None)
elif step == "import":
    col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[3],
        options=ImportAnkiPackageOptions(with_scheduling=True)))
if step in ("export", "import"):
    print(json.dumps(col.db.all(
        "select r.id, n.sfld, r.ease, r.ivl, r.lastIvl, r.time, r.type from revlog r"
        " join cards c on c.id = r.cid join notes n on n.id = c.nid order by r.id")))
col.close()
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
@pytest.mark.skipif(FAKETIME is None, reason="faketime not available")
@pytest.mark.parametrize("mode", ["fsrs", "sm2"])
def test_real_anki_log_round_trip(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    """Anki (under faketime, days apart) learns two cards, reviews them ahead in a filtered deck,
    sets due dates (on a studied card, on a new one, to the day of a review, later), reviews them;
    its package goes through retain (`import --with-history`, `export --with-progress`) and into a
    fresh Anki collection: the same log rows."""
    script = tmp_path / "anki_log_script.py"
    script.write_text(ANKI_SCRIPT, encoding="utf-8")
    col = str(tmp_path / "src.anki2")
    today = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)

    def anki(days_ago: int, *args: str, col: str = col, hour: int = 0) -> str:
        """Run a step of the script at noon (`hour` hours on) `days_ago` days ago (faketime starts
        each process's clock there)."""
        at = (today - timedelta(days=days_ago) + timedelta(hours=hour)).strftime("%Y-%m-%d %H:%M:%S")
        for _try in range(3):  # (faketime's own start may fail: a semaphore a killed run left)
            proc = subprocess.run(
                [str(FAKETIME), at, str(ANKI_PYTHON), str(script), args[0], col, *args[1:]],
                capture_output=True, text=True, timeout=180, check=False,
            )  # fmt: skip
            if not (proc.returncode and proc.stderr.startswith("faketime: ")):
                break
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    anki(90, "create", mode, "a", "b")
    anki(90, "answer")
    anki(88, "ahead")
    anki(80, "setdue", "a", "5")
    anki(70, "create", mode, "c")
    anki(70, "setdue", "c", "7")  # a new card: a review card due in a week
    anki(60, "answer")
    anki(60, "setdue", "b", "0", hour=1)  # the day of its review
    anki(2, "setdue", "a", "3")
    sent = tmp_path / "sent.apkg"
    source = json.loads(anki(1, "export", str(sent)).strip().splitlines()[-1])
    assert {r[6] for r in source} >= {0, 1, 3, 4}, source  # the kinds of row this test is about
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(sent), "--with-history")
    assert code == 0, err
    back = tmp_path / "back.apkg"
    code, _out, err = run_cli(capsys, "export", "resched", "-o", str(back), "--with-progress")
    assert code == 0, err
    got = json.loads(anki(0, "import", str(back), col=str(tmp_path / "fresh.anki2")).strip().splitlines()[-1])
    # (SM-2's "Set due date" without `!` keeps the card's interval: it comes back as Anki's)
    assert got == source, "\n".join(f"{a} {b}" for a, b in zip(source, got, strict=False))


def test_an_imported_set_due_date_is_no_reschedule_to_undo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An Anki "Set due date" is imported as a reschedule ("reset" keeping the memory): `retain
    optimize --undo-reschedule` took it for the last `optimize --reschedule` and would put the
    card back to the due date Anki's user moved it from."""
    package, _ms = _set_due_in_two_days(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    code, _out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    code, out, err = run_cli(capsys, "optimize", "--undo-reschedule", "--dry-run")
    assert (code, out.strip()) == (0, "no reschedule to undo"), out + err
