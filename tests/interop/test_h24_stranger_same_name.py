"""A stranger's deck file of the same name as the learner's is not taken for an upgrade of it.

A `.csv`, `.tsv`, `.txt` or `.md` file gives no deck id and no card ids: both are derived, the
deck's from the file name, each card's from its front. Two unrelated `Spanish.csv` files then get
one deck id, and share a card id wherever they share a front (`hola,hello`). One shared card was
enough for the import to take the stranger's 6-card file for a new version of the learner's
51-card deck, and 50 of the learner's cards were removed. A deck whose ids were derived is the
installed deck of its id only when the cards they share are more than half of the file's cards or
more than half of the deck's; otherwise it goes in beside it (`spanish-2`), and the preview says
why in one line. And such an import never removes a card: the learner's own file imported again
after they added cards to its deck was a "different deck" (only 4 of its 9 notes), and a file
that dropped rows took those cards away; the cards the file does not hold now stay, and the
preview says so in one line.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.state import REVIEW, CardState, Event
from retain.interop import progress_io
from retain.interop.importer import apply_import, plan_import, read_file
from retain.store.collection import Collection
from retain.store.home import open_home

from .conftest import run_cli, tree

MINE = ["hola,hello"] + [f"palabra{i},word{i}" for i in range(50)]
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
STRANGER = ["hola,hello"] + [f"frase{i},sentence{i}" for i in range(5)]
KEPT = (
    "  kept, not in this file: {} (a file without card ids never removes cards; delete them in the browser)"
)


def _write(path: Path, rows: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def _fronts(path: Path) -> list[str]:
    deck = parse_deck(path.read_text("utf-8"), str(path)).deck
    assert deck is not None
    return [c.front for c in deck.cards]


def _decks(home: Path) -> list[str]:
    return [p for p in tree(home / "decks") if p.endswith(".toml")]


# ---- the attacker's case, through the CLI --------------------------------------------------


def test_a_strangers_file_of_the_same_name_goes_in_beside(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "mine" / "Spanish.csv", MINE)
    stranger = _write(tmp_path / "stranger" / "Spanish.csv", STRANGER)
    assert run_cli(capsys, "import", str(mine))[0] == 0
    before = (home / "decks" / "spanish.toml").read_bytes()
    code, out, err = run_cli(capsys, "import", str(stranger))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (
        "deck id 'spanish' is taken by a different deck (Spanish, user): only 1 of its 51 notes "
        "is in this file; importing as 'spanish-2'"
    )
    assert lines[1] == "deck spanish-2: 6 added, 0 changed, 0 removed, 0 unchanged"
    assert (home / "decks" / "spanish.toml").read_bytes() == before  # the learner's deck, untouched
    assert _decks(home) == ["spanish-2.toml", "spanish.toml"]
    assert len(_fronts(home / "decks" / "spanish-2.toml")) == 6
    # the stranger's file again: that copy is updated, no third deck, the learner's still untouched
    code, out, err = run_cli(capsys, "import", str(stranger))
    assert code == 0, err
    assert out.splitlines()[0].startswith("updating 'spanish-2', where this deck")
    assert "deck spanish-2: 0 added, 0 changed, 0 removed, 6 unchanged" in out
    assert (home / "decks" / "spanish.toml").read_bytes() == before
    assert _decks(home) == ["spanish-2.toml", "spanish.toml"]


def test_a_strangers_small_file_of_my_rows_updates_them_and_removes_nothing(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file all of whose cards are in the deck is that deck (more than half of the *file's*
    cards are shared): it updates the rows it holds, and the 49 others stay."""
    mine = _write(tmp_path / "mine" / "Spanish.csv", MINE)
    stranger = _write(tmp_path / "stranger" / "Spanish.csv", ["hola,HELLO!", "palabra0,word0"])
    assert run_cli(capsys, "import", str(mine))[0] == 0
    code, out, err = run_cli(capsys, "import", str(stranger))
    assert code == 0, err
    lines = [ln.split("-")[0] + "-" if ln.startswith("  ~ ") else ln for ln in out.splitlines()]
    lines = [ln for ln in lines if not ln.startswith(("  -", "  +"))]  # (the edited card's text)
    assert lines[:3] == [
        "deck spanish: 0 added, 1 changed, 0 removed, 50 unchanged",
        "  ~ hola-",
        KEPT.format("49 cards"),
    ], out
    assert "importing as" not in out
    fronts = _fronts(home / "decks" / "spanish.toml")
    assert len(fronts) == 51 and fronts == [r.split(",")[0] for r in MINE]
    assert _decks(home) == ["spanish.toml"]


def test_my_own_file_again_after_adding_cards_updates_in_place(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Attacker 23: the learner's own 4-row file, 5 cards added with `retain add`, the same file
    again: the same deck (4 of the file's 4 cards), its 5 added cards kept, no `spanish-2`; the
    dry run, the import and the next (memo'd) import say the same."""
    mine = _write(tmp_path / "spanish.csv", [f"question {n},answer {n}" for n in range(1, 5)])
    assert run_cli(capsys, "import", str(mine))[0] == 0
    for i in range(1, 6):
        assert (
            run_cli(capsys, "add", "--deck", "spanish", "--front", f"my own {i}", "--back", f"b{i}")[0] == 0
        )
    want = ["deck spanish: 0 added, 0 changed, 0 removed, 9 unchanged", KEPT.format("5 cards")]
    code, dry, err = run_cli(capsys, "import", "--dry-run", str(mine))
    assert code == 0, err
    assert dry.splitlines()[:2] == want, dry
    for _ in range(3):  # the import, and again (the memo'd one, the library unchanged)
        code, out, err = run_cli(capsys, "import", str(mine))
        assert code == 0, err
        assert out.splitlines()[:2] == want, out
        assert "importing as" not in out
        assert _decks(home) == ["spanish.toml"]
        fronts = _fronts(home / "decks" / "spanish.toml")
        assert fronts == [f"question {n}" for n in range(1, 5)] + [f"my own {i}" for i in range(1, 6)]


def test_a_two_row_deck_with_cards_added_and_a_row_edited(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "spanish.csv", ["hola,hello", "adios,bye"])
    assert run_cli(capsys, "import", str(mine))[0] == 0
    for i in range(1, 6):
        assert (
            run_cli(capsys, "add", "--deck", "spanish", "--front", f"my own {i}", "--back", f"b{i}")[0] == 0
        )
    _write(mine, ["hola,hello", "adios,goodbye"])
    code, out, err = run_cli(capsys, "import", str(mine))
    assert code == 0, err
    lines = [ln.split("-")[0] + "-" if ln.startswith("  ~ ") else ln for ln in out.splitlines()]
    lines = [ln for ln in lines if not ln.startswith(("  -", "  +"))]  # (the edited card's text)
    assert lines[:3] == [
        "deck spanish: 0 added, 1 changed, 0 removed, 6 unchanged",
        "  ~ adios-",
        KEPT.format("5 cards"),
    ], out
    assert _decks(home) == ["spanish.toml"]
    assert len(_fronts(home / "decks" / "spanish.toml")) == 7


def test_my_own_upgrades_stay_upgrades(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "Spanish.csv", MINE)
    assert run_cli(capsys, "import", str(mine))[0] == 0
    code, out, _ = run_cli(capsys, "import", str(mine))  # the very same file
    assert code == 0 and out.splitlines()[0] == "deck spanish: 0 added, 0 changed, 0 removed, 51 unchanged"
    # a few rows added, one back edited, one front edited (a new id), a few removed
    rows = [r for r in MINE if r not in ("palabra1,word1", "palabra2,word2")]
    rows = [r.replace("palabra3,word3", "palabra3,WORD3").replace("palabra4,", "Palabra4,") for r in rows]
    _write(mine, [*rows, "nuevo,new", "otro,other"])
    code, out, err = run_cli(capsys, "import", str(mine))
    assert code == 0, err
    # the rows removed (and the front edited away) stay: such a file never removes a card
    assert out.splitlines()[0] == "deck spanish: 3 added, 1 changed, 0 removed, 50 unchanged"
    assert KEPT.format("3 cards") in out.splitlines()
    assert _decks(home) == ["spanish.toml"]
    assert {"palabra1", "palabra2", "palabra4", "Palabra4"} <= set(_fronts(home / "decks" / "spanish.toml"))
    # the deck growing to many times its size is an upgrade too: it keeps every card
    _write(mine, [*rows, *(f"extra{i},more{i}" for i in range(300))])
    code, out, err = run_cli(capsys, "import", str(mine))
    assert code == 0, err
    assert out.splitlines()[0].startswith("deck spanish: 300 added,")
    assert _decks(home) == ["spanish.toml"]


def test_a_tiny_deck_grows_by_a_few_rows(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "Spanish.csv", ["hola,hello", "adios,bye", "si,yes"])
    assert run_cli(capsys, "import", str(mine))[0] == 0
    _write(mine, ["hola,hello", "adios,goodbye", "no,no", "gracias,thanks", "por favor,please"])
    code, out, err = run_cli(capsys, "import", str(mine))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "deck spanish: 3 added, 1 changed, 0 removed, 2 unchanged"
    assert KEPT.format("1 card") in lines
    assert _decks(home) == ["spanish.toml"]
    assert _fronts(home / "decks" / "spanish.toml") == ["hola", "adios", "si", "no", "gracias", "por favor"]


def test_dry_run_says_what_the_import_does(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "mine" / "Spanish.csv", MINE)
    stranger = _write(tmp_path / "stranger" / "Spanish.csv", STRANGER)
    assert run_cli(capsys, "import", str(mine))[0] == 0
    files = tree(home / "decks")
    code, dry, _ = run_cli(capsys, "import", "--dry-run", str(stranger))
    assert code == 0 and tree(home / "decks") == files
    code, real, _ = run_cli(capsys, "import", str(stranger))
    assert code == 0
    assert dry.splitlines()[:2] == real.splitlines()[:2]
    assert "importing as 'spanish-2'" in dry


@pytest.mark.parametrize("suffix", [".tsv", ".txt"])
def test_tab_separated_files_alike(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str], suffix: str
) -> None:
    mine = _write(tmp_path / "mine" / f"Spanish{suffix}", [r.replace(",", "\t") for r in MINE])
    stranger = _write(tmp_path / "stranger" / f"Spanish{suffix}", [r.replace(",", "\t") for r in STRANGER])
    assert run_cli(capsys, "import", str(mine))[0] == 0
    code, out, err = run_cli(capsys, "import", str(stranger))
    assert code == 0, err
    assert "importing as 'spanish-2'" in out
    assert len(_fronts(home / "decks" / "spanish.toml")) == 51


def test_markdown_alike(tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def md(rows: list[str]) -> list[str]:
        return [f"Q: {r.split(',')[0]}\nA: {r.split(',')[1]}\n" for r in rows]

    mine = _write(tmp_path / "mine" / "Spanish.md", md(MINE))
    stranger = _write(tmp_path / "stranger" / "Spanish.md", md(STRANGER))
    assert run_cli(capsys, "import", str(mine))[0] == 0
    code, out, err = run_cli(capsys, "import", str(stranger))
    assert code == 0, err
    assert "only 1 of its 51 notes is in this file; importing as 'spanish-2'" in out
    assert len(_fronts(home / "decks" / "spanish.toml")) == 51


def test_a_file_that_names_its_deck_keeps_one_shared_card_enough(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Markdown file with `id` in its front matter, and retain's own CSV export (its GUID column
    names deck and cards): the author named the deck, so an installed deck of that id sharing a
    card with it is that deck, as before (a new version may drop most cards)."""
    mine = _write(tmp_path / "Spanish.csv", MINE)
    assert run_cli(capsys, "import", str(mine))[0] == 0
    named = _write(
        tmp_path / "v2" / "Other.md", ['---\nid = "spanish"\nname = "Spanish"\n---\n\nQ: hola\nA: hello\n']
    )
    code, out, err = run_cli(capsys, "import", str(named))
    assert code == 0, err
    assert out.splitlines()[0] == "deck spanish: 0 added, 0 changed, 50 removed, 1 unchanged"
    # retain's own CSV export of a deck with one card in common, under another file name
    assert run_cli(capsys, "import", str(mine))[0] == 0
    export = tmp_path / "export" / "whatever.csv"
    export.parent.mkdir()
    assert run_cli(capsys, "export", "spanish", "-o", str(export))[0] == 0
    text = export.read_text("utf-8").splitlines()
    head = [ln for ln in text if ln.startswith("#")]
    hola = [ln for ln in text if not ln.startswith("#") and "hola" in ln]
    _write(export, [*head, *hola])
    code, out, err = run_cli(capsys, "import", str(export))
    assert code == 0, err
    assert out.splitlines()[0] == "deck spanish: 0 added, 0 changed, 50 removed, 1 unchanged"


def test_the_learners_deck_found_by_its_name_is_not_taken_either(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The learner's `Spanish` deck lives at `spanish-2` (its id was taken when it came): a
    stranger's `Spanish.csv` sharing one card with it is not found there by its name."""
    (home / "decks").mkdir(parents=True)
    (home / "decks" / "spanish.toml").write_text(
        'id = "spanish"\nname = "Castellano"\n\n[[cards]]\nid = "c1"\nfront = "uno"\nback = "one"\n'
    )
    mine = _write(tmp_path / "mine" / "Spanish.csv", MINE)
    assert "importing as 'spanish-2'" in run_cli(capsys, "import", str(mine))[1]
    before = (home / "decks" / "spanish-2.toml").read_bytes()
    stranger = _write(tmp_path / "stranger" / "Spanish.csv", STRANGER)
    code, out, err = run_cli(capsys, "import", str(stranger))
    assert code == 0, err
    assert "importing as 'spanish-3'" in out
    assert (home / "decks" / "spanish-2.toml").read_bytes() == before
    # and the learner's own file still finds its deck there by its name
    _write(mine, [*MINE, "nuevo,new"])
    code, out, err = run_cli(capsys, "import", str(mine))
    assert code == 0, err
    assert "deck spanish-2: 1 added, 0 changed, 0 removed, 51 unchanged" in out


def test_with_history_the_learners_progress_stays_with_the_learners_deck(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "mine" / "Spanish.csv", MINE)
    stranger = _write(tmp_path / "stranger" / "Spanish.csv", STRANGER)
    assert run_cli(capsys, "import", str(mine))[0] == 0
    deck = parse_deck((home / "decks" / "spanish.toml").read_text("utf-8"), "spanish.toml").deck
    assert deck is not None
    learner = open_home({"RETAIN_HOME": str(home)})
    col = Collection.open(learner, NOW, tz=UTC)
    at = NOW - timedelta(days=2)
    keys = [f"spanish/{card.id}" for card in deck.cards[:2]]  # `hola` and `palabra0`
    for key in keys:
        state = CardState(REVIEW, None, 9.0, 5.0, at + timedelta(days=9), at, reps=2)
        col.record(Event(col.new_event_id(at), "review", key, at, state, None, 3, 900))
    col.close(NOW)
    code, out, err = run_cli(capsys, "import", "--with-history", str(stranger))
    assert code == 0, err
    assert "importing as 'spanish-2'" in out and "recorded 0 event(s)" in out
    assert sorted(progress_io.deck_progress(learner, "spanish", NOW)[0]) == sorted(keys)
    assert progress_io.deck_progress(learner, "spanish-2", NOW)[0] == {}


def test_with_history_my_own_file_again_keeps_my_added_cards_and_their_progress(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = _write(tmp_path / "spanish.csv", [f"question {n},answer {n}" for n in range(1, 5)])
    assert run_cli(capsys, "import", str(mine))[0] == 0
    for i in range(1, 6):
        assert (
            run_cli(capsys, "add", "--deck", "spanish", "--front", f"my own {i}", "--back", f"b{i}")[0] == 0
        )
    deck = parse_deck((home / "decks" / "spanish.toml").read_text("utf-8"), "spanish.toml").deck
    assert deck is not None
    learner = open_home({"RETAIN_HOME": str(home)})
    col = Collection.open(learner, NOW, tz=UTC)
    at = NOW - timedelta(days=2)
    key = f"spanish/{deck.cards[-1].id}"  # `my own 5`
    state = CardState(REVIEW, None, 9.0, 5.0, at + timedelta(days=9), at, reps=2)
    col.record(Event(col.new_event_id(at), "review", key, at, state, None, 3, 900))
    col.close(NOW)
    code, out, err = run_cli(capsys, "import", "--with-history", str(mine))
    assert code == 0, err
    assert out.splitlines()[:2] == [
        "deck spanish: 0 added, 0 changed, 0 removed, 9 unchanged",
        KEPT.format("5 cards"),
    ]
    assert "importing as" not in out and _decks(home) == ["spanish.toml"]
    assert list(progress_io.deck_progress(learner, "spanish", NOW)[0]) == [key]


# ---- the rule, on random decks ----------------------------------------------------------


def _import(path: Path, root: Path) -> list[str]:
    home = open_home({"RETAIN_HOME": str(root)})
    with tempfile.TemporaryDirectory() as stage:
        bundle = read_file(path, Path(stage))
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        apply_import(plan, home.paths.decks_dir)
    return [line for p in plan.decks for line in p.lines()]


_WORDS = st.lists(st.from_regex(r"[a-z]{3,9}", fullmatch=True), min_size=1, max_size=40, unique=True)


def _rows(words: list[str]) -> list[str]:
    return [f"{w},{w.upper()}" for w in words]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mine=_WORDS, theirs=_WORDS, data=st.data())
def test_a_deck_of_derived_ids_is_the_installed_one_only_when_most_of_either_is_shared(
    mine: list[str], theirs: list[str], data: st.DataObject
) -> None:
    """Another file of the deck's name sharing `shared` rows with it: the deck when those are more
    than half of the file's rows or of the deck's, and then it removes none of the deck's cards;
    otherwise beside it, the learner's deck untouched."""
    shared = data.draw(st.integers(0, len(mine)), "shared")
    theirs = [f"x{w}" for w in theirs] + mine[:shared]  # (`x`: none of mine by chance)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        decks = root / "home" / "decks"
        _import(_write(root / "a" / "Vocab.csv", _rows(mine)), root / "home")
        before = (decks / "vocab.toml").read_bytes()
        lines = _import(_write(root / "b" / "Vocab.csv", _rows(theirs)), root / "home")
        if 2 * shared > len(mine) or 2 * shared > len(theirs):  # the learner's deck, updated in place
            assert lines[0] == (
                f"deck vocab: {len(theirs) - shared} added, 0 changed, 0 removed, {len(mine)} unchanged"
            ), lines
            gone = len(mine) - shared
            kept = [ln for ln in lines[1:] if not ln.startswith(("  + ", "  - ", "  ~ "))]  # (cards listed)
            assert kept == ([KEPT.format(f"{gone} card{'s' * (gone != 1)}")] if gone else []), lines
            assert sorted(_fronts(decks / "vocab.toml")) == sorted({*mine, *theirs})
            assert not (decks / "vocab-2.toml").exists()
        else:  # another deck: beside it, the learner's untouched
            assert lines[0].endswith("importing as 'vocab-2'"), lines
            assert (decks / "vocab.toml").read_bytes() == before
            assert sorted(_fronts(decks / "vocab-2.toml")) == sorted(theirs)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mine=_WORDS, added=_WORDS, data=st.data())
def test_an_edited_file_whose_cards_are_mostly_the_decks_updates_it_and_removes_nothing(
    mine: list[str], added: list[str], data: st.DataObject
) -> None:
    """The learner's own file edited (any rows removed, any added) while the learner added cards
    of their own to its deck: as long as most of the file's rows, or most of the deck's cards, are
    shared, the same deck, updated in place, and every card of it stays."""
    own = data.draw(st.lists(st.from_regex(r"[a-z]{3,9}", fullmatch=True), max_size=10, unique=True), "own")
    kept = data.draw(st.permutations(mine), "order")[data.draw(st.integers(0, len(mine) - 1), "removed") :]
    added = added[: data.draw(st.integers(0, len(added)), "added")]
    new = kept + [f"y{w}" for w in added]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        decks = root / "home" / "decks"
        _import(_write(root / "Vocab.csv", _rows(mine)), root / "home")
        deck = decks / "vocab.toml"
        text = deck.read_text("utf-8")
        for w in own:  # the learner's own cards (`z`: none of the file's by chance)
            text += f'\n[[cards]]\nid = "z{w}"\nfront = "z{w}"\nback = "{w}"\n'
        deck.write_text(text, encoding="utf-8")
        held = len(mine) + len(own)
        lines = _import(_write(root / "Vocab.csv", _rows(new)), root / "home")
        if 2 * len(kept) > len(new) or 2 * len(kept) > held:
            assert lines[0] == (f"deck vocab: {len(added)} added, 0 changed, 0 removed, {held} unchanged"), (
                lines
            )
            assert sorted(_fronts(deck)) == sorted(
                [*mine, *(f"z{w}" for w in own), *(f"y{w}" for w in added)]
            )
            assert sorted(p.name for p in decks.glob("*.toml")) == ["vocab.toml"]
        else:
            assert lines[0].endswith("importing as 'vocab-2'"), lines
            assert sorted(_fronts(deck)) == sorted([*mine, *(f"z{w}" for w in own)])
