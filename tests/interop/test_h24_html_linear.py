"""h24: Anki field HTML converts in time linear in its size, whatever tags it repeats.

Before the fix a field of stray end tags (`</b>` repeated: an 80 kB cell took half a minute, a
200 kB one minutes) hung the import: `merged` found runs of end tags then start tags with a
regex, `(?:</b>)+(?:<b>)+`, which from every end tag of a run that no start tag follows matched
to the run's end. And the quick check that drops escapes (`_may_act`) looked for a block marker at
each line's start past any blank lines (`^\\s*`), so a field of line breaks after an escaped
character took as long (40,000 `<br>`: half a minute). Each field here is as long as a field may
be (`Limits.max_field_chars`); linear code converts any of them in well under a second or two.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from retain.interop.html import _may_act, html_to_text
from retain.interop.html_spans import merged
from retain.interop.importer import read_file
from retain.interop.limits import Limits

SIZE = Limits().max_field_chars  # the longest field an import reads
BOUND = 6.0  # seconds of CPU for one field: linear code takes under 2, the quadratic took minutes

# Tokens a field repeats: bold/italic/code end and start tags in every order (stray, nested,
# closed then opened, in upper case, with spaces), blanks at spans' edges, and line breaks after
# text the converter escapes (the quick check then looks at every line).
TOKENS = [
    "</b>",
    "</i>",
    "</em>",
    "</strong>",
    "</code>",
    "</B >",
    "<b>",
    "<code>",
    "</b><i>",
    "</i><b>",
    "<b><i>",
    "</i></b>",
    "</b></i><i>",
    "<b></b>",
    "</b><b>",
    "</code><code>",
    "<b> </b>",
    "&nbsp;</b>",
    "<b><br><br>",
    "<br></b>",
    "<em></i><strong>",
    "<b>a",
    "</b>a",
    "<br>",
    "<br> ",
    "<br>-",
    "<br>:",
    "&lt;a",
    "&lt;a:",
    "&amp;a",
    "]",
    "<div><b>",
]


def _timed(fn: Callable[[], object]) -> float:
    start = time.thread_time()
    fn()
    return time.thread_time() - start


def _field(token: str, size: int = SIZE) -> str:
    return "front" + token * ((size - 5) // len(token))


@pytest.mark.parametrize("token", TOKENS)
def test_a_field_of_one_repeated_token_converts_in_linear_time(token: str) -> None:
    value = _field(token)
    assert _timed(lambda: html_to_text(value)) < BOUND, token


@pytest.mark.parametrize("token", ["</b>", "</i></b>", "</code>", "</b></i><i>"])
def test_merging_spans_is_linear(token: str) -> None:
    value = _field(token)
    assert _timed(lambda: merged(value)) < BOUND / 3, token


@pytest.mark.parametrize(
    "field",
    [
        "x _" + "<br>" * (SIZE // 4 - 1) + "y",
        "x _" + "<br> " * (SIZE // 5 - 1) + "y",
        "x _" + "<br>&nbsp;" * (SIZE // 10 - 1) + "y",
        "2 * 3" + "<br>" * (SIZE // 4 - 2) + "y",
    ],
    ids=["breaks", "breaks-and-spaces", "breaks-and-nbsp", "star-then-breaks"],
)
def test_line_breaks_after_an_escape_convert_in_linear_time(field: str) -> None:
    assert _timed(lambda: html_to_text(field)) < BOUND


def test_the_quick_check_over_blank_lines_is_linear() -> None:
    raw = "x _" + "\n" * SIZE + "y"
    assert _timed(lambda: _may_act(raw)) < BOUND / 3


def test_an_anki_text_file_of_stray_end_tags_imports_in_linear_time(tmp_path: Path) -> None:
    """The attacker's file: `#html:true` and one 200 kB field of `</b>` (it took minutes)."""
    path = tmp_path / "endtags.csv"
    path.write_text("#html:true\n" + _field("</b>", SIZE - 100) + ",back\n", "utf-8")
    stage = tmp_path / "stage"
    stage.mkdir()
    assert _timed(lambda: read_file(path, stage)) < BOUND
