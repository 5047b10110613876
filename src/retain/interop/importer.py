"""Import any supported file into the user's deck folder: read, plan (diff), apply.

    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(path, Path(stage), limits)
        plan = plan_import(bundle, library, decks_dir)
        print(plan.diffs)               # what `--dry-run` shows
        apply_import(plan, decks_dir)   # media first, then each deck file atomically

Everything that can refuse (limits, damaged input, version downgrades, id
clashes) happens before the first write, so a refusal leaves nothing behind.
No deck file is written over the library's deck-file size limit (`MAX_DECK_BYTES`,
which every later read enforces): a `.toml` over it is refused before it is read,
and a deck whose file would be over it is refused before anything is written
(before its text is made when its card text alone is over it).

A deck in the file is the installed deck of the same id only when they share
at least one card id (card ids never change, so any upgrade or re-import of a
deck shares them). A deck whose id and card ids the reader made up (`Bundle.derived`: a
`.csv`'s deck, from its file name and fronts) shares them with any file of its name that
holds one of its fronts, so it is the installed deck only when the cards they share are more
than half of the file's cards or more than half of that deck's (`_versions`), and its import
never removes a card: the installed deck's cards the file does not hold stay in it, and the plan
says so (`_keep_unheld`). Otherwise the ids matched by chance (`Docker.md` and the
bundled `docker` deck, two people's `Spanish.csv`): the file's deck is imported beside it
under the first free id `ID-2`, `ID-3`, ... and the plan says so. An import never replaces a
deck it is not. A deck of an Anki file whose id is free or held by another deck is first looked
for by its Anki name (`_found_by_name`: an earlier version may have numbered it `japanese-3`).

A card that leaves one deck of the import for another deck of the same import (an Anki note
moved to another subdeck: its id, from the note's GUID, stays) is moved, as the browser's `m`
moves a card: `ImportPlan.moves` maps its old review units to its new ones, for
`progress_io.record_moves` to carry their progress after the history is recorded, and the
package's history of such a card is recorded under the key it was recorded under before (the
old deck's, side for side and cloze number for cloze number: a package's numbers are the ones
its cards were made with), so that what the journal holds of it is not recorded again.

A card the learner moved out of a deck of the import to a deck of their library outside it (the
browser's `m`) is left where they put it, neither added back nor moved back (`moved_away`): the
plan says so in one line per deck it is in, and the package's history of it counts for it there.

A card the learner added to a deck of an Anki package (or moved in from another deck) stays in it
when the package no longer gives it (`own_cards`, by the deck's `DECK.anki.json`): the plan says so.
A sidecar that is there but does not read keeps every card the package does not prove its own,
with a warning (in `bundle.warnings`, after the file's own).

A folder's dry run plans each file against the library as the files before it would have left it
(`plan_import`'s `library` and `simulated`: their decks and `sidecar_texts`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from retain.core.clock import DEFAULT_ROLLOVER_HOUR
from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.gcpause import gc_paused
from retain.core.mediaref import repoint_refs
from retain.core.model import Card, Deck, Problem
from retain.core.remap import card_move_keys
from retain.core.units import card_unit_keys
from retain.interop.anki.ankinote import anki_name
from retain.interop.anki.apkg_read import read_apkg
from retain.interop.ankikeep import keep_path, notetype_media, with_kept_cards
from retain.interop.bundle import Bundle, ChunkedReviews, Review
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import DEFAULT_LIMITS, Limits, mb
from retain.interop.media import media_dir, media_refusal, referenced_media, store_media
from retain.interop.moved_away import MovedAway, away_keys, moved_away, moved_lines, without_notes
from retain.interop.own_cards import keep_own, own_lines, with_own
from retain.interop.progress import ProgressFn, no_progress
from retain.interop.upgrade import DeckDiff, compare_versions, diff_decks, same_content
from retain.store.decks.deckcache import remember
from retain.store.decks.editlock import DeckLockTimeout, deck_edit_lock
from retain.store.decks.library import Library
from retain.store.files import MAX_DECK_BYTES, atomic_write
from retain.store.oserror import os_error_text

__all__ = [
    "IMPORT_SUFFIXES",
    "ImportPlan",
    "ImportStopped",
    "PlannedDeck",
    "apply_import",
    "count_line",
    "let_go",
    "plan_import",
    "read_file",
    "sidecar_texts",
    "stopped_line",
]

IMPORT_SUFFIXES = (".toml", ".apkg", ".csv", ".tsv", ".txt", ".md")


def read_file(
    path: Path,
    stage: Path,
    limits: Limits = DEFAULT_LIMITS,
    *,
    with_history: bool = False,
    progress: ProgressFn = no_progress,
    rollover_hour: int = DEFAULT_ROLLOVER_HOUR,
) -> Bundle:
    """Read one file by its extension; raises InteropError (LimitError) with a one-line message.

    `rollover_hour`: the hour the learner's study day begins, where an `.apkg`'s due days start."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise InteropError(f"{path}: not a regular file" if path.exists() else f"{path}: no such file")
    if suffix == ".toml":
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise InteropError(f"cannot read {path}: {os_error_text(exc, name=False)}") from None
        if size > MAX_DECK_BYTES:  # the library would not read it: refuse before reading it
            raise LimitError(f"file is {mb(size)}; {_split()}")
        from retain.interop.native import read_native  # (each reader imported when its file comes)

        return read_native(path, limits, with_history=with_history)
    if suffix == ".apkg":
        return read_apkg(
            path, stage, limits, with_history=with_history, progress=progress, rollover_hour=rollover_hour
        )
    if suffix in (".csv", ".tsv", ".txt", ".md"):
        if suffix == ".md":
            from retain.interop.markdown import read_markdown

            bundle = read_markdown(path, limits, stage)
        else:
            from retain.interop.anki.ankitext import read_anki_text

            bundle = read_anki_text(path, limits, progress)
        if with_history:
            bundle.warnings.append(
                f"a {suffix} file carries no review history (a .toml or .apkg export does)"
            )
        return bundle
    if suffix == ".colpkg":
        raise InteropError("a .colpkg is a whole Anki profile backup; export a deck as .apkg in Anki instead")
    raise InteropError(f"unknown file type {suffix or '(none)'}; use one of {', '.join(IMPORT_SUFFIXES)}")


def _split() -> str:
    return f"the deck-file size limit is {mb(MAX_DECK_BYTES)}: split it into smaller decks"


def _card_chars(deck: Deck) -> int:
    """Characters of card text: its file (each character is at least one byte) is at least this big."""
    return sum(len(c.front) + len(c.back) + len(c.text) + len(c.extra) for c in deck.cards)


def _check_size(deck_id: str, text: str) -> None:
    """LimitError when `text` would be a deck file over the library's deck-file size limit."""
    size = len(text) if text.isascii() else len(text.encode("utf-8"))
    if size > MAX_DECK_BYTES:
        raise LimitError(f"deck {deck_id!r} would be a {mb(size)} file; {_split()}")


@dataclass(slots=True)
class PlannedDeck:
    deck: Deck
    target: Path
    text: str
    diff: DeckDiff
    note: str = ""  # why the deck got another id than the file gives it, or ''
    written: Deck | None = None  # `text` read back as the library will read it
    problems: list[Problem] = field(default_factory=list)  # and what that reading said
    found: tuple[int, int] | None = None  # the target's size and mtime when planned (None: absent)
    # the file's cards the learner moved to a deck outside the import, left there (`moved_away`)
    away: list[MovedAway] = field(default_factory=list)
    # the installed deck's cards the package did not give it, kept in it (`own_cards`)
    own: list[Card] = field(default_factory=list)
    unread: str = ""  # the deck's `DECK.anki.json` when it did not read: `own` kept for that
    # the installed deck's cards a file without card ids does not hold, kept in it (`_keep_unheld`)
    kept: list[Card] = field(default_factory=list)
    media: tuple[str, ...] | None = None  # `ImportPlan.media_names`, once worked out

    def lines(self) -> list[str]:
        return ([self.note] if self.note else []) + self.diff.lines() + self.away_lines()

    def away_lines(self) -> list[str]:
        """The cards left as the learner has them: `  kept in 'mine', where you moved it: 1 card`,
        one per deck such cards are in, then `  kept, added by you here: 1 card`, or `  kept, not
        in this file: 1 card (...)`."""
        return moved_lines(self.away) + own_lines(self.own, self.unread) + unheld_lines(self.kept)


def unheld_lines(kept: list[Card]) -> list[str]:
    """`  kept, not in this file: 5 cards (a file without card ids never removes cards; ...)`,
    or nothing."""
    if not kept:
        return []
    n = len(kept)
    return [
        f"  kept, not in this file: {n} card{'s' * (n != 1)} "
        "(a file without card ids never removes cards; delete them in the browser)"
    ]


def count_line(deck: Deck) -> str:
    """`12 notes, 15 cards`: deck entries, and the review cards they make (as `due` counts them)."""
    cards = sum(len(card_unit_keys(deck.id, c)) for c in deck.cards)
    notes = len(deck.cards)
    return f"{notes} note{'s' * (notes != 1)}, {cards} card{'s' * (cards != 1)}"


@dataclass(slots=True)
class ImportPlan:
    bundle: Bundle
    decks: list[PlannedDeck] = field(default_factory=list)
    # old unit key -> new unit key: cards moved from one deck of the import to another
    moves: dict[str, str] = field(default_factory=dict)

    @property
    def diffs(self) -> list[DeckDiff]:
        return [d.diff for d in self.decks]

    def media_names(self, planned: PlannedDeck) -> list[str]:
        """The bundle's media files the import stores for `planned`, by name: those its cards show
        and the `_` files its kept Anki note types load (a font, a script: `notetype_media`).
        The write (`apply_import`), the dry run's count and the re-import memo all use these."""
        if planned.media is None:  # asked for by the write, the memo and the report: worked out once
            names = [*referenced_media(planned.deck), *notetype_media(self.bundle.keeps.get(planned.deck.id))]
            planned.media = tuple(name for name in dict.fromkeys(names) if name in self.bundle.media)
        return list(planned.media)


def _shared(old: Deck, new: Deck) -> tuple[int, int, int]:
    """(how many of the installed deck `old`'s card ids the file's deck `new` holds, of how many
    `old` holds, of how many `new` holds)."""
    ids = {c.id for c in new.cards}
    held = {c.id for c in old.cards}
    return len(held & ids), len(held), len(ids)


def _versions(shared: int, held: int, given: int, derived: bool) -> bool:
    """Whether an installed deck of `held` card ids, `shared` of them in a file's deck of `given`,
    is that deck. Ids an author gave (a `.toml`, an `.apkg`'s GUIDs, retain's own text export) are
    the deck's: one card in common is enough, a new version may drop most of the old one's cards.
    `derived` ids (`Bundle.derived`: made from a file name and the fronts) are shared by any two
    files of one name holding one front alike (`Spanish.csv`, `hola,hello`): the file is a version
    of the deck only when the cards they share are more than half of the file's or more than half
    of the deck's (the learner's own file after they added cards to its deck; a deck growing to
    any size, or losing or changing a few rows). Such an import never removes a card
    (`_keep_unheld`), so a few of the deck's rows in a small file only update those rows."""
    return (2 * shared > held or 2 * shared > given) if derived else shared > 0


def _same_deck(old: Deck, new: Deck, derived: bool = False) -> bool:
    if not old.cards:
        return True
    return _versions(*_shared(old, new), derived)


def _clash(old: Deck, new: Deck, origin: str) -> str:
    """`a different deck (Spanish, user)`, and when it shares cards with the file, how few."""
    shared, held, _given = _shared(old, new)
    some = (
        f": only {shared} of its {held} notes {'is' if shared == 1 else 'are'} in this file" if shared else ""
    )
    return f"a different deck ({old.name}, {origin}){some}"


def _free_id(
    deck: Deck, library: Library, decks_dir: Path, taken: set[str], derived: bool
) -> tuple[str, str]:
    """(id to import under, note): the deck's own id unless a *different* deck holds it."""
    n, candidate, clash, again = 1, deck.id, "", False
    while True:
        entry = library.entry(candidate)
        path = decks_dir / f"{candidate}.toml"
        if candidate not in taken:
            if entry is None and not path.exists():
                break
            if entry is not None and entry.deck is not None and _same_deck(entry.deck, deck, derived):
                again = True  # imported beside it before: that copy is updated
                break
        if not clash:
            if entry is not None and entry.deck is not None:
                clash = _clash(entry.deck, deck, entry.origin)
            else:
                clash = "a deck file that does not load"
        n += 1
        candidate = f"{deck.id[:58].rstrip('-')}-{n}"
    if candidate == deck.id:
        return candidate, ""
    if again:  # a re-import: not "importing as", which read as a third copy on the way
        return candidate, (
            f"updating {candidate!r}, where this deck was imported before: {deck.id!r} is taken by {clash}"
        )
    return candidate, f"deck id {deck.id!r} is taken by {clash}; importing as {candidate!r}"


# Formats whose deck ids come from Anki deck names (`Group::Name`), not from the file's author.
_ANKI_NAMED = frozenset({"apkg", "csv", "tsv", "txt"})


def _name_key(deck: Deck) -> str:
    """The deck's Anki name as Anki compares names: any case, blanks around `::` aside."""
    return "::".join(part.strip() for part in anki_name(deck).split("::")).casefold()


def _found_by_name(bundle: Bundle, library: Library) -> dict[str, str]:
    """The file's decks that are decks imported before under another id, found by their Anki
    name: id in the file -> id in the library. Ids come from names, and names that give one id
    were told apart by their place in the package by earlier versions (`japanese-3`), so a deck
    whose own id is free or holds another deck is the user's deck (not bundled, nor in a
    configured folder) of its Anki name (in any case) that it is a version of (`_versions`: it
    shares a card with it, or, the ids derived, most of its cards or of the file's), the one sharing
    most, unless the file has a deck of that id itself."""
    if bundle.format not in _ANKI_NAMED:
        return {}
    own = {d.id for d in bundle.decks}
    held: dict[str, list[Deck]] = {}
    for e in library.entries:
        if e.deck is not None and e.origin == "user" and e.deck.cards and e.deck.id not in own:
            held.setdefault(_name_key(e.deck), []).append(e.deck)
    out: dict[str, str] = {}
    for deck in bundle.decks:
        derived = deck.id in bundle.derived
        entry = library.entry(deck.id)
        if entry is not None and entry.deck is not None and _same_deck(entry.deck, deck, derived):
            continue  # at home under its own id
        shared = [(_shared(d, deck), d.id) for d in held.get(_name_key(deck), ())]
        best = sorted((-n, deck_id) for (n, of, mine), deck_id in shared if _versions(n, of, mine, derived))
        best = [(n, deck_id) for n, deck_id in best if deck_id not in out.values()]
        if best:
            out[deck.id] = best[0][1]
    return out


def _renamed_in_anki(
    bundle: Bundle, library: Library, decks_dir: Path, found: dict[str, str]
) -> dict[str, str]:
    """The package's decks that are decks imported before under another name (renamed in Anki),
    by id: id in the library. A deck's id comes from its name, its cards' ids from their notes'
    GUIDs, which Anki keeps through a rename: a deck new here by its id is the user's deck
    (not bundled, nor in a configured folder) holding most of its cards, of which it holds most,
    unless the package has a deck of that id itself. `found`: decks found by their name
    (`_found_by_name`), and where."""
    own = {d.id for d in bundle.decks} | set(found.values())
    new = [d for d in bundle.decks if d.cards and d.id not in found and library.entry(d.id) is None]
    new = [d for d in new if not (decks_dir / f"{d.id}.toml").exists()]
    if not new:
        return {}
    held = {
        e.deck.id: {c.id for c in e.deck.cards}
        for e in library.entries
        if e.deck is not None and e.origin == "user" and e.deck.cards and e.deck.id not in own
    }
    out: dict[str, str] = {}
    for deck in new:
        ids = {c.id for c in deck.cards}
        best, most = "", 0
        for deck_id, cards in held.items():
            shared = len(ids & cards) if len(cards) < 2 * len(ids) and len(ids) < 2 * len(cards) else 0
            if 2 * shared > len(ids) and 2 * shared > len(cards) and shared > most:
                best, most = deck_id, shared
        if best:
            out[deck.id] = best
            del held[best]  # (one package deck per library deck)
    return out


def _renamed(deck: Deck, new_id: str) -> Deck:
    """The deck under `new_id`, its image references re-pointed to `new_id.media/`
    (`core.mediaref.repoint_refs`)."""

    def fix(text: str) -> str:
        return repoint_refs(text, deck.id, new_id)

    cards: list[Card] = [
        replace(c, front=fix(c.front), back=fix(c.back), text=fix(c.text), extra=fix(c.extra))
        for c in deck.cards
    ]
    return replace(deck, id=new_id, cards=tuple(cards), path="")


def _target(deck: Deck, library: Library, decks_dir: Path) -> tuple[Path, Deck | None]:
    entry = library.entry(deck.id)
    if entry is not None and entry.origin == "user":
        return entry.path, entry.deck
    if entry is not None and entry.origin != "bundled":
        raise InteropError(
            f"deck {deck.id!r} already lives in {entry.path} (a configured deck folder); "
            "update it there, or remove it before importing"
        )
    target = decks_dir / f"{deck.id}.toml"
    if target.exists():
        other = next((e for e in library.entries if e.path == target), None)
        what = f"deck {other.deck.id!r}" if other and other.deck else "a deck file that does not load"
        raise InteropError(f"{target} already exists and holds {what}; move it away first")
    return target, entry.deck if entry is not None else None


def plan_import(
    bundle: Bundle,
    library: Library,
    decks_dir: Path,
    *,
    force: bool = False,
    simulated: Mapping[Path, str] | None = None,
) -> ImportPlan:
    """The plan of importing `bundle` into `library` (InteropError: refused). `simulated`: the
    `DECK.anki.json` texts a folder's dry run's earlier files would have written (`sidecar_texts`),
    read instead of the files there."""
    with gc_paused():  # each deck's text and its parse: many objects, no cycles to collect
        return _plan(bundle, library, decks_dir, force, simulated)


def sidecar_texts(plan: ImportPlan) -> dict[Path, str]:
    """The `DECK.anki.json` files the plan writes, by path: what they hold that a later import
    reads (the cards the package gave, their notes; `apply_import` may add SM-2 factors kept
    before, which no plan reads)."""
    return {
        keep_path(p.target.parent, p.deck.id): keep
        for p in plan.decks
        if (keep := plan.bundle.keeps.get(p.deck.id)) is not None
    }


def _plan(
    bundle: Bundle, library: Library, decks_dir: Path, force: bool, simulated: Mapping[Path, str] | None
) -> ImportPlan:
    if not bundle.decks or bundle.card_count == 0:
        raise InteropError("nothing to import: the file holds no cards")
    for deck in bundle.decks:  # a cheap bound first: no deck's text is made for a refused import
        chars = _card_chars(deck)
        if chars > MAX_DECK_BYTES:
            raise LimitError(f"deck {deck.id!r} has {chars:,} characters of card text; {_split()}")
    plan = ImportPlan(bundle)
    seen: set[str] = set()
    renames: dict[str, str] = {}
    installed: dict[str, Deck | None] = {}  # planned deck id -> the installed deck it updates
    derived: set[str] = set()  # planned deck ids whose deck and card ids the reader made up
    found = _found_by_name(bundle, library)
    moved = _renamed_in_anki(bundle, library, decks_dir, found) if bundle.format == "apkg" else {}
    claimed = set(found.values()) | set(moved.values())  # (no other deck of the file goes there)
    for deck in bundle.decks:
        if deck.id in seen:
            raise InteropError(f"the file holds deck id {deck.id!r} twice")
        seen.add(deck.id)
        if deck.id in found:
            new_id = found[deck.id]
            note = f"updating {new_id!r}, where this deck ({anki_name(deck)!r}) was imported before"
        elif deck.id in moved:
            new_id = moved[deck.id]
            note = f"updating {new_id!r}: the same cards, renamed in Anki to {anki_name(deck)!r}"
        else:
            taken = {p.deck.id for p in plan.decks} | claimed
            new_id, note = _free_id(deck, library, decks_dir, taken, deck.id in bundle.derived)
        if deck.id in bundle.derived:
            derived.add(new_id)
        if new_id != deck.id:
            renames[deck.id] = new_id
            bundle.texts.pop(deck.id, None)
            if deck.id in bundle.keeps:
                bundle.keeps[new_id] = bundle.keeps.pop(deck.id)
            deck = _renamed(deck, new_id)
        target, old = _target(deck, library, decks_dir)
        if old is not None and compare_versions(deck.version, old.version) < 0 and not force:
            raise InteropError(
                f"deck {deck.id!r}: the file has version {deck.version}, older than the installed "
                f"{old.version}; use --force to downgrade"
            )
        installed[deck.id] = old
        plan.decks.append(_planned(deck, target, bundle.texts.get(deck.id), old, note))
    given = {p.deck.id: [c.id for c in p.deck.cards] for p in plan.decks if bundle.format == "apkg"}
    away = _moved_away(plan, installed, library, simulated)
    if given:
        _keep_own(plan, installed, given, simulated)
    if derived:
        _keep_unheld(plan, installed, derived)
    plan.moves, back = _card_moves(plan.decks, installed)
    for planned in plan.decks:  # (refused before anything is written: `store_media` asks again)
        if why := media_refusal(media_dir(planned.target.parent, planned.deck.id), plan.media_names(planned)):
            raise InteropError(why)
    if renames or back or away:

        def rename(key: str) -> str:
            key = _new_key(key, renames)
            key = back.get(key, key)
            return away.get(key, key)

        if isinstance(bundle.reviews, ChunkedReviews):  # (renamed as its events are made)
            bundle.reviews = bundle.reviews.renamed(rename)
        else:
            bundle.reviews = [_rekey(r, rename) for r in bundle.reviews]
    return plan


def _planned(deck: Deck, target: Path, text: str | None, old: Deck | None, note: str) -> PlannedDeck:
    """The deck to write at `target` (`text`: the file's own, None: made from `deck`), read back
    as the library will read it; InteropError when it is too big or would not load."""
    text = text or deck_to_toml(deck)
    _check_size(deck.id, text)
    check = parse_deck(text, str(target))
    if check.deck is None or check.errors:
        raise InteropError(f"deck {deck.id!r} would not load after import: {check.errors[0]}")
    return PlannedDeck(
        deck, target, text, diff_decks(old, deck), note, check.deck, check.problems, _found(target)
    )


def _moved_away(
    plan: ImportPlan,
    installed: dict[str, Deck | None],
    library: Library,
    simulated: Mapping[Path, str] | None,
) -> dict[str, str]:
    """Leave the cards the learner moved out of a deck of the import to a deck outside it where
    they are (`moved_away`): out of the deck written, and of its kept Anki entries. Returns the
    unit keys the file's history of them is to be recorded under instead (old -> new)."""
    bundle = plan.bundle
    decks = ((p.deck, installed[p.deck.id]) for p in plan.decks)
    found = moved_away(decks, library, bundle.keeps, simulated)
    keys: dict[str, str] = {}
    for i, planned in enumerate(plan.decks):
        away = found.get(planned.deck.id)
        if not away:
            continue
        deck, ids = planned.deck, {m.card.id for m in away}
        deck = replace(deck, cards=tuple(c for c in deck.cards if c.id not in ids))
        bundle.texts.pop(deck.id, None)  # (the file's text holds them)
        keep = bundle.keeps.get(deck.id)
        if keep is not None:
            bundle.keeps[deck.id] = without_notes(keep, ids)
        plan.decks[i] = _planned(deck, planned.target, None, installed[deck.id], planned.note)
        plan.decks[i].found = planned.found
        plan.decks[i].away = away
        keys.update(away_keys(deck.id, away))
    return keys


def _keep_own(
    plan: ImportPlan,
    installed: dict[str, Deck | None],
    given: dict[str, list[str]],
    simulated: Mapping[Path, str] | None,
) -> None:
    """An Anki package's decks: the cards the learner added to an installed deck stay in the deck
    written (`own_cards`); each sidecar says which cards the package gave (`given`) its deck. A
    sidecar that did not read is a warning (`bundle.warnings`)."""
    decks = ((p.deck, installed[p.deck.id], p.target) for p in plan.decks)
    kept = keep_own(decks, given, plan.bundle.keeps, simulated)
    for i, planned in enumerate(plan.decks):
        found = kept.get(planned.deck.id)
        if found is None:
            continue
        deck = found.deck
        plan.bundle.texts.pop(deck.id, None)
        plan.decks[i] = _planned(deck, planned.target, None, installed[deck.id], planned.note)
        plan.decks[i].found, plan.decks[i].away = planned.found, planned.away
        plan.decks[i].own, plan.decks[i].unread = found.own, found.unread
        if found.unread:
            plan.bundle.warnings.append(found.warning())


def _keep_unheld(plan: ImportPlan, installed: dict[str, Deck | None], derived: set[str]) -> None:
    """A file without card ids (`derived`: a `.csv`, `.tsv`, `.txt` or `.md` whose ids the reader
    made from its name and fronts) never removes a card, as Anki's own import never deletes a
    note: the installed deck's cards its deck does not hold stay in the deck written, each where
    it was, with its id, text and progress (so the diff counts it unchanged, not removed), and the
    preview says so (`unheld_lines`). A card the file holds in another of its decks is moved there
    as the file has it (`_card_moves`), not kept in both."""
    held: dict[str, int] = {}  # card id -> how many decks of the import hold it
    for p in plan.decks:
        for card_id in {c.id for c in p.deck.cards}:
            held[card_id] = held.get(card_id, 0) + 1
    for i, planned in enumerate(plan.decks):
        old = installed[planned.deck.id]
        if planned.deck.id not in derived or old is None:
            continue
        here = {c.id for c in planned.deck.cards}
        kept = [c for c in old.cards if c.id not in here and c.id not in held]
        if not kept:
            continue
        deck = with_own(planned.deck, old, kept)
        plan.bundle.texts.pop(deck.id, None)  # (the file's text does not hold them)
        plan.decks[i] = _planned(deck, planned.target, None, old, planned.note)
        plan.decks[i].found, plan.decks[i].away = planned.found, planned.away
        plan.decks[i].own, plan.decks[i].unread = planned.own, planned.unread
        plan.decks[i].kept = kept


def _card_moves(
    planned: list[PlannedDeck], installed: dict[str, Deck | None]
) -> tuple[dict[str, str], dict[str, str]]:
    """(old unit key -> new unit key; new unit key -> old, each side and number the card had) of
    the cards that left one deck of the import for another (each diff then says so: a move, not
    a card added and one removed). Side for side and cloze number for cloze number, as an import that does not move
    a card keeps its numbers (a package's numbers are its cards' identity: Anki's never
    renumber); the second re-keys the package's history of a moved card to the deck it left,
    under the keys the journal has it under there. A card is moved only
    when it is sure: it left exactly one deck of the import, came into exactly one, and the
    import holds its id in no other deck (an id in two decks: which one is it? today's added
    and removed, its progress staying where it is)."""
    gone: dict[str, list[tuple[PlannedDeck, Card]]] = {}  # card id -> (deck it left, its card there)
    held: dict[str, int] = {}  # card id -> how many decks of the import hold it
    for p in planned:
        for card in p.deck.cards:
            held[card.id] = held.get(card.id, 0) + 1
        old = installed.get(p.deck.id)
        if old is not None and p.diff.removed:
            left = set(p.diff.removed)
            for card in old.cards:
                if card.id in left:
                    gone.setdefault(card.id, []).append((p, card))
    if not gone:
        return {}, {}
    came: dict[str, list[tuple[PlannedDeck, Card]]] = {}
    for p in planned:
        added = {card_id for card_id in p.diff.added if card_id in gone}
        for card in p.deck.cards if added else ():
            if card.id in added:
                came.setdefault(card.id, []).append((p, card))
    moves: dict[str, str] = {}
    back: dict[str, str] = {}
    for card_id, sources in gone.items():
        targets = came.get(card_id, [])
        if len(sources) != 1 or len(targets) != 1 or held.get(card_id) != 1:
            continue
        (source, base), (target, card) = sources[0], targets[0]
        source.diff.move_out(card_id, target.deck.id)
        edited = not same_content(_own_tags(installed[source.deck.id], base), _own_tags(target.deck, card))
        target.diff.move_in(card_id, source.deck.id, edited)
        moves.update(card_move_keys(source.deck.id, base, target.deck.id, card, renumber_clozes=False))
        for key in card_unit_keys(source.deck.id, base):  # (the sides and numbers the card had)
            back[f"{target.deck.id}/{key.partition('/')[2]}"] = key
    return moves, back


def _own_tags(deck: Deck | None, card: Card) -> Card:
    """The card with the tags it has in its deck (its own and those every card of the deck
    inherits): a card moved keeps its tags, whichever deck writes them."""
    tags = tuple(dict.fromkeys([*(deck.tags if deck is not None else ()), *card.tags]))
    return replace(card, tags=tuple(sorted(tags)))


_KEY = re.compile(r"^([^/]+)/")


def _rekey(review: Review, rename: Callable[[str], str]) -> Review:
    key = rename(review.key)
    return review if key == review.key else replace(review, key=key)


def _new_key(key: str, renames: dict[str, str]) -> str:
    m = _KEY.match(key)
    if m is None or m[1] not in renames:
        return key
    return renames[m[1]] + key[m.end() - 1 :]


def _holds(path: Path, text: str) -> bool:
    """The file holds exactly `text` (this plan wrote it before a failed write stopped it)."""
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def _found(path: Path) -> tuple[int, int] | None:
    """A deck file's size and modification time (ns); None when there is none."""
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns


def apply_import(
    plan: ImportPlan, decks_dir: Path, progress: ProgressFn = no_progress, cache_dir: Path | None = None
) -> int:
    """Write media, then each deck file atomically. Returns the number of media files written.

    With `cache_dir`, the deck cache learns each file as the plan read it, so the next
    load does not parse it again, and the whole check-then-write holds the deck-edit lock
    (`store.decks.editlock`): a `retain add` or an app save landing between the check that a
    deck is unchanged and its write would be overwritten.
    """
    if cache_dir is None:
        return _apply(plan, decks_dir, progress, None)
    try:
        with deck_edit_lock(cache_dir), gc_paused():  # the deck cache's columns: no cycles to collect
            return _apply(plan, decks_dir, progress, cache_dir)
    except DeckLockTimeout as exc:
        raise InteropError(str(exc)) from None


def _apply(plan: ImportPlan, decks_dir: Path, progress: ProgressFn, cache_dir: Path | None) -> int:
    for planned in plan.decks:  # all or nothing: a deck edited since the preview is never overwritten
        if _found(planned.target) != planned.found and not _holds(planned.target, planned.text):
            raise InteropError(
                f"{planned.target} changed since the import read it (an edit?); nothing was written, "
                "import again to compare with it"
            )
    written = 0
    for n, planned in enumerate(plan.decks, 1):
        try:
            names = plan.media_names(planned)
            written += store_media(planned.target.parent, planned.deck.id, names, plan.bundle.media)
            keep = plan.bundle.keeps.get(planned.deck.id)
            if keep is not None:
                kept_at = keep_path(planned.target.parent, planned.deck.id)
                if not plan.bundle.reviews:  # (no history: Anki's factors kept before stay)
                    keep = with_kept_cards(keep, kept_at)
                atomic_write(kept_at, keep)
            atomic_write(planned.target, planned.text, keep_hard_links=True)
        except OSError as exc:
            raise ImportStopped(exc, [d.deck.id for d in plan.decks[: n - 1]], len(plan.decks)) from None
        if cache_dir is not None and planned.written is not None:
            remember(planned.target, cache_dir, planned.text, planned.written, planned.problems)
        progress("write decks", n, len(plan.decks))
    return written


def _kept(done: list[str], total: int) -> str:
    """Which decks went in before an import stopped, in one clause."""
    if not done:
        return "no deck was written"
    shown = ", ".join(done[:3]) + (f" and {len(done) - 3} more" if len(done) > 3 else "")
    return f"{len(done)} of {total} decks were written before it stopped ({shown}) and are kept"


class ImportStopped(OSError):
    """A deck file could not be written (a full disk): says which decks went in before it."""

    def __init__(self, cause: OSError, done: list[str], total: int) -> None:
        super().__init__(f"{os_error_text(cause)}; {_kept(done, total)}; import again to finish")


def stopped_line(plan: ImportPlan) -> str:
    """What an import stopped while it wrote its deck files (Ctrl-C, SIGTERM, SIGHUP) left: the
    decks whose files hold what the plan wrote, read from the disk (each file is written whole
    or not; the signal may come after a file's rename, before its write returned)."""
    done = [d.deck.id for d in plan.decks if _holds(d.target, d.text)]
    kept = _kept(done, len(plan.decks))
    return kept if not done else f"{kept}; import again to finish"


def let_go(plan: ImportPlan) -> None:
    """Drop what only planning and writing needed (deck texts, read-back decks, kept Anki notes):
    the decks, targets, media, reviews and moves stay."""
    for planned in plan.decks:
        planned.text, planned.written, planned.problems = "", None, []
    plan.bundle.texts.clear()
    plan.bundle.keeps.clear()
