"""Re-importing a file through the real command line: the import memo never answers for a file
the import would read differently (another name, other files beside it)."""

from __future__ import annotations

from pathlib import Path

from .conftest import retain


def test_import_of_a_renamed_copy_adds_the_deck_its_name_gives(tmp_path: Path) -> None:
    """`retain import other.tsv` (same bytes as an already imported `x.tsv`) imports deck `other`,
    as `--dry-run` says, instead of replaying "imported deck x ... unchanged" from x's memo."""
    home = tmp_path / "home"
    files = tmp_path / "files"
    files.mkdir()
    (files / "x.tsv").write_text("q1\ta1\nq2\ta2\n", "utf-8")
    (files / "other.tsv").write_text("q1\ta1\nq2\ta2\n", "utf-8")
    assert retain(home, "import", str(files / "x.tsv")).code == 0
    assert retain(home, "import", str(files / "x.tsv")).code == 0  # the memo is kept from here
    dry = retain(home, "import", str(files / "other.tsv"), "--dry-run")
    assert b"deck other: 2 added" in dry.out, dry.out
    got = retain(home, "import", str(files / "other.tsv"))
    assert got.code == 0, got.err
    assert b"imported deck other:" in got.out, got.out
    assert (home / "decks" / "other.toml").is_file(), got.out.decode()
