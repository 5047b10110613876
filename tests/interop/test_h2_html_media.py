"""h2: a media element's kind comes from its file's name, not from its tag.

An `<object data="missing.pdf">` (or `.swf`, `.html`: nothing retain can show or play) that the
package lacks showed as `[image]`; it is kept as what it is, its name in the text. One the package
holds is brought in, as Anki's media check counts it, so an export gives it back. `<embed>` is
read as `<object>`. A missing file's placeholder is `[image]` or `[audio]` by the name (an
`<img src="x.mp3">`, an `<audio src="x.png">`), as the placeholder of a file that is there is; a
played file (`<audio>`, `<video>`, `<source>`, `[sound:]`) that is not an image by its name is
audio (`clip.mov`), never an image."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.mediaref import AUDIO_EXTS, IMAGE_EXTS, VIDEO_EXTS, media_refs
from retain.interop.html import html_to_text
from retain.interop.html_media import kind_by_name
from retain.interop.importer import read_file
from retain.interop.media import placeholder

from .test_anki_shared_decks import _package

BARE = re.compile(r"(?<!!)\[(image|audio)\](?!\()")  # a placeholder for a file that is not there


class Lookup:
    """A package's media lookup as the import's (`interop.media.placeholder`): every file but
    `missing.*`; it records the names asked for (a file asked for is a file brought in)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, name: str) -> str | None:
        self.asked.append(name)
        return None if name.startswith("missing") else placeholder("d", name)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ('<object data="missing.pdf"></object>', "missing.pdf"),
        ('see <object data="missing.pdf">no PDF viewer</object> here', "see missing.pdf here"),
        ('<object data="missing.swf" type="application/x-shockwave-flash"></object>', "missing.swf"),
        ("<object data='missing.html'>a page</object>", "missing.html"),
        ('<object data="missing_v2.txt"/> after', "missing_v2.txt after"),
        ('<embed src="missing.pdf"> after', "missing.pdf after"),
        ('<pre>x = 1\n<object data="missing.pdf"></object></pre>', "```\nx = 1\nmissing.pdf\n```"),
        ('<code>run <object data="missing.pdf"></object></code>', "`run missing.pdf`"),
    ],
)
def test_a_missing_object_that_is_no_image_or_sound_by_its_name_is_kept_as_its_name(
    field: str, text: str
) -> None:
    assert html_to_text(field, Lookup()) == text
    assert html_to_text(field) == text  # (an Anki text file's field: no media at all)


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ('<object data="d.svg"></object>', "![image](d.media/d.svg)"),
        ('<object data="s.mp3"></object>', "![audio](d.media/s.mp3)"),
        ('<embed src="d.svg"> after', "![image](d.media/d.svg) after"),
        ('<embed src="s.ogg"/>', "![audio](d.media/s.ogg)"),
        ('<embed src="missing.png">', "[image]"),
        ('<object data="missing.svg">fallback</object>', "[image]"),
        ('<object data="missing.ogg">fallback</object>', "[audio]"),
        # a missing file's placeholder by its name, whatever the tag
        ('<img src="missing.mp3">', "[audio]"),
        ('<img src="missing.png">', "[image]"),
        ('<img src="missing">', "[image]"),
        ('<audio src="missing.png"></audio>', "[image]"),
        ('<video src="missing.mov"></video>', "[audio]"),
        ('<video><source src="missing.gif"></video>', "[image]"),
        ("[sound:missing.jpg]", "[image]"),
        ("<code>[sound:missing.jpg]</code>", "[image]"),
        # a played file that is no image by its name is audio, as a missing one is
        ('<video src="clip.mov"></video>', "![audio](d.media/clip.mov)"),
        ('<video controls><source src="clip.mkv"></video>', "![audio](d.media/clip.mkv)"),
        ("[sound:clip.avi]", "![audio](d.media/clip.avi)"),
        ('<audio src="pic.png"></audio>', "![image](d.media/pic.png)"),
        ('<img src="s.mp3">', "![audio](d.media/s.mp3)"),
    ],
)
def test_a_media_elements_kind_is_its_files_by_name(field: str, text: str) -> None:
    assert html_to_text(field, Lookup()) == text


_NOT_MEDIA = st.from_regex(r"[a-z0-9]{1,5}", fullmatch=True).filter(
    lambda e: e not in IMAGE_EXTS | AUDIO_EXTS | VIDEO_EXTS  # (a video plays, as a sound does)
)


@settings(max_examples=150, deadline=None)
@given(
    stem=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9-]{0,15}", fullmatch=True),
    ext=st.one_of(st.sampled_from(["pdf", "swf", "html", "htm", "txt", "docx", "zip", "js"]), _NOT_MEDIA),
    element=st.sampled_from(
        ['<object data="{}"></object>', '<object data="{}">fallback</object>', '<embed src="{}">']
    ),
    missing=st.booleans(),
)
def test_no_file_that_is_no_image_or_sound_by_its_name_shows_as_a_bare_placeholder(
    stem: str, ext: str, element: str, missing: bool
) -> None:
    name = f"{'missing' if missing else ''}{stem}.{ext}"
    text = html_to_text("a " + element.format(name) + " b", Lookup())
    assert not BARE.search(text), text
    if missing:
        assert text == f"a {name} b" and not media_refs(text)
    else:  # brought in, so an export gives it back
        assert [(r.folder, r.name) for r in media_refs(text)] == [("d", name)], text


@settings(max_examples=150, deadline=None)
@given(
    ext=st.sampled_from(sorted(IMAGE_EXTS | AUDIO_EXTS | {"mov", "mkv", "pdf", "xyz"})),
    element=st.sampled_from(
        [
            '<img src="{}">',
            '<audio src="{}"></audio>',
            '<video src="{}"></video>',
            '<video><source src="{}"></video>',
            '<object data="{}"></object>',
            '<embed src="{}">',
            "[sound:{}]",
        ]
    ),
)
def test_a_missing_files_placeholder_is_the_kind_it_would_have_were_it_there(ext: str, element: str) -> None:
    there = html_to_text(element.format(f"f.{ext}"), Lookup())
    missing = html_to_text(element.format(f"missing.{ext}"), Lookup())
    if kind_by_name(f"f.{ext}") is None and element.startswith(("<object", "<embed")):
        assert missing == f"missing.{ext}"  # no media by its name: kept as its name
    else:
        kind = media_refs(there)[0].kind
        assert missing == f"[{kind}]", (there, missing)


def test_an_imported_pdf_object_is_brought_in_and_a_missing_one_is_its_name(tmp_path: Path) -> None:
    path = _package(
        tmp_path,
        "basic",
        [
            'What does it say? <object data="paper.pdf">no viewer</object> <object data="gone.pdf">',
            '<object data="plot.svg"></object>',
        ],
        media={"paper.pdf": b"%PDF-1.4 x", "plot.svg": b"<svg xmlns='http://www.w3.org/2000/svg'/>"},
    )
    stage = tmp_path / "stage"
    stage.mkdir()
    bundle = read_file(path, stage)
    (deck,) = bundle.decks
    (card,) = deck.cards
    assert card.front.endswith(" gone.pdf") and not BARE.search(card.front), card.front
    assert [r.name.rsplit(".", 1)[-1] for r in media_refs(card.front)] == ["pdf"], card.front
    assert [r.kind for r in media_refs(card.back)] == ["image"]
    assert sorted(p.suffix for p in bundle.media.values()) == [".pdf", ".svg"]
