"""Cards the learner added to a deck imported from an Anki package stay in it on a re-import.

A learner adds cards of their own to an imported deck (`retain add`, the editor) or moves some
in with `m` from another deck. The package does not hold them: importing it again, or a newer
version, removed them, text and all, where Anki itself never deletes a note a package does not
hold. The deck's `DECK.anki.json` (`ankikeep`) tells which cards the package gave it: `given`
(written by every `.apkg` import since it is kept; an earlier sidecar's: the cards with an entry),
less the cards moved in from another deck with their entries (`moved_in`, `ankikeep_moves`).

A card of the installed deck that the file holds in none of its decks is the learner's own when
the package did not give it: it stays in the deck written, where it was (after the card it
followed), with its id, text and progress (so the diff counts it unchanged), and the preview says
so in one line (`own_lines`). Its entries in the old sidecar (a card moved in from another
package: its note's GUID, note type, media names and SM-2 ease) go into the new one, so a later
export still updates the same Anki note. A card the package gave and no longer holds is removed,
as before: its author deleted it. A deck without a readable sidecar (a `.toml`, Anki text or
Markdown import; an `.apkg` deck retain imported before it kept one) tells nothing: as before.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from retain.core.model import Card, Deck
from retain.interop.anki import jsontext
from retain.interop.ankikeep import AnkiKeep, keep_path, load_keep, sane_mod

__all__ = ["keep_own", "own_cards", "own_keep", "own_lines", "package_cards", "with_own"]


def keep_own(
    decks: Iterable[tuple[Deck, Deck | None, Path]], given: Mapping[str, list[str]], keeps: dict[str, str]
) -> dict[str, tuple[Deck, list[Card]]]:
    """Per deck of an Anki package's import (as planned, the installed deck it updates or None,
    the file it is written to), with `given` the card ids the file gives each and `keeps` the
    sidecar texts the import writes (made to say which cards the package gave, and to hold the
    kept cards' entries): deck id -> (the deck to write, the learner's cards kept in it), for the
    decks that keep some."""
    held = {card_id for ids in given.values() for card_id in ids}
    out: dict[str, tuple[Deck, list[Card]]] = {}
    for deck, old, target in decks:
        own, kept = own_cards(old, keep_path(target.parent, deck.id), held) if old is not None else ([], None)
        keeps[deck.id] = own_keep(keeps.get(deck.id), given[deck.id], kept, own)
        if own and old is not None:
            out[deck.id] = (with_own(deck, old, own), own)
    return out


def package_cards(keep: AnkiKeep) -> set[str]:
    """The card ids the deck's package gave it: `given`, or (a sidecar written before it was
    kept) those with an entry; less those the learner moved in from another deck."""
    if keep.given is not None:
        theirs = set(keep.given)
    else:
        theirs = set(keep.notes) | {key.partition(":")[0] for key in keep.cards}
    return theirs - keep.moved_in


def own_cards(old: Deck, sidecar: Path, held: set[str]) -> tuple[list[Card], AnkiKeep | None]:
    """The installed deck's cards the import keeps (the learner's: `held`, the card ids the file
    holds in any deck, does not have them, and the package never gave them), in the deck's order,
    with the deck's sidecar at `sidecar` when it was read for them (None: no such card, or no
    readable sidecar, which tells nothing)."""
    left = [c for c in old.cards if c.id not in held]
    if not left:
        return [], None  # (the sidecar, however large, is not read)
    keep = load_keep(sidecar)
    if keep is None:
        return [], None
    theirs = package_cards(keep)
    return [c for c in left if c.id not in theirs], keep


def with_own(deck: Deck, old: Deck, own: Sequence[Card]) -> Deck:
    """`deck` (as the file has it) with the `own` cards of `old` put back each where it was: right
    after the card of `deck` it followed in `old`, or first when none did."""
    if not own:
        return deck
    mine = {c.id for c in own}
    here = {c.id for c in deck.cards}
    after: dict[str | None, list[Card]] = {}
    anchor: str | None = None
    for card in old.cards:
        if card.id in mine:
            after.setdefault(anchor, []).append(card)
        elif card.id in here:
            anchor = card.id
    cards = list(after.get(None, ()))
    for card in deck.cards:
        cards.append(card)
        cards += after.get(card.id, ())
    return replace(deck, cards=tuple(cards))


def own_keep(text: str | None, given: Iterable[str], old: AnkiKeep | None, own: Sequence[Card]) -> str:
    """The `DECK.anki.json` text the import writes: the package's (`text`; None when it kept
    nothing), with the card ids it `given` the deck, and the entries the installed deck's sidecar
    (`old`) has of the `own` cards kept (their notes listed as `moved_in`)."""
    data: dict[str, Any] | None = None
    if text is not None:
        try:
            found = jsontext.loads(text)
        except (ValueError, RecursionError):
            return text  # (the import's own text: never so)
        if not isinstance(found, dict):
            return text
        data = found
    if data is None:
        data = json.loads(AnkiKeep().to_json())
    data["given"] = sorted(set(given))
    if old is None or not own:
        return _dumps(data)
    notes, types, media = (_part(data, key) for key in ("notes", "notetypes", "media"))
    cards, moved = _part(data, "cards"), set(data.get("moved_in") or ())
    by_card: dict[str, list[str]] = {}
    for key in old.cards:
        by_card.setdefault(key.partition(":")[0], []).append(key)
    for card in own:
        note = old.notes.get(card.id)
        if note is not None:
            used = {name: hashed for name, hashed in old.media.items() if any(name in f for f in note.fields)}
            # a name the package's notes now use for another file: the fields as Anki had them
            # would show that file, so the note goes back with fields made anew (`ankikeep_moves`)
            clash = any(media.get(name, hashed) != hashed for name, hashed in used.items())
            notes[card.id] = [note.guid, note.mid, note.fields, "" if clash else note.sum]
            kind, have = old.notetypes.get(note.mid), types.get(str(note.mid))
            if kind is not None and (not isinstance(have, dict) or sane_mod(have.get("mod")) < kind["mod"]):
                types[str(note.mid)] = kind
            for name, hashed in used.items():
                media.setdefault(name, hashed)
            moved.add(card.id)
        for key in by_card.get(card.id, ()):
            c = old.cards[key]
            cards[key] = [c.factor, c.reps, c.lapses, c.logged_ms]
    if not cards:
        data.pop("cards", None)
    if moved:
        data["moved_in"] = sorted(moved)
    return _dumps(data)


def _part(data: dict[str, Any], key: str) -> dict[str, Any]:
    found = data.get(key)
    if not isinstance(found, dict):
        found = data[key] = {}
    return found


def _dumps(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def own_lines(own: Sequence[Card]) -> list[str]:
    """`  kept, added by you here: 1 card`, or nothing."""
    if not own:
        return []
    n = len(own)
    return [f"  kept, added by you here: {n} card{'s' * (n != 1)}"]
