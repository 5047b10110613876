"""The cyclic garbage collector, run after a paint instead of inside a key's work.

Python's collector starts a collection whenever enough objects were made,
which during a study session is in the middle of a key's handling and
layout: a young collection costs 0.3-1 ms, a full one 8-15 ms (every ~15
cards at 50k cards), which was most of the slowest keys (p95) from a key press
to the next card painted. While the study screen is the current screen the
automatic collector is off (`hold`), and `collect_due` runs, after each
paint, the collection the automatic one would have run by then (the same
generation thresholds): the same collections, but when the learner is
reading the card, not waiting for it. Another screen on top (help, editor)
gets the automatic collector back (`release`).
"""

from __future__ import annotations

import gc

__all__ = ["DeferredGC"]


class DeferredGC:
    """Holds the automatic collector off; `collect_due` collects what is due, at a moment of our choosing."""

    def __init__(self) -> None:
        self.held = False  # this object turned the collector off (and will turn it on again)

    def hold(self) -> None:
        """Turn automatic collection off, unless someone else already did (start-up keeps it off)."""
        if not self.held and gc.isenabled():
            gc.disable()
            self.held = True

    def release(self) -> None:
        """Give automatic collection back (only if `hold` took it)."""
        if self.held:
            self.held = False
            gc.enable()

    def collect_due(self) -> int | None:
        """Run the oldest generation whose count is over its threshold, as the automatic collector
        would (counts are reset by the collection); the generation collected, or None."""
        if not self.held:
            return None
        counts = gc.get_count()
        thresholds = gc.get_threshold()
        for generation in (2, 1, 0):
            threshold = thresholds[generation] if generation < len(thresholds) else 0
            if threshold > 0 and counts[generation] > threshold:
                gc.collect(generation)
                return generation
        return None
