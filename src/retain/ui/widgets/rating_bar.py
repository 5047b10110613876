"""The four rating buttons, each labelled with the interval it would lead to.

Drawn by one widget: the labels change on every card, and four `Button`
widgets made each reveal re-lay out the screen. Before the reveal the bar is
drawn blank (`hide`) rather than made invisible: a change of visibility is a
new layout of the whole screen, a blank bar only a repaint of its three lines.
Clicking a button (mouse) posts `RatingBar.Rated`; the keyboard (1-4, or the
keys `[keymap]` gives `review.again` .. `review.easy`, as the buttons then say) is
the main way.
"""

from __future__ import annotations

from collections.abc import Mapping

from textual.content import Content
from textual.message import Message
from textual.style import Style
from textual.widget import Widget

__all__ = ["RATING_NAMES", "RatingBar", "button_labels", "rating_content"]

RATING_NAMES: dict[int, str] = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
_COLORS = {1: "$error", 2: "$warning", 3: "$success", 4: "$primary"}
_GAP = 2
_MAX_WIDTH = 20


_FORMS = ("{key} {name}  {interval}", "{key} {name} {interval}", "{key} {interval}", "{key} {name}", "{key}")


def button_labels(
    intervals: Mapping[int, str], width: int, keys: Mapping[int, str] | None = None
) -> dict[int, str]:
    """Each button's label in the longest of `1 Again  <10m`, `1 Again <10m`, `1 <10m`, `1 Again`,
    `1` that fits all four in `width` cells (one form for the four; a button without an interval,
    as in a cram, keeps its name): a narrow button drops the name before the interval, and never
    cuts either (a cut "<10m" read "<1", under a minute). `keys`: each rating's key as shown, when
    the keymap moved it (`h Again`); else 1-4."""
    labels: dict[int, str] = {}
    for form in _FORMS:
        labels = {}
        for rating, name in RATING_NAMES.items():
            interval = intervals.get(rating, "")
            key = (keys or {}).get(rating, str(rating))
            label = form.format(key=key, name=name, interval=interval).strip()
            if not interval and len(f"{key} {name}") <= width:
                label = f"{key} {name}"
            labels[rating] = label
        if all(len(label) <= width for label in labels.values()):
            break
    return labels


def rating_content(
    intervals: Mapping[int, str], suggested: int | None, width: int, keys: Mapping[int, str] | None = None
) -> Content:
    """Three lines: four colored blocks `1 Again <1m`, centred in `width` cells (`keys`: as in
    `button_labels`)."""
    button = max(8, min(_MAX_WIDTH, (width - _GAP * 3) // 4))
    used = button * 4 + _GAP * 3
    indent = " " * max(0, (width - used) // 2)
    labels = button_labels(intervals, button, keys)
    rows: list[list[Content]] = [[Content(indent)] for _ in range(3)]
    for rating in RATING_NAMES:
        color = _COLORS[rating]
        click = Style.from_meta({"@click": f"pick({rating})"})
        label = labels[rating]
        label_style = "bold underline" if rating == suggested else "bold"
        left = (button - len(label)) // 2
        background = f"$text on {color}"
        # Padding as separate spans: an SVG export would drop a span's leading spaces.
        middle = Content.assemble(
            (" " * left, background),
            (label, f"{label_style} {background}"),
            (" " * (button - left - len(label)), background),
        )
        rows[0].append(Content.styled("▔" * button, f"{color}-lighten-1 on {color}").stylize(click))
        rows[1].append(middle.stylize(click))
        rows[2].append(Content.styled("▁" * button, f"{color}-darken-1 on {color}").stylize(click))
        if rating != 4:
            for row in rows:
                row.append(Content(" " * _GAP))
    return Content("\n").join(Content("").join(row) for row in rows)


class RatingBar(Widget):
    """Again / Hard / Good / Easy with their next intervals; blank (not removed) before the reveal."""

    DEFAULT_CSS = """
    RatingBar { height: 3; width: 1fr; link-style: none; link-style-hover: bold; }
    """

    class Rated(Message):
        """A rating button was clicked."""

        def __init__(self, rating: int) -> None:
            super().__init__()
            self.rating = rating

    def __init__(self) -> None:
        super().__init__()
        self.intervals: dict[int, str] = {}
        self.suggested: int | None = None
        self.shown = False  # the buttons are drawn (after the reveal); blank before it

    def show(self, intervals: Mapping[int, str], suggested: int | None = None) -> None:
        """Label each button `1 Again <10m`; mark the suggested rating (typed cards)."""
        self.intervals = dict(intervals)
        self.suggested = suggested
        self.shown = True
        self.refresh()

    def hide(self) -> None:
        """Draw the bar blank (its place is kept: no new layout); clicks on it do nothing."""
        if self.shown:
            self.shown = False
            self.refresh()

    def render(self) -> Content:
        if not self.shown:
            return Content(" " * self.size.width)  # blank, as the screen beneath it
        from retain.ui.key_names import rating_keys

        return rating_content(self.intervals, self.suggested, self.size.width, rating_keys(self.app))

    def action_pick(self, rating: int) -> None:
        if self.shown and rating in RATING_NAMES:
            self.post_message(self.Rated(rating))
