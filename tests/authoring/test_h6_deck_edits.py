"""A deck author edits deck files by hand (h6): no review is lost or silently re-attached to
another card, and `retain check` says which studied cards an edit left without their progress."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.model import Deck
from retain.core.remap import orphaned_progress
from retain.core.state import REVIEW, CardState, Event
from retain.core.units import expand_deck
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.live_reload import LiveReload

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)

HEAD = 'format = 1\n\n[deck]\nid = "tiny"\nname = "Tiny"\n'


def _cards(ids: list[str]) -> str:
    return "".join(
        f'\n[[cards]]\nid = "{c}"\nfront = "Question {i} of {c}?"\nback = "{i}"\n' for i, c in enumerate(ids)
    )


# ---- a duplicated id: neither card takes the id's progress ----------------------------------------


def test_a_copy_pasted_above_the_studied_card_does_not_take_its_progress() -> None:
    """The author copies card `two` (studied) and pastes it above, meaning to change the copy's id
    later. The first card with an id won: the pasted copy became `tiny/two` and was shown with the
    original's progress, while the original was left out as the duplicate."""
    text = HEAD + _cards(["two", "one"]).replace("Question 0 of two?", "Pasted question?")
    text += '\n[[cards]]\nid = "two"\nfront = "Two?"\nback = "2"\n'
    result = parse_deck(text, "tiny.toml")
    assert result.deck is not None
    assert [c.id for c in result.deck.cards] == ["one"]
    [err] = result.errors
    assert "duplicate card id 'two'" in err.message and "line 8" in err.message
    assert "neither" in err.message or "both" in err.message, err.message


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "c", "d"]), max_size=8))
def test_only_ids_written_once_are_loaded(ids: list[str]) -> None:
    result = parse_deck(HEAD + _cards(ids), "tiny.toml")
    assert result.deck is not None
    counts = Counter(ids)
    assert [c.id for c in result.deck.cards] == [c for c in ids if counts[c] == 1]
    assert len(result.errors) == sum(n - 1 for n in counts.values())


# ---- `retain check`: studied cards an edit left without their progress -----------------------------

TINY = HEAD + (
    '\n[[cards]]\nid = "one"\nfront = "One?"\nback = "1"\n'
    '\n[[cards]]\nid = "cl"\nkind = "cloze"\ntext = "{{c1::Paris}} is the capital of {{c2::France}}"\n'
    '\n[[cards]]\nid = "two"\nkind = "reversed"\nfront = "Two?"\nback = "2"\n'
)
OTHER = (
    'format = 1\n\n[deck]\nid = "other"\nname = "Other"\n\n[[cards]]\nid = "x"\nfront = "X?"\nback = "x"\n'
)
STUDIED = ["tiny/one", "tiny/cl:c1", "tiny/cl:c2", "tiny/two", "tiny/two:reverse", "other/x"]


def _decks(files: dict[str, str]) -> list[Deck]:
    decks = []
    for name, text in files.items():
        result = parse_deck(text, name)
        assert result.deck is not None and not result.errors, result.problems
        decks.append(result.deck)
    return decks


def _orphans(files: dict[str, str], studied: list[str] = STUDIED) -> list[str]:
    decks = _decks(files)
    keys = [u.key for d in decks for u in expand_deck(d)]
    return [
        f"{p.path}:{p.line}: {p.message}" for p in orphaned_progress(decks, keys, dict.fromkeys(studied, 3))
    ]


def test_an_untouched_library_or_a_new_card_says_nothing() -> None:
    assert _orphans({"tiny.toml": TINY, "other.toml": OTHER}) == []
    more = TINY + '\n[[cards]]\nid = "new"\nfront = "New?"\nback = "n"\n'
    assert (
        _orphans(
            {"tiny.toml": more.replace('kind = "reversed"\n', 'kind = "reversed"\n'), "other.toml": OTHER}
        )
        == []
    )
    # basic -> reversed adds a side and keeps the studied one
    assert (
        _orphans({"tiny.toml": TINY.replace('id = "one"\n', 'id = "one"\nkind = "reversed"\n'), "o": OTHER})
        == []
    )


def test_a_renamed_card_id_is_named_with_how_to_keep_its_progress() -> None:
    [said] = _orphans({"tiny.toml": TINY.replace('id = "one"', 'id = "uno"'), "other.toml": OTHER})
    assert said.startswith("tiny.toml:1: 1 studied card id(s) no longer in this deck: 'one' (3 reviews)")
    assert "put the old id back" in said


def test_a_changed_deck_id_is_named_on_the_file_that_now_holds_its_cards() -> None:
    [said] = _orphans({"tiny.toml": TINY.replace('id = "tiny"', 'id = "tiny2"'), "other.toml": OTHER})
    assert said.startswith(
        "tiny.toml:1: 3 card id(s) of this deck, 'cl', 'one', 'two', have progress (15 reviews)"
    )
    assert "no deck file has now" in said and "put it back" in said


def test_a_card_moved_by_hand_is_named_in_both_files() -> None:
    moved = OTHER + '\n[[cards]]\nid = "one"\nfront = "One?"\nback = "1"\n'
    left = TINY.replace('\n[[cards]]\nid = "one"\nfront = "One?"\nback = "1"\n', "")
    said = _orphans({"tiny.toml": left, "other.toml": moved})
    assert len(said) == 2, said
    assert said[0].startswith("tiny.toml:1: 1 studied card id(s) no longer in this deck: 'one'")
    assert said[1].startswith(
        "other.toml:12: 1 card id(s) of this deck, 'one', have progress (3 reviews) in deck 'tiny'"
    )
    assert "m in the browser" in said[1]


def test_a_card_id_another_deck_studies_itself_is_no_move() -> None:
    """`other/x` has progress of its own: a deleted `tiny/x` is not said to have moved there."""
    said = _orphans({"tiny.toml": TINY, "other.toml": OTHER}, [*STUDIED, "tiny/x"])
    assert len(said) == 1 and said[0].startswith(
        "tiny.toml:1: 1 studied card id(s) no longer in this deck: 'x'"
    )


@pytest.mark.parametrize(
    ("edit", "line", "gone"),
    [
        (('kind = "reversed"', 'kind = "basic"'), 17, "'tiny/two:reverse'"),
        (
            ("{{c1::Paris}} is the capital of {{c2::France}}", "Paris is the capital of {{c1::France}}"),
            12,
            "'tiny/cl:c2'",
        ),
        (('front = "One?"\nback = "1"', 'kind = "cloze"\ntext = "{{c1::One}}"'), 7, "'tiny/one'"),
    ],
)
def test_a_side_gone_from_a_card_is_named_on_the_card(edit: tuple[str, str], line: int, gone: str) -> None:
    [said] = _orphans({"tiny.toml": TINY.replace(*edit), "other.toml": OTHER})
    assert (
        said.startswith(f"tiny.toml:{line}: card ") and f"studied {gone} (3 reviews) no longer exists" in said
    )


def _record(home: Path, keys: list[str]) -> None:
    with Collection.open(open_home({"RETAIN_HOME": str(home)}), NOW, tz=UTC) as col:
        for key in keys:
            after = CardState(REVIEW, None, 3.0, 5.0, NOW + timedelta(days=3), NOW, 1, 0)
            col.record(Event(col.new_event_id(NOW), "review", key, NOW, after, None, 3, 1000))


def _check(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", "check", *args], env=env, capture_output=True, text=True, timeout=60
    )


def test_retain_check_warns_of_a_renamed_studied_id_and_stops_once_it_is_back(tmp_path: Path) -> None:
    """A hand rename of a studied card's id said nothing in `retain check`: its progress vanished
    from the app, with no hint that putting the id back would bring it back."""
    decks = tmp_path / "decks"
    decks.mkdir()
    deck = decks / "tiny.toml"
    deck.write_text(TINY, "utf-8")
    _record(tmp_path, ["tiny/one"])
    deck.write_text(TINY.replace('id = "one"', 'id = "uno"'), "utf-8")
    proc = _check(tmp_path)
    assert (
        f"{deck}:1:1: warning: 1 studied card id(s) no longer in this deck: 'one' (1 review)" in proc.stdout
    ), proc
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    named = _check(tmp_path, str(deck))  # the file named: the same line
    assert "'one' (1 review)" in named.stdout, named
    deck.write_text(TINY, "utf-8")
    assert "no longer" not in _check(tmp_path).stdout


def test_a_card_a_new_retain_left_out_of_a_bundled_deck_is_not_called_a_hand_edit(tmp_path: Path) -> None:
    """A bundled deck is not the user's to edit: a studied card an upgrade of retain dropped from one
    was named with "put the old id back", advice for a file the user cannot and should not change."""
    _record(tmp_path, ["kafka/a-card-a-new-version-left-out"])
    proc = _check(tmp_path)
    assert proc.returncode == 0, proc
    assert "a-card-a-new-version-left-out" not in proc.stdout + proc.stderr, proc


# ---- the app's reload: what an edit made on disk while the app runs does to progress ---------------


class _Screen:
    def post_message(self, message: object) -> bool:
        return True


class _App:
    """What LiveReload._reload uses of the app: notify() and screen.post_message()."""

    def __init__(self) -> None:
        self.toasts: list[dict[str, Any]] = []
        self.screen = _Screen()

    def notify(self, message: str, **kw: Any) -> None:
        self.toasts.append({"message": message, **kw})


@pytest.fixture
def live(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Path, Collection, LiveReload, _App]]:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    (tmp_path / "decks").mkdir()
    deck = tmp_path / "decks" / "tiny.toml"
    deck.write_text(TINY, "utf-8")
    _record(tmp_path, ["tiny/one", "tiny/cl:c1", "tiny/cl:c2", "tiny/two"])
    col = Collection.open(open_home(), NOW, tz=UTC)
    reload = LiveReload(col)
    reload._app = app = _App()  # type: ignore[assignment]
    reload.watcher.changed(settled=False)  # the stamps as they are now
    try:
        yield deck, col, reload, app
    finally:
        col.close()


def test_a_cloze_renumbered_by_hand_says_whose_progress_the_number_now_shows(
    live: tuple[Path, Collection, LiveReload, _App],
) -> None:
    """`{{c1::Paris}} .. {{c2::France}}`, both studied; the author deletes the Paris deletion and
    renumbers France to c1 in the editor. `tiny/cl:c1` (Paris' progress) now asks for France: the
    reload named c2 as gone, but not that c1's progress now sits on another deletion."""
    deck, _col, reload, app = live
    deck.write_text(
        TINY.replace(
            "{{c1::Paris}} is the capital of {{c2::France}}", "Paris is the capital of {{c1::France}}"
        ),
        "utf-8",
    )
    assert reload.check(settled=False)
    [toast] = app.toasts
    assert "tiny/cl:c2" in toast["message"] and toast["severity"] == "warning"
    assert "tiny/cl:c1 now asks what c2 asked" in toast["message"], toast


def test_a_cloze_reordered_by_hand_with_its_numbers_says_nothing_of_it(
    live: tuple[Path, Collection, LiveReload, _App],
) -> None:
    deck, _col, reload, app = live
    deck.write_text(
        TINY.replace(
            "{{c1::Paris}} is the capital of {{c2::France}}", "{{c2::France}}'s capital: {{c1::Paris}}"
        ),
        "utf-8",
    )
    assert reload.check(settled=False)
    [toast] = app.toasts
    assert toast["message"] == "tiny.toml changed on disk" and toast.get("severity") is None


def test_a_duplicated_id_typed_while_the_app_runs_is_said_as_the_error_it_is(
    live: tuple[Path, Collection, LiveReload, _App],
) -> None:
    """A pasted copy keeping the studied card's id: the deck still loads, so the card error was
    never said; the card's progress vanished with only "a renamed id ... starts over"."""
    deck, col, reload, app = live
    deck.write_text(TINY + '\n[[cards]]\nid = "one"\nfront = "Pasted?"\nback = "p"\n', "utf-8")
    assert reload.check(settled=False)
    errors = [t for t in app.toasts if t.get("severity") == "error"]
    assert len(errors) == 1 and "duplicate card id 'one'" in errors[0]["message"], app.toasts
    assert "tiny/one" not in {u.key for u in col.units}
