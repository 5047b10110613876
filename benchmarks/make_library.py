"""Build a synthetic retain library for the benchmarks.

    python benchmarks/make_library.py --cards 50000 --home DIR

writes DIR/decks/ with 50 deck files (the cards spread evenly), then gives 80%
of the cards a few months of review history through retain's own store API:
every rating is a `core.scheduler.Scheduler` preview recorded with
`Collection.record` into the journal (fsync off while generating), and the
collection is closed, which compacts the snapshots. Deterministic for a seed.
Other benchmarks (bench_due.py, bench_rating.py) reuse the folder.
"""

from __future__ import annotations

import argparse
import heapq
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home

__all__ = ["make_library", "write_decks"]

WORDS = [
    "replica",
    "leader",
    "quorum",
    "partition",
    "broker",
    "consumer",
    "offset",
    "log",
    "segment",
    "index",
    "shard",
    "lease",
    "raft",
    "gossip",
    "vector",
    "clock",
    "snapshot",
    "compaction",
    "tombstone",
    "bloom",
    "filter",
    "cache",
    "eviction",
    "queue",
    "backoff",
    "retry",
    "idempotent",
    "checksum",
    "barrier",
    "fence",
    "token",
    "epoch",
    "heartbeat",
    "timeout",
    "split",
    "brain",
]
RATING_WEIGHTS = ((1, 0.1), (2, 0.12), (3, 0.68), (4, 0.1))


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def write_decks(folder: Path, cards: int, decks: int, rng: random.Random) -> list[str]:
    """Write `decks` deck files holding `cards` basic cards in total; return all unit keys."""
    folder.mkdir(parents=True, exist_ok=True)
    keys: list[str] = []
    for d in range(decks):
        deck_id = f"bench-{d:02d}"
        count = cards // decks + (1 if d < cards % decks else 0)
        out = [
            "format = 1",
            "",
            "[deck]",
            f'id = "{deck_id}"',
            f'name = "Benchmark deck {d:02d}"',
            f'group = "Benchmark group {d // 10}"',
            "",
        ]
        for c in range(count):
            card_id = f"card-{c:05d}"
            keys.append(f"{deck_id}/{card_id}")
            out += [
                "[[cards]]",
                f'id = "{card_id}"',
                f'front = "Q{d}.{c}: what does the {_sentence(rng, 6)} do?"',
                f'back = "It keeps the {_sentence(rng, 10)} consistent."',
                "",
            ]
        (folder / f"{deck_id}.toml").write_text("\n".join(out), encoding="utf-8")
    return keys


def make_library(
    home: Path, cards: int, decks: int = 50, history_share: float = 0.8, seed: int = 7
) -> dict[str, float]:
    rng = random.Random(seed)
    random.seed(seed)  # py-fsrs fuzz uses the global RNG
    t0 = time.perf_counter()
    os.environ["RETAIN_HOME"] = str(home)
    keys = write_decks(home / "decks", cards, decks, rng)
    t1 = time.perf_counter()
    now = datetime.now(UTC).replace(microsecond=0)
    col = Collection.open(open_home(), now, fsync=False)
    if col.read_only:
        raise SystemExit(f"{home} is locked by another retain")
    scheduler = Scheduler(StudySettings())
    window = timedelta(days=120)
    heap: list[tuple[datetime, int, str]] = []
    for i, key in enumerate(keys):
        if rng.random() < history_share:
            first = now - window + timedelta(seconds=rng.uniform(0, window.total_seconds() - 7 * 86400))
            heap.append((first, i, key))
    heapq.heapify(heap)
    ratings, weights = zip(*RATING_WEIGHTS, strict=True)
    events = 0
    while heap:
        at, i, key = heapq.heappop(heap)
        before = col.states.get(key)
        rating = rng.choices(ratings, weights)[0]
        after = scheduler.preview(key, before, at)[rating]
        col.record(
            Event(col.new_event_id(at), "review", key, at, after, before, rating, rng.randint(1500, 20000))
        )
        events += 1
        nxt = (after.due or at) + timedelta(seconds=rng.uniform(0, 3600))
        if nxt < now:
            heapq.heappush(heap, (nxt, i, key))
    t2 = time.perf_counter()
    col.close(now)
    t3 = time.perf_counter()
    return {
        "cards": len(keys),
        "events": events,
        "decks_s": t1 - t0,
        "history_s": t2 - t1,
        "compact_s": t3 - t2,
        "total_s": t3 - t0,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    ap.add_argument("--cards", type=int, default=50000)
    ap.add_argument("--decks", type=int, default=50)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    if (args.home / "state").exists():
        print(f"{args.home} already holds a retain state; use an empty folder", file=sys.stderr)
        return 1
    r = make_library(args.home, args.cards, args.decks, seed=args.seed)
    size = sum(p.stat().st_size for p in (args.home / "state").rglob("*") if p.is_file())
    print(
        f"{r['cards']:.0f} cards in {args.decks} decks, {r['events']:.0f} review events "
        f"({size / 1e6:.1f} MB of state) in {r['total_s']:.1f} s "
        f"(decks {r['decks_s']:.1f} s, history {r['history_s']:.1f} s, compaction {r['compact_s']:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
