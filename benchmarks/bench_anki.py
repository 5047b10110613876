"""Reference figures from the real Anki backend (Anki's Rust core), for `bench_due.py` and `bench_stats.py`.

Anki is NOT a dependency of retain. Install it into a separate venv:

    python3.11 -m venv /work/anki-venv && /work/anki-venv/bin/pip install anki

Then:

    python benchmarks/bench_anki.py --cards 50000 --dir /tmp/anki50k [--anki-python /work/anki-venv/bin/python]

builds (once) a 50k-card collection shaped like `make_library.py`'s (50 decks, 80% of
the cards in review with a few months of revlog) and prints the in-process time to open
it and compute the due tree, and the whole-process time of doing the same from a fresh
interpreter (what a status bar calling Anki would pay).

`bench_stats.py` uses the same builder with an exact review-log size (to match a
retain library's event count) and the whole-process helpers below: open + the
stats graphs (`col._backend.graphs(search="", days=365)`), and importing an
.apkg (see make_history_apkg.py), each timed with its peak RSS (measure.py).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import Measured, run_measured

__all__ = [
    "anki_available",
    "anki_due_measured",
    "anki_graphs_measured",
    "anki_import_measured",
    "anki_whole_process",
    "build_anki_collection",
    "default_anki_python",
]

DEFAULT_ANKI_PYTHON = "/work/anki-venv/bin/python"

# Runs inside the Anki venv. argv: collection path, number of cards, seed, revlog rows.
# revlog rows < 0: each reviewed card gets 2-12 rows (the due-tree benchmark's shape);
# otherwise exactly that many rows, spread over the reviewed cards (the stats benchmark's,
# matched to the number of events in a retain library). Revlog ids are epoch milliseconds,
# unique, spread over the last 120 days like make_library.py's history.
_BUILD = r"""
import random, sys, time
from anki.collection import Collection, AddNoteRequest
path, n, seed, target = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
col = Collection(path)
model = col.models.by_name("Basic")
decks = [col.decks.id(f"Deck {i:02d}") for i in range(50)]
reqs = []
for i in range(n):
    note = col.new_note(model)
    note["Front"] = f"Question {i}: what does component {i % 977} do in system {i % 53}?"
    note["Back"] = f"Answer {i}: it keeps the {i % 31} replicas in sync."
    reqs.append(AddNoteRequest(note=note, deck_id=decks[i % 50]))
    if len(reqs) == 5000:
        col.add_notes(reqs); reqs = []
if reqs:
    col.add_notes(reqs)
today = col.sched.today
db = col.db
cids = db.list("select id from cards order by id")
reviewed = [cid for cid in cids if rng.random() < 0.8]
if target < 0:
    reps = {cid: rng.randint(2, 12) for cid in reviewed}
else:
    reps = {cid: 1 for cid in reviewed}
    for cid in rng.choices(reviewed, k=max(0, target - len(reviewed))):
        reps[cid] += 1
now_ms = int(time.time() * 1000)
window = 120 * 86400_000
used = set()
rows, revlog = [], []
for cid in reviewed:
    ivl = rng.randint(1, 90)
    lapses = 0
    times = sorted(now_ms - rng.randint(1, window) for _ in range(reps[cid]))
    for r, rid in enumerate(times):
        while rid in used:
            rid -= 1
        used.add(rid)
        ease = 3 if r == 0 else rng.choice([1, 3, 3, 3, 4])
        lapses += ease == 1
        kind = 0 if r == 0 else (2 if ease == 1 else 1)
        revlog.append((rid, cid, ease, ivl, ivl, 2500, rng.randint(1500, 20000), kind))
    rows.append((ivl, today + rng.randint(-10, ivl), reps[cid], lapses, cid))
def write():  # one transaction: outside one, every row is its own commit and fsync
    db.executemany("update cards set type=2, queue=2, ivl=?, due=?, factor=2500, reps=?, lapses=? where id=?", rows)
    for i in range(0, len(revlog), 100_000):
        db.executemany(
            "insert into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type) values (?,?,-1,?,?,?,?,?,?)",
            revlog[i:i + 100_000],
        )
db.transact(write)
col.set_config("fsrs", True)
total = db.scalar("select count() from revlog")
col.close()
print(len(cids), len(rows), total)
"""

# Runs inside the Anki venv: open, compute the due tree, print counts and in-process time.
_OPEN = r"""
import sys, time, json
t0 = time.perf_counter()
from anki.collection import Collection
t1 = time.perf_counter()
col = Collection(sys.argv[1])
tree = col.sched.deck_due_tree()
t2 = time.perf_counter()
new = sum(c.new_count for c in tree.children)
rev = sum(c.review_count for c in tree.children)
lrn = sum(c.learn_count for c in tree.children)
col.close(downgrade=False)
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_due_s": t2 - t1, "close_s": t3 - t2, "decks": len(tree.children), "new": new, "review": rev, "learning": lrn}))
"""


# Runs inside the Anki venv: open, compute the stats screen's graphs (a year), close.
_GRAPHS = r"""
import sys, time, json
t0 = time.perf_counter()
from anki.collection import Collection
t1 = time.perf_counter()
col = Collection(sys.argv[1])
t2 = time.perf_counter()
graphs = col._backend.graphs(search="", days=365)
t3 = time.perf_counter()
col.close(downgrade=False)
t4 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "open_s": t2 - t1, "graphs_s": t3 - t2, "close_s": t4 - t3,
                  "bytes": graphs.ByteSize()}))
"""

# Runs inside the Anki venv: import a package into a collection (made if missing), close.
# argv: collection path, package path, "1" to import the scheduling (review log) too.
_IMPORT = r"""
import sys, time, json
from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
col = Collection(sys.argv[1])
t0 = time.perf_counter()
out = col.import_anki_package(ImportAnkiPackageRequest(
    package_path=sys.argv[2],
    options=ImportAnkiPackageOptions(with_scheduling=sys.argv[3] == "1", with_deck_configs=True),
))
t1 = time.perf_counter()
log = out.log
counts = {"new": len(log.new), "updated": len(log.updated), "duplicate": len(log.duplicate)}
revlog = col.db.scalar("select count() from revlog")
col.close(downgrade=False)
print(json.dumps({"import_s": t1 - t0, "revlog": revlog, **counts}))
"""


def default_anki_python() -> str | None:
    return DEFAULT_ANKI_PYTHON if Path(DEFAULT_ANKI_PYTHON).exists() else None


def anki_available(anki_python: str | None) -> bool:
    """The interpreter exists and `import anki` works in it."""
    if not anki_python or not Path(anki_python).exists():
        return False
    probe = subprocess.run([anki_python, "-c", "import anki"], capture_output=True)
    return probe.returncode == 0


def build_anki_collection(
    folder: Path, cards: int, anki_python: str, seed: int = 1, revlog: int | None = None
) -> Path:
    """A collection of `cards` Basic cards in 50 decks, 80% reviewed (made once, then reused).

    `revlog`: exactly this many review-log rows (to match a retain library's event count);
    None: 2-12 rows per reviewed card.
    """
    folder.mkdir(parents=True, exist_ok=True)
    name = f"collection-{cards}.anki2" if revlog is None else f"collection-{cards}-{revlog}.anki2"
    path = folder / name
    if not path.exists():
        t = time.perf_counter()
        part = path.with_name(path.name + ".part")
        part.unlink(missing_ok=True)
        out = subprocess.run(
            [
                anki_python,
                "-c",
                _BUILD,
                str(part),
                str(cards),
                str(seed),
                str(-1 if revlog is None else revlog),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        part.rename(path)
        print(f"built Anki collection {path} ({out.stdout.strip()}) in {time.perf_counter() - t:.1f} s")
    return path


def anki_whole_process(path: Path, anki_python: str) -> tuple[float, dict[str, float]]:
    """Wall time of one fresh interpreter opening the collection and computing the due tree."""
    t = time.perf_counter()
    out = subprocess.run([anki_python, "-c", _OPEN, str(path)], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    return wall, json.loads(out.stdout)


def anki_due_measured(path: Path, anki_python: str) -> Measured:
    """Open + due tree in a fresh interpreter: wall, CPU, peak RSS; stdout is the JSON of _OPEN."""
    return run_measured([anki_python, "-c", _OPEN, str(path)])


def anki_graphs_measured(path: Path, anki_python: str) -> Measured:
    """Open + `graphs(search="", days=365)` + close in a fresh interpreter (stdout: JSON phases)."""
    return run_measured([anki_python, "-c", _GRAPHS, str(path)])


def anki_import_measured(collection: Path, package: Path, anki_python: str, *, scheduling: bool) -> Measured:
    """Import `package` into `collection` (created when missing) in a fresh interpreter."""
    return run_measured(
        [anki_python, "-c", _IMPORT, str(collection), str(package), "1" if scheduling else "0"]
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cards", type=int, default=50000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/retain-bench-anki"))
    ap.add_argument("--anki-python", default=default_anki_python())
    ap.add_argument("--runs", type=int, default=7)
    args = ap.parse_args()
    if not args.anki_python:
        print("anki venv not found; see the module docstring", file=sys.stderr)
        return 1
    path = build_anki_collection(args.dir, args.cards, args.anki_python)
    walls, inproc = [], []
    for _ in range(args.runs):
        wall, info = anki_whole_process(path, args.anki_python)
        walls.append(wall)
        inproc.append(info["open_due_s"])
    print(
        f"anki {args.cards} cards: due tree {info['new']} new, {info['review']} review, {info['decks']} decks"
    )
    print(f"anki in-process open + due tree: median {statistics.median(inproc) * 1000:.0f} ms")
    print(f"anki whole process:             median {statistics.median(walls) * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
