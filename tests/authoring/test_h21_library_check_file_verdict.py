"""`retain check FILE` on a file of the library gives the app's verdict on it.

`retain check decks/sub/b.toml` said "1 ok" (exit 0) for a file the app refused because
`decks/a.toml` has the same deck id: the file was read alone. It now reads the library's other
files for deck ids, without reporting their own problems.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main

DECK = (
    'format = 1\n[deck]\nid = "{id}"\nname = "{name}"\n[[cards]]\nid = "{card}"\nfront = "{q}"\nback = "A"\n'
)


@pytest.fixture
def decks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    folder = tmp_path / "home" / "decks"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.toml").write_text(DECK.format(id="dup", name="One", card="x", q="Q one"), "utf-8")
    (folder / "sub" / "b.toml").write_text(DECK.format(id="dup", name="Two", card="y", q="Q two"), "utf-8")
    return folder


def _check(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    capsys.readouterr()
    code = main(["check", *args])
    said = capsys.readouterr()
    return code, said.out.splitlines(), said.err


def test_a_file_the_app_refuses_for_its_deck_id_fails_check(
    decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _check(capsys, str(decks / "sub" / "b.toml"))
    assert code == 1
    assert out == [
        f"{decks / 'sub' / 'b.toml'}:1:1: error: deck id 'dup' is already used by {decks / 'a.toml'}"
    ]
    assert err.strip() == "1 deck file(s): 0 ok, 1 error(s), 0 warning(s)"


def test_the_file_that_keeps_the_deck_passes_and_the_others_problems_are_not_reported(
    decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (decks / "broken.toml").write_text("format = = 1\n", "utf-8")
    code, out, err = _check(capsys, str(decks / "a.toml"))
    assert (code, out) == (0, [])
    assert err.strip() == "1 deck file(s): 1 ok, 0 error(s), 0 warning(s)"


def test_a_relative_path_and_a_symlink_into_the_library_get_the_same_verdict(
    decks: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(decks)
    code, out, _ = _check(capsys, "sub/b.toml")
    assert code == 1 and out == [
        f"sub/b.toml:1:1: error: deck id 'dup' is already used by {decks / 'a.toml'}"
    ]
    (tmp_path / "link.toml").symlink_to(decks / "sub" / "b.toml")
    code, out, _ = _check(capsys, str(tmp_path / "link.toml"))
    assert code == 1 and len(out) == 1 and "already used by" in out[0]


def test_the_file_named_after_the_deck_passes_and_its_copy_fails(
    decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (decks / "kafka.toml").write_text(DECK.format(id="kafka", name="K", card="x", q="Q k"), "utf-8")
    (decks / "kafka copy.toml").write_text(DECK.format(id="kafka", name="K", card="x", q="Q k"), "utf-8")
    assert _check(capsys, str(decks / "kafka.toml"))[:2] == (0, [])
    code, out, _ = _check(capsys, str(decks / "kafka copy.toml"))
    assert code == 1 and out == [
        f"{decks / 'kafka copy.toml'}:1:1: error: deck id 'kafka' is already used by {decks / 'kafka.toml'}"
    ]
    # named together, in any order, the verdict is the app's
    code, out, _ = _check(capsys, str(decks / "kafka copy.toml"), str(decks / "kafka.toml"))
    assert code == 1 and len(out) == 1 and out[0].startswith(f"{decks / 'kafka copy.toml'}:1:1: error:")


def test_a_sync_conflict_copy_named_alone_is_refused_as_the_app_refuses_it(
    decks: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (decks / "c.toml").write_text(DECK.format(id="c", name="C", card="x", q="Q c"), "utf-8")
    copy = decks / "c.sync-conflict-20260328-120000-ABCDEFG.toml"
    copy.write_text(DECK.format(id="c", name="C", card="x", q="Q c"), "utf-8")
    code, out, _ = _check(capsys, str(copy))
    assert code == 1 and len(out) == 1 and "a conflict copy of c.toml left by a sync tool" in out[0]


def test_a_file_outside_the_library_is_read_alone(
    decks: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A draft kept elsewhere may share a library deck's id: it is no deck of the library."""
    draft = tmp_path / "draft.toml"
    draft.write_text(DECK.format(id="dup", name="Draft", card="z", q="Q draft"), "utf-8")
    assert _check(capsys, str(draft))[:2] == (0, [])
