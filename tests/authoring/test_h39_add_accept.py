"""`retain add --accept`: one accepted answer per flag, kept whole (session 39, attacker 73).

`--accept` split every value on commas, so `--accept "1,000"` on a number card wrote
`accept = ["1", "000"]` (typing `1` was then right), and a set card's whole accepted answer
`"latency, requests, errors, saturation"` became four one-item answers (typing `latency` alone
was right). The documented set pattern, one accepted answer listing every item, could not be
written with `retain add` at all. Now each `--accept` is one answer; the old list form (one
`--accept A,B` on a typed card without `--match`, as older versions documented it) cannot be
told from an answer holding a comma, so it is refused in one line saying to repeat the flag.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.answer import check_answer
from retain.core.deckfile import parse_deck
from retain.core.model import Card
from retain.core.typed import answer_spec
from retain.store import home as store_home


@pytest.fixture(autouse=True)
def _no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)


def _add(
    home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, list[str]]:
    monkeypatch.setenv("RETAIN_HOME", str(home))
    code = main(["add", "--deck", "acc", "--new-deck", *args])
    return code, capsys.readouterr().err.strip().splitlines()


def _card(home: Path) -> Card:
    deck = parse_deck((home / "decks" / "acc.toml").read_text("utf-8")).deck
    assert deck is not None
    return deck.cards[-1]


def _right(card: Card, typed: str) -> bool:
    return check_answer(typed, card.back, card.accept, answer_spec(card)).correct


NUMBER = ["--kind", "typed", "--match", "number", "--front", "How many ms in a second?", "--back", "1000"]
SET = [
    "--match",
    "set",
    "--front",
    "The four golden signals?",
    "--back",
    "Latency, Traffic, Errors, Saturation",
]


def test_a_thousands_separator_is_one_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, lines = _add(tmp_path, monkeypatch, capsys, *NUMBER, "--accept", "1,000")
    assert code == 0, lines
    card = _card(tmp_path)
    assert card.accept == ("1,000",)
    assert not _right(card, "1") and not _right(card, "000") and _right(card, "1,000")


def test_a_set_cards_accepted_answer_is_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """deck-format.md's set pattern: an accepted answer lists every item."""
    code, lines = _add(
        tmp_path, monkeypatch, capsys, *SET, "--accept", "latency, requests, errors, saturation"
    )
    assert code == 0, lines
    card = _card(tmp_path)
    assert card.accept == ("latency, requests, errors, saturation",)
    assert not _right(card, "latency")
    assert _right(card, "saturation, requests, latency, errors")


def test_accept_is_repeatable_one_answer_each(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--kind", "typed", "--front", "Capital of France?", "--back", "Paris"]
    code, lines = _add(
        tmp_path, monkeypatch, capsys, *args, "--accept", "Paris, France", "--accept", " paname "
    )
    assert code == 0, lines
    card = _card(tmp_path)
    assert card.accept == ("Paris, France", "paname")
    assert not _right(card, "France")


def test_one_answer_without_a_comma_and_empty_values(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A script's unset `--accept "$ALT"` adds nothing, as before."""
    args = ["--kind", "typed", "--front", "Consul's consensus algorithm?", "--back", "Raft"]
    code, lines = _add(tmp_path, monkeypatch, capsys, *args, "--accept", "the raft algorithm", "--accept", "")
    assert code == 0, lines
    assert _card(tmp_path).accept == ("the raft algorithm",)


@pytest.mark.parametrize("value", ["A,B", "latency, errors", "1,000"])
def test_the_old_comma_list_form_is_refused_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    """One `--accept` with a comma on a typed card without --match: the old list form (README:
    `--accept A,B`) or one answer with a comma? Never guessed: refused, nothing written."""
    args = ["--kind", "typed", "--front", "Which letters?", "--back", "A"]
    code, lines = _add(tmp_path, monkeypatch, capsys, *args, "--accept", value)
    assert code == 2, lines
    assert len(lines) == 1 and lines[0].startswith("retain add: --accept "), lines
    assert "repeat" in lines[0] and "--accept" in lines[0].partition(":")[2], lines
    assert not (tmp_path / "decks" / "acc.toml").exists()


def test_the_set_card_warning_for_a_one_item_accepted_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An accepted answer of a set card with fewer items than the back is said after the add."""
    code, lines = _add(tmp_path, monkeypatch, capsys, *SET, "--accept", "latency", "--accept", "errors")
    assert code == 0, lines
    assert any("fewer items than the back" in line for line in lines), lines


_ANSWER = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters='\\"'), min_size=1, max_size=12
).filter(lambda s: s.strip() == s and s and not s.startswith("-"))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.lists(_ANSWER, min_size=2, max_size=4, unique=True))
def test_repeated_accept_writes_each_value_whole(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], answers: list[str]
) -> None:
    """Whatever an answer holds (commas, semicolons, quotes), repeated flags write it as given."""
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        flags = [f"--accept={a}" for a in answers]
        code, lines = _add(
            home, monkeypatch, capsys, "--kind", "typed", "--front", "Q?", "--back", "zz", *flags
        )
        assert code == 0, lines
        assert _card(home).accept == tuple(answers)
