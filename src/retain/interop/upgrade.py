"""Compare an incoming deck with the one already installed: added, changed and removed cards.

Cards are compared as the learner sees them: a card's tags are those it ends up with (the
deck's tags and its own), so a tag that moves between the deck and its cards (an import makes
the tags every note carries deck tags: one new note without it moves it back onto each card)
changes no card. Progress is keyed by card id, so an upgrade that keeps ids keeps the progress
of unchanged and edited cards; removed cards leave the queue and keep their
history in the journal. A card that leaves one deck of an import for another deck
of the same import (`importer`: an Anki note moved to another subdeck) is a move:
one `> id (from deck)` line in the deck it goes to, counted in both decks' heads.

An edited card can still lose review units: a cloze number gone, a reversed card made basic.
Each diff knows the unit keys its cards lose (`gone`, and a removed card's all); `mark_lost`
keeps those with progress (`lost`), and the lines name them on the card's line, with one
closing line: their progress no longer shows, the reviews stay in the journal (keyed by the
unit, they show again when a later version brings the unit back). Otherwise only a later
`retain check` told that an upgrade had dropped them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Container, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from retain.core.answer.spec import ANSWER_KEYS
from retain.core.model import Card, Deck
from retain.core.units import card_unit_keys

__all__ = [
    "DeckDiff",
    "compare_versions",
    "diff_decks",
    "effective_tags",
    "gone_keys",
    "mark_lost",
    "same_content",
]

_NAMED = 3  # lost unit keys a card's line names; the rest are counted

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
    # card id -> the unit keys the card had that this version takes away (a side or a cloze number
    # gone; a removed card's all): what `mark_lost` looks up in the progress
    gone: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # unit key -> its review count: the studied units this import leaves out (`mark_lost`); a moved
    # card's are in the diff of the deck it went to, under the keys it had in the deck it left
    lost: dict[str, int] = field(default_factory=dict)

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
        lost = self._lost_by_card()
        for mark, ids in (("+", self.added), ("~", self.changed), ("-", self.removed)):
            for card_id in ids[:limit]:
                keys = lost.get(f"{self.deck_id}/{card_id}")
                if not keys:
                    out.append(f"  {mark} {card_id}")
                elif mark == "-":  # (the whole card goes: said once)
                    out.append(f"  - {card_id} (studied)")
                else:
                    out.append(f"  {mark} {card_id} ({_lost_words(keys)})")
            if len(ids) > limit:
                out.append(f"  {mark} ... and {len(ids) - limit} more")
        moved = []
        for card_id, deck, edited in self.moved_in:
            said = [", changed" * edited]
            if keys := lost.get(f"{deck}/{card_id}"):
                said.append(f"; {_lost_words(keys)}")
            moved.append(f"  > {card_id} (from {deck}{''.join(said)})")
        out += moved[:limit]
        if len(moved) > limit:
            out.append(f"  > ... and {len(moved) - limit} more")
        if self.lost:
            out.append(_lost_line(len(self.lost), sum(self.lost.values())))
        return out

    def _lost_by_card(self) -> dict[str, list[str]]:
        """The lost unit keys by the `deck/card` they belong to, each card's in key order."""
        by_card: dict[str, list[str]] = defaultdict(list)
        for key in sorted(self.lost):
            by_card[key.partition(":")[0]].append(key)
        return by_card


def _lost_words(keys: list[str]) -> str:
    """`studied up/d:reverse no longer exists`, naming at most `_NAMED` keys."""
    named = ", ".join(keys[:_NAMED]) + (f" and {len(keys) - _NAMED} more" if len(keys) > _NAMED else "")
    return f"studied {named} no longer {'exists' if len(keys) == 1 else 'exist'}"


def _lost_line(units: int, reviews: int) -> str:
    """The closing line: how many studied units the import leaves out, and where their reviews are."""
    one = units == 1
    return (
        f"  {units} studied review unit{'' if one else 's'} ({reviews} review{'' if reviews == 1 else 's'}) "
        f"{'leaves' if one else 'leave'} the deck: {'its' if one else 'their'} progress no longer shows; "
        "the reviews stay in the journal, and it shows again if a later version brings "
        f"{'it' if one else 'them'} back"
    )


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
            now = set(card_unit_keys(new.id, card))
            if gone := tuple(k for k in card_unit_keys(old.id, prev) if k not in now):
                diff.gone[card.id] = gone
    diff.removed = [c.id for c in old.cards if c.id not in after_ids]
    left = set(diff.removed)
    diff.gone |= {c.id: tuple(card_unit_keys(old.id, c)) for c in old.cards if c.id in left}
    for key in ("name", "group", "description", "license", "authors"):
        if getattr(old, key) != getattr(new, key):
            diff.meta_changed.append(key)
    if _deck_tags_changed(old, new, kept):
        diff.meta_changed.append("tags")
    return diff


def gone_keys(diffs: Iterable[DeckDiff]) -> set[str]:
    """Every unit key the diffs' cards lose: the only keys `mark_lost` needs the progress of (an
    import that loses none never reads the progress)."""
    return {key for diff in diffs for keys in diff.gone.values() for key in keys}


def mark_lost(diffs: Sequence[DeckDiff], studied: Mapping[str, int], carried: Container[str] = ()) -> None:
    """Fill each diff's `lost`: the keys its cards lose (`gone`) that have progress (`studied`: unit
    key -> review count, new units left out) and that the import does not carry elsewhere
    (`carried`: the old keys of its card moves). A card moved to another deck of the import
    (`move_in`) has them in that deck's diff, where its line is."""
    went_to = {(deck, card_id): diff for diff in diffs for card_id, deck, _ in diff.moved_in}
    for diff in diffs:
        diff.lost.clear()
    for diff in diffs:
        for card_id, keys in diff.gone.items():
            lost = {k: studied[k] for k in keys if k in studied and k not in carried}
            if lost:
                went_to.get((diff.deck_id, card_id), diff).lost.update(lost)


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


def _pre_part(part: str) -> tuple[int, int, str]:
    """A pre-release identifier's sort key (SemVer 2.0.0 §11.4): one of ASCII digits only is a
    number, by its length then its digits, leading zeros dropped (no `int`, as `_part`); a number
    sorts before any other identifier, which compares as text (ASCII order: `rc.2` < `rc.10` <
    `rc.a`)."""
    if part.isascii() and part.isdigit():
        digits = part.lstrip("0")
        return 0, len(digits), digits
    return 1, 0, part


def _split(version: str) -> tuple[list[tuple[int, str, str]], tuple[object, ...]]:
    """(the release numbers' keys, the pre-release's key) of `version`: a leading `v` and the build
    metadata (`+...`, no part of precedence: §10) left out. A pre-release sorts before its release
    (`1.0.0-rc.1` < `1.0.0`), and its dot-separated identifiers compare one by one, a longer list
    after the shorter one it starts with (`alpha` < `alpha.1`: §11.4); `1.0.0-` has none."""
    core = version.strip().lstrip("vV").split("+", 1)[0]
    main, _, pre = core.partition("-")
    nums = [_part(p) for p in main.split(".") if p]
    return nums, ((0, tuple(_pre_part(p) for p in pre.split("."))) if pre else (1, ()))


def compare_versions(a: str, b: str) -> int:
    """-1, 0 or 1 comparing two deck versions by SemVer 2.0.0 precedence; 0 when either is empty.
    Lax versions compare too: missing release numbers are 0 (`1.0` = `1.0.0`), more than three
    count, and a release part that is no number sorts as text between 0 and 1 (`_part`)."""
    if not a or not b:
        return 0
    (nums_a, pre_a), (nums_b, pre_b) = _split(a), _split(b)
    width = max(len(nums_a), len(nums_b))
    zero = _part("0")
    ka = (*nums_a, *[zero] * (width - len(nums_a)), pre_a)
    kb = (*nums_b, *[zero] * (width - len(nums_b)), pre_b)
    return (ka > kb) - (ka < kb)
