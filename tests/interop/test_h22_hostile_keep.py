"""h22: `DECK.anki.json` is untrusted input. A note type id there (a key of `notetypes`, a note's
number) that is not a whole number in 1..2**63-1 written in ASCII digits (`"²"`, which
`str.isdigit` takes; a 5000-digit number; one past SQLite's 64 bits) is left out as any other bad
entry is, and `retain export` never ends in a traceback whatever the file holds."""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.interop.ankikeep import load_keep

DECK = (
    'format = 1\n[deck]\nid = "mine"\nname = "Mine"\n'
    '[[cards]]\nid = "q1"\nfront = "one"\nback = "1"\n'
    '[[cards]]\nid = "r1"\nkind = "reversed"\nfront = "two"\nback = "2"\n'
    '[[cards]]\nid = "z1"\nkind = "cloze"\ntext = "{{c1::Berlin}} is in {{c2::Germany}}"\n'
)
MID = 1_700_000_000_001
GUID = "abcdefghij"
MAX_ID = 2**63 - 1  # SQLite's (and Anki's) largest id


def _sidecar(mid_key: str = str(MID), mid: Any = MID) -> dict[str, Any]:
    basic = {
        "name": "Basic",
        "kind": "basic",
        "flds": ["Front", "Back"],
        "tmpls": [["Card 1", "{{Front}}", "{{Back}}"]],
        "css": "",
        "mod": 0,
    }
    return {
        "format": 1,
        "notetypes": {mid_key: basic},
        "notes": {"q1": [GUID, mid, ["one", "1"], "x"]},
        "media": {},
        "cards": {"q1": [2500, 3, 0, 1_700_000_000_000]},
    }


def _export(home: Path, sidecar: object) -> tuple[int, str, Path]:
    """Write `sidecar` as the deck's kept file and export the deck with its progress."""
    decks = home / "decks"
    decks.mkdir(parents=True, exist_ok=True)
    (decks / "mine.toml").write_text(DECK, encoding="utf-8")
    text = sidecar if isinstance(sidecar, str) else json.dumps(sidecar)
    (decks / "mine.anki.json").write_text(text, encoding="utf-8", errors="surrogatepass")
    out = home / "out.apkg"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["export", "mine", "-o", str(out), "-f", "--with-progress"])
    return code, err.getvalue(), out


def _guids(out: Path) -> set[str]:
    db = out.with_suffix(".anki2")
    with zipfile.ZipFile(out) as zf:
        db.write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        return {row[0] for row in con.execute("SELECT guid FROM notes")}
    finally:
        con.close()


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    monkeypatch.setenv("RETAIN_HOME", str(root))
    return root


def test_a_good_note_type_id_keeps_the_notes_guid(home: Path) -> None:
    code, err, out = _export(home, _sidecar())
    assert code == 0, err
    assert GUID in _guids(out)


@pytest.mark.parametrize(
    ("key", "number"),
    [
        ("²", 1),
        ("9" * 5000, 1),
        ("99999999999999999999", 99999999999999999999),
        (str(MAX_ID + 1), MAX_ID + 1),
        ("0", 0),
        ("-5", -5),
        ("١٢٣", 123),  # Arabic-Indic digits: `int` takes them, no file of Anki's has them
        (" 12", 12),
        (str(MID), True),
        (str(MID), float(MID)),
        (str(MID), str(MID)),
    ],
    ids=[
        "superscript",
        "5000-digits",
        "past-64-bits",
        "2**63",
        "zero",
        "negative",
        "arabic-indic",
        "space",
        "note-true",
        "note-float",
        "note-text",
    ],
)
def test_a_note_type_id_out_of_range_is_left_out_not_a_traceback(home: Path, key: str, number: Any) -> None:
    code, err, out = _export(home, _sidecar(key, number))
    assert code == 0, err
    assert "Traceback" not in err
    keep = load_keep(home / "decks" / "mine.anki.json")
    assert keep is not None and keep.notes == {}
    assert GUID not in _guids(out)  # a new note, as without the file


def test_the_largest_id_is_kept(home: Path) -> None:
    code, err, out = _export(home, _sidecar(str(MAX_ID), MAX_ID))
    assert code == 0, err
    keep = load_keep(home / "decks" / "mine.anki.json")
    assert keep is not None and keep.notes["q1"].mid == MAX_ID
    assert GUID in _guids(out)


def test_a_note_number_of_5000_digits_is_not_a_traceback(home: Path) -> None:
    text = json.dumps(_sidecar()).replace(
        f"[{json.dumps(GUID)}, {MID},", f"[{json.dumps(GUID)}, {'9' * 5000},"
    )
    assert "9" * 5000 in text
    code, err, out = _export(home, text)
    assert code == 0, err
    assert GUID not in _guids(out)


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63 - 1, 2**63, -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(["²", "9" * 30, "٣", "", "\ud800", "\x00", "{{c1::x}}", "::"]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.dictionaries(st.text(max_size=6) | _SCALARS.map(str), inner, max_size=4)
    ),
    max_leaves=12,
)
# where a hostile value goes in an otherwise good file
_PLACES: list[tuple[str, ...]] = [
    (),
    ("format",),
    ("notetypes",),
    ("notetypes", str(MID)),
    ("notetypes", str(MID), "name"),
    ("notetypes", str(MID), "kind"),
    ("notetypes", str(MID), "flds"),
    ("notetypes", str(MID), "tmpls"),
    ("notetypes", str(MID), "css"),
    ("notetypes", str(MID), "mod"),
    ("notes",),
    ("notes", "q1"),
    ("notes", "r1"),
    ("notes", "z1"),
    ("media",),
    ("cards",),
    ("cards", "q1"),
    ("cards", "r1:reverse"),
    ("cards", "z1:c2"),
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(place=st.sampled_from(_PLACES), value=_VALUES, index=st.integers(0, 3), key=_SCALARS.map(str))
def test_any_sidecar_content_exports_without_a_traceback(
    place: tuple[str, ...], value: Any, index: int, key: str
) -> None:
    data: Any = _sidecar()
    data["notes"]["r1"] = [GUID + "r", MID, ["two", "2"], "y"]
    data["notes"]["z1"] = [GUID + "z", MID, ["one", "1"], "z"]
    if not place:
        data = value
    else:
        parent = data
        for step in place[:-1]:
            parent = parent[step]
        target = parent.get(place[-1])
        if isinstance(target, list) and target:
            target[index % len(target)] = value  # one element of an entry
        elif isinstance(target, dict):
            target[key] = value  # a further key, any text
        else:
            parent[place[-1]] = value
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        with pytest.MonkeyPatch.context() as mp:
            mp.setenv("RETAIN_HOME", str(home))
            code, err, _ = _export(home, data)
    assert "Traceback" not in err
    assert code == 0, err
