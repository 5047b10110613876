"""The answer-check keys in deck files: parsed, checked by `retain check` at file:line:col, and kept by
every writer (deckwrite, the splice editor, `retain add`, exports)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.core.units import expand_card
from retain.store.decks.deckedit import DeckFile

HEAD = 'format = 1\n\n[deck]\nid = "cli"\nname = "CLI"\n'
GOOD = (
    HEAD
    + """
# kubectl, hand-written
[[cards]]
id = "logs"
kind = "typed"
front = "Follow the logs of pod web in namespace prod"
back = "`kubectl logs -f -n prod web`"
match = "command"
aliases = { "-n" = "--namespace", "-f" = "--follow" }   # declared flag aliases

[[cards]]
id = "shard"
kind = "typed"
front = "Shard size?"
back = "20-50 GB"
match = "number"
accept_range = [20, 50]
tolerance = 0.5

[[cards]]
id = "signals"
kind = "typed"
front = "The four golden signals?"
back = "Latency, Traffic, Errors, Saturation"
match = "set"

[[cards]]
id = "topic"
kind = "typed"
front = "Create a topic"
back = "kafka-topics.sh --create --topic orders"
match = "regex"
pattern = 'kafka-topics(\\.sh)? --create --topic \\S+'
"""
)


def run_retain(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env, timeout=60
    )


def test_keys_parse_into_the_card_and_its_unit() -> None:
    result = parse_deck(GOOD, "cli.toml")
    assert result.problems == []
    assert result.deck is not None
    logs, shard, signals, topic = result.deck.cards
    assert logs.match == "command" and logs.aliases == (("-n", "--namespace"), ("-f", "--follow"))
    assert shard.accept_range == (20.0, 50.0) and shard.tolerance == 0.5
    assert signals.match == "set"
    assert topic.pattern == r"kafka-topics(\.sh)? --create --topic \S+"
    unit = expand_card(result.deck, logs)[0]
    assert (unit.match, unit.aliases) == (logs.match, logs.aliases)


def card(body: str) -> str:
    return HEAD + '\n[[cards]]\nid = "c"\nkind = "typed"\nfront = "q"\n' + body


@pytest.mark.parametrize(
    ("body", "line", "col", "message"),
    [
        (
            'back = "x"\nmatch = "regex"\npattern = "(a"\n',
            13,
            1,
            "the pattern does not compile: missing ): (a",
        ),
        ('back = "x"\nmatch = "regex"\npattern = "' + "a" * 1001 + '"\n', 13, 1, "at most 1000"),
        ('back = "x"\nmatch = "regex"\n', 12, 1, "needs a `pattern`"),
        ('back = "echo \'x"\nmatch = "command"\n', 11, 1, "cannot split"),
        ('back = "echo x"\naccept = ["echo \\"y"]\nmatch = "command"\n', 12, 1, "No closing quotation"),
        ('back = "lots"\nmatch = "number"\n', 11, 1, "is not a number"),
        ('back = "5"\nmatch = "number"\naccept_range = [50, 20]\n', 13, 1, "low then high"),
        ('back = "5"\nmatch = "number"\naccept_range = [1, "x"]\n', 13, 1, "two numbers"),
        ('back = "5"\nmatch = "number"\ntolerance = -1\n', 13, 1, "0 or more"),
        ('back = "x"\nmatch = "fuzzy"\n', 12, 1, "unknown match 'fuzzy'"),
        ('back = "a, b"\nmatch = "set"\naliases = ["x"]\n', 13, 1, "must map strings to strings"),
    ],
)
def test_check_errors_name_file_line_and_column(
    tmp_path: Path, body: str, line: int, col: int, message: str
) -> None:
    path = tmp_path / "cli.toml"
    path.write_text(card(body), encoding="utf-8")
    proc = run_retain("check", str(path), home=tmp_path / "home")
    assert proc.returncode == 1, proc.stdout
    first = proc.stdout.splitlines()[0]
    assert first.startswith(f"{path}:{line}:{col}: error:"), first
    assert message in first
    assert "Traceback" not in proc.stderr


def test_match_needs_a_typed_card() -> None:
    result = parse_deck(HEAD + '\n[[cards]]\nid = "c"\nfront = "q"\nback = "a, b"\nmatch = "set"\n')
    assert [p.message for p in result.errors] == [
        "card 'c': `match` needs kind = \"typed\" (the learner types the answer)"
    ]


def test_unused_keys_and_a_back_outside_its_pattern_are_warnings() -> None:
    result = parse_deck(card('back = "nope"\nmatch = "regex"\npattern = "yes"\naccept_range = [1, 2]\n'))
    assert not result.errors
    messages = [p.message for p in result.warnings]
    assert any('accept_range` is only used with match = "number"' in m for m in messages)
    assert any("does not match its own pattern" in m for m in messages)


def test_deckwrite_round_trip_keeps_every_key() -> None:
    deck = parse_deck(GOOD, "cli.toml").deck
    assert deck is not None
    again = parse_deck(deck_to_toml(deck), "cli.toml").deck
    assert again is not None
    assert [replace(c, line=0) for c in again.cards] == [replace(c, line=0) for c in deck.cards]
    assert "accept_range = [20, 50]" in deck_to_toml(deck)


def test_splice_editor_keeps_the_keys_and_the_authors_layout(tmp_path: Path) -> None:
    path = tmp_path / "cli.toml"
    path.write_text(GOOD, encoding="utf-8")
    deck_file = DeckFile.load(path)
    logs = deck_file.deck().cards[0]
    deck_file.upsert(replace(logs, front="Follow the logs of web in prod"))
    deck_file.save()
    text = path.read_text("utf-8")
    assert 'aliases = { "-n" = "--namespace", "-f" = "--follow" }   # declared flag aliases' in text
    assert "# kubectl, hand-written" in text
    shard = DeckFile.load(path).deck().cards[1]
    deck_file = DeckFile.load(path)
    deck_file.upsert(
        replace(shard, accept_range=(10.0, 60.0), tolerance=None, aliases=(("gigabytes", "GB"),))
    )
    deck_file.save()
    text = path.read_text("utf-8")
    assert "accept_range = [10, 60]" in text and "tolerance" not in text
    assert 'aliases = {gigabytes = "GB"}' in text or 'aliases = { gigabytes = "GB" }' in text
    new = parse_deck(text).deck
    assert new is not None and new.cards[1].aliases == (("gigabytes", "GB"),)
    assert new.cards[0].aliases == logs.aliases


def test_retain_add_takes_the_keys_and_refuses_a_broken_pattern(tmp_path: Path) -> None:
    home = tmp_path / "home"
    ok = run_retain(
        "add", "--deck", "cli", "--new-deck", "--front", "Follow logs", "--back", "kubectl logs -f web",
        "--match", "command", "--alias=-f=--follow", home=home,
    )  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    deck = parse_deck((home / "decks" / "cli.toml").read_text("utf-8")).deck
    assert deck is not None
    assert deck.cards[0].kind == "typed" and deck.cards[0].aliases == (("-f", "--follow"),)
    bad = run_retain(
        "add",
        "--deck",
        "cli",
        "--front",
        "x",
        "--back",
        "y",
        "--match",
        "regex",
        "--pattern",
        "(a",
        home=home,
    )
    # a bad option value: exit 2 (exit 1 before session 37)
    assert bad.returncode == 2 and "does not compile" in bad.stderr and "Traceback" not in bad.stderr
    worse = run_retain("add", "--deck", "cli", "--front", "x", "--back", "5", "--match", "number",
                       "--accept-range", "1", home=home)  # fmt: skip
    assert worse.returncode == 2 and "LOW,HIGH" in worse.stderr


@pytest.mark.parametrize("ext", [".toml", ".md", ".apkg", ".tsv", ".csv"])
def test_exports_carry_the_keys_back(tmp_path: Path, ext: str) -> None:
    home, other = tmp_path / "home", tmp_path / "other"
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "cli.toml").write_text(GOOD, encoding="utf-8")
    out = tmp_path / f"cli{ext}"
    exported = run_retain("export", "cli", "-o", str(out), home=home)
    assert exported.returncode == 0, exported.stderr
    imported = run_retain("import", str(out), home=other)
    assert imported.returncode == 0, imported.stderr
    decks = list((other / "decks").glob("*.toml"))
    assert len(decks) == 1
    back = parse_deck(decks[0].read_text("utf-8")).deck
    want = parse_deck(GOOD).deck
    assert back is not None and want is not None
    keys = ("match", "pattern", "accept_range", "tolerance", "aliases")
    assert [[getattr(c, k) for k in keys] for c in back.cards] == [
        [getattr(c, k) for k in keys] for c in want.cards
    ]


def test_editor_check_of_one_card_reports_a_broken_pattern() -> None:
    from retain.core.cardcheck import check_card

    deck = Deck(id="cli", name="CLI")
    checked = check_card(deck, Card(id="", kind="typed", front="q", back="x", match="regex", pattern="(a"))
    assert not checked.ok and "does not compile" in checked.errors[0]


def test_app_edit_and_move_keep_the_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The app's save (store/decks/card_edits) edits another field and moves the card: keys stay."""
    from datetime import UTC, datetime

    from retain.store import home as store_home
    from retain.store.collection import Collection
    from retain.store.decks.card_edits import CardEdit, move_card, read_card, save_card
    from retain.store.home import open_home

    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "cli.toml").write_text(GOOD, "utf-8")
    (tmp_path / "decks" / "ops.toml").write_text('format = 1\n\n[deck]\nid = "ops"\nname = "Ops"\n', "utf-8")
    now = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    col = Collection.open(open_home(), now, tz=UTC)
    try:
        origin, logs = read_card(col, "cli", "logs")
        save_card(
            col, CardEdit("cli", replace(logs, front="Tail web's logs in prod"), origin, "cli", logs), now
        )
        text = (tmp_path / "decks" / "cli.toml").read_text("utf-8")
        assert 'aliases = { "-n" = "--namespace", "-f" = "--follow" }   # declared flag aliases' in text
        assert col.units_by_key["cli/logs"].aliases == logs.aliases
        move_card(col, "cli", "shard", "ops", now)
        moved = parse_deck((tmp_path / "decks" / "ops.toml").read_text("utf-8")).deck
        assert moved is not None
        assert (moved.cards[0].accept_range, moved.cards[0].tolerance) == ((20.0, 50.0), 0.5)
    finally:
        col.close()
