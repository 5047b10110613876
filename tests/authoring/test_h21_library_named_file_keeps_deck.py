"""Of several files holding one deck id, the file named after the deck (`<id>.toml`) keeps it.

A copy of `kafka.toml` whose name sorts first -- a backup `kafka-old.toml`, macOS Finder's
`kafka copy.toml`, iCloud's `kafka 2.toml`, Google Drive's `kafka (1).toml` -- took the deck:
the app showed the stale copy, listed the real `kafka.toml` as broken ("deck id 'kafka' is
already used by …kafka copy.toml"), and `retain add` and the editor wrote into the copy.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.store.collection import Collection
from retain.store.decks.library import load_library, load_paths
from retain.store.home import open_home

DECK = (
    'format = 1\n[deck]\nid = "{id}"\nname = "{name}"\n[[cards]]\nid = "x"\nfront = "{front}"\nback = "A"\n'
)
COPIES = ["kafka-old.toml", "kafka copy.toml", "kafka 2.toml", "kafka (1).toml", "Kafka.bak.toml", "a.toml"]


def _write(path: Path, name: str, front: str, deck_id: str = "kafka") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(DECK.format(id=deck_id, name=name, front=front), encoding="utf-8")


@pytest.mark.parametrize("copy", COPIES)
def test_the_file_named_after_the_deck_keeps_it_and_the_copy_is_the_broken_one(
    tmp_path: Path, copy: str
) -> None:
    _write(tmp_path / "kafka.toml", "Kafka (current)", "Q new")
    _write(tmp_path / copy, "Kafka (old copy)", "Q old")
    for entries in (load_library([(tmp_path, "user")]).entries, load_paths([tmp_path])):
        by_name = {e.path.name: e for e in entries}
        real, dup = by_name["kafka.toml"], by_name[copy]
        assert real.deck is not None and real.deck.name == "Kafka (current)" and not real.problems
        assert dup.deck is None
        (line,) = [str(p) for p in dup.problems if p.severity == "error"]
        assert line.startswith(f"{tmp_path / copy}:1:1: error: deck id 'kafka' is already used by ")
        assert str(tmp_path / "kafka.toml") in line


def test_the_named_file_wins_across_folders_but_never_over_a_users_copy_of_a_bundled_deck(
    tmp_path: Path,
) -> None:
    user, extra, bundled = tmp_path / "user", tmp_path / "extra", tmp_path / "bundled"
    _write(user / "my-kafka.toml", "mine", "Q1")
    _write(extra / "kafka.toml", "named", "Q2")
    _write(bundled / "kafka.toml", "bundled", "Q3")
    lib = load_library([(user, "user"), (extra, "folder"), (bundled, "bundled")])
    owner = lib.entry("kafka")
    assert owner is not None and owner.path == extra / "kafka.toml"
    assert [e.path for e in lib.broken] == [user / "my-kafka.toml"]
    # no other file named after the deck: the user's copy replaces the bundled deck, as before
    lib = load_library([(user, "user"), (bundled, "bundled")])
    owner = lib.entry("kafka")
    assert owner is not None and owner.path == user / "my-kafka.toml" and lib.broken == []


def test_without_a_file_named_after_the_deck_the_first_file_keeps_it(tmp_path: Path) -> None:
    _write(tmp_path / "b.toml", "b", "Q1")
    _write(tmp_path / "a.toml", "a", "Q2")
    lib = load_library([(tmp_path, "user")])
    owner = lib.entry("kafka")
    assert owner is not None and owner.path == tmp_path / "a.toml"
    assert [e.path for e in lib.broken] == [tmp_path / "b.toml"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abkfz -_()0123456789.", min_size=1, max_size=12).filter(
            lambda s: s.strip(" .") == s and s.lower() != "kafka"
        ),
        min_size=1,
        max_size=4,
        unique_by=str.lower,
    )
)
def test_whatever_the_other_files_are_called_kafka_toml_keeps_the_deck(names: list[str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as raw:
        folder = Path(raw)
        _write(folder / "kafka.toml", "current", "Q")
        for name in names:
            _write(folder / f"{name}.toml", name, "old")
        lib = load_library([(folder, "user")])
        owner = lib.entry("kafka")
        assert owner is not None and owner.path == folder / "kafka.toml"
        assert sorted(e.path.name for e in lib.broken) == sorted(f"{n}.toml" for n in names)


@pytest.mark.parametrize("copy", COPIES[:4])
def test_retain_add_writes_into_the_file_named_after_the_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], copy: str
) -> None:
    decks = tmp_path / "home" / "decks"
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    _write(decks / "kafka.toml", "Kafka (current)", "Q new")
    _write(decks / copy, "Kafka (old copy)", "Q old")
    assert main(["add", "--deck", "kafka", "--front", "added", "--back", "z"]) == 0
    assert "added" in (decks / "kafka.toml").read_text(encoding="utf-8")
    assert "added" not in (decks / copy).read_text(encoding="utf-8")
    capsys.readouterr()
    main(["due"])
    said = capsys.readouterr()
    assert f"broken deck: {decks / copy}:1:1: error: deck id 'kafka' is already used by" in said.err
    assert f"{decks / 'kafka.toml'}:1:1" not in said.err + said.out


def test_a_copy_made_while_the_app_is_open_does_not_take_the_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app reloads the library when a deck file changes (`Collection.reload_library`)."""
    decks = tmp_path / "home" / "decks"
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    _write(decks / "kafka.toml", "Kafka (current)", "Q new")
    with Collection.open(open_home(), datetime.now(UTC)) as col:
        for copy in COPIES:
            _write(decks / copy, "Kafka (old copy)", "Q old")
            col.reload_library()
            owner = col.library.entry("kafka")
            assert owner is not None and owner.path == decks / "kafka.toml", copy
            deck = col.library.get("kafka")
            assert deck is not None and deck.name == "Kafka (current)"
