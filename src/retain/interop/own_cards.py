"""Cards the learner added to a deck imported from an Anki package stay in it on a re-import.

A learner adds cards of their own to an imported deck (`retain add`, the editor) or moves some
in with `m` from another deck. The package does not hold them: importing it again, or a newer
version, removed them, text and all, where Anki itself never deletes a note a package does not
hold. The deck's `DECK.anki.json` (`ankikeep`) tells which cards the package gave it: `given`
(written by every `.apkg` import since it is kept; an earlier sidecar's: the cards with an entry),
less the cards moved in from another deck with their entries (`moved_in`, `ankikeep_moves`).

A card of the installed deck that the file's deck does not hold is the learner's own when the
package did not give it, and it is no card of the package's that the file holds in another of
its decks (`_package_card`: the same Anki note there, by its GUID, or a card that left that deck,
whose package gave it that deck): the same question added here (the same id) is the learner's
card all the same, and stays beside the package's. It stays in the deck written, where it was
(after the card it followed), with its id, text and progress (so the diff counts it unchanged),
and the preview says so in one line (`own_lines`). Its entries in the old sidecar (a card moved
in from another package: its note's GUID, note type, media names and SM-2 ease) go into the new
one, so a later export still updates the same Anki note. A card the package gave and no longer
holds is removed, as before: its author deleted it; one it holds in another of its decks is
moved as the file has it (`importer._card_moves`).

A deck without a sidecar (a `.toml`, Anki text or Markdown import; an `.apkg` deck retain
imported before it kept one) tells nothing: as before. One whose sidecar is there but does not
read (cut short, a merge conflict left in it, another format) cannot tell either, and a card is
never deleted on a guess: every card the package does not prove its own is kept, with a warning
line naming the sidecar and why (`Kept.warning`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from retain.core.model import Card, Deck
from retain.interop.anki import jsontext
from retain.interop.ankikeep import AnkiKeep, KeepError, keep_guids, keep_path, read_keep, sane_mod

__all__ = ["Kept", "keep_own", "own_cards", "own_keep", "own_lines", "package_cards", "with_own"]


@dataclass(frozen=True, slots=True)
class Kept:
    """A deck of the import that keeps cards of the installed deck the package does not hold there."""

    deck: Deck  # the deck to write: the file's, with them
    own: list[Card]  # the cards kept
    unread: str = ""  # its sidecar's name when it did not read (`why`): kept as they may be yours
    why: str = ""

    def warning(self) -> str:
        """`spanish.anki.json: not readable (…): kept 1 card of 'spanish' the package does not hold
        there; the import writes it anew`, or ''."""
        if not self.unread:
            return ""
        n = len(self.own)
        return (
            f"{self.unread}: not readable ({self.why}): kept {n} card{'s' * (n != 1)} of {self.deck.id!r} "
            "the package does not hold there; the import writes it anew"
        )


@dataclass(slots=True)
class _Import:
    """What the import's decks tell about a card the file's deck does not hold."""

    where: dict[str, list[str]]  # card id -> the decks of the file holding it
    installed: dict[str, tuple[Deck | None, Path]]  # deck id -> (the installed deck, its file)
    texts: dict[str, str]  # deck id -> the sidecar text the file gives it (before it is changed)
    simulated: Mapping[Path, str] | None
    _guids: dict[str, dict[str, str]]
    _theirs: dict[str, set[str]]
    _held: dict[str, set[str]]

    def guids(self, deck_id: str) -> dict[str, str]:
        if deck_id not in self._guids:
            self._guids[deck_id] = keep_guids(self.texts.get(deck_id))
        return self._guids[deck_id]

    def gave(self, deck_id: str) -> set[str]:
        """The card ids the installed deck's package gave it (none known: its sidecar absent or
        unreadable)."""
        if deck_id not in self._theirs:
            old, target = self.installed[deck_id]
            keep = None
            if old is not None:
                try:
                    keep = read_keep(keep_path(target.parent, deck_id), self.simulated)
                except KeepError:
                    keep = None
            self._theirs[deck_id] = package_cards(keep) if keep is not None else set()
        return self._theirs[deck_id]

    def left(self, deck_id: str, card_id: str) -> bool:
        """Whether the card left the installed deck (it holds it no longer; a deck new here: no)."""
        old, _target = self.installed[deck_id]
        if old is None:
            return False
        if deck_id not in self._held:
            self._held[deck_id] = {c.id for c in old.cards}
        return card_id not in self._held[deck_id]


def keep_own(
    decks: Iterable[tuple[Deck, Deck | None, Path]],
    given: Mapping[str, list[str]],
    keeps: dict[str, str],
    simulated: Mapping[Path, str] | None = None,
) -> dict[str, Kept]:
    """Per deck of an Anki package's import (as planned, the installed deck it updates or None,
    the file it is written to), with `given` the card ids the file gives each and `keeps` the
    sidecar texts the import writes (made to say which cards the package gave, and to hold the
    kept cards' entries): deck id -> what it keeps, for the decks that keep some. `simulated`:
    the sidecar texts a dry run's earlier files would have written, by path."""
    planned = list(decks)
    where: dict[str, list[str]] = {}
    for deck_id, ids in given.items():
        for card_id in ids:
            where.setdefault(card_id, []).append(deck_id)
    found = _Import(where, {d.id: (old, t) for d, old, t in planned}, dict(keeps), simulated, {}, {}, {})
    out: dict[str, Kept] = {}
    for deck, old, target in planned:
        own: list[Card] = []
        kept: AnkiKeep | None = None
        why = ""
        if old is not None:
            sidecar = keep_path(target.parent, deck.id)
            try:
                own, kept = own_cards(old, deck, sidecar, found)
            except KeepError as exc:
                why, own = str(exc), _unproven(old, deck, found)
        keeps[deck.id] = own_keep(keeps.get(deck.id), given[deck.id], kept, own)
        if own and old is not None:
            unread = keep_path(target.parent, deck.id).name if why else ""
            out[deck.id] = Kept(with_own(deck, old, own), own, unread, why)
    return out


def package_cards(keep: AnkiKeep) -> set[str]:
    """The card ids the deck's package gave it: `given`, or (a sidecar written before it was
    kept) those with an entry; less those the learner moved in from another deck."""
    if keep.given is not None:
        theirs = set(keep.given)
    else:
        theirs = set(keep.notes) | {key.partition(":")[0] for key in keep.cards}
    return theirs - keep.moved_in


def own_cards(old: Deck, deck: Deck, sidecar: Path, found: _Import) -> tuple[list[Card], AnkiKeep | None]:
    """The installed deck's cards the import keeps in the file's `deck` (the learner's: the
    file's deck does not hold them, the package never gave them, and they are no card of the
    package's it holds in another deck), in the deck's order, with the deck's sidecar at
    `sidecar` when it was read for them (None: no such card, or no sidecar, which tells
    nothing). KeepError: the sidecar is there and does not read."""
    here = {c.id for c in deck.cards}
    left = [c for c in old.cards if c.id not in here]
    if not left:
        return [], None  # (the sidecar, however large, is not read)
    keep = read_keep(sidecar, found.simulated)
    if keep is None:
        return [], None
    theirs = package_cards(keep)
    return [c for c in left if c.id not in theirs and not _package_card(c, deck.id, keep, found)], keep


def _unproven(old: Deck, deck: Deck, found: _Import) -> list[Card]:
    """The installed deck's cards the file's `deck` does not hold that are no card of the
    package's it holds in another deck: with its sidecar unreadable, these may be the learner's."""
    here = {c.id for c in deck.cards}
    return [c for c in old.cards if c.id not in here and not _package_card(c, deck.id, None, found)]


def _package_card(card: Card, deck_id: str, keep: AnkiKeep | None, found: _Import) -> bool:
    """Whether the installed deck's `card` (not given it by the package) is a card of the package
    that the file holds in another of its decks: the same Anki note there (this deck's sidecar
    `keep` gives it the GUID the file gives it: moved in with `m` from that deck), or a card that
    left that deck (the installed one does not hold it, and its package gave it that deck: moved
    here with `m`, a package retain wrote keeping no GUIDs). The learner's own card of the same
    question (the same id: `retain add` makes it from the question) is neither."""
    note = keep.notes.get(card.id) if keep is not None else None
    for other in found.where.get(card.id, ()):
        if other == deck_id:
            continue
        if note is not None and found.guids(other).get(card.id) == note.guid:
            return True
        if found.left(other, card.id) and card.id in found.gave(other):
            return True
    return False


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
            if c.ivl:
                _part(data, "ivls")[key] = c.ivl
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


def own_lines(own: Sequence[Card], unread: str = "") -> list[str]:
    """`  kept, added by you here: 1 card`, or nothing; with its sidecar `unread` (its name), `  kept,
    not in the package (spanish.anki.json does not read): 1 card`."""
    if not own:
        return []
    n = len(own)
    what = f"not in the package ({unread} does not read)" if unread else "added by you here"
    return [f"  kept, {what}: {n} card{'s' * (n != 1)}"]
