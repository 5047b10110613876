"""Small pieces: ids from GUIDs, versions, protobuf reader, HTML conversion, progress bar."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from retain.core.ids import is_valid_id
from retain.interop.anki.ankinote import deck_id_for_name, ids_from_guid
from retain.interop.anki.protowire import first, read_fields
from retain.interop.errors import InteropError
from retain.interop.html import html_to_text, text_to_html
from retain.interop.progress import TerminalProgress, render_bar
from retain.interop.upgrade import compare_versions


@given(st.text(min_size=1, max_size=40))
def test_any_guid_gives_a_valid_stable_id(guid: str) -> None:
    deck, card = ids_from_guid(guid)
    assert is_valid_id(card)
    assert ids_from_guid(guid) == (deck, card)


def test_guids_differing_in_case_stay_distinct() -> None:
    assert ids_from_guid("Ab!x")[1] != ids_from_guid("aB!x")[1]
    assert ids_from_guid("kafka/isr") == ("kafka", "isr")
    assert ids_from_guid("plain-id") == (None, "plain-id")


def test_deck_ids_from_names() -> None:
    assert deck_id_for_name("Languages::Spanish") == "languages-spanish"
    assert deck_id_for_name("日本語") == deck_id_for_name("日本語")
    assert is_valid_id(deck_id_for_name("日本語"))


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("1.0.0", "1.1.0", -1),
        ("1.10.0", "1.9.0", 1),
        ("1.0", "1.0.0", 0),
        ("1.0.0-rc1", "1.0.0", -1),
        ("", "2", 0),
    ],
)
def test_compare_versions(a: str, b: str, expected: int) -> None:
    assert compare_versions(a, b) == expected


def test_protowire_reads_and_refuses_damage() -> None:
    assert first(b"\x08\x03", 1) == 3
    assert list(read_fields(b"\x0a\x02hi\x10\x96\x01")) == [(1, b"hi"), (2, 150)]
    with pytest.raises(InteropError):
        list(read_fields(b"\x0a\x7fshort"))
    with pytest.raises(InteropError):
        list(read_fields(b"\x08" + b"\xff" * 12))


@given(st.text(st.characters(exclude_characters="\r\xa0", exclude_categories=["Cs"])))
def test_text_to_html_and_back(text: str) -> None:
    text = text.strip()
    assume("[sound:" not in text)  # an Anki sound tag: read as media (`[audio]`), not as text
    assume(not re.search(r"\\[(\[]|\[\$|\[latex\]", text))  # math: read as retain's `$` math
    # Markdown escapes only: the card shows the text as written
    assert re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", html_to_text(text_to_html(text))) == text


def test_html_conversion_of_anki_fields() -> None:
    html = "<div>a <b>b</b></div><div>c&nbsp;d</div><script>alert(1)</script><style>x{}</style><ul><li>e</li></ul>"
    assert html_to_text(html) == "a **b**\nc d\n- e"
    assert html_to_text('x <img src="a.png"> [sound:s.mp3]', lambda n: f"<{n}>") == "x <a.png> <s.mp3>"


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        ("Who? [sound:Abraham Lincoln.mp3]", "Who? [audio]"),  # plain text (no tag at all)
        ("<b>Who?</b> [sound:Lincoln.mp3]", "**Who?** [audio]"),  # the simple-tags path
        ("<div>Who?</div>[sound:Lincoln.mp3][sound:b.ogg]", "Who?\n[audio][audio]"),  # the parser
        ("x [sound:A&amp;B.mp3] y", "x [audio] y"),
        ('<img src="181 Fremont.jpg"> [sound:Lincoln.mp3]', "[image] [audio]"),
    ],
)
def test_a_media_name_is_never_shown_without_a_media_folder(field: str, shown: str) -> None:
    """sharing.md: "A card never shows a media file name (names often hold the answer)". Without
    a media function (an Anki .txt/.csv, a deck description) an image became [image] but
    `[sound:Abraham Lincoln.mp3]` stayed as it was; a media function that has no file for the
    name gives the same."""
    assert html_to_text(field) == shown
    assert html_to_text(field, lambda _name: None) == shown


@pytest.mark.parametrize(
    ("field", "shown"),
    [
        ('<img alt="A diagram" src="a.png">', "![A diagram](d.media/H.png)"),
        ('<img src="a.png" alt="  two\n lines [x] ">', "![two lines x](d.media/H.png)"),
        ('<img alt="181 Fremont.jpg" src="181 Fremont.jpg">', "![image](d.media/H.png)"),  # a file name
        ('<img alt="181 Fremont" src="181%20Fremont.jpg">', "![image](d.media/H.png)"),
        ('<img alt="audio" src="a.png">', "![image](d.media/H.png)"),  # would play it as audio
        ('<img alt="" src="a.png">', "![image](d.media/H.png)"),
    ],
)
def test_an_anki_image_keeps_its_description_never_its_file_name(field: str, shown: str) -> None:
    """sharing.md: "an image shows its description, or `image` when it has none or the
    description is just the file name". Anki's `alt` was dropped: every image read `image`."""
    assert html_to_text(field, lambda _name: "![image](d.media/H.png)") == shown
    assert html_to_text(field) == "[image]"


def test_progress_bar_text_and_tty_only() -> None:
    assert render_bar("import", 5, 10, width=10) == "import           [#####.....]  50% 5/10"
    quiet = io.StringIO()
    TerminalProgress(quiet)("import", 500, 1000)
    assert quiet.getvalue() == ""  # not a terminal: nothing drawn
    shown = io.StringIO()
    TerminalProgress(shown, force=True)("import", 1000, 1000)
    assert "100% 1000/1000" in shown.getvalue()
