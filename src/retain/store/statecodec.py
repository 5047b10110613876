"""TOML text for card states and journal events, and strict decoding of what comes back.

A card state is one inline table with the `CardState` field names (the same
layout `interop.history` uses), `None` fields and false flags left out:

    { state = 2, stability = 12.5, difficulty = 5.1, due = 2024-05-01T10:00:00Z, ... }

A journal event is one `[[review]]` block whose last line is a CRC-32 of the
block's bytes before it. A block is complete only when that line is present,
matches and ends in a newline: that is how a torn final block after a crash (or
a power cut) is told apart from a good one, even when the torn bytes happen to
be valid TOML (`duration_ms = 42` cut from `4200`).

Decoding is strict: wrong types, unknown states, NaN/inf/negative numbers,
naive datetimes and timestamps in the future raise `StateError`, so nothing
hostile reaches FSRS (`core.state.validate_state` does the range checks).
"""

from __future__ import annotations

import math
import re
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from retain.core.cloze import MAX_CLOZE_DIGITS
from retain.core.state import EVENT_KINDS, CardState, Event, EventKind, StateError, validate_state

__all__ = [
    "BLOCK_HEADER",
    "FUTURE_SKEW",
    "KEY_RE",
    "block_crc_ok",
    "block_end",
    "decode_event",
    "decode_state",
    "encode_event",
    "encode_state",
    "format_time",
    "toml_str",
]

BLOCK_HEADER = b"[[review]]\n"
# How far in the future a stored timestamp may be (a clock set slightly wrong,
# a synced device in another zone) before it is refused.
FUTURE_SKEW = timedelta(days=1)
_SAFE_RE = re.compile(r"^[A-Za-z0-9/:._+ -]*$")
# deck-id/card-id[:reverse|:cN], ids as in core.ids (lowercase, digits, '-', at most 64)
# cloze numbers: the one limit the cloze parser and `retain check` share (core.cloze.MAX_CLOZE)
KEY_RE = re.compile(
    r"^[a-z0-9][a-z0-9-]{0,63}/[a-z0-9][a-z0-9-]{0,63}"
    rf"(?::reverse|:c[1-9][0-9]{{0,{MAX_CLOZE_DIGITS - 1}}})?$"
)
_CRC_PREFIX = b'crc = "'
_MAX_DURATION_MS = 10**8


def toml_str(value: str) -> str:
    """A TOML basic string, every control character escaped."""
    if _SAFE_RE.match(value):
        return f'"{value}"'
    out = ['"']
    for ch in value:
        code = ord(ch)
        if ch in ('"', "\\"):
            out.append("\\" + ch)
        elif code < 0x20 or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            out.append(f"\\u{code:04x}" if code < 0xD800 else "\\ufffd")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def format_time(value: datetime) -> str:
    """RFC 3339 UTC with a `Z`: `2024-05-01T10:00:00.123456Z`."""
    if value.tzinfo is None:
        raise StateError("naive datetime")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def encode_state(state: CardState) -> str:
    parts = [f"state = {state.state}"]
    if state.step is not None:
        parts.append(f"step = {state.step}")
    if state.stability is not None:
        parts.append(f"stability = {float(state.stability)!r}")
    if state.difficulty is not None:
        parts.append(f"difficulty = {float(state.difficulty)!r}")
    if state.due is not None:
        parts.append(f"due = {format_time(state.due)}")
    if state.last_review is not None:
        parts.append(f"last_review = {format_time(state.last_review)}")
    parts.append(f"reps = {state.reps}")
    parts.append(f"lapses = {state.lapses}")
    if state.suspended:
        parts.append("suspended = true")
    if state.buried_until:
        parts.append(f"buried_until = {toml_str(state.buried_until)}")
    if state.leech:
        parts.append("leech = true")
    return "{ " + ", ".join(parts) + " }"


def _int(raw: dict[str, Any], key: str, default: int | None) -> int | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) < value < 2**31:
        raise StateError(f"{key} must be an integer")
    return value


def _num(raw: dict[str, Any], key: str) -> float | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StateError(f"{key} is not a finite number")
    return float(value)


def _time(value: Any, key: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        raise StateError(f"{key} must be a date-time")
    if value.tzinfo is None or value.utcoffset() is None:
        raise StateError(f"{key} has no time zone (naive datetime)")
    return value.astimezone(UTC)


_STATE_KEYS = frozenset(
    (
        "state",
        "step",
        "stability",
        "difficulty",
        "due",
        "last_review",
        "reps",
        "lapses",
        "suspended",
        "buried_until",
        "leech",
    )
)


def decode_state(raw: Any, now: datetime) -> CardState:
    """A parsed inline table -> a validated CardState; StateError says what is wrong."""
    if not isinstance(raw, dict):
        raise StateError("card state must be an inline table")
    unknown = set(raw) - _STATE_KEYS
    if unknown:
        raise StateError(f"unknown state key {sorted(unknown)[0]!r}")
    for flag in ("suspended", "leech"):
        if not isinstance(raw.get(flag, False), bool):
            raise StateError(f"{flag} must be true or false")
    buried = raw.get("buried_until")
    if buried is not None and (not isinstance(buried, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", buried)):
        raise StateError("buried_until must be a date string like 2024-05-01")
    state = CardState(
        state=_int(raw, "state", 0) or 0,
        step=_int(raw, "step", None),
        stability=_num(raw, "stability"),
        difficulty=_num(raw, "difficulty"),
        due=_time(raw.get("due"), "due"),
        last_review=_time(raw.get("last_review"), "last_review"),
        reps=_int(raw, "reps", 0) or 0,
        lapses=_int(raw, "lapses", 0) or 0,
        suspended=raw.get("suspended", False),
        buried_until=buried,
        leech=raw.get("leech", False),
    )
    limit = now + FUTURE_SKEW
    if state.due is not None and state.due > limit + timedelta(days=365 * 200):
        raise StateError("due is absurdly far in the future")
    return validate_state(state, limit)


def encode_event(event: Event) -> bytes:
    """One complete `[[review]]` block, CRC line last, ending in a newline."""
    lines = [
        "[[review]]",
        f"id = {toml_str(event.id)}",
        f"kind = {toml_str(event.kind)}",
        f"key = {toml_str(event.key)}",
        f"time = {format_time(event.time)}",
    ]
    if event.rating:
        lines.append(f"rating = {event.rating}")
    if event.duration_ms:
        lines.append(f"duration_ms = {event.duration_ms}")
    if event.undoes:
        lines.append(f"undoes = {toml_str(event.undoes)}")
    if event.before is not None:
        lines.append(f"before = {encode_state(event.before)}")
    if event.after is not None:
        lines.append(f"after = {encode_state(event.after)}")
    body = ("\n".join(lines) + "\n").encode("utf-8")
    return body + b'crc = "%08x"\n' % zlib.crc32(body)


def block_end(block: bytes) -> int:
    """Length of the complete event at the start of `block` (through its CRC line), or -1.

    Bytes after the CRC line (the start of a block torn before its header was
    complete) are not part of the event.
    """
    cut = block.find(b"\n" + _CRC_PREFIX)
    end = cut + 1 + len(_CRC_PREFIX) + 10
    if cut < 0 or block[end - 2 : end] != b'"\n':
        return -1
    try:
        ok = int(block[cut + 1 + len(_CRC_PREFIX) : end - 2], 16) == zlib.crc32(block[: cut + 1])
    except ValueError:
        return -1
    return end if ok else -1


def block_crc_ok(block: bytes) -> bool:
    """True when `block` is exactly one complete event whose CRC line matches."""
    return block_end(block) == len(block)


def decode_event(rec: Any, now: datetime) -> Event:
    """A parsed `[[review]]` table -> a validated Event; StateError says what is wrong."""
    if not isinstance(rec, dict):
        raise StateError("event is not a table")
    event_id, kind, key = rec.get("id"), rec.get("kind"), rec.get("key")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 200:
        raise StateError("event id is missing")
    if kind not in EVENT_KINDS:
        raise StateError(f"unknown event kind {kind!r}")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise StateError(f"bad unit key {str(key)[:80]!r}")
    time = _time(rec.get("time"), "time")
    if time is None:
        raise StateError("event time is missing")
    if time > now + FUTURE_SKEW:
        raise StateError(f"event time {format_time(time)} is in the future")
    rating = _int(rec, "rating", 0) or 0
    duration = _int(rec, "duration_ms", 0) or 0
    if not 0 <= rating <= 4 or (kind == "review" and rating == 0):
        raise StateError(f"rating {rating} is out of range")
    if not 0 <= duration <= _MAX_DURATION_MS:
        raise StateError("duration_ms is out of range")
    undoes = rec.get("undoes", "")
    if not isinstance(undoes, str):
        raise StateError("undoes must be an event id")
    ek: EventKind = kind
    before = decode_state(rec["before"], now) if "before" in rec else None
    after = decode_state(rec["after"], now) if "after" in rec else None
    return Event(event_id, ek, key, time, after, before, rating, duration, undoes)
