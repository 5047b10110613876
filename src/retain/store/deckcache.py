"""A parse cache for deck files, keyed by (path, inode, mtime_ns, size).

Parsing 50 deck files of 50k cards with the stdlib TOML reader takes seconds;
`retain due` must answer in a fraction of that. The first load of a deck file
parses it as usual (`core.deckfile.parse_deck`) and stores the result, the
deck's cards and its expanded review units, in columns in the cache folder
(`derivedcache`). Later loads rebuild the same objects from the columns
(`fastbuild`). The deck file stays the source of truth: any change to it, or
to the parsing code, is a miss, and a damaged cache is ignored.

`units_for(deck)` returns the units expanded when the deck was loaded, so the
collection does not expand 50k cards a second time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retain.core.deckfile import parse_deck
from retain.core.model import Card, Deck, Problem, Unit
from retain.core.units import expand_deck
from retain.store import derivedcache
from retain.store.fastbuild import build_many, columns_of, field_names
from retain.store.files import ReadError, read_text_limited

__all__ = ["load_deck_cached", "units_for"]

_DECK_FIELDS = tuple(n for n in field_names(Deck) if n not in ("cards", "path"))
_CARD_FIELDS = field_names(Card)
_UNIT_FIELDS = field_names(Unit)
_UNITS: dict[str, tuple[Deck, list[Unit]]] = {}


def units_for(deck: Deck) -> list[Unit]:
    """The deck's review units (memoised for decks loaded through this cache)."""
    hit = _UNITS.get(deck.path)
    if hit is not None and hit[0] is deck:
        return hit[1]
    return expand_deck(deck)


def _problems(raw: list[Any], path: str) -> list[Problem]:
    return [Problem(path, line, col, msg, sev) for line, col, msg, sev in raw]


def _payload(deck: Deck | None, units: list[Unit], problems: list[Problem]) -> Any:
    probs = [(p.line, p.col, p.message, p.severity) for p in problems]
    if deck is None:
        return (None, probs)
    meta = [getattr(deck, n) for n in _DECK_FIELDS]
    return (
        (list(_DECK_FIELDS), meta),
        (list(_CARD_FIELDS), columns_of(deck.cards, _CARD_FIELDS), len(deck.cards)),
        (list(_UNIT_FIELDS), columns_of(units, _UNIT_FIELDS), len(units)),
        probs,
    )


def _rebuild(payload: Any, path: str) -> tuple[Deck | None, list[Unit], list[Problem]]:
    if payload[0] is None:
        return None, [], _problems(payload[1], path)
    (meta_names, meta), (card_names, card_cols, n_cards), (unit_names, unit_cols, n_units), probs = payload
    cards = build_many(Card, card_names, card_cols, n_cards)
    units = build_many(Unit, unit_names, unit_cols, n_units)
    deck = Deck(**dict(zip(meta_names, meta, strict=True)), cards=tuple(cards), path=path)
    return deck, units, _problems(probs, path)


def load_deck_cached(path: Path, cache_dir: Path) -> tuple[Deck | None, list[Problem]]:
    """Parse `path` (or rebuild it from the cache); problems as `parse_deck` gives them."""
    where = str(path)
    ident = derivedcache.file_id(path)
    cache_file = derivedcache.cache_path(cache_dir, "decks", path)
    payload = derivedcache.load(cache_file, "deck", ident) if ident is not None else None
    if payload is not None:
        try:
            deck, units, problems = _rebuild(payload, where)
        except (ValueError, TypeError, KeyError):
            payload = None
        else:
            if deck is not None:
                _UNITS[where] = (deck, units)
            return deck, problems
    try:
        text = read_text_limited(path)
    except ReadError as exc:
        return None, [Problem(where, 1, 1, str(exc))]
    result = parse_deck(text, where)
    units = expand_deck(result.deck) if result.deck is not None else []
    if result.deck is not None:
        _UNITS[where] = (result.deck, units)
    if ident is not None and ident == derivedcache.file_id(path):
        derivedcache.save(cache_file, "deck", ident, _payload(result.deck, units, result.problems))
    return result.deck, result.problems
