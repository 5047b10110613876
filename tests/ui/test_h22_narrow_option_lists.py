"""Every screen with an option list survives a terminal squeezed to a few columns.

Custom study (`C`) or the statistics deck picker (`t`, `d`) open in a pane squeezed to 9 columns
or less ended the app: Textual's line wrapping in the option list divided by zero ("range() arg 3
must not be zero"). Option lists keep room for a few characters; the screen clips them.
"""

from __future__ import annotations

import pytest

from .conftest import OpenApp


@pytest.mark.parametrize("keys", [("C",), ("t", "d")], ids=["custom study", "stats deck picker"])
@pytest.mark.parametrize("size", [(8, 6), (1, 1), (9, 5)])
async def test_an_option_list_dialog_squeezed_to_a_few_columns_keeps_the_app(
    open_app: OpenApp, keys: tuple[str, ...], size: tuple[int, int]
) -> None:
    app = open_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        opened = type(app.screen).__name__
        await pilot.resize_terminal(*size)
        await pilot.pause()
        await pilot.pause()
        await pilot.resize_terminal(100, 30)
        await pilot.pause()
        assert app.is_running and app.return_code is None
        assert type(app.screen).__name__ == opened
