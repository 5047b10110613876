"""A SIGKILL at any write of a card move never resets the card nor leaves it in two decks.

Each move (the browser's `m` of several cards, a move to another deck from the editor, cloze
numbers swapped in the editor) runs in a child process that kills itself (SIGKILL) right before
its N-th fsync, for N = 1, 2, ... until the move completes: every point between its writes (the
move's intent, the deck files, the journal). After each kill a reader, then a writer, reopen the
home: the card is in one place, with its progress.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from store_helpers import NOW, open_col, rate

from retain.core.state import CardState
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.store.move_intent import begin_moves, intent_path

ALPHA = """format = 1

[deck]
id = "alpha"
name = "Alpha"

# the first card
[[cards]]
id = "a0"
front = "alpha front 0"
back = "alpha back 0"

[[cards]]
id = "a1"
front = "alpha front 1"
back = "alpha back 1"

[[cards]]
id = "a2"
front = "alpha front 2"
back = "alpha back 2"

[[cards]]
id = "cz"
kind = "cloze"
text = "{{c1::one}} and {{c2::two}}"
"""
BETA = """format = 1

[deck]
id = "beta"
name = "Beta"

[[cards]]
id = "b0"
front = "beta front 0"
back = "beta back 0"
"""
STUDIED = ("alpha/a0", "alpha/a1", "alpha/a2", "alpha/cz:c1", "alpha/cz:c2")
SWAPPED = "{{c2::one}} and {{c1::two}}"
AT = NOW + timedelta(hours=2)

CHILD = r"""
import os, signal, sys
from dataclasses import replace
from datetime import UTC, datetime
from retain.store.collection import Collection
from retain.store.decks import card_edits
from retain.store.home import open_home

op, kill_at = sys.argv[1], int(sys.argv[2])
at = datetime.fromisoformat(sys.argv[3])
col = Collection.open(open_home(), at, tz=UTC)
assert not col.read_only
count = 0
real_fsync = os.fsync

def fsync(fd):
    global count
    count += 1
    if count == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)
    real_fsync(fd)

os.fsync = fsync
if op == "browser":
    card_edits.move_cards(col, [("alpha", "a0"), ("alpha", "a1")], "beta", at)
elif op == "editor":
    card_edits.move_card(col, "alpha", "a0", "beta", at)
else:
    origin, card = card_edits.read_card(col, "alpha", "cz")
    new = replace(card, text=sys.argv[4])
    edit = card_edits.CardEdit("alpha", new, origin=origin, origin_deck="alpha", base=card)
    card_edits.save_card(col, edit, at)
os.fsync = real_fsync
print("DONE", count, flush=True)
os._exit(0)
"""


@pytest.fixture(scope="module")
def studied(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, CardState]]:
    """A home with decks alpha and beta, five units of alpha studied (closed: compacted)."""
    root = tmp_path_factory.mktemp("template")
    (root / "decks").mkdir()
    (root / "decks" / "alpha.toml").write_text(ALPHA, encoding="utf-8")
    (root / "decks" / "beta.toml").write_text(BETA, encoding="utf-8")
    col = open_col(open_home({"RETAIN_HOME": str(root)}), NOW)
    try:
        for i, key in enumerate(STUDIED):  # (each its own state: a swap must tell them apart)
            rate(col, key, NOW + timedelta(minutes=i), rating=1 + i % 4)
        states = {key: col.states[key] for key in STUDIED}
    finally:
        col.close(NOW + timedelta(hours=1))
    assert len({s.due for s in states.values()}) > 1
    return root, states


def _run(root: Path, op: str, kill_at: int) -> bool:
    """The move in a child killed before its `kill_at`-th fsync; True when it completed."""
    env = {**os.environ, "RETAIN_HOME": str(root)}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, op, str(kill_at), AT.isoformat(), SWAPPED],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode == 0 and proc.stdout.startswith("DONE")


def _places(col: Collection, card_id: str) -> list[str]:
    return [d.id for d in col.library.decks for c in d.cards if c.id == card_id]


def _check(col: Collection, op: str, states: dict[str, CardState], *, strict: bool) -> None:
    """The moved cards each in one place, with the progress they had there. A reader (not
    `strict`) may show a card in two files (the kill came between them), never reset."""
    now = col.states
    if op in ("browser", "editor"):
        for cid in ("a0", "a1") if op == "browser" else ("a0",):
            where = _places(col, cid)
            if not strict and len(where) != 1:
                continue
            assert len(where) == 1, f"{cid} in {where}"
            assert now.get(f"{where[0]}/{cid}") == states[f"alpha/{cid}"], (
                f"{cid} in {where[0]} lost its progress"
            )
            if where[0] == "beta":
                assert f"alpha/{cid}" not in now
    else:
        (card,) = [c for d in col.library.decks for c in d.cards if c.id == "cz"]
        one, two = states["alpha/cz:c1"], states["alpha/cz:c2"]
        expected = (two, one) if card.text == SWAPPED else (one, two)
        assert (now.get("alpha/cz:c1"), now.get("alpha/cz:c2")) == expected, card.text


@pytest.mark.parametrize("op", ["browser", "editor", "cloze"])
def test_a_kill_at_each_write_of_a_move_keeps_the_progress(
    op: str, studied: tuple[Path, dict[str, CardState]], tmp_path: Path
) -> None:
    template, states = studied
    kills = 0
    for kill_at in range(1, 40):
        root = tmp_path / f"kill{kill_at}"
        shutil.copytree(template, root)
        if _run(root, op, kill_at):
            break
        kills += 1
        home = open_home({"RETAIN_HOME": str(root)})
        reader = open_col(home, AT, read_only=True)
        try:
            _check(reader, op, states, strict=False)
        finally:
            reader.close(AT)
        col = open_col(open_home({"RETAIN_HOME": str(root)}), AT)
        try:
            _check(col, op, states, strict=True)
            assert not intent_path(col.state_dir).exists()
        finally:
            col.close(AT)
        again = open_col(open_home({"RETAIN_HOME": str(root)}), AT)  # (finished once: nothing said)
        try:
            _check(again, op, states, strict=True)
            assert not [m for m in again.messages if "moving" in m], again.messages
        finally:
            again.close(AT)
    else:
        pytest.fail("the move never completed")
    assert kills >= 3  # (the intent, the deck files and the journal: each a kill point)
    col = open_col(open_home({"RETAIN_HOME": str(root)}), AT)  # the move made whole
    try:
        _check(col, op, states, strict=True)
        assert _places(col, "a0") == (["beta"] if op in ("browser", "editor") else ["alpha"])
        assert not [m for m in col.messages if "moving" in m], col.messages
    finally:
        col.close(AT)


def test_the_line_says_the_move_was_finished(
    studied: tuple[Path, dict[str, CardState]], tmp_path: Path
) -> None:
    """A kill after the deck files (before the journal): the next start finishes it, in one line."""
    template, states = studied
    for kill_at in range(1, 40):
        root = tmp_path / f"kill{kill_at}"
        shutil.copytree(template, root)
        assert not _run(root, "editor", kill_at), "never killed after the deck files"
        if "a0" in (root / "decks" / "beta.toml").read_text(encoding="utf-8"):
            break
    col = open_col(open_home({"RETAIN_HOME": str(root)}), AT)
    try:
        said = [m for m in col.messages if "moving" in m]
        assert said == [
            "retain was stopped in the middle of moving the card alpha/a0 to deck beta: the move is "
            "finished, its progress kept"
        ]
        assert col.states.get("beta/a0") == states["alpha/a0"]
    finally:
        col.close(AT)


def test_an_import_that_moved_cards_is_finished_after_a_kill(
    studied: tuple[Path, dict[str, CardState]], tmp_path: Path
) -> None:
    """An import records the moves' intent before it writes its decks (`begin_moves`); killed
    before `record_moves`, the next start carries the progress. `record_moves` ends the intent."""
    from retain.interop.progress_io import record_moves

    template, states = studied
    root = tmp_path / "import"
    shutil.copytree(template, root)
    col = open_col(open_home({"RETAIN_HOME": str(root)}), AT)
    begin_moves(col, {"alpha/a1": "beta/a1"}, AT, "the cards an import moved between decks")
    col.close(AT)
    alpha = root / "decks" / "alpha.toml"  # the import's deck files: a1 now in beta (then a kill)
    text = alpha.read_text(encoding="utf-8")
    table = text[text.index('[[cards]]\nid = "a1"') : text.index('[[cards]]\nid = "a2"')]
    alpha.write_text(text.replace(table, ""), encoding="utf-8")
    beta = root / "decks" / "beta.toml"
    beta.write_text(beta.read_text(encoding="utf-8") + "\n" + table, encoding="utf-8")
    col = open_col(open_home({"RETAIN_HOME": str(root)}), AT)
    try:
        assert col.states.get("beta/a1") == states["alpha/a1"]
        assert "alpha/a1" not in col.states
        assert not intent_path(col.state_dir).exists()
        begin_moves(col, {"alpha/a2": "beta/a2"}, AT, "x")
        record_moves(col, {"alpha/a2": "beta/a2"}, AT)
        assert not intent_path(col.state_dir).exists()
    finally:
        col.close(AT)
