"""Numbers read from untrusted text are ASCII digits, and never too long for `int()`.

`str.isdigit()` is true for `²` (and `str.isdecimal()` for `٣`), which `int()` refuses or reads
as a number no one typed; `int()` refuses more than 4300 digits. A `#tags column:²` header or a
5,000-digit column number crashed a `.csv` import (a folder import stopped midway), and so did
re-importing a deck whose version was `1.²` or `1.` and 5,000 digits.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.interop.errors import InteropError
from retain.interop.importer import read_file
from retain.interop.upgrade import compare_versions

from .conftest import run_cli

BAD_COLUMNS = ["²", "٣", "１", "9" * 5000, "0" * 5000, "-1", "+2", "0", "1001", "3.0", "", "1 2", "ⅷ"]


@pytest.mark.parametrize("raw", BAD_COLUMNS, ids=range(len(BAD_COLUMNS)))
@pytest.mark.parametrize("key", ["tags", "guid", "deck", "notetype"])
def test_a_column_header_that_is_no_column_number_is_refused_in_one_line(
    tmp_path: Path, key: str, raw: str
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(f"#{key} column:{raw}\nq,a,t\n", encoding="utf-8")
    with pytest.raises(InteropError, match=f"^header `#{key} column:.*` must be a column number$") as info:
        read_file(path, tmp_path / "stage")
    assert "\n" not in str(info.value) and len(str(info.value)) < 200


GOOD_COLUMNS = [("3", ("t",)), ("03", ("t",)), ("0" * 5000 + "3", ("t",)), ("1000", ())]


@pytest.mark.parametrize(("raw", "tags"), GOOD_COLUMNS, ids=range(len(GOOD_COLUMNS)))
def test_ascii_column_numbers_still_name_their_column(
    tmp_path: Path, raw: str, tags: tuple[str, ...]
) -> None:
    path = tmp_path / "notes.csv"
    path.write_text(f"#tags column:{raw}\nq,a,t\nq2,a2,u\n", encoding="utf-8")
    deck = read_file(path, tmp_path / "stage").decks[0]
    assert [(c.front, c.tags) for c in deck.cards] == [("q", tags), ("q2", ("u",) if tags else ())]


def test_a_folder_import_refuses_the_bad_file_in_one_line(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "decks"
    folder.mkdir()
    (folder / "a.csv").write_text("#tags column:²\nq,a\n", encoding="utf-8")
    (folder / "c.csv").write_text("q,a\n", encoding="utf-8")
    (folder / "b.tsv").write_text("#tags column:" + "9" * 5000 + "\nq\ta\n", encoding="utf-8")
    code, out, err = run_cli(capsys, "import", "--dry-run", str(folder))
    assert "Traceback" not in out + err and "ValueError" not in out + err
    assert code == 1  # the run goes on past them: the good file is read, the two named
    assert "would import 1 file (1 deck); 2 refused: a.csv, b.tsv" in out
    assert "a.csv: import refused: header `#tags column:²` must be a column number" in err
    assert "b.tsv: import refused: header `#tags column:" + "9" * 40 + "...` must be a column number" in err


VERSIONS = [
    ("1.²", "1.0", 1),  # text sorts after 0, before 1 (as `1.a`)
    ("1.²", "1.1", -1),
    ("1.²", "1.²", 0),
    ("1.٣", "1.3", -1),  # not the number 3
    ("1." + "9" * 5000, "1.0", 1),
    ("1." + "9" * 5000, "1." + "9" * 4999, 1),
    ("1." + "9" * 5000, "1." + "9" * 5000, 0),
    ("1." + "0" * 5000 + "7", "1.7", 0),  # leading zeros
    ("1." + "0" * 5000 + "7", "1.10", -1),
    ("1." + "9" * 5000, "2.0", -1),
    ("2.0", "10.0", -1),
]


@pytest.mark.parametrize(("a", "b", "expected"), VERSIONS, ids=range(len(VERSIONS)))
def test_versions_with_any_digits_compare_without_int(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected
    assert compare_versions(b, a) == -expected


_PART = st.one_of(st.integers(0, 10**30).map(str), st.sampled_from(["rc1", "a", "²", "٣", "00", "007"]))
_VERSION = st.lists(_PART, min_size=1, max_size=4).map(".".join)


def _int_key(version: str) -> tuple[object, ...]:
    """The ordering as it was for ASCII numbers small enough for `int()`."""
    return tuple((int(p), "") if p.isascii() and p.isdigit() else (0, p) for p in version.split("."))


@given(_VERSION, _VERSION)
def test_versions_order_as_numbers_then_text(a: str, b: str) -> None:
    width = max(a.count("."), b.count(".")) + 1
    ka = _int_key(a + ".0" * (width - 1 - a.count(".")))
    kb = _int_key(b + ".0" * (width - 1 - b.count(".")))
    assert compare_versions(a, b) == (ka > kb) - (ka < kb)


def test_reimporting_a_deck_whose_version_is_odd_gives_no_traceback(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "v.md"
    path.write_text('---\nname = "V"\nid = "vdeck"\nversion = "1.0"\n---\nQ: q\nA: a\n', encoding="utf-8")
    assert run_cli(capsys, "import", str(path))[0] == 0
    for version in ("1.²", "1." + "9" * 5000, "0.٣"):
        path.write_text(
            f'---\nname = "V"\nid = "vdeck"\nversion = "{version}"\n---\nQ: q\nA: a\n', encoding="utf-8"
        )
        code, out, err = run_cli(capsys, "import", "--dry-run", str(path))
        assert "Traceback" not in out + err and "ValueError" not in out + err
        if version == "0.٣":  # older than 1.0: refused in one line
            assert code != 0 and "older than the installed" in err
        else:
            assert code == 0, err
