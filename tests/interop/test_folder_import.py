"""`retain import DIR`: every deck file in the folder, each on its own, and a summary."""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.interop.folder_import import deck_files

from .conftest import run_cli, tree

GROUP = "Distributed Systems Interview"


def _export_group(folder: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> list[str]:
    code, _, err = run_cli(capsys, "export", GROUP, "-o", f"{folder}/", *extra)
    assert code == 0, err
    return sorted(p.name for p in folder.glob("*.toml") if not p.name.endswith(".progress.toml"))


def test_a_folder_imports_every_deck_file_with_a_summary(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "shared"
    names = _export_group(folder, capsys)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "other"))
    code, msg, err = run_cli(capsys, "import", str(folder))
    assert code == 0, err
    assert msg.splitlines()[-1] == "imported 10 files (10 decks)"
    assert tree(tmp_path / "other" / "decks") == names
    assert "kafka.toml: imported deck kafka:" in msg


def test_a_refused_file_is_named_and_the_others_go_in(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "words.tsv").write_text("hola\thello\nadiós\tgoodbye\n", encoding="utf-8")
    (folder / "broken.toml").write_text("format = 1\n[deck\n", encoding="utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF")  # not a deck file: left alone
    (folder / ".hidden.tsv").write_text("a\tb\n", encoding="utf-8")
    code, msg, err = run_cli(capsys, "import", str(folder))
    assert code == 1
    assert msg.splitlines()[-1] == "imported 1 file (1 deck); 1 refused: broken.toml"
    assert err.startswith("retain: broken.toml: import refused:") and err.count("\n") == 1
    assert tree(home / "decks") == ["words.toml"]


def test_a_dry_run_of_a_folder_writes_nothing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shared"
    _export_group(folder, capsys)
    (folder / "extra.tsv").write_text("q\ta\n", encoding="utf-8")
    code, msg, err = run_cli(capsys, "import", str(folder), "--dry-run")
    assert code == 0, err
    assert msg.splitlines()[-2:] == ["would import 11 files (11 decks)", "dry run: nothing written"]
    assert tree(home / "decks") == []


def test_an_empty_folder_is_one_line(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run_cli(capsys, "import", str(tmp_path / "empty"))
    assert code == 1 and err.count("\n") == 1 and "no deck files here" in err


def test_sidecars_are_history_not_decks(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shared"
    _export_group(folder, capsys, "--with-progress")
    assert (folder / "kafka.progress.toml").is_file()
    assert [p.name for p in deck_files(folder)] == sorted(
        (p.name for p in folder.glob("*.toml") if not p.name.endswith(".progress.toml")), key=str.casefold
    )
    code, msg, err = run_cli(capsys, "import", str(folder), "--with-history")
    assert code == 0, err
    assert msg.splitlines()[-1] == "imported 10 files (10 decks)"


def test_a_folder_keeps_the_writer_lock_from_the_first_history_to_the_end(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A retain waiting for the writer lock (a TUI opened while the folder was imported; it takes
    the lock as soon as it is free) took it between two files, and the second file's history was
    refused. Here, as the second file is planned, another lock on the same file is tried and kept
    when it can be taken, as that TUI would."""
    import shutil
    from datetime import UTC, datetime

    from retain.commands import import_
    from retain.store.state.lock import WriterLock

    from .conftest import FIXTURES

    folder = tmp_path / "packages"
    folder.mkdir()
    for name in ("a.apkg", "b.apkg"):  # the same package twice: each file has a review log
        shutil.copy(FIXTURES / "layout-latest.apkg", folder / name)
    tried: list[bool] = []  # whether the lock could be taken, as the second file was planned
    held: list[WriterLock] = []
    real_plan = import_.plan_import  # type: ignore[attr-defined]

    def plan_then_try_the_lock(*args: object, **kwargs: object) -> object:
        if not tried and (home / "state" / "writer.lock").exists():  # (made by the first history)
            lock = WriterLock(home / "state")
            tried.append(lock.acquire(datetime.now(UTC)))
            if tried[-1]:
                held.append(lock)  # kept, as that TUI would
        return real_plan(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(import_, "plan_import", plan_then_try_the_lock)
    try:
        code, msg, err = run_cli(capsys, "import", str(folder), "--with-history")
    finally:
        for lock in held:
            lock.release()
    assert tried == [False]  # the import held it
    assert code == 0, err
    assert "import failed" not in err
    assert msg.count("event(s) of review history") == 2


def test_a_folder_dry_run_counts_history_as_the_real_run_records_it(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two copies of one package in a folder: the real run records the history once (the second
    file finds it held). The dry run counted it for each file as if alone (h35)."""
    import shutil

    from .conftest import FIXTURES

    folder = tmp_path / "twice"
    folder.mkdir()
    for name in ("a.apkg", "b.apkg"):
        shutil.copy(FIXTURES / "layout-latest.apkg", folder / name)

    def said(*args: str) -> list[str]:
        code, out, err = run_cli(capsys, "import", str(folder), "--with-history", *args)
        assert code == 0, err
        return [line for line in out.splitlines() if "event(s) of review history" in line]

    would = said("--dry-run")
    real = said()
    assert real == [
        "a.apkg: recorded 2 event(s) of review history",
        "b.apkg: recorded 0 event(s) of review history; 1 card(s) already had progress here and kept it",
    ]
    assert would == [
        line.replace("recorded", "would record", 1).replace("had", "have").replace("kept it", "would keep it")
        for line in real
    ]
