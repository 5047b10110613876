"""`retain check --fix` on many cards with one front stays linear (h19): it made their ids without
the hints an import passes, and chance clashes of the short hash pushed each later card further
(20,000 cards "s": 14.6 hashes a card; 80,000: 72, 11 s; 200,000: 166 s)."""

from __future__ import annotations

import hashlib

import pytest

from retain.core import fixids
from retain.core.deckfile import parse_deck


def test_equal_fronts_take_a_few_hashes_each(monkeypatch: pytest.MonkeyPatch) -> None:
    n = 20_000
    text = 'format = 1\n[deck]\nid = "d"\nname = "D"\n' + '[[cards]]\nfront = "s"\nback = "b"\n' * n
    calls = 0
    real = hashlib.sha1

    def counting(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(hashlib, "sha1", counting)
    out, count = fixids.add_missing_ids(text)
    monkeypatch.undo()
    assert count == n
    assert calls / n < 11, f"{calls / n:.1f} hashes a card"
    deck = parse_deck(out).deck
    assert deck is not None and len({c.id for c in deck.cards}) == n
