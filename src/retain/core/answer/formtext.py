"""A typed card's answer-check keys as the editor's one-line fields show them, and back.

`texts` gives each key's text (`accept_range = [20, 50]` is "20, 50", the
aliases "-n = --namespace, -f = --follow"); `raw_keys` turns the fields back
into the values a card's TOML table would hold, for `spec.read_keys`, so the
editor says exactly what `retain check` says about them. Text that is not a
number, a range or a table is passed on as it is, and `read_keys` names the
problem. Only the keys the chosen `match` uses are read. Pure: no I/O.
"""

from __future__ import annotations

import tomllib
from typing import Any

from retain.core.answer.spec import AnswerSpec
from retain.core.deckwrite import toml_number, toml_string

__all__ = ["FIELDS_FOR_MATCH", "MATCH_LABELS", "raw_keys", "texts"]

# The keys each mode reads, as the editor's fields (`match` itself is a select).
FIELDS_FOR_MATCH: dict[str, tuple[str, ...]] = {
    "": (),
    "set": ("aliases",),
    "command": ("aliases",),
    "number": ("accept_range", "tolerance", "aliases"),
    "regex": ("pattern",),
}
MATCH_LABELS: dict[str, str] = {
    "": "text (the default)",
    "set": "set: items in any order",
    "command": "command: argv, flags in any order",
    "number": "number: with units, range, tolerance",
    "regex": "regex: a pattern (RE2)",
}
_PLAIN_ALIAS = frozenset(",={}\n\"'")  # characters the plain `a = b, c = d` form cannot hold


def texts(spec: AnswerSpec) -> dict[str, str]:
    """Each key's field text for `spec` ("" when unset)."""
    return {
        "match": spec.match,
        "pattern": spec.pattern,
        "accept_range": ", ".join(toml_number(v) for v in spec.accept_range) if spec.accept_range else "",
        "tolerance": toml_number(spec.tolerance) if spec.tolerance is not None else "",
        "aliases": _aliases_text(spec.aliases),
    }


def _aliases_text(aliases: tuple[tuple[str, str], ...]) -> str:
    if not aliases:
        return ""
    plain = all(k == k.strip() and v == v.strip() and not (_PLAIN_ALIAS & set(k + v)) for k, v in aliases)
    if plain:
        return ", ".join(f"{k} = {v}" for k, v in aliases)
    return "{ " + ", ".join(f"{toml_string(k)} = {toml_string(v)}" for k, v in aliases) + " }"


def _toml_value(text: str) -> Any:
    """`text` read as a TOML value, or the text itself when it is not one."""
    try:
        return tomllib.loads(f"v = {text}\n")["v"]
    except (KeyError, ValueError, RecursionError):
        return text


def _number(text: str) -> Any:
    value = _toml_value(text.strip())
    return value if isinstance(value, int | float) and not isinstance(value, bool) else text.strip()


def _accept_range(text: str) -> Any:
    inner = text.strip()
    if inner.startswith("[") and inner.endswith("]"):
        inner = inner[1:-1]
    ends = inner.split(",")
    if len(ends) != 2:
        return text.strip()  # `read_keys` says what a range looks like
    return [_number(end) for end in ends]


def _aliases(text: str) -> Any:
    text = text.strip()
    if text.startswith("{"):
        return _toml_value(text)
    table: dict[str, str] = {}
    for pair in text.replace("\n", ",").split(","):
        if not pair.strip():
            continue
        key, eq, value = pair.partition("=")
        if not eq or not key.strip() or not value.strip():
            return text  # not `a = b`: `read_keys` says what aliases look like
        table[key.strip()] = value.strip()
    return table


def raw_keys(match: str, fields: dict[str, str]) -> dict[str, Any]:
    """The answer-check keys of a card's TOML table from the editor's fields: `match` and the
    non-empty fields that mode uses."""
    if not match:
        return {}
    raw: dict[str, Any] = {"match": match}
    for key in FIELDS_FOR_MATCH.get(match, ()):
        text = fields.get(key, "")
        if not text.strip():
            continue
        if key == "pattern":
            raw[key] = text  # a pattern is kept exactly, spaces included
        elif key == "accept_range":
            raw[key] = _accept_range(text)
        elif key == "tolerance":
            raw[key] = _number(text)
        else:
            raw[key] = _aliases(text)
    return raw
