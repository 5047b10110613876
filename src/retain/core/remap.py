"""Carry progress across an edit: which old review units live on under which new keys."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from retain.core.cloze import deletions
from retain.core.model import Card, Deck, Problem
from retain.core.units import card_unit_keys

__all__ = ["card_move_keys", "orphaned_progress", "unit_key_moves"]


def _answers(text: str) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    for d in deletions(text):
        if d.number > 0:
            found.setdefault(d.number, []).append(" ".join(d.answer.lower().split()))
    return {n: "\x1f".join(sorted(a)) for n, a in found.items()}  # (its deletions in any order)


def _by_answer(answers: dict[int, str]) -> dict[str, list[int]]:
    grouped: dict[str, list[int]] = defaultdict(list)
    for n, answer in answers.items():
        grouped[answer].append(n)
    return grouped


def _renumbered(before: dict[int, str], after: dict[int, str]) -> dict[int, int]:
    """Old number -> new number, for deletions whose answer now sits under another number.

    A number with the same answer before and after stays put and takes part in no
    move (two deletions may share an answer: `{{c1::Paris}} .. {{c2::Paris}}`).
    The rest are paired by answer only when the pairing is unambiguous: one old and
    one new number with that answer. So no two old numbers ever land on one new one.
    """
    kept = {n for n, answer in before.items() if after.get(n) == answer}
    old = _by_answer({n: a for n, a in before.items() if n not in kept})
    new = _by_answer({n: a for n, a in after.items() if n not in kept})
    pairs: dict[int, int] = {}
    for answer, sources in old.items():
        targets = new.get(answer, [])
        if len(sources) == 1 and len(targets) == 1 and sources[0] != targets[0]:
            pairs[sources[0]] = targets[0]
    return pairs


def unit_key_moves(deck_id: str, old: Card, new: Card) -> dict[str, str]:
    """Old unit key -> new unit key, for units whose identity moved in the edit.

    Clozes are matched by their answer text, so renumbering `{{c2::x}}` to
    `{{c1::x}}` (say, after deleting c1) moves c2's progress to c1. A number whose
    answer is unchanged keeps its key and is neither moved nor moved onto. A cloze
    whose answer was reworded keeps its progress when its number survives. Moves
    may swap keys, so apply them all from the states read before any is written.
    """
    if old.kind != "cloze" or new.kind != "cloze" or old.id != new.id:
        return {}
    base = f"{deck_id}/{new.id}"
    pairs = _renumbered(_answers(old.text), _answers(new.text))
    return {f"{base}:c{n}": f"{base}:c{m}" for n, m in pairs.items()}


_SHOWN = 5  # ids a warning names; the rest are counted


def card_move_keys(
    old_deck: str, base: Card, new_deck: str, card: Card, *, renumber_clozes: bool = True
) -> dict[str, str]:
    """Old unit key -> new unit key of a card moved to another deck (or id): each side to the same
    side at the new place, then a renumbered cloze to its new number (the browser's `m`, the
    editor's deck field). As in `unit_key_moves`, no two old keys land on one new key: a number
    another deletion was renumbered onto (`{{c1::a}} {{c2::b}}` -> `a {{c1::b}}`: c2's) takes
    that one's progress only, and the old number's (a deletion gone) moves nowhere.
    `renumber_clozes=False` (an import that moved a card between decks of one package): number
    for number, as an import that does not move the card keeps its numbers (a package's numbers
    are its cards' identity: Anki's never renumber)."""
    renumber = unit_key_moves(new_deck, replace(base, id=card.id), card) if renumber_clozes else {}
    taken = set(renumber.values()) - set(renumber)  # numbers another deletion now holds
    new_keys = set(card_unit_keys(new_deck, card))
    moves: dict[str, str] = {}
    for old in card_unit_keys(old_deck, base):
        variant = old.partition(":")[2]
        moved = f"{new_deck}/{card.id}" + (f":{variant}" if variant else "")
        if moved in taken:
            continue
        final = renumber.get(moved, moved)
        if final in new_keys and final != old:
            moves[old] = final
    return moves


def _names(items: Sequence[str]) -> str:
    shown = ", ".join(repr(i) for i in items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _reviews(studied: Mapping[str, int], keys: Iterable[str]) -> str:
    n = sum(studied[k] for k in keys)
    return f"{n} review{'s' if n != 1 else ''}"


def orphaned_progress(
    decks: Sequence[Deck], keys: Iterable[str], studied: Mapping[str, int]
) -> list[Problem]:
    """Warnings for studied review units a hand edit left out of the decks, on the files in `decks`.

    `keys` are the unit keys of the whole library now; `studied` maps every unit key with progress
    (not new) to its review count. A studied key that no unit has any more is orphaned: its
    progress no longer shows (the reviews stay in the journal, and come back with the key). Said:
    a card whose side is gone (a cloze number removed or renumbered, a kind changed); a card gone
    from its deck (an id renamed, duplicated or deleted); a card whose id another deck now holds,
    with no progress of its own (moved by hand, or its deck's id changed).
    """
    present = set(keys)
    cards_now = {k.partition(":")[0] for k in present}
    deck_ids_now = {c.partition("/")[0] for c in cards_now} | {d.id for d in decks}
    studied_cards = {k.partition(":")[0] for k in studied}
    sides_gone: dict[tuple[str, str], list[str]] = defaultdict(list)  # (deck, card) -> its keys
    cards_gone: dict[str, list[str]] = defaultdict(list)  # deck -> card ids
    gone_keys: dict[str, list[str]] = defaultdict(list)  # "deck/card" -> its orphaned keys
    for key in sorted(k for k in studied if k not in present):
        base = key.partition(":")[0]
        deck_id, _, card_id = base.partition("/")
        gone_keys[base].append(key)
        if base in cards_now:
            sides_gone[(deck_id, card_id)].append(key)
        elif not gone_keys[base][1:]:
            cards_gone[deck_id].append(card_id)
    problems: list[Problem] = []
    for deck in decks:
        where = deck.path or deck.id
        by_id = {c.id: c for c in deck.cards}
        for (deck_id, card_id), lost in sides_gone.items():
            card = by_id.get(card_id)
            if deck_id != deck.id or card is None:
                continue
            problems.append(
                Problem(
                    where,
                    card.line or 1,
                    1,
                    f"card {card_id!r}: studied {_names(lost)} ({_reviews(studied, lost)}) no longer "
                    "exists (a cloze number removed or renumbered, or the kind changed), so its "
                    "progress no longer shows; undo that change to keep it (the app's editor, e, "
                    "carries progress across renumbered clozes); the reviews stay in the journal",
                    "warning",
                )
            )
        moved_here: dict[str, list[str]] = defaultdict(list)  # old deck -> its card ids this deck holds
        for old_deck, card_ids in cards_gone.items():
            if old_deck == deck.id:
                continue
            for card_id in card_ids:
                if card_id in by_id and f"{deck.id}/{card_id}" not in studied_cards:
                    moved_here[old_deck].append(card_id)
        for old_deck, card_ids in sorted(moved_here.items()):
            lost = [k for c in card_ids for k in gone_keys[f"{old_deck}/{c}"]]
            what = (
                f"deck {old_deck!r}, which no deck file has now"
                if old_deck not in deck_ids_now
                else f"deck {old_deck!r}"
            )
            fix = (
                f"if this deck's id was changed from {old_deck!r}, put it back (a deck id never "
                "changes); a card moved by hand starts over: move it with m in the browser instead"
                if old_deck not in deck_ids_now
                else f"a card moved here by hand starts over: put it back in {old_deck!r} and move it "
                "with m in the browser instead"
            )
            first = min(by_id[c].line or 1 for c in card_ids)
            problems.append(
                Problem(
                    where,
                    first if len(card_ids) == 1 else 1,
                    1,
                    f"{len(card_ids)} card id(s) of this deck, {_names(card_ids)}, have progress "
                    f"({_reviews(studied, lost)}) in {what}, not here: {fix}",
                    "warning",
                )
            )
        mine = cards_gone.get(deck.id, [])
        if mine:
            lost = [k for c in mine for k in gone_keys[f"{deck.id}/{c}"]]
            problems.append(
                Problem(
                    where,
                    1,
                    1,
                    f"{len(mine)} studied card id(s) no longer in this deck: {_names(mine)} "
                    f"({_reviews(studied, lost)}), so their progress no longer shows: a renamed id "
                    "starts over, put the old id back to keep it (a card deleted on purpose needs "
                    "nothing); the reviews stay in the journal",
                    "warning",
                )
            )
    return problems
