"""A card moved as `m` in the browser moves it, for the tests of imports that meet such cards."""

from __future__ import annotations

from datetime import UTC, datetime

from retain.interop.ankikeep_moves import carry_kept
from retain.store.collection import Collection
from retain.store.decks.card_edits import move_cards
from retain.store.home import open_home


def move_like_m(deck_id: str, card_id: str, to: str) -> None:
    """What `m` in the browser does: the card moved, its kept Anki entries carried along."""
    now = datetime.now(UTC)
    with Collection.open(open_home(), now, tz=UTC) as col:
        results = move_cards(col, [(deck_id, card_id)], to, now)
        assert carry_kept(col.library, results) is None
    assert [r.card.id for r in results] == [card_id]
