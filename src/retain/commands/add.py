"""`retain add --deck ID --front T --back T [--kind K] [--tags a,b] [--new-deck]`: append a card for scripts.

`--accept` gives a typed card's other accepted answers, one per flag, each whole
(`add_options.accepted`: a comma is part of an answer, as in `1,000`).
Typed cards take the answer-check keys too: `--match set|command|number|regex`
(which makes the card typed), `--pattern`, `--accept-range LOW,HIGH`,
`--tolerance N` and `--alias FROM=TO` (repeatable). Each of the last four is
refused (exit 2) unless --match names a mode that uses it: the rule of
`retain check`'s "is only used with match = ..." warning, which would follow
the card for ever.

A value of one of these options that the deck loader would refuse
(`spec.read_keys`: a negative tolerance, a range high before low, one alias
name given two meanings; a `--pattern` that does not compile, or none for
`--match regex`), like an empty `--id`, is a usage error: one line,
exit 2. A card that `retain check` would call an error, or one that gives no
review units (a cloze without a closed `{{c1::...}}`), is refused with the
lines `check` prints, and nothing is written: a bundled deck is copied into
the deck folder only once its card is taken (`_Bundled`). A card added is followed by every
warning `check` now gives about it (`_check_warnings`): the parser's, the
author lint's, the media check's, and a card of another deck asking the same.
A deck is created only with `--new-deck`, so a typo in `--deck` is an error
rather than a new deck.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
from dataclasses import replace
from pathlib import Path

from retain.commands.add_options import BadArgs, accepted, answer_keys, refuse_unused, split_list
from retain.commands.output import err, report
from retain.core.answer.spec import MATCHES
from retain.core.deckfile import ParseResult, card_header_lines, parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.ids import make_card_id
from retain.core.lint import lint_deck, lint_library
from retain.core.model import KINDS, Card, Deck, Kind, Problem, known_decks
from retain.core.tomlsafe import loads_safe
from retain.core.units import expand_card
from retain.store.decks.deckcache import remember
from retain.store.decks.deckedit import DeckEditError, DeckFile, create_deck_file
from retain.store.decks.editlock import DeckLockTimeout, deck_edit_lock
from retain.store.decks.library import Library
from retain.store.home import Home, open_home
from retain.store.lintspots import placed
from retain.store.media import file_media_problems

__all__ = ["add_arguments", "run"]

_CARDS_KEY_RE = re.compile(r"[ \t]*(?:cards|\"cards\"|'cards')[ \t]*=")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--deck", required=True, metavar="ID", help="deck id (see `retain due`)")
    parser.add_argument("--new-deck", action="store_true", help="create the deck if it does not exist yet")
    parser.add_argument("--front", default="", help="question (for cloze: the text with {{c1::...}})")
    parser.add_argument("--back", default="", help="answer (for typed: the exact expected answer)")
    parser.add_argument("--kind", default="basic", choices=KINDS, help="card kind (default: basic)")
    parser.add_argument("--tags", default="", help="comma-separated tags, like a,b")
    parser.add_argument("--extra", default="", help="extra text shown after the answer")
    parser.add_argument(
        "--accept",
        action="append",
        default=[],
        metavar="ANSWER",
        help="typed cards: another accepted answer, whole (repeat for more: --accept A --accept B)",
    )
    parser.add_argument("--id", dest="card_id", help="card id (default: made from the front)")
    parser.add_argument("--match", default="", choices=MATCHES, help="typed cards: how the answer is checked")
    parser.add_argument("--pattern", default="", help="--match regex: the pattern (RE2, fully anchored)")
    # (no default: `--tolerance ""`, a script's unset "$N", is a bad value, not the option left out)
    parser.add_argument("--accept-range", metavar="LOW,HIGH", help="--match number: accepted range")
    parser.add_argument("--tolerance", metavar="N", help="--match number: accepted ± around the back")
    parser.add_argument(
        "--alias",
        action="append",
        default=[],
        metavar="FROM=TO",
        help="set/command/number: another spelling (write --alias=-n=--namespace for flags)",
    )


class _NoDeck(DeckEditError):
    """--deck names no deck, and --new-deck is not given."""


def _card(args: argparse.Namespace, taken: set[str]) -> Card:
    cloze = args.kind == "cloze"
    kind: Kind = "typed" if args.match and args.kind == "basic" else args.kind
    return Card(
        id=args.card_id or make_card_id(args.front, taken),
        kind=kind,
        front="" if cloze else args.front,
        back="" if cloze else args.back,
        text=args.front if cloze else "",
        extra=args.extra,
        accept=accepted(args),
        tags=split_list(args.tags),
        **answer_keys(args),
    )


def _card_lines(text: str, card_id: str, deck: Deck | None) -> tuple[int, int | None] | None:
    """The lines of the `[[cards]]` table holding card `card_id` (None: no such table to find):
    the line `deck` (the text's) gives the card when it holds it, else the text read again (a
    card with an error is left out of the deck)."""
    found = next((c for c in deck.cards if c.id == card_id), None) if deck is not None else None
    if found is not None:
        headers = card_header_lines(text)
        if found.line in headers:
            at = headers.index(found.line)
            return found.line, headers[at + 1] - 1 if at + 1 < len(headers) else None
    data = loads_safe(text)
    raw = data.get("cards") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return None
    index = next((i for i, c in enumerate(raw) if isinstance(c, dict) and c.get("id") == card_id), None)
    headers = card_header_lines(text)
    if index is None or len(headers) != len(raw):
        return None  # (cards in an inline `cards = [...]` array have no lines of their own)
    return headers[index], headers[index + 1] - 1 if index + 1 < len(headers) else None


def _alone(card: Card, path: Path, line: int) -> list[Problem]:
    """The card's own problems, checked in a deck of its own, put at `line` of the real file."""
    result = parse_deck(deck_to_toml(Deck(id="x", name="x", cards=(card,))), str(path))
    return [replace(p, line=line, col=1) for p in result.problems]


def _problems(text: str, path: Path, card: Card, result: ParseResult) -> list[Problem]:
    """What `check` says about `card` in `text`; its warnings become errors when it has no units.

    The card's problems are those within its table's lines: never another card's (a card
    with an error is left out of the deck, so the deck's last card may be an older one).
    In an inline `cards = [...]` array, where cards have no lines of their own, they are
    those naming the card; when the text does not even parse, the card's own, checked alone.
    `result` is `parse_deck(text, str(path))`.
    """
    deck = result.deck
    lines = _card_lines(text, card.id, deck)
    if lines is not None:
        start, end = lines
        mine = [p for p in result.problems if p.line >= start and (end is None or p.line <= end)]
    else:
        start = next((n for n, line in enumerate(text.split("\n"), 1) if _CARDS_KEY_RE.match(line)), 1)
        mine = [p for p in result.problems if repr(card.id) in p.message]
        if deck is None:
            mine = _alone(card, path, start)
    found = next((c for c in deck.cards if c.id == card.id), None) if deck is not None else None
    units = expand_card(deck, found) if deck is not None and found is not None else []
    if units:
        return [p for p in mine if p.severity == "error"] + [p for p in mine if p.severity == "warning"]
    if not mine:
        mine = [Problem(str(path), start, 1, "the card gives no review units")]
    return [replace(p, severity="error") for p in mine]


def _check_warnings(home: Home, deck_id: str, card_id: str, problems: list[Problem]) -> list[Problem]:
    """`problems` (the parser's about the card just saved) with what `retain check` adds about
    it, read back from the library as `check` reads it, in the order `check` prints them: the
    author lint and the media check at the card's line (`check`'s own calls, on the card alone),
    and a card of another deck with the same question (said on the new card, or on the older
    card, naming the new one)."""
    library = home.library()
    entry = library.entry(deck_id)
    deck = entry.deck if entry is not None else None
    card = next((c for c in deck.cards if c.id == card_id), None) if deck is not None else None
    if deck is None or card is None:  # (the file changed under the add: nothing more to say of it)
        return problems
    alone = replace(deck, cards=(card,))
    named, own = f" duplicates card {deck_id}/{card_id}", f"{card_id!r} duplicates card "
    decks = [e.deck for e in library.entries if e.deck is not None]
    duplicates = [
        p
        for p in lint_library(decks)
        if p.message.endswith(named)
        or (p.path == alone.path and p.line == card.line and p.message.startswith(own))
    ]
    found = [*problems, *placed([*lint_deck(alone), *duplicates]), *file_media_problems(alone)]
    order = {str(e.path): n for n, e in enumerate(library.entries)}
    return sorted(found, key=lambda p: (order.get(p.path, -1), p.line, p.col))


def _same_path(a: Path, b: Path) -> bool:
    if os.path.abspath(a) == os.path.abspath(b):
        return True
    try:
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a link loop
        return False


def _broken_file_line(library: Library, target: Path, deck_id: str) -> str | None:
    """The shared line of `broken_deck_line` for the file `target` (`decks/ID.toml`) when it is
    a deck file that does not load (a typo, a broken link): that file named before any other
    broken file the id could mean. None: it is no broken deck file."""
    from retain.commands.deckref import broken_deck_line

    mine = [e for e in library.broken if _same_path(e.path, target)]
    if not mine:
        return None
    others = [e for e in library.broken if all(e is not m for m in mine)]
    return broken_deck_line([*mine, *others], deck_id)


class _Bundled(DeckFile):
    """A bundled deck's text at the path its copy in the deck folder would have, never saved:
    the card is checked in it, and the deck is copied (`writable_deck_file`) only once the card
    is taken, so a refused card leaves no copy behind (the copy replaces the bundled deck)."""

    __slots__ = ()

    @classmethod
    def of(cls, bundled: Path, target: Path) -> _Bundled:
        read = DeckFile.load(bundled)
        return cls(target, read.text, read.digest)

    def save(self) -> None:  # pragma: no cover (a guard: the copy is saved, never this)
        raise DeckEditError(f"{self.path}: the bundled deck is not copied yet")


def _target(home: Home, args: argparse.Namespace) -> DeckFile | Path:
    """The deck's file, or where a new deck's file goes (with --new-deck); a bundled deck's
    text where its copy would go (`_Bundled`), copied only when the card is added.

    A deck whose file does not load is exit 2 with the line every command that takes a deck
    gives (`_NoDeck`), with --new-deck too: `decks/ID.toml` broken, or the user's copy of a
    bundled deck broken, or another file whose `[deck]` says `id = "ID"`."""
    from retain.commands.deckref import broken_deck, broken_deck_line
    from retain.store.decks.authoring import taken_file_message, writable_deck_file

    library = home.library(cards=False)  # (which deck and file: its cards are read from the file)
    target = home.paths.decks_dir / f"{args.deck}.toml"
    entry = library.entry(args.deck)
    if os.path.lexists(target) and (entry is None or entry.origin == "bundled"):
        # its file is there but gives no deck (a bundled deck's: the copy a card would go into)
        if (line := _broken_file_line(library, target, args.deck)) is not None:
            raise _NoDeck(line)
        if entry is None and not args.new_deck:  # no such deck: what is in its place, said
            raise _NoDeck(f"no deck {args.deck!r}: {taken_file_message(library, target, args.deck)}")
    if entry is not None and entry.origin == "bundled":
        if os.path.lexists(target):  # (as `writable_deck_file` says it, when it would copy)
            raise DeckEditError(taken_file_message(library, target, args.deck))
        return _Bundled.of(Path(entry.path), target)
    if entry is not None:
        return writable_deck_file(home, args.deck)
    if os.path.lexists(target):
        raise DeckEditError(taken_file_message(library, target, args.deck))
    found = broken_deck(library.broken, args.deck)
    if found is not None and (not args.new_deck or found[1] <= 1):  # (its file, or its id: the same deck)
        raise _NoDeck(broken_deck_line(library.broken, args.deck) or "")
    if not args.new_deck:
        raise _NoDeck(
            f"no deck {args.deck!r} (decks: {known_decks(list(library.decks))}); add --new-deck to create it"
        )
    return target


def _upsert(target: DeckFile, args: argparse.Namespace) -> Card:
    """The new card, put in `target`'s text (not saved)."""
    taken = {c.id for c in target.deck().cards} | target.written_ids()
    card = _card(args, taken)
    if card.id in taken:
        raise DeckEditError(f"deck {args.deck!r} already has a card {card.id!r}")
    target.upsert(card)
    return card


def _refused(text: str, path: Path, card: Card) -> tuple[ParseResult, list[Problem]] | None:
    """The parse of `text` and `check`'s problems about `card` in it; None, with them said, when
    one is an error."""
    result = parse_deck(text, str(path))
    problems = _problems(text, path, card, result)
    if any(p.severity == "error" for p in problems):
        for problem in problems:
            err(problem)
        return None
    return result, problems


def _save_copy(
    home: Home, args: argparse.Namespace
) -> tuple[DeckFile, Card, ParseResult, list[Problem]] | None:
    """The bundled deck copied into the deck folder with the card saved in it, checked again in
    the copy; the copy taken away again when the card is not saved (None: refused, said)."""
    from retain.store.decks.authoring import writable_deck_file

    copy = writable_deck_file(home, args.deck)
    try:
        card = _upsert(copy, args)
        checked = _refused(copy.text, copy.path, card)
        if checked is not None:
            copy.save()
            return copy, card, *checked
    except BaseException:
        _drop(copy)
        raise
    _drop(copy)
    return None


def _drop(copy: DeckFile) -> None:
    """Remove the copy of a bundled deck just made, unless it changed since (someone's edit)."""
    if not copy.changed_on_disk():
        with contextlib.suppress(OSError):
            os.unlink(copy.path)


def _add(home: Home, args: argparse.Namespace) -> tuple[Card, Path, list[Problem], str] | None:
    """Add the card to its deck's file (or a new deck's); None, with the problems said, when
    `check` would call the card an error: then nothing is written (a bundled deck is not
    copied). Last: what else the save wrote ("" or a clause)."""
    target = _target(home, args)
    note = ""
    if isinstance(target, Path):
        card = _card(args, set())
        deck = Deck(id=args.deck, name=args.deck, cards=(card,))
        text, path = deck_to_toml(deck), target
    else:
        card = _upsert(target, args)
        text, path = target.text, target.path
    checked = _refused(text, path, card)
    if checked is None:
        return None
    result, problems = checked
    if isinstance(target, Path):
        target.parent.mkdir(parents=True, exist_ok=True)
        create_deck_file(target, deck)
    else:
        if isinstance(target, _Bundled):  # the card is taken: now the deck is copied, with it
            saved = _save_copy(home, args)
            if saved is None:
                return None
            target, card, result, problems = saved
            text = target.text
        else:
            target.save()
        # the next load of the library (the warnings below, the next `retain add`, the app)
        # takes the deck from the cache, not from a parse of the whole file again
        remember(path, home.paths.cache_dir, text, result.deck, result.problems, result.left_out)
        if target.ids_given:  # cards written by hand without an id got theirs, as `check --fix` gives
            given = target.ids_given
            cards = "1 card" if given == 1 else f"{given} cards"
            note = f"; also gave {cards} without an id {'its id' if given == 1 else 'their ids'}"
    return card, path, _check_warnings(home, args.deck, card.id, problems), note


def _deck_id_of_name(home: Home, name: str) -> str:
    """The id of the one deck named `name` (any case, runs of spaces as one); else `name` itself."""
    from retain.core.model import decks_titled

    named = decks_titled(list(home.library(cards=False).decks), name)
    return named[0].id if len(named) == 1 else name


def run(args: argparse.Namespace) -> int:
    from retain.core.ids import is_valid_id

    if not args.front.strip():
        err("retain add: --front must not be empty")
        return 2
    if args.kind in ("basic", "reversed") and not args.match and not args.back.strip():
        # `check` only warns about an empty back; here it is a forgotten option, not a choice
        err(f"retain add: a {args.kind} card needs --back, its answer (a cloze card: --kind cloze)")
        return 2
    if args.card_id is not None and not args.card_id.strip():  # a script's unset "$ID": not left out
        err("retain add: --id must not be empty (leave --id out to have one made from the front)")
        return 2
    if args.card_id and not is_valid_id(args.card_id):  # an argument error: the file has no line for it
        err(
            f"retain add: --id {args.card_id!r} is invalid: use lowercase letters, digits and '-', "
            "starting with a letter or digit (max 64)"
        )
        return 2
    try:
        answer_keys(args)
        refuse_unused(args)
    except BadArgs as exc:
        err(f"retain add: {exc}")
        return 2
    home = open_home()
    if not is_valid_id(args.deck) and not args.new_deck:  # a deck's name, as `retain due` shows it?
        args.deck = _deck_id_of_name(home, args.deck)
    if not is_valid_id(args.deck):
        err(f"retain add: deck id {args.deck!r} is invalid: use lowercase letters, digits and '-'")
        return 2
    try:
        # one edit at a time: another `retain add` reads the deck after this one wrote it
        with deck_edit_lock(home.paths.cache_dir):
            added = _add(home, args)
    except _NoDeck as exc:  # a wrong argument, as an unknown deck is to every command: exit 2
        err(f"retain add: {exc}")
        return 2
    except (DeckEditError, DeckLockTimeout) as exc:
        err(f"retain add: {exc}")
        return 1
    if added is None:
        err("retain add: not added; fix the card and run again")
        return 1
    card, path, problems, note = added
    for problem in problems:
        err(problem)
    report(f"added {args.deck}/{card.id} to {path}{note}")
    return 0
