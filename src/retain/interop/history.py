"""Review history as a TOML sidecar (`DECK.progress.toml`), for `export --with-progress`.

One `[[review]]` block per journal event, holding the unit key, the time, the
rating and the unit's state before and after it, so progress can move to
another machine and be replayed there ("last event wins").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import tomli_w

from retain.core.state import (
    EVENT_KINDS,
    CardState,
    Event,
    EventKind,
    StateError,
    finite_number,
    is_whole,
    validate_state,
)
from retain.core.tomlsafe import TomlFailure, loads_safe
from retain.interop.bundle import Review
from retain.interop.errors import InteropError, LimitError
from retain.store.state.statecodec import KEY_RE, state_table

__all__ = ["events_for_deck", "history_from_toml", "history_to_toml", "sidecar_path"]

FORMAT = 1  # the sidecar format this retain writes and reads


def sidecar_path(deck_path: str) -> str:
    """`kafka.toml` -> `kafka.progress.toml`."""
    return deck_path[:-5] + ".progress.toml" if deck_path.endswith(".toml") else deck_path + ".progress.toml"


def events_for_deck(events: Iterable[Event], deck_id: str) -> list[Review]:
    """The deck's events, minus undo events and the events they took back, as `Review`s."""
    events = list(events)
    undone = {e.undoes for e in events if e.kind == "undo"}
    prefix = f"{deck_id}/"
    return [
        Review(e.key, e.time, e.after, e.before, e.kind, e.rating, e.duration_ms)
        for e in events
        if e.key.startswith(prefix) and e.kind != "undo" and e.id not in undone
    ]


def _review_table(r: Review) -> dict[str, Any]:
    table: dict[str, Any] = {"key": r.key, "kind": r.kind, "time": r.time.astimezone(UTC)}
    if r.rating:
        table["rating"] = r.rating
    if r.duration_ms:
        table["duration_ms"] = r.duration_ms
    if r.after is not None:
        table["after"] = state_table(r.after, rounded=False)
    if r.before is not None:
        table["before"] = state_table(r.before, rounded=False)
    return table


def history_to_toml(deck_id: str, reviews: Iterable[Review]) -> str:
    """The sidecar's text: tomli-w writes the header and the `[[review]]` blocks, a batch at a
    time (a long history is never one big table in memory)."""
    out = [
        "# retain review history (`retain export --with-progress`)\n",
        tomli_w.dumps({"format": FORMAT, "deck": deck_id}),
    ]
    batch: list[dict[str, Any]] = []
    for r in reviews:  # a thousand `[[review]]` blocks per call: a call per review took 4x as long
        batch.append(_review_table(r))
        if len(batch) == _BATCH:
            out.append("\n" + tomli_w.dumps({"review": batch}))
            batch = []
    if batch:
        out.append("\n" + tomli_w.dumps({"review": batch}))
    return "".join(out)


_BATCH = 1000


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DAY_RE = re.compile(r"\d{4}-\d\d-\d\d")


def _aware(value: Any, what: str) -> datetime:
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise StateError(f"{what} must be a date-time with a time zone")
    try:
        at: datetime = value.astimezone(UTC)
    except (OverflowError, ValueError):  # 0001-01-01T00:00:00+01:00
        raise StateError(f"{what} is out of range") from None
    if at < _EPOCH:
        raise StateError(f"{what} is before 1970")
    return at


def _state(raw: Any) -> CardState | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise StateError("state must be an inline table")
    kw: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("due", "last_review"):
            kw[key] = _aware(value, key)
        elif key in ("state", "reps", "lapses", "step"):
            if not is_whole(value) or not -(2**31) < value < 2**31:
                raise StateError(f"{key} must be an integer")
            kw[key] = value
        elif key in ("stability", "difficulty"):
            number = finite_number(value)
            if number is None:
                raise StateError(f"{key} must be a finite number")
            kw[key] = number
        elif key in ("suspended", "leech"):
            if not isinstance(value, bool):
                raise StateError(f"{key} must be true or false")
            kw[key] = value
        elif key == "buried_until":
            if not isinstance(value, str) or not _DAY_RE.fullmatch(value):
                raise StateError("buried_until must be a date like 2024-05-01")
            kw[key] = value
    return validate_state(CardState(**kw))


_BLOCK_RE = re.compile(r"^\[\[review\]\][ \t]*(?:#[^\n]*)?\r?$", re.M)


def _records(text: str, max_events: int) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(record number, its table, or why it cannot be read), one `[[review]]` block at a time.

    Parsing the whole file built every record's table at once: a 62 MB sidecar peaked at
    ~500 MB. Each block is parsed on its own instead (a block is a whole TOML document: the
    exporter writes one-line values), so memory holds one table at a time.
    """
    starts = [m.start() for m in _BLOCK_RE.finditer(text)]
    if len(starts) > max_events:
        raise LimitError(f"progress file has {len(starts)} events; the event-count limit is {max_events}")
    head = loads_safe(text[: starts[0]] if starts else text)
    if isinstance(head, TomlFailure):
        raise InteropError(f"progress file: line {head.line}: {head.message}")
    if "review" in head:
        raise InteropError("progress file: reviews must be `[[review]]` tables, one after another")
    fmt = head.get("format", FORMAT)  # a newer retain's records may not mean what this one reads
    if not (is_whole(fmt) and fmt == FORMAT):
        shown = fmt if is_whole(fmt) else repr(fmt)[:40]
        if is_whole(fmt) and fmt > FORMAT:
            why = f"is newer than this retain reads (format {FORMAT}); update retain, or"
        else:
            why = f"is not one this retain reads (format {FORMAT});"
        raise InteropError(f"progress file: format {shown} {why} import without --with-history")
    line = text.count("\n", 0, starts[0]) if starts else 0
    for n, (start, end) in enumerate(zip(starts, [*starts[1:], len(text)][: len(starts)], strict=True), 1):
        block = text[start:end]
        data = loads_safe(block)
        if isinstance(data, TomlFailure):
            yield n, f"line {line + data.line}: {data.message}"
        else:
            raw = data.get("review")
            yield n, raw[0] if isinstance(raw, list) and len(raw) == 1 else "not one review table"
        line += block.count("\n")


def history_from_toml(text: str, deck_ids: set[str], max_events: int) -> tuple[list[Review], list[str]]:
    """Parse a sidecar; bad records are skipped with a warning, keys outside `deck_ids` too."""
    reviews: list[Review] = []
    warnings: list[str] = []
    for n, rec in _records(text, max_events):
        try:
            if not isinstance(rec, dict):
                raise StateError(rec if isinstance(rec, str) else "not a table")
            key, kind = rec.get("key"), rec.get("kind", "review")
            if not isinstance(key, str) or not KEY_RE.match(key) or key.split("/", 1)[0] not in deck_ids:
                raise StateError(f"key {str(key)[:80]!r} is not a card of the imported deck")
            if kind not in EVENT_KINDS or kind == "undo":
                raise StateError(f"unknown event kind {kind!r}")
            ek: EventKind = kind
            rating, duration = rec.get("rating", 0), rec.get("duration_ms", 0)
            if not (is_whole(rating) and 0 <= rating <= 4 and is_whole(duration) and 0 <= duration < 10**8):
                raise StateError("rating or duration out of range")
            after, before = _state(rec.get("after")), _state(rec.get("before"))
            reviews.append(Review(key, _aware(rec.get("time"), "time"), after, before, ek, rating, duration))
        except StateError as exc:
            warnings.append(f"progress record {n} skipped: {exc}")
    return reviews, warnings
