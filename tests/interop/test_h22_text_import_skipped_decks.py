"""Anki text imports: a deck whose every row is skipped is left out (never written empty), the
header lines of a second export joined to the first (`cat a.csv b.csv`) are header lines, not
cards or deck names, and a cell over the field limit is refused naming the documented limit."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings

from retain.core.model import Card, Deck
from retain.interop.anki.ankitext import read_anki_text, write_anki_text
from retain.interop.bundle import Bundle
from retain.interop.errors import InteropError, LimitError
from retain.interop.limits import Limits

from .conftest import run_cli, tree
from .strategies import decks

_HEAD = "#separator:Comma\n#html:false\n#deck column:3\n"


def _read(tmp_path: Path, text: str, name: str = "two.csv", limits: Limits | None = None) -> Bundle:
    path = tmp_path / name
    path.write_text(text, "utf-8", newline="")
    return read_anki_text(path, limits or Limits())


def test_a_deck_whose_every_row_is_skipped_is_left_out_with_a_warning(tmp_path: Path) -> None:
    got = _read(tmp_path, _HEAD + "q1,a1,Deck A\n,a2,Deck B\n")
    assert [(d.name, len(d.cards)) for d in got.decks] == [("Deck A", 1)]
    assert got.warnings == [
        "line 5 skipped: empty front",
        "deck 'Deck B' left out: every row of it was skipped",
    ]


def test_a_row_with_no_front_and_no_deck_makes_no_deck_named_after_the_file(tmp_path: Path) -> None:
    got = _read(tmp_path, _HEAD + "q1,a1,Deck A\n,orphan,\n", name="mixed.csv")
    assert [d.name for d in got.decks] == ["Deck A"]
    assert "deck 'mixed' left out: every row of it was skipped" in got.warnings


def test_cli_import_beside_an_installed_deck_writes_no_empty_second_deck(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "two.csv"
    path.write_text(_HEAD + "q1,a1,Deck A\nq2,a2,Deck B\n", "utf-8")
    assert run_cli(capsys, "import", str(path))[0] == 0
    path.write_text(_HEAD + "q1,a1,Deck A\n,a2,Deck B\n", "utf-8")
    code, out, err = run_cli(capsys, "import", str(path))
    assert code == 0, err
    assert sorted(p.name for p in (home / "decks").glob("*.toml")) == ["deck-a.toml", "deck-b.toml"]
    assert "deck-b-2" not in out + err
    assert "deck 'Deck B' left out" in err


def test_a_file_whose_every_deck_is_skipped_is_refused_as_nothing_to_import(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "none.csv"
    path.write_text(_HEAD + ",a1,Deck A\n,a2,Deck B\n", "utf-8")
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code == 1
    assert err.splitlines() == [
        "warning: line 4 skipped: empty front",
        "warning: line 5 skipped: empty front",
        "retain: import refused: nothing to import: the file holds no cards",
    ]  # (no "left out" line for each deck: the refusal says it)
    assert [p for p in tree(home) if p.startswith("decks")] == []


def test_two_joined_exports_import_as_their_two_decks_with_their_fields(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`cat kafka.csv redis.csv`: the second file's header lines were read as rows, giving an
    empty deck named after the file, a deck named from a piece of the `#retain deck:` JSON, and
    a redis deck without its description, license and authors."""
    for deck_id in ("kafka", "redis"):
        code, _out, err = run_cli(capsys, "export", deck_id, "-o", str(tmp_path / f"{deck_id}.csv"))
        assert code == 0, err
    joined = tmp_path / "joined.csv"
    joined.write_bytes((tmp_path / "kafka.csv").read_bytes() + (tmp_path / "redis.csv").read_bytes())
    bundle = read_anki_text(joined, Limits())
    alone = {
        d.id: d for f in ("kafka", "redis") for d in read_anki_text(tmp_path / f"{f}.csv", Limits()).decks
    }
    assert [d.id for d in bundle.decks] == ["kafka", "redis"]
    for deck in bundle.decks:
        assert deck == alone[deck.id]
        assert deck.description and deck.license and deck.authors
    assert bundle.warnings == []


@pytest.mark.parametrize(
    ("joined", "named"),
    [
        ("#separator:Tab\n#html:false\nq2\ta2\n", "line 4: the header line `#separator:Tab`"),
        ("#separator:Comma\n#html:true\nq2,a2\n", "line 5: the header line `#html:true`"),
        ("#separator:Comma\n#deck column:1\nDeck C,q2,a2\n", "line 5: the header line `#deck column:1`"),
    ],
)
def test_a_joined_file_whose_header_reads_rows_otherwise_is_refused_naming_its_line(
    tmp_path: Path, joined: str, named: str
) -> None:
    with pytest.raises(InteropError) as exc:
        _read(tmp_path, "#separator:Comma\n#html:false\nq1,a1\n" + joined)
    assert str(exc.value).startswith(named)
    assert "\n" not in str(exc.value)


def test_rows_after_joined_header_lines_are_named_by_their_own_lines(tmp_path: Path) -> None:
    text = "#separator:Comma\nq1,a1\n#separator:comma\n#if matches:update current\nq2,\nq3,a3\n"
    got = _read(tmp_path, text)
    assert [c.front for d in got.decks for c in d.cards] == ["q1", "q3"]
    assert got.warnings == ["line 5 skipped: the back is empty"]


def test_a_hash_row_that_is_not_a_header_key_is_still_a_card(tmp_path: Path) -> None:
    got = _read(tmp_path, "#separator:Comma\nq1,a1\n#include,a C directive\n")
    assert [c.front for d in got.decks for c in d.cards] == ["q1", "#include"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=decks(), second=decks())
def test_two_joined_exports_read_as_one_export_of_both_decks(first: Deck, second: Deck) -> None:
    assume(first.id != second.id and (first.group, first.name) != (second.group, second.name))
    for sep, suffix in ((",", ".csv"), ("\t", ".tsv")):
        with tempfile.TemporaryDirectory() as tmp:
            joined, both = Path(tmp) / f"joined{suffix}", Path(tmp) / f"both{suffix}"
            joined.write_text(
                write_anki_text([first], sep) + write_anki_text([second], sep), "utf-8", newline=""
            )
            both.write_text(write_anki_text([first, second], sep), "utf-8", newline="")
            got, want = read_anki_text(joined, Limits()), read_anki_text(both, Limits())
        assert got.decks == want.decks
        assert got.warnings == want.warnings


@pytest.mark.parametrize("cell", ['"' + "a" * 1500 + '"', "a" * 1500, '"' + "a" * 150 + '"', "a" * 150])
def test_a_cell_over_the_field_limit_is_refused_naming_the_field_limit(tmp_path: Path, cell: str) -> None:
    """A quoted cell far over the limit was refused in the csv module's words, naming its own
    limit (`field larger than field limit (1024)`); one a little over it named the field limit."""
    with pytest.raises(LimitError) as exc:
        _read(tmp_path, f"q,{cell}\n", name="big.csv", limits=Limits(max_field_chars=100))
    msg = str(exc.value)
    assert msg.endswith("the field limit is 100")
    assert "1024" not in msg and "not a valid" not in msg


def test_cli_quoted_cell_over_the_default_limit_names_200000(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "big.csv"
    path.write_text('q,"' + "a" * 450_000 + '"\n', "utf-8")
    code, _out, err = run_cli(capsys, "import", str(path))
    assert code == 1
    assert err.strip() == (
        "retain: import refused: line 1 has a field of more than 200000 characters; the field limit is 200000"
    )


def test_a_lone_cr_inside_an_unquoted_cell_is_refused_in_our_words(tmp_path: Path) -> None:
    with pytest.raises(InteropError) as exc:
        _read(tmp_path, "q1,a1\nq2,a\rb\nq3,a3\n")
    msg = str(exc.value)
    assert msg.startswith("line 2: a carriage return (CR) in the middle of an unquoted cell")
    assert "new-line character" not in msg and "universal-newline" not in msg


def test_a_card_whose_front_looks_like_a_header_line_survives_an_export(tmp_path: Path) -> None:
    deck = Deck("d", "D", cards=(Card("a", front="#separator:Tab", back="a header-like front"),))
    got = _read(tmp_path, write_anki_text([deck], ","))
    assert [c.front for d in got.decks for c in d.cards] == ["#separator:Tab"]
