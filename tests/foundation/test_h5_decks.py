"""The bundled decks read as a learner reads them (h5 review against the seed text).

Each test names a card defect the review found: a cloze whose gap the rest of its sentence
answers, two cards asking one fact, a question showing another card's answer, a prompt with a
second right answer, a seed point no card asked, and spellings of a right answer refused.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from retain.core.cloze import cloze_numbers, deletions, render_front
from retain.core.deckfile import parse_deck
from retain.core.model import Card, Deck
from retain.core.typed import check_unit
from retain.core.units import expand_deck

DECKS_DIR = Path(__file__).resolve().parents[2] / "decks"


@cache
def deck(deck_id: str) -> Deck:
    path = DECKS_DIR / f"{deck_id}.toml"
    result = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert result.deck is not None, result.problems
    return result.deck


def card(ref: str) -> Card:
    deck_id, card_id = ref.split("/")
    found = [c for c in deck(deck_id).cards if c.id == card_id]
    assert found, f"no card {ref}"
    return found[0]


def all_cards() -> list[tuple[str, Card]]:
    return [(p.stem, c) for p in sorted(DECKS_DIR.glob("*.toml")) for c in deck(p.stem).cards]


@pytest.mark.parametrize(
    ("ref", "answer"),
    [
        ("kubernetes/dns-name-to-ip", "CoreDNS server"),
        ("kafka/consumer-parallelism-limit", "partitions in the topic"),
        ("kafka/fault-tolerance-mechanism", "replicating partitions across brokers"),
        ("prometheus-grafana/metrics-endpoint", "metrics endpoint"),
        ("terraform/state-locking", "lock the state file"),
        ("terraform/locking-implementation", "Amazon DynamoDB table"),
        ("grpc/transport-protocol", "HTTP/2 protocol"),
        ("grpc/protobuf-not-json", "Protocol Buffers format"),
        ("chaos-engineering/start-in-staging", "a test environment"),
    ],
)
def test_the_obvious_spellings_of_a_right_answer_are_accepted(ref: str, answer: str) -> None:
    deck_id, card_id = ref.split("/")
    (unit,) = [u for u in expand_deck(deck(deck_id)) if u.card_id == card_id]
    assert check_unit(answer, unit).correct


def test_no_cloze_gap_is_a_word_the_sentence_implies() -> None:
    """`only {{c1::one}} Terraform run at a time`: "at a time" says the answer."""
    implied = {"one", "two", "a", "an", "the", "only", "all", "none", "yes", "no"}
    found = [
        (deck_id, c.id, d.answer)
        for deck_id, c in all_cards()
        if c.kind == "cloze"
        for d in deletions(c.text)
        if d.answer.strip().lower() in implied
    ]
    assert found == []


def test_terraform_asks_what_happens_to_a_second_concurrent_apply() -> None:
    second = card("terraform/concurrent-apply-fails")
    assert [d.answer for d in deletions(second.text)] == ["fails with a lock error"]
    assert "only one run at a time" in second.text and "one person" in second.extra


def test_kafka_leader_and_followers_are_hidden_together() -> None:
    """Asked for the leader with "followers" in sight (or the other way round), the pair answers itself."""
    text = card("kafka/partition-leader-followers").text
    assert cloze_numbers(text) == [1]
    assert [d.answer for d in deletions(text)] == ["leader", "followers"]


def test_one_kafka_card_asks_that_the_new_leader_comes_from_the_isr() -> None:
    """`isr-election` asked what `leader-failover` asks: which replica becomes the new leader."""
    answers = [
        c.id
        for c in deck("kafka").cards
        if (c.kind in {"basic", "typed"} and "in-sync" in c.back)
        or (c.kind == "cloze" and any("in-sync" in d.answer for d in deletions(c.text)))
    ]
    assert answers == ["leader-failover"]


def test_grpc_asks_its_three_advantages() -> None:
    """The seed's answer is three advantages; no card asked for "strong typing", and the
    code-generation cloze said "For strong typing" next to its `type-safe` gap."""
    three = card("grpc/advantages-over-rest")
    assert [d.answer for d in deletions(three.text)] == ["speed", "multiplexing", "strong typing"]
    code = card("grpc/code-generation")
    for number in cloze_numbers(code.text):
        assert "typing" not in render_front(code.text, number).lower()


def test_consul_split_brain_question_does_not_answer_the_minority_card() -> None:
    why = card("consul/split-brain-prevention")
    assert (
        "stop accepting writes" not in why.front.lower()
        and "stop accepting writes" in card("consul/minority-partition").back
    )
    assert why.back.startswith("Split-brain")


@pytest.mark.parametrize(
    ("ref", "hint"),
    [
        ("docker/multi-stage-builds", r"\bstages?\b"),  # "several `FROM` stages" spelled multi-stage
        ("prometheus-grafana/metrics-endpoint", r"\bmetrics\b"),  # "expose its metrics" at `/metrics`
        ("redis/ttl", r"\bexpire\b"),  # `expire` was an accepted answer
    ],
)
def test_questions_do_not_spell_their_answer(ref: str, hint: str) -> None:
    assert re.search(hint, card(ref).front, re.I) is None, card(ref).front


def test_reverse_sides_do_not_spell_their_term() -> None:
    assert not re.search(r"\bmultipl", card("grpc/multiplexing").back, re.I)
    iac = card("terraform/iac").back.lower()
    assert "infrastructure" not in iac and "code" not in iac


def test_redis_pubsub_prompt_rules_out_client_tracking() -> None:
    """Redis 6 client-side caching (`CLIENT TRACKING`) also broadcasts invalidations: the prompt asks
    for the feature that carries the application's own events."""
    pubsub = card("redis/pubsub-invalidation")
    assert "its own invalidation events" in pubsub.front and "CLIENT TRACKING" in pubsub.extra
