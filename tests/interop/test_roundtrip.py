"""Round trips: retain -> FORMAT -> retain keeps every card, field for field (hypothesis)."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from retain.core.model import Deck
from retain.interop.exporter import export_decks
from retain.interop.importer import read_file

from .strategies import decks

NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
FIELDS = ("kind", "front", "back", "text", "extra", "accept", "tags", "source")


def roundtrip(deck: Deck, suffix: str) -> Deck:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / f"deck{suffix}"
        export_decks([deck], out, now=NOW)
        stage = Path(tmp) / "stage"
        stage.mkdir()
        bundle = read_file(out, stage)
    assert not [w for w in bundle.warnings if "skipped" in w]
    assert len(bundle.decks) == 1
    return bundle.decks[0]


def assert_same(before: Deck, after: Deck, *, deck_fields: tuple[str, ...]) -> None:
    assert after.id == before.id
    for key in deck_fields:
        assert getattr(after, key) == getattr(before, key), key
    assert [c.id for c in after.cards] == [c.id for c in before.cards]
    for old, new in zip(before.cards, after.cards, strict=True):
        for key in FIELDS:
            assert getattr(new, key) == getattr(old, key), (old.id, key)


ALL_META = ("name", "group", "version", "description", "tags")


@pytest.mark.parametrize("suffix", [".apkg", ".csv", ".tsv", ".md", ".toml"])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(deck=decks())
def test_every_card_survives(suffix: str, deck: Deck) -> None:
    assert_same(deck, roundtrip(deck, suffix), deck_fields=ALL_META)
