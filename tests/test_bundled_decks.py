"""Content checks for the bundled decks in the repository's top-level `decks/` folder.

Each deck turns one answer of the seed text ("Top 10 Interview Questions for 10
Essential Tools for a Distributed Systems Engineer") into flashcards. These tests
read the files with tomllib only, so they check the content itself: the expected
decks exist, every card cites its question, each deck is big and varied enough,
and the key facts of every answer appear on some card.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

DECKS_DIR = Path(__file__).resolve().parent.parent / "decks"
GROUP = "Distributed Systems Interview"
KINDS = {"basic", "reversed", "cloze", "typed"}
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
CLOZE_NUM_RE = re.compile(r"\{\{c(\d+)::")
CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)
MAX_BACK = 120
MAX_SUMMARY_BACK = 200

# deck id -> (question number in the seed text, key phrases of that answer).
# Every phrase must appear, case-insensitively, in the deck's card text.
DECKS: dict[str, tuple[int, list[str]]] = {
    "kubernetes": (
        1,
        [
            "kube-proxy",
            "coredns",
            "stable virtual ip",
            "service name",
            "dynamic",
            "pod ip",
            "control plane",
            "controller manager",
            "heartbeats",
            "unreachable",
            "healthy nodes",
            "desired state",
            "self-healing",
        ],
    ),
    "kafka": (
        2,
        [
            "partitioning",
            "partitions",
            "parallel",
            "brokers",
            "massive throughput",
            "replication",
            "leader",
            "followers",
            "in-sync replica",
            "isr",
            "elected",
            "no data loss",
            "zero downtime",
        ],
    ),
    "docker": (
        3,
        [
            "consistency",
            "laptop",
            "data center",
            "dependencies",
            "works on my machine",
            "multi-stage",
            "compilers",
            "build tools",
            "raw source code",
            "official",
            "alpine",
            "distroless",
            "attack surface",
        ],
    ),
    "prometheus-grafana": (
        4,
        [
            "pull-based",
            "scraping",
            "regular intervals",
            "http",
            "/metrics",
            "prometheus client",
            "data source",
            "real-time dashboards",
            "golden signals",
            "latency",
            "traffic",
            "errors",
            "saturation",
            "alertmanager",
            "slack",
            "pagerduty",
            "before your users",
        ],
    ),
    "terraform": (
        5,
        [
            "infrastructure as code",
            "servers",
            "databases",
            "networks",
            "version-control",
            "state file",
            "stepping on each other",
            "remote backend",
            "aws s3",
            "azure blob storage",
            "state locking",
            "dynamodb",
            "native locks",
            "one person",
            "overwrites",
        ],
    ),
    "redis": (
        6,
        [
            "cache invalidation",
            "hardest problems",
            "write-through",
            "same time",
            "consistency",
            "write latency",
            "cache-aside",
            "miss",
            "for next time",
            "ttl",
            "expire",
            "stale data",
            "pub/sub",
            "invalidation events",
            "application nodes",
        ],
    ),
    "grpc": (
        7,
        [
            "public-facing",
            "slow and verbose",
            "http/2",
            "protocol buffers",
            "json",
            "binary",
            "speed",
            "multiplexing",
            "single tcp connection",
            "strong typing",
            ".proto",
            "type-safe",
            "multiple languages",
        ],
    ),
    "consul": (
        8,
        [
            "phonebook",
            "current ip address",
            "health checks",
            "dead service",
            "consistency",
            "availability",
            "partition tolerance",
            "cp system",
            "raft",
            "minority",
            "stop accepting writes",
            "split-brain",
            "inconsistent configuration",
        ],
    ),
    "elasticsearch": (
        9,
        [
            "indices",
            "shards",
            "nodes",
            "horizontally",
            "over-sharding",
            "lucene index",
            "cpu",
            "memory",
            "file descriptors",
            "overhead",
            "search performance",
            "master node",
            "20–50 gb",
            "logging",
        ],
    ),
    "chaos-engineering": (
        10,
        [
            "chaos mesh",
            "gremlin",
            "if, but when",
            "controlled failures",
            "gracefully",
            "network latency",
            "node crashes",
            "packet loss",
            "staging",
            "steady state",
            "200 ms",
            "hypothesis",
            "zone a",
            "zone b",
            "abort button",
        ],
    ),
}


def load(deck_id: str) -> dict[str, Any]:
    with (DECKS_DIR / f"{deck_id}.toml").open("rb") as fh:
        return tomllib.load(fh)


def cards(deck_id: str) -> list[dict[str, Any]]:
    return list(load(deck_id).get("cards", []))


def units(card: dict[str, Any]) -> int:
    kind = card.get("kind", "basic")
    if kind == "reversed":
        return 2
    if kind == "cloze":
        return len(set(CLOZE_NUM_RE.findall(card.get("text", ""))))
    return 1


def card_text(card: dict[str, Any]) -> str:
    """What a learner can read on the card (accept lists are not content)."""
    return "\n".join(str(card.get(k, "")) for k in ("front", "back", "text", "extra"))


def norm(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".?!")


def prompts(card: dict[str, Any]) -> list[str]:
    """The text shown as a question: the front, the back of a reversed card, or cloze text."""
    kind = card.get("kind", "basic")
    if kind == "cloze":
        return [card["text"]]
    if kind == "reversed":
        return [card["front"], card["back"]]
    return [card["front"]]


def contains_word(haystack: str, needle: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(needle.lower())}(?!\w)", haystack.lower()) is not None


all_decks = pytest.mark.parametrize("deck_id", sorted(DECKS))


def test_exactly_the_ten_expected_deck_files() -> None:
    assert sorted(p.stem for p in DECKS_DIR.glob("*.toml")) == sorted(DECKS)


@all_decks
def test_header(deck_id: str) -> None:
    data = load(deck_id)
    assert data.get("format") == 1
    meta = data["deck"]
    assert meta["id"] == deck_id
    assert meta["group"] == GROUP
    assert meta["name"].strip()
    assert meta["description"].strip() and "\n" not in meta["description"]
    assert meta["version"] == "1.0.0"
    assert meta["authors"] == ["retain contributors"]
    assert meta["license"] == "CC-BY-4.0"
    assert "distributed-systems" in meta["tags"]
    assert set(data) <= {"format", "deck", "cards"}


@all_decks
def test_every_card_cites_its_question(deck_id: str) -> None:
    number, _ = DECKS[deck_id]
    sources = {c.get("id"): c.get("source") for c in cards(deck_id)}
    assert sources
    assert {k: v for k, v in sources.items() if v != f"Q{number}"} == {}


@all_decks
def test_card_ids_are_valid_and_unique(deck_id: str) -> None:
    ids = [c.get("id", "") for c in cards(deck_id)]
    assert all(ID_RE.match(i) and len(i) <= 64 for i in ids), ids
    assert len(ids) == len(set(ids))
    assert "interview-question" in ids


@all_decks
def test_cards_are_well_formed(deck_id: str) -> None:
    allowed = {"id", "kind", "front", "back", "text", "extra", "accept", "tags", "source"}
    for card in cards(deck_id):
        assert set(card) <= allowed, card["id"]
        kind = card.get("kind", "basic")
        assert kind in KINDS, card["id"]
        if kind == "cloze":
            assert CLOZE_NUM_RE.search(card["text"]), card["id"]
            assert "front" not in card and "back" not in card, card["id"]
        else:
            assert card["front"].strip() and card["back"].strip(), card["id"]
        if kind == "typed":
            accept = card.get("accept")
            assert isinstance(accept, list) and accept, card["id"]
            assert all(isinstance(a, str) and a.strip() for a in accept), card["id"]


@all_decks
def test_enough_review_units(deck_id: str) -> None:
    total = sum(units(c) for c in cards(deck_id))
    assert total >= 8, f"{deck_id} has only {total} review units"


@all_decks
def test_at_least_two_non_basic_kinds(deck_id: str) -> None:
    kinds = {c.get("kind", "basic") for c in cards(deck_id)} - {"basic"}
    assert len(kinds) >= 2, kinds


@all_decks
def test_interview_question_card(deck_id: str) -> None:
    (card,) = [c for c in cards(deck_id) if c["id"] == "interview-question"]
    assert card.get("kind", "basic") == "basic"
    assert card["front"].startswith("Interview question:") and card["front"].endswith("?")
    assert len(card["back"]) <= MAX_SUMMARY_BACK


@all_decks
def test_backs_are_short(deck_id: str) -> None:
    long = {
        c["id"]: len(c["back"])
        for c in cards(deck_id)
        if "back" in c and c["id"] != "interview-question" and len(c["back"]) > MAX_BACK
    }
    assert long == {}


@all_decks
def test_answer_is_not_given_away(deck_id: str) -> None:
    for card in cards(deck_id):
        kind = card.get("kind", "basic")
        if kind in {"basic", "typed"}:
            assert not contains_word(card["front"], norm(card["back"])), card["id"]
        if kind == "cloze":
            text = card["text"]
            for number in set(CLOZE_NUM_RE.findall(text)):
                shown = CLOZE_RE.sub(lambda m, n=number: "" if m[1] == n else m[2], text)
                for m in CLOZE_RE.finditer(text):
                    if m[1] == number:
                        assert not contains_word(shown, m[2]), (card["id"], m[2])


@all_decks
def test_key_facts_are_covered(deck_id: str) -> None:
    _, phrases = DECKS[deck_id]
    text = "\n".join(card_text(c) for c in cards(deck_id)).lower()
    missing = [p for p in phrases if p.lower() not in text]
    assert missing == [], f"{deck_id} does not mention {missing}"


def test_no_duplicate_prompts_within_or_across_decks() -> None:
    seen: dict[str, str] = {}
    for deck_id in sorted(DECKS):
        for card in cards(deck_id):
            for prompt in prompts(card):
                key = norm(prompt)
                where = f"{deck_id}/{card['id']}"
                assert key not in seen, f"{where} repeats {seen.get(key)}"
                seen[key] = where


@all_decks
def test_retain_parser_accepts_the_deck_cleanly(deck_id: str) -> None:
    deckfile = pytest.importorskip("retain.core.deckfile")
    parse_deck = getattr(deckfile, "parse_deck", None)
    if parse_deck is None:
        pytest.skip("retain.core.deckfile.parse_deck is not available")
    path = DECKS_DIR / f"{deck_id}.toml"
    result = parse_deck(path.read_text(encoding="utf-8"), str(path))
    assert [str(p) for p in result.problems] == []
    assert result.deck is not None and result.deck.id == deck_id
