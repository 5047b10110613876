"""Card edits from the app: save, delete, move between decks, create decks; progress follows.

Each operation re-reads the deck file it writes, so an edit the author made in
their own editor meanwhile is never overwritten (`DeckFile.save` refuses a file
that changed after it was read). When the file changed since the app's editor
read the card:

- if the change left this card alone, the edit is applied to the new text
  (both edits kept, `SaveResult.merged`);
- if the card itself changed, `CardConflict` is raised with their version, and
  the caller asks the user: keep both (the edit is saved as a new card), mine
  (replace their version of the card) or theirs (drop mine);
- if it went away, `CardConflict` says it was deleted: mine writes it back;
- if it is still written in the file but left out of the deck (its id now on
  two cards, a pasted copy; or an error in it), `CardConflict` says so whatever
  the resolution, and nothing is written: no choice saves the card until the
  file is mended (its `kind` is "duplicated" or "broken").

Progress follows the unit keys: a renumbered cloze (`core.remap`) and a card
moved to another deck get their old keys' states (`store.progress_edits`). The move's intent is
written before the first deck file (`store.move_intent`), so a kill between the deck files and
the journal is finished at the next start: the card never comes back new, nor in two decks.
Bundled decks are copied into the user's deck folder on their first edit. A card written by
hand without an id no longer keeps the deck from being edited: the save gives it the id
`retain check --fix` would (`SaveResult.ids_given`).

Every operation holds the deck-edit lock (`editlock`) from its read to its last
write, as `retain add` and `retain check --fix` do, so neither can land between
the check that the file is unchanged and the write. It waits `APP_WAIT_SECONDS`
at most (the app calls these on its UI thread), then raises `DeckLockTimeout`
(one line, nothing written). `on_written` is called with the files written while
the lock is still held: the app takes their stamps as its own there, so a
`retain add` right after is still seen as an outside edit (and reloaded).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Literal

from retain.core.deckfile import card_header_lines, parse_deck
from retain.core.ids import is_valid_id, make_card_id
from retain.core.model import Card, Deck
from retain.core.remap import card_move_keys
from retain.core.tomlsafe import loads_safe
from retain.core.units import card_unit_keys
from retain.store.collection import Collection
from retain.store.decks import editlock
from retain.store.decks.deckedit import DeckChangedOnDisk, DeckEditError, DeckFile, create_deck_file
from retain.store.decks.media_moves import carry_media
from retain.store.move_intent import FileStep, moving
from retain.store.oserror import os_error_text
from retain.store.state.progress_edits import move_progress

__all__ = [
    "CardConflict",
    "CardEdit",
    "ConflictKind",
    "Resolution",
    "SaveResult",
    "create_deck",
    "delete_card",
    "delete_cards",
    "move_card",
    "move_cards",
    "read_card",
    "save_card",
]

Resolution = Literal["both", "mine", "theirs"]
Written = Callable[[list[Path]], None]  # told the files written, while the lock is held


# How the card changed on disk: "changed" (`theirs` is their version), "deleted", or still written
# in the file but left out of its deck: "duplicated" (its id on several cards) or "broken" (an error)
ConflictKind = Literal["changed", "deleted", "duplicated", "broken"]


class CardConflict(DeckEditError):
    """The card was changed on disk while it was edited in the app; `theirs` is None unless `kind`
    is "changed"."""

    def __init__(self, message: str, theirs: Card | None, kind: ConflictKind | None = None) -> None:
        super().__init__(message)
        self.theirs = theirs
        self.kind: ConflictKind = kind or ("deleted" if theirs is None else "changed")


@dataclass(frozen=True, slots=True)
class CardEdit:
    """An edited (or new) card. For an edit, `origin` is the file as read and `base` the card in it."""

    deck_id: str  # the deck the card is saved to
    card: Card  # id "" for a new card: one is made from its front
    origin: DeckFile | None = None
    origin_deck: str = ""
    base: Card | None = None


@dataclass(slots=True)
class SaveResult:
    deck_id: str
    card: Card
    written: list[Path] = field(default_factory=list)
    merged: bool = False  # the file had changed on disk; the edit was applied on top of that change
    moves: dict[str, str] = field(default_factory=dict)
    # studied review units the edit took away (a cloze number deleted, a kind changed): their
    # reviews stay in the journal, and come back if a unit with the same key does
    dropped: list[str] = field(default_factory=list)
    # cards written by hand without an id in the files written, given theirs by this save (the
    # ids `retain check --fix` gives): one such card no longer keeps every edit of its deck out
    ids_given: int = 0
    # (deck id, card as it was) of a card this save moved to another deck: what goes along with
    # it that this layer does not keep (an Anki import's `DECK.anki.json` entries) follows it
    moved_from: tuple[str, Card] | None = None

    def ids_given_note(self) -> str:
        """What to add to the "Saved" line when cards were given ids ("" when none were)."""
        if not self.ids_given:
            return ""
        cards = "1 card" if self.ids_given == 1 else f"{self.ids_given} cards"
        return f"also gave {cards} without an id {'its id' if self.ids_given == 1 else 'their ids'}"


def _same(a: Card | None, b: Card | None) -> bool:
    if a is None or b is None:
        return a is b
    return replace(a, line=0) == replace(b, line=0)


def _find(deck_file: DeckFile, card_id: str) -> Card | None:
    return next((c for c in deck_file.deck().cards if c.id == card_id), None)


def _deck_file(col: Collection, deck_id: str, *, for_writing: bool) -> DeckFile:
    """The deck's file read now; a bundled deck is copied to the user's folder when writing."""
    entry = col.library.entry(deck_id)
    if entry is None:
        raise DeckEditError(f"no deck {deck_id!r} in the library")
    if entry.origin == "bundled" and for_writing:
        from retain.store.decks.authoring import writable_deck_file

        return writable_deck_file(col.home, deck_id)
    return DeckFile.load(Path(entry.path))


def read_card(col: Collection, deck_id: str, card_id: str) -> tuple[DeckFile, Card]:
    """The deck file as it is now and the card in it, for the editor."""
    deck_file = _deck_file(col, deck_id, for_writing=False)
    card = _find(deck_file, card_id)
    if card is None:
        raise DeckEditError(f"deck {deck_id!r} has no card {card_id!r} (was it deleted on disk?)")
    return deck_file, card


def _writable(col: Collection) -> None:
    if col.read_only:
        raise DeckEditError("read-only: another retain is running; close it to edit here")


@contextlib.contextmanager
def _locked(col: Collection, written: list[Path], on_written: Written | None) -> Iterator[None]:
    """The deck-edit lock around a read-check-write; `on_written(written)` before it is let go."""
    with editlock.deck_edit_lock(col.cache_dir, timeout=editlock.APP_WAIT_SECONDS):
        try:
            yield
        finally:
            if written and on_written is not None:
                on_written(list(written))


def _with_id(card: Card, taken: set[str]) -> Card:
    if card.id and card.id not in taken:
        return card
    return replace(card, id=make_card_id(card.front or card.text, taken))


def save_card(
    col: Collection,
    edit: CardEdit,
    now: datetime,
    resolution: Resolution | None = None,
    *,
    on_written: Written | None = None,
) -> SaveResult:
    """Write the card; raises CardConflict (nothing written) when it changed on disk meanwhile."""
    _writable(col)
    written: list[Path] = []
    with _locked(col, written, on_written):
        return _save_card(col, edit, now, resolution, written)


def _save_card(
    col: Collection, edit: CardEdit, now: datetime, resolution: Resolution | None, written: list[Path]
) -> SaveResult:
    moving = edit.base is not None and edit.origin_deck != edit.deck_id
    target = _deck_file(col, edit.deck_id, for_writing=True)
    source = _deck_file(col, edit.origin_deck, for_writing=True) if moving else target
    base, card = edit.base, edit.card
    merged = False
    keep_theirs = False
    if base is not None and edit.origin is not None and source.digest != edit.origin.digest:
        theirs = _find(source, base.id)
        if theirs is None and (left_out := _left_out(source, base.id)) is not None:
            raise left_out  # (whatever the resolution: no choice saves it until the file is mended)
        if _same(theirs, base):
            merged = True
        elif resolution is None:
            what = "deleted" if theirs is None else "changed"
            raise CardConflict(
                f"{source.path.name}: this card was {what} on disk while you edited it", theirs
            )
        elif resolution == "theirs":
            return SaveResult(edit.origin_deck, theirs or base, merged=True)
        elif resolution == "both" or theirs is None:
            keep_theirs = theirs is not None
            merged = True
    if base is None or moving or keep_theirs:  # a card new to the target file needs a free id
        taken = {c.id for c in target.deck().cards}
        card = _with_id(replace(card, id=card.id if base is None or moving else ""), taken)
    if moving:  # (its media go along: a card names its own deck's media folder only)
        card = carry_media(card, edit.origin_deck, source.path, edit.deck_id, target.path)
    moves = {} if base is None or keep_theirs else card_move_keys(edit.origin_deck, base, edit.deck_id, card)
    dropped = (
        []
        if base is None or keep_theirs
        else _dropped(col, edit.origin_deck, base, edit.deck_id, card, moves)
    )
    # a moved card keeps its comments and string styles: its table's text goes along
    layout = source.table_text(base.id) if moving and base is not None and not keep_theirs else None
    laid_out = target.upsert(card, layout)
    removing = moving and base is not None and not keep_theirs and _find(source, base.id) is not None
    if removing and base is not None:  # (in memory first: nothing is written when it cannot be)
        source.remove(base.id, comment=laid_out)  # (the comment above it went along, or stays)
    steps = [FileStep.of(target)]
    if removing and base is not None:
        steps.append(FileStep.of(source, [(base.id, laid_out)]))
    _refuse_read_only(target, *([source] if removing else []))
    with _crash_safe(col, moves, now, steps, _what(edit, card) if base is not None else "", removing):
        _save(target)
        written.append(target.path)
        if removing:
            _save_source(
                col, source, target, f"{card.id!r} was", "the card is in both files now; delete one of them"
            )
            written.append(source.path)
        if moves:
            move_progress(col, moves, now)
    col.reload_library()
    given = target.ids_given + (source.ids_given if source is not target else 0)
    moved_from = (edit.origin_deck, base) if moving and base is not None and not keep_theirs else None
    return SaveResult(edit.deck_id, card, list(written), merged, moves, dropped, given, moved_from)


def _what(edit: CardEdit, card: Card) -> str:
    """The move for the line a start says when a kill cut it short."""
    base_id = edit.base.id if edit.base is not None else card.id
    if edit.origin_deck != edit.deck_id:
        return f"the card {edit.origin_deck}/{base_id} to deck {edit.deck_id}"
    return f"the progress of the card {edit.deck_id}/{base_id} to its edited review units"


def _crash_safe(
    col: Collection, moves: dict[str, str], now: datetime, steps: list[FileStep], what: str, files: bool
) -> contextlib.AbstractContextManager[None]:
    """Around the writes of an edit that moves cards between files or progress between keys: the
    move's intent first (`store.move_intent`), so a kill between the writes is finished at the next
    start. Needed when cards leave a file (`files`), or a key that moves has progress."""
    if files or any(old in col.states for old in moves):
        return moving(col, moves, now, what, steps)
    return contextlib.nullcontext()


def _left_out(deck_file: DeckFile, card_id: str) -> CardConflict | None:
    """The conflict for a card still written in the file but left out of its deck: its id on
    several cards (a pasted copy), or an error in it. None when it is not written there."""
    data = loads_safe(deck_file.text)
    raw = data.get("cards") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return None
    ids = [c.get("id") if isinstance(c, dict) else None for c in raw]
    count = ids.count(card_id)
    if not count:
        return None
    name = deck_file.path.name
    headers = card_header_lines(deck_file.text)
    if len(headers) != len(raw):  # (cards written inline: no header lines to name)
        headers = []
    spots = [headers[i] for i, x in enumerate(ids) if x == card_id] if headers else []
    if count > 1:
        where = f" (lines {', '.join(map(str, spots[:-1]))} and {spots[-1]})" if spots else ""
        which = "one of them is" if count == 2 else "all but one of them are"
        return CardConflict(
            f"{name}: the id {card_id!r} is now on {count} cards{where}, so this card cannot be saved "
            f"until {which} renamed or removed there",
            None,
            "duplicated",
        )
    errors = parse_deck(deck_file.text, name).errors
    if spots:  # the errors in the card's own lines, when there are any
        start = spots[0]
        end = next((line for line in headers if line > start), None)
        errors = [e for e in errors if e.line >= start and (end is None or e.line < end)] or errors
    said = f": line {errors[0].line}: {errors[0].message}" if errors else ""
    return CardConflict(
        f"{name}: this card now has an error on disk, so it cannot be saved until that is fixed there{said}",
        None,
        "broken",
    )


def _dropped(
    col: Collection, old_deck: str, base: Card, new_deck: str, card: Card, moves: dict[str, str]
) -> list[str]:
    """The old card's studied unit keys that neither stay nor move: the edit takes them away. A key
    that stays but takes another unit's progress (c2 renumbered to c1 after c1 was deleted) is
    taken away too: its own progress is replaced."""
    kept = set(card_unit_keys(new_deck, card))
    landed = set(moves.values())
    gone: list[str] = []
    for key in card_unit_keys(old_deck, base):
        state = col.states.get(key)
        if state is None or state.is_new or key in moves:
            continue
        if key not in kept or key in landed:
            gone.append(key)
    return gone


def _refuse_read_only(*files: DeckFile) -> None:
    """DeckEditError when any of the files an edit writes is read-only: said before the first is
    written (a move whose source is read-only would leave the card in both files)."""
    for deck_file in files:
        deck_file.refuse_read_only()


def _save(deck_file: DeckFile) -> None:
    try:
        deck_file.save()
    except DeckChangedOnDisk:
        raise DeckChangedOnDisk(
            f"{deck_file.path.name} changed on disk at this very moment; nothing was written, try again"
        ) from None


def delete_card(col: Collection, deck_id: str, card_id: str, *, on_written: Written | None = None) -> Path:
    """Remove the card from its deck file. Its review history stays in the journal."""
    _writable(col)
    written: list[Path] = []
    with _locked(col, written, on_written):
        deck_file = _deck_file(col, deck_id, for_writing=True)
        deck_file.remove(card_id)
        _save(deck_file)
        written.append(deck_file.path)
        col.reload_library()
    return deck_file.path


def delete_cards(
    col: Collection, cards: Sequence[tuple[str, str]], *, on_written: Written | None = None
) -> list[Path]:
    """Remove several cards, (deck id, card id), from their deck files: each file read and written
    once, the library reloaded once (card by card, 1,000 marked cards took minutes). The files
    written; a missing card writes nothing. Their review history stays in the journal."""
    _writable(col)
    written: list[Path] = []
    with _locked(col, written, on_written):
        files: dict[str, DeckFile] = {}
        for deck_id, card_id in dict.fromkeys(cards):
            if deck_id not in files:
                files[deck_id] = _deck_file(col, deck_id, for_writing=True)
            files[deck_id].remove(card_id)
        _refuse_read_only(*files.values())
        for deck_file in files.values():
            _save(deck_file)
            written.append(deck_file.path)
        if written:
            col.reload_library()
    return written


def move_card(
    col: Collection,
    deck_id: str,
    card_id: str,
    to_deck: str,
    now: datetime,
    *,
    on_written: Written | None = None,
) -> SaveResult:
    """Move a card to another deck (a new id if it is taken there); its progress moves with it."""
    if to_deck == deck_id:
        raise DeckEditError(f"the card is already in {deck_id!r}")
    _writable(col)
    written: list[Path] = []
    with _locked(col, written, on_written):
        origin, card = read_card(col, deck_id, card_id)
        edit = CardEdit(to_deck, card, origin=origin, origin_deck=deck_id, base=card)
        return _save_card(col, edit, now, None, written)


def move_cards(
    col: Collection,
    cards: Sequence[tuple[str, str]],
    to_deck: str,
    now: datetime,
    *,
    on_written: Written | None = None,
) -> list[SaveResult]:
    """Move several cards, (deck id, card id), to `to_deck` as `move_card` moves one, but each deck
    file read and written once and all their progress moved as one action (card by card, moving
    1,000 marked cards took 219 s: two files rewritten and the library reloaded per card). Cards
    already in `to_deck` are left; nothing is written when one card is missing."""
    _writable(col)
    written: list[Path] = []
    with _locked(col, written, on_written):
        target = _deck_file(col, to_deck, for_writing=True)
        taken = {c.id for c in target.deck().cards}
        sources: dict[str, tuple[DeckFile, dict[str, Card]]] = {}
        moved: list[tuple[str, Card, Card, bool, dict[str, str]]] = []  # (deck, base, card, laid out, moves)
        moves: dict[str, str] = {}
        for deck_id, card_id in dict.fromkeys(cards):
            if deck_id == to_deck:
                continue
            if deck_id not in sources:
                source = _deck_file(col, deck_id, for_writing=True)
                sources[deck_id] = (source, {c.id: c for c in source.deck().cards})
            source, by_id = sources[deck_id]
            base = by_id.get(card_id)
            if base is None:
                raise DeckEditError(f"deck {deck_id!r} has no card {card_id!r} (was it deleted on disk?)")
            card = carry_media(_with_id(base, taken), deck_id, source.path, to_deck, target.path)
            taken.add(card.id)
            own = card_move_keys(deck_id, base, to_deck, card)
            moves.update(own)
            # a moved card keeps its comments and string styles: its table's text goes along
            moved.append((deck_id, base, card, target.upsert(card, source.table_text(base.id)), own))
        if not moved:
            return []
        removed: dict[str, list[tuple[str, bool]]] = {}
        for deck_id, base, _card, laid_out, _own in moved:
            sources[deck_id][0].remove(base.id, comment=laid_out)  # (its comment went along, or stays)
            removed.setdefault(deck_id, []).append((base.id, laid_out))
        steps = [FileStep.of(target), *(FileStep.of(sources[d][0], r) for d, r in removed.items())]
        count = f"{len(moved)} card{'s' if len(moved) != 1 else ''}"
        _refuse_read_only(target, *(source for source, _by_id in sources.values()))
        with moving(col, moves, now, f"{count} to deck {to_deck}", steps):
            _save(target)
            written.append(target.path)
            for source, _by_id in sources.values():
                _save_source(
                    col,
                    source,
                    target,
                    "the cards were",
                    "its cards are in both files now; delete them from one",
                )
                written.append(source.path)
            if moves:
                move_progress(col, moves, now)
        col.reload_library()
        given = target.ids_given + sum(source.ids_given for source, _by_id in sources.values())
        return [  # (the ids given are the whole move's, on each card's result)
            SaveResult(to_deck, card, list(written), moves=own, ids_given=given, moved_from=(deck, base))
            for deck, base, card, _laid, own in moved
        ]


def _save_source(col: Collection, source: DeckFile, target: DeckFile, what: str, then: str) -> None:
    """Save the deck file cards moved out of; DeckEditError when it changed on disk meanwhile (the
    cards are written to `target` already: `what` written to it, so `then`)."""
    try:
        source.save()
    except DeckChangedOnDisk:
        col.reload_library()
        raise DeckEditError(
            f"{what} written to {target.path.name}, but {source.path.name} changed on disk meanwhile, so {then}"
        ) from None


def create_deck(col: Collection, deck: Deck, *, on_written: Written | None = None) -> Path:
    """A new, empty deck file in the user's deck folder (never over a file already there)."""
    _writable(col)
    written: list[Path] = []
    with _locked(col, written, on_written):
        path = _create_deck(col, deck)
        written.append(path)
        return path


def _create_deck(col: Collection, deck: Deck) -> Path:
    if not is_valid_id(deck.id):
        raise DeckEditError(f"deck id {deck.id!r} is invalid: use lowercase letters, digits and '-' (max 64)")
    if col.library.entry(deck.id) is not None:
        raise DeckEditError(f"a deck with id {deck.id!r} already exists")
    if not deck.name.strip():
        raise DeckEditError("the deck needs a name")
    folder = col.home.paths.decks_dir
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeckEditError(
            f"cannot make the deck folder {folder}: {os_error_text(exc, name=False)}"
        ) from None
    deck_file = create_deck_file(folder / f"{deck.id}.toml", deck)
    col.reload_library()
    return deck_file.path
