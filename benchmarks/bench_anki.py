"""Reference figures from the real Anki backend (Anki's Rust core), for `bench_due.py`.

Anki is NOT a dependency of retain. Install it into a separate venv:

    python3.11 -m venv /work/anki-venv && /work/anki-venv/bin/pip install anki

Then:

    python benchmarks/bench_anki.py --cards 50000 --dir /tmp/anki50k [--anki-python /work/anki-venv/bin/python]

builds (once) a 50k-card collection shaped like `make_library.py`'s (50 decks, 80% of
the cards in review with a few months of revlog) and prints the in-process time to open
it and compute the due tree, and the whole-process time of doing the same from a fresh
interpreter (what a status bar calling Anki would pay).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

__all__ = ["anki_whole_process", "build_anki_collection", "default_anki_python"]

DEFAULT_ANKI_PYTHON = "/work/anki-venv/bin/python"

# Runs inside the Anki venv. argv: collection path, number of cards, seed.
_BUILD = r"""
import random, sys, time
from anki.collection import Collection, AddNoteRequest
path, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
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
now_ms = int(time.time() * 1000)
rows, revlog = [], []
for cid in cids:
    if rng.random() < 0.8:
        ivl = rng.randint(1, 90)
        due = today + rng.randint(-10, ivl)
        reps = rng.randint(2, 12)
        rows.append((ivl, due, reps, rng.randint(0, 2), cid))
        for r in range(reps):
            rid = now_ms - rng.randint(1, 90 * 86400_000) * 1 + r
            revlog.append((rid * 1000 + rng.randint(0, 999), cid, rng.choice([1, 3, 3, 3, 4]), ivl, ivl, 2500, 5000))
db.executemany("update cards set type=2, queue=2, ivl=?, due=?, factor=2500, reps=?, lapses=? where id=?", rows)
db.executemany("insert or ignore into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type) values (?,?,-1,?,?,?,?,?,1)", revlog)
col.set_config("fsrs", True)
col.close()
print(len(cids), len(rows), len(revlog))
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


def default_anki_python() -> str | None:
    return DEFAULT_ANKI_PYTHON if Path(DEFAULT_ANKI_PYTHON).exists() else None


def build_anki_collection(folder: Path, cards: int, anki_python: str, seed: int = 1) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"collection-{cards}.anki2"
    if not path.exists():
        t = time.perf_counter()
        out = subprocess.run(
            [anki_python, "-c", _BUILD, str(path), str(cards), str(seed)],
            check=True,
            capture_output=True,
            text=True,
        )
        print(f"built Anki collection {path} ({out.stdout.strip()}) in {time.perf_counter() - t:.1f} s")
    return path


def anki_whole_process(path: Path, anki_python: str) -> tuple[float, dict[str, float]]:
    """Wall time of one fresh interpreter opening the collection and computing the due tree."""
    t = time.perf_counter()
    out = subprocess.run([anki_python, "-c", _OPEN, str(path)], check=True, capture_output=True, text=True)
    wall = time.perf_counter() - t
    return wall, json.loads(out.stdout)


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
