"""Anki field HTML read as Anki shows it (attacker 51): an ordered list keeps its numbers, an
image at a web address keeps its address, and text Anki hides stays hidden.

- `<ol start="3">` (and `<li value="n">`) was numbered from 1: the list begins at its number now
  (Markdown's first number; after text, after a blank line, which a list that does not begin at 1
  needs; a `value` further down begins a list of its own there).
- `<img src="https://...">` was `[image]`, its address lost, and named among the media files "not
  in the package": it is a link to the address now (`[image](https://...)`, or its description).
- `style="display:none"` text showed on the card: an element hidden so is left out.
"""

from __future__ import annotations

import html
import re
import sqlite3
import time
from pathlib import Path
from urllib.parse import unquote

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from retain.interop.html import html_to_text, markdown_to_html
from retain.interop.html_media import MediaFn
from retain.interop.limits import Limits

from .anki_fixture import changed_package, read_history

# --- ordered lists -------------------------------------------------------------------------


def _shown(value: str) -> str:
    """The field as a retain card shows it: converted, then rendered (one line)."""
    return markdown_to_html(html_to_text(value)).replace("\n", "")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('<ol start="3"><li>phosphorylation</li><li>cleavage</li></ol>', "3. phosphorylation\n4. cleavage"),
        ("<ol><li value=4>a</li><li>b</li></ol>", "4. a\n5. b"),
        ("<ol start=0><li>a</li></ol>", "0. a"),
        ("<ol start=' 12abc'><li>a</li></ol>", "12. a"),
        ("<ol start=-3><li>a</li></ol>", "1. a"),  # (Markdown has no negative numbers)
        ("<ol start=1234567890><li>a</li></ol>", "1. a"),  # (nor more than 9 digits)
        ("<ol start=x><li>a</li></ol>", "1. a"),
        (f"<ol start={'0' * 5000}7><li>a</li></ol>", "7. a"),
        ("<ol start=999999999><li>a</li><li>b</li></ol>", "999999999. a\n999999999. b"),
        ("<ul><li>a</li><li value=3>b</li></ul>", "- a\n- b"),
        ("<pre><ol start=3><li>a</li><li>b</li></ol></pre>", "```\n3. a\n4. b\n```"),
    ],
)
def test_an_ordered_list_keeps_its_first_number(value: str, text: str) -> None:
    assert html_to_text(value) == text


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("<ol start=3><li>a</li><li>b</li></ol>", '<ol start="3"><li>a</li><li>b</li></ol>'),
        ("text<ol start=3><li>a</li></ol>", '<p>text</p><ol start="3"><li>a</li></ol>'),
        ("<div>x</div><ol start=3><li>a</li></ol>", '<p>x</p><ol start="3"><li>a</li></ol>'),
        (
            "<blockquote>text<ol start=5><li>a</li></ol></blockquote>",
            '<blockquote><p>text</p><ol start="5"><li>a</li></ol></blockquote>',
        ),
        (
            "<ol><li>a</li></ol><ol start=2><li>b</li></ol>",
            '<ol><li>a</li></ol><ol start="2"><li>b</li></ol>',
        ),
        (
            "<ol><li>a</li><li value=7>b</li><li>c</li></ol>",
            '<ol><li>a</li></ol><ol start="7"><li>b</li><li>c</li></ol>',
        ),
    ],
)
def test_the_card_shows_the_lists_numbers(value: str, shown: str) -> None:
    assert _shown(value) == shown


def test_a_nested_list_keeps_its_first_number() -> None:
    shown = _shown("<ol><li>a<ol start=2><li>b</li><li>c</li></ol></li><li>d</li></ol>")
    assert re.fullmatch(
        r'<ol><li>(?:<p>)?a(?:</p>)?<ol start="2"><li>b</li><li>c</li></ol></li><li>.*d.*</li></ol>', shown
    )


_WORD = st.text("abcxyz", min_size=1, max_size=6)


@settings(max_examples=150, deadline=None)
@given(
    before=st.sampled_from(
        ["", "text", "<div>text</div>", "<b>t</b><br>", "<h2>H</h2>", "<ul><li>u</li></ul>"]
    ),
    start=st.integers(0, 999_999_999),
    items=st.lists(_WORD, min_size=1, max_size=4),
    after=st.sampled_from(["", "tail", "<p>tail</p>"]),
)
def test_any_start_number_is_the_rendered_lists(
    before: str, start: int, items: list[str], after: str
) -> None:
    value = f"{before}<ol start={start}>{''.join(f'<li>{w}</li>' for w in items)}</ol>{after}"
    shown = _shown(value)
    found = re.findall(r"<ol(?: start=\"(\d+)\")?>(.*?)</ol>", shown)
    assert len(found) == 1, (value, shown)
    number, body = found[0]
    assert int(number or 1) == start, (value, shown)
    assert re.findall(r"<li>(.*?)</li>", body) == items


# --- images at web addresses --------------------------------------------------------------


def _lookup(asked: list[str]) -> MediaFn:
    def media(name: str) -> str | None:
        asked.append(name)
        return None

    return media


def test_a_remote_image_is_a_link_to_its_address() -> None:
    asked: list[str] = []
    assert (
        html_to_text('<img src="https://example.com/a.png">', _lookup(asked))
        == "[image](https://example.com/a.png)"
    )
    assert (
        html_to_text('x <img src="http://e.org/cat.jpg" alt="A *cat*"> y', _lookup(asked))
        == "x [A \\*cat\\*](http://e.org/cat.jpg) y"
    )
    assert (
        html_to_text('<audio src="https://e.com/s.mp3"></audio>', _lookup(asked))
        == "[audio](https://e.com/s.mp3)"
    )
    assert asked == []  # (no media file of the package is looked for)


@pytest.mark.parametrize(
    "src",
    [
        "javascript:alert(1)",
        "data:image/png;base64,AAAA",
        "file:///etc/passwd.png",
        "https://",
        "//e.com/a.png",
    ],
)
def test_other_addresses_are_no_links(src: str) -> None:
    text = html_to_text(f'<img src="{src}">')
    assert text == "[image]" and "(" not in text


_ADDRESS_CHARS = st.text(alphabet="aZ09/-._~%()$`|\\<> &;#?=*_[]'!+,@:é", max_size=30)


@settings(max_examples=300, deadline=None)
@given(path=_ADDRESS_CHARS, cell=st.booleans(), alt=st.text("ab *_$|`", max_size=6))
def test_the_link_goes_to_the_address(path: str, cell: bool, alt: str) -> None:
    """Whatever the address holds (parentheses, `|`, `$`, a backtick, an entity's `&`), the card
    links to it, in a table's cell too."""
    address = "https://example.com/" + path
    img = f'<img src="{html.escape(address)}" alt="{html.escape(alt)}">'
    value = f"<table><tr><td>{img}</td><td>2</td></tr></table>" if cell else f"see {img} here"
    shown = _shown(value)
    hrefs = re.findall(r'<a href="([^"]*)">', shown)
    assert len(hrefs) == 1, (value, shown)
    assert unquote(html.unescape(hrefs[0])) == unquote(address.strip(" \t\n\f\r")), (value, shown)


def test_a_remote_image_in_a_package_is_no_missing_file(tmp_path: Path) -> None:
    def remote(conn: sqlite3.Connection) -> None:
        nid, flds = conn.execute("SELECT id, flds FROM notes WHERE flds LIKE '%capital%'").fetchone()
        fields = flds.split("\x1f")
        fields[1] += '<img src="https://example.com/paris.jpg" alt="Paris">'
        conn.execute("UPDATE notes SET flds = ? WHERE id = ?", ("\x1f".join(fields), nid))

    bundle = read_history(tmp_path, changed_package(tmp_path, remote))
    backs = [c.back for d in bundle.decks for c in d.cards]
    assert any("[Paris](https://example.com/paris.jpg)" in b for b in backs), backs
    assert not any("example.com" in w for w in bundle.warnings), bundle.warnings


# --- hidden elements ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ('a<span style="display:none">secret</span>b', "ab"),
        ('a<span style="DISPLAY : None">secret</span>b', "ab"),
        ('a<span style="color:red; display: none !important;">secret</span>b', "ab"),
        ('a<span style="/* x */display:none">secret</span>b', "ab"),
        ("a<span hidden>secret</span>b", "ab"),
        ('a<span style="display:none; display:inline">shown</span>b', "ashownb"),
        ('a<span style="display:nonesuch">shown</span>b', "ashownb"),
        ('a<span hidden style="display:inline">shown</span>b', "ashownb"),
        ('<div style="display:none"><div>x</div>y</div>z', "z"),
        ('<div style="display:none"><p>a<div>b</div></p>c</div>d', "d"),
        ("<div><span style='display:none'>x</div>y", "y"),
        ('<div>v<span style="display:none">x</div>y', "v\ny"),
        ('<p style="display:none">a<p>b', "b"),
        ('<b style="display:none">x</i>y</b>z', "z"),
        ('x<img style="display:none" src="a.png">y', "xy"),
        ('<ol><li style="display:none">a<li>b</ol>', "1. b"),  # (a hidden item is not counted)
        ('<ul><li style="display:none">a<ul><li>n</li></ul><li>b</ul>', "- b"),
        ('<dl><dt style="display:none">h<dd>v</dl>', "v"),
        ('<table><tr><td style="display:none">h<td>v</tr></table>', "| v |\n| --- |"),
    ],
)
def test_what_anki_hides_is_left_out(value: str, text: str) -> None:
    assert html_to_text(value) == text


def test_hidden_media_is_not_looked_for() -> None:
    asked: list[str] = []
    assert (
        html_to_text('a<div style="display:none"><img src="x.png">[sound:y.mp3]</div>', _lookup(asked)) == "a"
    )
    assert asked == []


_TAGS = st.sampled_from(["span", "div", "p", "b", "li", "td", "font", "section"])


@settings(max_examples=200, deadline=None)
@given(
    shown=st.lists(st.text("abc", min_size=1, max_size=4), min_size=1, max_size=4),
    hidden=st.text("xyz", min_size=1, max_size=4),
    tag=_TAGS,
    inner=_TAGS,
    closed=st.booleans(),
)
def test_hidden_text_never_shows_and_the_rest_does(
    shown: list[str], hidden: str, tag: str, inner: str, closed: bool
) -> None:
    assume(inner != tag or tag not in ("li", "td", "p"))  # (a browser ends the one with the other)
    assume(tag != "p" or inner in ("span", "b", "font"))  # (a block ends an open `<p>`)
    end = f"</{tag}>" if closed else ""
    value = f"<div>{shown[0]}<{tag} style='display:none'><{inner}>{hidden}</{inner}>{end}</div>" + "".join(
        f"<div>{s}</div>" for s in shown[1:]
    )
    text = html_to_text(value)
    assert not set(text) & set("xyz"), (value, text)
    assert re.findall("[abc]+", text) == shown, (value, text)


@pytest.mark.parametrize(
    "token",
    ['<span style="display:none">', "<li><td>", "</div>"],
)
def test_hidden_elements_convert_in_linear_time(token: str) -> None:
    size = Limits().max_field_chars
    value = "<ul>" + "<b>" * (size // 6) + token * (size // 2 // len(token))
    start = time.thread_time()
    html_to_text(value)
    assert time.thread_time() - start < 6.0, token
