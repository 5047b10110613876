"""Import one package with two source trees and compare what each leaves on disk.

    python benchmarks/import_same_bytes.py TREE_A TREE_B PACKAGE [IMPORT OPTIONS...]

For a speed-up of `retain import` that must not change a byte: each tree (a folder holding
`src/retain`) imports PACKAGE into a fresh RETAIN_HOME in a process of its own (`PYTHONPATH=
TREE/src`), then the deck files, `.anki.json` files, journals, snapshots, device files, the
import memo's lines and a dump of the history index are compared, with what differs from run
to run by design masked: device ids, the run's clock, the home's path, file inodes and code
stamps. Prints each difference and a last line `SAME` or `N DIFFER`; exits 1 when any differs.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path


def _run(tree: str, package: str, options: list[str]) -> tuple[Path, str]:
    home = Path(tempfile.mkdtemp(prefix="same-bytes-"))
    env = dict(os.environ, PYTHONPATH=f"{tree}/src", RETAIN_HOME=str(home))
    done = subprocess.run(
        [sys.executable, "-m", "retain", "import", package, *options],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return home, done.stdout + done.stderr


def _masks(home: Path) -> list[tuple[str, str]]:
    """(text, its stand-in): the device ids (longest first), the run's clock."""
    devices = home / "state" / "devices"
    ids = sorted((p.name for p in devices.iterdir()), key=len, reverse=True) if devices.is_dir() else []
    masks = [(name, f"<device{n}>") for n, name in enumerate(ids)]
    manifest = home / "state" / "snapshots.toml"
    written = re.search(r"^written = (.*)$", manifest.read_text(), re.M) if manifest.exists() else None
    if written:
        masks.append((written[1], "<now>"))
    return [*masks, (str(home), "<home>")]


def _masked(text: str, masks: list[tuple[str, str]]) -> str:
    for old, new in masks:
        text = text.replace(old, new)
    return text


def _files(home: Path) -> dict[str, str]:
    masks = _masks(home)
    out: dict[str, str] = {}
    for sub in ("decks", "state", "cache/imports"):
        for path in sorted((home / sub).rglob("*")):
            if not path.is_file() or path.name == "writer.lock":
                continue
            name = _masked(str(path.relative_to(home)), masks)
            text = path.read_bytes().decode("utf-8", "replace")
            if sub == "cache/imports":  # the memo: its file stats and code stamp differ per run
                memo = tomllib.loads(text)
                name, text = (
                    "cache/imports/<memo>",
                    repr({k: memo.get(k) for k in ("options", "warnings", "lines")}),
                )
            elif path.name == "device.toml":  # the computer's own details and the run's clock
                text = re.sub(r"(?m)^(created|host|host_key|path) = .*$", r"\1 = <run>", text)
            out[name] = _masked(text, masks)
    index = home / "cache" / "history.sqlite3"
    if index.exists():
        with sqlite3.connect(index) as db:
            dump = "\n".join(db.iterdump())
        dump = re.sub(r"VALUES\('code','[0-9a-f]+'\)", "VALUES('code','<code>')", dump)
        dump = re.sub(r"""(INSERT INTO "files" VALUES\(\d+,'[^']*','[^']*',)\d+,""", r"\1<inode>,", dump)
        out["cache/history.sqlite3 (dump)"] = _masked(dump, masks)
    return out


def main(argv: list[str]) -> int:
    if len(argv) < 3:
        print(__doc__)
        return 2
    tree_a, tree_b, package, *options = argv
    home_a, said_a = _run(tree_a, package, options)
    home_b, said_b = _run(tree_b, package, options)
    files_a, files_b = _files(home_a), _files(home_b)
    differ = [
        name for name in sorted(files_a.keys() | files_b.keys()) if files_a.get(name) != files_b.get(name)
    ]
    if _masked(said_a, _masks(home_a)) != _masked(said_b, _masks(home_b)):
        differ.append("(what the import printed)")
    for name in differ:
        print(f"differs: {name} ({home_a} / {home_b})")
    size = sum(len(text) for text in files_a.values())
    verdict = "SAME" if not differ else f"{len(differ)} DIFFER"
    print(f"{len(files_a)} files compared ({size:,} characters), options {options}: {verdict}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
