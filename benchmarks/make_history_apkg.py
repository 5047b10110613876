"""Build a large Anki package WITH review history, made by real Anki, for `bench_stats.py`.

    python benchmarks/make_history_apkg.py --out /tmp/big.apkg [--notes 20000] [--revlog 117706]
        [--anki-python /work/anki-venv/bin/python]

In the Anki venv (see bench_anki.py): a fresh collection gets NOTES notes in 10
decks, 60% "Basic", 20% "Basic (and reversed card)" (two cards) and 20% "Cloze"
with two deletions (two cards), so 20,000 notes make 28,000 cards; 80% of the
cards are put in review with exactly REVLOG review-log rows spread over them
(epoch-millisecond ids over the last 120 days; first row a learning step, then
reviews with intervals up to a year, an Again making the row a relearn). Then Anki's own exporter
writes the package with scheduling (the current `collection.anki21b` layout).
Deterministic for a seed; nothing of retain is used.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_anki import default_anki_python

__all__ = ["make_history_apkg"]

_BUILD = r"""
import json, random, sys, tempfile, time, os
from anki.collection import AddNoteRequest, Collection, ExportAnkiPackageOptions
out, n, target, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rng = random.Random(seed)
tmp = tempfile.mkdtemp(prefix="anki-apkg-")
col = Collection(os.path.join(tmp, "collection.anki2"))
basic = col.models.by_name("Basic")
reverse = col.models.by_name("Basic (and reversed card)")
cloze = col.models.by_name("Cloze")
decks = [col.decks.id(f"History::Deck {i:02d}") for i in range(10)]
reqs = []
for i in range(n):
    kind = i % 5
    if kind == 4:
        note = col.new_note(cloze)
        note["Text"] = f"Fact {i}: the {{{{c1::leader {i % 97}}}}} replicates to {{{{c2::{i % 7} followers}}}}."
        note["Back Extra"] = f"Extra {i}"
    else:
        note = col.new_note(reverse if kind == 3 else basic)
        note["Front"] = f"Question {i}: what does the <b>component</b> {i % 977} do in system {i % 53}?"
        note["Back"] = f"Answer {i}: it keeps the {i % 31} replicas in sync.<br>Line two."
    note.tags = [f"topic{i % 13}"]
    reqs.append(AddNoteRequest(note=note, deck_id=decks[i % 10]))
    if len(reqs) == 5000:
        col.add_notes(reqs); reqs = []
if reqs:
    col.add_notes(reqs)
today = col.sched.today
db = col.db
cids = db.list("select id from cards order by id")
reviewed = [cid for cid in cids if rng.random() < 0.8]
reps = {cid: 1 for cid in reviewed}
for cid in rng.choices(reviewed, k=max(0, target - len(reviewed))):
    reps[cid] += 1
now_ms = int(time.time() * 1000)
window = 120 * 86400_000
used = set()
rows, revlog = [], []
for cid in reviewed:
    ivl, lapses, last_ivl = 0, 0, 0
    times = sorted(now_ms - rng.randint(3600_000, window) for _ in range(reps[cid]))
    for r, rid in enumerate(times):
        while rid in used:
            rid -= 1
        used.add(rid)
        ease = 3 if r == 0 else rng.choices([1, 2, 3, 4], [10, 12, 68, 10])[0]
        kind = 0 if r == 0 else (2 if ease == 1 else 1)
        lapses += r > 0 and ease == 1
        last_ivl, ivl = ivl, (1 if ease == 1 else min(365, max(1, int(max(ivl, 1) * rng.uniform(1.5, 3.0)))))
        revlog.append((rid, cid, ease, ivl, last_ivl, 2500, rng.randint(1500, 20000), kind))
    rows.append((ivl, today + rng.randint(-10, min(ivl, 90)), reps[cid], lapses, cid))
def write():  # one transaction: outside one, every row is its own commit and fsync
    db.executemany("update cards set type=2, queue=2, ivl=?, due=?, factor=2500, reps=?, lapses=? where id=?", rows)
    for i in range(0, len(revlog), 100_000):
        db.executemany(
            "insert into revlog (id,cid,usn,ease,ivl,lastIvl,factor,time,type) values (?,?,-1,?,?,?,?,?,?)",
            revlog[i:i + 100_000],
        )
db.transact(write)
notes = db.scalar("select count() from notes")
cards = db.scalar("select count() from cards")
rows_ = db.scalar("select count() from revlog")
col.export_anki_package(
    out_path=out,
    options=ExportAnkiPackageOptions(with_scheduling=True, with_deck_configs=True, with_media=False, legacy=False),
    limit=None,
)
col.close(downgrade=False)
print(json.dumps({"notes": notes, "cards": cards, "revlog": rows_}))
"""


def make_history_apkg(
    out: Path, anki_python: str, notes: int = 20000, revlog: int = 117706, seed: int = 3
) -> str:
    """Write the package (when `out` does not exist yet); return Anki's counts as a line."""
    info = out.with_name(out.name + ".json")
    if out.exists() and info.exists():
        return info.read_text(encoding="utf-8").strip()
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part.apkg")
    part.unlink(missing_ok=True)
    t = time.perf_counter()
    done = subprocess.run(
        [anki_python, "-c", _BUILD, str(part), str(notes), str(revlog), str(seed)],
        check=True,
        capture_output=True,
        text=True,
    )
    part.rename(out)
    info.write_text(done.stdout, encoding="utf-8")
    print(f"built {out} with Anki ({done.stdout.strip()}) in {time.perf_counter() - t:.1f} s", flush=True)
    return done.stdout.strip()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--notes", type=int, default=20000)
    ap.add_argument("--revlog", type=int, default=117706)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--anki-python", default=default_anki_python())
    args = ap.parse_args()
    if not args.anki_python:
        print("anki venv not found; see bench_anki.py", file=sys.stderr)
        return 1
    print(make_history_apkg(args.out, args.anki_python, args.notes, args.revlog, args.seed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
