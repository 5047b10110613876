"""Edges of keeping the learner's own cards on a re-import of an Anki package (h24, attacker 22).

1. A card the learner added to a deck of a package was deleted on re-import when the package
   holds the same question in another of its decks (ids come from the question, so both are
   `tres-90b884`): any id the file held anywhere counted as the package's. Now only a card of
   the package's is moved as the file has it (one it gave the deck, the same Anki note, or one
   that left the deck the file holds it in); the learner's card of the same question stays.
6. A `DECK.anki.json` that does not read (a merge conflict left in it, cut short) made a re-import
   delete the learner's cards without a word. Now no card is deleted on "cannot tell": every card
   the package does not prove its own is kept, one warning line names the sidecar and why, and
   `retain check` reports the damaged sidecar in one line.
4. A folder's `--dry-run` announced `+ id` (a second copy) for a card the real run leaves in the
   deck it was moved to: the simulated library listed that deck twice. Now each file of a folder's
   dry run is planned against the library as the files before it would leave it: their decks in
   place of the installed ones, their `DECK.anki.json` texts, and the media they would store.
"""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.ids import make_card_id
from retain.interop.ankikeep import AnkiKeep, KeepError, keep_path, load_keep, parse_keep

from .anki_fixture import LEGACY, changed_package
from .conftest import FIXTURES, run_cli
from .moves import move_like_m

LATEST = FIXTURES / "layout-latest.apkg"
MINE = "  kept, added by you here: 1 card\n"
IMAGE = "tn-lmuh-r-7191cc72"  # general-knowledge: "Which dot is this? <img src="tiny dot.png">"
IMAGE_NOTE = 1_795_857_295_143


def _ok(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, str]:
    code, out, err = run_cli(capsys, *args)
    assert code == 0, err
    return out, err


def _add(capsys: pytest.CaptureFixture[str], deck: str, front: str, back: str) -> str:
    out, _err = _ok(capsys, "add", "--deck", deck, "--front", front, "--back", back)
    found = re.search(rf"added {deck}/(\S+) to ", out)
    assert found is not None, out
    return found[1]


def _cards(root: Path, deck_id: str) -> dict[str, tuple[str, str]]:
    path = root / "decks" / f"{deck_id}.toml"
    parsed = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert parsed.deck is not None, parsed.errors
    return {c.id: (c.front, c.back) for c in parsed.deck.cards}


def _write_deck(folder: Path, deck_id: str, cards: list[tuple[str, str]], group: str = "") -> None:
    """A deck file of the author's: cards (front, back), ids made from the fronts as `retain add`
    makes them."""
    body = "".join(f'\n[[cards]]\nid = "{make_card_id(f)}"\nfront = "{f}"\nback = "{b}"\n' for f, b in cards)
    head = f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\n'
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{deck_id}.toml").write_text(head + (f'group = "{group}"\n' if group else "") + body, "utf-8")


def _package(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    decks: dict[str, list[tuple[str, str]]],
    out: Path,
) -> Path:
    """A package an author exports from retain: `decks` (id -> cards) as group `Lang` (one deck:
    that deck), in a home of its own at `root`."""
    monkeypatch.setenv("RETAIN_HOME", str(root))
    if root.exists():
        shutil.rmtree(root)
    group = "Lang" if len(decks) > 1 else ""
    for deck_id, cards in decks.items():
        _write_deck(root / "decks", deck_id, cards, group)
    _ok(capsys, "export", group or next(iter(decks)), "-o", str(out))
    return out


# -- 1. the same question in another deck of the package -------------------------------------


@pytest.fixture
def learner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return tmp_path / "learner"


def _as_learner(monkeypatch: pytest.MonkeyPatch, learner: Path) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(learner))


def test_your_card_of_a_question_another_deck_of_the_package_holds_stays(
    tmp_path: Path, learner: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report: lang-b holds "tres"; the learner adds their own "tres" to lang-a."""
    decks = {"lang-a": [("uno", "one")], "lang-b": [("tres", "three")]}
    pkg = _package(capsys, monkeypatch, tmp_path / "author", decks, tmp_path / "lang.apkg")
    _as_learner(monkeypatch, learner)
    _ok(capsys, "import", str(pkg))
    mine = _add(capsys, "lang-a", "tres", "three: MY OWN NOTES")
    assert mine == make_card_id("tres")  # (the id of the package's card in lang-b)

    out, _err = _ok(capsys, "import", str(pkg))
    assert "deck lang-a: 0 added, 0 changed, 0 removed, 2 unchanged\n" + MINE in out, out
    assert f"- {mine}" not in out and "  > " not in out
    assert _cards(learner, "lang-a")[mine] == ("tres", "three: MY OWN NOTES")
    assert _cards(learner, "lang-b")[mine] == ("tres", "three")
    again, _err = _ok(capsys, "import", str(pkg), "--dry-run")
    assert MINE in again and f"- {mine}" not in again, again


def test_the_same_question_new_in_another_deck_stays_beside_it(
    tmp_path: Path, learner: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A newer version adds the question the learner added to another deck: both stay."""
    v1 = {"lang-a": [("uno", "one")], "lang-b": [("dos", "two")]}
    v2 = {"lang-a": [("uno", "one")], "lang-b": [("dos", "two"), ("tres", "three")]}
    old = _package(capsys, monkeypatch, tmp_path / "author", v1, tmp_path / "v1.apkg")
    new = _package(capsys, monkeypatch, tmp_path / "author", v2, tmp_path / "v2.apkg")
    _as_learner(monkeypatch, learner)
    _ok(capsys, "import", str(old))
    mine = _add(capsys, "lang-a", "tres", "mine")

    out, _err = _ok(capsys, "import", str(new))
    assert MINE in out and f"  + {mine}\n" in out and f"- {mine}" not in out, out
    assert _cards(learner, "lang-a")[mine] == ("tres", "mine")
    assert _cards(learner, "lang-b")[mine] == ("tres", "three")


def test_a_card_moved_between_decks_of_a_package_retain_wrote_still_moves_back(
    tmp_path: Path, learner: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Moved with `m` from lang-b to lang-a (no GUIDs kept: a package retain wrote), it left
    lang-b, whose package gave it: the file's lang-b has it, so it goes back there, one card."""
    decks = {"lang-a": [("uno", "one")], "lang-b": [("tres", "three")]}
    pkg = _package(capsys, monkeypatch, tmp_path / "author", decks, tmp_path / "lang.apkg")
    _as_learner(monkeypatch, learner)
    _ok(capsys, "import", str(pkg))
    card = make_card_id("tres")
    move_like_m("lang-b", card, "lang-a")

    out, _err = _ok(capsys, "import", str(pkg))
    assert f"  > {card} (from lang-a)\n" in out and "kept" not in out, out
    assert card not in _cards(learner, "lang-a") and card in _cards(learner, "lang-b")


def test_an_anki_package_your_card_with_an_id_of_another_deck(
    home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A card of the learner's (no Anki note entry) under the id another deck of the package holds."""
    _ok(capsys, "import", str(LATEST))
    spanish = home / "decks" / "languages-spanish.toml"
    theirs = "wcaxx-fs-w-15eb95ae"  # general-knowledge's card
    spanish.write_text(
        spanish.read_text("utf-8") + f'\n[[cards]]\nid = "{theirs}"\nfront = "my q"\nback = "my a"\n', "utf-8"
    )
    out, _err = _ok(capsys, "import", str(LATEST))
    assert "deck languages-spanish: 0 added, 0 changed, 0 removed, 4 unchanged\n" + MINE in out, out
    assert _cards(home, "languages-spanish")[theirs] == ("my q", "my a")


# -- 6. a DECK.anki.json that does not read ----------------------------------------------------


def _merge_conflict(text: str) -> str:
    return "<<<<<<< HEAD\n" + text


DAMAGES = {
    "merge conflict": (_merge_conflict, "a merge conflict marker at line 1"),
    "cut short": (lambda text: text[: len(text) // 2], "not JSON: "),
    "another format": (lambda text: text.replace('"format":1', '"format":2', 1), "format 2, not 1"),
    "not UTF-8": (lambda text: "\udcff" + text, "not UTF-8 text"),
}


def _damage(path: Path, how: str) -> None:
    change, _why = DAMAGES[how]
    path.write_bytes(change(path.read_text("utf-8")).encode("utf-8", "surrogateescape"))


@pytest.mark.parametrize("how", sorted(DAMAGES))
def test_a_sidecar_that_does_not_read_keeps_your_card_and_says_so(
    home: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    _ok(capsys, "import", str(LATEST))
    mine = _add(capsys, "general-knowledge", "my own q", "MY OWN ANSWER")
    sidecar = keep_path(home / "decks", "general-knowledge")
    _damage(sidecar, how)

    dry, err = _ok(capsys, "import", str(LATEST), "--dry-run")
    kept = "  kept, not in the package (general-knowledge.anki.json does not read): 1 card\n"
    assert kept in dry and f"- {mine}" not in dry, dry
    out, err = _ok(capsys, "import", str(LATEST))
    assert kept in out and f"- {mine}" not in out, out
    warnings = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warnings) == 1, err
    assert warnings[0].startswith("warning: general-knowledge.anki.json: not readable (")
    assert DAMAGES[how][1] in warnings[0] and "kept 1 card of 'general-knowledge'" in warnings[0]
    assert _cards(home, "general-knowledge")[mine] == ("my own q", "MY OWN ANSWER")
    written = load_keep(sidecar)  # written anew: the card is the learner's from now on
    assert written is not None and written.given is not None and mine not in written.given
    again, err = _ok(capsys, "import", str(LATEST))
    assert MINE in again and "warning" not in err, (again, err)


def test_a_sidecar_that_does_not_read_never_deletes_on_a_guess(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Not even a card its author deleted: which cards the package gave cannot be told."""
    _ok(capsys, "import", str(LEGACY))
    _damage(keep_path(home / "decks", "general-knowledge"), "merge conflict")

    def change(conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM cards WHERE nid = ?", (IMAGE_NOTE,))
        conn.execute("DELETE FROM notes WHERE id = ?", (IMAGE_NOTE,))

    (tmp_path / "v2").mkdir()
    out, err = _ok(capsys, "import", str(changed_package(tmp_path / "v2", change)))
    assert "deck general-knowledge: 0 added, 0 changed, 0 removed, 2 unchanged\n" in out, out
    assert "does not read): 1 card" in out and "not readable" in err, (out, err)
    assert IMAGE in _cards(home, "general-knowledge")


def test_no_sidecar_tells_nothing_as_before(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A deck with no `DECK.anki.json` at all (imported before retain kept one) is as before."""
    _ok(capsys, "import", str(LATEST))
    mine = _add(capsys, "general-knowledge", "my own q", "my a")
    keep_path(home / "decks", "general-knowledge").unlink()
    out, err = _ok(capsys, "import", str(LATEST))
    assert f"  - {mine}\n" in out and "warning" not in err, (out, err)


def test_check_reports_a_sidecar_that_does_not_read(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _ok(capsys, "import", str(LATEST))
    code, out, err = run_cli(capsys, "check")
    assert code == 0 and out == "" and "0 warning(s)" in err, (out, err)
    sidecar = keep_path(home / "decks", "general-knowledge")
    _damage(sidecar, "merge conflict")
    _damage(keep_path(home / "decks", "languages-spanish"), "cut short")
    code, out, err = run_cli(capsys, "check")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 2 and "2 warning(s)" in err, (out, err)
    assert lines[0].startswith(f"{sidecar}:1:1: warning: not readable (a merge conflict marker at line 1): ")
    assert "languages-spanish.anki.json:1:" in lines[1] and "not JSON" in lines[1]
    code, out, err = run_cli(capsys, "check", str(home / "decks" / "general-knowledge.toml"))
    assert code == 0 and out.count("\n") == 1 and "not readable" in out, out


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
)


@given(st.text(max_size=60) | _JSON.map(json.dumps) | st.builds(lambda d: json.dumps({"format": 1, **d}), st.dictionaries(st.sampled_from(["notes", "notetypes", "media", "cards", "given", "moved_in"]), _JSON)))  # fmt: skip
def test_parse_keep_reads_or_says_why(text: str) -> None:
    try:
        keep = parse_keep(text)
    except KeepError as exc:
        assert str(exc) and "\n" not in str(exc) and exc.line >= 1
    else:
        assert isinstance(keep, AnkiKeep)


# -- 4. a folder's dry run says what the real run does ------------------------------------------


def _lines(out: str) -> list[str]:
    """The change lines of a folder import: its decks', without the real run's reports."""
    skip = ("imported deck", "would import", "imported ", "dry run", "stored ", "would store ")
    return [
        line
        for line in out.splitlines()
        if not line.startswith(skip) and not line.split(": ", 1)[-1].startswith(skip)
    ]


def _both(capsys: pytest.CaptureFixture[str], folder: Path) -> tuple[str, str]:
    dry, _err = _ok(capsys, "import", str(folder), "--dry-run")
    real, _err = _ok(capsys, "import", str(folder))
    return dry, real


def test_a_folder_dry_run_leaves_a_card_you_moved_where_the_real_run_does(
    tmp_path: Path, learner: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The report: a card of `sp.apkg` moved with `m` into `french`, a deck of `fr.apkg`."""
    folder = tmp_path / "both"
    folder.mkdir()
    sp = {"spanish": [("hola", "hello"), ("gato", "cat")]}
    _package(capsys, monkeypatch, tmp_path / "a1", sp, folder / "sp.apkg")
    _package(capsys, monkeypatch, tmp_path / "a2", {"french": [("bonjour", "hello")]}, folder / "fr.apkg")
    _as_learner(monkeypatch, learner)
    _ok(capsys, "import", str(folder))
    card = make_card_id("gato")
    move_like_m("spanish", card, "french")

    dry, real = _both(capsys, folder)
    assert "sp.apkg:   kept in 'french', where you moved it: 1 card\n" in real, real
    assert _lines(dry) == _lines(real), (dry, real)
    assert f"+ {card}" not in dry


def test_a_folder_dry_run_reads_the_sidecars_the_files_before_would_write(
    tmp_path: Path, learner: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`a.apkg` gives `brokers` a third card; `b.apkg` (another version) does not hold it: the real
    run's second file knows the package gave it (the sidecar the first wrote) and removes it; the
    dry run read the sidecar on disk, and kept it as the learner's."""
    cards = [("topic?", "log"), ("ISR?", "in sync")]
    v0 = _package(capsys, monkeypatch, tmp_path / "author", {"brokers": cards}, tmp_path / "v0.apkg")
    folder = tmp_path / "folder"
    folder.mkdir()
    more = [*cards, ("offset?", "position")]
    _package(capsys, monkeypatch, tmp_path / "author", {"brokers": more}, folder / "a.apkg")
    _package(capsys, monkeypatch, tmp_path / "author", {"brokers": cards}, folder / "b.apkg")
    _as_learner(monkeypatch, learner)
    _ok(capsys, "import", str(v0))
    mine = _add(capsys, "brokers", "my own q", "my a")

    dry, real = _both(capsys, folder)
    assert f"b.apkg:   - {make_card_id('offset?')}\n" in real and "b.apkg: " + MINE in real, real
    assert _lines(dry) == _lines(real), (dry, real)
    assert mine in _cards(learner, "brokers")


def test_a_folder_dry_run_counts_the_media_as_the_real_run(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two versions of one package: the first stores the media, the second finds them there."""
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.copy(LEGACY, folder / "a.apkg")
    shutil.copy(LATEST, folder / "b.apkg")
    dry, real = _both(capsys, folder)
    stored = [line for line in real.splitlines() if "stored" in line]
    would = [line for line in dry.splitlines() if "would store" in line]
    assert stored == ["a.apkg: stored 2 media file(s)"], real
    assert [line.replace("would store", "stored") for line in would] == stored, dry
