"""An upgrade names the studied review units it leaves out of the deck (attack 73).

Importing a new version of a studied deck where a cloze number is gone (`{{c2::y}}` now plain
text) or a reversed card became basic dropped those units' progress from view, while the preview
and the import said only `~ c` / `~ d`: only a later `retain check` told. The editor and the reload
after a hand edit name such units; the import's diff (the CLI's lines, `--dry-run`'s, the import
dialog's) now does too, on the card's line, with one closing line saying where their reviews are:
in the journal, and they show again when a later version brings the unit back.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.model import Card, Deck, Kind
from retain.core.state import NEW, REVIEW, CardState, Event
from retain.interop.lost_progress import studied_counts
from retain.interop.upgrade import diff_decks, gone_keys, mark_lost
from retain.store.collection import Collection
from retain.store.home import open_home

from .conftest import run_cli

V1 = """format = 1
[deck]
id = "up"
version = "1.0.0"
[[cards]]
id = "c"
kind = "cloze"
text = "{{c1::x}} and {{c2::y}}"
[[cards]]
id = "d"
kind = "reversed"
front = "D"
back = "dee"
[[cards]]
id = "x"
front = "X"
back = "ex"
[[cards]]
id = "y"
front = "Y"
back = "why"
"""

# c2 gone, d made basic, x and y removed
V2 = (
    V1.replace("1.0.0", "1.1.0")
    .replace(" and {{c2::y}}", " and y")
    .replace('kind = "reversed"', 'kind = "basic"')
    .split('[[cards]]\nid = "x"')[0]
)
# c2 and d's reverse side back; x and y still out
V3 = V1.replace("1.0.0", "1.2.0").split('[[cards]]\nid = "x"')[0]


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _study(*keys: str) -> None:
    """One review of each unit, a day ago (as the repro records them)."""
    now = datetime.now(UTC)
    at = now - timedelta(days=1)
    col = Collection.open(open_home(), now)
    try:
        for key in keys:
            after = CardState(REVIEW, None, 3.0, 5.0, at + timedelta(days=3), at, 1, 0)
            col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3, 1000))
    finally:
        col.close()


def _states(*keys: str) -> dict[str, CardState | None]:
    now = datetime.now(UTC)
    col = Collection.open(open_home(), now, read_only=True, cards=False)
    try:
        return {key: col.states.get(key) for key in keys}
    finally:
        col.close()


STUDIED_C2 = "  ~ c (studied up/c:c2 no longer exists)"
STUDIED_REVERSE = "  ~ d (studied up/d:reverse no longer exists)"


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
def test_an_upgrade_names_the_studied_units_it_leaves_out(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], dry_run: bool
) -> None:
    assert run_cli(capsys, "import", str(_write(tmp_path, "v1.toml", V1)))[0] == 0
    _study("up/c:c1", "up/c:c2", "up/d", "up/d:reverse", "up/x")
    args = ["import", *(["--dry-run"] if dry_run else []), str(_write(tmp_path, "v2.toml", V2))]
    code, out, err = run_cli(capsys, *args)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "deck up: 1.0.0 -> 1.1.0: 0 added, 2 changed, 2 removed, 0 unchanged"
    assert lines[1:6] == [
        STUDIED_C2,
        STUDIED_REVERSE,
        "  - x (studied)",
        "  - y",  # never studied: nothing lost
        "  3 studied review units (3 reviews) leave the deck: their progress no longer shows; the "
        "reviews stay in the journal, and it shows again if a later version brings them back",
    ]


def test_sides_never_studied_are_not_named(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "import", str(_write(tmp_path, "v1.toml", V1)))[0] == 0
    _study("up/c:c1", "up/d")  # the units that stay
    code, out, _ = run_cli(capsys, "import", str(_write(tmp_path, "v2.toml", V2)))
    assert code == 0
    assert out.splitlines()[1:5] == ["  ~ c", "  ~ d", "  - x", "  - y"]
    assert "(studied" not in out and "studied review unit" not in out


def test_an_upgrade_of_a_deck_never_studied_says_nothing_of_progress(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(capsys, "import", str(_write(tmp_path, "v1.toml", V1)))[0] == 0
    code, out, _ = run_cli(capsys, "import", str(_write(tmp_path, "v2.toml", V2)))
    assert code == 0 and "(studied" not in out and "studied review unit" not in out


def test_the_progress_shows_again_when_a_later_version_brings_the_units_back(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What the closing line promises: the reviews stay in the journal, keyed by the unit."""
    assert run_cli(capsys, "import", str(_write(tmp_path, "v1.toml", V1)))[0] == 0
    _study("up/c:c2", "up/d:reverse")
    assert run_cli(capsys, "import", str(_write(tmp_path, "v2.toml", V2)))[0] == 0
    code, out, _ = run_cli(capsys, "import", str(_write(tmp_path, "v3.toml", V3)))
    assert (
        code == 0 and "(studied" not in out and "studied review unit" not in out
    )  # (units coming back lose nothing)
    states = _states("up/c:c2", "up/d:reverse")
    for key, state in states.items():
        assert state is not None and state.state == REVIEW and state.reps == 1, key


def _card(card_id: str, kind: Kind = "basic", text: str = "") -> Card:
    if kind == "cloze":
        return Card(card_id, kind="cloze", text=text)
    return Card(card_id, kind=kind, front=f"{card_id}?", back=card_id)


def _deck(deck_id: str, *cards: Card) -> Deck:
    return Deck(deck_id, deck_id, cards=tuple(cards))


def test_the_diff_knows_which_units_each_card_loses() -> None:
    old = _deck(
        "up", _card("c", "cloze", "{{c1::x}} {{c2::y}} {{c3::z}}"), _card("d", "reversed"), _card("x")
    )
    new = _deck("up", _card("c", "cloze", "{{c1::x}} y {{c3::zz}}"), _card("d"), _card("n"))
    diff = diff_decks(old, new)
    assert diff.gone == {"c": ("up/c:c2",), "d": ("up/d:reverse",), "x": ("up/x",)}
    assert gone_keys([diff]) == {"up/c:c2", "up/d:reverse", "up/x"}
    assert diff_decks(None, new).gone == {}


def test_only_studied_units_that_nothing_carries_are_lost() -> None:
    old = _deck("up", _card("c", "cloze", "{{c1::x}} {{c2::y}} {{c3::z}} {{c4::w}}"), _card("x"), _card("y"))
    new = _deck("up", _card("c", "cloze", "{{c1::x}} y z w"), _card("y"))
    diff = diff_decks(old, new)
    mark_lost([diff], {"up/c:c2": 4, "up/c:c3": 1, "up/x": 2, "up/y": 9}, carried={"up/c:c3"})
    assert diff.lost == {"up/c:c2": 4, "up/x": 2}  # c3 carried, c4 never studied, y kept
    assert diff.lines()[1:] == [
        "  ~ c (studied up/c:c2 no longer exists)",
        "  - x (studied)",
        "  2 studied review units (6 reviews) leave the deck: their progress no longer shows; the "
        "reviews stay in the journal, and it shows again if a later version brings them back",
    ]


def test_several_units_of_one_card_and_one_unit_read_well() -> None:
    old = _deck("up", _card("c", "cloze", "{{c1::x}} {{c2::y}} {{c3::z}} {{c4::w}} {{c5::v}}"))
    new = _deck("up", _card("c", "cloze", "{{c1::x}} y z w v"))
    diff = diff_decks(old, new)
    mark_lost([diff], {f"up/c:c{n}": 1 for n in range(1, 6)})
    assert diff.lines()[1:] == [
        "  ~ c (studied up/c:c2, up/c:c3, up/c:c4 and 1 more no longer exist)",
        "  4 studied review units (4 reviews) leave the deck: their progress no longer shows; the "
        "reviews stay in the journal, and it shows again if a later version brings them back",
    ]
    one = diff_decks(_deck("up", _card("x")), _deck("up", _card("y")))
    mark_lost([one], {"up/x": 1})
    assert one.lines()[-1] == (
        "  1 studied review unit (1 review) leaves the deck: its progress no longer shows; the "
        "reviews stay in the journal, and it shows again if a later version brings it back"
    )


def test_a_card_moved_to_another_deck_of_the_import_names_what_it_loses_there() -> None:
    """A card moved between two decks of one package (`importer._card_moves`) whose reverse side
    the new version drops: its moved keys are carried, the side that is gone is named on its
    `>` line, in the deck it went to."""
    old_a, new_a = _deck("a", _card("w", "reversed"), _card("k")), _deck("a", _card("k"))
    old_b, new_b = _deck("b", _card("m")), _deck("b", _card("m"), _card("w"))
    diff_a, diff_b = diff_decks(old_a, new_a), diff_decks(old_b, new_b)
    diff_a.move_out("w", "b")
    diff_b.move_in("w", "a", True)
    mark_lost([diff_a, diff_b], {"a/w": 3, "a/w:reverse": 2}, carried={"a/w": "b/w"})
    assert diff_a.lost == {}
    assert diff_b.lost == {"a/w:reverse": 2}
    assert diff_a.lines() == ["deck a: 0 added, 0 changed, 0 removed, 1 unchanged, 1 moved out"]
    assert diff_b.lines()[1:] == [
        "  > w (from a, changed; studied a/w:reverse no longer exists)",
        "  1 studied review unit (2 reviews) leaves the deck: its progress no longer shows; the "
        "reviews stay in the journal, and it shows again if a later version brings it back",
    ]


def test_a_unit_that_is_new_again_or_only_suspended_is_not_studied() -> None:
    at = datetime(2025, 3, 1, tzinfo=UTC)
    states = {
        "up/a": CardState(REVIEW, None, 3.0, 5.0, at, at, 4, 1),
        "up/b": CardState(),  # reset to new
        "up/c": CardState(suspended=True),  # suspended before any review
        "up/e": CardState(REVIEW, None, 3.0, 5.0, at, at, 2, 0, suspended=True),
    }
    keys = {"up/a", "up/b", "up/c", "up/e", "up/f"}
    assert studied_counts(states, keys) == {"up/a": 4, "up/e": 2}
    assert CardState().state == NEW
