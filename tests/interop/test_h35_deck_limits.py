"""h35: `retain import X.apkg --with-history` takes each Anki deck's own "This deck" limits.

Anki (2.1.55+) lets one deck replace its preset's new-card and review limits for itself alone;
retain's `[decks.ID] new_per_day` / `reviews_per_day` do the same. Packages are made by real Anki
in all three layouts: "Spanish" uses a preset "Heavy" (5 new a day) and has its own limits (3 new,
77 reviews); "Verbs" uses Anki's untouched Default preset with its own 4 new a day and its own
desired retention, 85% (h36: Anki 23.10+ lets a deck replace its preset's); "Other" has nothing of
its own but a retention of 90%, retain's default (and so writes nothing)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest

from retain.interop.importer import read_file
from retain.store.config import load_config

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli
from .test_h34_deck_options import config_of, due_new, edited

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

# argv: collection, output prefix. Writes PREFIX-latest.apkg and PREFIX-legacy.apkg.
ANKI = r"""
import sys
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
basic = col.models.by_name("Basic")
heavy = col.decks.add_config_returning_id("Heavy")
c = col.decks.get_config(heavy)
c["new"]["perDay"] = 5
col.decks.update_config(c)
for name, count, conf, own, keep in (("Spanish", 8, heavy, (3, 77), None), ("Verbs", 6, None, (4, None), 0.85),
                                     ("Other", 2, None, (None, None), 0.9)):
    did = col.decks.id(name)
    d = col.decks.get(did)
    if conf:
        d["conf"] = conf
    d["newLimit"], d["reviewLimit"] = own
    d["newLimitToday"] = {"limit": 1, "today": col.sched.today}  # today only: not taken
    col.decks.save(d)
    if keep is not None:  # (through the protobuf, as the deck options screen sets it)
        deck = col._backend.get_deck(did)
        deck.normal.desired_retention = keep
        col._backend.update_deck(deck)
    for i in range(count):
        n = col.new_note(basic); n["Front"] = f"{name} q{i}"; n["Back"] = f"a{i}"; col.add_note(n, did)
card = col.get_card(col.find_cards('"deck:Spanish"')[0]); card.start_timer(); col.sched.answerCard(card, 3)
for legacy in (False, True):
    col.export_anki_package(out_path=sys.argv[2] + ("-legacy.apkg" if legacy else "-latest.apkg"),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False,
                                         legacy=legacy), limit=None)
"""


@pytest.fixture(scope="module")
def limits_packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    tmp = tmp_path_factory.mktemp("anki-limits")
    run_anki(tmp, ANKI, str(tmp / "c.anki2"), str(tmp / "pkg"))
    anki2 = tmp / "pkg-anki2.apkg"
    with zipfile.ZipFile(tmp / "pkg-legacy.apkg") as zin, zipfile.ZipFile(anki2, "w") as zout:
        for info in zin.infolist():
            if info.filename in ("collection.anki2", "meta"):
                continue
            name = "collection.anki2" if info.filename == "collection.anki21" else info.filename
            zout.writestr(name, zin.read(info.filename))
    return {"latest": tmp / "pkg-latest.apkg", "legacy": tmp / "pkg-legacy.apkg", "anki2": anki2}


@pytest.mark.parametrize("layout", ["latest", "legacy", "anki2"])
def test_each_layout_reads_the_decks_own_limits_only_with_history(
    limits_packages: dict[str, Path], tmp_path: Path, layout: str
) -> None:
    for stage in ("a", "b"):
        (tmp_path / stage).mkdir()
    bundle = read_file(limits_packages[layout], tmp_path / "a", with_history=True)
    assert bundle.deck_limits == {
        "spanish": {"new_per_day": 3, "reviews_per_day": 77},
        "verbs": {"new_per_day": 4, "desired_retention": 0.85},
        "other": {"desired_retention": 0.9},
    }
    assert not [w for w in bundle.warnings if "limit" in w or "preset" in w], bundle.warnings
    assert read_file(limits_packages[layout], tmp_path / "b", with_history=False).deck_limits == {}


@pytest.mark.parametrize("layout", ["latest", "anki2"])
def test_the_decks_own_limits_go_into_its_table_and_due_uses_them(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    limits_packages: dict[str, Path],
    layout: str,
) -> None:
    code, out, err = run_cli(capsys, "import", str(limits_packages[layout]), "--with-history")
    assert code == 0, err
    assert (
        'settings: preset "Anki: Heavy" for 1 deck, options of its own for 2 decks (spanish, verbs)'
        " (config.toml)"
    ) in out.splitlines()
    assert config_of(home) == {
        "presets": {"Anki: Heavy": {"new_per_day": 5}},
        "decks": {
            "spanish": {"preset": "Anki: Heavy", "new_per_day": 3, "reviews_per_day": 77},
            # (Anki's Default preset is retain's: no preset line)
            "verbs": {"new_per_day": 4, "desired_retention": 0.85},
        },  # ("other": 90% is what it has already)
    }
    config = load_config(home / "config.toml")
    assert config.warnings == ()
    assert [config.for_deck(d).desired_retention for d in ("spanish", "verbs", "other")] == [0.9, 0.85, 0.9]
    # Spanish: 7 new cards, 3 a day of its own, one introduced today (the review in Anki)
    assert due_new(capsys, "spanish") == 2
    assert due_new(capsys, "verbs") == 4
    assert due_new(capsys, "other") == 2
    # again, from another path (no import memo answers): nothing changes, nothing is said
    written = (home / "config.toml").read_bytes()
    copy = tmp_path / "again.apkg"
    copy.write_bytes(limits_packages[layout].read_bytes())
    code, out, err = run_cli(capsys, "import", str(copy), "--with-history")
    assert code == 0, err
    assert "settings" not in out
    assert (home / "config.toml").read_bytes() == written


def test_dry_run_says_it_would_set_the_limits_and_writes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], limits_packages: dict[str, Path]
) -> None:
    code, out, err = run_cli(capsys, "import", str(limits_packages["legacy"]), "--with-history", "--dry-run")
    assert code == 0, err
    assert (
        'would set preset "Anki: Heavy" for 1 deck, options of its own for 2 decks (spanish, verbs)'
        " (config.toml)"
    ) in out.splitlines()
    assert not (home / "config.toml").exists()


def test_a_deck_table_of_the_learners_own_is_kept(
    home: Path, capsys: pytest.CaptureFixture[str], limits_packages: dict[str, Path]
) -> None:
    home.mkdir(parents=True)
    mine = "# mine\n[decks.verbs]\nreviews_per_day = 10\n"
    (home / "config.toml").write_text(mine, encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(limits_packages["latest"]), "--with-history")
    assert code == 0, err
    assert "1 deck kept its own settings (verbs)" in out
    assert (home / "config.toml").read_text(encoding="utf-8").startswith(mine)
    assert config_of(home)["decks"] == {
        "verbs": {"reviews_per_day": 10},
        "spanish": {"preset": "Anki: Heavy", "new_per_day": 3, "reviews_per_day": 77},
    }


def _deck_json(conn: sqlite3.Connection, name: str, change: dict[str, Any]) -> None:
    (raw,) = conn.execute("SELECT decks FROM col").fetchone()
    data = json.loads(raw)
    next(d for d in data.values() if d["name"] == name).update(change)
    conn.execute("UPDATE col SET decks = ?", (json.dumps(data),))


def test_limits_retain_refuses_are_left_out_one_line_each(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], limits_packages: dict[str, Path]
) -> None:
    package = edited(
        limits_packages["legacy"],
        tmp_path,
        lambda conn: _deck_json(
            conn, "Spanish", {"newLimit": 10_000, "reviewLimit": "lots", "desiredRetention": 150}
        ),
    )
    code, _out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    assert "Traceback" not in err
    assert [line for line in err.splitlines() if "own" in line] == [
        'warning: Anki deck "spanish": its own new_per_day left out: must be an integer from 0 to 9999, got 10000',
        'warning: Anki deck "spanish": its own reviews_per_day left out: not a whole number: "lots"',
        'warning: Anki deck "spanish": its own desired_retention left out: must be a number from 0.7 to 0.99, got 1.5',
    ]
    assert config_of(home)["decks"] == {
        "spanish": {"preset": "Anki: Heavy"},
        "verbs": {"new_per_day": 4, "desired_retention": 0.85},
    }


def test_a_folder_dry_run_sees_the_settings_its_earlier_files_would_set(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], limits_packages: dict[str, Path]
) -> None:
    """Two copies of one package in a folder: the real run sets the options once; the second file
    finds them set. The dry run said `would set` for each file (h35)."""
    folder = tmp_path / "twice"
    folder.mkdir()
    for name in ("a.apkg", "b.apkg"):
        (folder / name).write_bytes(limits_packages["latest"].read_bytes())

    def said(*args: str) -> list[str]:
        code, out, err = run_cli(capsys, "import", str(folder), "--with-history", *args)
        assert code == 0, err
        return [line for line in out.splitlines() if "preset" in line]

    would = said("--dry-run")
    assert not (home / "config.toml").exists()
    real = said()
    assert real == [
        'a.apkg: settings: preset "Anki: Heavy" for 1 deck, options of its own for 2 decks (spanish, verbs)'
        " (config.toml)"
    ]
    assert would == [real[0].replace("settings:", "would set")]
