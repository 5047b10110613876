"""Import and export a large Anki package; prints timings.

    python benchmarks/bench_import.py [NOTES]     # default 20000
    python benchmarks/bench_import.py --history PACKAGE.apkg [RUNS]   # default 3

Builds a deck of NOTES notes (a mix of basic, reversed, cloze and typed, with
some HTML), writes it as an .apkg with retain's exporter, then times
`retain import` of it into a fresh RETAIN_HOME (the same code path as the CLI,
progress bar included when stderr is a terminal), a second import (the
no-change upgrade path), and the .csv and .md exports.

With `--history`, times `retain import PACKAGE --with-history` (the CLI, in this process)
into a fresh RETAIN_HOME RUNS times, then a re-import of it with its memo removed (every
card compared, every review found held), and prints each run and the median. For an A/B,
interleave runs of two trees with `PYTHONPATH=TREE/src` instead (a process each).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from retain.core.model import Card, Deck, Kind
from retain.interop.exporter import export_decks
from retain.interop.importer import apply_import, plan_import, read_file
from retain.interop.progress import TerminalProgress
from retain.store.home import open_home

_KINDS: tuple[Kind, ...] = ("basic", "reversed", "cloze", "typed")


def make_deck(n: int) -> Deck:
    cards: list[Card] = []
    for i in range(n):
        kind: Kind = _KINDS[i % 4]
        if kind == "cloze":
            cards.append(
                Card(
                    f"c{i}",
                    kind="cloze",
                    text=f"Fact {i}: {{{{c1::alpha {i}}}}} and {{{{c2::beta}}}}.",
                    tags=("bench",),
                )
            )
        else:
            cards.append(
                Card(
                    f"c{i}",
                    kind=kind,
                    front=f"Question {i} with **bold** & <angle>?",
                    back=f"Answer {i}\nline two",
                    tags=("bench",),
                )
            )
    return Deck("bench", "Benchmark", group="Bench", version="1.0.0", cards=tuple(cards))


def timed(label: str, fn: object) -> object:
    start = time.perf_counter()
    result = fn()  # type: ignore[operator]
    print(f"{label:<34} {time.perf_counter() - start:7.2f} s", flush=True)
    return result


def history(package: Path, runs: int) -> int:
    """`import --with-history` of `package` into fresh homes, then a re-import without its memo."""
    import shutil
    import statistics
    from contextlib import redirect_stdout
    from io import StringIO

    from retain.cli import main as cli

    def run(home: Path) -> float:
        os.environ["RETAIN_HOME"] = str(home)
        start = time.perf_counter()
        with redirect_stdout(StringIO()):
            code = cli(["import", str(package), "--with-history"])
        assert code == 0, code
        return time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        times: list[float] = []
        home = Path(tmp)
        for n in range(runs):
            home = Path(tmp) / f"home{n}"
            times.append(run(home))
            print(f"import --with-history, run {n + 1:<10} {times[-1]:7.2f} s", flush=True)
        shutil.rmtree(home / "cache" / "imports", ignore_errors=True)
        print(f"the same again (memo removed)      {run(home):7.2f} s")
    print(f"median of {runs:<24} {statistics.median(times):7.2f} s")
    return 0


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--history":
        return history(Path(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 3)
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        os.environ["RETAIN_HOME"] = str(root / "home")
        deck = make_deck(n)
        pkg = root / "big.apkg"
        timed(
            f"export {n} notes to .apkg",
            lambda: export_decks([deck], pkg, now=now, progress=TerminalProgress()),
        )
        print(f"package size                       {pkg.stat().st_size / 1e6:7.2f} MB")
        home = open_home()

        def do_import() -> int:
            bar = TerminalProgress()
            stage = root / "stage"
            stage.mkdir(exist_ok=True)
            bundle = read_file(pkg, stage, progress=bar)
            plan = plan_import(bundle, home.library(), home.paths.decks_dir)
            apply_import(plan, home.paths.decks_dir, bar)
            bar.finish()
            return bundle.card_count

        count = timed(f"import {n}-note .apkg (fresh home)", do_import)
        assert count == n, count
        timed("import again (no-change upgrade)", do_import)
        timed("export to .csv", lambda: export_decks([deck], root / "big.csv", now=now))
        timed("export to .md", lambda: export_decks([deck], root / "big.md", now=now))
        timed("import .csv", lambda: read_file(root / "big.csv", root))
    return 0


if __name__ == "__main__":
    sys.exit(main())
