"""`retain add` leaves the deck it wrote in the parse cache, exactly as a parse of the file gives
it (with its warnings), so the next load does not parse a big
deck again (`benchmarks/bench_add.py`); and a card left out by an error still holds its id."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from retain.core.deckfile import parse_deck
from retain.store.decks.deckcache import load_deck_cached
from retain.store.index import derivedcache

DECK = """format = 1

[deck]
id = "lang"
name = "Lang"

[[cards]]
id = "good"
front = "perro"
back = "dog"

[[cards]]
id = "broken"
front = "gato"
back = "cat"
kind = "nonsense"

[[cards]]
id = "warned"
front = "casa"
back = ""
"""


def retain(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_the_deck_an_add_wrote_is_cached_as_its_parse(tmp_path: Path) -> None:
    path = tmp_path / "decks" / "lang.toml"
    path.parent.mkdir()
    path.write_text(DECK.replace('kind = "nonsense"\n', ""), encoding="utf-8")
    added = retain(tmp_path, "add", "--deck", "lang", "--front", "libro", "--back", "book")
    assert added.returncode == 0, added.stderr
    cache = tmp_path / "cache"
    entry = derivedcache.cache_path(cache, "decks", path)
    ident = derivedcache.file_id(path)
    assert ident is not None and derivedcache.load(entry, "deck", ident) is not None  # (no parse needed)
    parsed = parse_deck(path.read_text("utf-8"), str(path))
    deck, problems, left_out = load_deck_cached(path, cache)
    assert left_out == parsed.left_out == 0
    assert problems == parsed.problems and any(p.severity == "warning" for p in problems)  # (the empty back)
    assert deck == parsed.deck and deck is not None
    assert [c.id for c in deck.cards][:3] == ["good", "broken", "warned"]
    assert deck.cards[3].id.startswith("libro")


def test_a_card_left_out_by_an_error_keeps_its_id(tmp_path: Path) -> None:
    path = tmp_path / "decks" / "lang.toml"
    path.parent.mkdir()
    path.write_text(DECK, encoding="utf-8")
    taken = retain(tmp_path, "add", "--deck", "lang", "--id", "broken", "--front", "pez", "--back", "fish")
    assert taken.returncode != 0
    assert "already has a card 'broken'" in taken.stderr
    assert path.read_text("utf-8") == DECK


COUNTED = """
import sys
from retain.core import deckfile
from retain.cli import main
real, where = deckfile._parse_deck, sys.argv[1]
def counted(text, path, careful):
    if path == where:
        print("parsed", file=sys.stderr)
    return real(text, path, careful)
deckfile._parse_deck = counted
raise SystemExit(main(sys.argv[2:]))
"""


def test_an_add_reads_the_big_deck_whole_only_to_edit_it_and_to_check_the_result(tmp_path: Path) -> None:
    """Each whole-file parse of a 40,000-card deck is about a second: the library's reads (which
    deck, then the warnings) come from the cache the last add left, and only the edit and the
    check of the result parse the file."""
    path = tmp_path / "decks" / "lang.toml"
    path.parent.mkdir()
    path.write_text(DECK.replace('kind = "nonsense"\n', ""), encoding="utf-8")
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    for front in ("libro", "mesa"):
        args = ["add", "--deck", "lang", "--front", front, "--back", "x"]
        run = subprocess.run(
            [sys.executable, "-c", COUNTED, str(path), *args],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr
    assert run.stderr.count("parsed") == 2, run.stderr
