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
scheduling resumes): `past_exams` lists them for `retain check` and the
loader's one-line note.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from retain.core.exam import RECALL_RANGE, ExamSetting
from retain.core.model import group_key

__all__ = ["exam_for", "exam_name_for", "parse_exams", "past_exams"]


class _Error(ValueError):
    pass


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
        where = f"exam.{name}"
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


def exam_for(
    exams: Mapping[str, ExamSetting], deck_id: str, group: str, today: date | None = None
) -> ExamSetting | None:
    """The deck's own exam, else its group's (its name in any case and spacing); with `today`,
    an entry whose date has passed is left out (the group's exam still ahead applies)."""
    name = exam_name_for(exams, deck_id, group, today)
    return exams[name] if name is not None else None


def exam_name_for(
    exams: Mapping[str, ExamSetting], deck_id: str, group: str, today: date | None = None
) -> str | None:
    """The `[exam.<name>]` entry that applies to the deck: its own, else its group's. With
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
    return next((name for name in exams if group_key(name) == wanted and live(name)), None)


def past_exams(exams: Mapping[str, ExamSetting], today: date) -> list[str]:
    """One line per exam whose date has passed."""
    return [
        f"config: [exam.{name}] date {s.day.isoformat()} has passed; normal scheduling is back"
        " (remove it from config.toml)"
        for name, s in exams.items()
        if s.day < today
    ]
