"""A typed card's answer-check settings (`match`, `pattern`, `accept_range`, `tolerance`, `aliases`).

`read_keys` takes them from a card's TOML table and `problems` checks them
against the card (a regex that compiles, a back that is a number or a command),
both giving (key, message, severity) for `core.deckfile` to place at
`file:line:col`. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from retain.core.state import finite_number

__all__ = [
    "ANSWER_KEYS",
    "MATCHES",
    "MAX_ALIASES",
    "MAX_PATTERN",
    "AnswerSpec",
    "Finding",
    "from_meta",
    "problems",
    "read_keys",
    "to_meta",
]

MATCHES = ("set", "command", "number", "regex")
MAX_PATTERN = 1_000  # characters in a `pattern`
MAX_ALIASES = 256
MAX_COMMAND = 2_000  # characters of a command `back` or `accept` read (as the check reads them)
ANSWER_KEYS = ("match", "pattern", "accept_range", "tolerance", "aliases")
_FOR = {"pattern": ("regex",), "accept_range": ("number",), "tolerance": ("number",)}

Finding = tuple[str, str, str]  # (key, message, "error" | "warning")


@dataclass(frozen=True, slots=True)
class AnswerSpec:
    """How a typed answer is checked; the default is plain text."""

    match: str = ""  # "" (text) | set | command | number | regex
    pattern: str = ""
    accept_range: tuple[float, float] | None = None
    tolerance: float | None = None
    aliases: tuple[tuple[str, str], ...] = ()

    def card_fields(self) -> dict[str, Any]:
        """The spec as `Card` keyword arguments (the default spec: a plain text check)."""
        return {
            "match": self.match,
            "pattern": self.pattern,
            "accept_range": self.accept_range,
            "tolerance": self.tolerance,
            "aliases": self.aliases,
        }


def read_keys(raw: dict[str, Any]) -> tuple[AnswerSpec, list[Finding]]:
    """The answer keys of one card table, and what is wrong with their types."""
    found: list[Finding] = []
    match = raw.get("match", "")
    if "match" in raw and (not isinstance(match, str) or match not in MATCHES):
        found.append(("match", f"unknown match {match!r}; use one of {', '.join(MATCHES)}", "error"))
        match = ""
    pattern = raw.get("pattern", "")
    if not isinstance(pattern, str):
        found.append(("pattern", "`pattern` must be a string (a regular expression)", "error"))
        pattern = ""
    accept_range: tuple[float, float] | None = None
    if "accept_range" in raw:
        value = raw["accept_range"]
        ends = [finite_number(v) for v in value] if isinstance(value, list) and len(value) == 2 else [None]
        low, high = ([*ends, None])[:2]
        if low is None or high is None or low > high:
            found.append(
                ("accept_range", "`accept_range` must be two numbers, low then high, like [20, 50]", "error")
            )
        else:
            accept_range = (low, high)
    tolerance: float | None = None
    if "tolerance" in raw:
        tolerance = finite_number(raw["tolerance"])
        if tolerance is None or tolerance < 0:
            found.append(("tolerance", "`tolerance` must be a number of 0 or more, like 0.5", "error"))
            tolerance = None
    aliases: list[tuple[str, str]] = []
    if "aliases" in raw:
        table = raw["aliases"]
        ok = isinstance(table, dict) and all(
            isinstance(k, str) and k.strip() and isinstance(v, str) and v.strip() for k, v in table.items()
        )
        if not ok:
            found.append(
                ("aliases", '`aliases` must map strings to strings, like { "-n" = "--namespace" }', "error")
            )
        elif len(table) > MAX_ALIASES:
            found.append(("aliases", f"`aliases` has {len(table)} entries; at most {MAX_ALIASES}", "error"))
        else:
            aliases = [(k, v) for k, v in table.items()]
    return AnswerSpec(match, pattern, accept_range, tolerance, tuple(aliases)), found


def _unused(raw_keys: Sequence[str], spec: AnswerSpec) -> Iterator[Finding]:
    for key, modes in _FOR.items():
        if key in raw_keys and spec.match not in modes:
            yield key, f'`{key}` is only used with match = "{modes[0]}"; it is ignored here', "warning"
    if "aliases" in raw_keys and spec.match not in ("set", "command", "number"):
        yield "aliases", '`aliases` is only used with match = "set", "command" or "number"', "warning"


def problems(
    card_id: str, kind: str, back: str, accept: Sequence[str], spec: AnswerSpec, raw_keys: Sequence[str]
) -> list[Finding]:
    """What `retain check` says about a card's answer settings (errors make the card unusable)."""
    found: list[Finding] = []
    if "match" in raw_keys and kind != "typed":
        return [
            (
                "match",
                f'card {card_id!r}: `match` needs kind = "typed" (the learner types the answer)',
                "error",
            )
        ]
    found += _unused(raw_keys, spec)
    if spec.match == "regex":
        found += _regex_problems(card_id, back, accept, spec)
    elif spec.match == "command":
        from retain.core.answer.argv import command_text, split_error

        for key, text in (("back", back), *(("accept", a) for a in accept)):
            error = split_error(command_text(text[:MAX_COMMAND]))
            if error is not None:
                found.append(
                    (
                        key,
                        f"command card {card_id!r}: cannot split {text[:60]!r} like a shell does ({error})",
                        "error",
                    )
                )
                break  # one is enough: the card is unusable until it is fixed
    elif spec.match == "number" and spec.accept_range is None:
        from retain.core.answer.number import parse_quantity

        quantity = parse_quantity(_plain(back))
        if quantity is None or quantity.bound:  # `under 50 GB` leaves the number out
            found.append(
                (
                    "back",
                    f"number card {card_id!r}: the back {back[:40]!r} is not a number; write it like "
                    '"9092", "50 GB" or "20-50 GB", or give accept_range = [low, high]',
                    "error",
                )
            )
    elif spec.match == "set":
        from retain.core.answer.sets import split_items

        if len(split_items(back)) < 2:
            found.append(
                (
                    "back",
                    f"set card {card_id!r}: the back has one item; separate items with commas or lines",
                    "warning",
                )
            )
    return found


def _plain(text: str) -> str:
    from retain.core.answer.textmode import plain_answer

    return plain_answer(text)


def _regex_problems(card_id: str, back: str, accept: Sequence[str], spec: AnswerSpec) -> list[Finding]:
    from retain.core.answer.regex import RegexError, compile_pattern

    if not spec.pattern:
        return [("match", f"regex card {card_id!r} needs a `pattern`", "error")]
    if len(spec.pattern) > MAX_PATTERN:
        return [
            (
                "pattern",
                f"regex card {card_id!r}: the pattern is {len(spec.pattern)} characters; at most {MAX_PATTERN}",
                "error",
            )
        ]
    try:
        regex = compile_pattern(spec.pattern)
    except RegexError as exc:
        return [("pattern", f"regex card {card_id!r}: the pattern does not compile: {exc}", "error")]
    if not regex.matches(_plain(back)):
        return [("pattern", f"regex card {card_id!r}: the back does not match its own pattern", "warning")]
    return []


def to_meta(spec: AnswerSpec) -> dict[str, Any]:
    """The settings that are set, as JSON/TOML-friendly values (for exporters' metadata)."""
    meta: dict[str, Any] = {}
    if spec.match:
        meta["match"] = spec.match
    if spec.pattern:
        meta["pattern"] = spec.pattern
    if spec.accept_range is not None:
        meta["accept_range"] = list(spec.accept_range)
    if spec.tolerance is not None:
        meta["tolerance"] = spec.tolerance
    if spec.aliases:
        meta["aliases"] = [list(pair) for pair in spec.aliases]  # pairs: their order survives sorted JSON
    return meta


def from_meta(meta: dict[str, Any], kind: str, back: str, accept: Sequence[str]) -> dict[str, Any]:
    """Card fields from an importer's metadata; anything `retain check` would refuse is left out."""
    raw = {k: meta[k] for k in ANSWER_KEYS if k in meta}
    pairs = raw.get("aliases")
    if isinstance(pairs, list) and all(isinstance(p, list) and len(p) == 2 for p in pairs):
        raw["aliases"] = {p[0]: p[1] for p in pairs if isinstance(p[0], str)}
    if not raw or kind != "typed":
        return {}
    spec, found = read_keys(raw)
    if found or any(sev == "error" for _k, _m, sev in problems("", kind, back, accept, spec, list(raw))):
        return {}
    return spec.card_fields()
