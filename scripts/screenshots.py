"""Regenerate the SVG screenshots in `screenshots/` from the real app and the bundled decks.

    python scripts/screenshots.py [--out screenshots] [--size 100x30]

Each picture is taken from `retain.ui.app.make_app` over a real Collection in a
throwaway RETAIN_HOME, driven by key presses through Textual's Pilot, with a
clock that starts at a fixed time and moves a few seconds per card (so the
summary shows a plausible time) and interval fuzz off (so intervals are stable).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from textual.pilot import Pilot

__all__ = ["main", "take_all"]

START = datetime(2025, 3, 10, 18, 30, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
TYPED_CARD = "consul/consensus"  # a bundled typed card with `accept` alternatives

Steps = Callable[[Pilot[None]], Awaitable[None]]
COMMAND_DECK = """format = 1

[deck]
id = "kubectl"
name = "kubectl"

[[cards]]
id = "logs-follow"
kind = "typed"
front = "Follow the logs of the `app` container of pod `web-1`."
back = "kubectl logs -f web-1 -c app"
match = "command"
aliases = { "-f" = "--follow", "-c" = "--container" }
"""


class TickingClock:
    """A fixed start that moves `step` forward on every reading."""

    def __init__(self, start: datetime, step: timedelta) -> None:
        self.now = start
        self.step = step

    def __call__(self) -> datetime:
        self.now += self.step
        return self.now


async def shoot(
    out: Path, name: str, size: tuple[int, int], steps: Steps, review: list[str] | None, clock: TickingClock
) -> None:
    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app

    home = open_home()
    collection = Collection.open(home, clock.now, tz=UTC)
    try:
        app = make_app(
            collection,
            clock,
            config=home.config,
            decks_dir=home.paths.decks_dir,
            review=review,
            start_in_review=review is not None,
        )
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            await steps(pilot)
            await pilot.pause()
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
            print(f"wrote {out / name}.svg")
    finally:
        collection.close(clock.now)


async def take_all(out: Path, size: tuple[int, int]) -> None:
    clock = TickingClock(START, timedelta(seconds=4))

    async def nothing(pilot: Pilot[None]) -> None:
        return None

    async def reveal(pilot: Pilot[None]) -> None:
        await pilot.press("space")

    async def three_and_end(pilot: Pilot[None]) -> None:
        await pilot.press("space", "3", "space", "1", "space", "3", "space", "4", "escape")

    async def to_typed(pilot: Pilot[None]) -> None:
        """Study until the Raft card comes up, then type it with a typo."""
        for _ in range(40):
            unit = pilot.app.screen.session.current  # type: ignore[attr-defined]
            if unit is None or unit.key == TYPED_CARD:
                break
            if unit.kind == "typed":
                await pilot.press("enter", "3")
            else:
                await pilot.press("space", "3")
        await pilot.press(*"the raft algoritm", "enter")

    async def typed_command(pilot: Pilot[None]) -> None:
        """The flags in another order, one value wrong: the check names the flag."""
        await pilot.press(*"kubectl logs web-1 --follow -c sidecar", "enter")

    async def help_screen(pilot: Pilot[None]) -> None:
        await pilot.press("f1")

    async def stats_screen(pilot: Pilot[None]) -> None:
        await pilot.press("t")
        for _ in range(500):  # the figures are computed in a worker
            if getattr(pilot.app.screen, "data", None) is not None and not pilot.app.screen.workers:
                break
            await pilot.pause(0.02)

    kafka = ["kafka"]
    await shoot(out, "study-front", size, nothing, kafka, clock)
    await shoot(out, "study-revealed", size, reveal, kafka, clock)
    await shoot(out, "summary", size, three_and_end, kafka, clock)
    await shoot(out, "typed-diff", size, to_typed, [TYPED_CARD.partition("/")[0]], clock)
    await shoot(out, "home", size, nothing, None, clock)
    await shoot(out, "help", size, help_screen, None, clock)
    with tempfile.TemporaryDirectory(prefix="retain-shots-command-") as tmp:  # an answer check
        home_before = os.environ.get("RETAIN_HOME")
        os.environ["RETAIN_HOME"] = tmp
        Path(tmp, "decks").mkdir()
        Path(tmp, "decks", "kubectl.toml").write_text(COMMAND_DECK, encoding="utf-8")
        await shoot(out, "answer-check", size, typed_command, ["kubectl"], clock)
        if home_before is not None:
            os.environ["RETAIN_HOME"] = home_before
    with tempfile.TemporaryDirectory(prefix="retain-shots-stats-") as tmp:  # a home with a history
        os.environ["RETAIN_HOME"] = tmp
        Path(tmp, "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
        write_history(START, days=120)
        await shoot(
            out, "stats", (size[0], max(size[1], 40)), stats_screen, None, TickingClock(START, timedelta())
        )


def write_history(now: datetime, days: int) -> None:
    """A plausible, deterministic history over the bundled decks: daily sessions with a few gaps,
    recorded in time order through the real Collection (so states and journal agree)."""
    from retain.core.state import REVIEW, CardState, Event
    from retain.store.collection import Collection
    from retain.store.home import open_home

    col = Collection.open(open_home(), now, tz=UTC, fsync=False)
    try:
        keys = [u.key for u in col.units]
        for back in range(days, 0, -1):
            if back % 9 == 4 or back in (40, 41):
                continue  # days off
            day = now - timedelta(days=back)
            for n in range(8 + (back * 7) % 13):
                key = keys[(back * 5 + n * 3) % len(keys)]
                at = day.replace(hour=7 + (n * 5 + back) % 14, minute=(n * 11) % 60)
                before = col.states.get(key)
                ivl = 1 + (back * n) % 60 if before is not None else 1
                rating = 1 if (back + n) % 11 == 0 else 2 if (back + n) % 7 == 0 else 4 if n % 9 == 0 else 3
                after = CardState(REVIEW, None, float(ivl), 5.0, at + timedelta(days=ivl), at, 2, 0)
                col.record(
                    Event(col.new_event_id(at), "review", key, at, after, before, rating, 4000 + 900 * n)
                )
    finally:
        col.close(now)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="regenerate screenshots/*.svg from the real app")
    ap.add_argument("--out", type=Path, default=ROOT / "screenshots")
    ap.add_argument("--size", default="100x30", help="terminal size, WIDTHxHEIGHT")
    args = ap.parse_args(argv)
    width, _, height = args.size.partition("x")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="retain-shots-") as tmp:
        os.environ["RETAIN_HOME"] = tmp
        Path(tmp, "config.toml").write_text("[study]\nfuzz = false\n", encoding="utf-8")
        asyncio.run(take_all(args.out.resolve(), (int(width), int(height))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
