"""`retain add` says every warning `retain check` gives about the card it adds, and only those.

It passed on the deck parser's problems only: the author lint (a typed back `# of partitions`,
which Markdown shows as `of partitions`; the answer inside the question) and the media check
(`![d](k.media/diagram.png)` not found) never ran, so such a card went in without a word.
"""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.store import home as store_home

_OLD_DECK = """format = 1

[deck]
id = "k"
name = "K"

[[cards]]
id = "old-leak"
front = "What is the leader epoch?"
back = "leader epoch"

[[cards]]
id = "old-media"
front = "Look: ![d](k.media/gone.png)"
back = "gone"
"""


@pytest.fixture(autouse=True)
def no_bundled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)


@contextmanager
def _home(path: Path) -> Iterator[Path]:
    """RETAIN_HOME set to `path` while the block runs (hypothesis makes a home per example)."""
    before = os.environ.get("RETAIN_HOME")
    os.environ["RETAIN_HOME"] = str(path)
    try:
        yield path
    finally:
        if before is None:
            del os.environ["RETAIN_HOME"]
        else:
            os.environ["RETAIN_HOME"] = before


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], list[str]]:
    capsys.readouterr()
    code = main(list(args))
    said = capsys.readouterr()
    return code, said.out.splitlines(), said.err.splitlines()


def _check(capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The lines `retain check` (the whole library) prints."""
    return _run(capsys, "check")[1]


def _new_lines(before: list[str], after: list[str]) -> list[str]:
    """The lines of `after` that `before` did not have (as many times as they are new), in order."""
    left = Counter(before)
    new: list[str] = []
    for line in after:
        if left[line]:
            left[line] -= 1
        else:
            new.append(line)
    return new


def _add_says_what_check_adds(capsys: pytest.CaptureFixture[str], *add: str) -> list[str]:
    """Run `retain add` (it must add the card) between two `retain check`s: its warning lines are
    exactly the lines the second check has that the first did not; they are returned."""
    before = _check(capsys)
    code, out, err = _run(capsys, "add", *add)
    assert code == 0, err
    assert out and out[-1].startswith("added "), out
    after = _check(capsys)
    warnings = [line for line in err if ": warning: " in line]
    assert warnings == _new_lines(before, after), (err, before, after)
    assert len(warnings) == len(err), err  # nothing but the warnings on stderr, one line each
    return warnings


def test_a_typed_back_markdown_shows_otherwise_is_said(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with _home(tmp_path):
        said = _add_says_what_check_adds(
            capsys,
            *("--deck", "k", "--new-deck", "--kind", "typed"),
            *("--front", "How many partitions?", "--back", "# of partitions"),
        )
    assert any("shows as 'of partitions'" in line for line in said), said
    assert said[0].startswith(f"{tmp_path / 'decks' / 'k.toml'}:")
    deck = parse_deck((tmp_path / "decks" / "k.toml").read_text("utf-8")).deck
    assert deck is not None and [c.back for c in deck.cards] == ["# of partitions"]  # added all the same


def test_missing_media_is_said(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "k.toml").write_text(_OLD_DECK, "utf-8")
    with _home(tmp_path):
        said = _add_says_what_check_adds(
            capsys, "--deck", "k", "--front", "Name it: ![d](k.media/diagram.png)", "--back", "etcd"
        )
    assert len(said) == 1 and "media 'diagram.png' not found" in said[0], said


def test_only_the_new_cards_warnings_not_the_decks_old_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "k.toml").write_text(_OLD_DECK, "utf-8")
    with _home(tmp_path):
        assert len(_check(capsys)) == 2  # the old cards' own warnings
        clean = _add_says_what_check_adds(
            capsys, "--deck", "k", "--front", "What stores offsets?", "--back", "Kafka"
        )
        assert clean == []
        leak = _add_says_what_check_adds(
            capsys, "--deck", "k", "--id", "leak", "--front", "What is ISR short for?", "--back", "ISR"
        )
    assert len(leak) == 1 and "'leak': the answer appears in the question" in leak[0], leak


@pytest.mark.parametrize("new_deck", ["aa", "zz"])
def test_a_duplicate_of_another_decks_card_is_said_as_check_says_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], new_deck: str
) -> None:
    """Whichever deck comes first, the line `check` now gives about the pair (on the new card, or
    on the old one naming the new card) is said."""
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "k.toml").write_text(_OLD_DECK, "utf-8")
    with _home(tmp_path):
        said = _add_says_what_check_adds(
            capsys,
            "--deck",
            new_deck,
            "--new-deck",
            "--front",
            "What is the leader epoch?",
            "--back",
            "a counter",
        )
    assert len(said) == 1 and " duplicates card " in said[0], said
    assert f"{new_deck}/" in said[0] or said[0].startswith(f"{tmp_path / 'decks' / new_deck}.toml:")


_WORDS = ["leader", "epoch", "What", "is", "broker", "the", "partitions", "of"]
_MARKS = ["", "# ", "- ", "> ", "1. ", "\\# "]
_MEDIA = ["", " ![d](k.media/there.png)", " ![d](k.media/gone.png)", " ![d](other.media/x.png)"]


@st.composite
def _card(draw: st.DrawFn) -> list[str]:
    kind = draw(st.sampled_from(["basic", "typed", "reversed", "cloze"]))
    front = " ".join(draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=5))) + draw(
        st.sampled_from(_MEDIA)
    )
    back = draw(st.sampled_from(_MARKS)) + " ".join(
        draw(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=3))
    )
    if kind == "cloze":
        gap = draw(st.sampled_from(_WORDS))
        return [
            "--kind",
            "cloze",
            "--front",
            f"{front} {{{{c1::{gap}}}}}",
            "--extra",
            draw(st.sampled_from(_MEDIA)),
        ]
    return ["--kind", kind, "--front", front + "?", "--back", back, "--extra", draw(st.sampled_from(_MEDIA))]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cards=st.lists(_card(), min_size=1, max_size=3))
@example(  # (two warnings about one card's `back`, a later card with the same back: final CI)
    cards=[
        ["--kind", "basic", "--front", "leader?", "--back", "leader", "--extra", ""],
        ["--kind", "typed", "--front", "leader?", "--back", "# leader", "--extra", ""],
        ["--kind", "basic", "--front", "leader?", "--back", "# leader", "--extra", ""],
    ]
)
def test_add_says_exactly_what_check_then_adds(
    capsys: pytest.CaptureFixture[str], cards: list[list[str]]
) -> None:
    with tempfile.TemporaryDirectory() as raw, _home(Path(raw)) as home:
        (home / "decks" / "k.media").mkdir(parents=True)
        (home / "decks" / "k.media" / "there.png").write_bytes(b"\x89PNG")
        (home / "decks" / "k.toml").write_text(_OLD_DECK, "utf-8")
        (home / "decks" / "other.toml").write_text(
            _OLD_DECK.replace('"k"', '"other"').replace("k.media", "other.media"), "utf-8"
        )
        for card in cards:
            _add_says_what_check_adds(capsys, "--deck", "k", *card)
