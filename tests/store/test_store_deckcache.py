"""The deck parse cache: a hit equals a parse, edits invalidate it, damage is a miss, light loads."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from store_helpers import DECK

from retain.core.deckfile import parse_deck
from retain.core.units import expand_deck
from retain.store.decks.deckcache import load_deck_cached, unit_keys_for, units_for
from retain.store.index import derivedcache


def _deck_file(tmp_path: Path, text: str = DECK) -> Path:
    path = tmp_path / "decks" / "tiny.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_cache_hit_equals_a_fresh_parse(tmp_path: Path) -> None:
    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    first, problems, _left_out = load_deck_cached(path, cache)
    again, problems2, _left_out = load_deck_cached(path, cache)
    fresh = parse_deck(path.read_text(), str(path))
    assert first == again == fresh.deck and problems == problems2 == fresh.problems
    assert again is not None and units_for(again) == expand_deck(again)
    assert list((cache / "decks").iterdir()) and list((cache / "deckcards").iterdir())


def test_an_edit_invalidates_the_cache(tmp_path: Path) -> None:
    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    load_deck_cached(path, cache)
    path.write_text(DECK.replace('front = "One?"', 'front = "One, edited?"'))
    os.utime(path, ns=(1, 1))  # even an edit that restores an old mtime changes the inode/size
    deck, _, _left_out = load_deck_cached(path, cache)
    assert deck is not None and deck.cards[0].front == "One, edited?"


def test_damaged_cache_entries_are_misses(tmp_path: Path) -> None:
    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    load_deck_cached(path, cache)
    for kind in ("decks", "deckcards"):
        entry = derivedcache.cache_path(cache, kind, path)
        entry.write_bytes(entry.read_bytes()[:-7])
    deck, _, _left_out = load_deck_cached(path, cache)
    assert deck == parse_deck(path.read_text(), str(path)).deck


def test_light_load_has_keys_but_no_texts(tmp_path: Path) -> None:
    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    for _ in range(2):  # a miss, then a hit
        deck, _, _left_out = load_deck_cached(path, cache, cards=False)
        assert deck is not None and deck.cards == () and deck.name == "Tiny deck"
        units = units_for(deck)
        assert [u.key for u in units] == [u.key for u in expand_deck(parse_deck(DECK).deck)]  # type: ignore[arg-type]
        assert all(u.front == u.back == "" for u in units)
        full = expand_deck(parse_deck(DECK, str(path)).deck)  # type: ignore[arg-type]
        assert units == [
            replace(u, front="", back="", extra="") for u in full
        ]  # the same on a miss and a hit


def test_light_keys_come_before_the_units_and_agree_with_them(tmp_path: Path) -> None:
    """`retain due` counts from the keys alone; the units, built later, are in the same order."""
    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    expected = [u.key for u in expand_deck(parse_deck(DECK, str(path)).deck)]  # type: ignore[arg-type]
    for _ in range(2):  # a miss, then a hit
        deck, _, _left_out = load_deck_cached(path, cache, cards=False)
        assert deck is not None
        assert unit_keys_for(deck) == expected
        assert [u.key for u in units_for(deck)] == expected == unit_keys_for(deck)
        assert units_for(deck) is units_for(deck)  # built once


def test_a_light_entry_with_a_short_column_is_a_miss(tmp_path: Path) -> None:
    """The columns are checked when the cache is read, not when the units are first built."""
    import marshal

    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    load_deck_cached(path, cache, cards=False)
    entry = derivedcache.cache_path(cache, "decks", path)
    data = marshal.loads(entry.read_bytes())
    main = data[4]
    names, cols, count = main[1]
    cols = [col[:-1] if name == "kind" else col for name, col in zip(names, cols, strict=True)]
    entry.write_bytes(marshal.dumps((*data[:4], (main[0], (names, cols, count), *main[2:]))))
    deck, _, _left_out = load_deck_cached(path, cache, cards=False)  # parsed again
    assert deck is not None
    assert [u.key for u in units_for(deck)] == unit_keys_for(deck)
    assert [u.kind for u in units_for(deck)] == [
        u.kind
        for u in expand_deck(parse_deck(DECK, str(path)).deck)  # type: ignore[arg-type]
    ]


def test_broken_deck_is_cached_with_its_problems(tmp_path: Path) -> None:
    path = _deck_file(tmp_path, 'format = 1\n[deck]\nid = "Bad Id"\n')
    cache = tmp_path / "cache"
    first = load_deck_cached(path, cache)
    second = load_deck_cached(path, cache)
    assert first[0] is None and first == second and "invalid" in first[1][0].message


def test_a_remembered_file_loads_from_the_cache_as_a_parse_would(tmp_path: Path) -> None:
    """An import writes a deck file it has parsed already; the cache keeps that parse."""
    from retain.store.decks.deckcache import remember

    path = _deck_file(tmp_path, DECK + '\n[[cards]]\nid = "odd"\nfront = "Q"\nback = "A"\nsurprise = 1\n')
    cache = tmp_path / "cache"
    parsed = parse_deck(path.read_text(), str(path))
    assert parsed.problems  # a warning: cached along with the deck
    remember(path, cache, path.read_text(), parsed.deck, parsed.problems)
    assert list((cache / "decks").iterdir()) and list((cache / "deckcards").iterdir())
    st = path.stat()
    with path.open("r+b") as fh:  # same inode, size and mtime, other bytes: only a hit gives the old deck
        fh.write(b"#")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    deck, problems, _left_out = load_deck_cached(path, cache)
    assert deck == parsed.deck and problems == parsed.problems


def test_remember_stores_nothing_for_a_file_that_is_not_the_text(tmp_path: Path) -> None:
    from retain.store.decks.deckcache import remember

    path = _deck_file(tmp_path)
    cache = tmp_path / "cache"
    other = DECK.replace('front = "One?"', 'front = "Uno?"')
    parsed = parse_deck(other, str(path))
    remember(path, cache, other, parsed.deck, parsed.problems)
    assert not (cache / "decks").exists() or not list((cache / "decks").iterdir())
    deck, _problems, _left_out = load_deck_cached(path, cache)
    assert deck == parse_deck(DECK, str(path)).deck
