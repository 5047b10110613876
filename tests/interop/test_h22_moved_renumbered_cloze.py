"""h22: a cloze moved to another deck and renumbered in one upgrade (`{{c1::Berlin}} .. {{c2::Germany}}`
becomes `Berlin .. {{c1::Germany}}` in another deck) moves number for number, as the same upgrade
without the move keeps its numbers (a package's card numbers are its cards' identity: Anki's
never renumber, its card 1 keeps its log), and the package's history is recorded under the keys
it was recorded under before: nothing again. The other cloze's reviews were recorded onto the
renumbered card (9 reviews where Anki's log has 6). The browser's `m` and the editor renumber
(`card_move_keys`), and never put two old numbers on one."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from retain.core.deckfile import parse_deck
from retain.core.model import Deck
from retain.core.remap import card_move_keys
from retain.core.scheduler import Scheduler
from retain.core.settings import StudySettings
from retain.interop.bundle import Bundle, Review
from retain.interop.importer import apply_import, plan_import
from retain.interop.progress_io import HistoryImport, collection_record_history, record_moves
from retain.store.collection import Collection
from retain.store.home import open_home

BOTH = "{{c1::Berlin}} is the capital of {{c2::Germany}}"
RENUMBERED = "Berlin is the capital of {{c1::Germany}}"
START = datetime.now(UTC) - timedelta(days=30)


def _deck(deck_id: str, cloze: str = "", *, basic: str = "w", reversed_: str = "") -> Deck:
    body = "".join(f'\n[[cards]]\nid = "{c}"\nfront = "q {c}"\nback = "a {c}"\n' for c in basic.split())
    body += "".join(
        f'\n[[cards]]\nid = "{c}"\nkind = "reversed"\nfront = "q {c}"\nback = "a {c}"\n'
        for c in reversed_.split()
    )
    if cloze:
        body += f'\n[[cards]]\nid = "z"\nkind = "cloze"\ntext = "{cloze}"\n'
    parsed = parse_deck(
        f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{deck_id}"\n{body}', f"{deck_id}.toml"
    )
    assert parsed.deck is not None, parsed.errors
    return parsed.deck


def _log(key: str, first: int) -> list[Review]:
    """Three reviews of `key`, days `first`, `first + 5`, `first + 10` after START."""
    out, state = [], None
    for i in range(3):
        at = START + timedelta(days=first + 5 * i, minutes=first)
        after = Scheduler(StudySettings()).preview(key, state, at)[3]
        out.append(Review(key, at, after, state, "review", 3, 900))
        state = after
    return out


def _history(deck: str) -> list[Review]:
    """The package's log, as an Anki package keys it: by the note's card number (ord + 1)."""
    return sorted(_log(f"{deck}/z:c1", 0) + _log(f"{deck}/z:c2", 1), key=lambda r: r.time)


def _import(bundle: Bundle) -> tuple[dict[str, str], HistoryImport | None]:
    home = open_home()
    with tempfile.TemporaryDirectory():
        plan = plan_import(bundle, home.library(), home.paths.decks_dir)
        apply_import(plan, home.paths.decks_dir, cache_dir=home.paths.cache_dir)
    now = datetime.now(UTC)
    coll = Collection.open(home, now, cards=False)
    try:
        recorded = collection_record_history(coll, bundle.reviews, now) if bundle.reviews else None
        record_moves(coll, plan.moves, now)
    finally:
        coll.close(now)
    return plan.moves, recorded


def _states() -> dict[str, object]:
    now = datetime.now(UTC)
    coll = Collection.open(open_home(), now, read_only=True, cards=False)
    try:
        return {k: s for k, s in coll.states.items() if not s.is_new}
    finally:
        coll.close(now)


def test_the_move_keys_never_put_two_old_numbers_on_one() -> None:
    base = _deck("aa", BOTH).cards[1]
    card = replace(base, text=RENUMBERED)
    assert card_move_keys("aa", base, "bb", card) == {"aa/z:c2": "bb/z:c1"}
    assert card_move_keys("aa", base, "bb", card, renumber_clozes=False) == {"aa/z:c1": "bb/z:c1"}
    # a move with no renumber: each number to the same number
    assert card_move_keys("aa", base, "bb", base) == {"aa/z:c1": "bb/z:c1", "aa/z:c2": "bb/z:c2"}


def test_a_cloze_moved_and_renumbered_gets_no_history_again(home: Path) -> None:
    first = Bundle("apkg", decks=[_deck("aa", BOTH), _deck("bb")], reviews=_history("aa"))
    _, recorded = _import(first)
    assert recorded is not None and recorded.recorded == 6
    berlin = _states()["aa/z:c1"]
    second = Bundle("apkg", decks=[_deck("aa"), _deck("bb", RENUMBERED)], reviews=_history("bb"))
    moves, again = _import(second)
    assert moves == {"aa/z:c1": "bb/z:c1"}
    assert again is not None and again.recorded == 0
    assert _states()["bb/z:c1"] == berlin
    # (the reader leaves out the log of a card number the note no longer has: Anki's card 2)
    kept = [r for r in _history("bb") if r.key == "bb/z:c1"]
    third = Bundle("apkg", decks=[_deck("aa"), _deck("bb", RENUMBERED)], reviews=kept)
    _, once_more = _import(third)
    assert once_more is not None and once_more.recorded == 0


def test_a_side_the_card_did_not_have_before_the_move_is_recorded_where_it_is_now(home: Path) -> None:
    """A basic card moved and made reversed: its reverse's log is the new deck's, not put under
    a key of the deck it left (where no card has it)."""
    first = Bundle("apkg", decks=[_deck("aa", basic="w k"), _deck("bb", basic="m")], reviews=_log("aa/w", 0))
    _, recorded = _import(first)
    assert recorded is not None and recorded.recorded == 3
    both = sorted(_log("bb/w", 0) + _log("bb/w:reverse", 2), key=lambda r: r.time)
    second = Bundle(
        "apkg", decks=[_deck("aa", basic="k"), _deck("bb", basic="m", reversed_="w")], reviews=both
    )
    moves, again = _import(second)
    assert moves == {"aa/w": "bb/w"}
    assert again is not None and again.recorded == 3
    states = _states()
    assert "bb/w:reverse" in states and "aa/w:reverse" not in states and "bb/w" in states
