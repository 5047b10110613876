"""A card moved to another deck takes its Anki identity along.

An `.apkg` import keeps each note's GUID, note type and fields, and each card's SM-2 ease and
counts, in `DECK.anki.json` beside the deck file (`ankikeep`), by card id. A card moved to
another deck (the browser's `m`, the editor's deck field; `SaveResult.moved_from`) has its
entries moved to the sidecar of the deck it is in now, under its id there: the next export
updates the same Anki note, with its ease, instead of adding a new one. The note's type and the
media names its fields use go along (a type already there is kept unless this one is newer).
A card that was unchanged since the import stays so (its fingerprint is the moved card's, whose
media references only were re-pointed), so its fields still go back exactly as Anki had them;
unless they name a file by a name the new deck's notes use for another file (each deck's
`front.png`): then they go back made anew from the card, as an edited card's do.

The card is listed in the new sidecar's `moved_in` (unless the deck's package gave it that deck:
moved back home): with its entries it looks like a card of the deck's package, and a re-import
of that package keeps it as the learner's (`own_cards`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from retain.core.mediaref import repoint_refs
from retain.core.model import Card
from retain.interop.ankikeep import AnkiKeep, KeptNote, card_fingerprint, keep_path, load_keep
from retain.store.decks.card_edits import SaveResult
from retain.store.decks.library import Library
from retain.store.files import atomic_write
from retain.store.oserror import os_error_text

__all__ = ["carry_kept"]


def _repointed(card: Card, old_deck: str, new_deck: str) -> Card:
    def fix(text: str) -> str:
        return repoint_refs(text, old_deck, new_deck)

    return replace(
        card, front=fix(card.front), back=fix(card.back), text=fix(card.text), extra=fix(card.extra)
    )


def _carry(
    src: AnkiKeep, dst: AnkiKeep, old_deck: str, old: Card, new_deck: str, new: Card, moves: Mapping[str, str]
) -> bool:
    """Move one card's entries from `src` to `dst`; whether any moved."""
    changed = False
    note = src.notes.pop(old.id, None)
    if note is not None:
        moved = card_fingerprint(new)
        unchanged = note.sum == card_fingerprint(old) and moved == card_fingerprint(
            replace(_repointed(old, old_deck, new_deck), id=new.id)
        )
        used = {name: hashed for name, hashed in src.media.items() if any(name in f for f in note.fields)}
        # A name the deck's own notes use for another file (two decks' `front.png`): the fields
        # as Anki had them would show that file, so the note goes back with fields made anew
        # from the card (as an edited card's: its own file, under a name of its own)
        clash = any(dst.media.get(name, hashed) != hashed for name, hashed in used.items())
        kept_sum = moved if unchanged and not clash else ("" if clash else note.sum)
        dst.notes[new.id] = KeptNote(note.guid, note.mid, note.fields, kept_sum)
        src.moved_in.discard(old.id)
        if dst.given is None or new.id not in dst.given:  # (not a card the deck's package gave it)
            dst.moved_in.add(new.id)
        else:
            dst.moved_in.discard(new.id)
        kind = src.notetypes.get(note.mid)
        have = dst.notetypes.get(note.mid)
        if kind is not None and (have is None or have.get("mod", 0) < kind.get("mod", 0)):
            dst.notetypes[note.mid] = kind
        for name, hashed in used.items():
            dst.media.setdefault(name, hashed)
        changed = True
    for old_key, new_key in moves.items():
        kept = src.cards.pop(old_key.partition("/")[2], None)
        if kept is not None:
            dst.cards[new_key.partition("/")[2]] = kept
            changed = True
    return changed


def carry_kept(library: Library, results: Sequence[SaveResult]) -> str | None:
    """Move the kept Anki entries of the cards `results` moved to another deck to that deck's
    `DECK.anki.json`. None, or one line when a sidecar could not be read or written: the cards
    are moved all the same, and the next export sends such a card to Anki as a new note."""
    groups: dict[tuple[str, str], list[tuple[Card, SaveResult]]] = {}
    for result in results:
        if result.moved_from is not None:
            deck_id, old = result.moved_from
            groups.setdefault((deck_id, result.deck_id), []).append((old, result))
    problems: list[str] = []
    for (old_deck, new_deck), moved in groups.items():
        old_entry, new_entry = library.entry(old_deck), library.entry(new_deck)
        if old_entry is None or new_entry is None:
            continue
        src_path = keep_path(old_entry.path.parent, old_deck)
        if not src_path.exists():  # (a deck made in retain: nothing kept)
            continue
        src = load_keep(src_path)
        dst_path = keep_path(new_entry.path.parent, new_deck)
        dst = load_keep(dst_path) if dst_path.exists() else AnkiKeep()
        if src is None or dst is None:
            bad = src_path if src is None else dst_path
            problems.append(f"{bad.name} does not read as an Anki import's record")
            continue
        if not any([_carry(src, dst, old_deck, old, new_deck, r.card, r.moves) for old, r in moved]):
            continue
        try:
            atomic_write(dst_path, dst.to_json())
            atomic_write(src_path, src.to_json())
        except OSError as exc:
            problems.append(os_error_text(exc))
    if not problems:
        return None
    return f"the moved cards' Anki identity stayed behind ({'; '.join(problems)}); an export sends them as new notes"
