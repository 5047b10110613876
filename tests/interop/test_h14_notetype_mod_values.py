"""h14: the `mod` of a note type kept from Anki (`DECK.anki.json`) is untrusted input, from the
package (schema 11's `models` JSON, schema 18's `notetypes.mtime_secs`) and from the kept file: a
whole number of seconds in 0..MAX_MOD is kept and written back exactly, anything else is 0 (never
a traceback); a kept file written before `mod` was kept reads as 0."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from pathlib import Path
from typing import Any

import pytest
import zstandard
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.interop.ankikeep import MAX_MOD, load_keep

from .anki_fixture import changed_package
from .conftest import FIXTURES, run_cli

LATEST = FIXTURES / "layout-latest.apkg"
BASIC = 1_795_857_294_862  # the fixtures' Basic note type (general-knowledge's notes)
HOSTILE: list[tuple[Any, int]] = [
    (1_796_000_000, 1_796_000_000),
    (0, 0),
    (MAX_MOD, MAX_MOD),
    (MAX_MOD + 1, 0),
    (-5, 0),
    (2**62, 0),
    (1.5e9, 0),
    ("1796000000", 0),
    (True, 0),
    (None, 0),
    ([1], 0),
]


def _keep(home: Path, deck: str = "general-knowledge") -> dict[str, Any]:
    return json.loads((home / "decks" / f"{deck}.anki.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _exported_mods(tmp_path: Path, out: Path) -> dict[int, int]:
    db = tmp_path / f"{out.stem}.anki2"
    with zipfile.ZipFile(out) as zf:
        db.write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(db)
    try:
        models = json.loads(con.execute("SELECT models FROM col").fetchone()[0])
    finally:
        con.close()
    return {int(k): v["mod"] for k, v in models.items()}


@pytest.mark.parametrize(("raw", "kept"), HOSTILE)
def test_schema_11_mod_is_kept_and_written_back_or_0(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: Any, kept: int
) -> None:
    def change(conn: sqlite3.Connection) -> None:
        models = json.loads(conn.execute("SELECT models FROM col").fetchone()[0])
        models[str(BASIC)]["mod"] = raw
        conn.execute("UPDATE col SET models = ?", (json.dumps(models),))

    package = changed_package(tmp_path, change)
    code, _, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    assert _keep(home)["notetypes"][str(BASIC)]["mod"] == kept
    out = tmp_path / "out.apkg"
    code, _, err = run_cli(capsys, "export", "general-knowledge", "-o", str(out))
    assert code == 0, err
    assert _exported_mods(tmp_path, out)[BASIC] == kept


def _latest_with(tmp_path: Path, sql: str, *args: Any) -> Path:
    """The schema-18 fixture package with `sql` run on its collection."""
    db = tmp_path / "latest.anki2"
    out = tmp_path / "latest-changed.apkg"
    with zipfile.ZipFile(LATEST) as zin:
        db.write_bytes(
            zstandard.ZstdDecompressor().decompressobj().decompress(zin.read("collection.anki21b"))
        )
        conn = sqlite3.connect(db)
        conn.create_collation(
            "unicase", lambda a, b: (a.casefold() > b.casefold()) - (a.casefold() < b.casefold())
        )
        conn.execute(sql, args)
        conn.commit()
        conn.close()
        with zipfile.ZipFile(out, "w") as zout:
            for info in zin.infolist():
                data = zin.read(info.filename)
                if info.filename == "collection.anki21b":
                    data = zstandard.ZstdCompressor().compress(db.read_bytes())
                zout.writestr(info.filename, data)
    return out


# (SQLite's integer column makes a whole float or a number's text an integer; NULL is refused)
@pytest.mark.parametrize(
    ("raw", "kept"),
    [(1_796_000_000, 1_796_000_000), (0, 0), (MAX_MOD + 1, 0), (-5, 0), (2**62, 0), (1.5, 0), ("soon", 0)],
)
def test_schema_18_mtime_is_kept_or_0(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], raw: Any, kept: int
) -> None:
    package = _latest_with(tmp_path, "UPDATE notetypes SET mtime_secs = ? WHERE id = ?", raw, BASIC)
    code, _, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    assert _keep(home)["notetypes"][str(BASIC)]["mod"] == kept


def test_schema_18_without_an_mtime_column_reads_0(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _latest_with(tmp_path, "ALTER TABLE notetypes DROP COLUMN mtime_secs")
    code, _, err = run_cli(capsys, "import", str(package))
    assert code == 0, err
    assert "Traceback" not in err
    assert _keep(home)["notetypes"][str(BASIC)]["mod"] == 0


def test_a_kept_file_from_before_mod_exports_0_and_a_kept_mod_exactly(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run_cli(capsys, "import", str(FIXTURES / "layout-anki21.apkg"))
    assert code == 0, err
    path = home / "decks" / "general-knowledge.anki.json"
    data = _keep(home)
    for value, written in ((None, 0), (1_796_000_123, 1_796_000_123), ("soon", 0), (-1, 0)):
        nt = data["notetypes"][str(BASIC)]
        nt.pop("mod", None)
        if value is not None:  # None: the file an older retain wrote, without `mod`
            nt["mod"] = value
        path.write_text(json.dumps(data), encoding="utf-8")
        out = tmp_path / f"out-{written}-{value}.apkg"
        code, _, err = run_cli(capsys, "export", "general-knowledge", "-o", str(out))
        assert code == 0, err
        assert _exported_mods(tmp_path, out)[BASIC] == written


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=200, deadline=None)
@given(raw=_JSON)
def test_any_kept_mod_loads_as_a_sane_time(tmp_path_factory: pytest.TempPathFactory, raw: Any) -> None:
    path = tmp_path_factory.mktemp("keep") / "d.anki.json"
    nt = {"name": "Basic", "kind": "basic", "flds": ["Front", "Back"], "tmpls": [["Card 1", "q", "a"]]}
    path.write_text(json.dumps({"format": 1, "notetypes": {"7": nt | {"mod": raw}}}), encoding="utf-8")
    keep = load_keep(path)
    assert keep is not None
    mod = keep.notetypes[7]["mod"]
    sane = isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw <= MAX_MOD
    assert mod == (raw if sane else 0)
    assert type(mod) is int
