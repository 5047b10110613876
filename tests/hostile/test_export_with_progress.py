"""`retain export --with-progress` only to the formats that carry progress (.toml with its
NAME.progress.toml sidecar, .apkg, a folder of .toml files): never a claim of reviews it drops."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main

from .conftest import retain

ANKI = Path(__file__).resolve().parent.parent / "fixtures" / "anki"


def test_export_to_csv_with_progress_is_refused_not_claimed(tmp_path: Path) -> None:
    """It said "(2 notes, 2 cards and 2 review(s))" and wrote a CSV without any of them."""
    home = tmp_path / "home"
    assert retain(home, "import", "--with-history", str(ANKI / "layout-latest.apkg")).code == 0
    out_file = tmp_path / "gk.csv"
    got = retain(home, "export", "general-knowledge", "-o", str(out_file), "--with-progress")
    assert got.code == 2, got.out
    assert got.out == b""
    assert got.err_lines == [
        "retain: export: --with-progress needs a .toml or .apkg file (or a folder of .toml files); "
        "a .csv file cannot carry progress: export without it, or to one of those"
    ]
    assert not out_file.exists()


def _home_with_a_deck(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "mine.toml").write_text(
        'format = 1\n[deck]\nid = "mine"\nname = "Mine"\n\n[[cards]]\nid = "a"\nfront = "Q"\nback = "A"\n',
        "utf-8",
    )
    monkeypatch.setenv("RETAIN_HOME", str(home))


def _export(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["export", "mine", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("suffix", [".tsv", ".txt", ".md", ".MD"])
def test_every_format_without_progress_refuses_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    _home_with_a_deck(tmp_path, monkeypatch)
    out_file = tmp_path / f"mine{suffix}"
    code, out, err = _export(capsys, "-o", str(out_file), "--with-progress")
    assert (code, out, err.count("\n")) == (2, "", 1), err
    assert f"a {suffix.lower()} file cannot carry progress" in err
    assert not out_file.exists()
    code, _, err = _export(capsys, "-o", str(out_file))  # without it, the export goes ahead
    assert code == 0, err
    assert out_file.is_file()


@pytest.mark.parametrize("target", ["mine.toml", "mine.apkg", "folder/"])
def test_the_formats_that_carry_progress_take_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], target: str
) -> None:
    _home_with_a_deck(tmp_path, monkeypatch)
    code, out, err = _export(capsys, "-o", f"{tmp_path}/{target}", "--with-progress")  # Path drops the /
    assert code == 0, err
    assert "and 0 review(s)" in out
