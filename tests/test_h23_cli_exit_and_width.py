"""Exit codes of `retain add` and `retain export`, and the tables on a stdout that is not UTF-8 (h23).

- `retain add --deck broke` where `decks/broke.toml` does not load exited 1 ("exists but is
  broken"), while `stats --deck broke`, `export broke` and `optimize broke` exit 2 with one line
  naming the file and its first error (README: a deck whose file does not load is exit 2).
- `retain export kafka -o data.json` (a type export does not write) exited 1, and when
  `data.json` was there it first asked for `--force`, which then failed on the type anyway:
  a bad value is exit 2, said before any file is looked at.
- On a stdout that is not UTF-8 (`PYTHONIOENCODING=ascii`) `日本語` is printed as `???`, three
  columns, but the `due` and `stats` tables padded it as six: its counts stood three columns left
  of the header's.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.commands import due, stats
from retain.commands.output import out_block, safe_strings
from retain.interop.exporter import EXPORT_SUFFIXES
from retain.store import home as store_home

BROKEN = 'format = 1\n[deck]\nid = "broke"\nname = "Broke"\n[[cards]]\nid = "a"\nfront = "x"\nback = \n'
BROKEN_AT = "broke.toml:8:8: error: TOML syntax"  # its first error, as `retain check` gives it


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    monkeypatch.setenv("RETAIN_HOME", str(root))
    monkeypatch.chdir(tmp_path)
    return root


def _said(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


# --- add: a deck whose file does not load is exit 2, as for every command ---------------------------


@pytest.mark.parametrize("new_deck", [False, True])
def test_add_to_a_deck_whose_file_does_not_load_is_exit_2(
    home: Path, new_deck: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    path = home / "decks" / "broke.toml"
    path.write_text(BROKEN, "utf-8")
    assert main(["stats", "--deck", "broke"]) == 2
    stats_line = _said(capsys)
    assert len(stats_line) == 1 and BROKEN_AT in stats_line[0]
    extra = ["--new-deck"] if new_deck else []
    assert main(["add", "--deck", "broke", "--front", "q", "--back", "a", *extra]) == 2
    lines = _said(capsys)
    assert len(lines) == 1, lines
    assert f"{path}:8:8: error: TOML syntax" in lines[0], lines  # the file and its first error
    assert "does not load" in lines[0] and "retain check" in lines[0], lines
    assert lines[0].removeprefix("retain add: ") == stats_line[0].removeprefix("retain: "), lines
    assert path.read_text("utf-8") == BROKEN  # nothing written


@pytest.mark.parametrize("new_deck", [False, True])
def test_add_to_a_broken_link_is_exit_2(
    home: Path, new_deck: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A deck file that is a link to nothing does not load either (`stats --deck lnk`: exit 2)."""
    link = home / "decks" / "lnk.toml"
    link.symlink_to(home / "nowhere.toml")
    extra = ["--new-deck"] if new_deck else []
    assert main(["add", "--deck", "lnk", "--front", "q", "--back", "a", *extra]) == 2
    lines = _said(capsys)
    assert len(lines) == 1 and str(link) in lines[0] and "does not load" in lines[0], lines
    assert link.is_symlink() and not (home / "nowhere.toml").exists()


def test_add_to_a_broken_copy_of_a_bundled_deck_is_exit_2(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`decks/kafka.toml`, the user's copy of a bundled deck, does not load: the card cannot go
    into it, and it is the deck's file that does not load."""
    path = home / "decks" / "kafka.toml"
    text = BROKEN.replace('"broke"', '"kafka"')
    path.write_text(text, "utf-8")
    assert main(["add", "--deck", "kafka", "--front", "q", "--back", "a"]) == 2
    lines = _said(capsys)
    assert len(lines) == 1 and f"{path}:8:8: error: TOML syntax" in lines[0], lines
    assert "does not load" in lines[0], lines
    assert path.read_text("utf-8") == text


def test_add_without_new_deck_to_a_folder_named_like_a_deck_is_an_unknown_deck(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No deck `dir` (its `dir.toml` is a folder): an unknown deck, exit 2; with --new-deck the
    folder stops the new file from being made (exit 1, as a file that cannot be written)."""
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (home / "decks" / "dir.toml").mkdir()
    assert main(["add", "--deck", "dir", "--front", "q", "--back", "a"]) == 2
    lines = _said(capsys)
    assert len(lines) == 1 and "dir.toml" in lines[0], lines
    assert main(["add", "--deck", "dir", "--front", "q", "--back", "a", "--new-deck"]) == 1
    lines = _said(capsys)
    assert len(lines) == 1 and "not a deck file" in lines[0], lines


# --- export: every bad value is exit 2, said before any file is looked at --------------------------


def test_export_to_an_unknown_type_is_exit_2(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "kafka", "-o", "noext"]) == 2
    _said(capsys)
    assert main(["export", "kafka", "-o", "out.json"]) == 2
    lines = _said(capsys)
    assert len(lines) == 1 and ".json" in lines[0] and ".apkg" in lines[0], lines
    assert not Path("out.json").exists()


@pytest.mark.parametrize("force", [False, True])
def test_export_to_an_existing_file_of_an_unknown_type_never_asks_for_force(
    home: Path, force: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    Path("data.json").write_text("{}", "utf-8")
    assert main(["export", "kafka", "-o", "data.json", *(["--force"] if force else [])]) == 2
    lines = _said(capsys)
    assert len(lines) == 1 and "--force" not in lines[0] and ".json" in lines[0], lines
    assert Path("data.json").read_text("utf-8") == "{}"


@pytest.mark.parametrize("force", [False, True])
def test_export_of_a_group_to_one_toml_file_is_exit_2(
    home: Path, force: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .toml file holds one deck: a group to `g.toml` is a bad value, whether or not it is there."""
    Path("g.toml").write_text("x", "utf-8")
    group = "Distributed Systems Interview"
    assert main(["export", group, "-o", "g.toml", *(["--force"] if force else [])]) == 2
    lines = _said(capsys)
    assert len(lines) == 1 and "one deck" in lines[0] and "--force" not in lines[0], lines
    assert Path("g.toml").read_text("utf-8") == "x"


_EXT = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-", min_size=1, max_size=6
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    ext=_EXT.filter(lambda e: f".{e.lower()}" not in EXPORT_SUFFIXES),
    there=st.booleans(),
    force=st.booleans(),
)
def test_export_to_any_other_extension_is_exit_2_before_the_file_is_looked_at(
    home: Path, ext: str, there: bool, force: bool, capsys: pytest.CaptureFixture[str]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"out.{ext}"
        if there:
            target.write_text("mine", "utf-8")
        code = main(["export", "kafka", "-o", str(target), *(["--force"] if force else [])])
        lines = _said(capsys)
        assert code == 2, lines
        assert len(lines) == 1 and "--force" not in lines[0] and "already exists" not in lines[0], lines
        assert sorted(os.listdir(folder)) == (["out." + ext] if there else [])
        if there:
            assert target.read_text("utf-8") == "mine"


# --- tables on a stdout that is not UTF-8 ------------------------------------------------------------


def _cells(text: str) -> int:
    """The columns a terminal gives `text` (wcwidth's rule): none for marks, format characters
    and decomposed Hangul's vowels and finals, two for a wide (CJK) character."""
    return sum(
        0
        if unicodedata.category(ch) in ("Mn", "Me", "Cf") or "\u1160" <= ch <= "\u11ff"
        else 2
        if unicodedata.east_asian_width(ch) in "WF"
        else 1
        for ch in text
    )


def _printed(table: str, encoding: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The table's lines as a terminal of `encoding` gets them (`retain` prints `?` for what the
    encoding lacks: the CLI's errors="replace")."""
    raw = io.BytesIO()
    stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n")
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", stream)
        out_block(table)
        stream.flush()
    return raw.getvalue().decode(encoding).splitlines()


def _ends(line: str) -> list[int]:
    """The terminal column at which each run of non-spaces after the first column ends."""
    ends: list[int] = []
    col = 0
    for i, ch in enumerate(line):
        col += _cells(ch)
        if ch != " " and (i + 1 == len(line) or line[i + 1] == " "):
            ends.append(col)
    return ends


def _lined_up(lines: list[str], columns: int) -> None:
    """Every row's last `columns` cells end where the header's do (a group's heading row: blank)."""
    want = _ends(lines[0])[-columns:]
    for line in lines[1:]:
        got = _ends(line)
        if len(got) == 0 or line.endswith(" " * 5):
            assert _cells(line) == _cells(lines[0]), (lines[0], line)  # a heading row, padded whole
            continue
        assert got[-columns:] == want, (lines[0], line)


_NAME = st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=70)  # (over 48: cut)
ENCODINGS = ["utf-8", "ascii", "latin-1", "cp1252"]


def _due_report(names: list[str], group: str) -> dict[str, object]:
    rows = [
        {
            "id": f"d{i}",
            "name": n,
            "group": group if i % 2 else "",
            "cards": i,
            "new": 1,
            "learning": 0,
            "review": 2,
        }
        for i, n in enumerate(names)
    ]
    return {"decks": rows, "total": {"cards": len(rows), "new": 1, "learning": 0, "review": 2}}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_NAME, min_size=1, max_size=5), group=_NAME, encoding=st.sampled_from(ENCODINGS))
def test_due_table_lines_up_in_every_encoding(
    names: list[str], group: str, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patch:
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n")
        patch.setattr(sys, "stdout", stream)  # the table is measured for the stream it goes to
        table = due._table(safe_strings(_due_report(names, group)))
    lines = _printed(table, encoding, monkeypatch)
    assert lines[0].startswith("Deck ")
    _lined_up(lines, 4)


def _stats_row(name: str) -> dict[str, object]:
    counts = dict.fromkeys(("cards", "new", "learning", "review", "relearning", "suspended", "buried"), 3)
    return {"name": name, **counts, "reviews_today": 1, "streak": 2, "retention": 0.5}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(_NAME, min_size=1, max_size=5), encoding=st.sampled_from(ENCODINGS))
def test_stats_table_lines_up_in_every_encoding(
    names: list[str], encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = {
        "decks": [_stats_row(n) for n in names],
        "total": _stats_row("x"),
        "scope": "",
        "today": "2024-01-01",
    }
    with monkeypatch.context() as patch:
        raw = io.BytesIO()
        stream = io.TextIOWrapper(raw, encoding=encoding, errors="replace", newline="\n")
        patch.setattr(sys, "stdout", stream)
        table = "\n".join(stats._deck_table(safe_strings(data))[:-1])  # (the last line: the footnote)
    lines = _printed(table, encoding, monkeypatch)
    assert lines[0].startswith("Deck ")
    _lined_up(lines, 10)


@pytest.fixture
def jp_home(tmp_path: Path) -> Iterator[Path]:
    decks = tmp_path / "home" / "decks"
    decks.mkdir(parents=True)
    (decks / "jp.toml").write_text(
        'format = 1\n[deck]\nid = "jp"\nname = "日本語"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
        "utf-8",
    )
    (decks / "en.toml").write_text(
        'format = 1\n[deck]\nid = "en"\nname = "English"\n[[cards]]\nid = "a"\nfront = "q"\nback = "b"\n',
        "utf-8",
    )
    yield tmp_path / "home"


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("command", ["due", "stats"])
def test_the_real_command_on_a_terminal_that_is_not_utf8(jp_home: Path, encoding: str, command: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "LC_ALL", "LANG")}
    env.update(RETAIN_HOME=str(jp_home), PYTHONIOENCODING=encoding, COLUMNS="120")
    got = subprocess.run(
        [sys.executable, "-m", "retain", command],
        capture_output=True,
        env=env,
        timeout=120,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert got.returncode == 0, got.stderr
    lines = got.stdout.decode(encoding).split("\n\n")[0].splitlines()
    if command == "stats":
        lines = [line for line in lines if not line.startswith("study day")]
    rows = [line for line in lines if line.startswith(("???", "English", "Total"))]
    assert len(rows) == 3, lines
    _lined_up([lines[0], *rows], 4 if command == "due" else 10)


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_a_long_wide_name_is_cut_to_the_columns_the_stream_shows(
    encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`日本語` * 30 is 180 columns on a UTF-8 terminal but 90 `?` on an ASCII one: cut to 48 either way."""
    from retain.commands.output import NAME_COLUMNS, clip

    name = "日本語" * 30
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding=encoding, errors="replace"))
        cut = clip(name)
    printed = cut.encode(encoding, "replace").decode(encoding)
    assert cut.endswith("…") and _cells(printed) in (NAME_COLUMNS - 1, NAME_COLUMNS), printed
