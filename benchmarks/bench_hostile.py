"""Time `retain check` and `retain due` on generated worst-case deck files (issue 11's goal: linear, <= 2 s/MB).

    python benchmarks/bench_hostile.py                   # every case at 1 MB, in-process
    python benchmarks/bench_hostile.py --sizes 1 4 10    # several sizes (MB): shows the growth
    python benchmarks/bench_hostile.py --cli --sizes 10  # the real commands in a subprocess
    python benchmarks/bench_hostile.py --imports         # also the .md, .tsv and Anki HTML parsers

In-process it times what both commands do with one deck file: parse and
validate (`core.deckfile.parse_deck`), expand the review units, run the author
lint and format every problem. `--cli` runs `retain check FILE` and `retain due`
twice (a fresh RETAIN_HOME holding the deck: the first `due` parses it and
fills the parse cache, the second reads the cache), printing wall-clock and
CPU seconds (user + system) of each whole process, and s/MB of the slowest. The cases
come from `tests/hostile/worst.py`, shared with the hostile tests. For reference
it also prints the stdlib TOML parser's time on the same text: the floor.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "hostile"))

from worst import DECKS, HTML, MARKDOWN, TSV  # noqa: E402

from retain.core.deckfile import parse_deck  # noqa: E402
from retain.core.lint import lint_deck  # noqa: E402
from retain.core.units import expand_deck  # noqa: E402
from retain.interop.anki.ankitext import read_anki_text  # noqa: E402
from retain.interop.errors import InteropError  # noqa: E402
from retain.interop.html import html_to_text  # noqa: E402
from retain.interop.limits import Limits  # noqa: E402
from retain.interop.markdown import read_markdown  # noqa: E402


def in_process(text: str) -> float:
    start = time.perf_counter()
    result = parse_deck(text, "hostile.toml")
    if result.deck is not None:
        expand_deck(result.deck)
        lint_deck(result.deck)
    for problem in result.problems:
        str(problem)
    return time.perf_counter() - start


def toml_floor(text: str) -> float:
    start = time.perf_counter()
    with contextlib.suppress(tomllib.TOMLDecodeError):
        tomllib.loads(text)
    return time.perf_counter() - start


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds: user + system) of one `retain` process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "retain", *args], env=env, capture_output=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cli(text: str) -> list[tuple[float, float]]:
    """`retain check FILE`, then `retain due` cold (fresh home: no parse cache) and warm (cache filled)."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / "decks").mkdir()
        deck = home / "decks" / "hostile.toml"
        deck.write_text(text, "utf-8")
        env = {**os.environ, "RETAIN_HOME": str(home)}
        return [_run(["check", str(deck)], env), _run(["due"], env), _run(["due"], env)]


def import_parser(name: str, text: str) -> float:
    """Seconds (CPU) the import parser for `name`'s format takes on `text`; a refusal counts as done."""
    start = time.process_time()
    if name in HTML:
        html_to_text(text, lambda src: None)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("deck.md" if name in MARKDOWN else "deck.tsv")
            path.write_text(text, "utf-8")
            start = time.process_time()
            with contextlib.suppress(InteropError):  # a one-line refusal is an answer too
                if name in MARKDOWN:
                    read_markdown(path, Limits(), Path(tmp))
                else:
                    read_anki_text(path, Limits())
    return time.process_time() - start


def imports(sizes: list[float]) -> None:
    print(f"\n{'import parser case':<28} {'MB':>6} {'CPU s':>8} {'s/MB':>6}")
    worst = 0.0
    for name, make in {**MARKDOWN, **TSV, **HTML}.items():
        for size in sizes:
            text = make(int(size * 1_000_000))
            mb = len(text.encode()) / 1e6
            spent = import_parser(name, text)
            worst = max(worst, spent / mb)
            print(f"{name:<28} {mb:>6.2f} {spent:>8.2f} {spent / mb:>6.2f}", flush=True)
    print(f"worst import parser: {worst:.2f} s/MB CPU")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=float, nargs="+", default=[1.0], help="deck sizes in MB")
    parser.add_argument("--cases", nargs="+", default=sorted(DECKS), choices=sorted(DECKS))
    parser.add_argument(
        "--cli", action="store_true", help="also run the real `retain check` and `retain due`"
    )
    parser.add_argument(
        "--imports", action="store_true", help="also time the Markdown, CSV/TSV and Anki HTML parsers"
    )
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    head = f"{'case':<28} {'MB':>6} {'tomllib s':>10} {'check+due s':>12} {'s/MB':>6}"
    if args.cli:
        head += "  check wall/cpu s  due cold wall/cpu s  due warm wall/cpu s  cli s/MB wall/cpu"
    print(head)
    worst = worst_wall = worst_cpu = 0.0
    for name in args.cases:
        for size in args.sizes:
            text = DECKS[name](int(size * 1_000_000))
            mb = len(text.encode()) / 1e6
            floor = toml_floor(text)
            spent = in_process(text)
            worst = max(worst, spent / mb)
            line = f"{name:<28} {mb:>6.2f} {floor:>10.2f} {spent:>12.2f} {spent / mb:>6.2f}"
            if args.cli:
                runs = cli(text)
                wall = max(w for w, _ in runs) / mb
                cpu = max(c for _, c in runs) / mb
                worst_wall, worst_cpu = max(worst_wall, wall), max(worst_cpu, cpu)
                line += "".join(f"  {w:>8.2f} {c:>5.2f}    " for w, c in runs)
                line += f"  {wall:>5.2f} {cpu:>5.2f}"
            print(line, flush=True)
    print(f"worst in-process: {worst:.2f} s/MB (goal: at most 2 s/MB)")
    if args.cli:
        print(f"worst command: {worst_wall:.2f} s/MB wall, {worst_cpu:.2f} s/MB CPU (goal: at most 2 s/MB)")
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    if args.imports:
        imports(args.sizes)


if __name__ == "__main__":
    main()
