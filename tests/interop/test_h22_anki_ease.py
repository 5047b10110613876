"""A card's SM-2 ease factor through Anki -> retain -> Anki (h22): a card imported from Anki with its
history goes back with Anki's own factor while retain has not answered it since; one answered in
retain since gets that factor changed as SM-2 changes it for the answers given (Again -200, Hard
-150, Easy +150 on a review card, never below 1300); a card reset to new in Anki keeping its counts
goes back with them. The import keeps the factor in `DECK.anki.json` (`cards`); a file without that
part reads as before, and a value out of range there is not used."""

from __future__ import annotations

import json
import sqlite3
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.model import Deck
from retain.core.state import RELEARNING, REVIEW, CardState
from retain.interop import progress_io
from retain.interop.ankikeep import AnkiEase, KeptCard, keep_path, load_keep
from retain.interop.bundle import Review
from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.store.collection import Collection
from retain.store.home import Home, open_home

from .anki_fixture import ANKI_PYTHON, CARD, changed_package, read_history, run_anki

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

MAKE = """
import sys
from anki.collection import Collection, ExportAnkiPackageOptions
w = sys.argv[1]
col = Collection(f"{w}/c.anki2")
dk = col.decks.id("Vocab"); col.decks.select(dk)
for i in range(4):
    n = col.new_note(col.models.by_name("Basic")); n.fields[0] = f"word {i}"; n.fields[1] = f"m {i}"
    col.add_note(n, dk)
n = col.new_note(col.models.by_name("Basic (and reversed card)")); n.fields[0] = "both"; n.fields[1] = "ways"
col.add_note(n, dk)
while (c := col.sched.getCard()) is not None:
    c.start_timer(); col.sched.answerCard(c, 4)   # Easy: a review card at Anki's 2500
ids = {col.get_card(c).note().fields[0] + (f":{col.get_card(c).ord}" if col.get_card(c).ord else ""): c
       for c in col.find_cards("")}
card = col.get_card(ids["word 1"]); card.factor = 2650; col.update_card(card)   # SM-2's own history
card = col.get_card(ids["word 3"]); card.factor = 1300; col.update_card(card)
col.sched.schedule_cards_as_new([ids["word 2"]], restore_position=True, reset_counts=False)
col.export_anki_package(out_path=f"{w}/anki.apkg", options=ExportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=False, with_media=True, legacy=False), limit=None)
col.close()
"""

# Anki's note field 0 (and the card's ord) -> its factor in the package Anki made
ANKI = {"word 0": 2500, "word 1": 2650, "word 3": 1300, "both": 2500, "both:1": 2500}


def _cards(package: Path, tmp: Path) -> dict[str, tuple[int, int, int, int]]:
    """(type, factor, reps, lapses) of each card of `package` (written by retain), by its note's
    first field (and `:ord` for a second card)."""
    db_path = tmp / f"{package.stem}-cards.anki2"
    with zipfile.ZipFile(package) as zf:
        db_path.write_bytes(zf.read("collection.anki2"))
    db = sqlite3.connect(db_path)
    try:
        rows = db.execute(
            "SELECT n.flds, c.ord, c.type, c.factor, c.reps, c.lapses FROM cards c JOIN notes n ON n.id = c.nid"
        ).fetchall()
    finally:
        db.close()
    return {
        str(flds).split("\x1f")[0] + (f":{ord_}" if ord_ else ""): (typ, factor, reps, lapses)
        for flds, ord_, typ, factor, reps, lapses in rows
    }


@pytest.fixture(scope="module")
def anki_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not ANKI_PYTHON.exists():
        pytest.skip(f"real Anki not available ({ANKI_PYTHON} missing)")
    work = tmp_path_factory.mktemp("anki")
    run_anki(work, MAKE, str(work))
    return work / "anki.apkg"


def _import(root: Path, package: Path, now: datetime, *, with_history: bool = True) -> Home:
    home = open_home({"RETAIN_HOME": str(root)})
    home.paths.decks_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(package, Path(stage), with_history=with_history)
        apply_import(plan_import(bundle, home.library(), home.paths.decks_dir), home.paths.decks_dir)
        if with_history:
            progress_io.record_history(home, bundle.reviews, now)
    return home


def _deck(home: Home) -> Deck:
    deck = home.library().get("vocab")
    assert deck is not None
    return deck


def _export(home: Home, out: Path, now: datetime) -> Path:
    deck = _deck(home)
    states, reviews = progress_io.deck_progress(home, "vocab", now)
    export_decks([deck], out, now=now, states=states, reviews=reviews, decks_dir=home.paths.decks_dir)
    return out


@needs_anki
def test_cards_not_answered_in_retain_go_back_with_ankis_factor(anki_package: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    home = _import(tmp_path / "home", anki_package, now)
    back = _cards(_export(home, tmp_path / "back.apkg", now), tmp_path)
    assert {name: back[name][1] for name in ANKI} == ANKI
    # reset to new in Anki without resetting its counts: new, with Anki's count of reviews
    assert back["word 2"][0] == 0
    assert back["word 2"][2] == _cards_in(anki_package, tmp_path)["word 2"][2] == 1


def _cards_in(package: Path, tmp: Path) -> dict[str, tuple[int, int, int, int]]:
    """The same for a package Anki wrote (its collection is `collection.anki21b`, zstd): read by Anki."""
    out = run_anki(
        tmp,
        """
import sys, json, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col = Collection(tempfile.mkdtemp() + "/c.anki2")
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1],
    options=ImportAnkiPackageOptions(with_scheduling=True)))
out = {}
for cid in col.find_cards(""):
    c = col.get_card(cid)
    out[c.note().fields[0] + (f":{c.ord}" if c.ord else "")] = [c.type, c.factor, c.reps, c.lapses]
print(json.dumps(out))
""",
        str(package),
    )
    return {k: tuple(v) for k, v in json.loads(out.splitlines()[-1]).items()}


@needs_anki
def test_anki_reads_the_factors_back(anki_package: Path, tmp_path: Path) -> None:
    """Real Anki, importing retain's package with scheduling, has each card at the factor it had."""
    now = datetime.now(UTC)
    home = _import(tmp_path / "home", anki_package, now)
    before = _cards_in(anki_package, tmp_path)
    after = _cards_in(_export(home, tmp_path / "back.apkg", now), tmp_path)
    assert {k: v[1:] for k, v in after.items()} == {k: v[1:] for k, v in before.items()}


# the rating retain gives each card the first time it is shown (its later answers, while it
# relearns, are Good), and the factor SM-2 gives it for that answer
RATED = {
    "word 0": (1, 2300),
    "word 1": (2, 2500),
    "word 3": (1, 1300),
    "both": (4, 2650),
    "both:1": (3, 2500),
}


def _study(home: Home, at: datetime) -> None:
    with Collection.open(home, at, tz=UTC) as col:
        session = col.start_session(["vocab"], at)
        first: set[str] = set()
        for _ in range(40):
            unit = session.refresh(at)
            if unit is None:
                break
            cid = unit.key.split("/", 1)[1].split(":")[0]
            front = next(c.front for c in _deck(home).cards if c.id == cid)
            name = ("both" if front.startswith("both") else front) + (
                ":1" if unit.key.endswith(":reverse") else ""
            )
            session.reveal()
            rating = 3 if unit.key in first else RATED.get(name, (3, 0))[0]
            first.add(unit.key)
            session.rate(rating, at, 2000)
            at += timedelta(minutes=15)


@needs_anki
def test_answers_in_retain_change_ankis_factor_as_sm2_would(anki_package: Path, tmp_path: Path) -> None:
    now = datetime.now(UTC)
    home = _import(tmp_path / "home", anki_package, now)
    later = now + timedelta(days=40)  # every review card due
    _study(home, later)
    back = _cards(_export(home, tmp_path / "back.apkg", later + timedelta(hours=3)), tmp_path)
    assert {name: back[name][1] for name in RATED} == {name: f for name, (_r, f) in RATED.items()}


@needs_anki
def test_without_history_the_factor_is_retains_own(anki_package: Path, tmp_path: Path) -> None:
    """Imported without its history, a card's progress starts in retain: no Anki factor is kept."""
    now = datetime.now(UTC)
    home = _import(tmp_path / "home", anki_package, now, with_history=False)
    keep = load_keep(keep_path(home.paths.decks_dir, "vocab"))
    assert keep is not None and keep.cards == {}


@needs_anki
@pytest.mark.parametrize(
    "value", [10**9, -5, 1299, 65_536, "2500", True, None, 2500.0, [2500], {"f": 1}], ids=repr
)
def test_a_hostile_kept_factor_is_not_used(anki_package: Path, tmp_path: Path, value: object) -> None:
    now = datetime.now(UTC)
    home = _import(tmp_path / "home", anki_package, now)
    path = keep_path(home.paths.decks_dir, "vocab")
    data = json.loads(path.read_text("utf-8"))
    assert data["cards"]  # the import kept them
    for entry in data["cards"].values():
        entry[0] = value
    path.write_text(json.dumps(data), "utf-8")
    keep = load_keep(path)
    assert keep is not None and keep.notes  # the rest of the file still reads
    back = _cards(_export(home, tmp_path / "back.apkg", now), tmp_path)
    mapped = _cards(_export_without_keep_cards(home, tmp_path, now), tmp_path)
    assert {n: back[n][1] for n in ANKI} == {n: mapped[n][1] for n in ANKI}
    assert all(1300 <= back[n][1] <= 3500 for n in ANKI)


def _export_without_keep_cards(home: Home, tmp: Path, now: datetime) -> Path:
    """The export with a `DECK.anki.json` of an earlier retain (no `cards` part)."""
    path = keep_path(home.paths.decks_dir, "vocab")
    saved = path.read_text("utf-8")
    data = json.loads(saved)
    del data["cards"]
    path.write_text(json.dumps(data), "utf-8")
    try:
        return _export(home, tmp / "old-keep.apkg", now)
    finally:
        path.write_text(saved, "utf-8")


def test_a_keep_file_without_cards_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "d.anki.json"
    path.write_text(
        json.dumps(
            {
                "format": 1,
                "notetypes": {
                    "7": {
                        "name": "Basic",
                        "flds": ["Front", "Back"],
                        "tmpls": [["Card 1", "{{Front}}", "{{Back}}"]],
                    }
                },
                "notes": {"c1": ["g", 7, ["a", "b"], "0123"]},
                "media": {},
            }
        ),
        "utf-8",
    )
    keep = load_keep(path)
    assert keep is not None and list(keep.notes) == ["c1"] and keep.cards == {}


@pytest.mark.parametrize(
    ("entry", "kept"),
    [
        ([2500, 3, 1, 1_700_000_000_000], (2500, 3, 1)),
        ([0, 4, 0, 1_700_000_000_000], (0, 4, 0)),  # a new card's: no factor, its counts
        ([1000, 3, 1, 1_700_000_000_000], (0, 3, 1)),  # no factor SM-2 gives: not used
        ([2500, -1, 0, 1], None),
        ([2500, 3, 1, -1], None),
        ([2500, 3, 1, 10**20], None),
        ([2500, 3, 1], None),
        ("2500", None),
        ([2500, True, 0, 1], None),
    ],
)
def test_kept_cards_are_range_checked(
    tmp_path: Path, entry: object, kept: tuple[int, int, int] | None
) -> None:
    path = tmp_path / "d.anki.json"
    path.write_text(json.dumps({"format": 1, "cards": {"c1": entry}}), "utf-8")
    keep = load_keep(path)
    assert keep is not None
    got = keep.cards.get("c1")
    assert (None if got is None else (got.factor, got.reps, got.lapses)) == kept


def test_a_hostile_package_factor_and_log_give_no_factor_and_no_traceback(tmp_path: Path) -> None:
    """A factor no SM-2 gives, and log rows whose ids are no numbers, in the package: the card keeps
    its counts and no factor, and the time after Anki's log counts every row of it."""

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE cards SET factor = ? WHERE id = ?", (10**12, CARD))
        conn.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (?, 'x', -1, 3, 1, 1, 2500, 100, 1)",
            (10**17,),
        )
        conn.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type)"
            " VALUES (-5, ?, -1, 3, 1, 1, 2500, 100, 1)",
            (CARD,),
        )

    bundle = read_history(tmp_path, changed_package(tmp_path, change))
    kept = [json.loads(text).get("cards") for text in bundle.keeps.values()]
    entries = [entry for cards in kept if cards for entry in cards.values()]
    newest = max(r.time for r in bundle.reviews if r.kind in ("review", "reset"))
    assert len(entries) == 1
    factor, reps, lapses, logged_ms = entries[0]
    assert (factor, reps, lapses) == (0, 2, 0)
    assert logged_ms >= newest.timestamp() * 1000


def _state(kind: int) -> CardState:
    return CardState(kind, None if kind == REVIEW else 0, 5.0, 5.0, datetime(2030, 1, 1, tzinfo=UTC))


def test_sm2_changes_the_kept_factor_only_for_retains_answers_on_review_cards() -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    kept = KeptCard(2500, 3, 0, int(t0.timestamp() * 1000))
    rev, relearn = _state(REVIEW), _state(RELEARNING)

    def at(minutes: int) -> datetime:
        return t0 + timedelta(minutes=minutes)

    ease = AnkiEase({"d/a": kept, "d/b": kept, "d/c": kept})
    ease.replay(
        [
            Review("d/a", t0, rev, rev, "review", 1),  # Anki's own answer (at the kept time): counted there
            Review("d/a", at(1), relearn, rev, "review", 1),  # a lapse: -200
            Review("d/a", at(2), rev, relearn, "review", 4),  # relearning: unchanged
            Review("d/a", at(3), rev, rev, "review", 4),  # +150
            Review("d/a", at(4), rev, rev, "cram", 1),  # cram changes nothing
            Review("d/b", at(1), None, rev, "reset"),  # reset to new: Anki's factor no longer holds
            Review("d/b", at(2), rev, None, "review", 4),
        ]
    )
    assert ease.factor("d/a") == 2450
    assert ease.factor("d/b") is None
    assert ease.factor("d/c") == 2500 and ease.untouched("d/c") and not ease.untouched("d/a")
    floor = AnkiEase({"d/a": KeptCard(1400, 1, 0, 0)})
    floor.replay([Review("d/a", at(i), rev, rev, "review", 2) for i in range(3)])
    assert floor.factor("d/a") == 1300


@needs_anki
def test_a_later_import_without_history_keeps_the_factors_kept(anki_package: Path, tmp_path: Path) -> None:
    """Imported with its history, then again without (for the content): the second import's
    sidecar had no `cards`, and the export fell back to an ease mapped from FSRS difficulty."""
    now = datetime.now(UTC)
    root = tmp_path / "home"
    _import(root, anki_package, now)
    kept = load_keep(keep_path(root / "decks", "vocab"))
    assert kept is not None and kept.cards
    home = _import(root, anki_package, now, with_history=False)
    again = load_keep(keep_path(home.paths.decks_dir, "vocab"))
    assert again is not None and again.cards == kept.cards
    back = _cards(_export(home, tmp_path / "back.apkg", now), tmp_path)
    assert {name: back[name][1] for name in ANKI} == ANKI
