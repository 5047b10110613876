"""h39: two fidelity gaps of the `.apkg` export.

1. A note with no card of its type's first template (a conditional first template its fields
   leave empty) is read from the first template it has a card of (h38), but went back to Anki as
   a card of template 0: Anki showed the empty first template (or, after Check Database, no card).
   Now the export writes it as a card of the template Anki makes for its fields, asking what it
   asked in Anki; an edited such card goes back into the fields that template asks with.
2. The rating after a learning step that crossed the study day's rollover (`10m` rated Good at
   03:55, answered again at 04:05) was logged with a `lastIvl` of 1 day, so Anki's true retention
   counted it as a young review after a round trip, which retain's own stats (and Anki's log of
   the same answers) do not. A step's `lastIvl` is now Anki's: the step in seconds unless it
   reaches the next rollover from the rating (`maybe_as_days` at the answer).
"""

from __future__ import annotations

import json
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.core.stats import counts_in_retention
from retain.core.studyday import StudyDay
from retain.interop import progress_io
from retain.interop.anki.ankidb import NoteType
from retain.interop.anki.apkg_templates import made_templates
from retain.interop.anki.apkg_write import ApkgOptions, write_apkg
from retain.interop.bundle import Review
from retain.store.home import open_home
from retain.store.localzone import local_timezone

from .anki_fixture import ANKI_PYTHON, changed_package, package_rows, run_anki
from .conftest import run_cli

needs_anki = pytest.mark.skipif(not ANKI_PYTHON.exists(), reason="real Anki is not installed")

# 1. the template a card was read from -----------------------------------------------------------

# A note type with a conditional first template: a listening card only for notes with audio, a
# reading card always, and a third asking the meaning when it has one.
MAKE = r"""
import sys, os, json
from anki.collection import Collection, ExportAnkiPackageOptions
w = sys.argv[1]
os.makedirs(w + "/src", exist_ok=True)
col = Collection(w + "/src/col.anki2")
mm = col.models
nt = mm.new("Listen and read")
for name in ("Word", "Meaning", "Audio", "Hint"):
    mm.add_field(nt, mm.new_field(name))
for name, q, a in (
    ("Listen", "{{#Audio}}{{Audio}}{{/Audio}}", "{{FrontSide}}<hr id=answer>{{Word}}<br>{{Meaning}}"),
    ("Read", "{{Word}}", "{{FrontSide}}<hr id=answer>{{Meaning}}"),
    ("Recall", "{{#Hint}}{{Meaning}}{{/Hint}}", "{{FrontSide}}<hr id=answer>{{Word}}"),
):
    t = mm.new_template(name); t["qfmt"] = q; t["afmt"] = a
    mm.add_template(nt, t)
mm.add(nt)
nt = mm.by_name("Listen and read")
did = col.decks.id("Spanish")
for word, meaning, audio, hint in json.loads(sys.argv[2]):
    n = col.new_note(nt)
    n["Word"], n["Meaning"], n["Audio"], n["Hint"] = word, meaning, audio, hint
    col.add_note(n, did)
col.export_anki_package(out_path=w + "/es.apkg", options=ExportAnkiPackageOptions(with_scheduling=False,
    legacy=False), limit=None)
col.close()
"""

# each note's cards in a collection the package is imported into: (ord, question, answer) by word
CHECK = r"""
import sys, os, json, re
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
w, apkg, where = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(w + "/" + where, exist_ok=True)
col = Collection(w + "/" + where + "/col.anki2")
if apkg != "-":
    col.import_anki_package(ImportAnkiPackageRequest(package_path=apkg, options=ImportAnkiPackageOptions()))
def text(html):
    return re.sub(r"<style>.*?</style>", "", html, flags=re.S).strip()
out = {}
for nid in col.find_notes(""):
    note = col.get_note(nid)
    out[note["Word"]] = sorted([c.ord, text(c.question()), text(c.answer())] for c in note.cards())
print(json.dumps(out))
col.close()
"""

NOTES = [
    ["adiós", "goodbye", "", ""],  # Read only (ord 1)
    ["hola", "hello", "hola.mp3", ""],  # Listen and Read: a reversed note from template 0
    ["gato", "cat", "", "y"],  # Read and Recall (ords 1, 2): a reversed note from template 1
    ["perro", "dog", "perro.mp3", "y"],  # all three (retain keeps two)
]


def _anki_made(tmp_path: Path) -> dict[str, list[list[object]]]:
    run_anki(tmp_path, MAKE, str(tmp_path), json.dumps(NOTES))
    made: dict[str, list[list[object]]] = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), "-", "src"))
    return made


@needs_anki
def test_a_note_read_from_a_later_template_goes_back_as_that_templates_card(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = _anki_made(tmp_path)
    assert [c[0] for c in made["adiós"]] == [1] and [c[0] for c in made["gato"]] == [1, 2]
    assert run_cli(capsys, "import", str(tmp_path / "es.apkg"))[0] == 0
    out = tmp_path / "back.apkg"
    code, _, err = run_cli(capsys, "export", "spanish", "-o", str(out))
    assert code == 0, err
    got = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), str(out), "dst"))
    for word in ("adiós", "hola", "gato"):
        assert got[word] == made[word], word
    # (retain keeps the first two cards of a note: the third template's card is not exported)
    assert got["perro"] == made["perro"][:2]


@needs_anki
def test_an_edited_card_of_a_later_template_goes_into_the_fields_it_asks_with(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _anki_made(tmp_path)
    assert run_cli(capsys, "import", str(tmp_path / "es.apkg"))[0] == 0
    deck = Path(os.environ["RETAIN_HOME"]) / "decks" / "spanish.toml"
    text = deck.read_text(encoding="utf-8")
    assert 'front = "adiós"' in text and 'back = "goodbye"' in text
    deck.write_text(text.replace('back = "goodbye"', 'back = "farewell"'), encoding="utf-8")
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", "spanish", "-o", str(out))[0] == 0
    [fields] = package_rows(out, tmp_path, "SELECT flds FROM notes WHERE flds LIKE 'adi%'")
    assert fields[0].split("\x1f") == ["adiós", "farewell", "", ""]
    got = json.loads(run_anki(tmp_path, CHECK, str(tmp_path), str(out), "dst"))
    [[ord_, question, answer]] = got["adiós"]
    assert ord_ == 1 and question == "adiós" and answer.endswith("farewell")


# A card of a first template that a field edit in Anki emptied stays (Anki deletes it only in
# "Empty Cards"): the import reads the note from it, and so does the export (the legacy fixture's
# reversed note "hola", its type given a listening first template, its audio emptied).
REVERSED = 1_795_857_294_863  # the fixture's "Basic (and reversed card)"
HOLA = 1_795_857_295_147  # its note of that type: cards HOLA (ord 0) and HOLA + 1 (ord 1)


def _emptied_listening_card(conn: sqlite3.Connection) -> None:
    models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
    model = models[str(REVERSED)]
    model["flds"] = [
        dict(model["flds"][0], name=name, ord=i) for i, name in enumerate(["Word", "Meaning", "Audio"])
    ]
    model["tmpls"] = [
        dict(model["tmpls"][0], name=name, qfmt=q, afmt=a, ord=i)
        for i, (name, q, a) in enumerate(
            [
                (
                    "Listen",
                    "{{#Audio}}{{Audio}}<br>{{Word}}{{/Audio}}",
                    "{{FrontSide}}<hr id=answer>{{Meaning}}",
                ),
                ("Meaning", "{{Meaning}}", "{{FrontSide}}<hr id=answer>{{Word}}"),
            ]
        )
    ]
    conn.execute("UPDATE col SET models = ?", (json.dumps(models),))
    conn.execute("UPDATE notes SET flds = ? WHERE id = ?", ("hola\x1fhello\x1f", HOLA))


def test_a_kept_card_of_an_emptied_first_template_goes_back_as_it_was(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = changed_package(tmp_path, _emptied_listening_card)
    code, _, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    deck = next(
        p for p in (home / "decks").glob("*.toml") if 'front = "hola"' in p.read_text(encoding="utf-8")
    )
    out = tmp_path / "back.apkg"
    assert run_cli(capsys, "export", deck.stem, "-o", str(out))[0] == 0
    rows = package_rows(
        out,
        tmp_path,
        "SELECT n.mid, c.ord FROM notes n JOIN cards c ON c.nid = n.id WHERE n.flds LIKE 'hola%'",
    )
    assert sorted(rows) == [(REVERSED, 0), (REVERSED, 1)]  # (its own note, never retain's note type)


# the class: which templates Anki makes a card of, for any fields (and tags)
PROBES = [
    "{{#C}}{{A}}{{/C}}",
    "<!-- {{B}} -->{{#C}}{{C}}{{/C}}",  # (a reference in a comment counts for nothing)
    "{{^A}}{{C}}{{/A}}",
    "{{#Tags}}{{A}}{{/Tags}}",
    "{{type:B}}",
    "{{#A}}{{#B}}{{C}}{{/B}}{{/A}}",
    "{{text:B}}<!-- never closed {{C}}",  # (an unclosed comment is text)
    "{{{A}}}",
    "{{ #B }}{{^ C}}{{ A }}{{/C}}{{/B}}",
    "{{#Deck}}{{B}}{{/Deck}}{{^Card}}{{A}}{{/Card}}",
]
VALUES = ["", "x", "<br> <div></div>", "&nbsp;", " ", "<p></p>"]
COMBOS = [[a, b, c] for a in VALUES for b in VALUES for c in VALUES]
PROBE_TYPE = NoteType("T", False, ["A", "B", "C"], PROBES, ["x"] * len(PROBES))

GENERATE = r"""
import sys, os, json
from anki.collection import Collection
w, probes, combos = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
os.makedirs(w + "/gen", exist_ok=True)
col = Collection(w + "/gen/col.anki2")
mm = col.models
nt = mm.new("T")
for name in "ABC":
    mm.add_field(nt, mm.new_field(name))
for i, q in enumerate(probes):
    t = mm.new_template(f"t{i}"); t["qfmt"] = q; t["afmt"] = "{{A}}"
    mm.add_template(nt, t)
mm.add(nt)
nt = mm.by_name("T")
out = []
for tags in ([], ["t"]):
    for fields in combos:
        n = col.new_note(nt)
        n["A"], n["B"], n["C"] = fields
        n.tags = tags
        col.add_note(n, 1)
        out.append(sorted(c.ord for c in n.cards()))
print(json.dumps(out))
col.close()
"""


@needs_anki
def test_made_templates_are_the_cards_anki_makes(tmp_path: Path) -> None:
    made = json.loads(run_anki(tmp_path, GENERATE, str(tmp_path), json.dumps(PROBES), json.dumps(COMBOS)))
    ours = [list(made_templates(PROBE_TYPE, f, tagged)) for tagged in (False, True) for f in COMBOS]
    wrong = [(f, m, o) for f, m, o in zip(COMBOS * 2, made, ours, strict=True) if m != o]
    assert not wrong, wrong[:5]


@pytest.mark.parametrize(
    ("fields", "tagged", "made"),
    [
        (["a", "", ""], False, (7,)),  # (`{{^Card}}` is shut: Card is never empty)
        (["", "", ""], False, (0,)),  # none: Anki makes the first
        (["a", "", "c"], True, (0, 1, 3, 6, 7)),
        (["", "b", ""], False, (4, 6, 9)),  # (`{{#Deck}}` is open)
    ],
)
def test_made_templates_examples(fields: list[str], tagged: bool, made: tuple[int, ...]) -> None:
    assert made_templates(PROBE_TYPE, fields, tagged) == made


# 2. a learning step past the rollover ------------------------------------------------------------

UTC_DAY = StudyDay(4, UTC)
KEY = "steps/c"
STEPS = StudySettings(learning_steps=(timedelta(minutes=10), timedelta(days=1)))


def _anki_counts(row: tuple[int, int, int, int]) -> bool:
    """Whether Anki's true retention counts a revlog row (ease, ivl, lastIvl, type): rslib's
    `is_retention_review` (a rating, and a review row or a last interval of a day or more)."""
    ease, _ivl, last, typ = row
    return ease > 0 and (typ == 1 or last <= -86400 or last >= 1)


def _log(tmp_path: Path, reviews: list[Review], day: StudyDay = UTC_DAY) -> list[tuple[int, int, int, int]]:
    """The review log an export of `reviews` (of KEY) writes, studied in `day`'s days."""
    deck = Deck("steps", "Steps", (Card("c", front="q", back="a"),))
    out = tmp_path / "steps.apkg"
    last = reviews[-1].after
    assert last is not None
    opts = ApkgOptions(
        now=reviews[-1].time + timedelta(days=1),
        states={KEY: last},
        reviews=reviews,
        tz=day.tz,
        rollover_hour=day.rollover_hour,
        settings_of=lambda _d: STEPS,
    )
    write_apkg([deck], out, opts)
    return package_rows(out, tmp_path, "SELECT ease, ivl, lastIvl, type FROM revlog ORDER BY id")


def _step_then_answer(last: datetime, due: datetime, at: datetime, state: int) -> list[Review]:
    """A card put on a (re)learning step at `last`, due at `due`, answered Good at `at`."""
    t0 = last - timedelta(days=30)
    learned = CardState(REVIEW, None, 20.0, 5.0, last, t0, 1, 0)
    first = Review(KEY, t0, learned, None, "review", 4, 900)
    if state == LEARNING:  # (new again: the step is its first answer's)
        first = Review(KEY, t0, None, None, "reset")
        learned = None  # type: ignore[assignment]
    step = CardState(state, 0, 1.0, 5.0, due, last, 2, int(state == RELEARNING))
    on_step = Review(KEY, last, step, learned, "review", 3 if state == LEARNING else 1, 900)
    done = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 3, step.lapses)
    return [first, on_step, Review(KEY, at, done, step, "review", 3, 900)]


def test_the_answer_after_a_10m_step_past_the_rollover_is_logged_in_seconds(tmp_path: Path) -> None:
    """Good on a `10m` step at 03:55 (due 04:05, past the 04:00 rollover), answered at 04:07."""
    last = datetime(2026, 3, 2, 3, 55, 13, tzinfo=UTC)
    for state in (LEARNING, RELEARNING):
        reviews = _step_then_answer(last, last + timedelta(minutes=10), last + timedelta(minutes=12), state)
        rows = _log(tmp_path, reviews)
        # the step's own row: a day, as Anki logs a step past the rollover; the answer after it:
        # the step's 600 seconds, so neither Anki nor retain counts it in true retention
        assert rows[-2][1] == 1 and rows[-1][2] == -600, rows
        assert not _anki_counts(rows[-1])
        assert not counts_in_retention(reviews[-1].time, reviews[-1].before, UTC_DAY)


_MINUTE = timedelta(minutes=1)


@settings(max_examples=80, deadline=None)
@given(
    hour=st.integers(0, 23),
    zone=st.sampled_from(["UTC", "America/New_York", "Asia/Kolkata"]),
    set_at=st.integers(0, 3 * 24 * 60 * 60 - 1),  # seconds into 2026-03-07 (a DST change on the 8th)
    step=st.one_of(
        st.integers(1, 24 * 60).map(lambda m: timedelta(minutes=m)),
        st.integers(1, 3).map(lambda d: -timedelta(days=d)),  # a day step: due at a study day's start
    ),
    late=st.integers(0, 2 * 24 * 60),  # minutes after the due time it is answered
    state=st.sampled_from([LEARNING, RELEARNING]),
)
def test_anki_counts_a_steps_answer_in_true_retention_exactly_when_retain_does(
    tmp_path_factory: pytest.TempPathFactory,
    hour: int,
    zone: str,
    set_at: int,
    step: timedelta,
    late: int,
    state: int,
) -> None:
    """The class: whatever the step, the rollover hour and the zone, Anki's true retention (its
    rule applied to the exported log) counts the answer after a (re)learning step exactly when
    retain's stats do (`counts_in_retention`), and a step that does not count is in seconds."""
    day = StudyDay(hour, ZoneInfo(zone))
    last = datetime(2026, 3, 7, tzinfo=UTC) + timedelta(seconds=set_at, milliseconds=137)
    # (a negative step: retain's own day step, due at a study day's start: `Scheduler.day_step_due`)
    due = day.start_of(day.of(last) - step) if step < timedelta(0) else last + step
    reviews = _step_then_answer(last, due, due + late * _MINUTE, state)
    rows = _log(tmp_path_factory.mktemp("log"), reviews, day)
    counted = counts_in_retention(reviews[-1].time, reviews[-1].before, day)
    assert _anki_counts(rows[-1]) == counted, (rows, reviews[-1])
    if not counted:
        assert rows[-1][2] == -int((due - last).total_seconds())


# the same, through real Anki: its true retention after importing retain's export, and retain's
GRAPHS = r"""
import sys, os, json, tempfile
from anki.collection import Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=sys.argv[1],
    options=ImportAnkiPackageOptions(with_scheduling=True)))
month = col._backend.graphs(search="", days=0).true_retention.month
print(json.dumps([month.young_passed, month.young_failed, month.mature_passed, month.mature_failed]))
col.close()
"""


def _zone_at_noon(now: datetime) -> str:
    """A fixed-offset zone where it is about noon now: far from the rollover."""
    for offset in range(-12, 15):
        if 11 <= (now + timedelta(hours=offset)).hour <= 13:
            return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # (POSIX sign: Etc/GMT-3 is UTC+3)
    raise AssertionError("no zone")


def _studied(day: StudyDay, now: datetime) -> list[Review]:
    """Answers through retain's scheduler around the rollover (04:00): steps of `10m` set at 03:55
    and answered after it, a `1d` step, lapses of young and mature cards and their relearning."""
    sched = Scheduler(STEPS, day)
    today = day.today(now)
    reviews: list[Review] = []

    def at(days: int, clock: str) -> datetime:
        h, m, s = (int(x) for x in clock.split(":"))
        local = datetime(today.year, today.month, today.day, h, m, s, tzinfo=day.tz) + timedelta(days=days)
        return local.astimezone(UTC)

    def rate(name: str, when: datetime, rating: int, before: CardState | None) -> CardState:
        after = sched.preview(f"rt/{name}", before, when)[rating]
        reviews.append(Review(f"rt/{name}", when, after, before, "review", rating, 900))
        return after

    def learned(name: str, days: int, ivl: int) -> CardState:
        """A review card learned `days` ago, due `ivl` days after."""
        when = at(-days, "12:00:00")
        state = CardState(REVIEW, None, float(ivl), 5.0, when + timedelta(days=ivl), when, 1, 0)
        reviews.append(Review(f"rt/{name}", when, state, None, "review", 4, 900))
        return state

    s = rate("late", at(-6, "03:55:13"), 1, None)  # Again: the 10m step, due 04:05:13
    s = rate("late", at(-6, "04:07:00"), 3, s)  # Good: the 1d step (no review in true retention)
    s = rate("late", at(-5, "12:00:00"), 3, s)  # after the 1d step: counted (young)
    s = rate("again", at(-4, "03:56:01"), 1, None)
    s = rate("again", at(-4, "04:06:30"), 1, s)  # Again on the 10m step past the rollover
    for name, ivl in (("young", 5), ("mature", 30)):
        s = learned(name, 40, ivl)
        s = rate(name, at(-3, "03:55:40"), 1, s)  # a lapse: counted (failed)
        s = rate(name, at(-3, "04:08:00"), 3, s)  # its 10m relearning step past the rollover
        rate(name, s.due + timedelta(hours=8) if s.due else now, 3, s)  # (reviewed again: counted)
    return [r for r in reviews if r.time < now]


@needs_anki
def test_ankis_true_retention_after_a_round_trip_is_retains(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    now = datetime.now(UTC)
    monkeypatch.setenv("TZ", _zone_at_noon(now))
    day = StudyDay(4, local_timezone())
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('[study]\nlearning_steps = ["10m", "1d"]\n')
    monkeypatch.setenv("RETAIN_HOME", str(home))
    names = ("late", "again", "young", "mature")
    deck = tmp_path / "rt.toml"
    cards = "".join(f'[[cards]]\nid = "{n}"\nfront = "{n}"\nback = "a"\n\n' for n in names)
    deck.write_text(f'format = 1\n[deck]\nid = "rt"\nname = "RT"\n\n{cards}')
    assert run_cli(capsys, "import", str(deck))[0] == 0
    progress_io.record_history(open_home({"RETAIN_HOME": str(home)}), _studied(day, now), now)
    code, out, err = run_cli(capsys, "stats", "--json")
    assert code == 0, err
    [month] = [s for s in json.loads(out)["retention"]["spans"] if s["span"] == "month"]
    ours = [month["young"]["pass"], month["young"]["fail"], month["mature"]["pass"], month["mature"]["fail"]]
    assert ours[1] >= 1 and ours[3] == 1  # (the two lapses; the answers after their steps are none)
    sent = tmp_path / "rt.apkg"
    code, _out, err = run_cli(capsys, "export", "rt", "-o", str(sent), "--with-progress")
    assert code == 0, err
    assert json.loads(run_anki(tmp_path, GRAPHS, str(sent)).strip().splitlines()[-1]) == ours
