"""`retain check` lint rules for answers a card gives away in other words (h5 deck review).

The first rules only found an answer written out whole, in order, in its question. The bundled
decks had cards that gave their answer away all the same: an accepted answer that is a word of
the question (`expire` for "... so they expire naturally?"), a term whose every word is in the
definition its reverse side shows ("Infrastructure as Code" for "Defining your infrastructure in
code..."), answer words in another order, and cloze hints repeating their answer's words.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from retain.core.deckfile import parse_deck
from retain.core.lint import lint_deck
from retain.core.model import Deck

HEAD = 'format = 1\n[deck]\nid = "d"\nname = "x"\n'
DECKS_DIR = Path(__file__).resolve().parents[2] / "decks"


def deck(body: str) -> Deck:
    result = parse_deck(HEAD + body, "d.toml")
    assert result.deck is not None, result.problems
    return result.deck


def messages(d: Deck) -> list[str]:
    return [p.message for p in lint_deck(d)]


def card(front: str, back: str, kind: str = "basic", accept: str = "") -> Deck:
    lines = f'[[cards]]\nid = "a"\nkind = "{kind}"\nfront = "{front}"\nback = "{back}"\n'
    return deck(lines + (f"accept = [{accept}]\n" if accept else ""))


def cloze(text: str) -> Deck:
    return deck(f'[[cards]]\nid = "c"\nkind = "cloze"\ntext = "{text}"\n')


# ---- typed and basic: the answer in the question, in other words or as an accepted answer ----


def test_an_accepted_answer_that_is_a_word_of_the_question_is_warned() -> None:
    d = card(
        "What do you set on Redis keys so they expire naturally?", "TTL", "typed", '"time to live", "expire"'
    )
    assert messages(d) == ["'a': accept entry 'expire' appears in the question"]


def test_accepted_answers_absent_from_the_question_are_not_warned() -> None:
    d = card("What does Redis delete a key after?", "TTL", "typed", '"time to live", "expiry"')
    assert messages(d) == []


@pytest.mark.parametrize(
    ("front", "back"),
    [
        ("Which kind of locking protects the Terraform state?", "State locking"),
        ("Which tolerance to partitions does a CP system keep?", "Partition tolerance"),
        ("Which file records the state Terraform manages?", "the state file"),
        ("What holds the Lucene index of an Elasticsearch shard?", "Index (Lucene)"),
    ],
)
def test_answer_words_in_another_order_in_the_question_are_warned(front: str, back: str) -> None:
    assert "'a': the answer appears in the question" in messages(card(front, back)), (front, back)


@pytest.mark.parametrize(
    ("front", "back"),
    [
        ("Which consensus algorithm does Consul use?", "Raft"),
        ("Where does Terraform record which objects it manages?", "The state file"),
        ("Which state does a failed node get?", "Unreachable"),  # one shared word of a short answer: fine
        ("What makes locking safe?", "A lock is taken and held by one run of the many runs"),  # long back
    ],
)
def test_answers_that_only_share_a_word_with_the_question_are_not_warned(front: str, back: str) -> None:
    assert messages(card(front, back)) == []


# ---- reversed: the reverse side shows the back and asks for the front --------------------


def test_a_term_whose_every_word_is_in_its_definition_is_warned() -> None:
    d = card(
        "Infrastructure as Code (IaC)",
        "Defining your infrastructure in code instead of by hand.",
        "reversed",
    )
    assert messages(d) == [
        "'a': the reverse side shows its answer: every word of the front appears in the back"
    ]


@pytest.mark.parametrize(
    ("front", "back"),
    [
        ("Write-through cache", "Every write updates the cache and the database at the same time."),
        ("Scraping (Prometheus)", "Prometheus fetching metrics from each target at regular intervals."),
        ("Over-sharding (Elasticsearch)", "Having too many tiny shards in a cluster."),
        ("In-sync replicas (ISR), Kafka", "The replicas of a partition caught up with its leader."),
    ],
)
def test_a_term_with_a_word_its_definition_lacks_is_not_warned(front: str, back: str) -> None:
    assert messages(card(front, back, "reversed")) == []


# ---- cloze: answer words elsewhere in any order, and hints repeating the answer ----------


def test_a_cloze_whose_answer_words_all_show_elsewhere_is_warned() -> None:
    d = cloze("The {{c1::state lock}} means only one run can write the state, and the lock waits.")
    assert messages(d) == ["'c': cloze c1 answer 'state lock' is visible elsewhere"]


def test_a_cloze_hint_repeating_a_word_of_its_answer_is_warned() -> None:
    d = cloze("Inject failures such as {{c1::network latency::slow network}} or {{c2::packet loss}}.")
    assert messages(d) == ["'c': cloze c1 hint 'slow network' repeats its answer 'network latency'"]


@pytest.mark.parametrize(
    "text",
    [
        "Consul uses the {{c1::Raft::algorithm}} consensus algorithm.",  # the hint names what kind
        "Failures such as {{c1::node crashes::machines going down}}.",
        "A {{c1::write-through}} cache adds {{c2::write latency}}.",  # one shared word of two
    ],
)
def test_clozes_that_do_not_repeat_their_answer_are_not_warned(text: str) -> None:
    assert messages(cloze(text)) == []


# ---- the rules are cheap and never crash on odd text -------------------------------------

_TEXT = st.text(st.characters(exclude_categories=["Cs"], exclude_characters='"\\\n\r'), max_size=60)
_WORD = st.text("bcdfghjklmnpqrstvwxz", min_size=4, max_size=9)


@given(front=_TEXT, back=_TEXT, kind=st.sampled_from(["basic", "reversed", "typed"]))
def test_lint_never_fails_on_any_front_and_back(front: str, back: str, kind: str) -> None:
    if not front.strip() or not back.strip():
        return
    text = HEAD + f'[[cards]]\nid = "a"\nkind = "{kind}"\nfront = "{front}"\nback = "{back}"\n'
    result = parse_deck(text, "d.toml")
    if result.deck is not None:
        assert all(p.severity == "warning" for p in lint_deck(result.deck))


@given(words=st.lists(_WORD, min_size=1, max_size=4, unique=True), order=st.randoms(use_true_random=False))
def test_a_short_answer_is_warned_whatever_order_the_question_has_its_words_in(
    words: list[str], order: random.Random
) -> None:
    shuffled = words[:]
    order.shuffle(shuffled)
    d = card(f"Which of {' and '.join(shuffled)} is it?", " ".join(words))
    assert "'a': the answer appears in the question" in messages(d)


# ---- the bundled decks pass every rule ---------------------------------------------------


@pytest.mark.parametrize("path", sorted(DECKS_DIR.glob("*.toml")), ids=lambda p: p.stem)
def test_bundled_decks_have_no_lint_warnings(path: Path) -> None:
    result = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert result.deck is not None
    assert [p.message for p in lint_deck(result.deck)] == []
