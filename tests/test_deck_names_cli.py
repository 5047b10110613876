"""Decks named on the command line as `retain due` and the home screen show them: by id, by a
group's name, or by the deck's own name (any case). `retain due` prints names, not ids, so a new
user typing `retain stats --deck "Apache Kafka"` was told there is no such deck."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from retain.commands.review import _resolve
from retain.core.model import Deck, decks_named, known_decks

DECKS = [
    Deck("kafka", "Apache Kafka", group="Systems"),
    Deck("grpc", "gRPC", group="Systems"),
    Deck("solo", "Solo"),
]


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RETAIN_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "retain", *args], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("ref", "ids"),
    [
        ("kafka", ["kafka"]),
        ("Apache Kafka", ["kafka"]),
        ("apache   KAFKA", ["kafka"]),
        ("GRPC", ["grpc"]),
        ("systems", ["kafka", "grpc"]),
        ("Solo", ["solo"]),
        ("Kafka", []),
        ("", []),
    ],
)
def test_a_deck_is_named_by_id_group_or_name(ref: str, ids: list[str]) -> None:
    assert sorted(d.id for d in decks_named(DECKS, ref)) == sorted(ids)


def test_an_unknown_deck_is_one_line_naming_ids_with_names() -> None:
    said = _resolve(["nope"], DECKS)
    assert said == "no deck or group 'nope'; decks: grpc (gRPC), kafka (Apache Kafka), solo (Solo)"
    assert _resolve(["Apache Kafka", "systems"], DECKS) == ["kafka", "grpc"]
    assert known_decks(DECKS, limit=2) == "grpc (gRPC), kafka (Apache Kafka) and 1 more"


def test_stats_export_and_add_take_a_decks_name(tmp_path: Path) -> None:
    stats = _run(tmp_path, "stats", "--deck", "Apache Kafka", "--json")
    assert stats.returncode == 0, stats.stderr
    data = json.loads(stats.stdout)
    assert data["scope"] == "kafka" and [r["deck_id"] for r in data["decks"]] == ["kafka"]
    exported = _run(tmp_path, "export", "apache kafka", "-o", str(tmp_path / "out.toml"))
    assert exported.returncode == 0, exported.stderr
    assert 'id = "kafka"' in (tmp_path / "out.toml").read_text("utf-8")
    added = _run(tmp_path, "add", "--deck", "Apache Kafka", "--front", "Q?", "--back", "A")
    assert added.returncode == 0, added.stderr
    assert added.stdout.startswith("added kafka/")
    missing = _run(tmp_path, "stats", "--deck", "Kafak")
    assert missing.returncode != 0
    (line,) = missing.stderr.strip().splitlines()
    assert "kafka (Apache Kafka)" in line
