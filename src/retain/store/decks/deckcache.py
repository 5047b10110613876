"""A parse cache for deck files, keyed by (path, inode, mtime_ns, size).

Parsing 50 deck files of 50k cards with the stdlib TOML reader takes seconds;
`retain due` must answer in a fraction of that. The first load of a deck file
parses it as usual (`core.deckfile.parse_deck`) and stores the result, the
deck's cards and its expanded review units, in columns in the cache folder
(`derivedcache`). Later loads rebuild the same objects from the columns
(`fastbuild`). The deck file stays the source of truth: any change to it, or
to the parsing code, is a miss, and a damaged cache is ignored.

`units_for(deck)` returns the units expanded when the deck was loaded, so the
collection does not expand 50k cards a second time. A deck loaded without its
cards keeps its units as the cache's columns until they are asked for:
`unit_keys_for(deck)` reads their keys without building them (`retain due`
counts 50k units from their keys alone).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retain.core.model import Card, Deck, Problem, Unit
from retain.store.fastbuild import Columns, build_many, columns_of, field_names
from retain.store.files import ReadError, read_text_limited
from retain.store.index import derivedcache

__all__ = ["load_deck_cached", "remember", "unit_keys_for", "units_for"]

_DECK_FIELDS = tuple(n for n in field_names(Deck) if n not in ("cards", "path"))
_CARD_FIELDS = field_names(Card)
_UNIT_TEXTS = ("front", "back", "extra")
_UNIT_KEYS = tuple(n for n in field_names(Unit) if n not in _UNIT_TEXTS)
_UNITS: dict[str, tuple[Deck, list[Unit] | Columns[Unit]]] = {}


def units_for(deck: Deck) -> list[Unit]:
    """The deck's review units (memoised for decks loaded through this cache)."""
    hit = _UNITS.get(deck.path)
    if hit is not None and hit[0] is deck:
        units = hit[1]
        if isinstance(units, Columns):  # built on first use
            units = units.build()
            _UNITS[deck.path] = (deck, units)
        return units
    from retain.core.units import expand_deck

    return expand_deck(deck)


def unit_keys_for(deck: Deck) -> list[str]:
    """The keys of the deck's review units, in `units_for` order, without building the units
    when the deck came from the cache without its cards."""
    hit = _UNITS.get(deck.path)
    if hit is not None and hit[0] is deck and isinstance(hit[1], Columns):
        return list(hit[1].column("key"))
    return [u.key for u in units_for(deck)]


def _problems(raw: list[Any], path: str) -> list[Problem]:
    return [Problem(path, line, col, msg, sev) for line, col, msg, sev in raw]


def _payload(
    deck: Deck | None, units: list[Unit], problems: list[Problem], left_out: int = 0
) -> tuple[Any, Any]:
    """(main entry: meta, units without their texts, problems, the cards left out; content
    entry: cards, unit texts)."""
    probs = [(p.line, p.col, p.message, p.severity) for p in problems]
    if deck is None:
        return (None, probs), None
    meta = [getattr(deck, n) for n in _DECK_FIELDS]
    main = (
        (list(_DECK_FIELDS), meta),
        (list(_UNIT_KEYS), columns_of(units, _UNIT_KEYS), len(units)),
        probs,
        len(deck.cards),
        left_out,
    )
    content = (list(_CARD_FIELDS), columns_of(deck.cards, _CARD_FIELDS), columns_of(units, _UNIT_TEXTS))
    return main, content


def _rebuild(
    main: Any, cards_entry: Any, path: str
) -> tuple[Deck | None, list[Unit] | Columns[Unit], list[Problem], int]:
    if main[0] is None:
        return None, [], _problems(main[1], path), 0
    deck, units = _rebuild_deck(main, cards_entry, path)
    left_out = main[4]
    if not isinstance(left_out, int):
        raise TypeError("the cards left out is no count")
    return deck, units, _problems(main[2], path), left_out


def _rebuild_deck(main: Any, cards_entry: Any, path: str) -> tuple[Deck, list[Unit] | Columns[Unit]]:
    """The deck and its units; without `cards_entry` the units stay columns (`units_for` builds them)."""
    (meta_names, meta), (unit_names, unit_cols, n_units), _probs, n_cards, _left_out = main
    cards: list[Card] = []
    units: list[Unit] | Columns[Unit]
    if cards_entry is not None:
        card_names, card_cols, text_cols = cards_entry
        cards = build_many(Card, card_names, card_cols, n_cards)
        units = build_many(Unit, [*unit_names, *_UNIT_TEXTS], [*unit_cols, *text_cols], n_units)
    else:
        units = Columns(Unit, unit_names, unit_cols, n_units, dict.fromkeys(_UNIT_TEXTS, ""))
    deck = Deck(**dict(zip(meta_names, meta, strict=True)), cards=tuple(cards), path=path)
    return deck, units


def load_deck_cached(
    path: Path, cache_dir: Path, *, cards: bool = True
) -> tuple[Deck | None, list[Problem], int]:
    """Parse `path` (or rebuild it from the cache); problems and the cards left out as
    `parse_deck` gives them.

    With `cards=False` the deck comes without its `cards`, and its review units
    (through `units_for`) without their texts (`front`, `back`, `extra` are
    empty; keys, kinds and tags are there): for `retain due`/`stats`, which
    count units and must start fast.
    """
    where = str(path)
    ident = derivedcache.file_id(path)
    main_file = derivedcache.cache_path(cache_dir, "decks", path)
    cards_file = derivedcache.cache_path(cache_dir, "deckcards", path)
    main = derivedcache.load(main_file, "deck", ident) if ident is not None else None
    cards_entry = None
    if main is not None and main[0] is not None and cards:
        cards_entry = derivedcache.load(cards_file, "deckcards", ident)
        if cards_entry is None:
            main = None
    if main is not None:
        try:
            deck, units, problems, left_out = _rebuild(main, cards_entry, where)
        except (ValueError, TypeError, KeyError, IndexError):
            pass
        else:
            if deck is not None:
                _UNITS[where] = (deck, units)
            return deck, problems, left_out
    try:
        text = read_text_limited(path)
    except ReadError as exc:
        return None, [Problem(where, exc.line, exc.col, str(exc))], 0
    from retain.core.deckfile import parse_deck
    from retain.core.units import expand_deck

    result = parse_deck(text, where)
    deck = result.deck
    units = expand_deck(deck) if deck is not None else []
    main, card_cols = _payload(deck, units, result.problems, result.left_out)
    if ident is not None and ident == derivedcache.file_id(path):
        derivedcache.save(main_file, "deck", ident, main)
        if card_cols is not None:
            derivedcache.save(cards_file, "deckcards", ident, card_cols)
    if deck is not None and not cards:
        # What a later load rebuilds from the cache, built the same (fast) way.
        deck, units = _rebuild_deck(main, None, where)
    if deck is not None:
        _UNITS[where] = (deck, units)
    return deck, result.problems, result.left_out


def remember(
    path: Path, cache_dir: Path, text: str, deck: Deck | None, problems: list[Problem], left_out: int = 0
) -> None:
    """Store what `parse_deck(text, str(path))` gave for a file just written with `text` (its
    deck, problems and the cards it left out).

    An import, or `retain add`, has parsed each deck file it writes (to be sure it loads); this
    saves the next load parsing it again. The entry is keyed by the file as it is now, so if the
    file is not `text` (changed since, or a different path spelling) it is simply a miss.
    """
    if text.startswith("\ufeff") or (deck is not None and deck.path != str(path)):
        return  # reading drops a BOM: what the load parses would differ
    from retain.core.units import expand_deck

    try:
        ident = derivedcache.file_id(path)
        if ident is None or read_text_limited(path) != text:
            return
    except (OSError, ReadError):
        return
    units = expand_deck(deck) if deck is not None else []
    main, card_cols = _payload(deck, units, problems, left_out)
    derivedcache.save(derivedcache.cache_path(cache_dir, "decks", path), "deck", ident, main)
    if card_cols is not None:
        derivedcache.save(
            derivedcache.cache_path(cache_dir, "deckcards", path), "deckcards", ident, card_cols
        )
