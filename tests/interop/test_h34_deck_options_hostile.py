"""h34: a package's deck options from a stranger (or a damaged collection) never break the import
nor put anything odd into config.toml: each value retain would refuse is one warning line naming
the preset and key, a preset that cannot be read is one line, names are made safe."""

from __future__ import annotations

import json
import sqlite3
import struct
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.settings import PARAMETER_COUNT
from retain.interop.anki.deck_options import options_from_blob, preset_name, to_values
from retain.interop.errors import InteropError
from retain.store.config import load_config

from .conftest import run_cli
from .test_h34_deck_options import HEAVY, WEIGHTS, config_of, edited, packages

__all__ = ["packages"]  # (the module's fixture, used here too)

EVIL = 'Evil"]\n[study]\nnew_per_day = 0 \x1b]52;c;AAAA\x07 \u202e'


def _dconf(conn: sqlite3.Connection, change: Any) -> None:
    (raw,) = conn.execute("SELECT dconf FROM col").fetchone()
    data = json.loads(raw)
    heavy = next(c for c in data.values() if c["name"] == "Heavy")
    change(heavy)
    conn.execute("UPDATE col SET dconf = ?", (json.dumps(data),))


def _import(capsys: pytest.CaptureFixture[str], package: Path) -> tuple[str, list[str]]:
    code, out, err = run_cli(capsys, "import", str(package), "--with-history")
    assert code == 0, err
    assert "Traceback" not in err
    return out, [line for line in err.splitlines() if "preset" in line or "options" in line]


def test_legacy_values_retain_refuses_are_left_out_one_line_each(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    def change(c: dict[str, Any]) -> None:
        c["new"]["perDay"] = 10_000
        c["rev"]["perDay"] = "lots"
        c["new"]["delays"] = [1.0, 99_999.0]  # 69 days: retain's steps go to 30d
        c["lapse"]["delays"] = {"x": 1}
        c["rev"]["maxIvl"] = 10**400  # (JSON has no limit)
        c["lapse"]["leechFails"] = True
        c["lapse"]["leechAction"] = 7
        c["desiredRetention"] = 0.5
        c["fsrsParams6"] = []
        c["fsrsParams5"] = WEIGHTS[:19]

    out, lines = _import(capsys, edited(packages["legacy"], tmp_path, lambda conn: _dconf(conn, change)))
    assert lines == [
        'warning: Anki preset "Anki: Heavy": new_per_day left out: must be an integer from 0 to 9999, got 10000',
        'warning: Anki preset "Anki: Heavy": reviews_per_day left out: not a whole number: "lots"',
        'warning: Anki preset "Anki: Heavy": learning_steps left out: must hold durations from 1s to 30d',
        'warning: Anki preset "Anki: Heavy": relearning_steps left out: not a list of numbers',
        'warning: Anki preset "Anki: Heavy": desired_retention left out: must be a number from 0.7 to 0.99, got 0.5',
        'warning: Anki preset "Anki: Heavy": maximum_interval left out: must be an integer from 1 to 36500, got a huge number',
        'warning: Anki preset "Anki: Heavy": leech_threshold left out: not a whole number: true',
        'warning: Anki preset "Anki: Heavy": leech_action left out: unknown action 7',
        'warning: Anki preset "Anki: Heavy": parameters left out: 19 FSRS-5 weights; retain takes '
        "FSRS-6's 21 (`retain optimize` fits them from the imported history)",
    ]
    # what is left of the preset is retain's defaults: nothing to set
    assert "settings" not in out
    assert not (home / "config.toml").exists()


def test_names_with_quotes_brackets_newlines_and_escapes_are_made_safe(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE deck_config SET name = ? WHERE name = 'Heavy'", (EVIL,))

    out, lines = _import(capsys, edited(packages["latest"], tmp_path, change))
    assert lines == []
    data = config_of(home)
    assert "study" not in data  # (the name made no table of its own)
    presets = data["presets"]
    assert isinstance(presets, dict)
    (name,) = presets
    assert name == "Anki: Evil study new_per_day = 0 52;c;AAAA"
    assert presets[name] == HEAVY
    text = (home / "config.toml").read_text(encoding="utf-8")
    assert "\x1b" not in text and "\u202e" not in text and "\x07" not in text
    assert f'settings: preset "{name}" for 2 decks (config.toml)' in out
    assert load_config(home / "config.toml").warnings == ()


@pytest.mark.parametrize(
    ("blob", "said"),
    [
        (b"\x08\xff", "left out: damaged protobuf data (bad varint)"),
        (b"\x4a\x03abc", "new_per_day left out: not a number"),  # field 9 as bytes
        (b"\x0a\x03abc", "learning_steps left out: not a list of numbers"),  # 3 bytes: no float32s
        (b"\x0a" + b"\x80\x80\x04" + b"\0" * 65536, "left out: its options are too large"),
    ],
)
def test_schema_18_blobs_that_are_no_options_are_one_line(
    home: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    packages: dict[str, Path],
    blob: bytes,
    said: str,
) -> None:
    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE deck_config SET config = ? WHERE name = 'Heavy'", (blob,))

    _out, lines = _import(capsys, edited(packages["latest"], tmp_path, change))
    assert len(lines) == 1, lines
    assert lines[0].startswith('warning: Anki preset "Anki: Heavy"') and lines[0].endswith(said)
    assert len(list((home / "decks").glob("*.toml"))) == 3  # the decks are in


def test_legacy_dconf_that_is_no_json_is_one_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    def change(conn: sqlite3.Connection) -> None:
        conn.execute("UPDATE col SET dconf = ?", ("[" * 100_000,))

    out, lines = _import(capsys, edited(packages["legacy"], tmp_path, change))
    assert lines == ["warning: Anki deck options left out: `col.dconf` is not a JSON object"]
    assert "settings" not in out
    assert not (home / "config.toml").exists()


def test_fsrs_off_in_the_package_leaves_the_weights_out(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    def change(conn: sqlite3.Connection) -> None:
        conn.execute("INSERT INTO config (key, usn, mtime_secs, val) VALUES ('fsrs', 0, 0, ?)", (b"false",))

    _out, lines = _import(capsys, edited(packages["latest"], tmp_path, change))
    assert lines == []
    heavy = config_of(home)["presets"]
    assert isinstance(heavy, dict)
    assert heavy["Anki: Heavy"] == {k: v for k, v in HEAVY.items() if k != "parameters"}


def test_a_default_preset_of_the_learner_is_carried_into_the_new_one(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    """`[presets.default]` is what every deck without a preset studies with: an Anki preset
    keeps its keys that Anki does not set."""
    home.mkdir(parents=True)
    (home / "config.toml").write_text("[presets.default]\nfuzz = false\nnew_per_day = 9\n", encoding="utf-8")
    out, _lines = _import(capsys, packages["latest"])
    data = config_of(home)
    assert data["presets"] == {
        "default": {"fuzz": False, "new_per_day": 9},
        "Anki: Heavy": {"fuzz": False, **HEAVY},
        # Anki's Default had 20 new cards a day, [study]'s (inherited), where the deck had 9
        "Anki: Default": {"fuzz": False},
    }
    assert data["decks"] == {
        "lang-spanish": {"preset": "Anki: Heavy"},
        "verbs": {"preset": "Anki: Heavy"},
        "other": {"preset": "Anki: Default"},
    }
    config = load_config(home / "config.toml")
    assert (config.for_deck("other").new_per_day, config.for_deck("other").fuzz) == (20, False)
    assert (
        'settings: preset "Anki: Heavy" for 2 decks, preset "Anki: Default" for 1 deck (config.toml)' in out
    )


def test_a_read_only_config_is_one_warning_and_the_decks_go_in(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    home.mkdir(parents=True)
    path = home / "config.toml"
    path.write_text("# mine\n", encoding="utf-8")
    path.chmod(0o444)
    code, _out, err = run_cli(capsys, "import", str(packages["latest"]), "--with-history")
    assert code == 0, err
    assert "settings not written" in err and "read-only" in err
    assert path.read_text(encoding="utf-8") == "# mine\n"
    # (attacker 31) once writable, the same import again sets them: the import memo, saved
    # although they were not written, answered it without them, while --dry-run said it would
    path.chmod(0o644)
    code, out, err = run_cli(capsys, "import", str(packages["latest"]), "--with-history")
    assert code == 0, err
    assert 'settings: preset "Anki: Heavy" for 2 decks (config.toml)' in out, out + err
    assert '[presets."Anki: Heavy"]' in path.read_text(encoding="utf-8")


def test_a_replayed_import_and_a_full_one_leave_the_same_config(
    home: Path, capsys: pytest.CaptureFixture[str], packages: dict[str, Path]
) -> None:
    """config.toml is one of the import memo's inputs: the settings deleted by hand, the same
    import again is a full one and sets them again, as an import without the memo does."""
    code, _out, err = run_cli(capsys, "import", str(packages["latest"]), "--with-history")
    assert code == 0, err
    path = home / "config.toml"
    written = path.read_bytes()
    code, out, err = run_cli(capsys, "import", str(packages["latest"]), "--with-history")
    assert code == 0, err
    assert path.read_bytes() == written and "settings" not in out
    path.write_text("# mine\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import", str(packages["latest"]), "--with-history")
    assert code == 0, err
    assert 'settings: preset "Anki: Heavy" for 2 decks (config.toml)' in out, out + err
    assert path.read_text(encoding="utf-8").startswith("# mine\n")


# -- parsers ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_blob_is_options_or_one_interop_error(blob: bytes) -> None:
    try:
        found = options_from_blob(blob)
    except InteropError:
        return
    warnings: list[str] = []
    values = to_values("Anki: x", found, None, warnings)
    _loads(values)
    assert all("\n" not in w for w in warnings)


_JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=25) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=40,
)
_KEYS = ("new_per_day", "reviews_per_day", "learning_steps", "relearning_steps", "maximum_interval",
         "leech_threshold", "leech_action", "desired_retention", "params6", "params5", "params4")  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(st.sampled_from(_KEYS), _JSONISH | st.lists(st.floats(0, 5), min_size=21, max_size=21)),
    st.sampled_from([None, True, False]),
)
def test_any_values_give_only_values_the_loader_takes(found: dict[str, Any], fsrs: bool | None) -> None:
    warnings: list[str] = []
    values = to_values("Anki: x", found, fsrs, warnings)
    _loads(values)
    assert len(warnings) + len(values) <= len(found) + 1
    assert all("\n" not in w and len(w) < 300 for w in warnings)


@given(st.text(max_size=300), st.integers(0, 2**63))
def test_any_name_is_a_safe_preset_name(name: str, cid: int) -> None:
    safe = preset_name(name, cid)
    assert safe.startswith("Anki: ")
    assert len(safe) <= 6 + 50 or safe == f"Anki: preset {cid}"
    assert safe.isprintable() and not set(safe) & set('"\\[]')
    assert safe == safe.strip() and "  " not in safe


def _loads(values: dict[str, object]) -> None:
    """`values` as a preset load with retain's loader, each as it was given."""
    import tomli_w

    from retain.store.config import parse_config

    config = parse_config(tomli_w.dumps({"presets": {"p": values}, "decks": {"d": {"preset": "p"}}}))
    got = config.presets["p"]
    if "parameters" in values:
        assert got.parameters is not None and len(got.parameters) == PARAMETER_COUNT
    for key in ("new_per_day", "reviews_per_day", "maximum_interval", "leech_threshold", "leech_action"):
        if key in values:
            assert getattr(got, key) == values[key]


def test_packed_float_steps_read_as_anki_writes_them() -> None:
    blob = b"\x0a\x0c" + struct.pack("<3f", 1.0, 10.0, 1440.0) + b"\x48\x00"  # new_per_day 0
    found = options_from_blob(blob)
    values = to_values("Anki: x", found, None, [])
    assert values == {
        "new_per_day": 0,
        "reviews_per_day": 0,
        "learning_steps": ["1m", "10m", "1d"],
        "relearning_steps": [],
        "leech_action": "suspend",
    }
