"""Anki's review log as retain history with FSRS memory states, for `import --with-history`.

Each revlog row becomes a review event. Its `after` state holds the FSRS
memory (stability, difficulty) that fsrs-rs computes by replaying the card's
log up to that row (`historical_memory_state_batch`, FSRS's default weights,
days counted from a 4 am UTC rollover); its due date is the row's interval.
A log that does not start with a learning row (trimmed, or a card made before
the log) starts from `memory_state_from_sm2` of its first row's ease and
interval; a manual "Forget" row starts the card over. Rows of manual
rescheduling and cramming without rescheduling are not reviews. The last event
of a card takes the card's real current state (due date, and the FSRS memory
from `cards.data` when Anki had FSRS on; otherwise the replayed memory, or
`memory_state_from_sm2` of the card's ease and interval).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta

import fsrs_rs_python as rs

from retain.core.model import Card
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, StateError
from retain.interop.anki.ankidb import AnkiCard, AnkiDb
from retain.interop.bundle import Review

__all__ = ["card_reviews", "card_state", "memory_from_log", "sm2_memory", "unit_key"]

_SM2_RETENTION = 0.9
_ROLLOVER_S = 4 * 3600
_MODEL = rs.FSRS(list(rs.DEFAULT_PARAMETERS))
Row = tuple[int, int, int, int, int, int]  # revlog id (ms), ease, ivl, factor, time ms, type


def unit_key(deck_id: str, card: Card, ord_: int) -> str | None:
    base = f"{deck_id}/{card.id}"
    if card.kind == "cloze":
        return f"{base}:c{ord_ + 1}"
    if card.kind == "reversed":
        return base if ord_ == 0 else f"{base}:reverse" if ord_ == 1 else None
    return base if ord_ == 0 else None


def sm2_memory(factor: int, ivl: int) -> tuple[float, float]:
    """FSRS memory (stability, difficulty) from SM-2 ease (permille) and interval (days), via fsrs-rs."""
    ease = factor / 1000 if factor > 0 else 2.5
    state = _MODEL.memory_state_from_sm2(max(1.3, ease), float(max(ivl, 1)), _SM2_RETENTION)
    return _clean(state.stability, state.difficulty)


def _clean(s: float, d: float) -> tuple[float, float]:
    s = float(s) if math.isfinite(s) and s > 0 else 0.01
    d = min(10.0, max(1.0, float(d))) if math.isfinite(d) else 5.0
    return max(s, 0.01), d


def _day(rid: int) -> int:
    return (rid // 1000 - _ROLLOVER_S) // 86400


def memory_from_log(logs: Sequence[Sequence[Row]]) -> list[list[tuple[float, float]]]:
    """Per card, the FSRS memory after each of its rows (rows already filtered, in time order)."""
    items: list[rs.FSRSItem] = []
    starts: list[rs.MemoryState | None] = []
    for log in logs:
        first = log[0]
        start = None if first[5] == 0 else rs.MemoryState(*sm2_memory(first[3], first[2]))
        rows = log if start is None else log[1:]
        prev = _day(first[0])
        reviews = []
        for rid, ease, *_ in rows:
            reviews.append(rs.FSRSReview(ease, max(0, _day(rid) - prev)))
            prev = _day(rid)
        items.append(rs.FSRSItem(reviews))
        starts.append(start)
    out: list[list[tuple[float, float]]] = []
    nonempty = [i for i, log in enumerate(logs) if starts[i] is None or len(log) > 1]
    try:
        batch = _MODEL.historical_memory_state_batch(
            [items[i] for i in nonempty], [starts[i] for i in nonempty]
        )
    except (KeyboardInterrupt, SystemExit, MemoryError):
        raise
    except BaseException:  # fsrs-rs refused the log (a Rust panic too): SM-2 memory for every row
        return [[sm2_memory(r[3], r[2]) for r in log] for log in logs]
    found = dict(zip(nonempty, batch, strict=True))
    for i, log in enumerate(logs):
        # With a starting state fsrs-rs returns it first, then the state after each review.
        memories = [_clean(m.stability, m.difficulty) for m in found.get(i, [])]
        start = starts[i]
        if start is not None and not memories:
            memories = [_clean(start.stability, start.difficulty)]
        out.append(memories[: len(log)])
    return out


def _memory(data: str) -> tuple[float | None, float | None]:
    try:
        raw = json.loads(data) if data else {}
    except (ValueError, RecursionError):
        return None, None
    if not isinstance(raw, dict):
        return None, None
    s, d = raw.get("s"), raw.get("d")
    ok = [
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) and v > 0 for v in (s, d)
    ]
    return (float(s) if ok[0] else None), (min(10.0, float(d)) if ok[1] else None)  # type: ignore[arg-type]


def card_state(card: AnkiCard, crt: int, last: CardState | None, now_fallback: datetime) -> CardState | None:
    """The card's current scheduling as a CardState (None for new cards)."""
    if card.type == 0:
        return None
    s, d = _memory(card.data)
    last_review = last.last_review if last else None
    if card.type == 2:
        due = datetime.fromtimestamp(crt, UTC) + timedelta(days=card.due)
        state = REVIEW
    else:
        due = datetime.fromtimestamp(card.due, UTC) if card.due > 10**8 else now_fallback
        state = LEARNING if card.type == 1 else RELEARNING
    if s is None or d is None:
        if last is not None and last.stability is not None and last.difficulty is not None:
            s, d = s or last.stability, d or last.difficulty  # the replayed log
        else:
            sm_s, sm_d = sm2_memory(card.factor, card.ivl)
            s, d = s or sm_s, d or sm_d
    return CardState(
        state=state,
        step=0 if state != REVIEW else None,
        stability=s,
        difficulty=d,
        due=due,
        last_review=last_review or due - timedelta(days=max(card.ivl, 1)),
        reps=card.reps,
        lapses=card.lapses,
        suspended=card.queue == -1,
    )


def _card_events(
    key: str, log: list[Row], memory: list[tuple[float, float]], card: AnkiCard, crt: int
) -> list[Review]:
    """One card's rows as events; the store checks each state when it records them."""
    prev: CardState | None = None
    events: list[Review] = []
    for (rid, ease, ivl, _factor, ms, _typ), (stability, difficulty) in zip(log, memory, strict=True):
        at = datetime.fromtimestamp(rid / 1000, UTC)
        span = timedelta(days=ivl) if ivl > 0 else timedelta(seconds=max(-ivl, 60))
        was_review = prev is not None and prev.state in (REVIEW, RELEARNING)
        state = REVIEW if ivl > 0 else RELEARNING if was_review else LEARNING
        after = CardState(
            state,
            None if state == REVIEW else 0,
            stability,
            difficulty,
            at + span,
            at,
            (prev.reps if prev else 0) + 1,
            (prev.lapses if prev else 0) + (1 if ease == 1 and prev and prev.state == REVIEW else 0),
        )
        events.append(Review(key, at, after, prev, "review", ease, max(0, min(ms, 10**7))))
        prev = after
    final = card_state(card, crt, prev, prev.due if prev and prev.due else datetime.now(UTC))
    if events and final is not None:
        last = events[-1]
        events[-1] = Review(last.key, last.time, final, last.before, "review", last.rating, last.duration_ms)
    return events


def card_reviews(db: AnkiDb, cards: list[AnkiCard], notes: Mapping[int, tuple[str, Card]]) -> list[Review]:
    keys: dict[int, str] = {}
    by_id = {c.id: c for c in cards}
    for c in cards:
        found = notes.get(c.nid)
        key = unit_key(found[0], found[1], c.ord) if found else None
        if key:
            keys[c.id] = key
    rows: dict[int, list[Row]] = defaultdict(list)
    for rid, cid, ease, ivl, factor, ms, typ in db.revlog():
        if cid not in keys:
            continue
        if typ == 4 and ease == 0 and ivl == 0:  # "Forget": the card starts over
            rows[cid] = []
        elif 1 <= ease <= 4 and typ in (0, 1, 2, 3) and not (typ == 3 and factor == 0):
            rows[cid].append((rid, ease, ivl, factor, ms, typ))
    logs = {cid: sorted(log) for cid, log in rows.items() if log}
    memories = dict(zip(logs, memory_from_log(list(logs.values())), strict=True))
    out: list[Review] = []
    for cid, log in logs.items():
        try:
            out += _card_events(keys[cid], log, memories[cid], by_id[cid], db.crt)
        except (OverflowError, OSError, ValueError, StateError):  # dates past year 9999: a hostile log
            continue
    out.sort(key=lambda r: r.time)
    return out
