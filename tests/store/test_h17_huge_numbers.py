"""An integer too large for a float in a file retain reads. TOML and JSON integers have no bound in
Python's readers (tomllib, json), and `float()` or `math.isfinite` raise OverflowError on one of
400 digits, an error no reader expected. A CRC-valid journal record holding `S=<400 digits>` made
every command print a traceback until the line was cut by hand; a shared deck's
`tolerance = <400 digits>` did the same to `retain check` and `import`; a `.progress.toml` sidecar's
`stability` to `import --with-history`. Now each is refused like any other bad value: the record
set aside, the card or the review named, in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from store_helpers import (
    KEYS,
    NOW,
    assert_commands_say_one_line,
    assert_ratings_still_count,
    crc_line,
    journal_paths,
    make_home,
    open_col,
    rate,
    rated_home,
)

from retain.core.state import finite_number

HUGE = "1" + "0" * 400


def _record(root: Path) -> None:
    """A CRC-valid format-2 record (read by tomllib: the fast path takes 7 digits) at the end."""
    (path,) = journal_paths(root)
    body = f'{path.stat().st_size}={{i=900,u="tiny/one",t=2026-03-28T12:30:00Z,r=3,a={{s=2,S={HUGE},D=5,d=86400,n=1}},'
    with path.open("ab") as fh:
        fh.write(crc_line(body.encode()))


def _v1_block(root: Path) -> None:
    """A format-1 journal (an older retain's) whose one block's state holds the number."""
    (path,) = journal_paths(root)
    block = (
        '[[review]]\nid = "x-2"\nkind = "review"\nkey = "tiny/one"\ntime = 2026-02-05T11:00:00Z\n'
        f"rating = 3\nafter = {{ state = 2, stability = {HUGE}, difficulty = 5.0, "
        "due = 2026-02-10T11:00:00Z, last_review = 2026-02-05T11:00:00Z, reps = 1 }\n"
    ).encode()
    old = path.parent / "journal-2026-02.toml"
    old.write_bytes(b'format = 1\ndevice = "x"\n\n' + block + b'crc = "%08x"\n' % zlib.crc32(block))


def _snapshot(root: Path) -> None:
    """Every snapshot's first stability replaced by the number (snapshots are not CRC-checked)."""
    changed = 0
    for path in (root / "state" / "snapshots").glob("*.toml"):
        text = path.read_text("utf-8")
        for name in ("stability = ", "S = ", "s = "):
            at = text.find(name)
            if at >= 0:
                end = text.index("\n", at) if "\n" in text[at:] else len(text)
                value_end = min(i for i in (text.find(",", at), text.find("}", at), end) if i >= 0)
                text = text[: at + len(name)] + HUGE + text[value_end:]
                path.write_text(text, "utf-8")
                changed += 1
                break
    assert changed, "no snapshot held a stability to change"


DAMAGE: dict[str, Callable[[Path], None]] = {
    "format-2 record": _record,
    "format-1 block": _v1_block,
    "snapshot": _snapshot,
}


@pytest.mark.parametrize("where", list(DAMAGE))
def test_a_huge_integer_in_a_state_file_is_set_aside_and_the_reviews_still_count(
    tmp_path: Path, where: str
) -> None:
    rated_home(tmp_path)
    DAMAGE[where](tmp_path)
    assert_ratings_still_count(tmp_path)


@pytest.mark.parametrize("where", list(DAMAGE))
def test_a_huge_integer_gives_commands_one_line_not_a_traceback(tmp_path: Path, where: str) -> None:
    rated_home(tmp_path)
    DAMAGE[where](tmp_path)
    assert_commands_say_one_line(tmp_path)


def test_a_shared_decks_huge_tolerance_is_a_deck_error_not_a_traceback(tmp_path: Path) -> None:
    deck = tmp_path / "num.toml"
    deck.write_text(
        '[deck]\nid = "num"\nname = "Num"\n\n[[cards]]\nid = "c1"\nfront = "How many?"\nback = "42"\n'
        f'match = "number"\ntolerance = {HUGE}\n\n[[cards]]\nid = "c2"\nfront = "Range?"\nback = "42"\n'
        f'match = "number"\naccept_range = [{HUGE}, 5]\n',
        encoding="utf-8",
    )
    env = {**os.environ, "RETAIN_HOME": str(tmp_path / "home")}
    for args in (["check", str(deck)], ["import", str(deck)]):
        got = subprocess.run(
            [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=120
        )
        assert "Traceback" not in got.stderr, got.stderr[-2000:]
        assert got.returncode in (0, 1, 2), got.stderr
        said = got.stdout + got.stderr
        assert "tolerance" in said, said  # (import names the first problem and counts the rest)
        assert "accept_range" in said or args[0] == "import", said


def test_a_sidecars_huge_stability_refuses_that_review_in_one_line(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {**os.environ, "RETAIN_HOME": str(home)}
    col = open_col(make_home(home), NOW)
    try:
        rate(col, KEYS[0], NOW)
    finally:
        col.close(NOW)
    deck = KEYS[0].split("/")[0]
    out = tmp_path / f"{deck}.toml"
    run = [sys.executable, "-m", "retain"]
    done = subprocess.run(
        [*run, "export", deck, "-o", str(out), "--with-progress"], env=env, capture_output=True
    )
    assert done.returncode == 0, done.stderr
    sidecar = tmp_path / f"{deck}.progress.toml"
    text = sidecar.read_text("utf-8")
    assert "stability = " in text
    at = text.index("stability = ") + len("stability = ")
    sidecar.write_text(text[:at] + HUGE + text[text.index("\n", at) :], "utf-8")
    env["RETAIN_HOME"] = str(tmp_path / "other")
    got = subprocess.run(
        [*run, "import", str(out), "--with-history"], env=env, capture_output=True, text=True, timeout=120
    )
    assert "Traceback" not in got.stderr, got.stderr[-2000:]
    assert got.returncode == 0, (got.stdout, got.stderr)  # the deck and the sound records go in
    assert got.stderr.splitlines() == [
        "warning: progress record 1 skipped: stability must be a finite number"
    ], got.stderr


@pytest.mark.parametrize(
    ("value", "want"),
    [(1.5, 1.5), (2, 2.0), (int(HUGE), None), (-int(HUGE), None), (float("inf"), None), (float("nan"), None),
     (True, None), ("1", None), (None, None)],
)  # fmt: skip
def test_finite_number_takes_only_finite_numbers(value: object, want: float | None) -> None:
    assert finite_number(value) == want
