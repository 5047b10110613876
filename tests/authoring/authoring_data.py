"""Fixed decks, progress and clock for the authoring UI tests (used by conftest.py and the tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.state import LEARNING, REVIEW, CardState, Event
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp

__all__ = [
    "DECKS",
    "FIXED_NOW",
    "HOSTILE",
    "KAFKA",
    "PROGRESS",
    "SIZE",
    "OpenApp",
    "add_progress",
    "fixed_clock",
]

FIXED_NOW = datetime(2025, 3, 10, 12, 0, tzinfo=UTC)
SIZE = (100, 30)

KAFKA = '''format = 1
# Kafka: written by hand; comments and layout must survive edits in the app.

[deck]
id = "kafka"
name = "Apache Kafka"
group = "Distributed Systems"

[[cards]]
id = "partitions"
front = "What lets **Kafka** read and write a topic in parallel?"
back = "**Partitioning**: a topic is split into partitions."   # the key idea
extra = "Ordering holds only *within* one partition."

[[cards]]
id = "isr"
front = "What is an in-sync replica (ISR)?"
back = "A follower that has caught up with the leader."

[[cards]]
id = "acks"
front = """Which producer setting waits for
every in-sync replica?"""
back = "`acks=all`"
tags = ["producer"]
'''

REDIS = """format = 1

[deck]
id = "redis"
name = "Redis"
group = "Distributed Systems"

[[cards]]
id = "persistence"
kind = "cloze"
text = "Redis keeps data {{c1::in memory::where?}} and persists it with {{c2::RDB snapshots}} or the AOF."
extra = "AOF = append-only file."
"""

SPANISH = """format = 1

[deck]
id = "spanish"
name = "Spanish words"

[[cards]]
id = "hello"
kind = "reversed"
front = "hola"
back = "hello"
"""

DECKS = {"kafka.toml": KAFKA, "redis.toml": REDIS, "spanish.toml": SPANISH}
OpenApp = Callable[..., RetainApp]


def fixed_clock() -> datetime:
    return FIXED_NOW


def _state(state: int, days: float, lapses: int = 0, **flags: object) -> CardState:
    last = FIXED_NOW - timedelta(days=2)
    return CardState(state, None, 4.0, 6.0, last + timedelta(days=days), last, 3 + lapses, lapses, **flags)  # type: ignore[arg-type]


PROGRESS = {
    "kafka/partitions": _state(REVIEW, 12),
    "kafka/isr": _state(REVIEW, 1, lapses=8, leech=True, suspended=True),
    "redis/persistence:c2": _state(LEARNING, 2.01),
}


def add_progress(root: Path) -> None:
    with Collection.open(open_home({"RETAIN_HOME": str(root)}), FIXED_NOW, tz=UTC) as col:
        for key, after in PROGRESS.items():
            at = after.last_review or FIXED_NOW
            col.record(Event(col.new_event_id(at), "review", key, at, after, None, 3, 1000))


# Card text that tries to reach the terminal or run actions (TOML escapes put raw control characters in).
HOSTILE = r"""format = 1

[deck]
id = "hostile"
name = "Hostile \u001b]0;deck-title\u0007 deck"

[[cards]]
id = "evil"
front = "clip \u001b]52;c;aGVsbG8=\u0007 [@click=app.quit]click me[/] and [/bold] bidi \u202egnp.exe"
back = "[link](http://evil.example/) [@click=app.screenshot()]shot[/] \u001b[2J"
tags = ["x\u001b[31m"]
"""

# a one-card deck (the deck-edit lock tests)
TINY = """format = 1

[deck]
id = "tiny"
name = "Tiny deck"

[[cards]]
id = "one"
front = "One?"
back = "1"
"""
