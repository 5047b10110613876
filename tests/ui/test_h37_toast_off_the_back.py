"""An undo's toast ("Undid Good on kafka/partitions") stayed its 5 s: the learner who revealed
the card within them read its back under the toast. Revealing takes the information toasts
down; a warning (a leech) stays its time."""

from __future__ import annotations

from .conftest import OpenApp


def _toasts(app: object) -> list[tuple[str, str]]:
    return [(str(n.message), n.severity) for n in app._notifications]  # type: ignore[attr-defined]


async def test_revealing_takes_the_undo_toast_down(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("space", "3", "u")
        await pilot.pause()
        assert any("Undid Good" in m for m, _ in _toasts(app))
        await pilot.press("space")  # the card undone, revealed again within the toast's 5 s
        await pilot.pause()
        assert not any("Undid Good" in m for m, _ in _toasts(app)), _toasts(app)


async def test_a_warning_stays_when_the_back_is_shown(open_app: OpenApp) -> None:
    app = open_app(["kafka"], start_in_review=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.notify("kafka/partitions is now a leech (8 lapses)", severity="warning")
        app.notify("Card suspended (u to undo)")
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert _toasts(app) == [("kafka/partitions is now a leech (8 lapses)", "warning")], _toasts(app)
