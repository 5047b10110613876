"""Two author-lint faults (`retain check`, `retain add` and the editor run the same lint):

- Its cost grew with the size of the question times the number of answers: each `accept` entry
  normalised the whole front again (`_contains`), so one typed card with a 4 MB front and 256
  short entries took 26 s of CPU (deck-format.md: at most 2 s per MB). Each field of a card is
  now read once per card, whatever the rule or the number of answers.
- A typed answer whose `_` or `*` Markdown reads as emphasis (`__init__` shows a bold `init`,
  `2*3*4` shows `234`) did not count when typed exactly as written, and nothing said so. The lint
  asks the answer check itself whether typing what the author meant would count.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.cli import main
from retain.core import lint
from retain.core.answer import check_answer
from retain.core.answer.shown import inline_text
from retain.core.deckfile import parse_deck
from retain.core.lint import lint_deck
from retain.core.lintmarks import read_inline
from retain.core.model import Deck

HEAD = 'format = 1\n[deck]\nid = "d"\nname = "x"\n'


def _deck(body: str) -> Deck:
    result = parse_deck(HEAD + body, "d.toml")
    assert result.deck is not None, result.errors
    return result.deck


def _typed(back: str, accept: tuple[str, ...] = (), front: str = "Which method?") -> Deck:
    return _deck(
        f'[[cards]]\nid = "t"\nkind = "typed"\nfront = {json.dumps(front)}\nback = {json.dumps(back)}\n'
        + (f"accept = {json.dumps(list(accept))}\n" if accept else "")
    )


def _messages(deck: Deck) -> list[str]:
    return [p.message for p in lint_deck(deck)]


# -- cost: every field read a bounded number of times -------------------------------------------


class _Counting:
    """`lint._WORD_RE` counting the characters it is asked to read."""

    def __init__(self, real: re.Pattern[str]) -> None:
        self.real = real
        self.chars = 0

    def findall(self, text: str) -> list[Any]:
        self.chars += len(text)
        return self.real.findall(text)


BIG = " ".join(f"w{i:07d}" for i in range(20_000))  # 180 KB of words
ACCEPT = tuple(f"zz{i:06d}" for i in range(256))


@pytest.mark.parametrize(
    "body",
    [
        # the attacker's card: a long question, 256 short accepted answers
        f'[[cards]]\nid = "t"\nkind = "typed"\nfront = "{BIG}"\nback = "qq"\naccept = {json.dumps(list(ACCEPT))}\n',
        # a long question and a long answer, each way round (the reverse side's check)
        f'[[cards]]\nid = "r"\nkind = "reversed"\nfront = "{BIG}"\nback = "{BIG} x"\n',
        f'[[cards]]\nid = "r"\nkind = "reversed"\nfront = "{BIG} x"\nback = "{BIG}"\n',
        f'[[cards]]\nid = "b"\nfront = "{BIG} and more"\nback = "{BIG}"\n',
        f'[[cards]]\nid = "t"\nkind = "typed"\nfront = "{BIG} and more"\nback = "{BIG}"\naccept = {json.dumps(list(ACCEPT))}\n',
    ],
    ids=[
        "typed-256-accepted",
        "reversed-front-in-back",
        "reversed-back-in-front",
        "basic",
        "typed-long-back",
    ],
)
def test_the_lint_reads_each_field_a_bounded_number_of_times(
    body: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    deck = _deck(body)
    card = deck.cards[0]
    size = len(card.front) + len(card.back) + sum(map(len, card.accept))
    counting = _Counting(lint._WORD_RE)
    monkeypatch.setattr(lint, "_WORD_RE", counting)
    lint_deck(deck)
    assert counting.chars <= 6 * size, f"read {counting.chars / size:.0f} times the card's size"


def test_a_long_question_with_many_answers_still_warns_as_before() -> None:
    """The rules themselves are unchanged: an accepted answer the question shows is said."""
    deck = _typed("qq", ("w0000003", "zz1", "w0000004 w0000005"), front=BIG)
    [message] = _messages(deck)
    assert message == "'t': accept entries 'w0000003', 'w0000004 w0000005' appear in the question", message


# -- marks Markdown reads as emphasis -------------------------------------------------------------


@pytest.mark.parametrize(
    ("back", "shown", "meant"),
    [
        ("__init__", "init", "__init__"),
        ("__name__", "name", "__name__"),
        ("_private_", "private", "_private_"),
        ("_foo_bar_", "foo_bar", "_foo_bar_"),
        ("self.__init__(x)", "self.init(x)", "self.__init__(x)"),
        ('__name__ == "__main__"', 'name == "main"', '__name__ == "__main__"'),
        ("2*3*4", "234", "2*3*4"),
        ("a**b**c", "abc", "a**b**c"),
    ],
)
def test_an_answer_whose_marks_show_as_emphasis_is_warned(back: str, shown: str, meant: str) -> None:
    assert not check_answer(meant, back).correct  # (the fault: typed as written, it does not count)
    [message] = _messages(_typed(back))
    assert message.startswith(f"'t': the back {back!r} shows as {shown!r}: "), message
    assert f"typing {meant} would not count" in message, message
    advice = re.search(r"write it as code \((`.*`)\) or put a backslash before each mark \((.*)\)$", message)
    assert advice is not None, message
    for written in advice.groups():  # each way the author is told to write it counts when typed
        assert check_answer(meant, written).correct, written
        assert _messages(_typed(written)) == [], written


def test_with_other_markdown_in_the_answer_the_advice_shows_the_word() -> None:
    """The whole answer is not repeated when it holds other Markdown (its bold would be lost)."""
    [message] = _messages(_typed("**Raft** calls __init__"))
    assert "typing Raft calls __init__ would not count" in message, message
    assert message.endswith(
        "write that word as code (`__init__`) or put a backslash before each mark (\\_\\_init\\_\\_)"
    )
    assert check_answer("Raft calls __init__", "**Raft** calls \\_\\_init\\_\\_").correct


def test_the_suggestions_count_when_typed() -> None:
    [message] = _messages(_typed("__init__"))
    assert "(`__init__`)" in message and "(\\_\\_init\\_\\_)" in message, message
    for written in ("`__init__`", "\\_\\_init\\_\\_"):
        assert check_answer("__init__", written).correct
        assert _messages(_typed(written)) == []


@pytest.mark.parametrize(
    "back",
    [
        "**Raft**",  # bold meant as bold: nobody types the stars
        "*Raft*",
        "_the leader_",  # emphasis of words, not a name
        "**Raft**s",
        "`__init__`",
        "\\_\\_init\\_\\_",
        "*args",
        "**kwargs",
        "_id",
        "snake_case_name",
        "x_1_ and y_2_",
        "1 * 2 * 3",
        "Raft",
    ],
)
def test_markdown_meant_as_markdown_is_not_warned(back: str) -> None:
    assert _messages(_typed(back)) == []


def test_an_accepted_answer_that_counts_as_typed_silences_it() -> None:
    """What the lint asks is the answer check's own verdict: an accept entry that takes the
    answer as written (or the back, for an accept entry) is enough."""
    assert _messages(_typed("__init__", ("\\_\\_init\\_\\_",))) == []
    assert _messages(_typed("`__init__`", ("__init__",))) == []
    [message] = _messages(_typed("constructor", ("__init__",)))
    assert message.startswith("'t': accept entry '__init__' shows as 'init': "), message


def test_a_card_that_is_not_typed_is_not_warned() -> None:
    assert _messages(_deck('[[cards]]\nid = "b"\nfront = "Which method?"\nback = "__init__"\n')) == []


REPRO = """format = 1
[deck]
id = "py"

[[cards]]
id = "ctor"
kind = "typed"
front = "Which method does Python call to initialise a new object?"
back = "__init__"
accept = ["constructor", "__new__"]
"""


def test_retain_check_says_it_at_the_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the other answer warnings: at the `back =` value, at the `accept =` key for an entry."""
    path = tmp_path / "py.toml"
    path.write_text(REPRO, "utf-8")
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    assert main(["check", str(path)]) == 0
    lines = [line for line in capsys.readouterr().out.splitlines() if ": warning: " in line]
    assert len(lines) == 2, lines
    # (line 9: `back = "__init__"`; a string's first character, one column after its quote)
    assert lines[0].startswith(f"{path}:9:9: warning: 'ctor': the back '__init__'"), lines
    assert lines[1].startswith(f"{path}:10:1: warning: 'ctor': accept entry '__new__'"), lines


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab _*`\\#>-1.$&;[]()!~\t", max_size=24))
def test_the_lint_reads_inline_markdown_as_the_check_does(text: str) -> None:
    """One parse gives the lint both readings: its inline one is the check's (`inline_text`), and
    the meant one is that with marks put back, nothing else."""
    inline, kept = read_inline(text)
    assert inline == inline_text(text)
    if kept is not None:
        bare = " ".join(re.sub(r"[_*]", "", kept.meant).split())
        assert bare == " ".join(re.sub(r"[_*]", "", inline).split()), (kept.meant, inline)


def test_a_card_of_another_mode_asks_its_own_check() -> None:
    """A set answer is read item by item: the answer check of the card's mode gives the verdict."""
    body = '[[cards]]\nid = "s"\nkind = "typed"\nmatch = "set"\nfront = "Which two?"\nback = "__init__, __new__"\n'
    [message] = _messages(_deck(body))
    assert "typing __init__, __new__ would not count" in message, message
    assert _messages(_deck(body.replace("__init__, __new__", "`__init__`, `__new__`"))) == []
