"""`retain add`'s answer-check options read into a card's keys, by the deck loader's rules.

`answer_keys` reads `--accept-range`, `--tolerance` and `--alias` with
`spec.read_keys` (what `retain check` reads the written card with), so the two
never disagree: a value it refuses (a negative tolerance, a range high before
low) is `BadArgs`, one line, exit 2, as a value that is no number is. An alias
name given two meanings is refused (the last one won, without a word).
`refuse_unused` refuses an option the card's kind or its `--match` has no place
for. `accepted` reads `--accept`: one accepted answer per flag, kept whole (a
number's `1,000`, a set card's `a, b, c`). Pure: no I/O.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from retain.core.answer.spec import AnswerSpec, problems, read_keys

__all__ = ["BadArgs", "accepted", "answer_keys", "refuse_unused", "split_list"]


class BadArgs(ValueError):
    """A value of an answer-check option that cannot be read; the message is one line."""


def _float(text: str, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise BadArgs(f"{what} must be a number, not {text!r}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise BadArgs(f"{what} must be a finite number")
    return value


def _aliases(items: list[str]) -> dict[str, str]:
    """The --alias pairs; a name given two meanings is refused (the last one won, without a word)."""
    aliases: dict[str, str] = {}
    for item in items:
        name, eq, canon = (part.strip() for part in item.partition("="))
        if not eq or not name or not canon:
            raise BadArgs(f"--alias takes FROM=TO, like -n=--namespace, not {item!r}")
        if aliases.get(name, canon) != canon:
            raise BadArgs(f"--alias gives {name!r} two meanings, {aliases[name]!r} and {canon!r}: keep one")
        aliases[name] = canon
    return aliases


# what the deck loader's message about a key says as the option's (the others: its key made the option)
_LOADER_SAYS = {
    "accept_range": "--accept-range takes LOW,HIGH, low then high, like 20,50",
    "tolerance": "--tolerance must be a number of 0 or more, like 0.5",
}


def answer_keys(args: argparse.Namespace) -> dict[str, Any]:
    """The card's answer-check keys from the options, each value read by the deck loader's rules
    (`read_keys`, as `retain check` reads the written card): one it refuses is `BadArgs`."""
    raw: dict[str, Any] = {}
    if args.accept_range is not None:
        ends = args.accept_range.split(",")
        if len(ends) != 2:
            raise BadArgs(f"--accept-range takes LOW,HIGH, like 20,50, not {args.accept_range!r}")
        raw["accept_range"] = [_float(end, "--accept-range") for end in ends]
    if args.tolerance is not None:
        raw["tolerance"] = _float(args.tolerance, "--tolerance")
    if args.alias:
        raw["aliases"] = _aliases(args.alias)
    spec, found = read_keys(raw)
    for key, message, severity in found:
        if severity == "error":
            given = {"accept_range": args.accept_range, "tolerance": args.tolerance}.get(key)
            said = _LOADER_SAYS.get(key) or message.replace(f"`{key}`", _OPTIONS.get(key, key))
            raise BadArgs(said if given is None else f"{said}, not {given!r}")
    keys: dict[str, Any] = {"match": args.match, "pattern": args.pattern, "aliases": spec.aliases}
    keys.update({key: getattr(spec, key) for key in ("accept_range", "tolerance") if key in raw})
    return keys


def split_list(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def accepted(args: argparse.Namespace) -> tuple[str, ...]:
    """The card's other accepted answers: one per `--accept`, whole, blank ones left out (a
    script's unset "$ALT"). A comma is part of an answer: `1,000`, and a set card's whole
    answer `a, b, c` (split at its commas, each item alone was right).

    One `--accept` holding a comma on a card without `--match` is refused (`BadArgs`): older
    versions split it into several answers (`--accept A,B`, as their README said), and it
    cannot be told from one answer with a comma; taken either way, it would silently change
    what is graded right for some script."""
    answers = tuple(a for a in (v.strip() for v in args.accept) if a)
    if len(args.accept) == 1 and answers and "," in answers[0] and not args.match:
        parts = " ".join(f"--accept {p.strip()!r}" for p in answers[0].split(",")[:3] if p.strip())
        raise BadArgs(
            f"--accept {answers[0]!r} holds a comma, which older versions read as a list: "
            f"repeat the flag, one answer each ({parts})"
        )
    return answers


# each answer-check option and the card key it writes
_OPTIONS = {
    "pattern": "--pattern",
    "accept_range": "--accept-range",
    "tolerance": "--tolerance",
    "aliases": "--alias",
}


def _ignored(args: argparse.Namespace) -> list[str]:
    """`retain check`'s rule (`spec.problems`, its "`pattern` is only used with match = ..."
    warning) for the answer-check options given: one message per option the card would carry
    for nothing, naming the --match modes that use it."""
    keys = answer_keys(args)
    given = [key for key in _OPTIONS if key in keys and keys[key] not in ("", ())]
    if not given and not args.match:
        return []
    spec = AnswerSpec(**{k: v for k, v in keys.items() if k != "match"}, match=args.match)
    raw_keys = [*(["match"] if args.match else []), *given]
    found = problems(args.card_id or "new", "typed", args.back, accepted(args), spec, raw_keys)
    out: list[str] = []
    for key, message, severity in found:
        if severity == "error" and (key in given or key == "match"):
            # a value given on the command line that the card cannot use (a pattern that does
            # not compile, --match regex without --pattern): a bad option value, not a bad card
            if key in given:
                out.append(f"{_OPTIONS[key]}: {message.partition(': ')[2] or message}")
            else:
                out.append(f"--match {args.match} needs --pattern P (the pattern the answer must match)")
        elif key in given and severity == "warning" and "only used with" in message:
            modes = re.findall(r'"(\w+)"', message.partition("only used with")[2])
            shown = " or ".join([", ".join(modes[:-1]), modes[-1]] if len(modes) > 1 else modes)
            typed = "" if args.kind in ("basic", "typed") else ", on a typed card"
            out.append(f"{_OPTIONS[key]} is only used with --match {shown}{typed}")
    return out


def refuse_unused(args: argparse.Namespace) -> None:
    """An option the card's kind (or its --match) has no place for was written for nothing, or
    dropped without a word: refuse it."""
    if args.kind == "cloze" and args.back:
        raise BadArgs("--back is not used by a cloze card (its answers are the {{c1::...}}); use --extra")
    if args.match and args.kind not in ("basic", "typed"):
        raise BadArgs(f"--match is for typed cards; a {args.kind} card has no typed answer")
    if accepted(args) and args.kind != "typed" and not args.match:
        raise BadArgs("--accept is for typed cards; add --kind typed")
    ignored = _ignored(args)
    if ignored:
        raise BadArgs("; ".join(ignored))
