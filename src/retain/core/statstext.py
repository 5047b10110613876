"""The statistics as compact text for `retain stats`: sparkline bars and the retention table.

Works on the JSON form of the figures (`Figures.to_dict()`), so the text shows
exactly what `--json` prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["figures_text", "percent_text", "plural", "sparkline"]

_BARS = " ▁▂▃▄▅▆▇█"
_WIDTH = 60  # characters a sparkline may take; longer series are summed into buckets


def plural(n: int, word: str) -> str:
    """`1 day`, `2 days`: a count with its noun."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def sparkline(values: Sequence[int], width: int = _WIDTH) -> str:
    """One character per value (or per bucket of values when there are more than `width`)."""
    if not values:
        return ""
    size = max(1, -(-len(values) // width))
    sums = [sum(values[i : i + size]) for i in range(0, len(values), size)]
    top = max(sums)
    if top <= 0:
        return " " * len(sums)
    return "".join(_BARS[0] if v <= 0 else _BARS[max(1, round(8 * v / top))] for v in sums)


def _rate(block: dict[str, Any]) -> str:
    rate = block.get("rate")
    return "-" if rate is None else f"{100 * float(rate):.1f}%"


def percent_text(share: float) -> str:
    """`0.9` -> `90%`, `0.925` -> `92.5%`: a setting's own digits, never rounded to look met."""
    return f"{100 * share:.4f}".rstrip("0").rstrip(".") + "%"


_PARTS = ("young", "mature", "total")
_CELL = 16  # a column's width unless its counts need more (a year of 50k cards: 21189/23567)


def _retention_lines(retention: dict[str, Any]) -> list[str]:
    """The table, each column as wide as its widest cell (at least `_CELL`), one space between."""
    rows = [
        (
            str(span["span"]),
            [f"{b['pass']}/{b['pass'] + b['fail']} {_rate(b):>6}" for b in (span[p] for p in _PARTS)],
        )
        for span in retention["spans"]
    ]
    widths = [max([_CELL, *(len(cells[i]) for _name, cells in rows)]) for i in range(len(_PARTS))]
    head = f"{'':<10} " + " ".join(f"{part:>{w}}" for part, w in zip(_PARTS, widths, strict=True))
    lines = [f"True retention (desired {percent_text(float(retention['desired']))})", head]
    for name, cells in rows:
        lines.append(f"{name:<10} " + " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True)))
    return lines


def figures_text(data: dict[str, Any]) -> list[str]:
    forecast = data["forecast"]
    days = forecast["days"]
    due = [d["young"] + d["mature"] for d in days]
    reviews = data["reviews"]
    per_day = {d["date"]: d["reviews"] for d in reviews["days"]}
    series = _dates(reviews["first"], data["today"])
    done = [per_day.get(d, 0) for d in series]
    cal = data["calendar"]
    counts = data["counts"]
    lines = [
        f"Due forecast, next {plural(len(days), 'day')}: {plural(sum(due), 'card')};"
        f" due today (backlog) {forecast['backlog']}",
        f"  |{sparkline(due)}|  max {max(due, default=0)}/day",
        f"Reviews, last {plural(data['days'], 'day')}: {reviews['total']} in {reviews['minutes']} min"
        f" on {plural(reviews['days_studied'], 'day')}",
        f"  |{sparkline(done)}|  max {max(done, default=0)}/day",
        f"Streak {plural(cal['streak'], 'day')}, longest {cal['longest_streak']};"
        f" {cal['days_studied']} of the last 365 days studied ({plural(cal['total'], 'review')})",
        "",
        *_retention_lines(data["retention"]),
        "",
        "Cards: "
        + ", ".join(_count(k, counts) for k in counts if k not in ("total", "buried_new"))
        + f" (of {counts['total']})",
    ]
    if not cal["longest_streak"] and not reviews["total"]:  # none ever (the calendar is only a year)
        lines.insert(0, "No reviews yet.")
    return lines


def _count(key: str, counts: dict[str, int]) -> str:
    """One count of the cards line: `buried 2 (1 new)` says how many of the buried are new."""
    text = f"{key} {counts[key]}"
    if key == "buried" and counts.get("buried_new"):
        text += f" ({counts['buried_new']} new)"
    return text


def _dates(first: str, last: str) -> list[str]:
    from datetime import date, timedelta

    start, end = date.fromisoformat(first), date.fromisoformat(last)
    return [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
