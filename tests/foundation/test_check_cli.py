"""`retain check` as a user runs it: exit codes, `file:line:col` lines, --fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retain.cli import main

DECK = """\
# Kafka deck: hand-written, comments must survive --fix
format = 1

[deck]
id = "kafka"   # never changes
name = "Kafka"

[[cards]]
# the first card has no id yet
front = "What splits a topic?"
back = "Partitions"

[[cards]]
  id = "leader"
  front = "Who serves writes?"   # trailing comment
  back = "The leader"

[[cards]]
kind = "cloze"
text = "Followers are {{c1::in-sync replicas}}."
"""


def run_retain(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_check_reports_syntax_error_and_duplicate_id(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text('format = 1\n[deck]\nid = "b"\nname = "B\n', encoding="utf-8")
    dup = tmp_path / "dup.toml"
    dup.write_text(
        'format = 1\n[deck]\nid = "d"\nname = "D"\n\n[[cards]]\nid = "a"\nfront = "q"\nback = "x"\n\n'
        '[[cards]]\nid = "a"\nfront = "q2"\nback = "y"\n',
        encoding="utf-8",
    )
    proc = run_retain("check", str(broken), str(dup), home=tmp_path / "home")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert f"{broken}:4:10: error: TOML syntax" in lines[0]
    assert lines[1].startswith(f"{dup}:12:1: error: duplicate card id 'a'")
    assert "Traceback" not in proc.stderr
    # neither file is ok: the duplicate's deck loads, but with an error (it said "1 ok")
    assert proc.stderr.splitlines()[-1] == "2 deck file(s): 0 ok, 2 error(s), 0 warning(s)"


def test_ok_counts_the_files_without_an_error(tmp_path: Path) -> None:
    good = 'format = 1\n[deck]\nid = "g"\nname = "G"\n[[cards]]\nid = "a"\nfront = "q"\nback = "x"\n'
    (tmp_path / "good.toml").write_text(good, "utf-8")
    (tmp_path / "warned.toml").write_text(
        good.replace('"g"', '"w"').replace('"x"', '""').replace('"q"', '"q2"'), "utf-8"
    )
    (tmp_path / "bad_card.toml").write_text(
        good.replace('"g"', '"b"').replace("kind", "k") + 'kind = "nope"\n', "utf-8"
    )
    proc = run_retain("check", str(tmp_path), home=tmp_path / "home")
    assert proc.returncode == 1, proc.stdout
    assert "unknown kind 'nope'" in proc.stdout
    assert proc.stderr.splitlines()[-1] == "3 deck file(s): 2 ok, 1 error(s), 1 warning(s)"


def test_check_valid_folder_exits_zero(tmp_path: Path) -> None:
    (tmp_path / "ok.toml").write_text(
        'format = 1\n[deck]\nid = "ok"\nname = "OK"\n[[cards]]\nid = "a"\nfront = "q"\nback = ""\n', "utf-8"
    )
    proc = run_retain("check", str(tmp_path), home=tmp_path / "home")
    assert proc.returncode == 0, proc.stdout
    assert "warning: card 'a' has an empty back" in proc.stdout


def test_fix_adds_ids_and_keeps_everything_else(tmp_path: Path) -> None:
    path = tmp_path / "kafka.toml"
    path.write_bytes(DECK.encode())
    before = run_retain("check", str(path), home=tmp_path / "home")
    assert before.returncode == 1
    assert before.stdout.count("run `retain check --fix`") == 2

    fixed = run_retain("check", "--fix", str(path), home=tmp_path / "home")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    new = path.read_text("utf-8").splitlines()
    old = DECK.splitlines()
    added = [line for line in new if line not in old]
    assert len(added) == 2
    assert added[0].startswith('id = "splits-topic-') and added[1].startswith(
        'id = "followers-are-sync-replicas-'
    )
    assert [line for line in new if line not in added] == old  # byte-for-byte otherwise
    again = run_retain("check", "--fix", str(path), home=tmp_path / "home")
    assert path.read_text("utf-8").splitlines() == new and again.returncode == 0


def test_bad_arguments_get_one_line(tmp_path: Path) -> None:
    proc = run_retain("check", "--frobnicate", home=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.strip().startswith("retain: error: unrecognized arguments")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_fix_mends_every_file_not_only_the_first(tmp_path: Path) -> None:
    for name in ("a.toml", "b.toml"):
        (tmp_path / name).write_text(
            f'format = 1\n[deck]\nid = "{name[0]}"\nname = "X"\n[[cards]]\nfront = "q {name}"\nback = "x"\n',
            "utf-8",
        )
    proc = run_retain("check", "--fix", str(tmp_path), home=tmp_path / "home")
    assert proc.returncode == 0, proc.stdout
    for name in ("a.toml", "b.toml"):
        assert 'id = "q-' in (tmp_path / name).read_text("utf-8")


def test_a_file_to_import_is_not_read_as_a_broken_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain check Spanish.apkg` said "not UTF-8 text; save the file as UTF-8" (a .csv or .md:
    "TOML syntax"); it says what the file is and how to see what it holds, and still checks
    the deck files named beside it."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    apkg = tmp_path / "Spanish.apkg"
    apkg.write_bytes(b"PK\x03\x04\x00\x00binary")
    notes = tmp_path / "notes.MD"
    notes.write_text("# Notes\n", encoding="utf-8")
    deck = tmp_path / "kafka.toml"
    deck.write_text(
        DECK.replace(
            'front = "What splits a topic?"', 'id = "splits"\nfront = "What splits a topic?"'
        ).replace('kind = "cloze"', 'id = "followers"\nkind = "cloze"'),
        encoding="utf-8",
    )
    assert main(["check", str(apkg)]) == 1
    out, err = capsys.readouterr()
    assert out == (
        f"{apkg}:1:1: error: an Anki package, not a deck file (.toml): see what an import would "
        f"make of it with `retain import {apkg} --dry-run`\n"
    )
    assert err == "1 file(s) named are not deck files\n"
    assert main(["check", str(notes), str(deck)]) == 1
    out, err = capsys.readouterr()
    assert (
        out.startswith(f"{notes}:1:1: error: a Markdown file, not a deck file (.toml)") and "TOML" not in out
    )
    assert err == "1 deck file(s): 1 ok, 0 error(s), 0 warning(s); 1 file(s) named are not deck files\n"


def test_a_deck_id_for_a_path_names_the_decks_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain check kafka` said only "no such file or folder"."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    assert main(["add", "--deck", "kafka", "--front", "Q", "--back", "A"]) == 0  # a user copy
    capsys.readouterr()
    assert main(["check", "kafka", "nosuch"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "retain check: no such file or folder: kafka; it is a deck id: check that deck with "
        f"`retain check {tmp_path / 'decks' / 'kafka.toml'}`",
        "retain check: no such file or folder: nosuch",
    ]
