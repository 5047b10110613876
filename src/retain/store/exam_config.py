"""The `[exam]` tables of config.toml: an exam date and target recall per deck or group.

```toml
[exam.kafka]                       # a deck id ...
date = 2026-12-15
recall = 0.9                       # optional, 0.5 to 0.99 (default 0.9)

[exam."Distributed Systems"]       # ... or a group name (its decks; a deck's own entry wins)
date = 2026-12-15
```

A value that is not a date, or a recall out of range, is a `ConfigError` (one
line, naming the key). A date in the past is accepted (after the exam, normal
scheduling resumes, or the group's exam still ahead applies): `past_exams` lists
them for `retain check` and the loader's one-line note. A deck's entry is its id
exactly; a group's is its name exactly, else in any case and spacing: two entries
that match a group only that loosely (`[exam.infra]` and `[exam.INFRA]` for group
`Infra`) leave the choice to their order in the file, which `exam_clashes` says,
given the library (`[exam.ops]` for deck `ops` and `[exam.OPS]` for group `OPS`
are no clash: each is exact).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from retain.core.deckwrite import toml_key
from retain.core.exam import RECALL_RANGE, ExamSetting
from retain.core.grouptree import GroupTree, enclosing
from retain.core.model import group_key

__all__ = [
    "exam_clashes",
    "exam_decks",
    "exam_for",
    "exam_name_for",
    "exam_table",
    "parse_exams",
    "past_exams",
]


class _Error(ValueError):
    pass


def exam_table(name: str) -> str:
    """The header of exam entry `name`'s table as config.toml spells it, for the lines that name
    one: `[exam.kafka]`, `[exam."a.b"]` (never `[exam.a.b]`, an entry "b" inside "a"), `[exam.""]`."""
    return f"[exam.{toml_key(name)}]"


def _date(name: str, value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise _Error(f"config: `{name}` must be a date like 2026-12-15, got {value!r}"[:200])


def parse_exams(raw: Any) -> dict[str, ExamSetting]:
    """`[exam.<deck or group>]` tables -> settings; ValueError with a one-line message."""
    if not isinstance(raw, dict):
        raise _Error("config: [exam] must hold tables like [exam.kafka] with date = 2026-12-15")
    out: dict[str, ExamSetting] = {}
    for name, table in raw.items():
        where = f"exam.{toml_key(name)}"  # (quoted as config.toml spells it: `exam."a.b".recall`)
        if isinstance(table, date | str):  # `[exam] kafka = 2026-12-15`: the short form
            table = {"date": table}
        if not isinstance(table, dict):
            raise _Error(f"config: [{where}] must be a table with date = 2026-12-15"[:200])
        for key in table:
            if key not in ("date", "recall"):
                raise _Error(f"config: unknown setting `{where}.{key}`; use date and recall"[:200])
        if "date" not in table:
            raise _Error(f"config: [{where}] needs date = 2026-12-15"[:200])
        day = _date(f"{where}.date", table["date"])
        recall = table.get("recall", 0.9)
        lo, hi = RECALL_RANGE
        if isinstance(recall, bool) or not isinstance(recall, int | float) or not lo <= recall <= hi:
            raise _Error(f"config: `{where}.recall` must be a number from {lo} to {hi}, got {recall!r}"[:200])
        out[name] = ExamSetting(day, float(recall))
    return out


def exam_decks(decks: Iterable[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """The library's (deck id, group, deck name) rows as (deck id, the group its exam is looked
    up under): its group, or for Anki's parent deck of a group that group (the deck "Spanish"
    of group "Lang" follows `[exam."Lang::Spanish"]` when `Lang::Spanish` is a group of the
    library, as `retain review "Lang::Spanish"` studies it: `core.grouptree.GroupTree.path`)."""
    rows = list(decks)
    tree = GroupTree(rows)
    out: list[tuple[str, str]] = []
    for row in rows:
        deck_id, group = row[0], row[1]
        key = group_key(group) if group else ""
        if tree.path(row, key) != key:  # (the path is the group's, as its own decks spell it)
            group = tree.spelled[tree.path(row, key)]
        out.append((deck_id, group))
    return out


def exam_for(
    exams: Mapping[str, ExamSetting], deck_id: str, group: str, today: date | None = None
) -> ExamSetting | None:
    """The deck's own exam, else its group's (its name in any case and spacing), else the
    nearest enclosing group's; with `today`, an entry whose date has passed is left out (the
    group's exam still ahead applies)."""
    name = exam_name_for(exams, deck_id, group, today)
    return exams[name] if name is not None else None


def exam_name_for(
    exams: Mapping[str, ExamSetting], deck_id: str, group: str, today: date | None = None
) -> str | None:
    """The `[exam.<name>]` entry that applies to the deck: its own, else its group's, else the
    nearest enclosing group's (`[exam.Lang]` for a deck of `Lang::Spanish`, as Anki nests decks:
    `store.group_tree`). A group's entry is its name exactly, else in any case and spacing. With
    `today`, entries whose date has passed are skipped: a deck's own exam taken last week
    leaves the deck to its group's exam next month, as if the entry were removed."""

    def live(name: str) -> bool:
        return today is None or exams[name].day >= today

    if deck_id in exams and live(deck_id):
        return deck_id
    if not group:
        return None
    if group in exams and live(group):
        return group
    wanted = group_key(group)
    if not wanted:
        return None
    spelled = group.split("::")
    for key in enclosing(wanted):
        exact = "::".join(spelled[: key.count("::") + 1])  # (the group's own spelling of that part)
        if key != wanted and exact in exams and live(exact):
            return exact
        found = next((name for name in exams if group_key(name) == key and live(name)), None)
        if found is not None:
            return found
    return None


def past_exams(
    exams: Mapping[str, ExamSetting], today: date, decks: Iterable[tuple[str, str]] | None = None
) -> list[str]:
    """One line per exam whose date has passed, saying what its decks follow now: normal
    scheduling, or (a deck's own exam taken) its group's exam still ahead. `decks` are the
    library's (deck id, group) pairs; without them a deck's group is unknown, and the line says
    only that a group's exam still ahead applies if there is one."""
    pairs = list(decks) if decks is not None else None
    lines: list[str] = []
    for name, setting in exams.items():
        if setting.day >= today:
            continue
        head = f"config: {exam_table(name)} date {setting.day.isoformat()} has passed"
        lines.append(f"{head}; {_after(exams, name, today, pairs)} (remove it from config.toml)")
    return lines


def exam_clashes(
    exams: Mapping[str, ExamSetting], decks: Iterable[tuple[str, str]], today: date | None = None
) -> list[str]:
    """One line per group of the library (its (deck id, group) pairs) whose decks follow an
    entry picked by its place in the file: no entry names the group exactly, and two or more
    (still ahead, with `today`) name it in another case or spacing. An entry that names a deck
    id, or a group, exactly is never ambiguous there. A group enclosing the library's groups
    (`Lang` of `Lang::Spanish`) is a group here too."""
    live = [name for name, setting in exams.items() if today is None or setting.day >= today]
    lines: list[str] = []
    said: set[tuple[str, ...]] = set()
    written = [group for _deck_id, group in decks if group]
    for group in dict.fromkeys(part for name in written for part in enclosing(name)):
        if group in live:
            continue
        wanted = group_key(group)
        loose = tuple(name for name in live if group_key(name) == wanted)
        if len(loose) < 2 or loose in said:
            continue
        said.add(loose)
        named = " and ".join(exam_table(name) for name in loose)
        lines.append(
            f"config: {named} match group {group!r} only in case or spacing, so its decks follow"
            f" {exam_table(loose[0])}, the first; name the one you mean exactly as the group"[:400]
        )
    return lines


def _after(
    exams: Mapping[str, ExamSetting], name: str, today: date, decks: list[tuple[str, str]] | None
) -> str:
    """What the decks of the passed entry `name` follow now, in a few words."""
    ahead = [other for other, s in exams.items() if s.day >= today and other != name]
    if not ahead:
        return "normal scheduling is back"
    if decks is None:  # only a deck's own entry can yield to another (one entry per group)
        if not _DECK_ID.fullmatch(name):
            return "normal scheduling is back"
        return "its deck follows its group's exam if one is still ahead, else normal scheduling is back"
    key = group_key(name)
    mine = [(d, g) for d, g in decks if d == name or (key and g and key in enclosing(group_key(g)))]
    follows = dict.fromkeys(exam_name_for(exams, d, g, today) for d, g in mine)
    named = [f"{exam_table(n)} ({exams[n].day.isoformat()})" for n in follows if n is not None]
    if not named:
        return "normal scheduling is back"
    which = " and ".join(named)
    if None in follows:
        return f"its decks follow {which} or normal scheduling now"
    return f"{'its deck follows' if len(mine) == 1 else 'its decks follow'} {which} now"


_DECK_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
