"""Child process for the SIGKILL test: rate cards in a loop, print each acknowledged event id.

Usage: python sigkill_child.py SEED   (RETAIN_HOME must point at a home with decks)

After `record` returns the event is durable; only then is its id printed (and
flushed). Every few ratings the snapshots are compacted, so kills also land in
the middle of atomic snapshot rewrites.
"""

from __future__ import annotations

import random
import sys
from datetime import UTC, datetime, timedelta

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home


def main() -> None:
    rng = random.Random(int(sys.argv[1]))
    now = datetime.now(UTC)
    col = Collection.open(open_home(), now)
    if col.read_only:
        print("READONLY", flush=True)
        return
    keys = sorted(u.key for u in col.units if u.deck_id == "tiny")
    scheduler = Scheduler(StudySettings())
    print("READY", flush=True)
    n = 0
    while True:
        n += 1
        at = now + timedelta(seconds=n)
        key = rng.choice(keys)
        before = col.states.get(key)
        after = scheduler.preview(key, before, at)[rng.choice((1, 2, 3, 4))]
        event = Event(col.new_event_id(at), "review", key, at, after, before, 3, n)
        col.record(event)
        print(event.id, flush=True)
        if n % 5 == 0:
            col.compact(at)


if __name__ == "__main__":
    main()
