"""Typed and cloze cards, the footer's bindings, the mouse, and summary keys."""

from __future__ import annotations

from pathlib import Path

from textual.widget import Widget
from textual.widgets import Input, Static

from retain.ui.screens.home import HomeScreen
from retain.ui.screens.study import StudyScreen
from retain.ui.screens.summary import SummaryScreen
from retain.ui.widgets.rating_bar import RatingBar

from .conftest import OpenApp
from .screen import screen_text


def shown(widget: Widget) -> bool:
    """Whether the widget is displayed now (read afresh, not narrowed by an earlier assert)."""
    return widget.display


def footer_actions(app) -> set[str]:  # type: ignore[no-untyped-def]
    """Actions the footer shows now (enabled, `show=True`)."""
    return {b.binding.action for b in app.screen.active_bindings.values() if b.binding.show and b.enabled}


async def test_typed_card_diff_and_suggested_rating(open_app: OpenApp) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        answer = app.screen.query_one(Input)
        assert answer.display and answer.has_focus
        await pilot.press(*"Ráft", "enter")  # accents: a near miss (a typo in a 4-letter answer is a miss)
        screen = app.screen
        assert isinstance(screen, StudyScreen) and screen.session.phase == "back"
        assert not shown(answer)
        diff = screen_text(app)
        assert "You typed  Ráft" in diff and "Answer     Raft" in diff and "suggested rating: Hard" in diff
        assert screen.query_one(RatingBar).suggested == 2
        await pilot.press("space")  # the suggested rating after the reveal
        assert [e.rating for e in app.collection.history()] == [2]


async def test_typed_card_accepts_alternatives(open_app: OpenApp) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"The Raft algorithm", "enter")
        diff = screen_text(app)
        assert "✓ correct" in diff and "suggested rating: Good" in diff


async def test_cloze_front_hides_with_hint_and_back_shows_all(open_app: OpenApp) -> None:
    app = open_app(["redis"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        front = screen_text(app)
        assert "[where?]" in front and "in memory" not in front and "RDB snapshots" in front
        await pilot.press("space")
        back = screen_text(app)
        assert "in memory" in back and "[where?]" not in back
        assert "AOF = append-only file." in back


def _one_card_deck(home: Path, card: str) -> None:
    """A deck `r` whose only card is the given `[[cards]]` body (TOML)."""
    text = f'format = 1\n\n[deck]\nid = "r"\nname = "Render"\n\n[[cards]]\n{card}'
    (home / "decks" / "r.toml").write_text(text, encoding="utf-8")


async def _check_typed(open_app: OpenApp, typed: str) -> tuple[str, list[int]]:
    """Study deck `r`, put `typed` in the answer box, Enter, Enter: (the screen after the check, ratings)."""
    app = open_app(["r"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        app.screen.query_one(Input).value = typed  # as a keyboard or an input method types it
        await pilot.press("enter")
        await pilot.pause()
        diff = screen_text(app)
        await pilot.press("enter")  # records the suggested rating
        await pilot.pause()
        return diff, [e.rating for e in app.collection.history() if e.kind == "review"]


async def test_typed_card_with_a_literal_star_is_correct_as_shown(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The back `*args` shows `*args`: typing it is correct (the checker used to drop the `*`)."""
    _one_card_deck(retain_home, 'id = "t"\nkind = "typed"\nfront = "Splat?"\nback = "*args"\n')
    diff, ratings = await _check_typed(open_app, "*args")
    assert "✓ correct" in diff and ratings == [3]


async def test_typed_card_with_math_checks_and_shows_the_rendered_answer(
    retain_home: Path, open_app: OpenApp
) -> None:
    """The back `$\\frac{1}{2}$` shows `1/2`: the Answer line says `1/2`, not the LaTeX source."""
    card = 'id = "t"\nkind = "typed"\nfront = "One over two?"\nback = "$\\\\frac{1}{2}$"\n'
    _one_card_deck(retain_home, card)
    diff, ratings = await _check_typed(open_app, "2/3")
    assert "Answer     1/2" in diff and "frac" not in diff and ratings == [1]


async def test_typed_card_with_an_invisible_character_in_the_back_is_correct(
    retain_home: Path, open_app: OpenApp
) -> None:
    """A zero-width space pasted into the back (shown as `�`) is no part of the answer."""
    _one_card_deck(retain_home, 'id = "t"\nkind = "typed"\nfront = "Word?"\nback = "Raft\\u200b"\n')
    diff, ratings = await _check_typed(open_app, "Raft")
    assert "✓ correct" in diff and ratings == [3]


async def test_cloze_placeholder_that_looks_like_a_link_shows_on_the_front(
    retain_home: Path, open_app: OpenApp
) -> None:
    """`{{c1::SSH}}: 22` asks `[...]: 22`; Markdown read that as a link definition and showed nothing."""
    _one_card_deck(retain_home, 'id = "c"\nkind = "cloze"\ntext = "{{c1::SSH}}: 22"\n')
    app = open_app(["r"], start_in_review=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert "[...]: 22" in screen_text(app)
        await pilot.press("space")
        await pilot.pause()
        assert "SSH: 22" in screen_text(app)


async def test_footer_shows_only_what_applies(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        front = footer_actions(app)
        assert "reveal" in front and "rate(1)" not in front and "undo" not in front
        await pilot.press("space")
        back = footer_actions(app)
        assert {"rate(1)", "rate(2)", "rate(3)", "rate(4)"} <= back and "reveal" not in back
        await pilot.press("3")
        assert "undo" in footer_actions(app)


async def test_rating_buttons_show_intervals_and_work_with_the_mouse(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space")
        bar = app.screen.query_one(RatingBar)
        row = screen_text(app).splitlines()[bar.region.y + 1]
        labels = [part.strip() for part in row.split("  ") if part.strip()]
        assert "1 Again" in row and "<1m" in row and "4 Easy" in row, labels
        easy = row.index("4 Easy")
        await pilot.click(RatingBar, offset=(easy + 1 - bar.region.x, 1))
        assert [e.rating for e in app.collection.history()] == [4]


async def test_summary_closes_with_escape_and_space(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        for key in ("escape", "space"):
            await pilot.press("space", "3", "escape")
            assert isinstance(app.screen, SummaryScreen)
            body = str(app.screen.query_one("#summary-body", Static).render())
            assert "Studied" in body and "Again" in body and "Next due" in body
            await pilot.press(key)
            assert isinstance(app.screen, HomeScreen)
            await pilot.press("down", "enter")


async def test_finishing_every_card_shows_the_summary(open_app: OpenApp) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"raft", "enter", "4")
        await pilot.pause()
        assert isinstance(app.screen, SummaryScreen)
        assert app.screen.summary.studied == 1


async def test_nothing_due_says_when_the_next_card_comes(retain_home: Path, open_app: OpenApp) -> None:
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press(*"raft", "enter", "4", "enter")  # Easy: due in days; back home
    app.collection.close()
    app = open_app(["consul"], start_in_review=True)
    async with app.run_test(size=(80, 24)):
        text = str(app.screen.query_one("#empty", Static).render())
        assert text.startswith("Nothing due — next card in ") and text.split("in ")[1].split()[0].endswith(
            "d"
        )
