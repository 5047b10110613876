"""The rating buttons on a narrow terminal: each says when its card comes back, never a cut-off
interval ("3 Good  <1" for ten minutes, "4 Easy  1.2" for 1.2 months)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from retain.core.scheduler import interval_label
from retain.ui.widgets.rating_bar import RATING_NAMES, rating_content

from .conftest import FIXED_NOW, OpenApp
from .screen import screen_text

_GAP = 2


def _buttons(width: int, intervals: dict[int, str]) -> list[str]:
    """The text on each of the four buttons at `width` (the middle row, cut at the blocks)."""
    content = rating_content(intervals, None, width)
    top, middle, _bottom = content.plain.split("\n")
    starts = [i for i, ch in enumerate(top) if ch == "▔" and (i == 0 or top[i - 1] != "▔")]
    assert len(starts) == 4, top
    size = next(i for i in range(starts[0], len(top) + 1) if i == len(top) or top[i] != "▔") - starts[0]
    return [middle[s : s + size].strip() for s in starts]


_LABELS = st.builds(
    lambda seconds: interval_label(FIXED_NOW, FIXED_NOW + timedelta(seconds=seconds)),
    st.integers(min_value=0, max_value=100 * 365 * 86400),
)


@given(
    width=st.integers(min_value=38, max_value=160),
    labels=st.lists(_LABELS, min_size=4, max_size=4),
)
def test_every_button_shows_its_whole_interval_or_none(width: int, labels: list[str]) -> None:
    intervals = dict(zip(RATING_NAMES, labels, strict=True))
    buttons = _buttons(width, intervals)
    # one form for the four: all named, or none ("1 <1m  2 Hard <6m" read as two kinds of button)
    assert len({RATING_NAMES[r] in shown for r, shown in zip(RATING_NAMES, buttons, strict=True)}) == 1, (
        buttons
    )
    for rating, shown in zip(RATING_NAMES, buttons, strict=True):
        interval = intervals[rating]
        assert shown.startswith(str(rating)), (width, shown)
        rest = shown.removeprefix(str(rating)).split()
        # What follows the key is the name and the interval, each whole, or left out.
        assert rest in ([RATING_NAMES[rating], interval], [interval], [RATING_NAMES[rating]], []), (
            width,
            shown,
            interval,
        )


@given(width=st.integers(min_value=38, max_value=160), labels=st.lists(_LABELS, min_size=4, max_size=4))
def test_from_40_columns_every_button_says_when_its_card_comes_back(width: int, labels: list[str]) -> None:
    """The interval matters more than the name (the key and the colour name the button)."""
    intervals = dict(zip(RATING_NAMES, labels, strict=True))
    for rating, shown in zip(RATING_NAMES, _buttons(width, intervals), strict=True):
        assert shown.endswith(intervals[rating]), (width, shown)


def test_a_wide_bar_keeps_the_full_label() -> None:
    assert _buttons(100, {1: "<1m", 2: "<6m", 3: "<10m", 4: "8d"}) == [
        "1 Again  <1m",
        "2 Hard  <6m",
        "3 Good  <10m",
        "4 Easy  8d",
    ]


def test_a_cram_bar_without_intervals_keeps_the_names() -> None:
    assert _buttons(40, {1: "repeat", 2: "", 3: "", 4: ""}) == ["1 repeat", "2 Hard", "3 Good", "4 Easy"]


async def test_at_46_columns_the_good_button_says_ten_minutes(open_app: OpenApp) -> None:
    """A new card at 46x14: Good is "<10m", not "<1" (under a minute) as the cut label said."""
    app = open_app(["spanish"], start_in_review=True)
    async with app.run_test(size=(46, 14)) as pilot:
        await pilot.press("space")
        await pilot.pause()
        text = screen_text(app)
        assert "3 <10m" in text or "3 Good <10m" in text, text
        assert "<1 " not in text and "<1\n" not in text, text
