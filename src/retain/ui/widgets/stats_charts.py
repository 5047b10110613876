"""The statistics screen's charts: plotext bar charts (textual-plotext) and plain-cell panels.

Each `draw_*` function takes a `PlotextPlot`'s `plt` and the figures' JSON form
(`Figures.to_dict()`, what `retain stats --json` prints), so the screen draws
exactly the numbers the command line gives. Colours come from the app theme
(`palette`); plotext wants RGB triples. The calendar heatmap and the card
counts bar are plain cells (`calendar_content`, `counts_content`).

Without colours (NO_COLOR, a `-mono` TERM: `palette(..., mono=True)`) every series is drawn
in greys, which made young and mature, Again and Good, one grey: there each series has its
own fill (`FILLS`: █ ▓ ▒ ░), in the bars and in their legend, and the calendar's levels are
`· ░ ▒ ▓ █` rather than shades of one colour.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from rich.text import Text
from textual.app import RenderResult
from textual.color import Color
from textual.content import Content
from textual_plotext import PlotextPlot

from retain.core.statstext import percent_text, plural

__all__ = [
    "BUTTONS",
    "CALENDAR_FILLS",
    "FILLS",
    "FORECAST_KINDS",
    "REVIEW_KINDS",
    "Chart",
    "Palette",
    "bucket_days",
    "bucketed",
    "calendar_content",
    "counts_content",
    "draw_added",
    "draw_buttons",
    "draw_distribution",
    "draw_forecast",
    "draw_hours",
    "draw_reviews",
    "fill",
    "legend",
    "palette",
    "retention_content",
    "retention_width",
]

RGB = tuple[int, int, int]


class Palette(dict[str, RGB]):
    """The theme's colours as RGB triples by name; `mono`: drawn without colours (`FILLS`)."""

    mono: bool = False


# Each series' fill when there are no colours, by its colour's name: the series of one chart
# (young/mature, new/learning/relearning/review, Again/Hard/Good/Easy, passed/Again) differ.
FILLS = {"success": "█", "warning": "▓", "primary": "▒", "error": "░"}
CALENDAR_FILLS = ("·", "░", "▒", "▓", "█")  # no reviews, then the four levels


def fill(pal: Palette, color: str) -> str:
    """The bar glyph of the series in `color` (one glyph for all when there are colours)."""
    return FILLS.get(color, "█") if pal.mono else "█"


class Chart(PlotextPlot):
    """A `PlotextPlot` that builds its picture once per drawing and size, not on every repaint
    (plotext's build and the ANSI parse cost tens of ms per chart; scrolling repaints often)."""

    version = 0
    _cache: tuple[tuple[int, int, int, str], Text] | None = None

    def drawn(self) -> None:
        """Call after changing the figure through `plt`."""
        self.version += 1
        self.refresh()

    def render(self) -> RenderResult:
        key = (self.version, self.size.width, self.size.height, self.app.theme)
        if self._cache is None or self._cache[0] != key:
            result = super().render()
            self._cache = (key, result if isinstance(result, Text) else Text(str(result)))
        return self._cache[1]


_NAMES = ("primary", "secondary", "accent", "success", "warning", "error", "foreground", "surface")


def palette(variables: dict[str, str], *, mono: bool = False) -> Palette:
    """RGB triples of the theme's colours (a missing one falls back to grey)."""
    out = Palette()
    out.mono = mono
    for name in _NAMES:
        try:
            out[name] = Color.parse(variables.get(name, "#808080")).rgb
        except Exception:
            out[name] = (128, 128, 128)
    return out


def _hex(rgb: RGB) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def _blend(a: RGB, b: RGB, share: float) -> RGB:
    r, g, bl = (round(x + (y - x) * share) for x, y in zip(a, b, strict=True))
    return (r, g, bl)


def _short(iso: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day} {d.strftime('%b')}"


def _yticks(plt: Any, top: float) -> None:
    """Whole-number ticks (plotext would write 3.3, 6.7), bars standing on 0."""
    top = max(1, int(top))
    step = max(1, -(-top // 4))
    plt.ylim(0, top)
    plt.yticks(list(range(0, top + 1, step)))


BAR_CELLS = 4  # cells per bar: plotext's bars merge into their neighbours when narrower


def bucket_days(count: int, width: int = 80) -> int:
    """Days per bar so that `count` days fit in a plot `width` cells wide: 1, 2, 7, 14, 30, ..."""
    most = max(4, (width - 6) // BAR_CELLS)
    for size in (1, 2, 7, 14, 30, 61, 91, 182, 365):
        if -(-count // size) <= most:
            return size
    return -(-count // most)


def bucketed(dates: list[str], series: list[list[int]], width: int = 80) -> tuple[list[str], list[list[int]]]:
    """Sum every `bucket_days` consecutive days (the label is the bucket's first day)."""
    size = bucket_days(len(dates), width)
    if size == 1:
        return dates, series
    starts = list(range(0, len(dates), size))
    return [dates[i] for i in starts], [[sum(s[i : i + size]) for i in starts] for s in series]


def _start(plt: Any) -> None:
    plt.clear_figure()
    plt.frame(False)


FORECAST_KINDS = (("young", "primary"), ("mature", "success"))
REVIEW_KINDS = (("new", "primary"), ("learning", "warning"), ("relearning", "error"), ("review", "success"))
BUTTONS = (("Again", "error"), ("Hard", "warning"), ("Good", "success"), ("Easy", "primary"))


def legend(items: tuple[tuple[str, str], ...], pal: Palette) -> Content:
    """`■ young  ■ mature`, each square in its series' colour (without colours: `▒ young  █ mature`)."""
    parts: list[tuple[str, str]] = []
    for name, color in items:
        mark = fill(pal, color) if pal.mono else "■"
        parts += [_styled(f"{mark} ", pal[color]), (f"{name}  ", "$text-muted")]
    return Content.assemble(*parts)


def _bars(
    plt: Any, labels: list[str], series: list[list[int]], colors: list[str], pal: Palette, ticks: int = 5
) -> None:
    """Stacked bars at x = 1..n, half a step wide, one segment per non-zero value.

    Drawn one segment at a time: plotext's own (stacked) bar charts paint a blank
    row for every zero and scale the width by the spread of the x values given.
    """
    n = len(labels)
    for i in range(n):
        bottom = 0
        for values, color in zip(series, colors, strict=True):
            if values[i] > 0:
                top = bottom + values[i]
                plt.bar(
                    [i + 1],
                    [top],
                    minimum=bottom,
                    width=0.5,
                    color=pal[color],
                    marker=fill(pal, color),
                    reset_ticks=False,
                )
                bottom = top
    plt.xlim(0.5, n + 0.5)
    step = max(1, -(-n // ticks))
    idx = list(range(0, n, step))
    plt.xticks([i + 1 for i in idx], [labels[i] for i in idx])
    _yticks(plt, max((sum(col) for col in zip(*series, strict=True)), default=1))


def draw_forecast(plt: Any, data: dict[str, Any], pal: Palette, width: int = 80) -> None:
    days = data["forecast"]["days"]
    dates, (young, mature) = bucketed(
        [d["date"] for d in days], [[d["young"] for d in days], [d["mature"] for d in days]], width
    )
    _start(plt)
    _bars(plt, [_short(d) for d in dates], [young, mature], [c for _k, c in FORECAST_KINDS], pal)


def _period_dates(data: dict[str, Any]) -> list[str]:
    first = date.fromisoformat(data["reviews"]["first"])
    return [(first + timedelta(days=i)).isoformat() for i in range(data["days"])]


def draw_reviews(plt: Any, data: dict[str, Any], pal: Palette, width: int = 80) -> None:
    dates = _period_dates(data)
    by = {d["date"]: d for d in data["reviews"]["days"]}
    series = [[by[d][k] if d in by else 0 for d in dates] for k, _c in REVIEW_KINDS]
    dates, series = bucketed(dates, series, width)
    _start(plt)
    _bars(plt, [_short(d) for d in dates], series, [c for _k, c in REVIEW_KINDS], pal)


def draw_added(plt: Any, data: dict[str, Any], pal: Palette, width: int = 80) -> None:
    dates = _period_dates(data)
    by = {d["date"]: d["cards"] for d in data["added"]}
    dates, (values,) = bucketed(dates, [[by.get(d, 0) for d in dates]], width)
    _start(plt)
    _bars(plt, [_short(d) for d in dates], [values], ["accent"], pal)


def draw_distribution(
    plt: Any, hist: dict[str, Any], pal: Palette, color: str = "primary", width: int = 80
) -> None:
    edges, counts = hist["edges"], hist["counts"]
    labels = [f"{e:g}" for e in edges]
    labels[-1] += "+"
    _start(plt)
    _bars(plt, labels, [list(counts)], [color], pal, ticks=len(labels))


def draw_buttons(plt: Any, data: dict[str, Any], pal: Palette, width: int = 80) -> None:
    kinds = list(data["buttons"])
    shares = []
    for b in range(4):
        row = []
        for kind in kinds:
            total = sum(data["buttons"][kind]) or 1
            row.append(round(100 * data["buttons"][kind][b] / total, 1))
        shares.append(row)
    _start(plt)
    plt.multiple_bar(
        kinds, shares, color=[pal[c] for _b, c in BUTTONS], marker=[fill(pal, c) for _b, c in BUTTONS]
    )
    plt.ylim(0, 100)
    plt.yticks([0, 25, 50, 75, 100])


def draw_hours(plt: Any, data: dict[str, Any], pal: Palette, width: int = 80) -> None:
    """Reviews by local hour, stacked: passed (Good's colour) under Again (Again's): the success rate."""
    hours = data["hours"]
    passed = [h["passed"] for h in hours]
    failed = [h["reviews"] - h["passed"] for h in hours]
    _start(plt)
    _bars(plt, [f"{h['hour']}h" for h in hours], [passed, failed], ["success", "error"], pal, ticks=8)


def _styled(text: str, rgb: RGB, bold: bool = False) -> tuple[str, str]:
    return (text, f"{'bold ' if bold else ''}{_hex(rgb)}")


def calendar_content(data: dict[str, Any], pal: Palette, width: int) -> Content:
    """A GitHub-style year: one column per week (Monday on top), shaded by reviews that day
    (without colours: `·` none, then `░ ▒ ▓ █`)."""
    cal = data["calendar"]
    today = date.fromisoformat(data["today"])
    weeks = max(4, min(53, width - 4))
    start = today - timedelta(days=today.weekday() + 7 * (weeks - 1))
    counts = {d["date"]: d["reviews"] for d in cal["days"]}
    top = max(counts.values(), default=0)
    base, hot = pal["surface"], pal["success"]
    shades = [_blend(base, hot, s) for s in (0.15, 0.4, 0.65, 0.85, 1.0)]
    rows: list[Content] = []
    for weekday in range(7):
        parts: list[tuple[str, str] | str] = [("MTWTFSS"[weekday] + " ", "$text-muted")]
        for week in range(weeks):
            day = start + timedelta(days=7 * week + weekday)
            if day > today:
                parts.append(" ")
                continue
            n = counts.get(day.isoformat(), 0)
            level = 0 if n == 0 or top == 0 else 1 + min(3, int(4 * (n - 1) / top))
            parts.append(_styled(CALENDAR_FILLS[level] if pal.mono else "■", shades[level]))
        rows.append(Content.assemble(*parts))
    rows.append(
        Content.assemble(
            ("Streak ", "$text-muted"),
            (plural(cal["streak"], "day"), "bold"),
            ("  ·  longest ", "$text-muted"),
            (f"{cal['longest_streak']}", "bold"),
            ("  ·  ", "$text-muted"),
            (
                f"{plural(cal['days_studied'], 'day')} studied,"
                f" {plural(cal['total'], 'review')} in the last year",
                "",
            ),
        )
    )
    return Content("\n").join(rows)


def _pct(block: dict[str, Any]) -> str:
    return "-" if block["rate"] is None else f"{100 * block['rate']:.1f}%"


_SPAN_NAMES = {
    "today": "Today",
    "yesterday": "Yesterday",
    "week": "7 days",
    "month": "30 days",
    "year": "1 year",
}
_RET_PARTS = (("young", "Young"), ("mature", "Mature"), ("total", "Total"))
_RATE = 7  # " 100.0%"


def retention_width(data: dict[str, Any]) -> int:
    """Cells the full table (counts and rates) takes: more than a narrow terminal has."""
    return 10 + len(_RET_PARTS) * (1 + _counts_width(data) + _RATE)


def _counts_width(data: dict[str, Any]) -> int:
    """The width of the widest `pass/count` (at least 8: the columns keep their usual width)."""
    cells = [
        f"{s[p]['pass']}/{s[p]['pass'] + s[p]['fail']}"
        for s in data["retention"]["spans"]
        for p, _ in _RET_PARTS
    ]
    return max([8, *map(len, cells)])


def retention_content(data: dict[str, Any], width: int | None = None) -> Content:
    """The true retention table: `pass/count rate` per column, each column as wide as its widest
    cell (a year of 50k cards has 21189/23567), so the columns never run into each other. Given
    a `width` the full table does not fit in (a narrow terminal, where it wrapped each row onto
    two lines), the rates only: one row per period all the same."""
    ret = data["retention"]
    compact = width is not None and retention_width(data) > width
    counts = _counts_width(data)
    column = _RATE + 1 if compact else 1 + counts + _RATE
    head = f"{'Period':<10}" + "".join(f"{title:>{column}}" for _part, title in _RET_PARTS)
    lines = [Content.styled(head, "bold")]
    for span in ret["spans"]:
        if compact:
            cells = "".join(f"{_pct(span[p]):>{column}}" for p, _title in _RET_PARTS)
        else:
            cells = "".join(
                f" {span[p]['pass']}/{span[p]['pass'] + span[p]['fail']}".rjust(1 + counts)
                + f"{_pct(span[p]):>{_RATE}}"
                for p, _title in _RET_PARTS
            )
        lines.append(Content.assemble((f"{_SPAN_NAMES[span['span']]:<10}", "$text-muted"), cells))
    lines.append(
        Content.assemble(
            ("Desired retention ", "$text-muted"),
            (percent_text(float(ret["desired"])), "bold"),
            ("  (pass = not Again, review cards; young < 21 days)", "$text-muted"),
        )
    )
    return Content("\n").join(lines)


_COUNT_COLORS = {
    "new": "primary",
    "learning": "warning",
    "young": "accent",
    "mature": "success",
    "suspended": "secondary",
    "buried": "foreground",
}


def counts_content(data: dict[str, Any], pal: Palette, width: int) -> Content:
    """One horizontal bar per kind of card, scaled to the largest."""
    counts = data["counts"]
    top = max((counts[k] for k in _COUNT_COLORS), default=0)
    room = max(5, width - 24)
    lines = []
    for kind, color in _COUNT_COLORS.items():
        n = counts[kind]
        bar = "█" * (0 if top == 0 else max(1 if n else 0, round(room * n / top)))
        lines.append(Content.assemble((f"{kind:<10}{n:>7} ", "$text-muted"), _styled(bar, pal[color])))
    lines.append(
        Content.assemble(
            ("leeches   ", "$text-muted"),
            (f"{counts['leeches']:>7}", "bold"),
            (f"   of {counts['total']} cards", ""),
        )
    )
    return Content("\n").join(lines)
