"""`retain add --deck ID --front T --back T [--kind K] [--tags a,b]`: append a card for scripts."""

from __future__ import annotations

import argparse

from retain.commands.output import err, out
from retain.core.deckfile import parse_deck
from retain.core.ids import make_card_id
from retain.core.model import KINDS, Card
from retain.store.deckedit import DeckEditError
from retain.store.home import open_home

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deck", required=True, metavar="ID", help="deck id; created if it does not exist")
    parser.add_argument("--front", default="", help="question (for cloze: the text with {{c1::...}})")
    parser.add_argument("--back", default="", help="answer (for typed: the exact expected answer)")
    parser.add_argument("--kind", default="basic", choices=KINDS, help="card kind (default: basic)")
    parser.add_argument("--tags", default="", help="comma-separated tags, like a,b")
    parser.add_argument("--extra", default="", help="extra text shown after the answer")
    parser.add_argument("--accept", default="", help="typed cards: comma-separated other answers")
    parser.add_argument("--id", default="", dest="card_id", help="card id (default: made from the front)")


def _split(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def run(args: argparse.Namespace) -> int:
    from retain.store.authoring import writable_deck_file

    if not args.front.strip():
        err("retain add: --front must not be empty")
        return 2
    try:
        deck_file = writable_deck_file(open_home(), args.deck, create=True)
        taken = {c.id for c in deck_file.deck().cards}
        card_id = args.card_id or make_card_id(args.front, taken)
        cloze = args.kind == "cloze"
        card = Card(
            id=card_id,
            kind=args.kind,
            front="" if cloze else args.front,
            back="" if cloze else args.back,
            text=args.front if cloze else "",
            extra=args.extra,
            accept=_split(args.accept),
            tags=_split(args.tags),
        )
        if card_id in taken:
            raise DeckEditError(f"deck {args.deck!r} already has a card {card_id!r}")
        deck_file.upsert(card)
        result = parse_deck(deck_file.text, str(deck_file.path))
        problems = [
            p for p in result.problems if p.line >= (result.deck.cards[-1].line if result.deck else 0)
        ]
        deck_file.save()
    except DeckEditError as exc:
        err(f"retain add: {exc}")
        return 1
    for problem in problems:
        err(problem)
    out(f"added {args.deck}/{card_id} to {deck_file.path}")
    return 0
