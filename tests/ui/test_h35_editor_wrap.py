"""The card editor's fields show every character of their text, also at a wrap point.

A field's text was re-wrapped when the field got narrower (the form's scrollbar appearing as
the fields grew, or at open on a small terminal) but drawn again only when the number of
wrapped lines changed: the lines stayed wrapped for the old width and the last character of
each wrapped line was cut off (`https://docs.docker.com/get-starte` + `/docker-overview/` at
80x24) until the cursor moved.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import TextArea

from retain.ui.app import RetainApp
from retain.ui.widgets.card_form import CardForm

from .conftest import OpenApp
from .screen import until
from .test_card_form_unicode import open_editor

URL = "https://docs.docker.com/get-started/docker-overview/"
DECK = f"""format = 1

[deck]
id = "docker"
name = "Docker"
group = "Distributed Systems Interview"

[[cards]]
id = "containerization"
kind = "reversed"
front = "Containerization (Docker)"
back = "Packaging code with all its dependencies into an image that runs the same way wherever it is deployed."
extra = "Seed: in a distributed system consistency is everything; your code should run the same on your laptop as in a data center in Tokyo or Frankfurt. See {URL}"
"""


def shown(app: RetainApp, area: TextArea) -> str:
    """The text the field shows (its rows within the text region, scrollbar left out), spaces removed."""
    region = area.scrollable_content_region
    strips = app.screen._compositor.render_strips()
    rows = (strips[y].crop(region.x, region.right).text for y in range(region.y, region.bottom))
    return "".join(row.replace(" ", "") for row in rows)


def squeezed(text: str) -> str:
    return text.replace(" ", "").replace("\n", "")


@pytest.fixture
def docker_deck(retain_home: Path) -> Path:
    path = retain_home / "decks" / "docker.toml"
    path.write_text(DECK, encoding="utf-8")
    return path


@pytest.mark.usefixtures("docker_deck")
@pytest.mark.parametrize("size", [(80, 24), (80, 30), (100, 24), (60, 30)])
async def test_a_field_shows_all_its_text_when_the_form_gets_a_scrollbar(
    open_app: OpenApp, size: tuple[int, int]
) -> None:
    app = open_app()
    async with app.run_test(size=size) as pilot:
        await open_editor(pilot, "docker")
        extra = app.screen.query_one("#form-extra", TextArea)
        form = app.screen.query_one(CardForm)
        await pilot.pause(0.2)
        if size == (80, 24):
            assert form.show_vertical_scrollbar  # the case the bug was found in
        assert await until(pilot, lambda: squeezed(extra.text) in shown(app, extra)), shown(app, extra)
        assert URL in shown(app, extra)


LETTERS = "".join(chr(ord("a") + i % 26) for i in range(400))


@pytest.mark.slow
@pytest.mark.usefixtures("docker_deck")
@pytest.mark.parametrize(("height", "start"), [(30, 120), (24, 250)], ids=["form-scrollbar", "own-scrollbar"])
async def test_typing_into_a_front_never_hides_a_character(
    open_app: OpenApp, height: int, start: int
) -> None:
    """Typed key by key until the front grows past its own maximum height: on the way the form's
    scrollbar appears (80x30, after about 165 letters) or the field's own (80x24, after about 290).
    After every key the field shows a run of its text, no letter missing."""
    app = open_app()
    async with app.run_test(size=(80, height)) as pilot:
        front = await open_editor(pilot, "docker")
        front.focus()
        front.insert(LETTERS[:start], front.document.end)  # typed the same, only faster
        await pilot.pause()
        bar = app.screen.query_one(CardForm) if height == 30 else front  # the scrollbar that comes
        before = bar.show_vertical_scrollbar
        hidden: list[str] = []
        for ch in LETTERS[start : start + 60]:
            await pilot.press(ch)
            await pilot.pause()
            if squeezed(shown(app, front)) not in squeezed(front.text):
                hidden.append(f"after {len(front.text)} characters: {shown(app, front)[-40:]!r}")
        assert (before, bar.show_vertical_scrollbar) == (False, True)  # it came while typing
        assert hidden == []
