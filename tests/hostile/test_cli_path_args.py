"""File and folder arguments (metavar FILE, DIR or PATH) that name no file: `""` and `-`.

An empty argument is a script's unset variable (`retain import "$DECK"`): read as the
current folder, `import` imported every deck file in whatever folder the script ran in,
`check` checked it and `export -o ""` wrote into it. `-o -` made a folder named `-`.
Each is one line and exit 2, and nothing is read or written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import retain

DECK = 'format = 1\n\n[deck]\nid = "k1"\nname = "k1"\n\n[[cards]]\nid = "c1"\nfront = "Q?"\nback = "A"\n'

CASES = [
    (("import", ""), "argument FILE|DIR: empty; name a file or folder"),
    (
        ("import", "-"),
        "argument FILE|DIR: '-' (standard input or output) is not supported; name a file or folder",
    ),
    (("check", "k1.toml", ""), "argument PATH: empty; name a file or folder"),
    (("export", "k1", "-o", ""), "argument -o/--output: empty; name a file or folder"),
    (("export", "k1", "-o", "-"), "argument -o/--output: '-' (standard input or output) is not supported"),
    (("export", "k1", "--output="), "argument -o/--output: empty; name a file or folder"),
    (("stats", "--svg", ""), "argument --svg: empty; name a file"),
    (("stats", "--svg", "-"), "argument --svg: '-' (standard input or output) is not supported; name a file"),
]


@pytest.mark.parametrize(("args", "said"), CASES, ids=[" ".join(repr(a) for a in c[0]) for c in CASES])
def test_a_path_argument_that_names_no_file_is_one_line(
    tmp_path: Path, args: tuple[str, ...], said: str
) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "k1.toml").write_text(DECK)
    work = tmp_path / "work"
    work.mkdir()
    (work / "k1.toml").write_text(DECK.replace('"k1"', '"here"'))  # what `import ""` took in
    done = retain(home, *args, cwd=work)
    assert done.code == 2, done
    assert len(done.err_lines) == 1 and said in done.err_lines[0], done.err_lines
    assert done.out == b""
    assert sorted(p.name for p in work.iterdir()) == ["k1.toml"]
    assert sorted(p.name for p in (home / "decks").iterdir()) == ["k1.toml"]


def test_a_file_named_dash_is_still_reachable(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "k1.toml").write_text(DECK)
    done = retain(home, "export", "k1", "-o", "./-.csv", cwd=tmp_path)
    assert done.code == 0, done
    assert (tmp_path / "-.csv").is_file()
