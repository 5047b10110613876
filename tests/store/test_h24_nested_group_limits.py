"""`[groups."X"]` limits and `[exam."X"]` dates hold the groups under X, as Anki nests decks and as
`retain export/review/stats X` do (attacker 22, finding 3): `[groups.Lang]` holds `Lang::Spanish`'s
decks (and the deck "Spanish" of group "Lang", Anki's parent deck `Lang::Spanish`) with one counter,
a deck under several limits takes the least room among them (Anki v3's parent limits), and
`retain check` takes a group that exists only above others for a group (docs/settings.md)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from retain.core.due import DayLog, count_due
from retain.core.model import Deck, Unit, decks_in_group, group_key
from retain.core.queue import build_queue
from retain.core.session import ReviewSession
from retain.core.settings import StudySettings
from retain.core.state import REVIEW, CardState
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.config import parse_config, unknown_decks
from retain.store.exam_config import exam_clashes, exam_decks, exam_name_for, parse_exams, past_exams
from retain.store.exams import exam_lines, exam_plans
from retain.store.home import Home, open_home

NOW = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
STUDY = "[study]\nfuzz = false\nnew_per_day = 4\nlearning_steps = []\n"


def deck_file(deck_id: str, group: str, cards: int = 6, name: str = "") -> str:
    body = "".join(
        f'\n[[cards]]\nid = "c{i}"\nfront = "{deck_id} {i}?"\nback = "{i}"\n' for i in range(cards)
    )
    group_line = f'group = "{group}"\n' if group else ""
    return f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{name or deck_id}"\n{group_line}{body}'


def make_home(root: Path, config: str, decks: dict[str, tuple[str, str]]) -> Home:
    """`decks`: deck id -> (group, name)."""
    (root / "decks").mkdir(parents=True, exist_ok=True)
    for deck_id, (group, name) in decks.items():
        (root / "decks" / f"{deck_id}.toml").write_text(
            deck_file(deck_id, group, name=name), encoding="utf-8"
        )
    (root / "config.toml").write_text(config, encoding="utf-8")
    return open_home({"RETAIN_HOME": str(root)})


@pytest.fixture(autouse=True)
def _no_bundled_decks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)


def study(session: ReviewSession, now: datetime) -> dict[str, int]:
    """Rate Good on every card the session serves: how many per deck."""
    served: dict[str, int] = {}
    for _ in range(200):
        unit = session.current
        if unit is None:
            break
        served[unit.deck_id] = served.get(unit.deck_id, 0) + 1
        session.reveal()
        session.rate(3, now)
    return served


SPANISH = {"verbs": ("Lang::Spanish", "Verbs"), "nouns": ("Lang::Spanish", "Nouns")}
LIBRARY = {
    **SPANISH,
    "basics": ("Lang", "basics"),
    "spanish": ("Lang", "Spanish"),  # Anki's parent deck Lang::Spanish: its own cards
    "ling": ("Language", "Linguistics"),
    "solo": ("", "solo"),
}


# -- retain check ------------------------------------------------------------------------------


def test_a_group_only_above_others_is_named_by_groups_and_exam_tables() -> None:
    """The attacker's library: only `Lang::Spanish` decks. `[groups.Lang]` and `[exam.Lang]`
    name the group `retain export Lang` exports: no warning, and no 'did you mean Language'."""
    config = parse_config(
        "[groups.Lang]\nnew_per_day = 1\n[exam.Lang]\ndate = 2099-06-15\n"
        '[groups."Lang::Spanihs"]\nnew_per_day = 2\n'
    )
    pairs = [("verbs", "Lang::Spanish"), ("nouns", "Lang::Spanish"), ("ling", "Language")]
    assert unknown_decks(config, pairs, passed=TODAY) == [
        "config: [groups.\"Lang::Spanihs\"] names no group in the library (did you mean 'Lang::Spanish'?); "
        "its limits apply to nothing"
    ]
    typo = parse_config("[groups.Lnag]\nnew_per_day = 1\n[exam.Lnag]\ndate = 2099-06-15\n")
    assert unknown_decks(typo, pairs, passed=TODAY) == [
        "config: [groups.Lnag] names no group in the library (did you mean 'Lang'?); its limits apply to nothing",
        "config: [exam.Lnag] names no deck id or group in the library",
    ]


def test_retain_check_says_nothing_of_a_group_only_above_others(tmp_path: Path) -> None:
    make_home(tmp_path, "[groups.Lang]\nnew_per_day = 1\n\n[exam.Lang]\ndate = 2099-06-15\n", SPANISH)
    env = {**os.environ, "RETAIN_HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "retain", "check"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "names no" not in result.stdout + result.stderr, result.stdout + result.stderr


# -- the limits: Config.group_limits -----------------------------------------------------------


def test_each_deck_gets_its_nearest_limit_and_the_enclosing_ones_behind_it() -> None:
    from retain.core.due import limit_chain

    config = parse_config('[groups.lang]\nnew_per_day = 5\n[groups."LANG::spanish"]\nnew_per_day = 2\n')
    rows = [(d, g, n) for d, (g, n) in LIBRARY.items()]
    chains = {
        d: [(g.name, g.new_per_day) for g in limit_chain(limit)]
        for d, limit in config.group_limits(rows).items()
    }
    assert chains == {
        "verbs": [("Lang::Spanish", 2), ("Lang", 5)],
        "nouns": [("Lang::Spanish", 2), ("Lang", 5)],
        "spanish": [("Lang::Spanish", 2), ("Lang", 5)],  # Anki's parent deck of Lang::Spanish
        "basics": [("Lang", 5)],
    }
    limits = config.group_limits(rows)
    assert limits["verbs"] is limits["spanish"]  # one object per group: one counter
    assert limits["verbs"].parent is limits["basics"]  # type: ignore[attr-defined]
    # Without the decks' names (the launch summary's pairs), the parent deck is only in Lang.
    pairs = config.group_limits([(d, g) for d, (g, _n) in LIBRARY.items()])
    assert [g.key for g in limit_chain(pairs["spanish"])] == ["lang"]


# -- retain due --json and a study session on real files ----------------------------------------


def _due_json(root: Path, ours: dict[str, tuple[str, str]]) -> tuple[dict[str, int], int, int]:
    """`retain due --json`: our decks' new cards, the bundled decks' (no group limits), the total."""
    env = {**os.environ, "RETAIN_HOME": str(root)}
    result = subprocess.run(
        [sys.executable, "-m", "retain", "due", "--json"], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {d["id"]: d["new"] for d in data["decks"] if d["id"] in ours}
    others = sum(d["new"] for d in data["decks"] if d["id"] not in ours)
    return rows, others, data["total"]["new"]


def test_due_json_holds_the_subgroups_decks_to_the_enclosing_limit(tmp_path: Path) -> None:
    """The attacker's second case: a deck directly in Lang as well. `[groups.Lang] new_per_day
    = 1` capped only that deck; the Total served 3 new cards from the Lang tree."""
    decks = {**SPANISH, "basics": ("Lang", "basics"), "ling": ("Language", "Linguistics")}
    make_home(tmp_path, STUDY + "\n[groups.Lang]\nnew_per_day = 1\n", decks)
    rows, others, total = _due_json(tmp_path, decks)
    assert rows == {"basics": 1, "verbs": 1, "nouns": 1, "ling": 4}  # each alone: the tree's 1
    assert total == 1 + 4 + others  # the Lang tree's 1 and Linguistics' 4 (and the bundled decks')


def test_nested_limits_each_hold_their_decks_in_a_session_and_in_due(tmp_path: Path) -> None:
    """Lang 5 new a day over Lang::Spanish 2 a day (own 4 each): Lang::Spanish's decks and its
    parent deck together take 2, Lang's whole tree 5, and `retain due` says so beforehand."""
    config = STUDY + '\n[groups.Lang]\nnew_per_day = 5\n\n[groups."Lang::Spanish"]\nnew_per_day = 2\n'
    home = make_home(tmp_path, config, LIBRARY)
    rows, others, total = _due_json(tmp_path, LIBRARY)
    assert rows == {"basics": 4, "spanish": 2, "verbs": 2, "nouns": 2, "ling": 4, "solo": 4}
    assert total == 5 + 4 + 4 + others  # Lang's 5, Linguistics' 4, solo's 4
    col = Collection.open(home, NOW, tz=UTC)
    try:
        counts = col.due_counts(NOW)
        assert counts.served(["verbs", "nouns", "spanish"]).new == 2
        assert counts.served(["basics", "verbs", "nouns", "spanish"]).new == 5
        session = col.start_session(None, NOW)
        assert session.counts(NOW).new == 13
        served = dict.fromkeys(LIBRARY, 0) | study(session, NOW)
        assert served["verbs"] + served["nouns"] + served["spanish"] == 2  # Lang::Spanish's 2
        assert served["basics"] == 3  # the rest of Lang's 5
        assert served["ling"] == 4 and served["solo"] == 4
        after = col.due_counts(NOW)
        assert [after[d].new for d in ("basics", "spanish", "verbs", "nouns")] == [0, 0, 0, 0]
    finally:
        col.close()


def test_the_nested_worked_example_of_docs_settings(tmp_path: Path) -> None:
    """docs/settings.md, "Nested example", line by line."""
    from retain.core.deckrows import deck_rows

    config = STUDY + '\n[groups.Lang]\nnew_per_day = 5\n\n[groups."Lang::Spanish"]\nnew_per_day = 2\n'
    decks = {
        "basics": ("Lang", "Basics"),
        "verbs": ("Lang::Spanish", "Verbs"),
        "nouns": ("Lang::Spanish", "Nouns"),
    }
    for first in ("everything", "verbs"):
        home = make_home(tmp_path / first, config, decks)
        col = Collection.open(home, NOW, tz=UTC)
        try:
            counts = col.due_counts(NOW)
            rows = {r.label: r.new for r in deck_rows(col.library.decks, counts, col.cards_per_deck())}
            assert rows == {"Lang": 5, "Basics": 4, "Lang::Spanish": 2, "Verbs": 2, "Nouns": 2}
            assert counts.served().new == 5
            if first == "everything":
                served = study(col.start_session(None, NOW), NOW)
                assert served == {"basics": 3, "verbs": 1, "nouns": 1}
                continue
            session = col.start_session(["verbs"], NOW)
            assert study(session, NOW) == {"verbs": 2}
            assert session.queue.limit_reached() == "Lang::Spanish's daily limit reached (2 new)"  # type: ignore[union-attr]
            session = col.start_session(["basics"], NOW)
            assert study(session, NOW) == {"basics": 3}
            assert session.queue.limit_reached() == "Lang's daily limit reached (5 new)"  # type: ignore[union-attr]
        finally:
            col.close()


def test_the_message_names_the_enclosing_group_whose_limit_holds(tmp_path: Path) -> None:
    home = make_home(tmp_path, STUDY + "\n[groups.lang]\nnew_per_day = 3\n", LIBRARY)
    col = Collection.open(home, NOW, tz=UTC)
    try:
        session = col.start_session(["verbs"], NOW)
        assert study(session, NOW) == {"verbs": 3}  # the tree's 3, under its own 4
        assert session.queue.limit_reached() == "Lang's daily limit reached (3 new)"  # type: ignore[union-attr]
        counts = col.due_counts(NOW)
        assert all(counts[d].new == 0 for d in ("basics", "spanish", "nouns"))  # one counter
        assert counts["ling"].new == 4  # Language is no part of Lang
    finally:
        col.close()


def test_launch_summary_counts_as_the_collection(tmp_path: Path) -> None:
    from retain.store.index.homesummary import load_summary

    decks = {**SPANISH, "basics": ("Lang", "basics"), "ling": ("Language", "Linguistics")}
    home = make_home(tmp_path, STUDY + "\n[groups.Lang]\nnew_per_day = 3\n", decks)
    col = Collection.open(home, NOW, tz=UTC)
    study(col.start_session(["nouns"], NOW), NOW)
    expected = col.due_counts(NOW)
    col.close(NOW, save_summary=True)
    summary = load_summary(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, UTC)
    assert summary is not None
    assert summary.counts == expected
    assert summary.counts.served().new == 4  # type: ignore[attr-defined]  # Linguistics' 4; Lang used


def test_launch_summary_holds_the_parent_deck_as_the_collection(tmp_path: Path) -> None:
    from retain.store.index.homesummary import load_summary

    home = make_home(tmp_path, STUDY + '\n[groups."Lang::Spanish"]\nnew_per_day = 1\n', LIBRARY)
    col = Collection.open(home, NOW, tz=UTC)
    expected = col.due_counts(NOW)
    col.close(NOW, save_summary=True)
    assert expected["spanish"].new == 1  # the deck "Spanish" of Lang is Anki's Lang::Spanish
    summary = load_summary(open_home({"RETAIN_HOME": str(tmp_path)}), NOW, UTC)
    assert summary is not None
    assert summary.counts == expected


# -- exams -------------------------------------------------------------------------------------


def test_a_deck_follows_its_own_then_its_group_then_the_nearest_enclosing_groups_exam() -> None:
    exams = parse_exams(
        {
            "lang": {"date": date(2026, 6, 1)},
            "Lang::Spanish::Verbs": {"date": date(2026, 5, 1)},
            "Lang::French": {"date": date(2026, 3, 1)},  # passed: the enclosing one applies
            "own": {"date": date(2026, 4, 1)},
        }
    )
    assert exam_name_for(exams, "v", "Lang::Spanish::Verbs") == "Lang::Spanish::Verbs"
    assert exam_name_for(exams, "v", "Lang::Spanish::Verbs::Irregular") == "Lang::Spanish::Verbs"
    assert exam_name_for(exams, "n", "Lang::Spanish") == "lang"
    assert exam_name_for(exams, "own", "Lang::Spanish") == "own"
    assert exam_name_for(exams, "f", "Lang::French", TODAY) == "lang"
    assert exam_name_for(exams, "l", "Language") is None
    assert exam_name_for(exams, "l", "") is None
    decks = [("f", "Lang::French"), ("n", "Lang::Spanish")]
    assert past_exams(exams, TODAY, decks) == [
        'config: [exam."Lang::French"] date 2026-03-01 has passed; its deck follows [exam.lang] (2026-06-01) now '
        "(remove it from config.toml)"
    ]


def test_two_loose_entries_for_an_enclosing_group_are_a_clash() -> None:
    exams = parse_exams({"lang": {"date": date(2026, 6, 1)}, "LANG": {"date": date(2026, 7, 1)}})
    assert exam_clashes(exams, [("v", "Lang::Spanish")]) == [
        "config: [exam.lang] and [exam.LANG] match group 'Lang' only in case or spacing, so its decks "
        "follow [exam.lang], the first; name the one you mean exactly as the group"
    ]


def test_the_enclosing_groups_exam_caps_the_subgroups_decks_and_its_line_names_it(tmp_path: Path) -> None:
    home = make_home(tmp_path, STUDY + "\n[exam.Lang]\ndate = 2026-04-11\n", LIBRARY)
    col = Collection.open(home, NOW, tz=UTC)
    try:
        assert sorted(exam_plans(col, NOW)) == ["basics", "nouns", "spanish", "verbs"]
        (line,) = exam_lines(col, NOW)
        assert line.startswith("Lang: exam in 14 days"), line
    finally:
        col.close()


def test_exam_forecast_counts_on_each_decks_part_of_every_enclosing_limit(tmp_path: Path) -> None:
    from retain.store.exams import _new_per_day

    config = STUDY + '\n[groups.Lang]\nnew_per_day = 3\n\n[groups."Lang::Spanish"]\nnew_per_day = 1\n'
    col = Collection.open(make_home(tmp_path, config, LIBRARY), NOW, tz=UTC)
    try:
        per_day = _new_per_day(col)
        # Lang's 3 over its 4 decks (1 each to the first 3 by id), Lang::Spanish's 1 over its 3
        assert [per_day[d] for d in ("basics", "nouns", "spanish", "verbs", "ling")] == [1, 1, 0, 0, 4]
        assert per_day["nouns"] + per_day["spanish"] + per_day["verbs"] <= 1
    finally:
        col.close()


# Anki's parent deck follows its group's exam: the deck "Spanish" of group "Lang" is Anki's
# `Lang::Spanish`, so `[exam."Lang::Spanish"]` is its exam too, as `retain review "Lang::Spanish"`
# studies it and `[groups."Lang::Spanish"]` holds it (session 33's left-out note).


def test_the_parent_deck_is_looked_up_under_the_group_it_heads() -> None:
    rows = [
        ("v", "Lang::Spanish", "Verbs"),
        ("s", "Lang", "SPANISH"),
        ("b", "Lang", "Basics"),
        ("x", "", "x"),
    ]
    assert exam_decks(rows) == [("v", "Lang::Spanish"), ("s", "Lang::Spanish"), ("b", "Lang"), ("x", "")]
    # no group Lang::Spanish in the library: the deck is only a deck of Lang
    assert exam_decks([("s", "Lang", "Spanish")]) == [("s", "Lang")]


def test_the_groups_exam_applies_to_its_parent_deck_before_the_enclosing_ones() -> None:
    exams = parse_exams({"Lang": {"date": date(2026, 6, 1)}, "lang::spanish": {"date": date(2026, 5, 1)}})
    followed = dict(
        exam_decks([("v", "Lang::Spanish", "Verbs"), ("s", "Lang", "Spanish"), ("b", "Lang", "b")])
    )
    assert exam_name_for(exams, "s", followed["s"]) == "lang::spanish"
    assert exam_name_for(exams, "b", followed["b"]) == "Lang"
    passed = parse_exams({"Lang::Spanish": {"date": date(2026, 3, 1)}, "Lang": {"date": date(2026, 6, 1)}})
    lines = past_exams(passed, TODAY, list(followed.items()))
    assert lines[0].startswith(
        'config: [exam."Lang::Spanish"] date 2026-03-01 has passed; its decks follow [exam.Lang]'
    )


def test_the_parent_decks_cards_are_capped_by_the_groups_exam_and_its_line_names_the_group(
    tmp_path: Path,
) -> None:
    config = STUDY + '\n[exam."Lang::Spanish"]\ndate = 2026-04-11\n'
    col = Collection.open(make_home(tmp_path, config, LIBRARY), NOW, tz=UTC)
    try:
        assert sorted(exam_plans(col, NOW)) == ["nouns", "spanish", "verbs"]
        (line,) = exam_lines(col, NOW)
        assert line.startswith("Lang::Spanish: exam in 14 days"), line
    finally:
        col.close()


# -- the rule: random trees of limited groups against a brute force of Anki's ---------------------

GROUPS = ("", "A", "A::B", "A::B::C", "A::D", "E")
NAMES = ("x", "B", "D", "A", "C")  # "B" in A: Anki's parent deck A::B; "A" ungrouped: deck A
TABLES = ("A", "a::b", "A::B::C", "A::D", "E", "Z")


def _learnt(before: CardState | None) -> CardState:
    reps = before.reps if before is not None else 0
    return CardState(
        state=REVIEW,
        stability=30.0,
        difficulty=5.0,
        due=NOW + timedelta(days=30),
        last_review=NOW,
        reps=reps + 1,
    )


def _brute_force(
    decks: list[Deck], new: list[int], own: list[int], used: list[int], limits: dict[str, int]
) -> int:
    """The most new cards any order of serving gives under Anki's rule: each deck within its own
    room, the decks of each limited group (`decks_in_group`, as `retain review X` has them)
    together within the group's room, its limit less what they all took today."""
    caps = [max(0, min(n, o - u)) for n, o, u in zip(new, own, used, strict=True)]
    groups = []
    for name, limit in limits.items():
        members = {d.id for d in decks_in_group(decks, name)}
        if members:
            index = [i for i, d in enumerate(decks) if d.id in members]
            groups.append((index, max(0, limit - sum(used[i] for i in index))))
    best = 0
    for take in itertools.product(*(range(c + 1) for c in caps)):
        if sum(take) > best and all(sum(take[i] for i in index) <= room for index, room in groups):
            best = sum(take)
    return best


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    decks=st.lists(st.tuples(st.sampled_from(GROUPS), st.sampled_from(NAMES)), min_size=1, max_size=5),
    new=st.lists(st.integers(0, 3), min_size=5, max_size=5),
    own=st.lists(st.integers(0, 4), min_size=5, max_size=5),
    used=st.lists(st.integers(0, 2), min_size=5, max_size=5),
    limits=st.dictionaries(st.sampled_from(TABLES), st.integers(0, 6), max_size=4),
    alone=st.integers(0, 4),
)
@example(  # the attacker's: Lang over Lang::Spanish
    decks=[("A", "x"), ("A::B", "x"), ("A::B", "D")],
    new=[2, 1, 1, 0, 0],
    own=[4, 4, 4, 4, 4],
    used=[0, 0, 0, 0, 0],
    limits={"A": 1},
    alone=1,
)
@example(  # nested limits, the parent deck of A::B in both
    decks=[("A", "x"), ("A", "B"), ("A::B", "x"), ("A::B::C", "x"), ("", "A")],
    new=[3, 3, 3, 3, 3],
    own=[4, 4, 4, 4, 4],
    used=[1, 0, 0, 1, 0],
    limits={"A": 5, "a::b": 2, "A::B::C": 6},
    alone=3,
)
def test_a_whole_library_session_serves_anki_s_rule_and_exceeds_no_limit(
    decks: list[tuple[str, str]],
    new: list[int],
    own: list[int],
    used: list[int],
    limits: dict[str, int],
    alone: int,
) -> None:
    library = [Deck(f"d{i}", name, group=group) for i, (group, name) in enumerate(decks)]
    ids = [d.id for d in library]
    n = len(library)
    new, own, used = new[:n], own[:n], used[:n]
    text = "".join(f'[groups."{name}"]\nnew_per_day = {limit}\n' for name, limit in limits.items())
    config = parse_config(text)
    groups = config.group_limits((d.id, d.group, d.name) for d in library)
    units = [
        Unit(f"{d.id}/c{j}", d.id, f"c{j}", "", "basic", "q", "a")
        for d, count in zip(library, new, strict=True)
        for j in range(count)
    ]
    settings_of = {d: StudySettings(new_per_day=o) for d, o in zip(ids, own, strict=True)}
    log = DayLog(new_seen={d: u for d, u in zip(ids, used, strict=True) if u})
    expected = _brute_force(library, new, own, used, limits)

    counts = count_due(units, {}, log, settings_of.__getitem__, NOW, TODAY, groups=groups)
    assert counts.served().new == expected  # retain due's Total, the home screen's
    queue = build_queue(units, {}, log, settings_of.__getitem__, NOW, TODAY, groups=groups)
    assert queue.counts(NOW).new == expected
    served = dict.fromkeys(ids, 0)
    states: dict[str, CardState] = {}
    for _ in range(100):
        unit = queue.next(NOW)
        if unit is None:
            break
        served[unit.deck_id] += 1
        states[unit.key] = after = _learnt(states.get(unit.key))
        queue.apply(unit.key, after, NOW)
    assert sum(served.values()) == expected
    for i, d in enumerate(ids):  # no limit exceeded: the deck's own ...
        assert served[d] <= max(0, own[i] - used[i]), d
    for name, limit in limits.items():  # ... nor any group's, with what its decks took before
        members = [i for i, d in enumerate(library) if d in decks_in_group(library, name)]
        if members:
            assert sum(served[ids[i]] for i in members) <= max(0, limit - sum(used[i] for i in members)), name
    # One deck studied alone serves its row: its own room and every enclosing group's.
    one = alone % n
    only = [u for u in units if u.deck_id == ids[one]]
    if only:
        solo = [0 if i != one else c for i, c in enumerate(new)]
        assert counts[ids[one]].new == _brute_force(library, solo, own, used, limits)
    from retain.core.due import limit_chain

    group_of = {group_key(name) for name in limits}
    assert all(g.key in group_of for limit in groups.values() for g in limit_chain(limit))
