"""Anki's review log as retain history (approximate FSRS states), for `import --with-history`.

Each revlog row becomes a review event whose `after` state is built from the
row's interval and ease factor; the last event of a card takes the card's real
current state (due date, interval, FSRS memory from `cards.data` when present).
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from retain.core.model import Card
from retain.core.state import LEARNING, RELEARNING, REVIEW, CardState, StateError, validate_state
from retain.interop.anki.ankidb import AnkiCard, AnkiDb
from retain.interop.bundle import Review

__all__ = ["card_reviews", "card_state", "unit_key"]


def unit_key(deck_id: str, card: Card, ord_: int) -> str | None:
    base = f"{deck_id}/{card.id}"
    if card.kind == "cloze":
        return f"{base}:c{ord_ + 1}"
    if card.kind == "reversed":
        return base if ord_ == 0 else f"{base}:reverse" if ord_ == 1 else None
    return base if ord_ == 0 else None


def _difficulty(factor: int) -> float:
    if factor <= 0:
        return 5.0
    return min(10.0, max(1.0, 10.0 - (factor - 1300) / 2200 * 9))


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
    stability = s or float(max(card.ivl, 1)) if state != LEARNING else s or (last.stability if last else None)
    return CardState(
        state=state,
        step=0 if state != REVIEW else None,
        stability=stability,
        difficulty=d or _difficulty(card.factor),
        due=due,
        last_review=last_review or due - timedelta(days=max(card.ivl, 1)),
        reps=card.reps,
        lapses=card.lapses,
        suspended=card.queue == -1,
    )


def card_reviews(db: AnkiDb, cards: list[AnkiCard], notes: Mapping[int, tuple[str, Card]]) -> list[Review]:
    keys: dict[int, str] = {}
    by_id = {c.id: c for c in cards}
    for c in cards:
        found = notes.get(c.nid)
        key = unit_key(found[0], found[1], c.ord) if found else None
        if key:
            keys[c.id] = key
    rows: dict[int, list[tuple[int, int, int, int, int, int]]] = defaultdict(list)
    for rid, cid, ease, ivl, factor, ms, typ in db.revlog():
        if cid in keys and 1 <= ease <= 4 and typ in (0, 1, 2, 3):
            rows[cid].append((rid, ease, ivl, factor, ms, typ))
    out: list[Review] = []
    for cid, log in rows.items():
        prev: CardState | None = None
        events: list[Review] = []
        for rid, ease, ivl, factor, ms, _typ in log:
            at = datetime.fromtimestamp(rid / 1000, UTC)
            span = timedelta(days=ivl) if ivl > 0 else timedelta(seconds=max(-ivl, 60))
            was_review = prev is not None and prev.state in (REVIEW, RELEARNING)
            state = REVIEW if ivl > 0 else RELEARNING if was_review else LEARNING
            after = CardState(
                state=state,
                step=None if state == REVIEW else 0,
                stability=max(span / timedelta(days=1), 0.01),
                difficulty=_difficulty(factor),
                due=at + span,
                last_review=at,
                reps=(prev.reps if prev else 0) + 1,
                lapses=(prev.lapses if prev else 0)
                + (1 if ease == 1 and prev and prev.state == REVIEW else 0),
            )
            events.append(Review(keys[cid], at, after, prev, "review", ease, max(0, min(ms, 10**7))))
            prev = after
        final = card_state(by_id[cid], db.crt, prev, prev.due if prev and prev.due else datetime.now(UTC))
        if events and final is not None:
            events[-1] = Review(
                events[-1].key,
                events[-1].time,
                final,
                events[-1].before,
                "review",
                events[-1].rating,
                events[-1].duration_ms,
            )
        for e in events:
            try:
                validate_state(e.after) if e.after else None
                out.append(e)
            except StateError:
                continue
    out.sort(key=lambda r: r.time)
    return out
