"""h36: an element Anki does not show ends where a browser ends it, also when a start tag ends it
(or an element around it) without its optional end tag: no visible text after it is dropped.

Before: inside a hidden element every start tag was taken as hidden, so a hidden table cell
without its `</td>` hid every later row (`<td style="display:none">42<tr><td>dog`), and
`<a hidden>x<a>vis`, `<h1 hidden>x<h2>vis`, `<option hidden>x<option>vis` lost `vis`."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.interop.html import html_to_text


def test_hidden_cell_without_end_tag_keeps_later_rows() -> None:
    field = (
        '<table><tr><th>Word<th style="display:none">id<tr><td>cat<td style="display:none">42'
        '<tr><td>dog<td style="display:none">43</table>'
    )
    assert html_to_text(field) == "| Word |\n| --- |\n| cat |\n| dog |"


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        ("<a hidden>x<a>vis</a>", "vis"),
        ("<button hidden>x<button>vis</button>", "vis"),
        ("<h1 hidden>x<h2>vis</h2>", "## vis"),
        ("<option hidden>x<option>vis", "vis"),
        ("<p><span hidden>x<div>vis</div>", "vis"),
        ("<ul><li><span hidden>x<li>vis</ul>", "vis"),
        ("<dl><dt hidden>x<dd>vis</dl>", "vis"),
        ("<table><tr><td hidden>x<tbody><tr><td>vis</table>", "vis"),
    ],
)
def test_start_tag_ends_hidden_element(field: str, shown: str) -> None:
    out = html_to_text(field)
    assert shown in out and "x" not in out


def test_ruby_text_ends_hidden_ruby_text() -> None:
    assert "vis" in html_to_text("<ruby>漢<rt hidden>かん<rt>vis</ruby>")


# (context opened first, hidden element, start tags that end it, whether the hidden element may
# hold an inline element left open: only the current node is ended by the rest)
_PIECES = [
    ("<table><tr>", "td", "<tr><td>", True),
    ("<table><tr>", "th", "<td>", True),
    ("<table><tr>", "td", "<tbody><tr><td>", True),
    ("<table><tr><td>", "span", "<tr><td>", True),
    ("<table><tr><td>", "b", "<td>", True),
    ("<ul>", "li", "<li>", True),
    ("<ol><li>", "span", "<li>", True),
    ("<ul><li>", "div", "<li>", True),
    ("<dl>", "dt", "<dd>", True),
    ("<dl>", "dd", "<dt>", True),
    ("", "a", "<a>", True),
    ("<a>", "span", "<a>", True),
    ("", "button", "<button>", True),
    ("", "p", "<div>", True),
    ("<p>", "span", "<blockquote>", True),
    ("", "h1", "<h2>", False),
    ("", "h3", "<h3>", False),
    ("", "option", "<option>", False),
    ("<select>", "option", "<optgroup>", False),
    ("<ruby>漢", "rt", "<rt>", False),
    ("<ruby>漢", "rp", "<rt>", False),
]
_HIDE = ["hidden", 'style="display:none"', 'style="color: red; display: none"']


@st.composite
def _fields(draw: st.DrawFn) -> tuple[str, list[str], list[str]]:
    pieces = draw(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5))
    html, shown, hidden = [], [], []
    for i, (context, tag, closer, deep) in enumerate(pieces):
        attr = draw(st.sampled_from(_HIDE))
        inner = draw(st.sampled_from(["", "<span>", "<b>", "<i>x"])) if deep else ""
        html.append(f"{context}<{tag} {attr}>hid{i}{inner}hide{i}{closer}vis{i} ")
        shown.append(f"vis{i}")
        hidden += [f"hid{i}", f"hide{i}"]
    return "".join(html), shown, hidden


@settings(max_examples=300, deadline=None)
@given(_fields())
def test_visible_text_is_never_dropped(case: tuple[str, list[str], list[str]]) -> None:
    field, shown, hidden = case
    out = html_to_text(field)
    for word in shown:
        assert word in out, (field, out)
    for word in hidden:
        assert word not in out, (field, out)
