"""TOML text for card states and journal events, and strict decoding of what comes back.

A card state in a snapshot is one inline table with the `CardState` field
names, `None` fields and false flags left out:

    { state = 2, stability = 12.5, difficulty = 5.1, due = 2024-05-01T10:00:00Z, ... }

A journal event (format 2, see docs/state-format.md for the legend) is one
line, a root-level key (the record's byte offset in its file, so unique by
construction) holding an inline table with short keys, CRC-32 last:

    7331={i=12,u="kafka/isr:c1",t=2026-07-31T09:59:00.651668Z,r=3,ms=7103,b={...},a={...},c="7ca4dad9"}

A record is complete only when its line ends in a newline and the CRC of the
bytes before `c="` matches: that is how a torn final record after a crash is
told apart from a good one. Format-1 journals (`[[review]]` blocks) are read
by `journal_v1`.

Decoding is strict: wrong types, unknown states, NaN/inf/negative numbers,
naive datetimes and absurd dates raise `StateError`, so nothing hostile
reaches FSRS (`core.state.validate_state` does the range checks). Dates in the
future are kept: a clock set wrong must never lose a review.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any

from retain.core.model import MAX_CLOZE_DIGITS
from retain.core.state import (
    EVENT_KINDS,
    RATED_KINDS,
    CardState,
    Event,
    EventKind,
    StateError,
    finite_number,
    validate_state,
)

__all__ = [
    "ABSURD_AHEAD",
    "FUTURE_SKEW",
    "KEY_RE",
    "canonical_event",
    "canonical_state",
    "checked_state",
    "decode_event",
    "decode_record",
    "decode_state",
    "encode_event",
    "format_time",
    "line_crc",
    "sig_text",
    "state_table",
    "toml_str",
]

# How far ahead of this computer's clock a date may be before it is flagged
# (never refused: a clock set wrong, a synced device in another zone).
FUTURE_SKEW = timedelta(days=1)
_ABSURD = timedelta(days=365 * 200)  # dates beyond this are refused as hostile
ABSURD_AHEAD = _ABSURD  # the same, for the writer: it never writes a record its readers refuse
_US = timedelta(microseconds=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# A gap between two dates of one state (µs; ~3,170 years): every date a state may hold (from 1970
# to 200 years ahead, `checked_state`) is within it of every other, so the writer never writes a
# record its readers refuse (a 100-year interval, a last review of a clock that said 1990).
_MAX_US = 10**17
_SAFE_RE = re.compile(r"^[A-Za-z0-9/:._+ -]*\Z")
# deck-id/card-id[:reverse|:cN], ids as in core.ids (lowercase, digits, '-', at most 64)
# cloze numbers: the one limit the cloze parser and `retain check` share (core.cloze.MAX_CLOZE)
KEY_RE = re.compile(
    r"^[a-z0-9][a-z0-9-]{0,63}/[a-z0-9][a-z0-9-]{0,63}"
    rf"(?::reverse|:c[1-9][0-9]{{0,{MAX_CLOZE_DIGITS - 1}}})?\Z"
)
_MAX_DURATION_MS = 10**8
_STATE_V2_KEYS = frozenset(
    ("s", "p", "S", "D", "l", "d", "du", "n", "f", "suspended", "buried_until", "leech")
)
_EVENT_V2_KEYS = frozenset(("i", "k", "u", "t", "r", "ms", "x", "g", "b", "a"))


def _sig(value: float) -> str:
    """A float rounded to 6 significant digits, as its shortest TOML text (idempotent).

    `repr(float(f"{value:.6g}"))`, without the round trip when the rounded text has a point and
    no exponent: at most 6 significant digits come back from a float unchanged (any 15 do), and
    `repr` writes such a value (10**-4 <= |value| < 10**6) without an exponent, as `g` did.
    """
    text = f"{value:.6g}"
    if value.__class__ is float and "." in text and "e" not in text:
        return text
    return repr(float(text))


sig_text = _sig  # (for the snapshot cache: a float rounded as the files write it)


def canonical_state(state: CardState) -> CardState:
    """The state as the files give it back: stability and difficulty rounded to 6 significant digits."""
    s, d = state.stability, state.difficulty
    s2 = None if s is None else float(_sig(s))
    d2 = None if d is None else float(_sig(d))
    if s2 == s and d2 == d and s.__class__ is s2.__class__ and d.__class__ is d2.__class__:
        return state  # already as the files give it back (frozen: no copy needed)
    return CardState(
        state.state, state.step, s2, d2, state.due, state.last_review,
        state.reps, state.lapses, state.suspended, state.buried_until, state.leech,
    )  # fmt: skip


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


def state_table(state: CardState, *, rounded: bool = True) -> dict[str, Any]:
    """A state as a table for tomli-w (snapshots, sidecars): the fields that are set, flags only
    when on; stability and difficulty to 6 significant digits (`rounded`), as the journal keeps them."""
    table: dict[str, Any] = {"state": state.state}
    if state.step is not None:
        table["step"] = state.step
    for name, value in (("stability", state.stability), ("difficulty", state.difficulty)):
        if value is not None:
            table[name] = float(_sig(value)) if rounded else float(value)
    for name, moment in (("due", state.due), ("last_review", state.last_review)):
        if moment is not None:
            if moment.tzinfo is None:
                raise StateError("naive datetime")
            table[name] = moment.astimezone(UTC)
    table["reps"], table["lapses"] = state.reps, state.lapses
    if state.suspended:
        table["suspended"] = True
    if state.buried_until:
        table["buried_until"] = state.buried_until
    if state.leech:
        table["leech"] = True
    return table


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
    number = finite_number(value)
    if number is None:
        raise StateError(f"{key} is not a finite number")
    return number


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
    return checked_state(state, now)


def checked_state(state: CardState, now: datetime) -> CardState:
    """`validate_state`, but a date in the future is kept (a clock set wrong loses nothing).

    Only dates more than 200 years after `now` are refused as hostile.
    """
    limit = now + _ABSURD
    if (state.due is not None and state.due > limit) or (
        state.last_review is not None and state.last_review > limit
    ):
        raise StateError("a date is absurdly far in the future")
    return validate_state(state, None)


def _us(delta: timedelta) -> int:
    return delta // _US


def _encode_state_v2(state: CardState, t_us: int) -> str:
    """A state as a short inline table; dates relative to the event time `t_us` (see the legend)."""
    text = f"{{s={state.state}"
    if state.step is not None:
        text += f",p={state.step}"
    if state.stability is not None:
        text += f",S={_sig(state.stability)}"
    if state.difficulty is not None:
        text += f",D={_sig(state.difficulty)}"
    last = state.last_review
    if last is None:
        text += ",l=false"
        base = t_us
    else:
        base = (last - _EPOCH) // _US
        if base != t_us:
            text += f",l={base - t_us}"
    if state.due is not None:
        gap = (state.due - _EPOCH) // _US - base
        text += f",d={gap // 1_000_000}" if gap % 1_000_000 == 0 else f",du={gap}"
    if state.reps:
        text += f",n={state.reps}"
    if state.lapses:
        text += f",f={state.lapses}"
    if state.suspended:
        text += ",suspended=true"
    if state.buried_until:
        text += f",buried_until={toml_str(state.buried_until)}"
    if state.leech:
        text += ",leech=true"
    return text + "}"


def _id_text(event_id: str, t_us: int, device: str) -> str:
    """`N` when the id is "<device>-<time in ns>-N" (what `Collection.new_event_id` makes), else the id."""
    if device and event_id.startswith(device):
        head = f"{device}-{t_us * 1000:019d}-"
        seq = event_id[len(head) :]
        if (  # ASCII digits without a leading zero: what `str(int(seq))` gives back
            seq.isdigit()
            and seq.isascii()
            and len(seq) < 12
            and (seq[0] != "0" or len(seq) == 1)
            and event_id.startswith(head)
        ):
            return seq
    return toml_str(event_id)


def encode_event(event: Event, *, offset: int = 0, device: str = "") -> bytes:
    """One journal record (format 2): a single line `<offset>={...,c="<crc>"}` ending in a newline.

    `offset` is the record's byte offset in its file (so keys are unique within
    a file) and `device` the journal folder's device id (ids it made are stored
    by their sequence number). Stability and difficulty are rounded to 6
    significant digits: the caller applies `decode_event` of the record (see
    `canonical_event`) so memory and journal agree.
    """
    t = event.time
    if t.tzinfo is not UTC:
        t = t.astimezone(UTC)
    t_us = (t - _EPOCH) // _US
    text = f"{offset}={{i={_id_text(event.id, t_us, device)},"
    if event.kind != "review":
        text += f"k={toml_str(event.kind)},"
    text += f"u={toml_str(event.key)},t={t.isoformat().replace('+00:00', 'Z')},"
    if event.rating:
        text += f"r={event.rating},"
    if event.duration_ms:
        text += f"ms={event.duration_ms},"
    if event.undoes:
        text += f"x={_id_text(event.undoes, t_us, device)},"
    if event.group:  # one of several events of one user action (a bulk suspend): its first event's id
        text += f"g={_id_text(event.group, t_us, device)},"
    if event.before is not None:
        text += f"b={_encode_state_v2(event.before, t_us)},"
    if event.after is not None:
        text += f"a={_encode_state_v2(event.after, t_us)},"
    body = text.encode("utf-8")
    return body + b'c="%08x"}\n' % zlib.crc32(body)


def line_crc(line: bytes) -> str:
    """The CRC (8 hex digits) of a complete, intact record line (CRLF or LF), else ""."""
    if line.endswith(b"\r\n"):
        line = line[:-2] + b"\n"
    if len(line) < 16 or line[-14:-11] != b'c="' or line[-3:] != b'"}\n':
        return ""
    crc = line[-11:-3]
    try:
        ok = int(crc, 16) == zlib.crc32(line[:-14])
    except ValueError:
        return ""
    return crc.decode("ascii") if ok and crc == crc.lower() else ""


def canonical_event(event: Event) -> Event:
    """The event as the journal gives it back (floats rounded); what a writer keeps in memory."""
    return decode_record(encode_event(event, device="x"), event.time, device="x")


def _id_value(value: Any, t: datetime, device: str, what: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**12:
        if not device:
            raise StateError(f"{what} is a number but the journal's device is unknown")
        return f"{device}-{_us(t - _EPOCH) * 1000:019d}-{value}"
    if isinstance(value, int) and not isinstance(value, bool):  # (never printed: it may be huge)
        raise StateError(f"{what} is a number out of range")
    if not isinstance(value, str) or not value or len(value) > 200:
        raise StateError(f"{what} is missing")
    return value


def _state_v2(raw: Any, t: datetime, now: datetime) -> CardState:
    if not isinstance(raw, dict):
        raise StateError("card state must be an inline table")
    unknown = set(raw) - _STATE_V2_KEYS
    if unknown:
        raise StateError(f"unknown state key {sorted(unknown)[0]!r}")
    last_raw = raw.get("l", 0)
    if last_raw is False:
        last = None
    elif isinstance(last_raw, int) and not isinstance(last_raw, bool) and abs(last_raw) < _MAX_US:
        last = _after(t, last_raw, "l")
    else:
        raise StateError("l must be a number of microseconds or false")
    due = None
    if "d" in raw or "du" in raw:
        gap_us = _int64(raw, "d") * 1_000_000 if "d" in raw else _int64(raw, "du")
        if abs(gap_us) >= _MAX_US:
            raise StateError("due is out of range")
        due = _after(last or t, gap_us, "due")
    flat = {
        "state": raw.get("s"),
        "step": raw.get("p"),
        "stability": raw.get("S"),
        "difficulty": raw.get("D"),
        "due": due,
        "last_review": last,
        "reps": raw.get("n", 0),
        "lapses": raw.get("f", 0),
    }
    for name in ("suspended", "buried_until", "leech"):
        if name in raw:
            flat[name] = raw[name]
    if flat["state"] is None:
        raise StateError("state is missing")
    return decode_state({k: v for k, v in flat.items() if v is not None}, now)


def _after(start: datetime, gap_us: int, what: str) -> datetime:
    """`start` plus `gap_us` µs; StateError when that is no date (before year 1, after 9999)."""
    try:
        return start + timedelta(microseconds=gap_us)
    except OverflowError:
        raise StateError(f"{what} is out of range") from None


def _int64(raw: dict[str, Any], key: str) -> int:
    value = raw.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise StateError(f"{key} must be an integer")
    return value


def _decode_v2(rec: dict[str, Any], now: datetime, device: str) -> Event:
    unknown = set(rec) - _EVENT_V2_KEYS
    if unknown:
        raise StateError(f"unknown event key {sorted(unknown)[0]!r}")
    t = _time(rec.get("t"), "t")
    if t is None:
        raise StateError("event time is missing")
    return _event(
        _id_value(rec.get("i"), t, device, "event id"),
        rec.get("k", "review"),
        rec.get("u"),
        t,
        now,
        _int(rec, "r", 0) or 0,
        _int(rec, "ms", 0) or 0,
        _id_value(rec["x"], t, device, "undoes") if "x" in rec else "",
        _state_v2(rec["b"], t, now) if "b" in rec else None,
        _state_v2(rec["a"], t, now) if "a" in rec else None,
        _id_value(rec["g"], t, device, "group") if "g" in rec else "",
    )


def _event(
    event_id: str,
    kind: Any,
    key: Any,
    time: datetime,
    now: datetime,
    rating: int,
    duration: int,
    undoes: Any,
    before: CardState | None,
    after: CardState | None,
    group: str = "",
) -> Event:
    if kind not in EVENT_KINDS:
        raise StateError(f"unknown event kind {kind!r}")
    if not isinstance(key, str) or not KEY_RE.match(key):
        raise StateError(f"bad unit key {str(key)[:80]!r}")
    if time > now + _ABSURD:
        raise StateError(f"event time {format_time(time)} is absurdly far in the future")
    if not 0 <= rating <= 4 or (kind in RATED_KINDS and rating == 0):
        raise StateError(f"rating {rating} is out of range")
    if not 0 <= duration <= _MAX_DURATION_MS:
        raise StateError("duration_ms is out of range")
    if not isinstance(undoes, str):
        raise StateError("undoes must be an event id")
    ek: EventKind = kind
    return Event(event_id, ek, key, time, after, before, rating, duration, undoes, group)


def decode_event(rec: Any, now: datetime, *, device: str = "") -> Event:
    """A parsed record -> a validated Event; StateError says what is wrong.

    Takes both layouts: a format-2 record's table (short keys; `device` names
    the journal's device for ids stored as numbers) and a format-1 `[[review]]`
    table. Events dated in the future are kept (only absurd dates are refused).
    """
    if not isinstance(rec, dict):
        raise StateError("event is not a table")
    if "u" in rec or "t" in rec:
        return _decode_v2(rec, now, device)
    event_id = rec.get("id")
    if not isinstance(event_id, str) or not event_id or len(event_id) > 200:
        raise StateError("event id is missing")
    time = _time(rec.get("time"), "time")
    if time is None:
        raise StateError("event time is missing")
    return _event(
        event_id,
        rec.get("kind"),
        rec.get("key"),
        time,
        now,
        _int(rec, "rating", 0) or 0,
        _int(rec, "duration_ms", 0) or 0,
        rec.get("undoes", ""),
        decode_state(rec["before"], now) if "before" in rec else None,
        decode_state(rec["after"], now) if "after" in rec else None,
    )


def decode_record(line: bytes, now: datetime, *, device: str = "") -> Event:
    """One format-2 record line (CRC already checked) -> an Event; StateError when unusable.

    Typical lines take a compiled-regex fast path; anything unusual is parsed
    with `tomllib` and decoded by `decode_event`.
    """
    from retain.store.state.recordfast import fast_record

    event = fast_record(line, now, device)
    if event is not None:
        return event
    try:
        parsed = tomllib.loads(line.decode("utf-8"))
    except RecursionError:  # (hostile nesting: tomllib recurses for each level)
        raise StateError("not a valid record (TOML nesting is too deep)") from None
    except (
        UnicodeDecodeError,
        ValueError,
    ) as exc:  # (ValueError: TOMLDecodeError, an int past the digit limit)
        raise StateError(f"not a valid record ({str(exc)[:80]})") from None
    if len(parsed) != 1:
        raise StateError("a record line holds one key")
    (rec,) = parsed.values()
    if not isinstance(rec, dict):
        raise StateError("event is not a table")
    rec = dict(rec)
    rec.pop("c", None)
    try:
        return decode_event(rec, now, device=device)
    except OverflowError:  # (a number or date past what Python holds: no record retain wrote)
        raise StateError("not a valid record (a number is out of range)") from None
