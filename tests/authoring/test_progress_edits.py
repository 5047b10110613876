"""Progress across edits: cloze renumbering, moves, resets, suspends, deletes, and merges with outside edits."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.core.model import Card, Deck
from retain.core.state import REVIEW, CardState, Event
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.browse import BrowseIndex
from retain.store.decks.card_edits import (
    CardConflict,
    CardEdit,
    create_deck,
    delete_card,
    move_card,
    read_card,
    save_card,
)
from retain.store.decks.deckedit import DeckEditError
from retain.store.decks.deckwatch import DeckWatcher
from retain.store.home import Home, open_home
from retain.store.state.progress_edits import move_progress, reset_progress, set_suspended

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

TINY = """format = 1
# The tiny deck: comments and layout must survive edits.

[deck]
id = "tiny"
name = "Tiny deck"

[[cards]]
id = "one"
front = "One?"   # a trailing comment
back = "1"

[[cards]]
id = "three"
kind = "cloze"
text = "{{c1::Three}} and {{c2::four}}"

[[cards]]
id = "last"
front = "Last?"
back = "Z"
"""

OTHER = """format = 1

[deck]
id = "other"
name = "Other deck"

[[cards]]
id = "one"
front = "Another one?"
back = "uno"
"""


def state(lapses: int = 0, days: float = 3.0, leech: bool = False) -> CardState:
    at = NOW - timedelta(days=1)
    return CardState(REVIEW, None, days, 5.0, at + timedelta(days=days), at, 2, lapses, leech=leech)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Home:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "tiny.toml").write_text(TINY, "utf-8")
    (tmp_path / "decks" / "other.toml").write_text(OTHER, "utf-8")
    return open_home()


@pytest.fixture
def col(home: Home) -> Iterator[Collection]:
    collection = Collection.open(home, NOW, tz=UTC)
    yield collection
    collection.close()


def review(col: Collection, key: str, after: CardState) -> None:
    at = NOW - timedelta(days=1)
    col.record(Event(col.new_event_id(at), "review", key, at, after, col.states.get(key), 3, 1000))


def reopen(col: Collection) -> Collection:
    col.close()
    return Collection.open(col.home, NOW, tz=UTC)


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and not line.startswith(("+++", "---"))]


# ---- progress_edits -------------------------------------------------------------


def test_move_progress_swaps_and_survives_a_restart(col: Collection) -> None:
    review(col, "tiny/three:c1", state(lapses=1))
    review(col, "tiny/three:c2", state(lapses=2))
    review(col, "tiny/one", state(lapses=3))
    move_progress(col, {"tiny/three:c1": "tiny/three:c2", "tiny/three:c2": "tiny/three:c1"}, NOW)
    move_progress(col, {"tiny/one": "other/one"}, NOW)
    for c in (col, reopened := reopen(col)):
        assert c.states["tiny/three:c1"].lapses == 2
        assert c.states["tiny/three:c2"].lapses == 1
        assert c.states["other/one"].lapses == 3
        assert "tiny/one" not in c.states
    reopened.close()


def test_reset_keeps_the_history_and_suspend_round_trips(col: Collection) -> None:
    review(col, "tiny/one", state())
    reset_progress(col, ["tiny/one", "tiny/last"], NOW)  # tiny/last is new: skipped
    assert "tiny/one" not in col.states
    assert [e.kind for e in col.history(NOW) if e.key == "tiny/one"] == ["review", "reset"]
    set_suspended(col, ["tiny/last"], True, NOW)  # a new card can be suspended
    assert col.states["tiny/last"].suspended and col.states["tiny/last"].is_new
    assert set_suspended(col, ["tiny/last"], True, NOW) == []
    col = reopen(col)
    assert col.states["tiny/last"].suspended
    set_suspended(col, ["tiny/last"], False, NOW)
    assert not col.states.get("tiny/last", CardState()).suspended
    col.close()


# ---- saving cards -----------------------------------------------------------------


def test_editing_text_keeps_progress_and_changes_only_that_card(home: Home, col: Collection) -> None:
    review(col, "tiny/one", state(lapses=4))
    path = home.paths.decks_dir / "tiny.toml"
    origin, card = read_card(col, "tiny", "one")
    edit = CardEdit("tiny", replace(card, back="One, the first number"), origin, "tiny", card)
    result = save_card(col, edit, NOW)
    assert result.written == [path] and not result.merged and result.moves == {}
    assert changed_lines(TINY, path.read_text("utf-8")) == ['-back = "1"', '+back = "One, the first number"']
    assert col.units_by_key["tiny/one"].back == "One, the first number"
    assert col.states["tiny/one"].lapses == 4


def test_renumbering_a_cloze_keeps_the_surviving_cloze_progress(col: Collection) -> None:
    review(col, "tiny/three:c1", state(lapses=1))
    review(col, "tiny/three:c2", state(lapses=2))
    origin, card = read_card(col, "tiny", "three")
    edited = replace(card, text="Two and {{c1::four}}")  # c1 deleted, c2 renumbered to c1
    result = save_card(col, CardEdit("tiny", edited, origin, "tiny", card), NOW)
    assert result.moves == {"tiny/three:c2": "tiny/three:c1"}
    assert col.states["tiny/three:c1"].lapses == 2
    assert "tiny/three:c2" not in col.states
    assert [u.key for u in col.units if u.card_id == "three"] == ["tiny/three:c1"]


def test_new_card_gets_an_id_and_is_appended(home: Home, col: Collection) -> None:
    card = Card(id="", kind="cloze", text="The {{c1::leader}} writes", tags=("x",))
    result = save_card(col, CardEdit("tiny", card), NOW)
    assert result.card.id.startswith("leader-writes-")
    text = (home.paths.decks_dir / "tiny.toml").read_text("utf-8")
    assert text.startswith(TINY.rstrip("\n")) and f'id = "{result.card.id}"' in text
    assert f"tiny/{result.card.id}:c1" in col.units_by_key


def test_outside_edit_of_another_card_is_merged(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "tiny.toml"
    origin, card = read_card(col, "tiny", "one")
    theirs = TINY.replace('back = "Z"', 'back = "Zed"  # edited in vim')
    path.write_text(theirs, "utf-8")
    result = save_card(col, CardEdit("tiny", replace(card, back="uno"), origin, "tiny", card), NOW)
    assert result.merged
    assert changed_lines(theirs, path.read_text("utf-8")) == ['-back = "1"', '+back = "uno"']


@pytest.mark.parametrize("resolution", ["both", "mine", "theirs"])
def test_outside_edit_of_the_same_card_asks_and_loses_nothing(
    home: Home, col: Collection, resolution: str
) -> None:
    path = home.paths.decks_dir / "tiny.toml"
    origin, card = read_card(col, "tiny", "one")
    theirs = TINY.replace('back = "1"', 'back = "one (theirs)"')
    path.write_text(theirs, "utf-8")
    edit = CardEdit("tiny", replace(card, back="one (mine)"), origin, "tiny", card)
    with pytest.raises(CardConflict) as info:
        save_card(col, edit, NOW)
    assert info.value.theirs is not None and info.value.theirs.back == "one (theirs)"
    assert path.read_text("utf-8") == theirs  # nothing written
    save_card(col, edit, NOW, resolution)  # type: ignore[arg-type]
    text = path.read_text("utf-8")
    backs = {c.back for c in col.library.get("tiny").cards}  # type: ignore[union-attr]
    if resolution == "both":
        assert {"one (theirs)", "one (mine)"} <= backs and text.startswith(theirs.rstrip("\n"))
    elif resolution == "mine":
        assert "one (mine)" in backs and "one (theirs)" not in backs
    else:
        assert text == theirs


def test_card_deleted_on_disk_while_edited(home: Home, col: Collection) -> None:
    path = home.paths.decks_dir / "tiny.toml"
    origin, card = read_card(col, "tiny", "last")
    path.write_text(TINY.split('[[cards]]\nid = "last"')[0].rstrip() + "\n", "utf-8")
    edit = CardEdit("tiny", replace(card, back="Zed"), origin, "tiny", card)
    with pytest.raises(CardConflict, match="deleted on disk") as info:
        save_card(col, edit, NOW)
    assert info.value.theirs is None
    save_card(col, edit, NOW, "mine")
    assert col.library.get("tiny").cards[-1].back == "Zed"  # type: ignore[union-attr]


def test_move_to_another_deck_takes_progress_and_renames_on_collision(home: Home, col: Collection) -> None:
    review(col, "tiny/one", state(lapses=5))
    result = move_card(col, "tiny", "one", "other", NOW)
    assert result.card.id != "one" and result.card.front == "One?"
    new_key = f"other/{result.card.id}"
    assert result.moves == {"tiny/one": new_key}
    assert col.states[new_key].lapses == 5 and "tiny/one" not in col.states
    assert "tiny/one" not in col.units_by_key and new_key in col.units_by_key
    assert "One?" not in (home.paths.decks_dir / "tiny.toml").read_text("utf-8")
    with pytest.raises(DeckEditError, match="already in"):
        move_card(col, "other", result.card.id, "other", NOW)


def test_delete_leaves_history_in_the_journal(home: Home, col: Collection) -> None:
    review(col, "tiny/last", state())
    delete_card(col, "tiny", "last")
    assert "tiny/last" not in col.units_by_key
    assert "Last?" not in (home.paths.decks_dir / "tiny.toml").read_text("utf-8")
    col = reopen(col)
    assert [e.kind for e in col.history(NOW) if e.key == "tiny/last"] == ["review"]
    assert sum(c.review for c in col.due_counts(NOW + timedelta(days=30)).values()) == 0
    col.close()


def test_create_deck_and_refuse_duplicates(home: Home, col: Collection) -> None:
    path = create_deck(col, Deck(id="go", name="Go", group="Languages", description="Go *basics*"))
    assert path == home.paths.decks_dir / "go.toml"
    deck = col.library.get("go")
    assert deck is not None and (deck.group, deck.description) == ("Languages", "Go *basics*")
    for bad, message in ((Deck("go", "Again"), "already exists"), (Deck("Bad Id", "x"), "invalid")):
        with pytest.raises(DeckEditError, match=message):
            create_deck(col, bad)


def test_read_only_collection_refuses_edits(home: Home, col: Collection) -> None:
    reader = Collection.open(home, NOW, tz=UTC, read_only=True)
    try:
        origin, card = read_card(reader, "tiny", "one")
        with pytest.raises(DeckEditError, match="read-only"):
            save_card(reader, CardEdit("tiny", replace(card, back="x"), origin, "tiny", card), NOW)
    finally:
        reader.close()


def test_bundled_deck_is_copied_on_first_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    with Collection.open(open_home(), NOW, tz=UTC) as collection:
        origin, card = read_card(collection, "consul", "health-checks")
        edit = CardEdit("consul", replace(card, back="Health checks."), origin, "consul", card)
        result = save_card(collection, edit, NOW)
        assert result.written == [tmp_path / "decks" / "consul.toml"]
        entry = collection.library.entry("consul")
        assert entry is not None and entry.origin == "user"


# ---- browse index and deck watcher ------------------------------------------------------


def test_browse_search_sort_and_leech_marker(col: Collection) -> None:
    review(col, "tiny/one", state(lapses=8, days=10, leech=True))
    review(col, "tiny/last", state(lapses=1, days=2))
    index = BrowseIndex.from_collection(col)
    today = col.today(NOW)
    keys = [u.key for u in index.search("", NOW, today)]
    assert keys == ["other/one", "tiny/one", "tiny/three:c1", "tiny/three:c2", "tiny/last"]
    assert [u.key for u in index.search("is:leech", NOW, today)] == ["tiny/one"]
    assert [u.key for u in index.search("deck:tiny -is:new OR uno", NOW, today)] == [
        "other/one",
        "tiny/one",
        "tiny/last",
    ]
    by_due = [u.key for u in index.sort(index.search("", NOW, today), "due", NOW)]
    assert by_due[:2] == ["tiny/last", "tiny/one"]
    by_lapses = index.sort(index.units, "lapses", NOW, descending=True)
    row = index.row(by_lapses[0], NOW, today)
    assert (row.key, row.state, row.lapses, row.leech, row.interval) == ("tiny/one", "review", 8, True, "10d")
    assert index.row(index.units[2], NOW, today).kind == "cloze c1"
    set_suspended(col, ["tiny/three:c1"], True, NOW)
    assert [u.key for u in index.search("is:suspended", NOW, today)] == ["tiny/three:c1"]


def test_deck_watcher_reports_settled_outside_changes_only(home: Home) -> None:
    folder = home.paths.decks_dir
    watcher = DeckWatcher([folder])
    assert watcher.changed() == []
    (folder / "tiny.toml").write_text(TINY + "\n# edited\n", "utf-8")
    (folder / "new.toml").write_text(OTHER.replace('"other"', '"new"'), "utf-8")
    assert watcher.changed() == []  # not settled yet: an editor may still be writing
    assert [p.name for p in watcher.changed()] == ["new.toml", "tiny.toml"]
    assert watcher.changed() == []
    (folder / "tiny.toml").write_text("", "utf-8")  # truncated, then written: only the end counts
    assert watcher.changed() == []
    (folder / "tiny.toml").write_text(TINY, "utf-8")
    assert watcher.changed() == []
    assert [p.name for p in watcher.changed()] == ["tiny.toml"]
    (folder / "other.toml").write_text(OTHER + "\n", "utf-8")
    watcher.acknowledge([folder / "other.toml"])  # the app's own save
    (folder / "new.toml").unlink()
    assert [p.name for p in watcher.changed(settled=False)] == ["new.toml"]


@pytest.mark.parametrize(
    ("card_id", "change", "gone"),
    [
        ("one", {"kind": "cloze", "text": "{{c1::One}} is 1", "front": "", "back": ""}, "tiny/one"),
        ("three", {"text": "{{c1::Three}} and four"}, "tiny/three:c2"),
    ],
)
def test_an_edit_that_takes_a_studied_unit_away_says_so(
    col: Collection, card_id: str, change: dict[str, str], gone: str
) -> None:
    """A kind changed or a cloze number deleted dropped the unit's progress without a word."""
    from retain.ui.screens.editor import _saved_message

    for key in [u.key for u in col.units if u.card_id == card_id]:
        review(col, key, state(lapses=2))
    origin, card = read_card(col, "tiny", card_id)
    edit = CardEdit("tiny", replace(card, **change), origin, "tiny", card)  # type: ignore[arg-type]
    result = save_card(col, edit, NOW)
    assert result.dropped == [gone]
    said = _saved_message(result, None)
    assert f"no longer studied: {gone}" in said and "journal" in said


def test_an_edit_that_keeps_every_unit_or_drops_a_new_one_says_nothing_of_it(col: Collection) -> None:
    review(col, "tiny/three:c1", state())  # c2 never studied
    origin, card = read_card(col, "tiny", "three")
    result = save_card(
        col, CardEdit("tiny", replace(card, text="{{c1::Three}} and four"), origin, "tiny", card), NOW
    )
    assert result.dropped == []


def test_moving_a_card_keeps_the_comments_and_layout_inside_it(home: Home, col: Collection) -> None:
    """A move wrote the card anew in the other deck: its comments and list layout were lost."""
    decks = home.paths.decks_dir
    table = (
        '[[cards]]\nid = "q"\nfront = "Q"  # my note\nback = """\nline one\nline two"""\n'
        'tags = [\n  "x",  # why\n]\n'
    )
    (decks / "tiny.toml").write_text(TINY + "\n" + table, "utf-8")
    col.reload_library()
    move_card(col, "tiny", "q", "other", NOW)
    assert (decks / "other.toml").read_text("utf-8") == OTHER + "\n" + table
    move_card(col, "other", "one", "tiny", NOW)  # the id is taken there: only the id changes
    moved = (decks / "tiny.toml").read_text("utf-8").rpartition("[[cards]]\n")[2]
    assert re.fullmatch(r'id = "another-one-[0-9a-f]+"\nfront = "Another one\?"\nback = "uno"\n', moved)


def test_the_comment_right_above_a_card_goes_where_the_card_goes(home: Home, col: Collection) -> None:
    """A comment with no blank line between it and a card's header is that card's: it stayed in
    the old file when the card moved (and above the next card when it was deleted). A comment a
    blank line away is the file's and stays."""
    decks = home.paths.decks_dir
    noted = '# about q\n# more about q\n[[cards]]\nid = "q"\nfront = "Q"\nback = "A"\n'
    (decks / "tiny.toml").write_text(TINY + "\n# the file's\n\n" + noted, "utf-8")
    col.reload_library()
    move_card(col, "tiny", "q", "other", NOW)
    assert (decks / "tiny.toml").read_text("utf-8") == TINY + "\n# the file's\n"
    assert (decks / "other.toml").read_text("utf-8") == OTHER + "\n" + noted
    delete_card(col, "other", "q")
    assert (decks / "other.toml").read_text("utf-8") == OTHER
