"""h34: `retain import X.apkg --with-history` takes the Anki deck options (presets) with it.

Packages are made by real Anki (all three layouts): deck "Lang::Spanish" and "Verbs" use a preset
"Heavy" with non-default limits, steps, retention, maximum interval, leech settings and FSRS-6
weights; "Other" uses Anki's untouched Default preset (which writes nothing)."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard

from retain.core.tomlsafe import loads_safe
from retain.interop.importer import read_file
from retain.store.config import load_config

from .anki_fixture import ANKI_PYTHON, run_anki
from .conftest import run_cli

pytestmark = pytest.mark.skipif(
    not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)"
)

WEIGHTS = [0.212, 1.2931, 2.3065, 8.2956, 6.4133, 0.8334, 3.0194, 0.001, 1.8722, 0.1666, 0.796,
           1.4835, 0.0614, 0.2629, 1.6483, 0.6014, 1.8729, 0.5425, 0.0912, 0.0658, 0.1542]  # fmt: skip

# argv: collection, output prefix. Writes PREFIX-latest.apkg and PREFIX-legacy.apkg.
ANKI = r"""
import sys
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(sys.argv[1])
basic = col.models.by_name("Basic")
heavy = col.decks.add_config_returning_id("Heavy")
c = col.decks.get_config(heavy)
c["new"]["perDay"] = 5
c["rev"]["perDay"] = 500
c["new"]["delays"] = [2.0, 15.0, 1440.0]
c["lapse"]["delays"] = [5.0]
c["rev"]["maxIvl"] = 3650
c["lapse"]["leechFails"] = 6
c["lapse"]["leechAction"] = 0
c["desiredRetention"] = 0.85
c["fsrsParams6"] = WEIGHTS
col.decks.update_config(c)
col.set_config("fsrs", True)
for name, count in (("Lang::Spanish", 8), ("Verbs", 2), ("Other", 2)):
    did = col.decks.id(name)
    if name != "Other":
        d = col.decks.get(did); d["conf"] = heavy; col.decks.save(d)
    for i in range(count):
        n = col.new_note(basic); n["Front"] = f"{name} q{i}"; n["Back"] = f"a{i}"; col.add_note(n, did)
card = col.get_card(col.find_cards('"deck:Lang::Spanish"')[0]); card.start_timer(); col.sched.answerCard(card, 3)
for legacy in (False, True):
    col.export_anki_package(out_path=sys.argv[2] + ("-legacy.apkg" if legacy else "-latest.apkg"),
        options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False,
                                         legacy=legacy), limit=None)
""".replace("WEIGHTS", repr(WEIGHTS))

HEAVY = {
    "new_per_day": 5,
    "reviews_per_day": 500,
    "learning_steps": ["2m", "15m", "1d"],
    "relearning_steps": ["5m"],
    "desired_retention": 0.85,
    "maximum_interval": 3650,
    "leech_threshold": 6,
    "leech_action": "suspend",
    "parameters": WEIGHTS,
}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three layouts of one collection, as Anki makes them (anki2: the legacy export's
    collection under the oldest name, as `scripts/make_anki_fixtures.py` makes that layout)."""
    tmp = tmp_path_factory.mktemp("anki-options")
    run_anki(tmp, ANKI, str(tmp / "c.anki2"), str(tmp / "pkg"))
    anki2 = tmp / "pkg-anki2.apkg"
    with zipfile.ZipFile(tmp / "pkg-legacy.apkg") as zin, zipfile.ZipFile(anki2, "w") as zout:
        for info in zin.infolist():
            if info.filename in ("collection.anki2", "meta"):
                continue
            name = "collection.anki2" if info.filename == "collection.anki21" else info.filename
            zout.writestr(name, zin.read(info.filename))
    return {"latest": tmp / "pkg-latest.apkg", "legacy": tmp / "pkg-legacy.apkg", "anki2": anki2}


def edited(package: Path, tmp: Path, change: Callable[[sqlite3.Connection], object]) -> Path:
    """`package` with its collection (any layout) changed by `change`."""
    out = tmp / f"edited-{package.name}"
    db = tmp / f"edited-{package.stem}.db"
    with zipfile.ZipFile(package) as zin:
        names = [i.filename for i in zin.infolist()]
        entry = next(n for n in ("collection.anki21b", "collection.anki21", "collection.anki2") if n in names)
        raw = zin.read(entry)
        zstd = entry.endswith("b")
        db.write_bytes(zstandard.ZstdDecompressor().decompressobj().decompress(raw) if zstd else raw)
        conn = sqlite3.connect(db)
        conn.create_collation(
            "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
        )
        change(conn)
        conn.commit()
        conn.close()
        data = db.read_bytes()
        with zipfile.ZipFile(out, "w") as zout:
            for name in names:
                body = zin.read(name)
                if name == entry:
                    body = zstandard.ZstdCompressor().compress(data) if zstd else data
                zout.writestr(name, body)
    return out


def config_of(home: Path) -> dict[str, object]:
    path = home / "config.toml"
    if not path.exists():
        return {}
    data = loads_safe(path.read_text(encoding="utf-8-sig"))
    assert isinstance(data, dict)
    return data


def due_new(capsys: pytest.CaptureFixture[str], deck_id: str) -> int:
    code, out, err = run_cli(capsys, "due", "--json")
    assert code == 0, err
    return int(next(d["new"] for d in json.loads(out)["decks"] if d["id"] == deck_id))


@pytest.mark.parametrize("layout", ["latest", "legacy", "anki2"])
def test_each_layout_reads_the_presets_only_with_history(
    packages: dict[str, Path], tmp_path: Path, layout: str
) -> None:
    for history in (True, False):
        stage = tmp_path / f"stage-{history}"
        stage.mkdir()
        bundle = read_file(packages[layout], stage, with_history=history)
        if not history:  # a stranger's shared deck: its options are not even read
            assert bundle.presets == {}
            continue
        assert {k: p.name for k, p in bundle.presets.items()} == {
            "lang-spanish": "Anki: Heavy",
            "verbs": "Anki: Heavy",
            "other": "Anki: Default",
        }
        assert bundle.presets["lang-spanish"].values == HEAVY
        assert not [w for w in bundle.warnings if "preset" in w], bundle.warnings


@pytest.mark.parametrize("layout", ["latest", "anki2"])
def test_import_with_history_sets_the_preset_and_due_uses_its_limit(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path], layout: str
) -> None:
    code, out, err = run_cli(capsys, "import", str(packages[layout]), "--with-history")
    assert code == 0, err
    assert 'settings: preset "Anki: Heavy" for 2 decks (config.toml)' in out.splitlines()
    data = config_of(home)
    # only what differs from [study]; Anki's untouched Default preset writes nothing at all
    assert data == {
        "presets": {"Anki: Heavy": HEAVY},
        "decks": {"lang-spanish": {"preset": "Anki: Heavy"}, "verbs": {"preset": "Anki: Heavy"}},
    }
    config = load_config(home / "config.toml")
    assert config.warnings == ()
    assert config.for_deck("lang-spanish").new_per_day == 5
    assert config.for_deck("other").new_per_day == 20
    # 7 new cards, 5 a day (Anki's limit), one of them introduced today (the review in Anki)
    assert due_new(capsys, "lang-spanish") == 4
    assert due_new(capsys, "other") == 2
    # again, from another path (no import memo answers): nothing changes, nothing is said
    written = (home / "config.toml").read_bytes()
    copy = tmp_path / "again.apkg"
    copy.write_bytes(packages[layout].read_bytes())
    code, out, err = run_cli(capsys, "import", str(copy), "--with-history")
    assert code == 0, err
    assert "settings" not in out
    assert (home / "config.toml").read_bytes() == written


def test_without_history_config_toml_is_not_touched(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    code, out, err = run_cli(capsys, "import", str(packages["latest"]))
    assert code == 0, err
    assert "settings" not in out
    assert not (home / "config.toml").exists()


def test_dry_run_says_what_it_would_set_and_writes_nothing(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    home.mkdir(parents=True)
    (home / "config.toml").write_text("# mine\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(packages["legacy"]), "--with-history", "--dry-run")
    assert code == 0, err
    assert 'would set preset "Anki: Heavy" for 2 decks (config.toml)' in out.splitlines()
    assert (home / "config.toml").read_text(encoding="utf-8") == "# mine\n"


def test_a_deck_with_settings_of_its_own_and_a_preset_of_that_name_are_kept(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    """The learner's `[decks.verbs]` stays as it is; their own `[presets."Anki: Heavy"]` (other
    settings) is never overwritten: the package's preset takes the next name. Comments, CRLF and
    a BOM stay."""
    home.mkdir(parents=True)
    text = (
        "# my config\r\n[study]\r\nnew_per_day = 20  # mine\r\n\r\n"
        '[presets."Anki: Heavy"]\r\nnew_per_day = 1\r\n\r\n[decks.verbs]  # hands off\r\nnew_per_day = 3\r\n'
    )
    (home / "config.toml").write_bytes(b"\xef\xbb\xbf" + text.encode())
    code, out, err = run_cli(capsys, "import", str(packages["latest"]), "--with-history")
    assert code == 0, err
    said = 'settings: preset "Anki: Heavy (2)" for 1 deck, 1 deck kept its own settings (verbs) (config.toml)'
    assert said in out.splitlines()
    raw = (home / "config.toml").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# my config\r\n")
    assert b"\n" not in raw.replace(b"\r\n", b"")
    lines = raw.decode("utf-8-sig").split("\r\n")
    theirs = iter(lines)
    assert all(line in theirs for line in text.split("\r\n"))  # each of their lines, in order
    data = config_of(home)
    assert data["presets"] == {"Anki: Heavy": {"new_per_day": 1}, "Anki: Heavy (2)": HEAVY}
    assert data["decks"] == {"verbs": {"new_per_day": 3}, "lang-spanish": {"preset": "Anki: Heavy (2)"}}


def test_only_keys_that_differ_from_study_are_written(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    """`[study]` already has the preset's limits: the preset holds only the rest."""
    home.mkdir(parents=True)
    (home / "config.toml").write_text(
        '[study]\nnew_per_day = 5\nreviews_per_day = 500\nlearning_steps = ["2m", "15m", "1d"]\n',
        encoding="utf-8",
    )
    code, _out, err = run_cli(capsys, "import", str(packages["legacy"]), "--with-history")
    assert code == 0, err
    heavy = config_of(home)["presets"]
    assert isinstance(heavy, dict)
    assert heavy["Anki: Heavy"] == {
        k: v for k, v in HEAVY.items() if k not in ("new_per_day", "reviews_per_day", "learning_steps")
    }


def test_the_import_dialog_previews_sets_and_applies_the_options(
    home: Path, packages: dict[str, Path]
) -> None:
    """The TUI's import (`i`, history ticked): the preview says what it would set, Import sets it
    in config.toml and the running app takes the new limits at once."""
    import asyncio
    from datetime import UTC, datetime

    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app

    now = datetime.now(UTC)
    opened = open_home()
    collection = Collection.open(opened, now, tz=UTC)
    app = make_app(collection, lambda: now, config=opened.config, decks_dir=opened.paths.decks_dir)
    try:
        asyncio.run(_drive_import(app, home, packages["latest"]))
    finally:
        collection.close()


async def _drive_import(app: Any, home: Path, package: Path, prefix: str = "") -> None:
    from textual.widgets import Button, Checkbox, Input, Static

    from retain.ui.screens.share_import import ImportScreen

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("i")
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#share-history-flag", Checkbox).value = True
        screen.query_one(Input).value = str(package)
        button = screen.query_one("#share-apply", Button)
        await pilot.press("enter")
        for _ in range(400):
            if not button.disabled:
                break
            await pilot.pause(0.05)
        shown = "\n".join(str(s.render()) for s in screen.query(Static))
        assert f'{prefix}would set preset "Anki: Heavy" for 2 decks (config.toml)' in shown, shown
        assert not (home / "config.toml").exists()
        await pilot.click("#share-apply")
        for _ in range(400):
            if not isinstance(app.screen, ImportScreen):
                break
            await pilot.pause(0.05)
        assert not isinstance(app.screen, ImportScreen)
        assert config_of(home)["decks"] == {
            "lang-spanish": {"preset": "Anki: Heavy"},
            "verbs": {"preset": "Anki: Heavy"},
        }
        assert app.config.for_deck("lang-spanish").new_per_day == 5  # (the running app took it)
        assert app.collection.settings_for("lang-spanish").new_per_day == 5


def test_the_import_dialog_takes_the_options_of_a_folders_packages(
    home: Path, tmp_path: Path, packages: dict[str, Path]
) -> None:
    """(attacker 31) A folder imported from the dialog with the history box ticked took its
    packages' decks and history but not their options: no `would set` in the preview, no
    config.toml, decks on the defaults."""
    import asyncio
    from datetime import UTC, datetime

    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app

    folder = tmp_path / "exports"
    folder.mkdir()
    (folder / "a.apkg").write_bytes(packages["latest"].read_bytes())
    now = datetime.now(UTC)
    opened = open_home()
    collection = Collection.open(opened, now, tz=UTC)
    app = make_app(collection, lambda: now, config=opened.config, decks_dir=opened.paths.decks_dir)
    try:
        asyncio.run(_drive_import(app, home, folder, "a.apkg: "))
    finally:
        collection.close()
