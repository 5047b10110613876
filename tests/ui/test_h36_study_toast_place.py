"""h36 (attacker 52): a message in a session never covers the next card's question.

At 80x24, `b` (bury) put "Card buried until tomorrow 04:00 (u to undo)" over rows 3-6 on the right,
over the next card's question, for five seconds. The toasts were moved to the top because at the
bottom they covered the typed-answer box; now they sit just above the box and the buttons."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets._toast import Toast

from retain.ui.screens.study import StudyScreen

from .conftest import OpenApp
from .screen import screen_text, until

TYPED = """format = 1

[deck]
id = "typing"
name = "Typing"
""" + "".join(
    f'\n[[cards]]\nid = "t{n}"\nkind = "typed"\nfront = "Which algorithm, question {n}?"\nback = "Raft"\n'
    for n in range(3)
)


@pytest.mark.parametrize("deck", ["kafka", "typing"])
@pytest.mark.parametrize("size", [(80, 24), (100, 30)])
async def test_a_toast_covers_neither_the_question_nor_the_answer_box(
    retain_home: Path, open_app: OpenApp, size: tuple[int, int], deck: str
) -> None:
    (retain_home / "decks" / "typing.toml").write_text(TYPED, encoding="utf-8")
    app = open_app([deck], start_in_review=True)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, StudyScreen)
        if deck == "typing":  # (the box has the keys: any message of a session, as `b` gives one)
            app.notify("Card buried until tomorrow 04:00 (u to undo)")
        else:
            await pilot.press("b")
        assert await until(pilot, lambda: bool(app.screen.query(Toast)))
        await pilot.pause(0.3)
        toast = app.screen.query(Toast).first().region
        question = screen.query_one("CardView").region
        shown = [n for n, row in enumerate(screen_text(app).splitlines()) if row.strip()]
        text_rows = [y for y in shown if question.y <= y < question.bottom]
        last_text = max(y for y in text_rows if screen_text(app).splitlines()[y][: toast.x].strip())
        assert toast.y > last_text, (toast, last_text)
        box = screen.query_one("#answer")
        assert box.display == (deck == "typing")
        if box.display:
            assert not toast.overlaps(box.region), (toast, box.region)
