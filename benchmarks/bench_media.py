"""Image cards: key press to the card painted with its image, and decoding a 50 MB image.

    python benchmarks/bench_media.py [--cards 60] [--size 800x600] [--format png|jpg] [--text-only]

1. A temporary library of `--cards` basic cards, each with its own image
   (a `--size` photo-like gradient with noise, PNG or `--format jpg`) between
   two lines of text,
   studied in-process with Textual's Pilot in the half-block fallback
   (`RETAIN_IMAGES=halfcell`, what snapshot tests use; Kitty and Sixel send
   the same decoded image). For each card, "3" rates the previous card and the
   time to the first paint that shows the next card's image drawn is recorded
   (cold: the image is decoded in a worker first); then Space reveals, and the
   time to the paint of the back, with the front's image again (warm: cached).
   Printed: median and p95 of each (target: p95 <= 50 ms), and the process's
   CPU time from the key until the benchmark saw the paint (less sensitive to
   a busy machine; it can include work done just after the paint).
   `--text-only` runs the same cards with a line of text in place of each
   image: the baseline on the same machine at the same load.
2. A 50 MB PNG (4200x4000 noise, stored uncompressed): time to decode and
   scale it in `load_image` (the worker's work), and the longest gap a 5 ms
   ticker on the main thread saw meanwhile (how long the screen could stall).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from measure import latency_line  # benchmarks/ is on the path: run as a script

__all__ = ["main"]


CPU: dict[str, list[float]] = {}  # process CPU time (all threads) per measured key, by key


def _library(
    home: Path, cards: int, size: tuple[int, int], *, text_only: bool = False, fmt: str = "png"
) -> None:
    from PIL import Image

    decks = home / "decks"
    media = decks / "photos.media"
    media.mkdir(parents=True)
    w, h = size
    lines = ['format = 1\n\n[deck]\nid = "photos"\nname = "Photos"\n']
    for i in range(cards):
        base = Image.linear_gradient("L").resize((w, h)).convert("RGB")
        noise = Image.frombytes("RGB", (w, h), os.urandom(w * h * 3))
        Image.blend(base, noise, 0.3 + (i % 5) / 20).save(media / f"p{i}.{fmt}")
        image = f"a picture, number {i}" if text_only else f"![image](photos.media/p{i}.{fmt})"
        lines.append(
            f'[[cards]]\nid = "c{i}"\nfront = "Card {i}: what is this?\\n\\n{image}'
            f'\\n\\nName it."\nback = "Answer {i}."\n'
        )
    (decks / "photos.toml").write_text("\n".join(lines), encoding="utf-8")
    (home / "config.toml").write_text("[study]\nnew_per_day = 9999\nfuzz = false\n", encoding="utf-8")


async def _paints(home: Path, cards: int, text_only: bool = False) -> dict[str, list[float]]:
    from retain.store import home as store_home
    from retain.store.collection import Collection
    from retain.store.home import open_home
    from retain.ui.app import make_app
    from retain.ui.screens.study import StudyScreen

    os.environ["RETAIN_HOME"] = str(home)
    os.environ["RETAIN_IMAGES"] = "halfcell"
    store_home.bundled_decks_dir = lambda: None  # type: ignore[assignment]  # only the photo deck
    home_ = open_home()
    collection = Collection.open(home_, datetime.now(UTC))
    app = make_app(collection, config=home_.config, review=["photos"], start_in_review=True)
    paints: list[tuple[float, str | None, str, bool]] = []
    results: dict[str, list[float]] = {"next card with image (cold)": [], "reveal, image again (warm)": []}

    def state() -> tuple[str | None, str, bool]:
        screen = app.screen
        if isinstance(screen, StudyScreen) and screen.session.current is not None:
            drawn = text_only or bool(screen.query(".media-image"))
            return screen.session.current.key, screen.session.phase, drawn
        return None, "", False

    async def measure(key: str, done: Any, into: list[float]) -> None:
        start = time.perf_counter()
        cpu = time.process_time()
        mark = len(paints)
        await pilot.press(key)
        deadline = time.perf_counter() + 30
        while time.perf_counter() < deadline:
            for when, k, phase, drawn in paints[mark:]:
                if when >= start and done(k, phase, drawn):
                    into.append(when - start)
                    CPU.setdefault(key, []).append(time.process_time() - cpu)
                    await pilot.pause()
                    return
            await asyncio.sleep(0.0005)
        raise RuntimeError(f"no paint after {key!r}")

    try:
        async with app.run_test(size=(100, 34)) as pilot:
            display = app._display

            def spy(screen: Any, update: Any) -> None:
                paints.append((time.perf_counter(), *state()))
                display(screen, update)

            app._display = spy  # type: ignore[method-assign]
            for _ in range(200):
                if state()[2]:
                    break
                await pilot.pause(0.02)
            for _ in range(cards - 1):
                key, _phase, _drawn = state()
                await measure(
                    "space",
                    lambda k, p, d, key=key: k == key and p == "back" and d,
                    results["reveal, image again (warm)"],
                )
                await measure(
                    "3",
                    lambda k, p, d, key=key: k not in (key, None) and d,
                    results["next card with image (cold)"],
                )
    finally:
        collection.close()
    return results


def _big_decode(folder: Path) -> str:
    from PIL import Image

    from retain.ui.media import load_image

    path = folder / "big.png"
    Image.frombytes("RGB", (4200, 4000), os.urandom(4200 * 4000 * 3)).save(path, compress_level=0)
    st = path.stat()
    gaps: list[float] = []
    done = threading.Event()

    def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            time.sleep(0.005)
            now = time.perf_counter()
            gaps.append(now - last)
            last = now

    thread = threading.Thread(target=ticker)
    thread.start()
    start = time.perf_counter()
    result = load_image(path, st.st_size, st.st_mtime_ns)
    took = time.perf_counter() - start
    done.set()
    thread.join()
    shown = result if isinstance(result, str) else f"scaled to {result.width}x{result.height}"
    return (
        f"{st.st_size / 1e6:.1f} MB PNG: {shown} in {took * 1000:.0f} ms (a worker thread); "
        f"longest main-thread gap meanwhile {max(gaps) * 1000:.0f} ms"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description="retain image-card paint benchmark")
    ap.add_argument("--cards", type=int, default=60)
    ap.add_argument("--size", default="800x600", help="each card's image, WIDTHxHEIGHT pixels")
    ap.add_argument("--format", choices=("png", "jpg"), default="png", help="the images' file format")
    ap.add_argument(
        "--text-only", action="store_true", help="the same cards with a line of text for the image"
    )
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.lower().split("x"))
    with tempfile.TemporaryDirectory(prefix="retain-bench-media-") as tmp:
        home = Path(tmp)
        _library(home, args.cards, (w, h), text_only=args.text_only, fmt=args.format)
        results = asyncio.run(_paints(home, args.cards, args.text_only))
        what = (
            "text in place of images"
            if args.text_only
            else f"{w}x{h} {args.format} each, half-block fallback"
        )
        print(f"image cards ({args.cards} cards, {what}, 100x34 terminal):")
        for (name, values), key in zip(results.items(), ("space", "3"), strict=True):
            print(f"  {name}: {latency_line(values)}")
            print(f"    CPU time of the process meanwhile: {latency_line(CPU[key])}")
        if not args.text_only:
            print(f"  {_big_decode(home)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
