"""h39 (attack 71): what a retain `.apkg` carries of a deck, through Anki and back.

1. A retain deck renamed, moved or re-described in Anki comes back with Anki's name, group and
   description: the deck's metadata comment (`<!--retain-deck {...}-->`) gives them only while
   Anki still has what the export wrote.
2. A (re)learning card's Anki `left` (its steps still to go) is read against the steps of its
   deck's options in the package, which is what Anki and retain's exporter count it against:
   a card on step 2 of `1m 10m 1h 5h` comes back on step 2, not on step 0.
3. The package's deck options are each deck's own settings, marked as retain's: an import with
   `--with-history` of a retain package (straight, or through Anki with its presets untouched)
   never turns them into an "Anki:" preset in config.toml; one edited in Anki is Anki's.
"""

from __future__ import annotations

import json
import sqlite3
import struct
import tomllib
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.model import Card, Deck
from retain.core.settings import StudySettings
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState
from retain.interop.anki.apkg_deckconf import DeckConfs
from retain.interop.anki.apkg_schema import deck_conf
from retain.interop.anki.deck_options import MADE_KEY, made_mark, options_from_json
from retain.interop.bundle import Bundle, Review
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

needs_anki = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)


def _deck(deck_id: str = "dd", name: str = "Desc Deck", group: str = "Grp", description: str = "") -> Deck:
    return Deck(deck_id, name, (Card("a", front="a?", back="a"),), group=group, description=description)


def _read(path: Path, tmp_path: Path, *, with_history: bool = False) -> Bundle:
    stage = tmp_path / f"stage-{path.stem}-{len(list(tmp_path.iterdir()))}"
    stage.mkdir()
    return read_file(path, stage, with_history=with_history)


def _edited(package: Path, out: Path, change: Callable[[sqlite3.Connection], object]) -> Path:
    """`package` (retain's: `collection.anki2`) with its collection changed by `change`."""
    db = out.with_suffix(".anki2")
    with zipfile.ZipFile(package) as zin:
        db.write_bytes(zin.read("collection.anki2"))
        conn = sqlite3.connect(db)
        change(conn)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                name = info.filename
                zout.writestr(name, db.read_bytes() if name == "collection.anki2" else zin.read(name))
    return out


def _in_anki(full: str, change: Callable[[dict[str, object]], None]) -> Callable[[sqlite3.Connection], None]:
    """A change to the Anki deck named `full`, as Anki's deck rename and description dialog make it."""

    def apply(conn: sqlite3.Connection) -> None:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        (deck,) = [d for d in decks.values() if d["name"] == full]
        change(deck)
        conn.execute("UPDATE col SET decks = ?", (json.dumps(decks),))

    return apply


# --- 1. name, group and description -------------------------------------------------------------


def _export(tmp_path: Path, decks: list[Deck], name: str = "out.apkg") -> Path:
    out = tmp_path / name
    export_decks(decks, out, now=NOW)
    return out


def _renamed(new: str) -> Callable[[dict[str, object]], None]:
    def change(deck: dict[str, object]) -> None:
        deck["name"] = new

    return change


def _described(old: str, new: str) -> Callable[[dict[str, object]], None]:
    def change(deck: dict[str, object]) -> None:
        desc = str(deck["desc"])
        assert desc.startswith(old), desc
        deck["desc"] = new + desc[len(old) :]

    return change


def test_a_deck_renamed_moved_and_redescribed_in_anki_takes_anki_s_values(tmp_path: Path) -> None:
    package = _export(tmp_path, [_deck(description="Old description.")])

    def change(deck: dict[str, object]) -> None:
        _renamed("Other::Renamed Deck")(deck)
        _described("Old description.", "New <b>description</b>.")(deck)

    back = _read(_edited(package, tmp_path / "back.apkg", _in_anki("Grp::Desc Deck", change)), tmp_path)
    (deck,) = back.decks
    assert (deck.id, deck.group, deck.name) == ("dd", "Other", "Renamed Deck")
    assert deck.description == "New **description**."


@pytest.mark.parametrize(
    ("new", "group", "name"),
    [
        ("Renamed", "", "Renamed"),  # moved out of its group
        ("Grp::Renamed", "Grp", "Renamed"),
        ("A::B::Desc Deck", "A::B", "Desc Deck"),  # moved under another parent
        ("grp::desc deck", "grp", "desc deck"),  # only the case changed
    ],
)
def test_a_rename_alone_keeps_the_description(tmp_path: Path, new: str, group: str, name: str) -> None:
    description = "Some **bold** text and [a link](https://example.org).\n\n- one\n- two"
    package = _export(tmp_path, [_deck(description=description)])
    back = _read(
        _edited(package, tmp_path / "back.apkg", _in_anki("Grp::Desc Deck", _renamed(new))), tmp_path
    )
    (deck,) = back.decks
    assert (deck.id, deck.group, deck.name, deck.description) == ("dd", group, name, description)


@pytest.mark.parametrize("new", ["", "Only <i>this</i> now."])
def test_a_description_edited_alone_keeps_the_name(tmp_path: Path, new: str) -> None:
    package = _export(tmp_path, [_deck(description="Old description.")])
    edit = _in_anki("Grp::Desc Deck", _described("Old description.", new))
    (deck,) = _read(_edited(package, tmp_path / "back.apkg", edit), tmp_path).decks
    assert (deck.group, deck.name) == ("Grp", "Desc Deck")
    assert deck.description == ("" if not new else "Only *this* now.")


def test_a_description_added_in_anki_to_a_deck_without_one_is_taken(tmp_path: Path) -> None:
    package = _export(tmp_path, [_deck()])
    edit = _in_anki("Grp::Desc Deck", _described("", "Added in Anki."))
    (deck,) = _read(_edited(package, tmp_path / "back.apkg", edit), tmp_path).decks
    assert (deck.group, deck.name, deck.description) == ("Grp", "Desc Deck", "Added in Anki.")


@pytest.mark.parametrize(
    "decks",
    [
        [_deck(name="A::B", group="", description="**Markdown** that `html_to_text` reads *back* otherwise")],
        [_deck(group="", description="# Heading\n\n1. one\n2. two")],
        # two decks of one name in one group: the second's Anki name has its id added
        [_deck("v1", "Vocabulary", "G", "first"), _deck("v2", "vocabulary", "G", "second [x](y)")],
        [_deck(name=" Spaced ", group="G1::G2")],
    ],
)
def test_an_untouched_deck_comes_back_with_its_own_fields(tmp_path: Path, decks: list[Deck]) -> None:
    back = _read(_export(tmp_path, decks), tmp_path)
    got = {d.id: (d.group, d.name, d.description) for d in back.decks}
    assert got == {d.id: (d.group, d.name, d.description) for d in decks}


def test_a_deck_named_as_the_group_of_a_deck_before_it_keeps_its_fields(tmp_path: Path) -> None:
    """Anki's parent deck `Top`, made for `Top::Sub`, is also the deck `Top` after it: its own."""
    decks = [_deck("sub", "Sub", "Top"), _deck("tp", "Top", "", "Top's own description.")]
    back = _read(_export(tmp_path, decks), tmp_path)
    assert {(d.id, d.group, d.name, d.description) for d in back.decks} == {
        ("sub", "Top", "Sub", ""),
        ("tp", "", "Top", "Top's own description."),
    }


# --- 2. a (re)learning card's step --------------------------------------------------------------

STEPS = StudySettings(
    new_per_day=50,
    reviews_per_day=500,
    learning_steps=(MIN, 10 * MIN, HOUR, 5 * HOUR),
    relearning_steps=(10 * MIN, HOUR, DAY),
)


@pytest.mark.parametrize(("state", "count"), [(LEARNING, 4), (RELEARNING, 3)])
def test_every_step_of_the_deck_s_steps_comes_back(tmp_path: Path, state: int, count: int) -> None:
    for step in range(count):
        at = NOW - timedelta(minutes=5)
        lapsed = state == RELEARNING
        st = CardState(state, step, 3.0, 5.0, NOW + HOUR, at, 3, 1 if lapsed else 0)
        before = CardState(REVIEW, None, 9.0, 5.0, at, at - 9 * DAY, 2, 0) if lapsed else None
        answer = Review("dd/a", at, st, before, "review", 1 if lapsed else 3, 900)
        out = tmp_path / f"s{state}-{step}.apkg"
        export_decks(
            [_deck()], out, now=NOW, states={"dd/a": st}, reviews=[answer], settings_of=lambda _d: STEPS
        )
        back = _read(out, tmp_path, with_history=True)
        last = [r for r in back.reviews if r.key == "dd/a"][-1]
        assert last.after is not None and (last.after.state, last.after.step) == (state, step)
        assert back.presets == {}  # retain's own settings: no "Anki:" preset


# --- 3. retain's own settings are no Anki preset ------------------------------------------------

CONFIG = '[study]\nnew_per_day = 50\nreviews_per_day = 500\nlearning_steps = ["1m", "10m", "1h", "5h"]\n'


def _studied_home(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A home whose deck `st` has one card answered Good twice: on learning step 2 (1h)."""
    (root / "decks").mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    (root / "decks" / "st.toml").write_text(
        'format = 1\n\n[deck]\nid = "st"\nname = "Steps"\n\n[[cards]]\nid = "a"\nfront = "a?"\nback = "a"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("RETAIN_HOME", str(root))
    now = datetime.now(UTC) - timedelta(minutes=2)
    col = Collection.open(open_home(), now)
    session = col.start_session(["st"], now)
    for _ in range(2):
        session.reveal()
        session.rate(3, now, 3000)
        now += timedelta(seconds=5)
    assert (col.states["st/a"].state, col.states["st/a"].step) == (LEARNING, 2)
    col.close()


def _after_import(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, object], CardState, StudySettings]:
    monkeypatch.setenv("RETAIN_HOME", str(root))
    col = Collection.open(open_home(), datetime.now(UTC), read_only=True)
    try:
        return (
            tomllib.loads((root / "config.toml").read_text(encoding="utf-8")),
            col.states["st/a"],
            col.settings_for("st"),
        )
    finally:
        col.close()


def _new_home(root: Path) -> None:
    root.mkdir(parents=True)
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")


def test_own_package_with_history_keeps_the_settings_and_the_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _studied_home(tmp_path / "a", monkeypatch)
    package = tmp_path / "st.apkg"
    assert run_cli(capsys, "export", "st", "-o", str(package), "--with-progress")[0] == 0
    _new_home(tmp_path / "b")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "b"))
    code, out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    assert "settings:" not in out + err
    config, state, settings = _after_import(tmp_path / "b", monkeypatch)
    assert "presets" not in config and "decks" not in config
    assert (state.state, state.step, settings.new_per_day) == (LEARNING, 2, 50)


def test_an_older_retain_package_s_stock_options_are_no_preset(tmp_path: Path) -> None:
    """Packages of earlier versions held Anki's stock Default, unmarked: still recognised."""
    st = CardState(LEARNING, 1, 3.0, 5.0, NOW + HOUR, NOW, 2, 0)
    out = tmp_path / "new.apkg"
    export_decks([_deck()], out, now=NOW, states={"dd/a": st}, reviews=[], settings_of=lambda _d: STEPS)
    mod = int(NOW.timestamp())

    def old(conn: sqlite3.Connection) -> None:
        decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
        for deck in decks.values():
            deck["conf"] = 1
        conn.execute(
            "UPDATE col SET decks = ?, dconf = ?", (json.dumps(decks), json.dumps({"1": deck_conf(mod)}))
        )

    back = _read(_edited(out, tmp_path / "old.apkg", old), tmp_path, with_history=True)
    assert back.presets == {}


def _f32(value: float) -> float:
    return float(struct.unpack("<f", struct.pack("<f", value))[0])


_STEP = st.integers(1, 30 * 86400).map(lambda s: timedelta(seconds=s))


@settings(max_examples=200, deadline=None)
@given(
    learning=st.lists(_STEP, max_size=20),
    relearning=st.lists(_STEP, max_size=20),
    retention=st.floats(0.7, 0.99),
    limits=st.tuples(st.integers(0, 9999), st.integers(0, 9999), st.integers(1, 36500), st.integers(0, 99)),
    suspend=st.booleans(),
    weights=st.none() | st.lists(st.floats(0.1, 0.8), min_size=21, max_size=21),
)
def test_the_mark_of_retain_s_settings_holds_through_anki_s_float32(
    learning: list[timedelta],
    relearning: list[timedelta],
    retention: float,
    limits: tuple[int, int, int, int],
    suspend: bool,
    weights: list[float] | None,
) -> None:
    """Anki keeps steps, retention and weights as float32: the preset reads back with its mark."""
    new, reviews, maximum, leech = limits
    study = StudySettings(
        retention, new, reviews, tuple(learning), tuple(relearning), maximum, True, leech,
        "suspend" if suspend else "tag", tuple(weights) if weights else None,
    )  # fmt: skip
    confs = DeckConfs(0)
    conf_id = confs.conf_id(study)
    conf = confs.dconf()[str(conf_id)]
    as_anki = json.loads(json.dumps(conf))
    for part in ("new", "lapse"):
        as_anki[part]["delays"] = [_f32(m) for m in as_anki[part]["delays"]]
    as_anki["desiredRetention"] = _f32(as_anki["desiredRetention"])
    as_anki["fsrsParams6"] = [_f32(w) for w in as_anki.get("fsrsParams6", [])]
    assert conf[MADE_KEY] == made_mark(options_from_json(as_anki))


# --- through real Anki ----------------------------------------------------------------------

ANKI_ROUND_TRIP = r"""
import os, sys, json
from anki.collection import (Collection, ImportAnkiPackageRequest, ImportAnkiPackageOptions,
                             ExportAnkiPackageOptions)
package, work, mode = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(work, exist_ok=True); os.chdir(work)
col = Collection(os.path.join(work, "collection.anki2"))
col.import_anki_package(ImportAnkiPackageRequest(package_path=package, options=ImportAnkiPackageOptions(
    with_scheduling=True, with_deck_configs=mode != "no-presets")))
did = col.decks.id_for_name(sys.argv[4])
conf = col.decks.config_dict_for_deck_id(did)
if mode == "edit-preset":
    conf["new"]["perDay"] = 7; col.decks.update_config(conf)
if mode == "rename":
    col.decks.rename(did, "Other::Renamed Deck")
    deck = col.decks.get(did)
    deck["desc"] = deck["desc"].replace("Old description.<!--", "New description.<!--", 1)
    col.decks.save(deck)
card = col.get_card(col.find_cards("")[0])
print(json.dumps({"conf": conf["name"], "new": conf["new"]["perDay"], "steps": conf["new"]["delays"],
                  "left": card.left, "type": card.type}))
for legacy in (False, True):
    col.export_anki_package(out_path=os.path.join(work, f"back-{int(legacy)}.apkg"), options=ExportAnkiPackageOptions(
        with_scheduling=True, with_deck_configs=True, with_media=True, legacy=legacy), limit=None)
col.close()
"""


@needs_anki
def test_a_deck_renamed_in_real_anki_comes_back_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _export(tmp_path, [_deck(description="Old description.")], "dd.apkg")
    run_anki(tmp_path, ANKI_ROUND_TRIP, str(package), str(tmp_path / "anki"), "rename", "Grp::Desc Deck")
    for legacy in (0, 1):
        (deck,) = _read(tmp_path / "anki" / f"back-{legacy}.apkg", tmp_path).decks
        assert (deck.id, deck.group, deck.name, deck.description) == (
            "dd",
            "Other",
            "Renamed Deck",
            "New description.",
        )


@needs_anki
@pytest.mark.parametrize("mode", ["presets", "edit-preset", "no-presets"])
def test_own_package_through_anki_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], mode: str
) -> None:
    _studied_home(tmp_path / "a", monkeypatch)
    package = tmp_path / "st.apkg"
    assert run_cli(capsys, "export", "st", "-o", str(package), "--with-progress")[0] == 0
    shown = json.loads(
        run_anki(tmp_path, ANKI_ROUND_TRIP, str(package), str(tmp_path / "anki"), mode, "Steps")
    )
    if mode == "no-presets":  # the deck is on the profile's own Default: a real Anki preset
        assert (shown["conf"], shown["steps"]) == ("Default", [1.0, 10.0])
        return
    # Anki has the deck's own settings: its scheduler reads the card's `left` against them
    assert shown["steps"] == [1.0, 10.0, 60.0, 300.0] and shown["left"] % 1000 == 2
    for legacy in (0, 1):
        home = tmp_path / f"b{legacy}"
        _new_home(home)
        monkeypatch.setenv("RETAIN_HOME", str(home))
        code, _out, err = run_cli(
            capsys, "import", str(tmp_path / "anki" / f"back-{legacy}.apkg"), "--with-history"
        )
        assert code == 0, err
        config, state, settings = _after_import(home, monkeypatch)
        assert (state.state, state.step) == (LEARNING, 2)
        if mode == "presets":  # untouched in Anki: retain's own settings, no preset
            assert "presets" not in config, config
            assert settings.new_per_day == 50
        else:  # edited in Anki: Anki's preset now
            assert settings.new_per_day == 7, config


ANKI_STEPS = r"""
import os, sys
from anki.collection import Collection, ExportAnkiPackageOptions
work = sys.argv[1]; os.chdir(work)
col = Collection(os.path.join(work, "collection.anki2"))
did = col.decks.id("Steps")
conf = col.decks.config_dict_for_deck_id(did)
conf["new"]["delays"] = [10.0, 1440.0, 4320.0]; conf["lapse"]["delays"] = [10.0, 2880.0]
col.decks.update_config(conf)
basic = col.models.by_name("Basic")
for i, answers in enumerate(([3], [3, 3, 3, 3, 1, 3])):  # on to the 1d step; a lapse, on to the 2d step
    n = col.new_note(basic); n["Front"] = f"q{i}"; n["Back"] = "a"; col.add_note(n, did)
    for ease in answers:
        c = col.get_card(n.card_ids()[0])
        if c.queue in (2, 3): col.sched.set_due_date([c.id], "0")
        c = col.get_card(c.id); c.start_timer(); col.sched.answerCard(c, ease)
    c = col.get_card(n.card_ids()[0]); print(c.type, c.left)
col.export_anki_package(out_path=os.path.join(work, "steps.apkg"),
    options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=True), limit=None)
col.close()
"""


@needs_anki
def test_an_anki_learning_card_keeps_its_step_of_the_deck_s_steps(tmp_path: Path) -> None:
    work = tmp_path / "anki"
    work.mkdir()
    lines = run_anki(tmp_path, ANKI_STEPS, str(work)).split()
    # Anki's (type, left): learning, 2 of 3 steps to go; relearning, 1 of 2 to go
    assert [(int(t), int(left) % 1000) for t, left in zip(lines[::2], lines[1::2], strict=True)] == [
        (1, 2),
        (3, 1),
    ]
    back = _read(work / "steps.apkg", tmp_path, with_history=True)
    last = {r.key: r.after for r in back.reviews}
    got = sorted((s.state, s.step) for s in last.values() if s is not None)
    # learning: on the 1d step (index 1 of 3); relearning: on its last step, 2d (index 1 of 2)
    assert got == [(LEARNING, 1), (RELEARNING, 1)]
    assert [p.values.get("learning_steps") for p in back.presets.values()] == [["10m", "1d", "3d"]]
