"""A card moved to another deck of the same package keeps its progress and history (h22).

Anki keeps a note's GUID when its author moves it to another subdeck, and retain's card ids come
from the GUIDs: upgrading such a package showed the card as added to one deck and removed from
the other, and it came back new (its progress stayed under the deck it left); with
`--with-history` its Anki reviews were recorded a second time, under the new deck. A card that
leaves one deck of an import for another is moved now, as the browser's `m` moves one: its
progress goes along, its history is recorded once, and the preview says so in one line.

The tests drive the import as `retain import` does (read, plan, apply, the history, then the
moves): `commands/import_.py` records the moves after the history (`record_moves`).
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from retain.core.deckfile import parse_deck
from retain.core.model import Deck
from retain.core.state import CardState
from retain.interop.bundle import Bundle, Review
from retain.interop.importer import apply_import, plan_import, read_file
from retain.interop.progress_io import HistoryImport, collection_record_history, record_moves
from retain.store.collection import Collection
from retain.store.home import open_home

from .anki_fixture import CARD, LEGACY, changed_package
from .conftest import run_cli

GK, SPANISH = 1795857295047, 1795857295040  # the fixture's decks "General Knowledge", "Languages::Spanish"
OTHER_CARD = 1795857295155  # a one-card note of Languages::Spanish
STUDIED = "wcaxx-fs-w-15eb95ae"  # CARD's id here (its note's GUID): the one card with reviews
OTHER = "l-u-hu-g-s-8375769d"  # OTHER_CARD's
OLD_KEY, NEW_KEY = f"general-knowledge/{STUDIED}", f"languages-spanish/{STUDIED}"


def _package(tmp_path: Path, name: str, change: Callable[[sqlite3.Connection], object]) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    return changed_package(folder, change)


def _move(
    card: int, deck: int, *, new_deck: str = "", front: str = ""
) -> Callable[[sqlite3.Connection], None]:
    """Move `card` to the deck `deck` (a deck called `new_deck` made for it); `front`: its note's
    first field changed too."""

    def change(conn: sqlite3.Connection) -> None:
        if new_deck:
            decks = json.loads(conn.execute("SELECT decks FROM col").fetchone()[0])
            made = dict(decks[str(GK)], id=deck, name=new_deck)
            decks[str(deck)] = made
            conn.execute("UPDATE col SET decks = ?", (json.dumps(decks),))
        conn.execute("UPDATE cards SET did = ? WHERE id = ?", (deck, card))
        if front:
            nid, flds = conn.execute(
                "SELECT n.id, n.flds FROM notes n JOIN cards c ON c.nid = n.id WHERE c.id = ?", (card,)
            ).fetchone()
            conn.execute(
                "UPDATE notes SET flds = ? WHERE id = ?", ("\x1f".join([front, *flds.split("\x1f")[1:]]), nid)
            )

    return change


def _import(path: Path, *, history: bool = False) -> tuple[list[str], HistoryImport | None, int]:
    """Import `path` as `retain import` does: (its preview lines, the history recorded, how many
    units' progress moved)."""
    home = open_home()
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(path, Path(stage), with_history=history)
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        lines = [line for planned in plan.decks for line in planned.lines()]
        apply_import(plan, home.paths.decks_dir, cache_dir=home.paths.cache_dir)
        now = datetime.now(UTC)
        coll = Collection.open(home, now, cards=False)
        try:
            recorded = collection_record_history(coll, bundle.reviews, now) if bundle.reviews else None
            moved = record_moves(coll, plan.moves, now)
        finally:
            coll.close(now)
    return lines, recorded, moved


def _states() -> dict[str, CardState]:
    now = datetime.now(UTC)
    coll = Collection.open(open_home(), now, read_only=True, cards=False)
    try:
        return dict(coll.states)
    finally:
        coll.close(now)


def _studied(key: str) -> CardState | None:
    state = _states().get(key)
    return None if state is None or state.is_new else state


def _reviews(capsys: pytest.CaptureFixture[str]) -> int:
    code, out, _ = run_cli(capsys, "stats", "--json", "--days", "all")
    assert code == 0
    return int(json.loads(out)["reviews"]["total"])


def test_a_card_moved_to_another_deck_keeps_its_progress(home: Path, tmp_path: Path) -> None:
    _import(LEGACY, history=True)
    before = _studied(OLD_KEY)
    assert before is not None
    lines, _, moved = _import(_package(tmp_path, "v2", _move(CARD, SPANISH)))
    assert f"  > {STUDIED} (from general-knowledge)" in lines, lines
    assert not any(STUDIED in line for line in lines if line.startswith(("  +", "  -"))), lines
    assert any(line.startswith("deck general-knowledge:") and "1 moved out" in line for line in lines)
    assert moved == 1
    assert _studied(NEW_KEY) == before
    assert _studied(OLD_KEY) is None


def test_its_history_is_not_recorded_again(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _, first, _ = _import(LEGACY, history=True)
    assert first is not None and first.recorded == 2
    reviews = _reviews(capsys)
    v2 = _package(tmp_path, "v2", _move(CARD, SPANISH))
    _, again, _ = _import(v2, history=True)
    assert again is not None and again.recorded == 0
    assert _reviews(capsys) == reviews
    _, third, _ = _import(v2, history=True)  # the card is in its new deck now: its history followed
    assert third is not None and third.recorded == 0
    assert _reviews(capsys) == reviews
    assert _studied(NEW_KEY) is not None


def test_a_review_made_in_anki_after_the_move_is_recorded_and_moves_along(home: Path, tmp_path: Path) -> None:
    """The package's history goes in first (under the key the progress is under here), then the
    move: the state the card ends with is the newest review's."""
    _import(LEGACY, history=True)

    def studied_again(conn: sqlite3.Connection) -> None:
        _move(CARD, SPANISH)(conn)
        row = conn.execute("SELECT * FROM revlog WHERE cid = ? ORDER BY id DESC LIMIT 1", (CARD,)).fetchone()
        later = row[0] + 86_400_000 * 3
        conn.execute("INSERT INTO revlog VALUES (?,?,?,?,?,?,?,?,?)", (later, *row[1:]))
        conn.execute("UPDATE cards SET reps = reps + 1 WHERE id = ?", (CARD,))

    before = _studied(OLD_KEY)
    _, recorded, _ = _import(_package(tmp_path, "v2", studied_again), history=True)
    assert recorded is not None and recorded.recorded == 1
    after = _studied(NEW_KEY)
    assert after is not None and before is not None and after.last_review != before.last_review


def test_a_card_moved_to_a_deck_new_in_this_version(home: Path, tmp_path: Path) -> None:
    _import(LEGACY, history=True)
    before = _studied(OLD_KEY)
    lines, _, _ = _import(
        _package(tmp_path, "v2", _move(CARD, 1795857299999, new_deck="General Knowledge::Hard"))
    )
    assert f"  > {STUDIED} (from general-knowledge)" in lines, lines
    assert _studied(f"general-knowledge-hard/{STUDIED}") == before


def test_a_card_moved_and_edited(home: Path, tmp_path: Path) -> None:
    _import(LEGACY, history=True)
    before = _studied(OLD_KEY)
    lines, _, _ = _import(
        _package(tmp_path, "v2", _move(CARD, SPANISH, front="What is the capital of France, today?"))
    )
    assert f"  > {STUDIED} (from general-knowledge, changed)" in lines, lines
    assert _studied(NEW_KEY) == before


def test_two_decks_swapping_cards(home: Path, tmp_path: Path) -> None:
    _import(LEGACY, history=True)
    before = _studied(OLD_KEY)

    def swap(conn: sqlite3.Connection) -> None:
        _move(CARD, SPANISH)(conn)
        _move(OTHER_CARD, GK)(conn)

    lines, _, _ = _import(_package(tmp_path, "v2", swap))
    assert f"  > {STUDIED} (from general-knowledge)" in lines, lines
    assert f"  > {OTHER} (from languages-spanish)" in lines, lines
    assert not any(line.startswith(("  +", "  -")) for line in lines), lines
    assert _studied(NEW_KEY) == before


def _deck(deck_id: str, *cards: str) -> Deck:
    body = "".join(f'\n[[cards]]\nid = "{c}"\nfront = "q {c}"\nback = "a {c}"\n' for c in cards)
    parsed = parse_deck(
        f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\n{body}', f"{deck_id}.toml"
    )
    assert parsed.deck is not None, parsed.errors
    return parsed.deck


def test_a_card_id_in_two_decks_of_the_package_is_not_guessed(home: Path, tmp_path: Path) -> None:
    """Which of the two is the card? Neither: added to both, removed from the deck it left, as
    before, and its progress stays where it is."""
    _import_bundle(Bundle("apkg", decks=[_deck("aa", "x", "y"), _deck("bb", "z")]))
    now = datetime.now(UTC)
    bundle = Bundle("apkg", decks=[_deck("aa", "y"), _deck("bb", "z", "x"), _deck("cc", "x")])
    bundle.reviews = [Review("bb/x", now, CardState())]
    home_ = open_home()
    plan = plan_import(bundle, home_.library(), home_.paths.decks_dir)
    lines = [line for planned in plan.decks for line in planned.lines()]
    assert plan.moves == {}
    assert "  - x" in lines and lines.count("  + x") == 2, lines
    assert [r.key for r in bundle.reviews] == ["bb/x"]


def test_a_move_between_retain_decks_of_one_package(home: Path, tmp_path: Path) -> None:
    """Not only Anki's: any import of several decks (a group exported to one .apkg)."""
    _import_bundle(Bundle("apkg", decks=[_deck("aa", "x", "y"), _deck("bb", "z")]))
    bundle = Bundle("apkg", decks=[_deck("aa", "y"), _deck("bb", "z", "x")])
    home_ = open_home()
    plan = plan_import(bundle, home_.library(), home_.paths.decks_dir)
    assert plan.moves == {"aa/x": "bb/x"}
    lines = [line for planned in plan.decks for line in planned.lines()]
    assert "  > x (from aa)" in lines and not any(line.startswith(("  +", "  -")) for line in lines), lines


def _import_bundle(bundle: Bundle) -> None:
    home_ = open_home()
    apply_import(plan_import(bundle, home_.library(), home_.paths.decks_dir), home_.paths.decks_dir)


def test_the_cli_upgrade_keeps_the_moved_cards_progress(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`retain import` itself (it records the moves after the history: commands/import_.py)."""
    assert run_cli(capsys, "import", "--with-history", str(LEGACY))[0] == 0
    before = _studied(OLD_KEY)
    reviews = _reviews(capsys)
    code, out, err = run_cli(
        capsys, "import", "--with-history", str(_package(tmp_path, "v2", _move(CARD, SPANISH)))
    )
    assert code == 0, err
    assert f"  > {STUDIED} (from general-knowledge)" in out
    assert "recorded 0 event(s)" in out
    assert _reviews(capsys) == reviews
    assert _studied(NEW_KEY) == before
