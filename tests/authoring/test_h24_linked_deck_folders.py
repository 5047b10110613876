"""A deck file reached through several library folders takes the origin that protects it most,
and is shown by that folder's path, everywhere.

Since linked folders are walked, a configured `deck_folders` folder also linked into the home's
`decks/` (`decks/shared -> ~/git/shared`) was reached first through the link, as the user's: the
file took the user folder's origin, so `retain import` overwrote the checkout's deck (refused
without the link: "already lives in … (a configured deck folder)"), and `check`, `due`, the app
and export's refusals named it by the link's path.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.decks.card_edits import CardEdit, read_card, save_card
from retain.store.decks.deckwatch import DeckWatcher
from retain.store.decks.library import Origin, load_library, real_path
from retain.store.home import open_home


def deck(deck_id: str, back: str = "ORIGINAL") -> str:
    return (
        f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id.title()}"\n\n'
        f'[[cards]]\nid = "a"\nfront = "fa"\nback = "{back}"\n'
    )


@pytest.fixture
def linked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home configured with the deck folder `shared` (holding `foo.toml`), which is also linked
    into its `decks/` as `decks/shared`; `decks/own.toml` is the user's."""
    home, shared = tmp_path / "home", tmp_path / "shared"
    (home / "decks").mkdir(parents=True)
    shared.mkdir()
    (shared / "foo.toml").write_text(deck("foo"), "utf-8")
    (home / "decks" / "own.toml").write_text(deck("own"), "utf-8")
    (home / "config.toml").write_text(f"deck_folders = [{str(shared)!r}]\n", "utf-8")
    (home / "decks" / "shared").symlink_to(shared, target_is_directory=True)
    monkeypatch.setenv("RETAIN_HOME", str(home))
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    return tmp_path


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(args))
    said = capsys.readouterr()
    return code, said.out + said.err


# ---- the import ------------------------------------------------------------------------------


def test_an_import_over_a_configured_folder_linked_into_decks_is_refused(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The attacker's repro: refused, as without the link, naming the configured folder's file."""
    (linked / "up").mkdir()
    (linked / "up" / "foo.toml").write_text(deck("foo", "UPDATED"), "utf-8")
    before = (linked / "shared" / "foo.toml").read_bytes()
    code, said = _run(capsys, "import", str(linked / "up" / "foo.toml"))
    assert code != 0
    assert f"already lives in {linked / 'shared' / 'foo.toml'} (a configured deck folder)" in said
    assert (linked / "shared" / "foo.toml").read_bytes() == before
    assert (linked / "home" / "decks" / "shared").is_symlink()
    assert sorted(p.name for p in (linked / "home" / "decks").iterdir()) == ["own.toml", "shared"]


def test_an_import_of_a_new_deck_still_goes_to_the_users_folder(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (linked / "up").mkdir()
    (linked / "up" / "bar.toml").write_text(deck("bar"), "utf-8")
    code, said = _run(capsys, "import", str(linked / "up" / "bar.toml"))
    assert code == 0, said
    assert (linked / "home" / "decks" / "bar.toml").is_file()
    assert not (linked / "shared" / "bar.toml").exists()


# ---- the listing -----------------------------------------------------------------------------


def test_the_library_lists_the_deck_once_as_the_configured_folders(linked: Path) -> None:
    entries = open_home().library().entries
    assert [(e.path, e.origin) for e in entries if e.deck is not None and e.deck.id == "foo"] == [
        (linked / "shared" / "foo.toml", "folder")
    ]
    assert sorted(e.deck.id for e in entries if e.deck is not None) == ["foo", "own"]


def test_check_and_due_name_a_broken_deck_by_the_configured_folders_path(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (linked / "shared" / "bad.toml").write_text("[deck\n", "utf-8")
    shown, link = str(linked / "shared" / "bad.toml"), str(linked / "home" / "decks" / "shared" / "bad.toml")
    for args in (["check"], ["due"]):
        _code, said = _run(capsys, *args)
        assert shown in said, args
        assert link not in said, args
        assert said.count("bad.toml") == 1, said


def test_nested_deck_folders_listed_twice_give_each_deck_once(tmp_path: Path) -> None:
    """A deck folder inside the user's folder, and one inside another deck folder."""
    user, outer = tmp_path / "decks", tmp_path / "outer"
    (user / "inner").mkdir(parents=True)
    (outer / "sub").mkdir(parents=True)
    (user / "inner" / "a.toml").write_text(deck("a"), "utf-8")
    (outer / "sub" / "b.toml").write_text(deck("b"), "utf-8")
    folders: list[tuple[Path, Origin]] = [
        (user, "user"),
        (outer, "folder"),
        (outer / "sub", "folder"),
        (user / "inner", "folder"),
    ]
    got = {(e.deck.id, e.path, e.origin) for e in load_library(folders).entries if e.deck is not None}
    assert got == {
        ("a", user / "inner" / "a.toml", "folder"),
        ("b", outer / "sub" / "b.toml", "folder"),
    }
    assert len(load_library(folders).entries) == 2


def test_a_bundled_folder_linked_into_decks_stays_bundled(tmp_path: Path) -> None:
    """Never written from the app, and never overwritten by an import: its file is the package's."""
    user, bundled = tmp_path / "decks", tmp_path / "bundled"
    user.mkdir()
    bundled.mkdir()
    (bundled / "b.toml").write_text(deck("b"), "utf-8")
    (user / "pkg").symlink_to(bundled, target_is_directory=True)
    entries = load_library([(user, "user"), (bundled, "bundled")]).entries
    assert [(e.path, e.origin) for e in entries] == [(bundled / "b.toml", "bundled")]


_ORIGINS: list[Origin] = ["user", "folder", "bundled"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations([0, 1, 2]), link_from=st.sampled_from([0, 1]))
def test_any_order_of_folders_gives_the_most_protective_origin(
    tmp_path_factory: pytest.TempPathFactory, order: list[int], link_from: int
) -> None:
    """One real file reached through a user folder, a deck folder and a bundled folder (linked into
    one of the others), whatever their order: one entry, the bundled folder's, by its path."""
    root = tmp_path_factory.mktemp("web")
    folders = [root / "user", root / "folder", root / "bundled"]
    for f in folders:
        f.mkdir()
    (folders[2] / "x.toml").write_text(deck("x"), "utf-8")
    (folders[link_from] / "link").symlink_to(folders[2], target_is_directory=True)
    if link_from == 1:
        (folders[0] / "via").symlink_to(folders[1], target_is_directory=True)
    listed = [(folders[i], _ORIGINS[i]) for i in order]
    entries = load_library(listed).entries
    assert [(e.path, e.origin) for e in entries] == [(folders[2] / "x.toml", "bundled")]


# ---- export, the app, the watcher ------------------------------------------------------------


def test_exports_second_deck_refusal_names_the_configured_folders_file(
    linked: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = linked / "home" / "decks" / "shared" / "copy.toml"
    code, said = _run(capsys, "export", "foo", "-o", str(out))
    assert code == 1
    assert f"beside {linked / 'shared' / 'foo.toml'} " in said
    assert not out.exists()


def test_an_edit_in_the_app_lands_in_the_one_real_file(linked: Path) -> None:
    now = datetime.now(UTC)
    with Collection.open(open_home(), now, tz=UTC) as col:
        origin, card = read_card(col, "foo", "a")
        assert origin.path == linked / "shared" / "foo.toml"
        edited = replace(card, back="EDITED")
        result = save_card(col, CardEdit("foo", edited, origin, "foo", card), now)
        assert [real_path(p) for p in result.written] == [linked / "shared" / "foo.toml"]
    assert "EDITED" in (linked / "shared" / "foo.toml").read_text("utf-8")
    assert (linked / "home" / "decks" / "shared").is_symlink()
    assert sorted(p.name for p in (linked / "shared").iterdir()) == ["foo.toml"]
    library = open_home().library()
    assert [e.path for e in library.entries if e.deck is not None and e.deck.id == "foo"] == [
        linked / "shared" / "foo.toml"
    ]


def test_an_edit_through_either_path_is_one_change_to_the_watcher(linked: Path) -> None:
    home = open_home()
    watcher = DeckWatcher([home.paths.decks_dir, *home.config.deck_folders])
    real = linked / "shared" / "foo.toml"
    for n, path in enumerate([linked / "home" / "decks" / "shared" / "foo.toml", real]):
        path.write_text(deck("foo", f"EDIT {n}"), "utf-8")
        os.utime(real, ns=(n + 1, n + 1))
        assert watcher.changed(settled=False) == [real]
