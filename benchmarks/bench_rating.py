"""The rating path at 50k cards: preview -> record (durable append) -> next card.

    python benchmarks/make_library.py --cards 50000 --home /tmp/lib50k     # once
    python benchmarks/bench_rating.py --home /tmp/lib50k [--ratings 2000]

Works on a copy of the library (the original is left as it is). Opens the
collection, starts a session over every deck and times, per rating:
`previews` (four FSRS outcomes, computed once per card) + `reveal` + `rate`
(the journal append, flushed, fsynced when on, then the queue picks the next
card). Printed with fsync off and on; also the journal append alone, and the
cost of closing (compacting the 50 snapshots). A rating never rewrites a file.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from measure import settled_copy  # benchmarks/ is on the path: run as a script

from retain.core.state import Event
from retain.store.collection import Collection
from retain.store.home import open_home

__all__ = ["bench"]


def _pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))]


def bench(home: Path, ratings: int, fsync: bool) -> dict[str, float]:
    now = datetime.now(UTC)
    home_ = open_home({"RETAIN_HOME": str(home)})
    warm = Collection.open(home_, now)  # the copy's derived caches are cold (new inodes): warm them,
    warm.history_index.refresh(now)  # the history index too (the session asks it for today's log)
    warm.close(now)
    t = time.perf_counter()
    col = Collection.open(home_, now, fsync=fsync)
    opened = time.perf_counter() - t
    t = time.perf_counter()
    session = col.start_session(None, now)
    started = time.perf_counter() - t
    times: list[float] = []
    appends: list[float] = []
    for i in range(ratings):
        at = now + timedelta(seconds=8 * i)
        if session.current is None:
            break
        t0 = time.perf_counter()
        session.previews(at)
        session.reveal()
        session.rate((3, 3, 3, 1, 4, 2)[i % 6], at + timedelta(seconds=4), 4000)
        times.append(time.perf_counter() - t0)
    # the durable append alone (Collection.record), on the same journal
    key = col.units[0].key
    for i in range(min(ratings, 1000)):
        at = now + timedelta(days=1, seconds=i)
        after = col.states.get(key)
        t0 = time.perf_counter()
        col.record(Event(col.new_event_id(at), "suspend" if i % 2 else "unsuspend", key, at, after, after))
        appends.append(time.perf_counter() - t0)
    t = time.perf_counter()
    col.close(now + timedelta(days=2))
    closed = time.perf_counter() - t
    return {
        "n": len(times),
        "median_ms": statistics.median(times) * 1000,
        "p95_ms": _pct(times, 0.95) * 1000,
        "append_median_ms": statistics.median(appends) * 1000,
        "open_s": opened,
        "session_s": started,
        "close_s": closed,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description="rating-path latency at 50k cards")
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--ratings", type=int, default=2000)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="retain-bench-rating-") as tmp:
        for fsync in (False, True):
            copy = Path(tmp) / f"home-{fsync}"
            settled_copy(args.home, copy, ignore=shutil.ignore_patterns("writer.lock"))
            r = bench(copy, args.ratings, fsync)
            print(
                f"fsync {'on ' if fsync else 'off'}: {r['n']:.0f} ratings, preview+record+next median "
                f"{r['median_ms']:.3f} ms, p95 {r['p95_ms']:.3f} ms; journal append alone median "
                f"{r['append_median_ms']:.3f} ms"
            )
        print(
            f"at 50k: Collection.open (warm caches, with cards) {r['open_s']:.2f} s, start_session (queue) {r['session_s']:.2f} s, "
            f"close (compact the touched decks) {r['close_s']:.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
