"""Statistics defects found by hunting (h1): saving the screen from a folder that is gone, the
true retention table with big counts and on a narrow terminal, the period names of the head
on a narrow terminal, and the `--svg` picture's scope named as the deck list names it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from retain.commands.stats import stats_report
from retain.core.statstext import figures_text
from retain.store import home as store_home
from retain.store.collection import Collection
from retain.store.home import open_home
from retain.ui.app import RetainApp, make_app
from retain.ui.screens.stats import StatsScreen
from retain.ui.stats_open import save_stats_svg
from retain.ui.widgets.stats_charts import retention_content

from .screen import screen_text
from .stats_fixture import BERLIN, NOW, build_fixture
from .test_stats_screen import settled

SPANS = ("today", "yesterday", "week", "month", "year")
LABELS = ("Today", "Yesterday", "7 days", "30 days", "1 year")


@pytest.fixture
def fixture_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    build_fixture(tmp_path)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    return tmp_path


@pytest.fixture
def fixture_app(fixture_home: Path) -> Iterator[RetainApp]:
    home = open_home()
    col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
    yield make_app(col, lambda: NOW, config=home.config)
    col.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """`retain stats --json`'s object for the fixture history (the retention spans get replaced)."""
    root = tmp_path_factory.mktemp("h1report")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(store_home, "bundled_decks_dir", lambda: None)
        home, _events = build_fixture(root)
        col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
        try:
            data: dict[str, Any] = json.loads(json.dumps(stats_report(col, NOW, None, 30)))
        finally:
            col.close()
    return data


# -- `e` on the stats screen ---------------------------------------------------------------


async def test_save_svg_from_a_folder_that_was_removed_is_one_line_not_a_crash(
    fixture_app: RetainApp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """retain started in a folder since removed (a temp folder, a checkout switched away):
    `e` took the app down with a FileNotFoundError traceback from `Path.cwd()`."""
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    app = fixture_app
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await settled(pilot)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, StatsScreen)  # still running, still on the screen
        said = [n.message for n in app._notifications]
        assert any(m.startswith("Cannot save the statistics") for m in said), said
        assert all("\n" not in m for m in said)


# -- the true retention table ----------------------------------------------------------------


def _with_counts(data: dict[str, Any], counts: list[tuple[int, int, int, int]]) -> dict[str, Any]:
    """`data` with each span's (young pass, young fail, mature pass, mature fail) replaced."""
    out: dict[str, Any] = json.loads(json.dumps(data))
    for span, (yp, yf, mp, mf) in zip(out["retention"]["spans"], counts, strict=True):

        def block(p: int, f: int) -> dict[str, Any]:
            return {"pass": p, "fail": f, "rate": p / (p + f) if p + f else None}

        span["young"], span["mature"], span["total"] = block(yp, yf), block(mp, mf), block(yp + mp, yf + mf)
    return out


def _right_edges(line: str) -> list[int]:
    """Where each cell (`pass/count rate`, the rate `-` when there is none) of a row ends."""
    return [m.end() for m in re.finditer(r"\d+/\d+ +(?:\d+\.\d%|-)", line)]


def _separated(line: str) -> bool:
    """Whether every cell of the row has a space before it (none runs into the one before)."""
    return all(line[m.start() - 1] == " " for m in re.finditer(r"\d+/\d+ +(?:\d+\.\d%|-)", line))


_COUNT = st.integers(0, 10**7)
_SPAN = st.tuples(_COUNT, _COUNT, _COUNT, _COUNT)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_SPAN, min_size=5, max_size=5))
def test_retain_stats_retention_columns_line_up_with_any_counts(
    report: dict[str, Any], counts: list[tuple[int, int, int, int]]
) -> None:
    """With a year of 50k cards (21189/23567 young ratings) the columns ran into each other:
    the cells had a fixed width of 16 and no space between them."""
    lines = figures_text(_with_counts(report, counts))
    at = next(i for i, text in enumerate(lines) if text.startswith("True retention"))
    head, rows = lines[at + 1], lines[at + 2 : at + 7]
    assert [r.split()[0] for r in rows] == list(SPANS)
    edges = [m.end() for m in re.finditer(r"\S+", head)]
    for row, span in zip(rows, _with_counts(report, counts)["retention"]["spans"], strict=True):
        assert _right_edges(row) == edges and _separated(row), (head, row)
        for part in ("young", "mature", "total"):
            b = span[part]
            assert f"{b['pass']}/{b['pass'] + b['fail']}" in row


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(_SPAN, min_size=5, max_size=5))
def test_the_screen_retention_columns_line_up_with_any_counts(
    report: dict[str, Any], counts: list[tuple[int, int, int, int]]
) -> None:
    data = _with_counts(report, counts)
    lines = retention_content(data).plain.splitlines()
    head, rows = lines[0], lines[1:6]
    edges = [m.end() for m in re.finditer(r"\S+", head)][1:]  # after "Period"
    for row, name, span in zip(rows, LABELS, data["retention"]["spans"], strict=True):
        assert row.startswith(name)
        assert _right_edges(row) == edges and _separated(row), (head, row)
        for part in ("young", "mature", "total"):
            b = span[part]
            assert f"{b['pass']}/{b['pass'] + b['fail']}" in row


@pytest.mark.parametrize("size", [(40, 12), (50, 16)])
async def test_a_narrow_screen_keeps_each_retention_row_on_one_line(
    fixture_app: RetainApp, size: tuple[int, int]
) -> None:
    """At 40 columns the 58-column table wrapped: a row's Mature and Total cells fell onto the
    next line, under the wrong period. A narrow screen shows the rates only, one row each."""
    app = fixture_app
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("t")
        screen = await settled(pilot)
        table = screen.query_one("#retention")
        rows = table.render_lines(table.region.reset_offset)
        text = [strip.text.rstrip() for strip in rows]
        assert data_rows(text) == list(LABELS), text
        width = table.content_region.width
        for line in text:
            assert len(line) <= width + 2


def data_rows(text: list[str]) -> list[str]:
    """The labels of the lines that are whole table rows (a label and three rates)."""
    out = []
    for line in text:
        for label in LABELS:
            rest = line.strip()[len(label) :]
            if line.strip().startswith(label) and len(re.findall(r"\d+\.\d%|(?<!\S)-(?!\S)", rest)) >= 3:
                out.append(label)
                break
    return out


async def test_a_wide_screen_keeps_the_full_retention_table(fixture_app: RetainApp) -> None:
    app = fixture_app
    async with app.run_test(size=(110, 40)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        screen = await settled(pilot)
        assert screen.data is not None
        shown = retention_content(screen.data).plain
        rendered = str(screen.query_one("#retention").render())
        assert rendered == shown and "/" in rendered.splitlines()[1]


# -- the head on a narrow terminal ---------------------------------------------------------


async def test_a_period_name_is_never_split_across_lines(fixture_app: RetainApp) -> None:
    """At 40 columns "1 month" wrapped after its "1": the head read `... 1` / `month 3 months`."""
    app = fixture_app
    async with app.run_test(size=(40, 12)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await settled(pilot)
        lines = [line.replace("\xa0", " ").strip() for line in screen_text(app).splitlines()[:4]]
        head = " | ".join(lines)
        assert not any(line.endswith((" 1", " 3")) for line in lines), head
        for name in ("1 month", "3 months", "1 year"):
            assert name in head, head


# -- `retain stats --deck NAME --svg` ------------------------------------------------------


def _svg_text(path: Path) -> str:
    svg = path.read_text(encoding="utf-8")
    return unescape("".join(re.findall(r"<text[^>]*>(.*?)</text>", svg))).replace("\xa0", " ")


def test_the_svg_names_a_deck_or_group_as_the_deck_list_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--deck "infra team" --svg` drew "Statistics  infra team": what was typed, not the group."""
    monkeypatch.setattr(store_home, "bundled_decks_dir", lambda: None)
    monkeypatch.setenv("RETAIN_HOME", str(tmp_path))
    decks = tmp_path / "decks"
    decks.mkdir()
    for deck_id, name in (("ops", "Ops Runbooks"), ("net", "Networking")):
        (decks / f"{deck_id}.toml").write_text(
            f'format = 1\n\n[deck]\nid = "{deck_id}"\nname = "{name}"\ngroup = "Infra Team"\n\n'
            '[[cards]]\nid = "c1"\nfront = "Q"\nback = "A"\n',
            encoding="utf-8",
        )
    home = open_home()
    col = Collection.open(home, NOW, tz=BERLIN, read_only=True)
    try:
        for typed, shown in (
            ("infra  TEAM", "Infra Team"),
            ("ops runbooks", "Ops Runbooks"),
            ("net", "Networking"),
        ):
            out = tmp_path / "s.svg"
            save_stats_svg(col, NOW, out, typed, 30)
            text = _svg_text(out)
            assert f"Statistics  {shown} " in text, (typed, text[:120])
    finally:
        col.close()
