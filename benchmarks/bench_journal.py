"""Journal size and cold read speed on a library from make_library.py.

    python benchmarks/bench_journal.py --home DIR [--max-bytes N]

Prints bytes per review event (journal alone, and with the snapshots) and
the time to scan and decode every journal file from its start, as a cold
start of the history index does (`journal.scan_file`, optionally in steps of
`--max-bytes`). CPU time is printed too: it is steadier than wall time on a
busy machine.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

from retain.store.state.journal import journal_files, scan_file


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--home", type=Path, required=True)
    ap.add_argument("--max-bytes", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    state = args.home / "state"
    files = [f for d in sorted((state / "devices").iterdir()) for f in journal_files(d)]
    snaps = sum(p.stat().st_size for p in (state / "snapshots").glob("*.toml"))
    size = sum(f.stat().st_size for f in files)
    now = datetime.now(UTC)
    for _ in range(args.rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        events = problems = 0
        for f in files:
            start = 0
            while True:
                scan = scan_file(f, start, now, max_bytes=args.max_bytes)
                events += len(scan.events)
                problems += len(scan.problems)
                if args.max_bytes is None or scan.end == start:
                    break
                start = scan.end
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"{events} events in {len(files)} files: journal {size / events:.1f} B/event, "
            f"with snapshots {(size + snaps) / events:.1f} B/event; scan+decode {wall:.2f} s wall, "
            f"{cpu:.2f} s CPU ({cpu / events * 1e6:.1f} us/event); {problems} problems"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
