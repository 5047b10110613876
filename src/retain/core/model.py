"""Deck content: the entries an author writes, and the review units they expand into."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "KINDS",
    "MAX_CLOZE_DIGITS",
    "Card",
    "Deck",
    "Kind",
    "Problem",
    "Unit",
    "anki_path",
    "decks_in_group",
    "decks_named",
    "decks_titled",
    "group_key",
    "group_label",
    "group_names",
    "group_title",
    "known_decks",
]

Kind = Literal["basic", "reversed", "cloze", "typed"]
KINDS: tuple[Kind, ...] = ("basic", "reversed", "cloze", "typed")
MAX_CLOZE_DIGITS = 4  # cloze numbers c1 .. c9999, in cards and in unit keys (`core.cloze.MAX_CLOZE`)


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding about a deck file: an error fails `retain check`, a warning does not."""

    path: str
    line: int
    col: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}"


@dataclass(frozen=True, slots=True)
class Card:
    """One `[[cards]]` entry of a deck file."""

    id: str
    kind: Kind = "basic"
    front: str = ""
    back: str = ""
    text: str = ""
    extra: str = ""
    accept: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    source: str = ""
    line: int = 0
    # typed cards' answer check (`core.answer`): "" is plain text
    match: str = ""
    pattern: str = ""
    accept_range: tuple[float, float] | None = None
    tolerance: float | None = None
    aliases: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Deck:
    """A parsed deck file."""

    id: str
    name: str
    cards: tuple[Card, ...] = ()
    group: str = ""
    description: str = ""
    version: str = ""
    authors: tuple[str, ...] = ()
    license: str = ""
    tags: tuple[str, ...] = ()
    format: int = 1
    path: str = ""


@dataclass(frozen=True, slots=True)
class Unit:
    """A schedulable review unit: `deck/card`, `deck/card:reverse` or `deck/card:cN`."""

    key: str
    deck_id: str
    card_id: str
    variant: str
    kind: Kind
    front: str
    back: str
    extra: str = ""
    accept: tuple[str, ...] = ()
    tags: tuple[str, ...] = field(default=())
    match: str = ""
    pattern: str = ""
    accept_range: tuple[float, float] | None = None
    tolerance: float | None = None
    aliases: tuple[tuple[str, str], ...] = ()

    @property
    def note_key(self) -> str:
        """Key shared by siblings (the reverse, or other clozes of one entry)."""
        return f"{self.deck_id}/{self.card_id}"


def group_names(decks: Sequence[Deck]) -> list[str]:
    """The groups of `decks`, sorted as the home screen lists them (one name per `group_key`):
    those a deck names, and those enclosing them (`Lang` of `Lang::Spanish`, as Anki nests decks)."""
    from retain.core.grouptree import GroupTree  # (it builds on this module)

    tree = GroupTree((d.id, d.group) for d in decks)
    return [tree.spelled[key] for key in sorted(tree.keys)]


def group_label(group: str) -> str:
    """A group's name as the deck list shows it: runs of spaces as one, none at the ends, in
    Unicode's composed form (NFC: `Cafe\u0301`, as a Mac writes names, is `Café`)."""
    label = " ".join(group.split())
    return label if label.isascii() else unicodedata.normalize("NFC", label)


def group_key(group: str) -> str:
    """A group's (or a deck's) name as compared: any case, runs of spaces as one, composed or
    not ("Ops", " ops ", "OPS"; "Café", "Cafe\u0301")."""
    return group_label(group).casefold()


def decks_named(decks: Sequence[Deck], ref: str) -> list[Deck]:
    """The decks a deck argument on the command line means: the deck with that id; else the decks
    of the group of that name; else the deck(s) with that name (`retain due` and the home screen
    show names, not ids), names in any case with runs of spaces as one. [] when none."""
    found = next((d for d in decks if d.id == ref), None)
    if found is not None:
        return [found]
    return decks_in_group(decks, ref) or decks_titled(decks, ref)


def decks_titled(decks: Sequence[Deck], name: str) -> list[Deck]:
    """The decks whose name is `name` (any case, runs of spaces as one), by id."""
    wanted = group_key(name)
    return sorted((d for d in decks if d.name and group_key(d.name) == wanted), key=lambda d: d.id)


def known_decks(decks: Sequence[Deck], limit: int = 12) -> str:
    """The decks a user can name, for a one-line error: `kafka (Apache Kafka), docker, ...`."""
    shown = [
        d.id if not d.name or d.name == d.id else f"{d.id} ({d.name})"
        for d in sorted(decks, key=lambda d: d.id)
    ]
    more = f" and {len(shown) - limit} more" if len(shown) > limit else ""
    return ", ".join(shown[:limit]) + more if shown else "none"


def anki_path(deck: Deck) -> str:
    """The deck's place in Anki's tree, as compared (`group_key`): `lang::spanish` for the deck
    "Spanish" of the group "Lang" (an Anki deck `Lang::Spanish` holding cards of its own)."""
    name = group_key(deck.name or deck.id)
    return f"{group_key(deck.group)}::{name}" if deck.group else name


def decks_in_group(decks: Sequence[Deck], group: str) -> list[Deck]:
    """The decks of `group` (its name in any case) and of the groups under it, as Anki nests
    them (`Lang::Spanish` is under `Lang`: an Anki parent deck holds its subdecks' cards), with
    the deck that is that group's parent in Anki (the deck "Spanish" of `Spanish::Verbs`: its
    own cards), in the home screen's order; [] when the group has no deck."""
    wanted = group_key(group)
    if not wanted:
        return []
    under = wanted + "::"

    def member(deck: Deck) -> bool:
        key = group_key(deck.group) if deck.group else ""
        return key == wanted or key.startswith(under)

    members = [d for d in decks if member(d)]
    if not members:
        return []
    members += [d for d in decks if anki_path(d) == wanted and d not in members]
    return sorted(members, key=lambda d: (group_key(d.group), (d.name or d.id).casefold()))


def group_title(decks: Sequence[Deck], group: str) -> str:
    """The group `group` names (`decks_in_group`), as the deck list spells it: as its own decks
    spell it, else as its parent deck's place in Anki's tree, else as typed (`Lang` holding only
    `Lang::French` and `Lang::Spanish` is "Lang")."""
    wanted = group_key(group)
    own = next((d.group for d in decks if d.group and group_key(d.group) == wanted), None)
    if own is not None:
        return group_label(own)
    parent = next((d for d in decks if anki_path(d) == wanted), None)
    if parent is not None:
        name = group_label(parent.name or parent.id)
        return f"{group_label(parent.group)}::{name}" if parent.group else name
    return group_label(group)
