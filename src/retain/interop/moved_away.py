"""Cards the learner moved out of an imported deck stay where the learner put them.

`m` in the browser (or the editor's deck field) moves a card to another deck: it keeps its id
(unless that deck holds the id already), and an `.apkg` import's entries of it in
`DECK.anki.json` (its note's GUID) go along (`ankikeep_moves`). The file it came from still has
it in the deck it left: importing that file again added it back there, a second card.

A card of the file that the installed deck it updates does not hold (a re-import, not the deck's
first import) is such a card when exactly one deck of the library outside the import (not a
bundled one) holds its id, and that card there

- reads the same (kind and text, its image references re-pointed to that deck's media folder:
  any format, `.toml`, `.apkg`, Anki text, Markdown), or
- is the same Anki note: that deck's `DECK.anki.json` gives it the GUID the file gives it (edited
  since, in Anki or here).

The import leaves it where it is (out of the deck it writes, and of that deck's kept Anki
entries) and says so in one line per deck it is in (`moved_lines`); with `--with-history` the
file's reviews of it count for it there (`away_keys`). A card moved between two decks of the
same import is not told apart from a note its author moved to another subdeck (the files look
the same): the import moves it as the file has it (`importer._card_moves`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from retain.core.mediaref import repoint_refs
from retain.core.model import Card, Deck
from retain.core.remap import card_move_keys
from retain.interop.anki import jsontext
from retain.interop.ankikeep import keep_guids, keep_path, load_keep
from retain.store.decks.library import Library

__all__ = ["MovedAway", "away_keys", "moved_away", "moved_lines", "without_notes"]

_HERE = "\x00"  # (a media folder no deck has: both cards' references re-pointed to it compare)


@dataclass(frozen=True, slots=True)
class MovedAway:
    card: Card  # the file's card
    deck_id: str  # the library deck it is in now
    there: Card  # the card there
    path: Path  # that deck's file
    edited: bool  # it reads otherwise there (the same Anki note)


def _content(card: Card, deck_id: str) -> tuple[str, ...]:
    def fix(text: str) -> str:
        return repoint_refs(text, deck_id, _HERE)

    return (card.kind, fix(card.front), fix(card.back), fix(card.text), fix(card.extra))


def moved_away(
    decks: Iterable[tuple[Deck, Deck | None]],
    library: Library,
    keeps: Mapping[str, str],
    simulated: Mapping[Path, str] | None = None,
) -> dict[str, list[MovedAway]]:
    """Per deck of the import (as it would be written, with the installed deck it updates, None
    for a first import): its cards the learner moved to a deck outside the import (see the
    module's doc). `keeps`: per deck of the import, the `DECK.anki.json` text it would write;
    `simulated`: the sidecar texts a dry run's earlier files would have written, by path."""
    planned = list(decks)
    own = {deck.id for deck, _old in planned}
    held: dict[str, int] = {}  # card id -> how many decks of the import hold it
    for deck, _old in planned:
        for card in deck.cards:
            held[card.id] = held.get(card.id, 0) + 1
    wanted: dict[str, tuple[str, Card]] = {}  # card id -> (deck of the import, its card)
    for deck, old in planned:
        if old is None:
            continue
        have = {c.id for c in old.cards}
        for card in deck.cards:
            if card.id not in have and held[card.id] == 1:
                wanted[card.id] = (deck.id, card)
    if not wanted:
        return {}
    found: dict[str, list[MovedAway]] = {}  # card id -> every deck outside the import that holds it
    guids: dict[str, dict[str, str]] = {}
    for entry in library.entries:
        there = entry.deck
        if there is None or entry.origin == "bundled" or there.id in own:
            continue
        kept: dict[str, str] | None = None
        for card in there.cards:
            hit = wanted.get(card.id)
            if hit is None:
                continue
            deck_id, mine = hit
            edited = _content(mine, deck_id) != _content(card, there.id)
            if edited:  # the same Anki note?
                if deck_id not in guids:
                    guids[deck_id] = keep_guids(keeps.get(deck_id))
                guid = guids[deck_id].get(card.id)
                if guid is None:
                    continue
                if kept is None:
                    loaded = load_keep(keep_path(entry.path.parent, there.id), simulated)
                    kept = {k: n.guid for k, n in loaded.notes.items()} if loaded is not None else {}
                if kept.get(card.id) != guid:
                    continue
            found.setdefault(card.id, []).append(MovedAway(mine, there.id, card, entry.path, edited))
    out: dict[str, list[MovedAway]] = {}
    for card_id, places in found.items():
        if len(places) == 1:  # (in two decks: which one did the learner move it to? not guessed at)
            out.setdefault(wanted[card_id][0], []).append(places[0])
    return out


def moved_lines(moved: list[MovedAway]) -> list[str]:
    """One line per deck the cards are in: `kept in 'mine', where you moved it: 1 card`."""
    by_deck: dict[str, list[MovedAway]] = {}
    for m in moved:
        by_deck.setdefault(m.deck_id, []).append(m)
    lines = []
    for deck_id, cards in sorted(by_deck.items()):
        n, edited = len(cards), sum(m.edited for m in cards)
        what = f"{n} card{'s' * (n != 1)}"
        it = "it" if n == 1 else "them"
        line = f"  kept in {deck_id!r}, where you moved {it}: {what}"
        if edited:
            line += f" ({edited} changed in this file, not updated there)"
        lines.append(line)
    return lines


def away_keys(deck_id: str, moved: list[MovedAway]) -> dict[str, str]:
    """Unit key in the import's deck -> the key it has where the card is now (the browser's `m`
    carried its progress so), for the file's history of it."""
    keys: dict[str, str] = {}
    for m in moved:
        keys.update(card_move_keys(deck_id, m.card, m.deck_id, m.there))
    return keys


def without_notes(keep: str, card_ids: set[str]) -> str:
    """A deck's `DECK.anki.json` text without the entries of `card_ids` (their notes, their
    cards' SM-2 factors): those cards are in another deck, whose file has their entries."""
    try:
        data = jsontext.loads(keep)
    except (ValueError, RecursionError):
        return keep
    if not isinstance(data, dict):
        return keep
    notes, cards = data.get("notes"), data.get("cards")
    if isinstance(notes, dict):
        data["notes"] = {k: v for k, v in notes.items() if k not in card_ids}
    if isinstance(cards, dict):
        data["cards"] = {k: v for k, v in cards.items() if k.partition(":")[0] not in card_ids}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
