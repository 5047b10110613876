"""Author lint: a choice question is not "the answer appears in the question" (session 39, attacker 73).

`Which is faster for small messages, TCP or UDP?` -> `UDP`, `True or false: ...` -> `True`,
`Does Prometheus pull or push metrics?` -> `Pull` were warned, though the question only lists
the options (a common, sound card form); `Is Consul a CP or an AP system?` -> `CP` was not
(short words are left out), so the rule was not even consistent. An answer that the front
offers as one of two or more options joined by `or`/`vs`/`versus` (`X or Y`, `A, B or C`) is
not a leak. The rule is also added that a set card's accepted answer with fewer items than
its back is almost surely a mistake (typing that part alone counts as right).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from retain.cli import main
from retain.core.deckfile import parse_deck
from retain.core.lint import lint_deck
from retain.core.model import Deck

HEAD = 'format = 1\n[deck]\nid = "choice"\nname = "Choice"\n'
LEAK = "the answer appears in the question"


def _deck(body: str) -> Deck:
    result = parse_deck(HEAD + body, "choice.toml")
    assert result.deck is not None, result.problems
    return result.deck


def _card(front: str, back: str, kind: str = "basic", extra: str = "") -> str:
    return f'[[cards]]\nid = "a"\nkind = "{kind}"\nfront = "{front}"\nback = "{back}"\n{extra}'


def _messages(body: str) -> list[str]:
    return [p.message for p in lint_deck(_deck(body))]


CHOICES = [
    ("Which is faster for small messages, TCP or UDP?", "UDP"),
    ("True or false: Redis runs commands on a single thread.", "True"),
    ("True or false: Redis runs commands on a single thread.", "false"),
    ("Does Prometheus pull or push metrics?", "Pull"),
    ("Does Prometheus pull or push metrics?", "push"),
    ("Is Consul a CP or an AP system?", "AP"),
    ("Is Consul a CP system or an AP system?", "an AP system"),
    ("Which does etcd use: Raft, Paxos, or Zab?", "Raft"),
    ("Which does etcd use: Raft, Paxos or Zab?", "Paxos"),
    ("Which is stateful, Deployment vs. StatefulSet?", "StatefulSet"),
    ("Redis versus Memcached: which persists to disk?", "Redis"),
    ("Is the Kafka log append-only or mutable?", "append-only"),
]


@pytest.mark.parametrize(("front", "back"), CHOICES)
def test_an_answer_the_front_offers_as_an_option_is_no_leak(front: str, back: str) -> None:
    assert _messages(_card(front, back)) == []
    assert _messages(_card(front, back, "typed")) == []


@pytest.mark.parametrize(
    ("front", "back"),
    [
        ("Consul uses Raft. Which algorithm?", "Raft"),  # no options at all
        ("Raft or Paxos? Consul uses Raft, which one?", "Raft"),  # also given away outside the options
        ("Which kind of locking protects the state, or the plan?", "State locking"),  # not an option
        ("Which tolerance to partitions does a CP system keep?", "Partition tolerance"),
    ],
)
def test_an_answer_given_away_outside_a_choice_is_still_warned(front: str, back: str) -> None:
    assert any(LEAK in m for m in _messages(_card(front, back))), (front, back)


def test_an_accepted_answer_that_is_an_offered_option_is_no_leak() -> None:
    body = _card("Which is faster for small messages, TCP or UDP?", "UDP", "typed", 'accept = ["the UDP"]\n')
    assert _messages(body) == []
    leak = _card("Which does Kafka use for small messages, TCP?", "TCP/IP", "typed", 'accept = ["tcp"]\n')
    assert any("accept entry 'tcp' appears in the question" in m for m in _messages(leak))


def test_a_set_cards_accepted_answer_with_fewer_items_than_the_back_is_warned() -> None:
    set_card = 'match = "set"\naccept = ["latency", "latency, requests, errors, saturation"]\n'
    body = _card("The four golden signals?", "Latency, Traffic, Errors, Saturation", "typed", set_card)
    found = [m for m in _messages(body) if "fewer items" in m]
    assert found == [
        "'a': accept entry 'latency' has fewer items than the back (1 of 4): an accepted answer is a "
        "whole answer, so typing it alone counts as right; list every item in it"
    ]
    whole = _card(
        "The four golden signals?",
        "Latency, Traffic, Errors",
        "typed",
        'match = "set"\naccept = ["a, b, c"]\n',
    )
    assert _messages(whole) == []


def test_retain_check_is_quiet_on_the_repro_deck(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path / "home"))
    path = tmp_path / "choice.toml"
    cards = [
        ("cap", "Is Consul a CP or an AP system?", "CP"),
        ("proto", "Which is faster for small messages, TCP or UDP?", "UDP"),
        ("tf", "True or false: Redis runs commands on a single thread.", "True"),
        ("push", "Does Prometheus pull or push metrics?", "Pull"),
    ]
    body = "".join(f'[[cards]]\nid = "{i}"\nfront = "{f}"\nback = "{b}"\n' for i, f, b in cards)
    path.write_text(HEAD + body, "utf-8")
    assert main(["check", str(path)]) == 0
    said = capsys.readouterr()
    assert LEAK not in said.out + said.err
