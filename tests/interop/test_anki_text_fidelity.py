"""retain's own .csv/.tsv export (Anki's text format) imports again card for card, deck for deck:
any card text (a leading apostrophe, a CR, a line separator), any deck name (with `::`)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.deckwrite import deck_to_toml
from retain.core.model import Card, Deck
from retain.interop.anki.ankitext import read_anki_text, write_anki_text
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file
from retain.interop.limits import Limits

from .conftest import run_cli

SUFFIXES = [".csv", ".tsv"]


def _import_source(tmp_path: Path, capsys: pytest.CaptureFixture[str], deck: Deck) -> None:
    src = tmp_path / "src" / f"{deck.id}.toml"
    src.parent.mkdir(parents=True, exist_ok=True)
    src.write_text(deck_to_toml(deck))
    code, _, err = run_cli(capsys, "import", str(src))
    assert code == 0, err


def _export_import(
    deck: Deck,
    suffix: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Deck:
    """`deck` imported, exported to `suffix` with the CLI, and imported into another home."""
    _import_source(tmp_path, capsys, deck)
    out = tmp_path / f"{deck.id}{suffix}"
    code, _, err = run_cli(capsys, "export", deck.id, "-o", str(out))
    assert code == 0, err
    other = tmp_path / "other-home"
    monkeypatch.setenv("RETAIN_HOME", str(other))
    code, _, err = run_cli(capsys, "import", str(out))
    assert code == 0, err
    got = parse_deck((other / "decks" / f"{deck.id}.toml").read_text()).deck
    assert got is not None
    return got


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_text_export_round_trip_keeps_a_leading_apostrophe(
    suffix: str,
    tmp_path: Path,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A card reading `'=' is assignment` came back as `=' is assignment`: the import took a leading
    apostrophe off HTML fields, where the export never puts one (only plain columns get one)."""
    deck = Deck(
        "ops",
        "Operators",
        tags=("'=tag",),
        cards=(
            Card("assign", front="'=' is assignment", back="'-' is minus"),
            Card("at", front="'@' in Python?", back="the decorator", tags=("=eq",)),
        ),
    )
    got = _export_import(deck, suffix, tmp_path, capsys, monkeypatch)
    assert {c.id: (c.front, c.back, c.tags) for c in got.cards} == {
        c.id: (c.front, c.back, c.tags) for c in deck.cards
    }
    assert got.tags == deck.tags


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_text_export_round_trip_keeps_a_deck_name_with_double_colons(
    suffix: str,
    tmp_path: Path,
    home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A deck named `C++::STL` in group `Lang` came back as the deck `STL` in the group `Lang::C++`
    (the .apkg keeps it): the `#retain deck:` name was not used."""
    deck = Deck("stl", "C++::STL", group="Lang", cards=(Card("vec", front="Growable array?", back="vector"),))
    got = _export_import(deck, suffix, tmp_path, capsys, monkeypatch)
    assert (got.group, got.name) == ("Lang", "C++::STL")


def test_text_export_of_a_card_with_a_carriage_return_imports_again(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A back holding a CR (a legal TOML "\\r") was written unquoted to the .csv export, and
    `retain import` then refused retain's own file: `new-line character seen in unquoted field`."""
    deck = Deck("cr", "CR", cards=(Card("a", front="Old Mac line end?", back="CR\rhere"),))
    _import_source(tmp_path, capsys, deck)
    out = tmp_path / "cr.csv"
    code, _, err = run_cli(capsys, "export", "cr", "-o", str(out))
    assert code == 0, err
    code, msg, err = run_cli(capsys, "import", str(out), "--dry-run")
    assert code == 0, err
    assert "1 unchanged" in msg


@pytest.mark.parametrize("sep", [",", "\t"])
def test_a_line_separator_in_a_deck_header_does_not_end_the_headers(sep: str, tmp_path: Path) -> None:
    """The `#retain deck:` header holds its JSON unescaped: U+2028 and other characters Python
    counts as line ends (not the csv reader) must not cut it in two."""
    deck = Deck(
        "d", "Odd\u2028name\x1c", description="one\u2029two\x85", cards=(Card("c", front="Q", back="A"),)
    )
    path = tmp_path / ("d.csv" if sep == "," else "d.tsv")
    path.write_text(write_anki_text([deck], sep), "utf-8", newline="")
    bundle = read_anki_text(path, Limits())
    assert [(d.name, d.description, len(d.cards)) for d in bundle.decks] == [(deck.name, deck.description, 1)]
    assert bundle.warnings == []


_ANY = st.text(st.characters(codec="utf-8"), min_size=1, max_size=40)
_SHOWN = _ANY.filter(lambda t: t.strip() != "")  # a front or a name retain keeps (not blank)


@pytest.mark.parametrize("suffix", SUFFIXES)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    front=_SHOWN,
    back=_ANY,
    name=_SHOWN,
    group=st.one_of(st.just(""), _SHOWN),
    description=st.text(st.characters(codec="utf-8"), max_size=20),
)
def test_any_text_survives_a_text_export(
    suffix: str, front: str, back: str, name: str, group: str, description: str
) -> None:
    """Every character, control characters and line ends included, in card text and deck names."""
    deck = Deck("d", name, group=group, description=description, cards=(Card("c", front=front, back=back),))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"deck{suffix}"
        export_decks([deck], out, now=datetime(2025, 1, 1, tzinfo=UTC))
        stage = Path(tmp) / "stage"
        stage.mkdir()
        bundle = read_file(out, stage)
    assert [(d.group, d.name, d.description) for d in bundle.decks] == [(group, name, description)]
    assert [(c.front, c.back) for d in bundle.decks for c in d.cards] == [(front, back)]


def test_text_optional_reverse_note_has_the_cards_anki_gave_it(tmp_path: Path) -> None:
    # Anki 23+'s "Notes in Plain Text" export (header lines and rows exactly as Anki writes them)
    txt = tmp_path / "notes.txt"
    txt.write_text(
        "#separator:tab\n#html:true\n#guid column:1\n#notetype column:2\n#deck column:3\n#tags column:7\n"
        "vd1u}(~P]+\tBasic (optional reversed card)\tOther\tof\tob\t\t\n"
        "vd1u}(~P]-\tBasic (optional reversed card)+\tOther\tboth\tways\ty\t\n",
        encoding="utf-8",
    )
    got = [(c.kind, c.front, c.back) for c in read_anki_text(txt, Limits()).decks[0].cards]
    assert got == [("basic", "of", "ob"), ("reversed", "both", "ways")]


def test_csv_with_classic_mac_line_ends_reads_its_rows(tmp_path: Path) -> None:
    """A CR-only file was one line to the csv module: its error asked for "universal-newline mode"."""
    path = tmp_path / "mac.csv"
    path.write_bytes(b"a,b\rc,d\r")
    bundle = read_anki_text(path, Limits())
    assert [(c.front, c.back) for c in bundle.decks[0].cards] == [("a", "b"), ("c", "d")]
