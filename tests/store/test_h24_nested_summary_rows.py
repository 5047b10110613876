"""The home screen's group row holds its whole tree (attacker 23, finding 3): the row of `Lang`
counts and studies what `retain review Lang` does (`core.model.decks_in_group`: `Lang::Spanish`'s
decks and the parent deck too), held to the `[groups]` rooms, and the launch summary's rows
(`store.index.homesummary`) are the collection's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from retain.core.deckrows import DeckRow, deck_rows
from retain.core.due import DayLog, count_due
from retain.core.model import Deck, Unit, decks_in_group
from retain.core.queue import build_queue
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.config import parse_config
from retain.store.home import Home, open_home
from retain.store.index.homesummary import load_summary

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
STUDY = "[study]\nfuzz = false\nnew_per_day = 4\nlearning_steps = []\n"
NESTED = STUDY + '\n[groups.Lang]\nnew_per_day = 5\n\n[groups."Lang::Spanish"]\nnew_per_day = 2\n'
EXAMPLE = {  # docs/settings.md, "Nested example"
    "basics": ("Lang", "Basics"),
    "verbs": ("Lang::Spanish", "Verbs"),
    "nouns": ("Lang::Spanish", "Nouns"),
}
LIBRARY = {
    **EXAMPLE,
    "spanish": ("Lang", "Spanish"),  # Anki's parent deck Lang::Spanish: in both group rows
    "irregular": ("Lang::Spanish::Irregular", "Irregular"),
    "ling": ("Language", "Linguistics"),  # not under Lang
    "solo": ("", "Solo"),
}


@pytest.fixture(autouse=True)
def _no_bundled_decks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)


def _deck_file(deck_id: str, group: str, name: str, cards: int = 6) -> str:
    body = "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} {i}?"\nback = "{i}"\n' for i in range(cards)
    )
    group_line = f'group = "{group}"\n' if group else ""
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{name}"\n{group_line}{body}'


def _home(root: Path, config: str, decks: dict[str, tuple[str, str]]) -> Home:
    (root / "decks").mkdir(parents=True, exist_ok=True)
    for deck_id, (group, name) in decks.items():
        (root / "decks" / f"{deck_id}.toml").write_text(_deck_file(deck_id, group, name), encoding="utf-8")
    (root / "config.toml").write_text(config, encoding="utf-8")
    return open_home({"RETAIN_HOME": str(root)})


def _rows(col: Collection, at: datetime) -> list[DeckRow]:
    return deck_rows(col.library.decks, col.due_counts(at), col.cards_per_deck())


def test_the_nested_example_rows_count_the_whole_tree(tmp_path: Path) -> None:
    """docs/settings.md's nested example: Lang at 5 (what `retain review Lang` serves), not 4."""
    col = Collection.open(_home(tmp_path, NESTED, EXAMPLE), NOW, tz=UTC)
    try:
        rows = {r.label: r for r in _rows(col, NOW)}
        assert {label: r.new for label, r in rows.items()} == {
            "Lang": 5,
            "Basics": 4,
            "Lang::Spanish": 2,
            "Verbs": 2,
            "Nouns": 2,
        }
        assert rows["Lang"].deck_ids == ("basics", "nouns", "verbs")  # its own deck first
        assert rows["Lang"].cards == 18
        assert rows["Lang::Spanish"].deck_ids == ("nouns", "verbs")
    finally:
        col.close()


def test_group_rows_hold_the_parent_deck_and_deeper_groups(tmp_path: Path) -> None:
    col = Collection.open(_home(tmp_path, NESTED, LIBRARY), NOW, tz=UTC)
    try:
        rows = _rows(col, NOW)
        decks = list(col.library.decks)
        groups = [r for r in rows if r.is_group]
        assert [r.label for r in groups] == ["Lang", "Lang::Spanish", "Lang::Spanish::Irregular", "Language"]
        for row in groups:
            assert set(row.deck_ids) == {d.id for d in decks_in_group(decks, row.label)}
        by = {r.label: r for r in groups}
        assert by["Lang"].deck_ids[:2] == ("basics", "spanish")  # its own decks, as listed under it
        assert "spanish" in by["Lang::Spanish"].deck_ids  # the parent deck: in Anki's Lang::Spanish
        assert "ling" not in by["Lang"].deck_ids
        # each deck keeps its one row, under its own group
        assert sorted(r.deck_ids[0] for r in rows if not r.is_group) == sorted(LIBRARY)
    finally:
        col.close()


def _study_some(root: Path) -> Home:
    """The nested library with a review due and two new cards of Lang::Spanish seen today, closed
    with its launch summary saved."""
    home = _home(root, NESTED, LIBRARY)
    col = Collection.open(home, NOW, tz=UTC)
    session = col.start_session(["verbs"], NOW)
    for _ in range(2):
        assert session.current is not None
        session.reveal()
        session.rate(3, NOW)
    due = CardState(state=REVIEW, stability=2, difficulty=5, due=NOW - timedelta(days=1), last_review=NOW)
    from retain.core.state import Event

    key = "basics/c5"
    col.record(Event(col.new_event_id(NOW), "review", key, NOW, due, col.states.get(key), 3, 1000))
    col.close(NOW, save_summary=True)
    return home


@pytest.mark.parametrize("later", [timedelta(0), timedelta(minutes=30), timedelta(days=1)])
def test_summary_rows_equal_the_collections_rows(tmp_path: Path, later: timedelta) -> None:
    home = _study_some(tmp_path)
    at = NOW + later
    summary = load_summary(home, at, UTC)
    assert summary is not None
    col = Collection.open(home, at, tz=UTC, read_only=True)
    try:
        expected = _rows(col, at)
    finally:
        col.close()
    got = deck_rows(summary.decks, summary.counts, summary.cards)
    assert got == expected
    lang = next(r for r in got if r.label == "Lang")
    assert lang.deck_ids == ("basics", "spanish", "nouns", "verbs", "irregular")


def test_the_lang_row_is_what_a_lang_session_serves(tmp_path: Path) -> None:
    """After two of Verbs' new cards and Basics' c5 (its first rating: new too) today, Lang's row
    and a session over its row serve the same: Lang::Spanish's room is used, so Basics and
    Spanish share the 2 left of Lang's 5."""
    home = _study_some(tmp_path)
    col = Collection.open(home, NOW, tz=UTC)
    try:
        lang = next(r for r in _rows(col, NOW) if r.label == "Lang")
        assert lang.new == 2
        session = col.start_session(list(lang.deck_ids), NOW)
        assert session.queue.counts(NOW).new == lang.new
    finally:
        col.close()


# -- for random trees: a group row's counts are what studying the row serves ---------------------

GROUPS = ["", "A", "A::B", "a::b", "A::B::C", "A::Bx", "D"]
NAMES = ["x", "B", "C", "A"]
TABLES = ["A", "a::b", "A::B::C", "A::Bx", "D"]


def _serve(units: list[Unit], log: DayLog, settings_of: dict[str, StudySettings], groups: object) -> int:
    queue = build_queue(units, {}, log, settings_of.__getitem__, NOW, TODAY, groups=groups)  # type: ignore[arg-type]
    served = 0
    for _ in range(200):
        unit = queue.next(NOW)
        if unit is None:
            break
        served += 1
        learnt = CardState(
            state=REVIEW, stability=3, difficulty=5, due=NOW + timedelta(days=3), last_review=NOW, reps=1
        )
        queue.apply(unit.key, learnt, NOW)
    return served


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    decks=st.lists(st.tuples(st.sampled_from(GROUPS), st.sampled_from(NAMES)), min_size=1, max_size=6),
    new=st.lists(st.integers(0, 3), min_size=6, max_size=6),
    own=st.lists(st.integers(0, 4), min_size=6, max_size=6),
    used=st.lists(st.integers(0, 2), min_size=6, max_size=6),
    limits=st.dictionaries(st.sampled_from(TABLES), st.integers(0, 6), max_size=4),
)
@example(  # docs/settings.md's nested example
    decks=[("A", "x"), ("A::B", "x"), ("A::B", "C")],
    new=[6, 6, 6, 0, 0, 0],
    own=[4, 4, 4, 4, 4, 4],
    used=[0, 0, 0, 0, 0, 0],
    limits={"A": 5, "a::b": 2},
)
def test_every_group_row_counts_what_studying_it_serves(
    decks: list[tuple[str, str]],
    new: list[int],
    own: list[int],
    used: list[int],
    limits: dict[str, int],
) -> None:
    library = [Deck(f"d{i}", name, group=group) for i, (group, name) in enumerate(decks)]
    ids = [d.id for d in library]
    n = len(library)
    text = "".join(f'[groups."{name}"]\nnew_per_day = {limit}\n' for name, limit in limits.items())
    groups = parse_config(text).group_limits((d.id, d.group, d.name) for d in library)
    units = [
        Unit(f"{d.id}/c{j}", d.id, f"c{j}", "", "basic", "q", "a")
        for d, count in zip(library, new[:n], strict=True)
        for j in range(count)
    ]
    settings_of = {d: StudySettings(new_per_day=o) for d, o in zip(ids, own[:n], strict=True)}
    log = DayLog(new_seen={d: u for d, u in zip(ids, used[:n], strict=True) if u})
    counts = count_due(units, {}, log, settings_of.__getitem__, NOW, TODAY, groups=groups)
    rows = deck_rows(library, counts, {})
    for row in rows:
        if row.is_group:  # the same decks as `retain review GROUP`
            assert set(row.deck_ids) == {d.id for d in decks_in_group(library, row.label)}
        wanted = set(row.deck_ids)
        served = _serve([u for u in units if u.deck_id in wanted], log, settings_of, groups)
        assert row.new == served, row
