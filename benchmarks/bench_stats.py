"""CLI-LEVEL benchmark of the review history: retain vs Anki, side by side in one run.

    python benchmarks/bench_stats.py [--sizes 5k,50k] [--dir /tmp/retain-bench-stats] [--runs 5]
        [--cold-runs 1] [--anki-python /work/anki-venv/bin/python] [--skip-import] [--skip-tui] [--clean]

CLI-level: retain is measured only as a user meets it, through whole processes
(`retain stats --json`, `retain due --json`, `retain import`) and the TUI in a real
pty (as bench_ui.py launches it); this script imports nothing of retain, so it
keeps working whatever the store looks like inside. Anki (the `anki` package in
another venv, see bench_anki.py) is measured the same way: one fresh interpreter
per figure. Wall time, CPU time and peak RSS come from `os.wait4` on each child
(measure.py: the kernel's ru_maxrss of exactly that process).

For each library size (`--sizes`, default 5k,50k; 200k is opt-in: building it
with make_library.py takes several minutes and its first cold `stats` needs GBs):
- the library is made once under --dir by benchmarks/make_library.py (its
  printed event count is kept in DIR/libN.json), and an Anki collection with the
  same number of cards and exactly as many revlog rows as retain has events;
- cold (`cache/` deleted first, documented as always safe): `retain due --json`,
  `retain stats --json` (stderr on a terminal, so a progress bar may show: when
  its first byte came is printed), and the TUI's first paint (footer "Study
  selected") and its header with "streak N days";
- warm, alternating: `retain stats --json` vs Anki open + `graphs(search="",
  days=365)` + close; `retain due --json` vs Anki open + due tree; the TUI's first
  paint (launch summary present);
- bytes per review event: journal files (state/**/journal*) / events, and the
  whole state/ folder but backups/ / events; Anki: revlog table + its indexes / rows (dbstat).
Then, once (skip with --skip-import): an .apkg made by real Anki (make_history_apkg.py:
20,000 notes, 28,000 cards, 117,706 revlog rows) imported `--with-history` into a
fresh home, the same again (answered from the import's memo), again after touching a
deck file (the full comparison), the first `retain stats` after it and a second one;
without history, and again; and Anki importing the same package (with and
without scheduling; again) plus open + graphs after it.
Ratios are retain / Anki (medians); the issue-10 targets are printed beside them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from bench_anki import (  # noqa: E402
    anki_available,
    anki_due_measured,
    anki_graphs_measured,
    anki_import_measured,
    build_anki_collection,
    default_anki_python,
)
from bench_ui import HELLO  # noqa: E402
from make_history_apkg import make_history_apkg  # noqa: E402
from measure import Measured, reap, run_measured  # noqa: E402

from e2e.ptyapp import PtyApp, retain_command  # noqa: E402

__all__ = ["main"]

FOOTER = "Study selected"  # the home screen's footer: its first paint
HEADER = re.compile(r"streak\s+\d+\s+days?")  # the header once reviews today / streak are counted


@dataclass
class Figure:
    name: str
    retain: list[Measured] = field(default_factory=list)
    anki: list[Measured] = field(default_factory=list)
    target: str = ""
    extra: str = ""  # printed after the retain cell (e.g. when progress first showed)


def _sizes(text: str) -> list[int]:
    out = []
    for part in text.split(","):
        part = part.strip().lower()
        out.append(int(float(part[:-1]) * 1000) if part.endswith("k") else int(part))
    return out


def _label(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TEXTUAL")}
    env["RETAIN_HOME"] = str(home)
    return env


def retain(home: Path, *args: str, tty: bool = False) -> Measured:
    return run_measured([*retain_command(), *args], _env(home), stderr_tty=tty)


def tui_first_paint(
    home: Path, timeout: float = 1800, command: list[str] | None = None, header_timeout: float = 600
) -> tuple[Measured, float | None]:
    """Launch `retain` in a pty: (first paint of the home screen, header with the streak or None).

    Then `q` at once; CPU and peak RSS are the process's up to there.
    """
    start = time.perf_counter()
    app = PtyApp([], home, command=command)
    try:
        app.wait_for(FOOTER, timeout=timeout)
        paint = app.arrival(FOOTER) - start
        header = None
        deadline = time.monotonic() + header_timeout
        while command is None and time.monotonic() < deadline and app.proc.poll() is None:
            if HEADER.search(app.text()):
                header = app.chunks[-1][0] - start
                break
            time.sleep(0.02)
        app.press("q")
        code, cpu, rss = reap(app.proc, 120)
    finally:
        app.close()
    if code != 0:
        raise RuntimeError(f"retain TUI exited {code}: {app.text()[-1500:]}")
    return Measured(paint, cpu, rss, "", ""), header


def ensure_library(folder: Path, cards: int) -> tuple[Path, int]:
    """DIR/libN made by make_library.py once; returns (home, review events)."""
    home, meta = folder / f"lib{_label(cards)}", folder / f"lib{_label(cards)}.json"
    if meta.exists() and (home / "state").is_dir():
        return home, int(json.loads(meta.read_text())["events"])
    if home.exists():
        shutil.rmtree(home)  # a half-made library (no meta): make it again
    t = time.perf_counter()
    out = subprocess.run(
        [sys.executable, str(HERE / "make_library.py"), "--cards", str(cards), "--home", str(home)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"(\d+) cards in \d+ decks, (\d+) review events", out)
    if not found:
        raise RuntimeError(f"make_library.py printed no event count: {out}")
    events = int(found.group(2))
    meta.write_text(json.dumps({"cards": cards, "events": events, "made_s": time.perf_counter() - t}))
    print(f"made {home}: {out.strip()}", flush=True)
    return home, events


def _size(folder: Path, pattern: str = "*") -> int:
    return sum(p.stat().st_size for p in folder.rglob(pattern) if p.is_file())


def anki_revlog_bytes(collection: Path) -> tuple[int, int] | None:
    """(bytes of the revlog table and its indexes, rows), from sqlite's dbstat; None if unsupported."""
    try:
        with sqlite3.connect(f"file:{collection}?mode=ro", uri=True) as db:
            size = db.execute(
                "select sum(pgsize) from dbstat where name in "
                "(select name from sqlite_master where tbl_name = 'revlog')"
            ).fetchone()[0]
            rows = db.execute("select count() from revlog").fetchone()[0]
    except sqlite3.Error:
        return None
    return int(size), int(rows)


# ---- formatting ---------------------------------------------------------------------------------


def _t(s: float) -> str:
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def _mb(mb: float) -> str:
    return f"{mb / 1000:.2f} GB" if mb >= 1000 else f"{mb:.0f} MB"


def cell(runs: list[Measured]) -> str:
    if not runs:
        return "-"
    walls = [r.wall for r in runs]
    text = f"{_t(statistics.median(walls))}"
    if len(runs) > 1:
        text += f" ({_t(min(walls))}-{_t(max(walls))})"
    if all(r.rss_mb == 0 for r in runs):  # a moment, not a process
        return text
    return f"{text}, cpu {_t(statistics.median(r.cpu for r in runs))}, {_mb(max(r.rss_mb for r in runs))}"


def med(fig: Figure) -> str:
    return _t(statistics.median(m.wall for m in fig.retain)) if fig.retain else "-"


def ratio(fig: Figure) -> str:
    if not fig.retain or not fig.anki:
        return "-"
    wall = statistics.median(r.wall for r in fig.retain) / statistics.median(r.wall for r in fig.anki)
    cpu = statistics.median(r.cpu for r in fig.retain) / max(1e-9, statistics.median(r.cpu for r in fig.anki))
    return f"{wall:.2f} (cpu {cpu:.2f})"


def print_table(title: str, figures: list[Figure], notes: list[str]) -> None:
    rows = [("figure", "retain: median (min-max), cpu, peak RSS", "Anki", "retain/Anki", "target")]
    for f in figures:
        ours = cell(f.retain) + f.extra if f.retain else f.extra or "-"
        rows.append((f.name, ours, cell(f.anki), ratio(f), f.target))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    print(f"\n== {title} ==")
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r[:4], widths, strict=True)) + "  " + r[4])
    for n in notes:
        print(f"  {n}")
    sys.stdout.flush()


# ---- one library size ---------------------------------------------------------------------------


def bench_size(args: argparse.Namespace, cards: int, anki_py: str | None) -> dict[str, str]:
    home, events = ensure_library(args.dir, cards)
    # state/ without backups/ (the TUI, a writer, adds a daily copy of the snapshots there)
    journals = _size(home / "state", "journal*")
    state = _size(home / "state") - _size(home / "state" / "backups")
    anki = build_anki_collection(args.dir / "anki", cards, anki_py, revlog=events) if anki_py else None
    cold_due = Figure("cold: due --json (cache/ deleted)", target="<= 5 s at 50k, visible progress")
    cold_stats = Figure("cold: stats --json (cache/ deleted)", target="<= 5 s at 50k, visible progress")
    cold_tui = Figure("cold: TUI first paint (cache/ deleted)", target="<= 5 s at 50k, visible progress")
    cold_header = Figure("cold: TUI header 'streak N days' shown", target="")
    firsts: dict[str, list[float]] = {"due": [], "stats": []}
    headers: list[float] = []
    for _ in range(args.cold_runs):
        for fig, cmd in ((cold_due, "due"), (cold_stats, "stats")):
            shutil.rmtree(home / "cache", ignore_errors=True)
            m = retain(home, cmd, "--json", tty=True)
            fig.retain.append(m)
            if m.first_stderr is not None:
                firsts[cmd].append(m.first_stderr)
            print(f"  {_label(cards)} {fig.name}: {cell([m])}", flush=True)
        if not args.skip_tui:
            shutil.rmtree(home / "cache", ignore_errors=True)
            paint, header = tui_first_paint(home, header_timeout=args.header_timeout)
            cold_tui.retain.append(paint)
            if header is not None:
                headers.append(header)
            print(f"  {_label(cards)} {cold_tui.name}: {cell([paint])}, header at {header}", flush=True)
    for fig, cmd in ((cold_due, "due"), (cold_stats, "stats")):
        fig.extra = (
            f"; first output on stderr at {_t(min(firsts[cmd]))}" if firsts[cmd] else "; no output meanwhile"
        )
    if headers:
        cold_header.retain = [Measured(h, 0, 0, "", "") for h in headers]
    elif cold_tui.retain:
        cold_header.extra = f"not shown within {args.header_timeout:g} s"

    stats = Figure("stats --json, warm, whole process", target="ratio <= 1.0")
    due = Figure("due --json, warm, whole process", target="ratio <= 0.84 (CHANGELOG)")
    tui = Figure("TUI first paint, warm (launch summary)", target="<= 1.17x bare Textual (CHANGELOG)")
    bare = Figure("bare Textual hello-world first paint (reference)")
    hello = args.dir / "hello.py"
    hello.write_text(HELLO, encoding="utf-8")
    retain(home, "due", "--json")
    retain(home, "stats", "--json")
    if not args.skip_tui:
        tui_first_paint(home)  # leaves a launch summary behind
    for i in range(args.runs):
        stats.retain.append(retain(home, "stats", "--json"))
        if anki is not None and anki_py:
            stats.anki.append(anki_graphs_measured(anki, anki_py))
        due.retain.append(retain(home, "due", "--json"))
        if anki is not None and anki_py:
            due.anki.append(anki_due_measured(anki, anki_py))
        if not args.skip_tui:
            tui.retain.append(tui_first_paint(home)[0])
            bare.retain.append(tui_first_paint(home, command=[sys.executable, str(hello)])[0])
        print(f"  {_label(cards)} warm round {i + 1}/{args.runs} done", flush=True)

    if tui.retain and bare.retain:
        x = statistics.median(m.wall for m in tui.retain) / statistics.median(m.wall for m in bare.retain)
        tui.extra = f"; {x:.2f}x bare Textual"
    every = [m for f in (cold_due, cold_stats, cold_tui, stats, due, tui) for m in f.retain]
    peak = max(m.rss_mb for m in every)
    anki_bytes = anki_revlog_bytes(anki) if anki is not None else None
    per_event = Figure("bytes per review event", target="<= 250")
    per_event.extra = (
        f"{journals / events:.0f} B (journals), {state / events:.0f} B (all of state/ but backups/)"
    )
    figures = [stats, due, cold_due, cold_stats, cold_tui, cold_header, tui, bare]
    title = f"{cards:,} cards: retain {events:,} review events, {state / 1e6:.1f} MB of state"
    if anki is not None:
        title += f"; Anki {cards:,} cards, {anki_bytes[1] if anki_bytes else events:,} revlog rows"
    print_table(title, [f for f in figures if f.retain or f.anki or f.extra], [])
    anki_per_row = f"{anki_bytes[0] / anki_bytes[1]:.0f} B (revlog + indexes)" if anki_bytes else "-"
    b_ratio = f"{journals / events / (anki_bytes[0] / anki_bytes[1]):.2f}" if anki_bytes else "-"
    print(
        f"  bytes per review event: retain {per_event.extra}; Anki {anki_per_row}; ratio {b_ratio}; target <= 250 B"
    )
    print(f"  peak RSS of any retain command above: {_mb(peak)} (target <= 200 MB at 50k)")
    print(f"  load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    return {
        "events": f"{events:,}",
        "stats warm": med(stats),
        "stats warm / Anki": ratio(stats).split()[0],
        "due warm": med(due),
        "due cold": med(cold_due),
        "stats cold": med(cold_stats),
        "TUI paint cold": med(cold_tui),
        "TUI header cold": med(cold_header),
        "TUI paint warm": med(tui),
        "peak RSS": _mb(peak),
        "bytes/event": f"{journals / events:.0f}",
    }


# ---- import of an Anki-made package with history -----------------------------------------------


def bench_import(args: argparse.Namespace, anki_py: str) -> None:
    package = args.dir / f"history-{args.apkg_notes}-{args.apkg_revlog}.apkg"
    made = make_history_apkg(package, anki_py, notes=args.apkg_notes, revlog=args.apkg_revlog)
    work = args.dir / "import"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    figures: list[Figure] = []

    def fig(
        name: str, target: str, ours: Callable[[], Measured], theirs: Callable[[], Measured] | None
    ) -> None:
        f = Figure(name, target=target)
        f.retain.append(ours())
        if f.retain[0].first_stderr is not None:
            f.extra = f"; progress from {_t(f.retain[0].first_stderr)}"
        if theirs is not None:
            f.anki.append(theirs())
        figures.append(f)
        print(f"  {name}: retain {cell(f.retain)}; Anki {cell(f.anki)}", flush=True)

    h, a = work / "retain-history", work / "anki-history.anki2"
    pkg = str(package.resolve())
    fig("import --with-history, fresh home", "<= 2x Anki, <= 200 MB",
        lambda: retain(h, "import", pkg, "--with-history", tty=True),
        lambda: anki_import_measured(a, package, anki_py, scheduling=True))  # fmt: skip
    fig("the same import again (nothing changed)", "ratio <= 1.0",
        lambda: retain(h, "import", pkg, "--with-history", tty=True),
        lambda: anki_import_measured(a, package, anki_py, scheduling=True))  # fmt: skip

    def touched_then_import() -> Measured:
        deck = sorted((h / "decks").glob("*.toml"))[0]
        deck.write_bytes(deck.read_bytes())  # same text, new modification time: no memo applies
        return retain(h, "import", pkg, "--with-history", tty=True)

    fig("the same again, a deck file touched (full comparison)", "",
        touched_then_import, None)  # fmt: skip
    fig("first stats --json after it (Anki: open + graphs)", "as fast as a warm one",
        lambda: retain(h, "stats", "--json"), lambda: anki_graphs_measured(a, anki_py))  # fmt: skip
    fig("stats --json again (warm)", "ratio <= 1.0",
        lambda: retain(h, "stats", "--json"), lambda: anki_graphs_measured(a, anki_py))  # fmt: skip
    first, warm = figures[-2].retain[0].wall, figures[-1].retain[0].wall
    figures[-2].extra = f"; {first / warm:.2f}x the warm one"
    h2, a2 = work / "retain-plain", work / "anki-plain.anki2"
    fig("import without history, fresh home", "",
        lambda: retain(h2, "import", pkg, tty=True),
        lambda: anki_import_measured(a2, package, anki_py, scheduling=False))  # fmt: skip
    fig("the same again", "",
        lambda: retain(h2, "import", pkg, tty=True),
        lambda: anki_import_measured(a2, package, anki_py, scheduling=False))  # fmt: skip
    print_table(f"import of an Anki-made package {made}", figures, [])


def main() -> int:
    ap = argparse.ArgumentParser(description="retain vs Anki: review-history costs, CLI-level")
    ap.add_argument("--sizes", default="5k,50k", help="library sizes in cards, e.g. 5k,50k,200k")
    ap.add_argument("--dir", type=Path, default=Path("/tmp/retain-bench-stats"), help="libraries go here")
    ap.add_argument("--runs", type=int, default=5, help="warm rounds per size")
    ap.add_argument("--cold-runs", type=int, default=1, help="cold rounds per size (slow today)")
    ap.add_argument("--anki-python", default=default_anki_python())
    ap.add_argument("--apkg-notes", type=int, default=20000)
    ap.add_argument("--apkg-revlog", type=int, default=117706)
    ap.add_argument("--skip-import", action="store_true")
    ap.add_argument("--skip-tui", action="store_true")
    ap.add_argument(
        "--header-timeout", type=float, default=600, help="cold TUI: seconds to wait for the header's streak"
    )
    ap.add_argument("--clean", action="store_true", help="delete everything made under --dir afterwards")
    args = ap.parse_args()
    args.dir = args.dir.resolve()
    args.dir.mkdir(parents=True, exist_ok=True)
    anki_py = args.anki_python if anki_available(args.anki_python) else None
    print(f"retain: {' '.join(retain_command())}; Anki: {anki_py or 'not found (see bench_anki.py)'}")
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs", flush=True)
    growth: dict[int, dict[str, str]] = {}
    try:
        for cards in _sizes(args.sizes):
            growth[cards] = bench_size(args, cards, anki_py)
        if not args.skip_import and anki_py:
            bench_import(args, anki_py)
    finally:
        if growth:
            keys = list(next(iter(growth.values())))
            print("\n== growth with the library (retain, medians) ==")
            print("figure".ljust(20) + "".join(_label(c).rjust(14) for c in growth))
            for k in keys:
                print(k.ljust(20) + "".join(row[k].rjust(14) for row in growth.values()))
        if args.clean:
            shutil.rmtree(args.dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
