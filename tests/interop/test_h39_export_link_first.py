"""A media link beside an export is refused before "already exists" is said (carried from h36).

With `shared/pics.md` already there and `shared/pics.media` a symbolic link elsewhere, the CLI
said "pics.md already exists; add --force to replace it", and only with `--force` did it say the
real reason (an export never writes through a link). The export dialog asked "Replace?" first.
Now `export_paths` (what both ask about) refuses the link, so the first answer is the real one."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.interop.errors import InteropError
from retain.interop.exporter import export_paths

from .conftest import run_cli, tree
from .test_h3_textformats import _deck


def _planted(tmp_path: Path) -> tuple[Path, Path]:
    """`shared/` holding last week's pics.md and a `pics.media` link to `elsewhere/`."""
    shared, elsewhere = tmp_path / "shared", tmp_path / "elsewhere"
    shared.mkdir()
    elsewhere.mkdir()
    (shared / "pics.md").write_text("last week's\n", encoding="utf-8")
    (shared / "pics.media").symlink_to(elsewhere)
    return shared, elsewhere


def test_export_paths_refuses_the_link(tmp_path: Path) -> None:
    deck = _deck(tmp_path / "decks")
    shared, _elsewhere = _planted(tmp_path)
    with pytest.raises(InteropError, match=r"pics\.media is a symbolic link"):
        export_paths(shared / "pics.md", with_progress=False, decks=[deck], decks_dir=tmp_path / "decks")
    # a deck without media writes nothing there: nothing to refuse
    assert export_paths(shared / "pics.md", with_progress=False) == [shared / "pics.md"]


@pytest.mark.parametrize("suffix", [".md", ".toml"])
def test_the_cli_says_the_link_first_not_already_exists(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    _deck(home / "decks")
    shared, elsewhere = _planted(tmp_path)
    (shared / f"pics{suffix}").write_text("last week's\n", encoding="utf-8")
    for force in ((), ("--force",)):
        code, out, err = run_cli(capsys, "export", "pics", "-o", str(shared / f"pics{suffix}"), *force)
        assert code == 1 and out == ""
        assert len(err.splitlines()) == 1 and "already exists" not in err, err
        assert "symbolic link" in err and "pics.media" in err, err
    assert (shared / f"pics{suffix}").read_text("utf-8") == "last week's\n"
    assert tree(elsewhere) == []
