"""`retain add` appends cards for scripts and keeps the deck file's comments."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.store import home as store_home


def retain(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env)


def test_add_creates_deck_then_appends_keeping_comments(tmp_path: Path) -> None:
    first = retain(
        tmp_path,
        "add",
        "--deck",
        "spanish",
        "--new-deck",
        "--front",
        "perro",
        "--back",
        "dog",
        "--tags",
        "a, b",
    )
    assert first.returncode == 0, first.stderr
    path = tmp_path / "decks" / "spanish.toml"
    path.write_text("# my comment\n" + path.read_text("utf-8"), "utf-8")
    second = retain(tmp_path, "add", "--deck", "spanish", "--kind", "cloze", "--front", "El {{c1::gato}}")
    assert second.returncode == 0, second.stderr
    text = path.read_text("utf-8")
    assert text.startswith("# my comment\n")
    deck = parse_deck(text).deck
    assert deck is not None
    assert [(c.kind, c.tags) for c in deck.cards] == [("basic", ("a", "b")), ("cloze", ())]
    assert deck.cards[1].text == "El {{c1::gato}}" and deck.cards[1].id.startswith("el-gato-")
    assert f"added spanish/{deck.cards[1].id}" in second.stdout


def test_add_to_bundled_deck_writes_a_user_copy(tmp_path: Path) -> None:
    proc = retain(tmp_path, "add", "--deck", "kafka", "--front", "What is a broker?", "--back", "A server")
    assert proc.returncode == 0, proc.stderr
    copy = tmp_path / "decks" / "kafka.toml"
    deck = parse_deck(copy.read_text("utf-8")).deck
    assert deck is not None and deck.cards[-1].front == "What is a broker?"
    check = retain(tmp_path, "check")
    assert check.returncode == 0 and "already used" not in check.stdout


def test_add_rejects_bad_input_in_one_line(tmp_path: Path) -> None:
    for args in (["--deck", "Bad Id", "--front", "x"], ["--deck", "d", "--front", " "]):
        proc = retain(tmp_path, "add", *args)
        assert proc.returncode in (1, 2)
        assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_add_to_a_deck_that_does_not_exist_needs_new_deck(tmp_path: Path) -> None:
    proc = retain(tmp_path, "add", "--deck", "kafak", "--front", "What is a broker?", "--back", "A server")
    assert proc.returncode == 2
    said = proc.stderr.strip()
    assert said.startswith("retain add: no deck 'kafak' (decks: ") and "\n" not in said
    assert "kafka (Apache Kafka)" in said and said.endswith("; add --new-deck to create it")
    assert not (tmp_path / "decks" / "kafak.toml").exists()


def test_add_refuses_a_card_without_review_units_and_writes_nothing(tmp_path: Path) -> None:
    ok = retain(tmp_path, "add", "--deck", "t", "--new-deck", "--front", "hola", "--back", "hello")
    assert ok.returncode == 0, ok.stderr
    path = tmp_path / "decks" / "t.toml"
    before = path.read_bytes()
    proc = retain(tmp_path, "add", "--deck", "t", "--kind", "cloze", "--front", "Yo {{c1::vivo")
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert lines[0].startswith(f"{path}:") and ": error: " in lines[0] and "{{c1::...}}" in lines[0]
    assert lines[-1] == "retain add: not added; fix the card and run again"
    assert path.read_bytes() == before


def test_a_refused_card_creates_no_new_deck(tmp_path: Path) -> None:
    proc = retain(tmp_path, "add", "--deck", "t", "--new-deck", "--kind", "cloze", "--front", "Yo {{c1::vivo")
    assert proc.returncode == 1 and ": error: " in proc.stderr
    assert not (tmp_path / "decks" / "t.toml").exists()


def test_a_typed_card_without_an_answer_is_an_error_as_in_check(tmp_path: Path) -> None:
    proc = retain(
        tmp_path, "add", "--deck", "t", "--new-deck", "--kind", "typed", "--front", "Capital of Peru"
    )
    check_line = proc.stderr.strip().splitlines()[0]
    assert proc.returncode == 1 and ": error: " in check_line


def test_an_option_the_kind_has_no_place_for_is_refused_not_dropped(tmp_path: Path) -> None:
    """`--back` on a cloze card and `--accept` on a basic one were written nowhere (or where
    nothing reads them) without a word; `retain --help` said the deck is created if missing."""
    base = ["add", "--deck", "mine", "--new-deck"]
    cloze = retain(tmp_path, *base, "--kind", "cloze", "--front", "{{c1::Paris}} is big", "--back", "my back")
    assert cloze.returncode == 2 and "--back is not used by a cloze card" in cloze.stderr
    basic = retain(tmp_path, *base, "--front", "Q", "--back", "A", "--accept", "other")
    assert basic.returncode == 2 and "--accept is for typed cards" in basic.stderr
    assert not (tmp_path / "decks" / "mine.toml").exists()
    assert "created if missing" not in retain(tmp_path, "--help").stdout


def _empty_deck(home: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(home))
    deck = home / "decks" / "d.toml"
    deck.parent.mkdir(parents=True)
    deck.write_text('format = 1\n\n[deck]\nid = "d"\nname = "D"\n', encoding="utf-8")
    return deck


def test_an_answer_check_option_without_its_match_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """authoring.md: `retain add` refuses an option the kind has no place for, yet `--pattern x`
    on a basic card was written, and `retain check` then warned about it for ever."""
    deck = _empty_deck(tmp_path, monkeypatch)
    before = deck.read_bytes()
    base = ["add", "--deck", "d", "--front", "q", "--back", "a"]
    for extra, message in [
        (["--pattern", "x"], "--pattern is only used with --match regex"),
        (["--tolerance", "1"], "--tolerance is only used with --match number"),
        (["--accept-range", "1,2"], "--accept-range is only used with --match number"),
        (["--alias=-n=--namespace"], "--alias is only used with --match set, command or number"),
        (["--match", "number", "--pattern", "x"], "--pattern is only used with --match regex"),
        (["--kind", "typed", "--tolerance", "0"], "--tolerance is only used with --match number"),
        (["--match", "regex", "--pattern", "a", "--alias=x=y"], "--alias is only used with --match set,"),
    ]:
        assert main([*base, *extra]) == 2, extra
        err = capsys.readouterr().err
        assert err.startswith(f"retain add: {message}") and len(err.strip().splitlines()) == 1, err
    cloze = ["add", "--deck", "d", "--kind", "cloze", "--front", "{{c1::Paris}} is big", "--pattern", "x"]
    assert main(cloze) == 2
    assert "--pattern is only used with --match regex, on a typed card" in capsys.readouterr().err
    assert main([*base, "--kind", "reversed", "--match", "set"]) == 2
    assert "--match is for typed cards" in capsys.readouterr().err
    assert deck.read_bytes() == before


# a back each --match mode accepts, and the option with the value of the key it writes
_BACKS = {"": "a", "set": "a, b", "command": "ls -l", "number": "5", "regex": "a"}
_OPTIONS = {
    "--pattern=a": 'pattern = "a"',
    "--tolerance=1": "tolerance = 1",
    "--accept-range=1,9": "accept_range = [1, 9]",
    "--alias=x=y": 'aliases = { "x" = "y" }',
}


@pytest.mark.parametrize("match", list(_BACKS))
def test_add_refuses_exactly_what_check_calls_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], match: str
) -> None:
    """The class: every answer-check option with every --match mode. `retain add` refuses the
    option exactly when `retain check` would warn that the card carries it for nothing."""
    deck = _empty_deck(tmp_path, monkeypatch)
    for option, key in _OPTIONS.items():
        mode = (["--match", match] if match else []) + (["--pattern=a"] if match == "regex" else [])
        code = main(["add", "--deck", "d", "--front", f"q {option}", "--back", _BACKS[match], *mode, option])
        refused = code == 2 and "is only used with" in capsys.readouterr().err
        table = f'[[cards]]\nid = "c"\nkind = "typed"\nfront = "q"\nback = "{_BACKS[match]}"\n{key}\n'
        if match:
            table += f'match = "{match}"\n'
        if match == "regex" and key != 'pattern = "a"':
            table += 'pattern = "a"\n'
        found = parse_deck(f'format = 1\n[deck]\nid = "x"\nname = "X"\n{table}').problems
        warned = any("is only used with" in p.message for p in found)
        assert refused == warned, (match, option, code, [str(p) for p in found])
        assert refused or code == 0, (match, option, code)
    assert parse_deck(deck.read_text("utf-8")).problems == []


def test_new_deck_over_a_healthy_file_of_another_deck_says_which_deck_it_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """x.toml holding deck "spanish" (a file name and its deck id may differ) was called broken,
    though `retain check` finds nothing wrong with it."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    path = tmp_path / "decks" / "x.toml"
    path.parent.mkdir()
    path.write_text('format = 1\n[deck]\nid = "spanish"\nname = "Spanish"\n', "utf-8")
    assert main(["check", str(path)]) == 0
    capsys.readouterr()
    assert main(["add", "--deck", "x", "--new-deck", "--front", "hola", "--back", "hello"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"retain add: {path} holds deck 'spanish'; choose another id or rename the file"
    )
    path.write_text('format = 1\n[deck]\nid = "Spanish"\n', "utf-8")  # now it is broken
    assert main(["add", "--deck", "x", "--new-deck", "--front", "hola", "--back", "hello"]) == 2
    said = capsys.readouterr().err.strip()
    assert said.startswith(f"retain add: deck 'x' does not load: {path}:") and "Spanish" in said
    # broken only beside another file (the same deck id): `retain check x.toml` alone finds
    # nothing, so the line says what is wrong instead of sending the user there
    path.write_text('format = 1\n[deck]\nid = "spanish"\nname = "S"\n', "utf-8")
    (path.parent / "a.toml").write_text('format = 1\n[deck]\nid = "spanish"\nname = "S2"\n', "utf-8")
    assert main(["add", "--deck", "x", "--new-deck", "--front", "hola", "--back", "hello"]) == 2
    said = capsys.readouterr().err.strip()
    assert "already used by" in said and "\n" not in said  # (`retain check x` finds it too)


def test_a_user_file_named_as_a_bundled_deck_but_holding_another_says_which(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The first edit of a bundled deck copies it to decks/ID.toml; a healthy file already there
    holding another deck is named for what it holds."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    path = tmp_path / "decks" / "kafka.toml"
    path.parent.mkdir()
    path.write_text('format = 1\n[deck]\nid = "my-kafka"\nname = "Mine"\n', "utf-8")
    assert main(["add", "--deck", "kafka", "--front", "What is a broker?", "--back", "A server"]) == 1
    assert capsys.readouterr().err.strip() == (
        f"retain add: {path} holds deck 'my-kafka'; choose another id or rename the file"
    )


def test_add_with_the_id_of_a_broken_card_says_the_id_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    path = tmp_path / "decks" / "d.toml"
    path.write_text(
        'format = 1\n[deck]\nid = "d"\nname = "D"\n' + '\n[[cards]]\nid = "broken"\nfront = ""\nback = "x"\n',
        "utf-8",
    )
    before = path.read_text("utf-8")
    assert main(["add", "--deck", "d", "--id", "broken", "--front", "Q", "--back", "A"]) == 1
    err = capsys.readouterr().err
    assert "already has a card 'broken'" in err, err
    assert path.read_text("utf-8") == before


def test_parallel_adds_keep_every_card_they_report(tmp_path: Path) -> None:
    """`xargs -P` running `retain add`: two read the same deck text and the later write dropped
    the earlier card, though both had said "added"."""
    assert (
        retain(tmp_path, "add", "--deck", "par", "--new-deck", "--front", "first", "--back", "b").returncode
        == 0
    )
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "retain", "add", "--deck", "par", "--front", f"front {i}", "--back", "b"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        for i in range(6)
    ]
    said = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 6, [e for _, e in said]
    result = parse_deck((tmp_path / "decks" / "par.toml").read_text("utf-8"), "par.toml")
    assert result.deck is not None
    assert sorted(c.front for c in result.deck.cards) == ["first", *(f"front {i}" for i in range(6))]


def test_a_basic_or_reversed_card_without_back_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain add --deck d --front Q` (--back forgotten) wrote a card whose answer is empty, with
    only `check`'s warning after the fact; a reversed one showed an empty question."""
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    for kind in ("basic", "reversed"):
        code = main(["add", "--deck", "mine", "--new-deck", "--kind", kind, "--front", "Q", "--back", " "])
        err = capsys.readouterr().err
        assert code == 2 and err == (
            f"retain add: a {kind} card needs --back, its answer (a cloze card: --kind cloze)\n"
        )
    assert not (tmp_path / "decks" / "mine.toml").exists()
    assert main(["add", "--deck", "mine", "--new-deck", "--kind", "cloze", "--front", "{{c1::Lima}}"]) == 0


def test_an_invalid_id_is_an_argument_error_not_a_line_of_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--id "My Card"` was reported at a line of the deck file the card was never written to."""
    path = _empty_deck(tmp_path, monkeypatch)
    before = path.read_text("utf-8")
    assert main(["add", "--deck", "d", "--front", "Q", "--back", "A", "--id", "My Card"]) == 2
    said = capsys.readouterr().err
    assert said == (
        "retain add: --id 'My Card' is invalid: use lowercase letters, digits and '-', "
        "starting with a letter or digit (max 64)\n"
    )
    assert path.read_text("utf-8") == before
