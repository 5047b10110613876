"""`retain add`: a refused card writes nothing (a bundled deck is not copied), and a bad option
value (`--tolerance=-1`, `--accept-range=9,1`, two `--alias` for one name, `--id ""`) is one
line and exit 2, by the rules the deck loader reads the same keys with."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.answer.spec import read_keys
from retain.core.deckfile import parse_deck

BASIC = ["--front", "Refused card", "--back", "x"]
NUMBER = ["--front", "How big?", "--back", "5 GB", "--match", "number"]


def _add(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, list[str]]:
    monkeypatch.setenv("RETAIN_HOME", str(home))
    code = main(["add", *args])
    said = capsys.readouterr()
    return code, said.out, said.err.strip().splitlines()


def _written(home: Path) -> list[str]:
    """Every file under the home's deck folder (a deck copy, a temp file left behind)."""
    decks = home / "decks"
    return sorted(str(p.relative_to(decks)) for p in decks.rglob("*")) if decks.exists() else []


# each way a card to a bundled deck is refused, and the exit it gives
REFUSED = {
    "tolerance-negative": (2, [*NUMBER, "--tolerance=-1"]),
    "range-reversed": (2, [*NUMBER, "--accept-range=9,1"]),
    "range-one-end": (2, [*NUMBER, "--accept-range=9,"]),
    "alias-twice": (2, [*NUMBER, "--alias=gb=GB", "--alias=gb=G"]),
    "id-empty": (2, [*BASIC, "--id", ""]),
    # a pattern that does not compile, or none for --match regex, is a bad option value (exit 2
    # since session 37; it was exit 1 with a file:line of a card never written)
    "regex-broken": (2, ["--front", "Refused card", "--back", "x", "--match", "regex", "--pattern", "("]),
    "regex-no-pattern": (2, ["--front", "Refused card", "--back", "x", "--match", "regex"]),
    "number-back-not-a-number": (1, ["--front", "Refused card", "--back", "lots", "--match", "number"]),
    "id-taken": (1, [*BASIC, "--id", "partitions-parallelism"]),
    "cloze-no-units": (1, ["--kind", "cloze", "--front", "Yo {{c1::vivo"]),
    "typed-no-back": (1, ["--kind", "typed", "--front", "Capital of Peru"]),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_a_refused_add_to_a_bundled_deck_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """authoring.md: a refused card writes nothing; the bundled deck was copied into decks/ all
    the same, and that copy then replaced the bundled deck for good."""
    expected, args = REFUSED[case]
    code, _out, lines = _add(tmp_path, monkeypatch, capsys, "--deck", "kafka", *args)
    assert code == expected, lines
    assert lines and "Traceback" not in "\n".join(lines)
    assert _written(tmp_path) == []


def test_a_bundled_deck_is_copied_once_the_card_is_added(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """After a refusal the same add, corrected, copies the deck with the card in it."""
    code, _out, _lines = _add(
        tmp_path, monkeypatch, capsys, "--deck", "kafka", *BASIC, "--id", "partitions-parallelism"
    )
    assert code == 1 and _written(tmp_path) == []
    code, out, lines = _add(tmp_path, monkeypatch, capsys, "--deck", "kafka", *BASIC, "--id", "mine")
    assert code == 0, lines
    copy = tmp_path / "decks" / "kafka.toml"
    assert f"added kafka/mine to {copy}" in out
    assert _written(tmp_path) == ["kafka.toml"]
    deck = parse_deck(copy.read_text("utf-8")).deck
    assert deck is not None and deck.cards[-1].id == "mine" and len(deck.cards) > 1


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--tolerance=-1", "--tolerance must be a number of 0 or more"),
        ("--tolerance=-0.0001", "--tolerance must be a number of 0 or more"),
        ("--tolerance=", "--tolerance must be a number"),
        ("--tolerance=nan", "--tolerance must be a finite number"),
        ("--accept-range=9,1", "--accept-range takes LOW,HIGH, low then high"),
        ("--accept-range=", "--accept-range takes LOW,HIGH"),
        ("--accept-range=1,2,3", "--accept-range takes LOW,HIGH"),
        ("--accept-range=x", "--accept-range takes LOW,HIGH"),
        ("--accept-range=1,inf", "--accept-range must be a finite number"),
    ],
)
@pytest.mark.parametrize("deck", ["kafka", "mine"])
def test_a_bad_number_option_is_one_line_and_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    option: str,
    words: str,
    deck: str,
) -> None:
    """README: a bad value is a usage error, exit 2. `-1` and `9,1` were exit 1 with a `check`
    line naming `decks/kafka.toml:96:1`, where no card was written."""
    new = ["--new-deck"] if deck == "mine" else []
    code, _out, lines = _add(tmp_path, monkeypatch, capsys, "--deck", deck, *new, *NUMBER, option)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("retain add: ") and words in lines[0], lines
    assert _written(tmp_path) == []


def test_an_alias_given_twice_with_two_meanings_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--alias=-n=--namespace --alias=-n=--ns` kept only the last, without a word."""
    base = ["--deck", "cmds", "--new-deck", "--front", "List pods in ns x", "--back", "kubectl get pods -n x"]
    base += ["--match", "command"]
    code, _out, lines = _add(
        tmp_path, monkeypatch, capsys, *base, "--alias=-n=--namespace", "--alias= -n =--ns"
    )
    assert code == 2, lines
    assert len(lines) == 1 and "'-n'" in lines[0] and "'--namespace'" in lines[0] and "'--ns'" in lines[0]
    assert _written(tmp_path) == []
    code, _out, lines = _add(
        tmp_path, monkeypatch, capsys, *base, "--alias=-n=--namespace", "--alias=-n=--namespace"
    )
    assert code == 0, lines
    deck = parse_deck((tmp_path / "decks" / "cmds.toml").read_text("utf-8")).deck
    assert deck is not None and deck.cards[0].aliases == (("-n", "--namespace"),)


@pytest.mark.parametrize("card_id", ["", "   ", "\t"])
def test_an_empty_id_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], card_id: str
) -> None:
    """A script's unset `"$ID"` made an id from the front, without a word."""
    code, out, lines = _add(
        tmp_path, monkeypatch, capsys, "--deck", "notes", "--new-deck", *BASIC, "--id", card_id
    )
    assert code == 2 and out == "", lines
    assert len(lines) == 1 and lines[0].startswith("retain add: --id must not be empty"), lines
    assert _written(tmp_path) == []


def _accepted_by_the_loader(raw: dict[str, object]) -> bool:
    _spec, found = read_keys(raw)
    return not any(severity == "error" for _key, _message, severity in found)


_NUMBERS = st.floats(allow_nan=True, allow_infinity=True) | st.integers(-(10**6), 10**6).map(float)


@settings(max_examples=40, deadline=None)
@given(tolerance=_NUMBERS, low=_NUMBERS, high=_NUMBERS)
def test_add_and_the_deck_loader_agree_on_every_tolerance_and_range(
    tolerance: float, low: float, high: float
) -> None:
    """What `retain add` takes, the deck then reads back as given; what the loader refuses, `add`
    refuses as a usage error (exit 2), writing nothing."""
    loader_ok = all(math.isfinite(v) for v in (tolerance, low, high)) and _accepted_by_the_loader(
        {"tolerance": tolerance, "accept_range": [low, high]}
    )
    mp = pytest.MonkeyPatch()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            mp.setenv("RETAIN_HOME", str(home))
            options = [f"--tolerance={tolerance!r}", f"--accept-range={low!r},{high!r}"]
            code = main(["add", "--deck", "d", "--new-deck", *NUMBER, *options])
            assert code == (0 if loader_ok else 2)
            if loader_ok:
                deck = parse_deck((home / "decks" / "d.toml").read_text("utf-8")).deck
                assert deck is not None
                assert deck.cards[0].tolerance == tolerance and deck.cards[0].accept_range == (low, high)
            else:
                assert _written(home) == []
    finally:
        mp.undo()


def test_a_card_the_copy_cannot_take_leaves_no_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Refused only at the save (the deck with it would pass the deck-file size limit, lowered
    here to just above the bundled deck's size): the copy just made is taken away again."""
    from retain.store import files
    from retain.store.paths import bundled_decks_dir

    bundled = bundled_decks_dir()
    assert bundled is not None
    monkeypatch.setattr(files, "MAX_DECK_BYTES", (bundled / "kafka.toml").stat().st_size + 200)
    code, out, lines = _add(tmp_path, monkeypatch, capsys, "--deck", "kafka", *BASIC, "--extra", "x" * 400)
    assert code == 1 and out == "", lines
    assert len(lines) == 1 and "deck-file size limit" in lines[0], lines
    assert _written(tmp_path) == []


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--pattern", "("], "retain add: --pattern: the pattern does not compile: missing ): ("),
        (["--pattern", "x" * 5000], "retain add: --pattern: the pattern is 5000 characters"),
        ([], "retain add: --match regex needs --pattern P"),
    ],
)
def test_a_regex_option_the_card_cannot_use_is_one_line_naming_the_option(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    said: str,
) -> None:
    """A `--pattern` that does not compile (or `--match regex` without one) is a usage error
    about the option: one line, exit 2, no `file:line` of a card that was never written."""
    code, out, err = _add(
        tmp_path,
        monkeypatch,
        capsys,
        "--deck",
        "kafka",
        "--front",
        "Q?",
        "--back",
        "x",
        "--match",
        "regex",
        *args,
    )
    assert (code, out, len(err)) == (2, "", 1)
    assert err[0].startswith(said)
    assert _written(tmp_path) == []
