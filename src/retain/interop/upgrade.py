"""Compare an incoming deck with the one already installed: added, changed and removed cards.

Cards are compared as the learner sees them: a card's tags are those it ends up with (the
deck's tags and its own), so a tag that moves between the deck and its cards (an import makes
the tags every note carries deck tags: one new note without it moves it back onto each card)
changes no card. Progress is keyed by card id, so an upgrade that keeps ids keeps the progress
of unchanged and edited cards; removed cards leave the queue and keep their
history in the journal. A card that leaves one deck of an import for another deck
of the same import (`importer`: an Anki note moved to another subdeck) is a move:
one `> id (from deck)` line in the deck it goes to, counted in both decks' heads.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from retain.core.answer.spec import ANSWER_KEYS
from retain.core.model import Card, Deck

__all__ = ["DeckDiff", "compare_versions", "diff_decks", "effective_tags", "same_content"]

_CONTENT = ("kind", "front", "back", "text", "extra", "accept", "tags", "source", *ANSWER_KEYS)


@dataclass(slots=True)
class DeckDiff:
    deck_id: str
    old_version: str
    new_version: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    meta_changed: list[str] = field(default_factory=list)
    moved_in: list[tuple[str, str, bool]] = field(default_factory=list)  # (card id, from deck, edited)
    moved_out: list[tuple[str, str]] = field(default_factory=list)  # (card id, to deck)

    @property
    def is_new(self) -> bool:
        return self.old_version == "" and not self.changed and not self.removed and not self.unchanged

    @property
    def empty(self) -> bool:
        return not (
            self.added or self.changed or self.removed or self.meta_changed or self.moved_in or self.moved_out
        )

    def move_in(self, card_id: str, from_deck: str, edited: bool) -> None:
        """The card came from `from_deck` of the same import: a move, not an added card."""
        self.added.remove(card_id)
        self.moved_in.append((card_id, from_deck, edited))

    def move_out(self, card_id: str, to_deck: str) -> None:
        """The card went to `to_deck` of the same import: a move, not a removed card."""
        self.removed.remove(card_id)
        self.moved_out.append((card_id, to_deck))

    def lines(self, limit: int = 20) -> list[str]:
        """Human-readable diff: a summary line, then `+ id`, `~ id`, `- id` lines (capped per kind)."""
        old = self.old_version or "?"
        new = self.new_version or "?"
        head = (
            f"deck {self.deck_id}: {old} -> {new}: "
            if self.old_version or self.new_version
            else f"deck {self.deck_id}: "
        )
        head += (
            f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
            f"{self.unchanged} unchanged"
        )
        if self.moved_in:
            head += f", {len(self.moved_in)} moved in"
        if self.moved_out:
            head += f", {len(self.moved_out)} moved out"
        out = [head]
        if self.meta_changed:
            out.append(f"  ~ deck fields: {', '.join(self.meta_changed)}")
        for mark, ids in (("+", self.added), ("~", self.changed), ("-", self.removed)):
            out += [f"  {mark} {card_id}" for card_id in ids[:limit]]
            if len(ids) > limit:
                out.append(f"  {mark} ... and {len(ids) - limit} more")
        moved = [
            f"  > {card_id} (from {deck}{', changed' * edited})" for card_id, deck, edited in self.moved_in
        ]
        out += moved[:limit]
        if len(moved) > limit:
            out.append(f"  > ... and {len(moved) - limit} more")
        return out


def same_content(a: Card, b: Card) -> bool:
    """The two cards read the same (their id and place aside)."""
    return _same(a, b)


def _same(a: Card, b: Card) -> bool:
    return all(getattr(a, k) == getattr(b, k) for k in _CONTENT)


def effective_tags(deck: Deck, card: Card) -> tuple[str, ...]:
    """The tags `card` carries in `deck` (the deck's and its own), sorted: where a tag is written,
    on the deck or on the card, and in which order, does not change what the learner has."""
    return tuple(sorted(set(deck.tags) | set(card.tags)))


def diff_decks(old: Deck | None, new: Deck) -> DeckDiff:
    if old is None:
        return DeckDiff(new.id, "", new.version, added=[c.id for c in new.cards])
    diff = DeckDiff(new.id, old.version, new.version)
    before = {c.id: c for c in old.cards}
    after_ids = {c.id for c in new.cards}
    kept: list[tuple[Card, Card]] = []
    for card in new.cards:
        prev = before.get(card.id)
        if prev is None:
            diff.added.append(card.id)
            continue
        kept.append((prev, card))
        if _same(
            replace(prev, tags=effective_tags(old, prev)), replace(card, tags=effective_tags(new, card))
        ):
            diff.unchanged += 1
        else:
            diff.changed.append(card.id)
    diff.removed = [c.id for c in old.cards if c.id not in after_ids]
    for key in ("name", "group", "description", "license", "authors"):
        if getattr(old, key) != getattr(new, key):
            diff.meta_changed.append(key)
    if _deck_tags_changed(old, new, kept):
        diff.meta_changed.append("tags")
    return diff


def _deck_tags_changed(old: Deck, new: Deck, kept: list[tuple[Card, Card]]) -> bool:
    """The deck's tags changed for all its cards: a tag the deck no longer has that no card kept
    (in both versions) carries now, or one it has now that no such card carried. A tag moved
    between the deck and its cards is no change, and one that some cards lost or gained is
    theirs (each such card is changed); with no card kept, any difference is one."""
    if set(old.tags) == set(new.tags):
        return False
    if not kept:
        return True
    dropped = set(old.tags) - set(new.tags)
    gained = set(new.tags) - set(old.tags)
    return any(all(t not in card.tags for _, card in kept) for t in dropped) or any(
        all(t not in prev.tags for prev, _ in kept) for t in gained
    )


def _part(part: str) -> tuple[int, str, str]:
    """A version part's sort key: a number (ASCII digits only: `isdigit` takes `²`) by its length
    then its digits, leading zeros dropped, so it needs no `int` (which refuses 4300 digits and
    more); a part that is no number sorts as text, after 0 and before 1 (`1.0` < `1.a` < `1.1`)."""
    if part.isascii() and part.isdigit():
        digits = part.lstrip("0")
        return len(digits), digits, ""
    return 0, "", part


def _key(version: str, width: int) -> tuple[object, ...]:
    core = version.strip().lstrip("vV").split("+", 1)[0]
    main, _, pre = core.partition("-")
    nums = [_part(p) for p in main.split(".") if p]
    nums += [_part("0")] * (width - len(nums))
    # a pre-release sorts before its release: "1.0.0-rc1" < "1.0.0"
    return (*nums, (0, pre) if pre else (1, ""))


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 comparing two semver-ish versions; 0 when either is empty."""
    if not a or not b:
        return 0
    width = max(a.count("."), b.count(".")) + 1
    ka, kb = _key(a, width), _key(b, width)
    return (ka > kb) - (ka < kb)
