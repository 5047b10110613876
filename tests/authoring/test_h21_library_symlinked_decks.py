"""A deck file that is a symlink (into a git checkout, a documented setup) is checked as any deck.

`retain check` compared the link's *target* with the deck folder: a linked deck was taken for a
file outside the library, so a studied card id renamed in it got no "studied card id(s) no
longer in this deck" warning. And a link whose target went away (the checkout moved) was left
out without a word: the deck and its progress vanished while `check` said "all ok".
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from retain.cli import main
from retain.store.collection import Collection
from retain.store.decks.library import load_library, load_paths
from retain.store.home import open_home

DECK = (
    'format = 1\n[deck]\nid = "sl"\nname = "SL"\n[[cards]]\nid = "x"\nfront = "Q1 thing"\nback = "A1"\n'
    '[[cards]]\nid = "y"\nfront = "Q2 stuff"\nback = "A2"\n'
)


def _study(deck: str, n: int) -> list[str]:
    now = datetime.now(UTC)
    done: list[str] = []
    with Collection.open(open_home(), now) as col:
        session = col.start_session([deck], now)
        for i in range(n):
            unit = session.current
            assert unit is not None
            session.reveal()
            session.rate(3, now + timedelta(seconds=i), 1000)
            done.append(unit.key)
    return done


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "home"
    (root / "decks").mkdir(parents=True)
    (root / "git").mkdir()
    (root / "git" / "sl.toml").write_text(DECK, "utf-8")
    (root / "decks" / "sl.toml").symlink_to("../git/sl.toml")
    monkeypatch.setenv("RETAIN_HOME", str(root))
    return root


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["check", *args])
    said = capsys.readouterr()
    return code, said.out + said.err


@pytest.mark.parametrize("named", [None, "decks/sl.toml", "git/sl.toml"])
def test_a_renamed_studied_card_in_a_linked_deck_is_warned_about(
    home: Path, capsys: pytest.CaptureFixture[str], named: str | None
) -> None:
    studied = _study("sl", 2)
    assert sorted(studied) == ["sl/x", "sl/y"]
    target = home / "git" / "sl.toml"
    target.write_text(DECK.replace('id = "x"', 'id = "x-renamed"'), "utf-8")
    code, said = _check(capsys, *([str(home / named)] if named else []))
    assert code == 0
    assert "1 studied card id(s) no longer in this deck: 'x'" in said, said


def test_a_linked_deck_folder_file_and_a_regular_one_warn_alike(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (home / "decks" / "sl.toml").unlink()
    (home / "decks" / "sl.toml").write_text(DECK, "utf-8")
    _study("sl", 2)
    (home / "decks" / "sl.toml").write_text(DECK.replace('id = "x"', 'id = "x-renamed"'), "utf-8")
    assert "no longer in this deck: 'x'" in _check(capsys)[1]


def test_a_deck_link_whose_target_is_gone_is_a_broken_deck(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _study("sl", 1)
    (home / "git").rename(home / "git-moved")
    link = home / "decks" / "sl.toml"
    for entries in (load_library([(home / "decks", "user")]).entries, load_paths([home / "decks"])):
        (entry,) = entries
        assert entry.deck is None and entry.path == link
        assert (
            entry.error == f"{link}:1:1: error: link target missing (../git/sl.toml): fix or remove the link"
        )
    code, said = _check(capsys)
    assert code == 1
    assert f"{link}:1:1: error: link target missing (../git/sl.toml): fix or remove the link" in said
    capsys.readouterr()
    main(["due"])
    assert f"broken deck: {link}:1:1: error: link target missing" in capsys.readouterr().err


def test_a_link_that_comes_back_loads_again(home: Path) -> None:
    (home / "git").rename(home / "git-moved")
    assert [e.deck for e in load_library([(home / "decks", "user")]).entries] == [None]
    (home / "git-moved").rename(home / "git")
    (entry,) = load_library([(home / "decks", "user")]).entries
    assert entry.deck is not None and entry.deck.id == "sl"


def test_a_link_loop_is_a_broken_deck_and_breaks_nothing(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`Path.resolve` raises on a loop: the library, `check` and the app's file watch go on."""
    from retain.store.decks.deckwatch import DeckWatcher

    loop = home / "decks" / "loop.toml"
    loop.symlink_to("loop.toml")
    by_name = {e.path.name: e for e in load_library([(home / "decks", "user")]).entries}
    assert by_name["sl.toml"].deck is not None
    assert (
        by_name["loop.toml"].error
        == f"{loop}:1:1: error: symbolic link loop (loop.toml): fix or remove the link"
    )
    code, said = _check(capsys)
    assert code == 1 and f"{loop}:1:1: error: symbolic link loop" in said
    assert _check(capsys, str(home / "decks"))[0] == 1
    assert _check(capsys, str(home / "decks" / "sl.toml"))[0] == 0
    assert DeckWatcher([home / "decks"]).changed() == []


def test_a_dangling_link_in_a_hidden_folder_or_not_a_toml_is_not_a_deck(home: Path) -> None:
    (home / "decks" / ".old").mkdir()
    (home / "decks" / ".old" / "gone.toml").symlink_to("../../nowhere.toml")
    (home / "decks" / "gone.txt").symlink_to("nowhere.txt")
    (entry,) = load_library([(home / "decks", "user")]).entries
    assert entry.deck is not None
