"""`retain stats --svg FILE` never replaces a file that is there, unless `--force` is given.

A mistyped `--svg decks/mine.toml` (or `config.toml`, a journal) replaced the deck with an SVG
picture, with exit 0 and not a word: the deck was then "broken", its cards gone. As `retain
export` does, a file (or a symbolic link) already there is refused in one line, exit 1, before
anything is drawn; `--force` replaces it. The stats screen's `e` picks a free name.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from retain.cli import main
from retain.ui.picture import free_name as _free_name

DECK = 'format = 1\n[deck]\nid = "k1"\nname = "K one"\n\n[[cards]]\nid = "c1"\nfront = "Q?"\nback = "A"\n'


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "k1.toml").write_text(DECK, encoding="utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    return home


@pytest.mark.parametrize("kind", ["file", "link", "dangling link"])
def test_a_file_there_is_refused_in_one_line_and_kept(
    home: Path, tmp_path: Path, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    deck = home / "decks" / "k1.toml"
    target = tmp_path / "stats.svg"
    if kind == "file":
        target.write_text("<svg>mine</svg>", "utf-8")
    else:
        target.symlink_to(deck if kind == "link" else tmp_path / "missing")
    assert main(["stats", "--svg", str(target)]) == 1
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"retain: {target} already exists; add --force to replace it"]
    assert deck.read_text("utf-8") == DECK
    assert os.path.lexists(target)
    if kind == "file":
        assert target.read_text("utf-8") == "<svg>mine</svg>"


@pytest.mark.parametrize("name", ["decks/k1.toml", "config.toml", "stats.png", "stats"])
def test_a_name_not_ending_in_svg_is_a_usage_error(
    home: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--svg config.toml` in a home without one made it, as an SVG: every command then refused
    the config. A picture's name ends in .svg (as an export's extension names its format)."""
    target = home / name
    before = target.read_bytes() if target.exists() else None
    assert main(["stats", "--svg", str(target), "--force"]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "--svg needs a file name ending in .svg" in lines[0], lines
    assert (target.read_bytes() if target.exists() else None) == before


def test_force_replaces_it(home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = tmp_path / "stats.svg"
    old.write_text("<svg>old</svg>", encoding="utf-8")
    assert main(["stats", "--svg", str(old), "--force"]) == 0, capsys.readouterr().err
    assert old.read_text("utf-8").startswith("<svg class=")


def test_the_stats_screen_picks_a_free_name(tmp_path: Path) -> None:
    assert _free_name(tmp_path, "retain-stats-2026-12-06").name == "retain-stats-2026-12-06.svg"
    (tmp_path / "retain-stats-2026-12-06.svg").write_text("mine", "utf-8")
    (tmp_path / "retain-stats-2026-12-06-2.svg").symlink_to(tmp_path / "nowhere")
    assert _free_name(tmp_path, "retain-stats-2026-12-06").name == "retain-stats-2026-12-06-3.svg"


def test_an_unknown_deck_is_said_before_the_existing_file(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--deck nosuch --svg there.svg` asked for --force first, and with it said the deck was
    unknown: the usage error (exit 2) comes first now, and the file stays."""
    target = tmp_path / "there.svg"
    target.write_text("mine", encoding="utf-8")
    assert main(["stats", "--deck", "nosuch", "--svg", str(target)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("retain: no deck or group 'nosuch'") and "--force" not in err
    assert target.read_text(encoding="utf-8") == "mine"
