"""`retain add --deck ID --front T --back T [--kind K] [--tags a,b] [--new-deck]`: append a card for scripts.

A card that `retain check` would call an error, or one that gives no review
units (a cloze without a closed `{{c1::...}}`), is refused with the lines
`check` prints, and nothing is written. A deck is created only with
`--new-deck`, so a typo in `--deck` is an error rather than a new deck.
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

from retain.commands.output import err, out
from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.ids import make_card_id
from retain.core.model import KINDS, Card, Deck, Problem
from retain.core.units import expand_card
from retain.store.decks.deckedit import DeckEditError, DeckFile, create_deck_file
from retain.store.home import Home, open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deck", required=True, metavar="ID", help="deck id (see `retain due`)")
    parser.add_argument("--new-deck", action="store_true", help="create the deck if it does not exist yet")
    parser.add_argument("--front", default="", help="question (for cloze: the text with {{c1::...}})")
    parser.add_argument("--back", default="", help="answer (for typed: the exact expected answer)")
    parser.add_argument("--kind", default="basic", choices=KINDS, help="card kind (default: basic)")
    parser.add_argument("--tags", default="", help="comma-separated tags, like a,b")
    parser.add_argument("--extra", default="", help="extra text shown after the answer")
    parser.add_argument("--accept", default="", help="typed cards: comma-separated other answers")
    parser.add_argument("--id", default="", dest="card_id", help="card id (default: made from the front)")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _card(args: argparse.Namespace, taken: set[str]) -> Card:
    cloze = args.kind == "cloze"
    return Card(
        id=args.card_id or make_card_id(args.front, taken),
        kind=args.kind,
        front="" if cloze else args.front,
        back="" if cloze else args.back,
        text=args.front if cloze else "",
        extra=args.extra,
        accept=_split(args.accept),
        tags=_split(args.tags),
    )


def _problems(text: str, path: Path) -> list[Problem]:
    """What `check` says about the last card of `text`; its warnings become errors when it has no units."""
    result = parse_deck(text, str(path))
    deck = result.deck
    last = deck.cards[-1] if deck is not None and deck.cards else None
    start = last.line if last is not None else 0
    mine = [p for p in result.problems if p.line >= start and "format" not in p.message]
    units = expand_card(deck, last) if deck is not None and last is not None else []
    if units:
        return [p for p in mine if p.severity == "error"] + [p for p in mine if p.severity == "warning"]
    if not mine:
        mine = [Problem(str(path), max(1, start), 1, "the card gives no review units")]
    return [replace(p, severity="error") for p in mine]


def _target(home: Home, args: argparse.Namespace) -> DeckFile | Path:
    """The deck's file, or where a new deck's file goes (with --new-deck)."""
    from retain.store.decks.authoring import writable_deck_file

    if home.library().entry(args.deck) is not None:
        return writable_deck_file(home, args.deck)
    if not args.new_deck:
        raise DeckEditError(
            f"no deck {args.deck!r} (see `retain due` for the ids); add --new-deck to create it"
        )
    return home.paths.decks_dir / f"{args.deck}.toml"


def run(args: argparse.Namespace) -> int:
    from retain.core.ids import is_valid_id

    if not args.front.strip():
        err("retain add: --front must not be empty")
        return 2
    if not is_valid_id(args.deck):
        err(f"retain add: deck id {args.deck!r} is invalid: use lowercase letters, digits and '-'")
        return 2
    try:
        target = _target(open_home(), args)
        if isinstance(target, Path):
            if target.exists():
                raise DeckEditError(f"{target} exists but is broken; run `retain check {target}`")
            card = _card(args, set())
            deck = Deck(id=args.deck, name=args.deck, cards=(card,))
            text, path = deck_to_toml(deck), target
        else:
            taken = {c.id for c in target.deck().cards}
            card = _card(args, taken)
            if card.id in taken:
                raise DeckEditError(f"deck {args.deck!r} already has a card {card.id!r}")
            target.upsert(card)
            text, path = target.text, target.path
        problems = _problems(text, path)
        if any(p.severity == "error" for p in problems):
            for problem in problems:
                err(problem)
            err("retain add: not added; fix the card and run again")
            return 1
        if isinstance(target, Path):
            target.parent.mkdir(parents=True, exist_ok=True)
            create_deck_file(target, deck)
        else:
            target.save()
    except DeckEditError as exc:
        err(f"retain add: {exc}")
        return 1
    for problem in problems:
        err(problem)
    out(f"added {args.deck}/{card.id} to {path}")
    return 0
