"""Media inside code in an Anki field (`<pre><img ...></pre>`, `<code><img ...></code>`,
`[sound:...]`, `<audio>`/`<video>`): Anki shows the image or plays the sound there (its webview
renders an `<img>` inside `<pre>`; its `[sound:]` tags are found anywhere in the card), so retain's
card shows it too: the media reference is written outside the code, in place, with the code around
it kept. It used to become a placeholder inside a fenced block (stored, never shown, never
exported) or nothing at all (`<code>`: the image lost)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retain.core.codespans import code_ranges
from retain.core.deckfile import parse_deck
from retain.core.mediaref import media_refs
from retain.interop.html import _parsed, html_to_text, markdown_to_html

from .anki_fixture import ANKI_PYTHON, package_media, run_anki
from .conftest import run_cli


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ('<pre><img src="a.png"></pre>', "![image](d.media/a.png)"),
        ('<code><img src="a.png"></code>', "![image](d.media/a.png)"),
        ('<code>ab<img src="a.png">cd</code>', "`ab`![image](d.media/a.png)`cd`"),
        ('<pre><code>x = 1<img src="a.png"></code></pre>', "```\nx = 1\n```\n![image](d.media/a.png)"),
        (
            '<pre>x = 1\n<img src="a.png" alt="the plot">\ny = 2</pre>',
            "```\nx = 1\n```\n![the plot](d.media/a.png)\n```\ny = 2\n```",
        ),
        ("<pre>play [sound:s.mp3] now</pre>", "```\nplay\n```\n![audio](d.media/s.mp3)\n```\n now\n```"),
        ("<code>[sound:s.mp3]</code>", "![audio](d.media/s.mp3)"),
        ("<code>a[sound:s.mp3]b</code>", "`a`![audio](d.media/s.mp3)`b`"),
        ('<code><audio src="s.mp3" controls></audio></code>', "![audio](d.media/s.mp3)"),
        ('<pre><video src="v.mp4">no video here</video></pre>', "![audio](d.media/v.mp4)"),
        (
            '<audio controls><source src="s.ogg" type="audio/ogg">fallback</audio> after',
            "![audio](d.media/s.ogg) after",
        ),
        ('x <audio src="s.mp3"/> y', "x ![audio](d.media/s.mp3) y"),
        ('<code><img src="missing.png"></code>', "[image]"),
        ("<pre>[sound:missing.mp3]</pre>", "[audio]"),
        ('<code>a<img src="missing.png">b</code>', "`a`[image]`b`"),
    ],
)
def test_media_inside_code_is_shown_outside_it_in_place(field: str, text: str) -> None:
    assert html_to_text(field, package_media) == text


def test_code_without_media_is_as_before() -> None:
    """The control: code is still code, `[sound:` written out in a code block without a closing
    bracket is text, and an empty `<pre>` is still a (fenced) code block."""
    assert html_to_text("<pre>a = [1, 2]\nb = a[0]</pre>", package_media) == "```\na = [1, 2]\nb = a[0]\n```"
    assert html_to_text("<code>x[0]</code> and <code>[sound:</code>", package_media) == "`x[0]` and `[sound:`"
    assert html_to_text("<pre><code>print(1)</code></pre>", package_media) == "```\nprint(1)\n```"


def test_a_stray_end_tag_reads_the_same_on_every_path() -> None:
    """Found by `test_html_fast_path`'s hypothesis test while fixing the above: the field was
    merged twice on one path (`</i><i>` left after the first pass went in the second), so the
    card read `**\\*` (stray stars) where the parser gives bold `*`."""
    assert html_to_text("<b>*</i><b><i>") == _parsed("<b>*</i><b><i>", None) == "**\\***"


_CODE_TEXT = st.text(alphabet="ab =\n[]", max_size=12)
_ELEMENT = st.sampled_from(['<img src="a.png">', "[sound:s.mp3]", '<audio src="s.mp3"></audio>'])


@settings(max_examples=150, deadline=None)
@given(before=_CODE_TEXT, after=_CODE_TEXT, element=_ELEMENT, block=st.booleans())
def test_media_in_code_is_always_a_reference_outside_code(
    before: str, after: str, element: str, block: bool
) -> None:
    """Whatever code surrounds it, the media element is one reference the card shows and exports
    carry (`media_refs` finds only references outside code), and the code's text is all kept."""
    tag = "pre" if block else "code"
    text = html_to_text(f"<{tag}>{before}{element}{after}</{tag}>", package_media)
    refs = media_refs(text)
    assert len(refs) == 1, text
    start = text.index("![")
    assert not any(a <= start < b for a, b in code_ranges(text)), text
    kept = "".join(
        ch for ch in text.replace(text[start : text.index(")", start) + 1], "") if ch not in "`\n "
    )
    assert kept == "".join(ch for ch in before + after if ch not in "`\n "), text
    # and the export writes it as Anki media again, outside any <code>
    html = markdown_to_html(text)
    assert ("<img" in html) or ("[sound:" in html), html


# --- end to end with a package real Anki made --------------------------------------------------

ANKI_SCRIPT = r"""
import os, sys, tempfile
from anki.collection import Collection, ExportAnkiPackageOptions
col = Collection(os.path.join(tempfile.mkdtemp(), "c.anki2"))
png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
col.media.write_data("a.png", png)
col.media.write_data("b.png", png + b"b")
col.media.write_data("s.mp3", b"ID3 not really")
note = col.new_note(col.models.by_name("Basic"))
note["Front"] = 'What does it draw? <pre>plot(x)\n<img src="a.png"></pre>'
note["Back"] = 'Output: <code><img src="b.png"></code> <pre>[sound:s.mp3]</pre>'
col.add_note(note, col.decks.id("Code"))
col.export_anki_package(out_path=sys.argv[1], options=ExportAnkiPackageOptions(
    with_scheduling=False, with_deck_configs=False, with_media=True, legacy=False), limit=None)
"""


@pytest.mark.skipif(not ANKI_PYTHON.exists(), reason=f"real Anki not available ({ANKI_PYTHON} missing)")
def test_media_in_code_from_anki_is_shown_and_exported_again(
    tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "code.apkg"
    run_anki(tmp_path, ANKI_SCRIPT, str(pkg))
    code, _out, err = run_cli(capsys, "import", str(pkg))
    assert code == 0, err
    deck = home / "decks" / "code.toml"
    text = deck.read_text(encoding="utf-8")
    files = sorted(p.name.rsplit(".", 1)[-1] for p in (home / "decks" / "code.media").iterdir())
    assert files == ["mp3", "png", "png"], files
    parsed = parse_deck(text, str(deck)).deck
    assert parsed is not None
    (card,) = parsed.cards
    shown = media_refs(card.front) + media_refs(card.back)
    assert sorted(r.kind for r in shown) == ["audio", "image", "image"], text
    assert "plot(x)" in card.front and "```" in card.front
    # exported again, the package carries all three files
    out_pkg = tmp_path / "again.apkg"
    code, _out, err = run_cli(capsys, "export", "code", "-o", str(out_pkg))
    assert code == 0, err
    with zipfile.ZipFile(out_pkg) as zf:
        names = json.loads(zf.read("media"))
    assert len(names) == 3, names
